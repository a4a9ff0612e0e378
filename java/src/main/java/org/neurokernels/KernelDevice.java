package org.neurokernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The host side shared by the OpenCL and CUDA backends: both load the same set of kernels (same names,
 * same argument lists; see kernels-opencl/ and kernels-cuda/), so the launch geometry and argument order
 * of every op is written once, here. A backend supplies {@link #launchKernel}, which maps a 2-D NDRange
 * (global size in work-items, local size) onto clEnqueueNDRangeKernel or cuLaunchKernel.
 *
 * <p>Kernel argument convention: a {@link Matrix} argument expands to three kernel parameters
 * (pointer, element offset, leading dimension); a {@link Raw} to the pointer alone; {@link Integer} and
 * {@link Float} are passed by value.
 *
 * <p>GEMM has two paths with the same semantics: {@code nk_gemm} (gemm.cl, compiled for both: local-memory tiles,
 * for GPUs) and, where {@link #packedGemm()} says so (OpenCL CPU devices), {@code nk_gemm_packed}
 * (gemm_packed.cl: operands packed into panels, one register tile per work-item). The packed path keeps
 * a workspace that grows to the largest GEMM seen and is reused by later calls.
 */
public abstract class KernelDevice extends Device {
    /** Work-group shape of the tiled GEMM (its tile, ts x ts of C, comes from the {@link GemmConfig}). */
    public static final int GEMM_LOCAL = 16;
    /** Work-group size of the 1-D elementwise and reduction kernels. */
    public static final int LOCAL_1D = 256;
    /** Maximum number of work-groups in a reduction; each writes one partial sum to the scratch. */
    public static final int MAX_REDUCTION_GROUPS = 256;

    /** A matrix passed to a kernel as its bare buffer pointer (for workspaces indexed by the kernel itself). */
    public record Raw(Matrix matrix) { }


    /** Work-group local memory of {@code floats} floats: an OpenCL __local argument, CUDA dynamic shared memory. */
    public record LocalFloats(int floats) { }

    /** The largest work-group (thread block) the device runs. */
    public abstract int maxWorkGroupSize();

    private Matrix scratch;      // MAX_REDUCTION_GROUPS partial sums
    private Matrix packA, packB; // nk_gemm_packed workspaces, grown on demand
    private Matrix logits;       // output_layer's logits where it takes three launches, grown on demand
    private Matrix placeholder;  // bound to optional matrix parameters that are absent (a flag says so)

    /** Called by the subclass constructor once its context and kernels are ready. */
    protected final void initScratch() {
        scratch = internalMatrix(1, MAX_REDUCTION_GROUPS);
        placeholder = internalMatrix(1, 1);
    }

    /** Frees the internal buffers; subclasses call it from {@link #closeImpl()} before releasing the context. */
    protected final void freeScratch() {
        if (scratch != null) freeBuffer(scratch.buffer());
        if (placeholder != null) freeBuffer(placeholder.buffer());
        if (packA != null) freeBuffer(packA.buffer());
        if (packB != null) freeBuffer(packB.buffer());
        if (logits != null) freeBuffer(logits.buffer());
        scratch = placeholder = packA = packB = logits = null;
    }

    /**
     * Enqueues kernel {@code name} over a global range of globalX x globalY work-items (already a multiple
     * of the local size) in work-groups of localX x localY.
     */
    protected abstract void launchKernel(String name, long globalX, long globalY, int localX, int localY, Object... args);

    /** {@link #launchKernel} after any GEMM held back for merging (so launches keep their call order). */
    protected final void launch(String name, long globalX, long globalY, int localX, int localY, Object... args) {
        flushDeferred();
        launches++;
        launchKernel(name, globalX, globalY, localX, localY, args);
    }

    private long launches;

    /** Kernel launches enqueued so far (a merged pair counts once). */
    public long kernelLaunches() {
        synchronized (lock) {
            return launches;
        }
    }

    // ---- merging independent one-launch GEMMs (Device.independently; gemm_packed.cl nk_gemm_pair)

    /** Kernels of the one-launch GEMM family, by their variant number in nk_gemm_pair. */
    private static final String[] ONE_LAUNCH_KERNELS = {"nk_gemm_dot", "nk_gemm_direct", "nk_gemm_direct1"};

    /**
     * A one-launch GEMM ready to go: its kernel variant, grid (rows x cols of work-items), arguments, and
     * while merging the matrices its epilogue writes and every matrix it touches (null otherwise).
     */
    private record OneLaunchGemm(int variant, int rows, int cols, Object[] args, List<Matrix> written, List<Matrix> touched) {
        boolean independentOf(OneLaunchGemm o) {
            for (Matrix w : written) for (Matrix t : o.touched) if (w.overlaps(t)) return false;
            for (Matrix w : o.written) for (Matrix t : touched) if (w.overlaps(t)) return false;
            return true;
        }
    }

    private boolean merging;
    private OneLaunchGemm held;

    @Override public void independently(Runnable ops) {
        Objects.requireNonNull(ops, "ops is null");
        synchronized (lock) {
            checkOpen();
            if (merging) {
                ops.run();
                return;
            }
            merging = true;
            try {
                ops.run();
            } finally {
                merging = false;
                flushDeferred();
            }
        }
    }

    @Override protected final void flushDeferred() {
        if (held == null) return;
        OneLaunchGemm g = held;
        held = null;
        launchAlone(g);
    }

    private void launchAlone(OneLaunchGemm g) {
        launches++;
        launchKernel(ONE_LAUNCH_KERNELS[g.variant()], g.rows(), g.cols(), 1, 1, g.args());
    }

    /** Launches g, or holds it to pair with the next one-launch GEMM inside {@link #independently}. */
    private void oneLaunchGemm(OneLaunchGemm g) {
        if (!merging) {
            flushDeferred();
            launchAlone(g);
        } else if (held != null && held.independentOf(g)) {
            OneLaunchGemm a = held;
            held = null;
            Object[] head = {a.variant(), a.rows(), a.cols()};
            Object[] mid = {g.variant(), g.cols()};
            launches++;
            launchKernel("nk_gemm_pair", a.rows() + g.rows(), Math.max(a.cols(), g.cols()), 1, 1,
                    concat(concat(head, a.args()), concat(mid, g.args())));
        } else {
            flushDeferred();
            held = g;
        }
    }

    private static long roundUp(long n, long multiple) { return (n + multiple - 1) / multiple * multiple; }

    private void launch1d(String name, long n, Object... args) {
        launch(name, roundUp(n, LOCAL_1D), 1, LOCAL_1D, 1, args);
    }

    /** True when every matrix among {@code args} is one row or has no gap between rows. */
    private static boolean allContiguous(Object[] args) {
        for (Object a : args) if (a instanceof Matrix && ((Matrix) a).rows() > 1 && !((Matrix) a).isContiguous()) return false;
        return true;
    }


    /**
     * Launches a purely elementwise kernel (arguments: rows, cols, then {@code args}) over {@code shape}:
     * when every matrix argument is contiguous it is passed as one row of rows * cols, so the kernel's
     * ELEMENT_INDEX needs no division per element.
     */
    private void launchElementwise(String name, Matrix shape, Object... args) {
        boolean flat = allContiguous(args);
        Object[] all = new Object[args.length + 2];
        all[0] = flat ? 1 : shape.rows();
        all[1] = flat ? shape.size() : shape.cols();
        System.arraycopy(args, 0, all, 2, args.length);
        launch1d(name, shape.size(), all);
    }

    // ---- ops with a launch plan (Op.plan()): the plan decides kernel, work sizes and arguments

    @Override protected void runImpl(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors, org.neurokernels.ops.Params p) {
        if (op.plan() == null) throw new UnsupportedOperationException("op " + op.name() + " has no launch plan");
        runPlan(op, tensors, op.paramVariables(p), op.seeds(p));
    }

    /** The variables of op's plan for these tensors (absent ones: has_T = 0) on this device; see {@link org.neurokernels.plan.OpPlan}. */
    public java.util.Map<String, Double> planVariables(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors, java.util.Map<String, Double> params) {
        java.util.Map<String, Double> v = new java.util.HashMap<>(params);
        boolean contig = true;
        for (String t : op.tensorNames()) {
            Matrix m = tensors.get(t);
            putTensor(v, t, m == null ? null : new int[] {m.rows(), m.cols()}, m == null ? 0 : m.offset());
            if (m != null && m.rows() > 1 && !m.isContiguous()) contig = false;
        }
        putDevice(v, contig);
        return v;
    }

    /**
     * The variables of op's plan for whole matrices of these shapes (offset 0, contiguous), as the C library
     * computes them for its buffers: what {@code neurokernels plan ops} compares with {@code nk_op_plan}.
     */
    public java.util.Map<String, Double> planVariablesForShapes(org.neurokernels.ops.Op op, java.util.Map<String, int[]> shapes,
                                                                java.util.Map<String, Double> params) {
        java.util.Map<String, Double> v = new java.util.HashMap<>(params);
        for (String t : op.tensorNames()) putTensor(v, t, shapes.get(t), 0);
        putDevice(v, true);
        return v;
    }

    /** T_rows, T_cols, T_size, T_off, has_T of one tensor (null shape: absent). */
    private static void putTensor(java.util.Map<String, Double> v, String t, int[] shape, int offset) {
        v.put(t + "_rows", shape == null ? 0.0 : shape[0]);
        v.put(t + "_cols", shape == null ? 0.0 : shape[1]);
        v.put(t + "_size", shape == null ? 0.0 : (double) shape[0] * shape[1]);
        v.put(t + "_off", (double) offset);
        v.put("has_" + t, shape == null ? 0.0 : 1.0);
    }

    /** contig and the device's variables. */
    private void putDevice(java.util.Map<String, Double> v, boolean contig) {
        v.put("contig", contig ? 1.0 : 0.0);
        v.put("opencl", hasPackedGemm() ? 1.0 : 0.0);
        v.put("kernel", (double) org.neurokernels.ops.Gemm.KERNEL_CODES.get(gemmKernel().name()));
        v.put("maxwg", (double) maxWorkGroupSize());
    }

    /** Launches op's plan with these tensors (absent optional ones bind the placeholder), parameter values and seeds. */
    protected final void runPlan(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors, java.util.Map<String, Double> params,
                                 java.util.Map<String, Long> seeds) {
        List<org.neurokernels.plan.OpPlan.Call> calls = op.plan().plan(planVariables(op, tensors, params));
        for (org.neurokernels.plan.OpPlan.Call call : calls) {
            if ((long) call.localX() * call.localY() > maxWorkGroupSize()) {
                throw new IllegalArgumentException(op.name() + ": " + call.kernel() + " needs work-groups of " + (long) call.localX() * call.localY()
                        + " work-items; " + id() + " allows " + maxWorkGroupSize());
            }
        }
        for (org.neurokernels.plan.OpPlan.Call call : calls) {
            Object[] args = new Object[call.args().size()];
            for (int i = 0; i < args.length; i++) {
                org.neurokernels.plan.OpPlan.Arg a = call.args().get(i);
                double x = call.values()[i];
                args[i] = switch (a.kind()) {
                    case MATRIX -> tensors.get(a.name()) == null ? placeholder : tensors.get(a.name());
                    case RAW -> new Raw(tensors.get(a.name()) == null ? placeholder : tensors.get(a.name()));
                    case INT -> (int) x;
                    case FLOAT -> (float) x;
                    case LOCAL -> new LocalFloats((int) x);
                    case SEED_LO -> (int) (long) seeds.get(a.name());
                    case SEED_HI -> (int) (seeds.get(a.name()) >>> 32);
                };
            }
            launch(call.kernel(), call.globalX(), call.globalY(), call.localX(), call.localY(), args);
        }
    }

    /** name, matrix pairs (a null matrix is an absent optional tensor). */
    private static java.util.Map<String, Matrix> tensors(Object... nameMatrix) {
        java.util.Map<String, Matrix> m = new java.util.HashMap<>();
        for (int i = 0; i < nameMatrix.length; i += 2) if (nameMatrix[i + 1] != null) m.put((String) nameMatrix[i], (Matrix) nameMatrix[i + 1]);
        return m;
    }

    private static org.neurokernels.ops.Op op(String name) { return org.neurokernels.ops.OpRegistry.get(name); }

    @Override protected void fillImpl(Matrix m, float value) {
        launchElementwise("nk_fill", m, m, value);
    }

    @Override protected void copyImpl(Matrix src, Matrix dst) {
        runPlan(op("copy"), tensors("x", src, "y", dst), Map.of(), Map.of());
    }

    @Override protected void gatherRowsImpl(Matrix x, Matrix index, Matrix out) {
        runPlan(op("gather_rows"), tensors("x", x, "index", index, "out", out), Map.of(), Map.of());
    }

    /**
     * The GEMM kernel families; all compute the same function within the same bound. Which kernel runs for
     * a given product, and its work sizes, is {@link org.neurokernels.ops.Gemm#PLAN}: a PACKED configuration
     * runs the one-launch DIRECT kernels of gemm_packed.cl for small products.
     */
    public enum GemmKernel { TILED, PACKED, DIRECT, WARP }

    private GemmConfig gemmConfig;
    private GemmKernel forcedKernel;
    /** Rows of C per work-item of nk_gemm_dot and nk_output_layer16 (gemm_packed.cl's DR). */
    static final int DOT_ROWS = 4;

    /** True where nk_gemm_packed is the faster GEMM (CPU devices); the default is the tiled nk_gemm. */
    protected boolean packedGemm() { return false; }

    /** True where this backend has nk_gemm_packed (OpenCL). */
    protected boolean hasPackedGemm() { return false; }

    /** True where this backend has the warp-tiled nk_gemm_warp (CUDA; not yet run on a GPU). */
    protected boolean hasWarpGemm() { return false; }

    /** The GEMM configuration the kernels were built with; subclasses set it before building. */
    protected GemmConfig gemmConfig() {
        if (gemmConfig == null) gemmConfig = GemmConfig.defaultFor(packedGemm());
        return gemmConfig;
    }

    protected final void setGemmConfig(GemmConfig c) { gemmConfig = c; }

    /** The GEMM kernel of this device's configuration (PACKED also means DIRECT for small problems), or the forced one. */
    public GemmKernel gemmKernel() { return forcedKernel != null ? forcedKernel : gemmConfig().kernel(); }

    /**
     * Uses one GEMM kernel for every size (to test or benchmark the one a device would not pick);
     * {@code null} returns to the configuration's choice.
     */
    public void setGemmKernel(GemmKernel kernel) {
        boolean available = kernel == null || kernel == GemmKernel.TILED
                || (kernel == GemmKernel.WARP ? hasWarpGemm() : hasPackedGemm());
        if (!available) {
            throw new UnsupportedOperationException(id() + " has no " + kernel + " GEMM kernel");
        }
        synchronized (lock) {
            forcedKernel = kernel;
        }
    }

    /** The launches {@link org.neurokernels.ops.Gemm#PLAN} gives this device for an m x n x k product. */
    public List<org.neurokernels.plan.PlanTable.Launch> gemmPlan(int m, int n, int k, boolean transA, boolean transB) {
        GemmConfig cfg = gemmConfig();
        return org.neurokernels.ops.Gemm.PLAN.plan(m, n, k, transA ? 1 : 0, transB ? 1 : 0,
                org.neurokernels.ops.Gemm.KERNEL_CODES.get(gemmKernel().name()), cfg.mr(), cfg.nr(), cfg.ts());
    }

    /** Floats of the packed-GEMM workspace currently held (0 before the first packed GEMM). */
    public long workspaceFloats() {
        return (packA == null ? 0 : packA.size()) + (packB == null ? 0 : packB.size());
    }

    private Matrix grow(Matrix ws, long floats) {
        if (floats > Integer.MAX_VALUE) throw new IllegalArgumentException("gemm workspace of " + floats + " floats exceeds 2^31-1");
        if (ws != null && ws.size() >= floats) return ws;
        if (ws != null) freeBuffer(ws.buffer());
        return internalMatrix(1, (int) Math.max(floats, 1024));
    }

    /**
     * One GEMM with its epilogue (gemm.cl: 0 gemm, 1 dense, 2 backward delta, 3 dense update). For 3, c is W,
     * alpha the learning rate, beta the decay, bias the bias, pre W's velocity, deriv the Kolen-Pollack
     * feedback (with fromOutput), vb the bias velocity and mu the momentum.
     */
    private void gemmLaunch(boolean transA, boolean transB, int m, int n, int k, float alpha, Matrix a, Matrix b, float beta, Matrix c,
                            int epilogue, Matrix bias, Activation f, Matrix pre, Matrix deriv, boolean fromOutput, Matrix vb, float mu) {
        Object[] epilogueArgs = {c, alpha, beta, epilogue,
                bias == null ? placeholder : bias, bias == null ? 0 : 1,
                f.code(),
                pre == null ? placeholder : pre, pre == null ? 0 : 1,
                deriv == null ? placeholder : deriv, fromOutput ? 1 : 0,
                vb == null ? placeholder : vb, mu};
        List<org.neurokernels.plan.PlanTable.Launch> plan = gemmPlan(m, n, k, transA, transB);
        org.neurokernels.plan.PlanTable.Launch first = plan.get(0);
        int variant = java.util.Arrays.asList(ONE_LAUNCH_KERNELS).indexOf(first.kernel());
        if (variant >= 0) {
            Object[] args = concat(new Object[] {m, n, k, a, transA ? 1 : 0, b, transB ? 1 : 0}, epilogueArgs);
            // only while merging (Device.independently): what the epilogue writes (C; pre with the dense
            // epilogue; with the update also the bias, the velocities and a Kolen-Pollack B) and all it touches
            List<Matrix> written = null, touched = null;
            if (merging) {
                written = new ArrayList<>(5);
                written.add(c);
                if (epilogue == 1 && pre != null) written.add(pre);
                if (epilogue == 3) for (Matrix x : new Matrix[] {bias, pre, deriv, vb}) if (x != null) written.add(x);
                touched = new ArrayList<>(written);
                for (Matrix x : new Matrix[] {a, b, bias, deriv}) if (x != null && !touched.contains(x)) touched.add(x);
            }
            oneLaunchGemm(new OneLaunchGemm(variant, (int) first.globalX(), (int) first.globalY(), args, written, touched));
            return;
        }
        if (first.kernel().equals("nk_pack_a")) {
            // packing workspaces: op(A) as MR-row panels, op(B) as NR-column panels, k deep
            packA = grow(packA, first.globalY() * k);
            packB = grow(packB, plan.get(1).globalX() * k);
            launchPlanned(first, m, k, a, transA ? 1 : 0, new Raw(packA));
            launchPlanned(plan.get(1), k, n, b, transB ? 1 : 0, new Raw(packB));
            launchPlanned(plan.get(2), concat(new Object[] {m, n, k, new Raw(packA), new Raw(packB)}, epilogueArgs));
            return;
        }
        // nk_gemm_warp, nk_gemm: the operands in place
        launchPlanned(first, concat(new Object[] {m, n, k, a, transA ? 1 : 0, b, transB ? 1 : 0}, epilogueArgs));
    }

    private void launchPlanned(org.neurokernels.plan.PlanTable.Launch l, Object... args) {
        launch(l.kernel(), l.globalX(), l.globalY(), l.localX(), l.localY(), args);
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override protected void gemmImpl(boolean transA, boolean transB, int m, int n, int k, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        gemmLaunch(transA, transB, m, n, k, alpha, a, b, beta, c, 0, null, Activation.IDENTITY, null, null, false, null, 0f);
    }

    @Override protected void denseForwardImpl(Matrix x, Matrix w, Matrix bias, Activation f, Matrix out, Matrix pre) {
        gemmLaunch(false, true, x.rows(), w.rows(), x.cols(), 1f, x, w, 0f, out, 1, bias, f, pre, null, false, null, 0f);
    }

    @Override protected void backwardDeltaImpl(Matrix delta, boolean transM, Matrix m, Matrix a, Activation f, boolean fromOutput, Matrix out) {
        gemmLaunch(false, transM, out.rows(), out.cols(), delta.cols(), 1f, delta, m, 0f, out, 2, null, f, null, a, fromOutput, null, 0f);
    }

    @Override protected void denseUpdateImpl(float lr, float decay, float mu, Matrix delta, Matrix h, Matrix w, Matrix b,
                                             Matrix vw, Matrix vb, Matrix feedback) {
        gemmLaunch(true, false, w.rows(), w.cols(), delta.rows(), lr, delta, h, decay, w, 3, b, Activation.IDENTITY, vw, feedback,
                feedback != null, vb, mu);
    }

    @Override protected void activationImpl(Activation f, Matrix x, Matrix out) {
        runPlan(op("activation"), tensors("x", x, "y", out), vars("activation", f.code()), Map.of());
    }

    @Override protected void activationGradImpl(Activation f, Matrix x, boolean fromOutput, Matrix out) {
        runPlan(op("activation_grad"), tensors("x", x, "y", out), vars("activation", f.code(), "from_output", fromOutput ? 1 : 0), Map.of());
    }

    @Override protected void hadamardImpl(Matrix x, Matrix y, Matrix out) {
        runPlan(op("hadamard"), tensors("x", x, "y", y, "z", out), Map.of(), Map.of());
    }

    @Override protected void axpyImpl(float alpha, Matrix x, Matrix y) {
        runPlan(op("axpy"), tensors("x", x, "y", y), vars("alpha", alpha), Map.of());
    }

    @Override protected void scaleImpl(float alpha, Matrix x, Matrix out) {
        runPlan(op("scale"), tensors("x", x, "y", out), vars("alpha", alpha), Map.of());
    }

    @Override protected void columnSumsImpl(Matrix x, Matrix out) {
        runPlan(op("column_sums"), tensors("x", x, "s", out), Map.of(), Map.of());
    }

    @Override protected void softmaxCrossEntropyImpl(Matrix logits, Matrix targets, Matrix probs, Matrix grad, Matrix loss) {
        runPlan(op("softmax_xent"), tensors("logits", logits, "targets", targets, "probs", probs, "grad", grad, "loss", loss), Map.of(), Map.of());
    }

    /** The launches {@link org.neurokernels.ops.OutputLayer#PLAN} gives this device (its GEMMs aside). */
    public List<org.neurokernels.plan.PlanTable.Launch> outputLayerPlan(int rows, int c, int q) {
        return org.neurokernels.ops.OutputLayer.PLAN.plan(rows, c, q, org.neurokernels.ops.Gemm.KERNEL_CODES.get(gemmKernel().name()),
                hasPackedGemm() ? 1 : 0);
    }

    @Override protected void outputLayerImpl(Matrix h, Matrix w, Matrix b, Matrix targets, Matrix m, Activation f,
                                             Matrix probs, Matrix grad, Matrix loss, Matrix delta) {
        int rows = h.rows(), c = w.rows(), q = h.cols();
        List<org.neurokernels.plan.PlanTable.Launch> plan = outputLayerPlan(rows, c, q);
        if (plan.get(0).kernel().equals("nk_output_layer16")) {
            launchPlanned(plan.get(0), rows, c, q, f.code(), h, w,
                    b == null ? placeholder : b, b == null ? 0 : 1, targets, m == null ? placeholder : m, m == null ? 0 : 1,
                    probs, grad, loss, delta == null ? placeholder : delta);
            return;
        }
        // elsewhere (GPUs, CUDA, many classes): dense forward into a workspace, softmax, backward delta
        if (logits == null || logits.rows() < rows || logits.cols() != c) {
            if (logits != null) freeBuffer(logits.buffer());
            logits = null;
            logits = internalMatrix(rows, c);
        }
        Matrix z = logits.view(0, 0, rows, c);
        gemmLaunch(false, true, rows, c, q, 1f, h, w, 0f, z, 1, b, Activation.IDENTITY, null, null, false, null, 0f);
        launchPlanned(plan.get(0), rows, c, z, targets, probs, grad, loss);
        if (m != null) backwardDeltaImpl(grad, false, m, h, f, true, delta);
    }

    @Override protected void sgdUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix grad, Matrix velocity) {
        runPlan(op("sgd_update"), tensors("w", w, "grad", grad, "velocity", velocity), vars("lr", lr, "weight_decay", decay, "momentum", mu), Map.of());
    }

    @Override protected void kpUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix b, Matrix grad, Matrix velocity) {
        runPlan(op("kp_update"), tensors("w", w, "b", b, "grad", grad, "velocity", velocity), vars("lr", lr, "weight_decay", decay, "momentum", mu), Map.of());
    }

    @Override protected void signFeedbackImpl(float scale, Matrix w, Matrix r, Matrix out) {
        runPlan(op("sign_feedback"), tensors("w", w, "r", r, "b", out), vars("scale", scale), Map.of());
    }

    @Override protected void mseLossImpl(Matrix y, Matrix targets, Matrix grad, Matrix loss) {
        runPlan(op("mse"), tensors("y", y, "targets", targets, "grad", grad, "loss", loss), Map.of(), Map.of());
    }

    @Override protected void randomUniformImpl(long seed, int stream, int draw, float lo, float hi, Matrix out) {
        runPlan(op("random_uniform"), tensors("out", out), vars("rows", out.rows(), "cols", out.cols(), "stream", stream, "draw", draw, "lo", lo, "hi", hi),
                Map.of("seed", seed));
    }

    @Override protected void lifStepImpl(org.neurokernels.dynamics.LifStep p, Matrix v, Matrix iE, Matrix iI, Matrix refractory,
                                         Matrix iExt, Matrix synE, Matrix synI, Matrix spikes, Matrix rate, Matrix count) {
        runPlan(op("lif_step"), tensors("v", v, "i_e", iE, "i_i", iI, "refractory", refractory, "i_ext", iExt, "syn_e", synE, "syn_i", synI,
                        "spikes", spikes, "rate", rate, "count", count),
                org.neurokernels.ops.LifStepOp.kernelVariables(p), Map.of());
    }

    @Override protected void rateStepImpl(Activation f, boolean exponentialEuler, Matrix r, Matrix x, Matrix c, Matrix tau, float noiseScale,
                                          long seed, int stream, int step) {
        runPlan(op("rate_step"), tensors("r", r, "x", x, "c", c, "tau", tau),
                vars("activation", f.code(), "exp_euler", exponentialEuler ? 1 : 0, "noise_scale", noiseScale, "stream", stream, "step", step),
                Map.of("seed", seed));
    }

    @Override protected void izhikevichStepImpl(float dt, Matrix v, Matrix u, Matrix abcd, Matrix iExt, Matrix syn, Matrix spikes, Matrix count) {
        runPlan(op("izhikevich_step"), tensors("v", v, "u", u, "abcd", abcd, "i_ext", iExt, "syn", syn, "spikes", spikes, "count", count),
                vars("dt", dt), Map.of());
    }

    @Override protected void poissonImpl(float dt, Matrix rate, long seed, int stream, int step, Matrix spikes, Matrix count) {
        runPlan(op("poisson"), tensors("rate", rate, "spikes", spikes, "count", count), vars("dt", dt, "stream", stream, "step", step), Map.of("seed", seed));
    }

    @Override protected void philoxImpl(Matrix counter, Matrix key, Matrix out) {
        runPlan(op("philox4x32_10"), tensors("counter", counter, "key", key, "out", out), Map.of(), Map.of());
    }

    @Override protected void rateMultistepImpl(Activation f, boolean exponentialEuler, int steps, Matrix r, Matrix wT, Matrix winT, Matrix u,
                                               Matrix bias, Matrix c, Matrix tau, float noiseScale, long seed, int stream, int step0,
                                               Matrix rec, int recordEvery) {
        runPlan(op("rate_multistep"), tensors("r", r, "w_rec_t", wT, "w_in_t", winT, "u", u, "bias", bias, "c", c, "tau", tau, "rec", rec),
                vars("steps", steps, "activation", f.code(), "exp_euler", exponentialEuler ? 1 : 0, "noise_scale", noiseScale, "stream", stream,
                        "step0", step0, "record_every", recordEvery),
                Map.of("seed", seed));
    }

    @Override protected void probeArithmeticImpl(Matrix in, Matrix out) {
        launch("nk_probe_arith", 1, 1, 1, 1, new Raw(in), new Raw(out));
    }

    @Override protected void probeMathImpl(int fn, Matrix in, Matrix out) {
        launch1d("nk_probe_math", in.cols(), in.cols(), fn, new Raw(in), new Raw(out));
    }

    @Override protected double dotImpl(Matrix x, Matrix y) {
        org.neurokernels.plan.PlanTable.Launch l = org.neurokernels.ops.Dot.PLAN.plan((double) x.size()).get(0);
        int groups = (int) (l.globalX() / l.localX());
        launch(l.kernel(), l.globalX(), l.globalY(), l.localX(), l.localY(), x.rows(), x.cols(), x, y, scratch);
        float[] partial = new float[MAX_REDUCTION_GROUPS];
        read(scratch.buffer(), 0, partial, 0, groups);
        double s = 0;
        for (int g = 0; g < groups; g++) s += partial[g];
        return s;
    }
}

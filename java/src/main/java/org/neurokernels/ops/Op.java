package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * An op's descriptor: its name, inputs, outputs and parameters, its FLOP and byte counts, how to run it
 * on any {@link Device} (the {@code java} device being the reference), the shapes it is validated on,
 * how its inputs are drawn and how its outputs are judged. The tests, the CLI ({@code neurokernels run})
 * and the benchmarks all read this one object, so adding an op means one subclass plus its kernels.
 */
public abstract class Op {
    /** One validation case: input shapes ({rows, cols}) and parameter values. */
    public record Case(Map<String, int[]> shapes, Map<String, String> params) {
        public String label() {
            StringBuilder sb = new StringBuilder();
            shapes.forEach((k, v) -> sb.append(k).append('=').append(v[0]).append('x').append(v[1]).append(' '));
            params.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
            return sb.toString().trim();
        }
    }

    private final String name;
    private final String summary;
    private final List<Spec.Tensor> inputs;
    private final List<Spec.Tensor> outputs;
    private final List<Spec.Param> params;
    private final List<String> tensorNames;

    protected Op(String name, String summary, List<Spec.Tensor> inputs, List<Spec.Tensor> outputs, List<Spec.Param> params) {
        this.name = name;
        this.summary = summary;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.params = List.copyOf(params);
        List<String> names = new ArrayList<>();
        for (Spec.Tensor t : this.inputs) names.add(t.name());
        for (Spec.Tensor t : this.outputs) if (!names.contains(t.name())) names.add(t.name());
        this.tensorNames = List.copyOf(names);
    }

    public final String name() { return name; }
    public final String summary() { return summary; }
    public final List<Spec.Tensor> inputs() { return inputs; }
    public final List<Spec.Tensor> outputs() { return outputs; }
    public final List<Spec.Param> params() { return params; }

    /** Parses and checks parameter values (defaults filled in). */
    public final Params params(Map<String, String> values) { return new Params(this, values); }

    /**
     * Output shapes for these input shapes; throws IllegalArgumentException when the inputs do not fit.
     * By default from the spec ({@link SpecShapes}): each tensor's shape text, such as {@code b x n}, read
     * as two expressions, and {@link #requires()}; ops whose shapes depend on flags override it.
     */
    public Map<String, int[]> outputShapes(Map<String, int[]> in, Params p) {
        return SpecShapes.outputShapes(this, in, p);
    }

    /** True when the shapes are the spec's alone ({@link SpecShapes}): the op does not override {@link #outputShapes}. */
    public final boolean shapesFromSpec() { return shapesFromSpec; }

    private final boolean shapesFromSpec = declaredByOp(getClass());

    private static boolean declaredByOp(Class<?> c) {
        try {
            return c.getMethod("outputShapes", Map.class, Params.class).getDeclaringClass() == Op.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Output shapes for a call that passes these tensors, outputs included (Device.run, a typed Device
     * method): with spec shapes, an optional output is produced exactly when given; else {@link #outputShapes}.
     */
    public final Map<String, int[]> givenShapes(Map<String, int[]> given, Map<String, Double> params, Params p) {
        return shapesFromSpec() ? SpecShapes.outputShapes(this, given, params) : outputShapes(given, p);
    }

    /**
     * Pairs "output:input" where the output may be exactly the input's matrix (in place under another
     * name, as activation's y = x); any other overlap of an output with another tensor is refused.
     */
    public Set<String> aliases() { return Set.of(); }

    /** Conditions beyond the shapes, each an expression over the spec's variables and the message when it fails. */
    public List<Spec.Require> requires() { return List.of(); }

    /**
     * Variables the plan reads beyond tensors, device and parameters, each an expression over the parameters
     * and the ones before it (lif_step's propagators), in order. The Java library evaluates them
     * ({@link #derive}); the C library's generated {@code nk_op_derive_NAME} computes the same from the same
     * text, in double.
     */
    public List<Map.Entry<String, String>> derived() { return List.of(); }

    private static final Map<String, org.neurokernels.plan.Expr> DERIVED_EXPRESSIONS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The derived variables' values from these parameter values (doubles, by spec name). */
    public final Map<String, Double> derive(Map<String, Double> params) {
        Map<String, Double> v = new LinkedHashMap<>(params), out = new LinkedHashMap<>();
        for (Map.Entry<String, String> d : derived()) {
            double x = DERIVED_EXPRESSIONS.computeIfAbsent(d.getValue(), org.neurokernels.plan.Expr::parse).eval(v);
            v.put(d.getKey(), x);
            out.put(d.getKey(), x);
        }
        return out;
    }

    /**
     * This op's launch plan, or null where the op is composed on the host from other launches (the GEMM
     * family, output_layer, the reductions). Ops with a plan run on every kernel backend and in the C library
     * through it, with no per-op code in either host.
     */
    public org.neurokernels.plan.OpPlan plan() { return null; }

    /**
     * The reference: outputs (in-place ones included) from host copies of the inputs, accumulating in
     * double. Ops with a {@link #plan()} and no Device method of their own implement it; the {@code java}
     * device runs it.
     */
    public Map<String, HostMatrix> reference(Map<String, HostMatrix> in, Params p) {
        throw new UnsupportedOperationException("op " + name + " has no generic reference (it runs through a Device method)");
    }

    /** Every tensor name: the inputs, then the outputs that are not also inputs. */
    public final List<String> tensorNames() { return tensorNames; }

    /** The parameters as plan variables: floats and ints by value, booleans 0/1, activations by code; uint64 left out. */
    public final Map<String, Double> paramVariables(Params p) {
        Map<String, Double> v = new LinkedHashMap<>();
        for (Spec.Param q : params) {
            switch (q.type()) {
                case "float" -> v.put(q.name(), (double) p.getFloat(q.name()));
                case "int" -> v.put(q.name(), (double) p.getInt(q.name()));
                case "bool" -> v.put(q.name(), p.getBool(q.name()) ? 1.0 : 0.0);
                case "activation" -> v.put(q.name(), (double) p.getActivation(q.name()).code());
                default -> { }
            }
        }
        return v;
    }

    /** The uint64 parameters (Philox seeds), by name. */
    public final Map<String, Long> seeds(Params p) {
        Map<String, Long> v = new LinkedHashMap<>();
        for (Spec.Param q : params) if (q.type().equals("uint64")) v.put(q.name(), p.getUint64(q.name()));
        return v;
    }

    /** Floating-point operations of one run. */
    public abstract double flops(Map<String, int[]> in, Params p);

    /** Bytes moved by one run if each input is read once and each output written once. */
    public double bytes(Map<String, int[]> in, Params p) {
        double elements = 0;
        for (int[] s : in.values()) elements += (double) s[0] * s[1];
        for (int[] s : outputShapes(in, p).values()) elements += (double) s[0] * s[1];
        return 4 * elements;
    }

    /** Outputs that start as the input of the same name and are updated in place (gemm's c, axpy's y). */
    public Set<String> inPlace() { return Set.of(); }

    /**
     * Runs the op on device matrices; shapes already agree with {@link #outputShapes}. By default through
     * {@link Device#run}: the spec's checks, then the plan (kernel backends) or {@link #reference} (java).
     */
    public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        Map<String, Matrix> all = new LinkedHashMap<>(in);
        all.putAll(out);
        device.run(this, all, p);
    }

    /** The shapes and parameters the conformance suite runs; {@code quick} selects a smaller set. */
    public abstract List<Case> cases(boolean quick);

    /** The largest tensor, in elements, of a case of the simulator set by default. */
    public static final long SIMULATOR_ELEMENTS = 25_000;

    /** Cases whose largest tensor is at most this many elements stay in the simulator set whatever else it holds. */
    public static final long SIMULATOR_SMALL = 1_000;

    /**
     * The case set for a device simulator (Oclgrind), where a kernel runs some thousand times slower than on
     * a CPU. From the quick cases, by default: every small one (largest tensor at most {@link #SIMULATOR_SMALL}
     * elements); each larger one up to {@link #SIMULATOR_ELEMENTS} elements the first time its shapes occur
     * (so every shape runs once, a GEMM in each transpose, without repeating it for every flag); and for each
     * parameter combination its smallest case, so every flag and code runs. The quick shapes cross the
     * 64-wide tile and the 256-wide work-group (65 x 63, a GEMM of 65 x 63 x 129, 3 x 1000), and the kept
     * ones still do. Ops whose cases are not small in elements override it.
     */
    public List<Case> simulatorCases() {
        List<Case> quick = cases(true);
        Map<Map<String, String>, Case> smallest = new LinkedHashMap<>();
        for (Case c : quick) {
            Case s = smallest.get(c.params());
            if (s == null || largestTensor(c) < largestTensor(s)) smallest.put(c.params(), c);
        }
        List<Case> out = new ArrayList<>();
        Set<String> shapesSeen = new java.util.HashSet<>();
        for (Case c : quick) {
            long size = largestTensor(c);
            StringBuilder key = new StringBuilder();
            c.shapes().forEach((t, d) -> key.append(t).append('=').append(d[0]).append('x').append(d[1]).append(' '));
            boolean newShapes = shapesSeen.add(key.toString());
            if (smallest.get(c.params()) == c || size <= SIMULATOR_SMALL || (size <= SIMULATOR_ELEMENTS && newShapes)) out.add(c);
        }
        return out;
    }

    /** Elements of a case's largest tensor, input or output. */
    public final long largestTensor(Case c) {
        long e = 0;
        for (int[] s : c.shapes().values()) e = Math.max(e, (long) s[0] * s[1]);
        for (int[] s : outputShapes(c.shapes(), params(c.params())).values()) e = Math.max(e, (long) s[0] * s[1]);
        return e;
    }

    /** The named case set: "full", "quick" or "simulator". */
    public final List<Case> cases(String set) {
        return switch (set) {
            case "full" -> cases(false);
            case "quick" -> cases(true);
            case "simulator" -> simulatorCases();
            default -> throw new IllegalArgumentException("unknown case set '" + set + "': full, quick or simulator");
        };
    }

    /** Random contents for an input: by default magnitudes in [0.1, 1) with random sign, never zero. */
    public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (float) ((0.1 + 0.9 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1));
        return d;
    }

    /** How output {@code output} is judged against the reference, given the inputs used. */
    public abstract ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p);

    /**
     * Uploads {@code in}, runs the op on {@code device} and downloads every output. Outputs that are not
     * updated in place are poisoned with NaN first, so an element the kernel fails to write cannot pass.
     * Everything allocated is freed before returning.
     */
    public final Map<String, HostMatrix> execute(Device device, Map<String, HostMatrix> in, Params p) {
        try (Prepared run = prepare(device, in, p)) {
            run.run();
            return run.download();
        }
    }

    /**
     * Checks input names without their contents: every name is an input of this op and every required
     * input is present. Cheap, so callers (the CLI) can run it before reading files or opening a device.
     */
    public final void checkInputNames(java.util.Collection<String> given) {
        Objects.requireNonNull(given, "inputs");
        for (String k : given) {
            if (inputs.stream().noneMatch(t -> t.name().equals(k))) {
                throw new IllegalArgumentException("op " + name + " has no input '" + k + "'; inputs are " + inputs.stream().map(Spec.Tensor::name).toList());
            }
        }
        for (Spec.Tensor t : inputs) {
            if (!t.optional() && !given.contains(t.name())) {
                throw new IllegalArgumentException("op " + name + ": input '" + t.name() + "' (" + t.shape() + ") is missing");
            }
        }
    }

    /**
     * Everything {@link #prepare} checks before it touches a device: input names, dtypes and shapes, and
     * the parameters against them. Returns the output shapes.
     */
    public final Map<String, int[]> check(Map<String, HostMatrix> in, Params p) {
        Objects.requireNonNull(in, "inputs");
        Objects.requireNonNull(p, "params");
        checkInputNames(in.keySet());
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Spec.Tensor t : inputs) {
            if (!in.containsKey(t.name())) continue;
            HostMatrix h = in.get(t.name());
            if (h == null) throw new IllegalArgumentException("op " + name + ": input '" + t.name() + "' is null");
            if (h.dtype() != t.dtype()) {
                throw new IllegalArgumentException("op " + name + ": input '" + t.name() + "' must be " + t.dtype().id() + ", got " + h.dtype().id());
            }
            shapes.put(t.name(), h.shape());
        }
        return outputShapes(shapes, p);
    }

    /**
     * Inputs uploaded and outputs allocated (NaN-poisoned, or aliased to the input for in-place outputs),
     * ready to {@link Prepared#run()} any number of times; closing frees every matrix.
     */
    public final Prepared prepare(Device device, Map<String, HostMatrix> in, Params p) {
        Objects.requireNonNull(device, "device");
        Map<String, int[]> outShapes = check(in, p);
        Prepared prepared = new Prepared(device, p);
        try {
            for (Map.Entry<String, HostMatrix> e : in.entrySet()) {
                HostMatrix h = e.getValue();
                prepared.in.put(e.getKey(), prepared.own(device.upload(h.data(), h.rows(), h.cols())));
            }
            for (Map.Entry<String, int[]> e : outShapes.entrySet()) {
                Matrix m = inPlace().contains(e.getKey()) ? prepared.in.get(e.getKey()) : null;
                if (m == null) {
                    m = prepared.own(device.allocate(e.getValue()[0], e.getValue()[1]));
                    device.fill(m, Float.NaN);
                }
                prepared.out.put(e.getKey(), m);
            }
            return prepared;
        } catch (RuntimeException e) {
            prepared.close();
            throw e;
        }
    }

    /** An op bound to device matrices; see {@link #prepare}. */
    public final class Prepared implements AutoCloseable {
        private final Device device;
        private final Params params;
        private final Map<String, Matrix> in = new LinkedHashMap<>();
        private final Map<String, Matrix> out = new LinkedHashMap<>();
        private final List<Matrix> owned = new ArrayList<>();

        private Prepared(Device device, Params params) {
            this.device = device;
            this.params = params;
        }

        private Matrix own(Matrix m) {
            owned.add(m);
            return m;
        }

        /** Enqueues one run (in-place outputs are updated again each time). */
        public void run() { Op.this.run(device, in, out, params); }

        public Map<String, Matrix> inputs() { return java.util.Collections.unmodifiableMap(in); }

        public Map<String, Matrix> outputs() { return java.util.Collections.unmodifiableMap(out); }

        /** Every output, downloaded (waits for the device). */
        public Map<String, HostMatrix> download() {
            Map<String, HostMatrix> result = new LinkedHashMap<>();
            for (Map.Entry<String, Matrix> e : out.entrySet()) {
                Matrix m = e.getValue();
                result.put(e.getKey(), new HostMatrix(m.rows(), m.cols(), device.download(m), outputDType(e.getKey())));
            }
            return result;
        }

        @Override public void close() {
            for (Matrix m : owned) m.close();
            owned.clear();
        }
    }

    private HostMatrix.DType outputDType(String name) {
        for (Spec.Tensor t : outputs) if (t.name().equals(name)) return t.dtype();
        return HostMatrix.DType.FLOAT32;
    }

    /** Fresh seeded inputs for a case. */
    public final Map<String, HostMatrix> randomInputs(Case c, Random rnd) {
        Params p = params(c.params());
        Map<String, HostMatrix> in = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : c.shapes().entrySet()) {
            int[] s = e.getValue();
            HostMatrix.DType dt = inputs.stream().filter(t -> t.name().equals(e.getKey())).map(Spec.Tensor::dtype).findFirst().orElse(HostMatrix.DType.FLOAT32);
            in.put(e.getKey(), new HostMatrix(s[0], s[1], generate(e.getKey(), c.shapes(), p, rnd), dt));
        }
        return in;
    }

    /** Values of input {@code input} for a case with these input shapes; by default, from its own shape alone. */
    protected float[] generate(String input, Map<String, int[]> shapes, Params p, Random rnd) {
        int[] s = shapes.get(input);
        return generate(input, s[0], s[1], p, rnd);
    }

    // helpers for subclasses

    protected static int[] shape(int rows, int cols) { return new int[] {rows, cols}; }

    protected static Map<String, int[]> shapes(Object... nameShape) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameShape.length; i += 2) m.put((String) nameShape[i], (int[]) nameShape[i + 1]);
        return m;
    }

    protected final int[] require(Map<String, int[]> in, String input) {
        int[] s = in.get(input);
        if (s == null) throw new IllegalArgumentException("op " + name + ": input '" + input + "' is missing");
        return s;
    }

    protected final void requireSame(Map<String, int[]> in, String a, String b) {
        int[] sa = require(in, a), sb = require(in, b);
        if (sa[0] != sb[0] || sa[1] != sb[1]) {
            throw new IllegalArgumentException("op " + name + ": " + a + " is " + sa[0] + "x" + sa[1] + " but " + b + " is " + sb[0] + "x" + sb[1]);
        }
    }

    @Override public String toString() { return name; }
}

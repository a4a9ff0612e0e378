package org.neurokernels;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A compute device: owns its context and queue, allocates {@link Matrix} buffers and runs the ops.
 *
 * <p>Every public method checks its arguments (nulls, shapes, closed matrices, matrices of another
 * device, aliasing) and throws before anything is launched, then hands over to the backend.
 *
 * <p><b>Threading contract.</b> A device may be shared by several threads: every operation takes the
 * device's lock, so calls are serialized and each sees the effects of the calls before it in lock order.
 * Work is enqueued in order on one queue (OpenCL in-order queue, CUDA stream 0 of the device's primary
 * context); {@link #download} and the scalar reductions wait for it, {@link #synchronize} waits
 * explicitly. Closing a device while another thread uses it makes that thread's next call fail with
 * {@link IllegalStateException}.
 *
 * <p><b>Memory.</b> {@link #liveAllocations()} and {@link #liveBytes()} count the user's matrices.
 * Ops allocate nothing on the device per call, with one stated exception: the packed GEMM path of CPU
 * OpenCL devices keeps a packing workspace that grows to the largest GEMM seen and is then reused
 * (see {@link KernelDevice#workspaceFloats()}). The reduction scratch is made when the device opens.
 * Closing a device frees every matrix still open on it and the internal buffers.
 */
public abstract class Device implements AutoCloseable {
    private final Set<Matrix> live = ConcurrentHashMap.newKeySet();
    private final AtomicLong liveBytes = new AtomicLong();
    private volatile boolean closed;
    /** Serializes all use of the native context and queue. */
    protected final Object lock = new Object();

    public abstract DeviceInfo info();

    /** The selector that opens this device again: {@code java}, {@code opencl:P:D} or {@code cuda:N}. */
    public String id() { return info().id(); }

    public boolean isClosed() { return closed; }

    public int liveAllocations() { return live.size(); }

    public long liveBytes() { return liveBytes.get(); }

    // ------------------------------------------------------------------ memory

    /** A new rows x cols matrix filled with zeros. */
    public Matrix allocate(int rows, int cols) {
        checkShape(rows, cols);
        synchronized (lock) {
            checkOpen();
            Object buf = allocateBuffer(rows * cols);
            Matrix m = new Matrix(this, buf, rows, cols);
            live.add(m);
            liveBytes.addAndGet(4L * rows * cols);
            try {
                fillImpl(m, 0f);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            return m;
        }
    }

    /** A new rows x cols matrix holding {@code data} (row-major, length rows * cols). */
    public Matrix upload(float[] data, int rows, int cols) {
        Objects.requireNonNull(data, "data is null");
        checkShape(rows, cols);
        if (data.length != rows * cols) {
            throw new IllegalArgumentException("data has " + data.length + " elements, a " + rows + "x" + cols + " matrix needs " + rows * cols);
        }
        Matrix m = allocate(rows, cols);
        try {
            upload(m, data);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /** Overwrites {@code m} with {@code data} (row-major, length m.size()). */
    public void upload(Matrix m, float[] data) {
        Objects.requireNonNull(data, "data is null");
        synchronized (lock) {
            check(m, "m");
            if (data.length != m.size()) {
                throw new IllegalArgumentException("data has " + data.length + " elements, matrix " + m.shape() + " needs " + m.size());
            }
            flushDeferred();
            if (m.isContiguous()) {
                write(m.buffer(), m.offset(), data, 0, data.length);
            } else {
                for (int i = 0; i < m.rows(); i++) write(m.buffer(), m.offset() + (long) i * m.ld(), data, i * m.cols(), m.cols());
            }
        }
    }

    /** The contents of {@code m}, row-major; waits for all work enqueued before. */
    public float[] download(Matrix m) {
        check(m, "m");
        float[] out = new float[m.size()];
        download(m, out);
        return out;
    }

    public void download(Matrix m, float[] dst) {
        Objects.requireNonNull(dst, "dst is null");
        synchronized (lock) {
            check(m, "m");
            if (dst.length != m.size()) {
                throw new IllegalArgumentException("dst has " + dst.length + " elements, matrix " + m.shape() + " has " + m.size());
            }
            flushDeferred();
            if (m.isContiguous()) {
                read(m.buffer(), m.offset(), dst, 0, dst.length);
            } else {
                for (int i = 0; i < m.rows(); i++) read(m.buffer(), m.offset() + (long) i * m.ld(), dst, i * m.cols(), m.cols());
            }
        }
    }

    public void fill(Matrix m, float value) {
        synchronized (lock) {
            check(m, "m");
            fillImpl(m, value);
        }
    }

    /** dst = src (same shape; may not partially overlap). */
    public void copy(Matrix src, Matrix dst) {
        synchronized (lock) {
            checkSpec("copy", Map.of(), "x", src, "y", dst);
            copyImpl(src, dst);
        }
    }

    /** Waits until all work enqueued on this device has finished. */
    public void synchronize() {
        synchronized (lock) {
            checkOpen();
            flushDeferred();
            synchronizeImpl();
        }
    }

    /**
     * Runs {@code ops}, a sequence of calls on this device, allowing the device to merge consecutive
     * GEMM-family calls among them ({@link #gemm}, {@link #denseForward}, {@link #backwardDelta},
     * {@link #denseUpdate}) into one launch where neither writes memory the other reads or writes. The
     * device checks that condition itself and merges nothing that fails it, so the results are always
     * those of running the calls one after another (bit for bit). On OpenCL CPU devices two such GEMMs run
     * as one nk_gemm_pair launch, saving the idle gap between launches; elsewhere this just runs
     * {@code ops}. Other calls inside {@code ops} first complete the merged work before them.
     */
    public void independently(Runnable ops) {
        Objects.requireNonNull(ops, "ops is null");
        synchronized (lock) {
            checkOpen();
            ops.run();
        }
    }

    /** Launches work a backend held back to merge (see {@link #independently}); called before host access. */
    protected void flushDeferred() { }

    // ------------------------------------------------------------------ ops

    /**
     * C = alpha * op(A) * op(B) + beta * C, with op(A) m x k, op(B) k x n, C m x n. As in BLAS, C is not
     * read when beta == 0 (so NaN in C does not propagate then). C must not overlap A or B.
     */
    public void gemm(Trans transA, Trans transB, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        Objects.requireNonNull(transA, "transA is null");
        Objects.requireNonNull(transB, "transB is null");
        synchronized (lock) {
            checkSpec("gemm", vars("trans_a", transA.transposed() ? 1 : 0, "trans_b", transB.transposed() ? 1 : 0, "alpha", alpha, "beta", beta),
                    "a", a, "b", b, "c", c);
            int m = transA.transposed() ? a.cols() : a.rows();
            int k = transA.transposed() ? a.rows() : a.cols();
            int n = transB.transposed() ? b.rows() : b.cols();
            gemmImpl(transA.transposed(), transB.transposed(), m, n, k, alpha, a, b, beta, c);
        }
    }

    /**
     * Fused dense-layer forward: out = f(x * w^T + bias), with x batch x in, w out x in, bias 1 x out
     * (or null for none). When {@code pre} is not null it receives z = x * w^T + bias as well.
     */
    public void denseForward(Matrix x, Matrix w, Matrix bias, Activation f, Matrix out, Matrix pre) {
        Objects.requireNonNull(f, "activation is null");
        synchronized (lock) {
            checkSpec("dense_forward", vars("activation", f.code()), "x", x, "w", w, "bias", bias, "out", out, "pre", pre);
            denseForwardImpl(x, w, bias, f, out, pre);
        }
    }

    /**
     * Fused backward delta of a dense layer: out = (delta · op(m)) ⊙ f'(a), one GEMM with the derivative in
     * its epilogue. delta is batch x p, op(m) is p x q (m is the forward weight W for backprop, a fixed
     * random B for feedback alignment, D_l for direct feedback alignment), a and out are batch x q; a holds
     * the layer's pre-activation z, or its output h = f(z) when {@code fromOutput}.
     */
    public void backwardDelta(Matrix delta, Trans transM, Matrix m, Matrix a, Activation f, boolean fromOutput, Matrix out) {
        Objects.requireNonNull(transM, "transM is null");
        Objects.requireNonNull(f, "activation is null");
        synchronized (lock) {
            checkSpec("backward_delta", vars("activation", f.code(), "from_output", fromOutput ? 1 : 0, "trans_m", transM.transposed() ? 1 : 0),
                    "delta", delta, "m", m, "a", a, "out", out);
            backwardDeltaImpl(delta, transM.transposed(), m, a, f, fromOutput, out);
        }
    }

    /** out = f(x) elementwise; out may be x itself. */
    public void activation(Activation f, Matrix x, Matrix out) {
        Objects.requireNonNull(f, "activation is null");
        synchronized (lock) {
            checkSpec("activation", vars("activation", f.code()), "x", x, "y", out);
            activationImpl(f, x, out);
        }
    }

    /**
     * out = f'(z) elementwise. With {@code fromOutput} false, x holds the pre-activation z; with true,
     * x holds the post-activation h = f(z). See {@link Activation} for the formulas. out may be x itself.
     */
    public void activationGrad(Activation f, Matrix x, boolean fromOutput, Matrix out) {
        Objects.requireNonNull(f, "activation is null");
        synchronized (lock) {
            checkSpec("activation_grad", vars("activation", f.code(), "from_output", fromOutput ? 1 : 0), "x", x, "y", out);
            activationGradImpl(f, x, fromOutput, out);
        }
    }

    /** out = x ⊙ y; out may be x or y. */
    public void hadamard(Matrix x, Matrix y, Matrix out) {
        synchronized (lock) {
            checkSpec("hadamard", Map.of(), "x", x, "y", y, "z", out);
            hadamardImpl(x, y, out);
        }
    }

    /** y = alpha * x + y. */
    public void axpy(float alpha, Matrix x, Matrix y) {
        synchronized (lock) {
            checkSpec("axpy", vars("alpha", alpha), "x", x, "y", y);
            axpyImpl(alpha, x, y);
        }
    }

    /** out = alpha * x; out may be x. */
    public void scale(float alpha, Matrix x, Matrix out) {
        synchronized (lock) {
            checkSpec("scale", vars("alpha", alpha), "x", x, "y", out);
            scaleImpl(alpha, x, out);
        }
    }

    /** out (1 x cols) = the sum of each column of x (the bias gradient of a batch). */
    public void columnSums(Matrix x, Matrix out) {
        synchronized (lock) {
            checkSpec("column_sums", Map.of(), "x", x, "s", out);
            columnSumsImpl(x, out);
        }
    }

    /**
     * Row-wise softmax with cross-entropy, numerically stable (max subtracted, log-sum-exp):
     * probs = softmax(logits); loss[i] = -Σ_j targets[i,j] log probs[i,j]  (rows x 1);
     * grad = (probs - targets) / rows, the gradient of the mean loss with respect to the logits.
     * Targets are rows of probabilities (one-hot labels or soft targets).
     */
    public void softmaxCrossEntropy(Matrix logits, Matrix targets, Matrix probs, Matrix grad, Matrix loss) {
        synchronized (lock) {
            checkSpec("softmax_xent", Map.of(), "logits", logits, "targets", targets, "probs", probs, "grad", grad, "loss", loss);
            softmaxCrossEntropyImpl(logits, targets, probs, grad, loss);
        }
    }

    /**
     * The linear output layer of a classifier trained with softmax cross-entropy, and the error it sends
     * to the layer below, in one call: z = h w^T + b; probs = softmax(z) per row; loss = cross-entropy
     * per row; grad = (probs - targets) / rows (as {@link #softmaxCrossEntropy}); and, when {@code m} is
     * given, delta = (grad · m) ⊙ f'(h) (as {@link #backwardDelta} from the output h of the layer below,
     * whose activation is f). h is batch x q, w and m are c x q (m: W for backprop, B or D for the
     * feedback rules), b is 1 x c or null, targets, probs and grad are batch x c, loss batch x 1, delta
     * batch x q (null exactly when m is). The logits are not stored.
     */
    public void outputLayer(Matrix h, Matrix w, Matrix b, Matrix targets, Matrix m, Activation f,
                            Matrix probs, Matrix grad, Matrix loss, Matrix delta) {
        Objects.requireNonNull(f, "activation is null");
        synchronized (lock) {
            checkSpec("output_layer", vars("activation", f.code()), "h", h, "w", w, "b", b, "targets", targets, "m", m,
                    "probs", probs, "grad", grad, "loss", loss, "delta", delta);
            outputLayerImpl(h, w, b, targets, m, f, probs, grad, loss, delta);
        }
    }

    /** Σ x_ij y_ij, accumulated per work-item in float and across work-groups in double. */
    public double dot(Matrix x, Matrix y) {
        synchronized (lock) {
            check(x, "x");
            check(y, "y");
            sameShape(x, y, "x", "y");
            return dotImpl(x, y);
        }
    }

    /** sqrt(Σ x_ij²). */
    public double frobeniusNorm(Matrix x) {
        synchronized (lock) {
            check(x, "x");
            return Math.sqrt(dotImpl(x, x));
        }
    }

    // ------------------------------------------------------------------ learning-rule ops

    /**
     * SGD step, fused: with momentum mu > 0, v = mu v + g then t = v (velocity required); else t = g.
     * W = W - lr (t + decay W). Weight decay stays outside the velocity.
     */
    public void sgdUpdate(float lr, float decay, float mu, Matrix w, Matrix grad, Matrix velocity) {
        synchronized (lock) {
            checkSpec("sgd_update", vars("lr", lr, "weight_decay", decay, "momentum", mu), "w", w, "grad", grad, "velocity", velocity);
            sgdUpdateImpl(lr, decay, mu, w, grad, mu != 0f ? velocity : null);
        }
    }

    /**
     * Kolen-Pollack step: the same t (as in {@link #sgdUpdate}) updates the weights W and the feedback
     * matrix B in one pass, W = W - lr (t + decay W), B = B - lr (t + decay B); so W - B decays by
     * (1 - lr decay) every step.
     */
    public void kpUpdate(float lr, float decay, float mu, Matrix w, Matrix b, Matrix grad, Matrix velocity) {
        synchronized (lock) {
            checkSpec("kp_update", vars("lr", lr, "weight_decay", decay, "momentum", mu), "w", w, "b", b, "grad", grad, "velocity", velocity);
            kpUpdateImpl(lr, decay, mu, w, b, grad, mu != 0f ? velocity : null);
        }
    }

    /**
     * out[i, :] = x[index[i], :]: rows of a device-resident matrix picked by a 1 x n row of float-valued
     * row numbers (a shuffled minibatch from a dataset kept on the device, without a host round trip).
     * Indices stay on the device, so they are checked there: one that is not an integer in [0, x.rows)
     * gives a NaN row. x may have at most 2^24 rows (every index exact in float).
     */
    public void gatherRows(Matrix x, Matrix index, Matrix out) {
        synchronized (lock) {
            checkSpec("gather_rows", Map.of(), "x", x, "index", index, "out", out);
            gatherRowsImpl(x, index, out);
        }
    }

    /**
     * The weight and bias gradients of a dense layer and their SGD step, fused in one GEMM: with delta
     * (batch x out) and the layer's input h (batch x in), G = delta^T h and g_b = the column sums of delta;
     * t = G, or t = vw = mu vw + G with momentum mu != 0; W = W - lr (t + decay W); likewise b = b - lr t_b
     * with t_b = g_b or vb = mu vb + g_b (no decay on biases). With {@code feedback} (Kolen-Pollack, out x in)
     * the same t also steps it: feedback = feedback - lr (t + decay feedback). {@code b} may be null (no
     * bias); velocities are required when mu != 0 (vb only with a bias) and ignored otherwise.
     */
    public void denseUpdate(float lr, float decay, float mu, Matrix delta, Matrix h, Matrix w, Matrix b, Matrix vw, Matrix vb, Matrix feedback) {
        synchronized (lock) {
            // without momentum the velocities are not used (nor checked); vb only with a bias
            checkSpec("dense_update", vars("lr", lr, "weight_decay", decay, "momentum", mu), "delta", delta, "h", h, "w", w, "b", b,
                    "velocity_w", mu != 0f ? vw : null, "velocity_b", mu != 0f && b != null ? vb : null, "feedback", feedback);
            denseUpdateImpl(lr, decay, mu, delta, h, w, b, mu != 0f ? vw : null, mu != 0f && b != null ? vb : null, feedback);
        }
    }

        /**
     * Sign-concordant feedback: out = m ⊙ sign(w), with m = |r| elementwise (frSF, brSF) or, when r is
     * null, the constant {@code scale} (uSF).
     */
    public void signFeedback(float scale, Matrix w, Matrix r, Matrix out) {
        synchronized (lock) {
            checkSpec("sign_feedback", vars("scale", scale), "w", w, "r", r, "b", out);
            signFeedbackImpl(scale, w, r, out);
        }
    }

    /** Mean-squared-error loss: loss[i] = Σ_j (y - t)² / 2 (rows x 1); grad = (y - t) / rows. */
    public void mseLoss(Matrix y, Matrix targets, Matrix grad, Matrix loss) {
        synchronized (lock) {
            checkSpec("mse", Map.of(), "y", y, "targets", targets, "grad", grad, "loss", loss);
            mseLossImpl(y, targets, grad, loss);
        }
    }

    /**
     * Fills {@code out} with uniform [lo, hi) floats from Philox4x32-10 (see
     * {@link org.neurokernels.random.Philox#uniform}): element e (row-major within out) is the same bits
     * on every backend for the same seed, stream and draw.
     */
    public void randomUniform(long seed, int stream, int draw, float lo, float hi, Matrix out) {
        if (!(hi > lo) || !Float.isFinite(lo) || !Float.isFinite(hi)) {
            throw new IllegalArgumentException("randomUniform: need finite lo < hi, got [" + lo + ", " + hi + ")");
        }
        if (Float.isInfinite(hi - lo)) {   // the values are lo + (hi - lo) u: Infinity and NaN instead of numbers
            throw new IllegalArgumentException("randomUniform: hi - lo overflows float for [" + lo + ", " + hi + "); the range may be at most " + Float.MAX_VALUE + " wide");
        }
        synchronized (lock) {
            check(out, "out");
            checkSpec("random_uniform", vars("rows", out.rows(), "cols", out.cols(), "stream", stream, "draw", draw, "lo", lo, "hi", hi), "out", out);
            randomUniformImpl(seed, stream, draw, lo, hi, out);
        }
    }

    // ------------------------------------------------------------------ dynamics

    /**
     * One exact-integration step of a LIF population with exponential current synapses (iaf_psc_exp),
     * every matrix batch x N: state v, iE, iI, refractory (steps left), rate and count are updated in
     * place; spikes receives 0 or 1. iExt (per-neuron current, nA), synE and synI (this step's weighted
     * spike input, nA) may be null. See kernels-opencl/dynamics.cl for the update.
     */
    public void lifStep(org.neurokernels.dynamics.LifStep p, Matrix v, Matrix iE, Matrix iI, Matrix refractory,
                        Matrix iExt, Matrix synE, Matrix synI, Matrix spikes, Matrix rate, Matrix count) {
        Objects.requireNonNull(p, "step parameters are null");
        synchronized (lock) {
            checkSpec("lif_step", Map.of(), "v", v, "i_e", iE, "i_i", iI, "refractory", refractory, "i_ext", iExt, "syn_e", synE, "syn_i", synI,
                    "spikes", spikes, "rate", rate, "count", count);
            lifStepImpl(p, v, iE, iI, refractory, iExt, synE, synI, spikes, rate, count);
        }
    }

    /**
     * One step of a firing-rate population (batch x n): x holds the drive W_rec r + W_in u + b; c (1 x n)
     * holds dt/tau per neuron (forward Euler: r += c (f(x) - r)) or e^{-dt/tau} (exponential Euler:
     * r = c r + (1 - c) f(x)); with noiseScale = sigma sqrt(dt) != 0, noiseScale / tau * N(0, 1) is added,
     * the normal drawn from Philox (counter (element, stream, step, 0), key = seed) by Box-Muller.
     * tau (1 x n) may be null when noiseScale is 0.
     */
    public void rateStep(Activation f, boolean exponentialEuler, Matrix r, Matrix x, Matrix c, Matrix tau, float noiseScale,
                         long seed, int stream, int step) {
        Objects.requireNonNull(f, "activation is null");
        if (!Float.isFinite(noiseScale)) throw new IllegalArgumentException("rateStep: noiseScale=" + noiseScale + ": need a finite value (sigma sqrt(dt))");
        synchronized (lock) {
            checkSpec("rate_step", vars("activation", f.code(), "exp_euler", exponentialEuler ? 1 : 0, "noise_scale", noiseScale, "stream", stream, "step", step),
                    "r", r, "x", x, "c", c, "tau", noiseScale != 0f ? tau : null);
            rateStepImpl(f, exponentialEuler, r, x, c, noiseScale != 0f ? tau : null, noiseScale, seed, stream, step);
        }
    }

    /**
     * One step of Izhikevich (2003) neurons in that paper's convention (see kernels-opencl/dynamics.cl): spike
     * check and reset on the entering state, then two half-steps of dt/2 for v and one step for u. v, u and
     * count (batch x n) update in place, spikes receives 0/1; abcd (4 x n) holds a, b, c, d per neuron;
     * iExt and syn (batch x n) may be null.
     */
    public void izhikevichStep(float dt, Matrix v, Matrix u, Matrix abcd, Matrix iExt, Matrix syn, Matrix spikes, Matrix count) {
        if (!(dt > 0 && dt < Float.POSITIVE_INFINITY)) throw new IllegalArgumentException("izhikevichStep: dt=" + dt + " ms: need a finite step > 0");
        synchronized (lock) {
            checkSpec("izhikevich_step", vars("dt", dt), "v", v, "u", u, "abcd", abcd, "i_ext", iExt, "syn", syn, "spikes", spikes, "count", count);
            izhikevichStepImpl(dt, v, u, abcd, iExt, syn, spikes, count);
        }
    }

    /**
     * Poisson spike sources: spikes = 1 where Philox's uniform for (element, stream, step) is below
     * rate * dt (rate per ms, 1 x n); count += spikes. Bit-identical on every backend.
     */
    public void poisson(float dt, Matrix rate, long seed, int stream, int step, Matrix spikes, Matrix count) {
        // as nk_poisson: NaN or a step <= 0 would silently never fire
        if (!(dt > 0 && dt < Float.POSITIVE_INFINITY)) throw new IllegalArgumentException("poisson: dt=" + dt + " ms: need a finite step > 0");
        synchronized (lock) {
            checkSpec("poisson", vars("dt", dt, "stream", stream, "step", step), "rate", rate, "spikes", spikes, "count", count);
            poissonImpl(dt, rate, seed, stream, step, spikes, count);
        }
    }

    /**
     * The raw Philox4x32-10 generator: row r of out (n x 4, uint32 bits) = Philox(counter row r (n x 4),
     * key row r (n x 2)); all three hold uint32 values as the bits of their floats.
     */
    public void philox(Matrix counter, Matrix key, Matrix out) {
        synchronized (lock) {
            checkSpec("philox4x32_10", Map.of(), "counter", counter, "key", key, "out", out);
            philoxImpl(counter, key, out);
        }
    }

    /**
     * {@code steps} steps of {@link #rateStep} in one launch for small networks (n at most the device's
     * work-group size): r (batch x n) in place, x = bias + r W_rec^T + u_t W_in^T computed inside from the
     * transposed weights wT (n x n, pre x post) and winT (m x n), u ((steps * batch) x m, row t * batch + b
     * for step t) and winT may be null. Noise uses the counter (element, stream, step0 + t, 0), as rateStep.
     * rec, when not null, receives the rates after every recordEvery-th step ((steps / recordEvery) * batch x n).
     */
    public void rateMultistep(Activation f, boolean exponentialEuler, int steps, Matrix r, Matrix wT, Matrix winT, Matrix u, Matrix bias,
                              Matrix c, Matrix tau, float noiseScale, long seed, int stream, int step0, Matrix rec, int recordEvery) {
        Objects.requireNonNull(f, "activation is null");
        if (steps < 1) throw new IllegalArgumentException("steps must be positive");
        if (!Float.isFinite(noiseScale)) throw new IllegalArgumentException("rateMultistep: noiseScale=" + noiseScale + ": need a finite value (sigma sqrt(dt))");
        synchronized (lock) {
            checkSpec("rate_multistep", vars("steps", steps, "activation", f.code(), "exp_euler", exponentialEuler ? 1 : 0, "noise_scale", noiseScale,
                    "stream", stream, "step0", step0, "record_every", recordEvery),
                    "r", r, "w_rec_t", wT, "w_in_t", winT, "u", u, "bias", bias, "c", c, "tau", noiseScale != 0f ? tau : null, "rec", rec);
            if (this instanceof KernelDevice && r.cols() > ((KernelDevice) this).maxWorkGroupSize()) {
                throw new IllegalArgumentException("rateMultistep: " + r.cols() + " neurons exceed the device's work-group size " + ((KernelDevice) this).maxWorkGroupSize()
                        + "; use rateStep for large networks");
            }
            rateMultistepImpl(f, exponentialEuler, steps, r, wT, winT, u, bias, c, noiseScale != 0f ? tau : null, noiseScale, seed, stream, step0, rec, recordEvery);
        }
    }

    // ------------------------------------------------------------------ diagnostics

    /**
     * The arithmetic probe of the conformance report (kernel nk_probe_arith): given six floats, returns
     * {in0 * in1, in2 + 0, in3 * in4 + in5} as the device computes them, showing denormal flushing of
     * results and of inputs, and whether a*b+c was contracted into an fma.
     */
    public float[] probeArithmetic(float[] in) {
        Objects.requireNonNull(in, "in");
        if (in.length != 6) throw new IllegalArgumentException("probeArithmetic takes 6 values, got " + in.length);
        try (Matrix x = upload(in, 1, 6); Matrix y = allocate(1, 3)) {
            synchronized (lock) {
                checkOpen();
                probeArithmeticImpl(x, y);
            }
            return download(y);
        }
    }

    /** The math-library probe (kernel nk_probe_math): fn 0 exp, 1 tanh, 2 log1p, 3 expm1, 4 log, elementwise. */
    public float[] probeMath(int fn, float[] in) {
        Objects.requireNonNull(in, "in");
        if (fn < 0 || fn > 4) throw new IllegalArgumentException("probeMath: fn must be 0..4, got " + fn);
        try (Matrix x = upload(in, 1, in.length); Matrix y = allocate(1, in.length)) {
            synchronized (lock) {
                checkOpen();
                probeMathImpl(fn, x, y);
            }
            return download(y);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Frees every matrix still open on this device, then the device's own resources. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            flushDeferred();
            for (Matrix m : live.toArray(new Matrix[0])) m.close();
            closed = true;
            closeImpl();
        }
    }

    @Override
    public String toString() { return "Device[" + id() + ": " + info().name() + "]"; }

    /**
     * Runs an op that has a launch plan ({@link org.neurokernels.ops.Op#plan()}) on named matrices: every
     * tensor of the op's spec by name (optional ones may be absent), in-place outputs under their input's
     * name. Checked here from the spec before anything is launched: the names, that each matrix is this
     * device's and open, the shapes ({@link org.neurokernels.ops.SpecShapes}, the same rules and messages
     * as the C library's), and that no output overlaps another tensor. Then the kernel backends run the
     * plan and the {@code java} device the op's reference.
     */
    public void run(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors, org.neurokernels.ops.Params p) {
        Objects.requireNonNull(op, "op is null");
        Objects.requireNonNull(tensors, "tensors is null");
        Objects.requireNonNull(p, "params is null");
        java.util.List<String> names = op.tensorNames();
        for (String k : tensors.keySet()) {
            if (!names.contains(k)) throw new IllegalArgumentException(op.name() + ": no tensor '" + k + "'; tensors are " + names);
        }
        synchronized (lock) {
            // every given tensor's shape: the inputs' are checked, an output's presence includes an optional output
            java.util.Map<String, int[]> in = new java.util.LinkedHashMap<>();
            for (String t : names) {
                Matrix m = tensors.get(t);
                if (m == null) continue;
                check(m, t);
                in.put(t, new int[] {m.rows(), m.cols()});
            }
            java.util.Map<String, int[]> out = op.givenShapes(in, op.paramVariables(p), p);
            for (String t : tensors.keySet()) {
                if (!out.containsKey(t) && op.inputs().stream().noneMatch(s -> s.name().equals(t))) {
                    throw new IllegalArgumentException(op.name() + ": output '" + t + "' is not produced by this call");
                }
            }
            checkOutputs(op, tensors, out);
            runImpl(op, tensors, p);
        }
    }

    /**
     * No output overlaps another given tensor, except exactly, where the op allows it ({@link
     * org.neurokernels.ops.Op#aliases()}, e.g. activation in place).
     */
    private static void checkAliasing(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors) {
        for (org.neurokernels.ops.Spec.Tensor out : op.outputs()) {
            Matrix m = tensors.get(out.name());
            if (m == null) continue;
            for (java.util.Map.Entry<String, Matrix> o : tensors.entrySet()) {
                if (o.getKey().equals(out.name()) || o.getValue() == null || !m.overlaps(o.getValue())) continue;
                if (m.sameWindow(o.getValue()) && op.aliases().contains(out.name() + ":" + o.getKey())) continue;
                throw new IllegalArgumentException(op.name() + ": output '" + out.name() + "' "
                        + (op.aliases().contains(out.name() + ":" + o.getKey()) ? "partially overlaps '" + o.getKey() + "' (only exact in-place use is allowed)"
                                : "overlaps '" + o.getKey() + "'"));
            }
        }
    }

    /**
     * The spec's checks for a typed call of op {@code opName}, under the lock: each given matrix (name,
     * matrix pairs with the op's tensor names; null: absent) is this device's and open, the shapes follow
     * the op's spec ({@link org.neurokernels.ops.SpecShapes}, the rules and messages of {@link #run} and the
     * C library), outputs have their shapes, and no output overlaps another tensor but as the op allows.
     */
    private void checkSpec(String opName, java.util.Map<String, Double> params, Object... nameMatrix) {
        org.neurokernels.ops.Op op = org.neurokernels.ops.OpRegistry.get(opName);
        java.util.Map<String, Matrix> t = new java.util.LinkedHashMap<>();
        java.util.Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        for (int i = 0; i < nameMatrix.length; i += 2) {
            Matrix m = (Matrix) nameMatrix[i + 1];
            String name = (String) nameMatrix[i];
            if (m == null) {
                // absent: allowed where every role of the name (input, output, or both in place) is optional
                boolean optional = op.inputs().stream().allMatch(x -> !x.name().equals(name) || x.optional())
                        && op.outputs().stream().allMatch(x -> !x.name().equals(name) || x.optional());
                if (!optional) Matrix.requireArg(null, name);   // a NullPointerException naming it
                continue;
            }
            check(m, name);
            t.put(name, m);
            shapes.put(name, new int[] {m.rows(), m.cols()});
        }
        checkOutputs(op, t, org.neurokernels.ops.SpecShapes.outputShapes(op, shapes, params));
    }

    /** Each output the shapes name is given (already checked) with that shape, and no output overlaps but as the op allows. */
    private static void checkOutputs(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors, java.util.Map<String, int[]> out) {
        for (java.util.Map.Entry<String, int[]> e : out.entrySet()) {
            Matrix m = tensors.get(e.getKey());
            if (m == null) throw new IllegalArgumentException(op.name() + ": output '" + e.getKey() + "' is missing");
            if (m.rows() != e.getValue()[0] || m.cols() != e.getValue()[1]) {
                throw new IllegalArgumentException(op.name() + ": " + e.getKey() + " is " + m.shape() + ", expected " + e.getValue()[0] + "x" + e.getValue()[1]);
            }
        }
        checkAliasing(op, tensors);
    }

    /** name, number pairs as plan variables (for the typed methods of both Device and its backends). */
    protected static java.util.Map<String, Double> vars(Object... nameValue) {
        java.util.Map<String, Double> m = new java.util.HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) m.put((String) nameValue[i], ((Number) nameValue[i + 1]).doubleValue());
        return m;
    }

    /** Runs a checked {@link #run} call (under the lock). */
    protected abstract void runImpl(org.neurokernels.ops.Op op, java.util.Map<String, Matrix> tensors, org.neurokernels.ops.Params p);

    // ------------------------------------------------------------------ checks

    void checkOpen() {
        if (closed) throw new IllegalStateException("device " + id() + " is closed");
    }

    void release(Matrix m) {
        synchronized (lock) {
            if (live.remove(m)) {
                liveBytes.addAndGet(-4L * m.size());
                if (!closed) {
                    flushDeferred();
                    freeBuffer(m.buffer());
                }
            }
        }
    }

    private static void checkShape(int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("matrix shape " + rows + "x" + cols + " must be at least 1x1");
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matrix shape " + rows + "x" + cols + " has more than 2^31-1 elements");
        }
    }

    private void check(Matrix m, String name) {
        Matrix.requireArg(m, name);
        if (m.device() != this) {
            throw new IllegalArgumentException("matrix '" + name + "' belongs to device " + m.device().id() + ", not to " + id());
        }
        if (m.isClosed()) throw new IllegalStateException("matrix '" + name + "' (" + m.shape() + ") is closed");
        checkOpen();
    }

        private static void sameShape(Matrix a, Matrix b, String an, String bn) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(an + " is " + a.shape() + " but " + bn + " is " + b.shape() + "; they must have the same shape");
        }
    }


        // ------------------------------------------------------------------ backend SPI (called under lock, arguments checked)

    protected abstract Object allocateBuffer(int floats);
    protected abstract void freeBuffer(Object buffer);
    protected abstract void write(Object buffer, long offset, float[] src, int srcOffset, int length);
    protected abstract void read(Object buffer, long offset, float[] dst, int dstOffset, int length);
    protected abstract void synchronizeImpl();
    protected abstract void closeImpl();

    protected abstract void fillImpl(Matrix m, float value);
    protected abstract void copyImpl(Matrix src, Matrix dst);
    protected abstract void gemmImpl(boolean transA, boolean transB, int m, int n, int k, float alpha, Matrix a, Matrix b, float beta, Matrix c);
    protected abstract void denseForwardImpl(Matrix x, Matrix w, Matrix bias, Activation f, Matrix out, Matrix pre);
    protected abstract void backwardDeltaImpl(Matrix delta, boolean transM, Matrix m, Matrix a, Activation f, boolean fromOutput, Matrix out);
    protected abstract void activationImpl(Activation f, Matrix x, Matrix out);
    protected abstract void activationGradImpl(Activation f, Matrix x, boolean fromOutput, Matrix out);
    protected abstract void hadamardImpl(Matrix x, Matrix y, Matrix out);
    protected abstract void axpyImpl(float alpha, Matrix x, Matrix y);
    protected abstract void scaleImpl(float alpha, Matrix x, Matrix out);
    protected abstract void columnSumsImpl(Matrix x, Matrix out);
    protected abstract void softmaxCrossEntropyImpl(Matrix logits, Matrix targets, Matrix probs, Matrix grad, Matrix loss);
    protected abstract void outputLayerImpl(Matrix h, Matrix w, Matrix b, Matrix targets, Matrix m, Activation f,
                                            Matrix probs, Matrix grad, Matrix loss, Matrix delta);
    protected abstract double dotImpl(Matrix x, Matrix y);
    protected abstract void probeArithmeticImpl(Matrix in, Matrix out);
    protected abstract void rateMultistepImpl(Activation f, boolean exponentialEuler, int steps, Matrix r, Matrix wT, Matrix winT, Matrix u,
                                              Matrix bias, Matrix c, Matrix tau, float noiseScale, long seed, int stream, int step0,
                                              Matrix rec, int recordEvery);
    protected abstract void philoxImpl(Matrix counter, Matrix key, Matrix out);
    protected abstract void izhikevichStepImpl(float dt, Matrix v, Matrix u, Matrix abcd, Matrix iExt, Matrix syn, Matrix spikes, Matrix count);
    protected abstract void poissonImpl(float dt, Matrix rate, long seed, int stream, int step, Matrix spikes, Matrix count);
    protected abstract void rateStepImpl(Activation f, boolean exponentialEuler, Matrix r, Matrix x, Matrix c, Matrix tau, float noiseScale,
                                         long seed, int stream, int step);
    protected abstract void lifStepImpl(org.neurokernels.dynamics.LifStep p, Matrix v, Matrix iE, Matrix iI, Matrix refractory,
                                        Matrix iExt, Matrix synE, Matrix synI, Matrix spikes, Matrix rate, Matrix count);
    protected abstract void sgdUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix grad, Matrix velocity);
    protected abstract void gatherRowsImpl(Matrix x, Matrix index, Matrix out);
    protected abstract void denseUpdateImpl(float lr, float decay, float mu, Matrix delta, Matrix h, Matrix w, Matrix b,
                                            Matrix vw, Matrix vb, Matrix feedback);
    protected abstract void kpUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix b, Matrix grad, Matrix velocity);
    protected abstract void signFeedbackImpl(float scale, Matrix w, Matrix r, Matrix out);
    protected abstract void mseLossImpl(Matrix y, Matrix targets, Matrix grad, Matrix loss);
    protected abstract void randomUniformImpl(long seed, int stream, int draw, float lo, float hi, Matrix out);
    protected abstract void probeMathImpl(int fn, Matrix in, Matrix out);

    /** The backend handle of a matrix, for subclasses. */
    protected static Object bufferOf(Matrix m) { return m.buffer(); }

    /** An internal matrix not counted in {@link #liveAllocations()} (reduction scratch, placeholders). */
    protected final Matrix internalMatrix(int rows, int cols) {
        return new Matrix(this, allocateBuffer(rows * cols), rows, cols);
    }
}

package org.neurokernels.reference;

import java.util.Map;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.DeviceInfo;
import org.neurokernels.Matrix;

/**
 * The pure-Java reference backend ({@code java}): the simplest obviously-correct loops, accumulating in
 * double and rounding once to float when storing. It is the oracle every other backend is checked
 * against, not where speed goes.
 */
public final class JavaDevice extends Device {
    private final DeviceInfo info = new DeviceInfo("java", "java", "Java reference (double accumulation)",
            System.getProperty("java.vendor", "unknown"), System.getProperty("java.version", "unknown"),
            Runtime.getRuntime().maxMemory(), 1, Map.of("accumulation", "double"));

    @Override public DeviceInfo info() { return info; }

    private static float[] buf(Matrix m) { return (float[]) bufferOf(m); }

    private static double get(Matrix m, int i, int j) { return buf(m)[m.offset() + i * m.ld() + j]; }

    private static void set(Matrix m, int i, int j, double v) { buf(m)[m.offset() + i * m.ld() + j] = (float) v; }

    @Override protected Object allocateBuffer(int floats) { return new float[floats]; }
    @Override protected void freeBuffer(Object buffer) { }
    @Override protected void write(Object buffer, long offset, float[] src, int srcOffset, int length) {
        System.arraycopy(src, srcOffset, (float[]) buffer, (int) offset, length);
    }
    @Override protected void read(Object buffer, long offset, float[] dst, int dstOffset, int length) {
        System.arraycopy((float[]) buffer, (int) offset, dst, dstOffset, length);
    }
    @Override protected void synchronizeImpl() { }
    @Override protected void closeImpl() { }

    /** Ops that run from their spec: host copies of every given tensor, the op's reference, the outputs written back. */
    @Override protected void runImpl(org.neurokernels.ops.Op op, Map<String, Matrix> tensors, org.neurokernels.ops.Params p) {
        Map<String, org.neurokernels.ops.HostMatrix> in = new java.util.LinkedHashMap<>();
        for (org.neurokernels.ops.Spec.Tensor t : op.inputs()) {
            Matrix m = tensors.get(t.name());
            if (m == null) continue;
            float[] d = new float[m.rows() * m.cols()];
            for (int i = 0; i < m.rows(); i++) for (int j = 0; j < m.cols(); j++) d[i * m.cols() + j] = (float) get(m, i, j);
            in.put(t.name(), new org.neurokernels.ops.HostMatrix(m.rows(), m.cols(), d, t.dtype()));
        }
        Map<String, org.neurokernels.ops.HostMatrix> out = op.reference(in, p);
        for (org.neurokernels.ops.Spec.Tensor t : op.outputs()) {
            Matrix m = tensors.get(t.name());
            org.neurokernels.ops.HostMatrix h = out.get(t.name());
            if (m == null) continue;
            if (h == null || h.rows() != m.rows() || h.cols() != m.cols()) {
                throw new IllegalStateException(op.name() + ": the reference gave no " + m.shape() + " output '" + t.name() + "'");
            }
            for (int i = 0; i < m.rows(); i++) for (int j = 0; j < m.cols(); j++) set(m, i, j, h.data()[i * m.cols() + j]);
        }
    }

    @Override protected void fillImpl(Matrix m, float value) {
        for (int i = 0; i < m.rows(); i++) for (int j = 0; j < m.cols(); j++) set(m, i, j, value);
    }

    @Override protected void copyImpl(Matrix src, Matrix dst) {
        for (int i = 0; i < src.rows(); i++) for (int j = 0; j < src.cols(); j++) set(dst, i, j, get(src, i, j));
    }

    private static double opGet(Matrix m, boolean trans, int i, int j) { return trans ? get(m, j, i) : get(m, i, j); }

    /**
     * Row i of op(A) op(B), accumulated in double in k order for every element. The loop order only
     * follows memory (j innermost when op(B)'s rows are contiguous, k innermost when B is used transposed).
     */
    private static void productRow(Matrix a, boolean transA, Matrix b, boolean transB, int i, int n, int k, double[] acc) {
        java.util.Arrays.fill(acc, 0.0);
        if (transB) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += opGet(a, transA, i, p) * get(b, j, p);
                acc[j] = s;
            }
        } else {
            for (int p = 0; p < k; p++) {
                double aip = opGet(a, transA, i, p);
                for (int j = 0; j < n; j++) acc[j] += aip * get(b, p, j);
            }
        }
    }

    @Override protected void gemmImpl(boolean transA, boolean transB, int m, int n, int k, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        double[] acc = new double[n];
        for (int i = 0; i < m; i++) {
            productRow(a, transA, b, transB, i, n, k, acc);
            for (int j = 0; j < n; j++) {
                double v = (double) alpha * acc[j];
                if (beta != 0f) v += (double) beta * get(c, i, j);
                set(c, i, j, v);
            }
        }
    }

    @Override protected void denseForwardImpl(Matrix x, Matrix w, Matrix bias, Activation f, Matrix out, Matrix pre) {
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < w.rows(); j++) {
                double z = bias == null ? 0.0 : get(bias, 0, j);
                for (int p = 0; p < x.cols(); p++) z += get(x, i, p) * get(w, j, p);
                // the kernels round z to float before f; so does the reference, so f sees the same argument
                float zf = (float) z;
                if (pre != null) set(pre, i, j, zf);
                set(out, i, j, f.apply(zf));
            }
        }
    }

    @Override protected void backwardDeltaImpl(Matrix delta, boolean transM, Matrix m, Matrix a, Activation f, boolean fromOutput, Matrix out) {
        double[] acc = new double[out.cols()];
        for (int i = 0; i < out.rows(); i++) {
            productRow(delta, false, m, transM, i, out.cols(), delta.cols(), acc);
            for (int j = 0; j < out.cols(); j++) {
                double x = get(a, i, j);
                set(out, i, j, acc[j] * (fromOutput ? f.derivativeFromPost(x) : f.derivativeFromPre(x)));
            }
        }
    }

    @Override protected void activationImpl(Activation f, Matrix x, Matrix out) {
        for (int i = 0; i < x.rows(); i++) for (int j = 0; j < x.cols(); j++) set(out, i, j, f.apply(get(x, i, j)));
    }

    @Override protected void activationGradImpl(Activation f, Matrix x, boolean fromOutput, Matrix out) {
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                double v = get(x, i, j);
                set(out, i, j, fromOutput ? f.derivativeFromPost(v) : f.derivativeFromPre(v));
            }
        }
    }

    @Override protected void hadamardImpl(Matrix x, Matrix y, Matrix out) {
        for (int i = 0; i < x.rows(); i++) for (int j = 0; j < x.cols(); j++) set(out, i, j, get(x, i, j) * get(y, i, j));
    }

    @Override protected void axpyImpl(float alpha, Matrix x, Matrix y) {
        for (int i = 0; i < x.rows(); i++) for (int j = 0; j < x.cols(); j++) set(y, i, j, (double) alpha * get(x, i, j) + get(y, i, j));
    }

    @Override protected void scaleImpl(float alpha, Matrix x, Matrix out) {
        for (int i = 0; i < x.rows(); i++) for (int j = 0; j < x.cols(); j++) set(out, i, j, (double) alpha * get(x, i, j));
    }

    @Override protected void columnSumsImpl(Matrix x, Matrix out) {
        for (int j = 0; j < x.cols(); j++) {
            double s = 0;
            for (int i = 0; i < x.rows(); i++) s += get(x, i, j);
            set(out, 0, j, s);
        }
    }

    @Override protected void softmaxCrossEntropyImpl(Matrix logits, Matrix targets, Matrix probs, Matrix grad, Matrix loss) {
        int rows = logits.rows(), cols = logits.cols();
        double[] z = new double[cols], e = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) z[j] = get(logits, i, j);
            softmaxXentRow(z, targets, i, rows, probs, grad, loss, e);
        }
    }

    /**
     * Row i of softmax_xent from its logits z (NaN anywhere makes the row NaN): probs, loss and
     * grad = (p - t) / rows written; e receives grad in double.
     */
    private static void softmaxXentRow(double[] z, Matrix targets, int i, int rows, Matrix probs, Matrix grad, Matrix loss, double[] e) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (double v : z) {
            nan |= Double.isNaN(v);
            max = Math.max(max, v);
        }
        if (nan) max = Double.NaN;
        double sum = 0;
        for (double v : z) sum += Math.exp(v - max);
        double logSum = Math.log(sum), l = 0;
        for (int j = 0; j < z.length; j++) {
            double logP = z[j] - max - logSum, p = Math.exp(logP), t = get(targets, i, j);
            if (t != 0) l -= t * logP;
            e[j] = (p - t) / rows;
            set(probs, i, j, p);
            set(grad, i, j, e[j]);
        }
        set(loss, i, 0, l);
    }

    @Override protected void outputLayerImpl(Matrix h, Matrix w, Matrix b, Matrix targets, Matrix m, Activation f,
                                             Matrix probs, Matrix grad, Matrix loss, Matrix delta) {
        int rows = h.rows(), c = w.rows(), q = h.cols();
        double[] z = new double[c], e = new double[c];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < c; j++) {
                double s = b == null ? 0 : get(b, 0, j);
                for (int k = 0; k < q; k++) s += get(h, i, k) * get(w, j, k);
                z[j] = s;
            }
            softmaxXentRow(z, targets, i, rows, probs, grad, loss, e);
            if (m == null) continue;
            for (int k = 0; k < q; k++) {
                double s = 0;
                for (int j = 0; j < c; j++) s += e[j] * get(m, j, k);
                set(delta, i, k, s * f.derivativeFromPost(get(h, i, k)));
            }
        }
    }

    /** t = g, or t = v = mu v + g (stored, and used as the stored float) with a velocity. */
    private static double direction(Matrix grad, Matrix velocity, float mu, int i, int j) {
        double t = get(grad, i, j);
        if (velocity == null) return t;
        set(velocity, i, j, mu * get(velocity, i, j) + t);
        return get(velocity, i, j);
    }

    private static void decayedStep(Matrix x, int i, int j, double t, float lr, float decay) {
        double v = get(x, i, j);
        set(x, i, j, v - lr * (t + decay * v));
    }

    @Override protected void sgdUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix grad, Matrix velocity) {
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) decayedStep(w, i, j, direction(grad, velocity, mu, i, j), lr, decay);
        }
    }

    @Override protected void kpUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix b, Matrix grad, Matrix velocity) {
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                double t = direction(grad, velocity, mu, i, j);
                decayedStep(w, i, j, t, lr, decay);
                decayedStep(b, i, j, t, lr, decay);
            }
        }
    }

    @Override protected void gatherRowsImpl(Matrix x, Matrix index, Matrix out) {
        for (int i = 0; i < out.rows(); i++) {
            double r = get(index, 0, i);
            boolean valid = r >= 0 && r < x.rows() && r == Math.floor(r);
            for (int j = 0; j < out.cols(); j++) set(out, i, j, valid ? get(x, (int) r, j) : Float.NaN);
        }
    }

    @Override protected void denseUpdateImpl(float lr, float decay, float mu, Matrix delta, Matrix h, Matrix w, Matrix b,
                                             Matrix vw, Matrix vb, Matrix feedback) {
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                double g = 0;
                for (int k = 0; k < delta.rows(); k++) g += (double) get(delta, k, i) * get(h, k, j);
                double t = g;
                if (vw != null) {
                    set(vw, i, j, mu * get(vw, i, j) + g);
                    t = get(vw, i, j);
                }
                decayedStep(w, i, j, t, lr, decay);
                if (feedback != null) decayedStep(feedback, i, j, t, lr, decay);
            }
            if (b != null) {
                double g = 0;
                for (int k = 0; k < delta.rows(); k++) g += get(delta, k, i);
                double t = g;
                if (vb != null) {
                    set(vb, 0, i, mu * get(vb, 0, i) + g);
                    t = get(vb, 0, i);
                }
                decayedStep(b, 0, i, t, lr, 0f);
            }
        }
    }

    @Override protected void signFeedbackImpl(float scale, Matrix w, Matrix r, Matrix out) {
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                double m = r == null ? scale : Math.abs(get(r, i, j));
                set(out, i, j, m * Math.signum(get(w, i, j)));
            }
        }
    }

    @Override protected void mseLossImpl(Matrix y, Matrix targets, Matrix grad, Matrix loss) {
        for (int i = 0; i < y.rows(); i++) {
            double l = 0;
            for (int j = 0; j < y.cols(); j++) {
                double d = get(y, i, j) - get(targets, i, j);
                l += d * d;
                set(grad, i, j, d / y.rows());
            }
            set(loss, i, 0, l / 2);
        }
    }

    @Override protected void randomUniformImpl(long seed, int stream, int draw, float lo, float hi, Matrix out) {
        for (int e = 0; e < out.size(); e++) {
            set(out, e / out.cols(), e % out.cols(), org.neurokernels.random.Philox.uniform(e, seed, stream, draw, lo, hi));
        }
    }

    @Override protected void lifStepImpl(org.neurokernels.dynamics.LifStep p, Matrix v, Matrix iE, Matrix iI, Matrix refractory,
                                         Matrix iExt, Matrix synE, Matrix synI, Matrix spikes, Matrix rate, Matrix count) {
        for (int i = 0; i < v.rows(); i++) {
            for (int j = 0; j < v.cols(); j++) {
                double x = get(v, i, j), ie = get(iE, i, j), ii = get(iI, i, j), r = get(refractory, i, j);
                if (r > 0) {
                    x = p.vReset();
                    r -= 1;
                } else {
                    double current = p.iOffset() + (iExt == null ? 0 : get(iExt, i, j));
                    x = p.vRest() + p.p22() * (x - p.vRest()) + p.p21e() * ie + p.p21i() * ii + p.p20() * current;
                }
                set(iE, i, j, p.p11e() * ie + (synE == null ? 0 : get(synE, i, j)));
                set(iI, i, j, p.p11i() * ii + (synI == null ? 0 : get(synI, i, j)));
                double s = 0;
                if (x >= p.vThresh()) {
                    s = 1;
                    x = p.vReset();
                    r = p.refractorySteps();
                }
                set(v, i, j, x);
                set(refractory, i, j, r);
                set(spikes, i, j, s);
                set(rate, i, j, p.rateDecay() * get(rate, i, j) + p.rateGain() * s);
                set(count, i, j, get(count, i, j) + s);
            }
        }
    }

    @Override protected void rateStepImpl(Activation f, boolean exponentialEuler, Matrix r, Matrix x, Matrix c, Matrix tau, float noiseScale,
                                          long seed, int stream, int step) {
        for (int i = 0; i < r.rows(); i++) {
            for (int j = 0; j < r.cols(); j++) {
                double ri = get(r, i, j), fx = f.apply(get(x, i, j)), cj = get(c, 0, j);
                double next = exponentialEuler ? cj * ri + (1 - cj) * fx : ri + cj * (fx - ri);
                if (noiseScale != 0f) next += noiseScale / get(tau, 0, j) * org.neurokernels.random.Philox.normal(i * r.cols() + j, seed, stream, step);
                set(r, i, j, next);
            }
        }
    }

    @Override protected void izhikevichStepImpl(float dt, Matrix v, Matrix u, Matrix abcd, Matrix iExt, Matrix syn, Matrix spikes, Matrix count) {
        for (int i = 0; i < v.rows(); i++) {
            for (int j = 0; j < v.cols(); j++) {
                double a = get(abcd, 0, j), b = get(abcd, 1, j), c = get(abcd, 2, j), d = get(abcd, 3, j);
                double x = get(v, i, j), y = get(u, i, j), s = 0;
                if (x >= 30) {
                    s = 1;
                    x = c;
                    y += d;
                }
                double current = (iExt == null ? 0 : get(iExt, i, j)) + (syn == null ? 0 : get(syn, i, j));
                double h = 0.5 * dt;
                x += h * (0.04 * x * x + 5 * x + 140 - y + current);
                x += h * (0.04 * x * x + 5 * x + 140 - y + current);
                y += dt * a * (b * x - y);
                set(v, i, j, x);
                set(u, i, j, y);
                set(spikes, i, j, s);
                set(count, i, j, get(count, i, j) + s);
            }
        }
    }

    @Override protected void poissonImpl(float dt, Matrix rate, long seed, int stream, int step, Matrix spikes, Matrix count) {
        int[] key = org.neurokernels.random.Philox.key(seed);
        for (int i = 0; i < spikes.rows(); i++) {
            for (int j = 0; j < spikes.cols(); j++) {
                int e = i * spikes.cols() + j;
                int x = org.neurokernels.random.Philox.philox4x32_10(new int[] {e, stream, step, 0}, key)[0];
                float p = buf(rate)[rate.offset() + j] * dt;   // in float, as the kernels compute it
                double s = org.neurokernels.random.Philox.unit(x) < p ? 1 : 0;
                set(spikes, i, j, s);
                set(count, i, j, get(count, i, j) + s);
            }
        }
    }

    @Override protected void philoxImpl(Matrix counter, Matrix key, Matrix out) {
        for (int r = 0; r < counter.rows(); r++) {
            int[] c = new int[4], k = new int[2];
            for (int q = 0; q < 4; q++) c[q] = Float.floatToRawIntBits(buf(counter)[counter.offset() + r * counter.ld() + q]);
            for (int q = 0; q < 2; q++) k[q] = Float.floatToRawIntBits(buf(key)[key.offset() + r * key.ld() + q]);
            int[] x = org.neurokernels.random.Philox.philox4x32_10(c, k);
            for (int q = 0; q < 4; q++) buf(out)[out.offset() + r * out.ld() + q] = Float.intBitsToFloat(x[q]);
        }
    }

    @Override protected void rateMultistepImpl(Activation f, boolean exponentialEuler, int steps, Matrix r, Matrix wT, Matrix winT, Matrix u,
                                               Matrix bias, Matrix c, Matrix tau, float noiseScale, long seed, int stream, int step0,
                                               Matrix rec, int recordEvery) {
        int batch = r.rows(), n = r.cols();
        for (int t = 0; t < steps; t++) {
            double[][] next = new double[batch][n];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < n; j++) {
                    double x = get(bias, 0, j);
                    for (int k = 0; k < n; k++) x += get(wT, k, j) * get(r, b, k);
                    if (u != null) for (int q = 0; q < winT.rows(); q++) x += get(winT, q, j) * get(u, t * batch + b, q);
                    double ri = get(r, b, j), fx = f.apply((float) x), cj = get(c, 0, j);
                    double v = exponentialEuler ? cj * ri + (1 - cj) * fx : ri + cj * (fx - ri);
                    if (noiseScale != 0f) v += noiseScale / get(tau, 0, j) * org.neurokernels.random.Philox.normal(b * n + j, seed, stream, step0 + t);
                    next[b][j] = v;
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < n; j++) {
                    set(r, b, j, next[b][j]);
                    if (rec != null && (t + 1) % recordEvery == 0) set(rec, ((t + 1) / recordEvery - 1) * batch + b, j, next[b][j]);
                }
            }
        }
    }

    /** Java float arithmetic: IEEE 754 with denormals and no contraction (strictfp is the default since 17). */
    @Override protected void probeArithmeticImpl(Matrix in, Matrix out) {
        float[] x = buf(in), y = buf(out);
        int i = in.offset(), o = out.offset();
        y[o] = x[i] * x[i + 1];
        y[o + 1] = x[i + 2] + 0.0f;
        y[o + 2] = x[i + 3] * x[i + 4] + x[i + 5];
    }

    @Override protected void probeMathImpl(int fn, Matrix in, Matrix out) {
        for (int j = 0; j < in.cols(); j++) {
            double x = get(in, 0, j);
            double v = fn == 0 ? Math.exp(x) : fn == 1 ? Math.tanh(x) : fn == 2 ? Math.log1p(x) : fn == 3 ? Math.expm1(x) : Math.log(x);
            set(out, 0, j, v);
        }
    }

    @Override protected double dotImpl(Matrix x, Matrix y) {
        double s = 0;
        for (int i = 0; i < x.rows(); i++) for (int j = 0; j < x.cols(); j++) s += get(x, i, j) * get(y, i, j);
        return s;
    }
}

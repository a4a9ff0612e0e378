package org.neurokernels.reference;

import java.util.Map;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.DeviceInfo;
import org.neurokernels.Matrix;

/**
 * The pure-Java reference backend ({@code java}): the simplest obviously-correct loops, accumulating in
 * double and rounding once to float when storing. It is the oracle every other backend is checked
 * against, not where speed goes. Each op's reference is a static method in its op file
 * ({@code org.neurokernels.ops}), which the typed methods here hand their matrices to; only the GEMM
 * family's and output_layer's, composed from row products over the strided matrices, are written here.
 */
public final class JavaDevice extends Device {
    private final DeviceInfo info = new DeviceInfo("java", "java", "Java reference (double accumulation)",
            System.getProperty("java.vendor", "unknown"), System.getProperty("java.version", "unknown"),
            Runtime.getRuntime().maxMemory(), 1, Map.of("accumulation", "double"));

    @Override public DeviceInfo info() { return info; }

    private static float[] buf(Matrix m) { return (float[]) bufferOf(m); }

    private static double get(Matrix m, int i, int j) { return buf(m)[m.offset() + i * m.ld() + j]; }

    private static void set(Matrix m, int i, int j, double v) { buf(m)[m.offset() + i * m.ld() + j] = (float) v; }

    /**
     * m's elements row-major and contiguous, as the ops' references take them: m's own buffer where m starts
     * it and its rows follow each other, else a copy of its window (null for null).
     */
    private static float[] host(Matrix m) {
        if (m == null) return null;
        float[] b = buf(m);
        if (m.offset() == 0 && m.isContiguous()) return b;
        float[] d = new float[m.size()];
        for (int i = 0; i < m.rows(); i++) System.arraycopy(b, m.offset() + i * m.ld(), d, i * m.cols(), m.cols());
        return d;
    }

    /** Writes d, from {@link #host}, back into m's window where it is a copy (nothing for null). */
    private static void store(float[] d, Matrix m) {
        if (m == null) return;
        float[] b = buf(m);
        if (d == b) return;
        for (int i = 0; i < m.rows(); i++) System.arraycopy(d, i * m.cols(), b, m.offset() + i * m.ld(), m.cols());
    }

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
        float[] y = host(dst);
        org.neurokernels.ops.Copy.reference(host(src), y, src.size());
        store(y, dst);
    }

    @Override protected void gemmImpl(boolean transA, boolean transB, int m, int n, int k, float alpha, Matrix a, Matrix b, float beta, Matrix c) {
        float[] cd = host(c);
        org.neurokernels.ops.Gemm.reference(transA, transB, m, n, k, alpha, host(a), a.cols(), host(b), b.cols(), beta, cd);
        store(cd, c);
    }

    @Override protected void denseForwardImpl(Matrix x, Matrix w, Matrix bias, Activation f, Matrix out, Matrix pre) {
        float[] o = host(out), z = host(pre);
        org.neurokernels.ops.DenseForward.reference(host(x), x.rows(), x.cols(), host(w), w.rows(), host(bias), f, o, z);
        store(o, out);
        store(z, pre);
    }

    @Override protected void backwardDeltaImpl(Matrix delta, boolean transM, Matrix m, Matrix a, Activation f, boolean fromOutput, Matrix out) {
        float[] o = host(out);
        org.neurokernels.ops.BackwardDelta.reference(host(delta), delta.rows(), delta.cols(), host(m), m.cols(), transM, host(a), out.cols(), f, fromOutput, o);
        store(o, out);
    }

    @Override protected void activationImpl(Activation f, Matrix x, Matrix out) {
        float[] y = host(out);
        org.neurokernels.ops.ActivationOp.reference(f, host(x), y, x.size());
        store(y, out);
    }

    @Override protected void activationGradImpl(Activation f, Matrix x, boolean fromOutput, Matrix out) {
        float[] y = host(out);
        org.neurokernels.ops.ActivationGrad.reference(f, host(x), fromOutput, y, x.size());
        store(y, out);
    }

    @Override protected void hadamardImpl(Matrix x, Matrix y, Matrix out) {
        float[] z = host(out);
        org.neurokernels.ops.Hadamard.reference(host(x), host(y), z, x.size());
        store(z, out);
    }

    @Override protected void axpyImpl(float alpha, Matrix x, Matrix y) {
        float[] yd = host(y);
        org.neurokernels.ops.Axpy.reference(alpha, host(x), yd, x.size());
        store(yd, y);
    }

    @Override protected void scaleImpl(float alpha, Matrix x, Matrix out) {
        float[] y = host(out);
        org.neurokernels.ops.Scale.reference(alpha, host(x), y, x.size());
        store(y, out);
    }

    @Override protected void columnSumsImpl(Matrix x, Matrix out) {
        float[] s = host(out);
        org.neurokernels.ops.ColumnSums.reference(host(x), x.rows(), x.cols(), s);
        store(s, out);
    }

    @Override protected void softmaxCrossEntropyImpl(Matrix logits, Matrix targets, Matrix probs, Matrix grad, Matrix loss) {
        float[] p = host(probs), g = host(grad), l = host(loss);
        org.neurokernels.ops.SoftmaxXent.reference(host(logits), host(targets), logits.rows(), logits.cols(), p, g, l);
        store(p, probs);
        store(g, grad);
        store(l, loss);
    }

    @Override protected void outputLayerImpl(Matrix h, Matrix w, Matrix b, Matrix targets, Matrix m, Activation f,
                                             Matrix probs, Matrix grad, Matrix loss, Matrix delta) {
        float[] p = host(probs), g = host(grad), l = host(loss), d = host(delta);
        org.neurokernels.ops.OutputLayer.reference(host(h), h.rows(), h.cols(), host(w), w.rows(), host(b), host(targets), host(m), f, p, g, l, d);
        store(p, probs);
        store(g, grad);
        store(l, loss);
        store(d, delta);
    }

    @Override protected void sgdUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix grad, Matrix velocity) {
        float[] wd = host(w), vd = host(velocity);
        org.neurokernels.ops.SgdUpdate.reference(lr, decay, mu, wd, host(grad), vd, w.size());
        store(wd, w);
        store(vd, velocity);
    }

    @Override protected void kpUpdateImpl(float lr, float decay, float mu, Matrix w, Matrix b, Matrix grad, Matrix velocity) {
        float[] wd = host(w), bd = host(b), vd = host(velocity);
        org.neurokernels.ops.KpUpdate.reference(lr, decay, mu, wd, bd, host(grad), vd, w.size());
        store(wd, w);
        store(bd, b);
        store(vd, velocity);
    }

    @Override protected void gatherRowsImpl(Matrix x, Matrix index, Matrix out) {
        float[] o = host(out);
        org.neurokernels.ops.GatherRows.reference(host(x), x.rows(), x.cols(), host(index), o, out.rows());
        store(o, out);
    }

    @Override protected void denseUpdateImpl(float lr, float decay, float mu, Matrix delta, Matrix h, Matrix w, Matrix b,
                                             Matrix vw, Matrix vb, Matrix feedback) {
        float[] wd = host(w), bd = host(b), vwd = host(vw), vbd = host(vb), fd = host(feedback);
        org.neurokernels.ops.DenseUpdate.reference(lr, decay, mu, host(delta), delta.rows(), delta.cols(), host(h), h.cols(), wd, bd, vwd, vbd, fd);
        store(wd, w);
        store(bd, b);
        store(vwd, vw);
        store(vbd, vb);
        store(fd, feedback);
    }

    @Override protected void signFeedbackImpl(float scale, Matrix w, Matrix r, Matrix out) {
        float[] b = host(out);
        org.neurokernels.ops.SignFeedback.reference(scale, host(w), host(r), b, w.size());
        store(b, out);
    }

    @Override protected void mseLossImpl(Matrix y, Matrix targets, Matrix grad, Matrix loss) {
        float[] g = host(grad), l = host(loss);
        org.neurokernels.ops.Mse.reference(host(y), host(targets), y.rows(), y.cols(), g, l);
        store(g, grad);
        store(l, loss);
    }

    @Override protected void randomUniformImpl(long seed, int stream, int draw, float lo, float hi, Matrix out) {
        float[] o = host(out);
        org.neurokernels.ops.RandomUniform.reference(seed, stream, draw, lo, hi, o, out.size());
        store(o, out);
    }

    @Override protected void lifStepImpl(org.neurokernels.dynamics.LifStep p, Matrix v, Matrix iE, Matrix iI, Matrix refractory,
                                         Matrix iExt, Matrix synE, Matrix synI, Matrix spikes, Matrix rate, Matrix count) {
        float[] vd = host(v), ie = host(iE), ii = host(iI), r = host(refractory), s = host(spikes), rt = host(rate), c = host(count);
        org.neurokernels.ops.LifStepOp.reference(p, vd, ie, ii, r, host(iExt), host(synE), host(synI), s, rt, c, v.size());
        store(vd, v);
        store(ie, iE);
        store(ii, iI);
        store(r, refractory);
        store(s, spikes);
        store(rt, rate);
        store(c, count);
    }

    @Override protected void rateStepImpl(Activation f, boolean exponentialEuler, Matrix r, Matrix x, Matrix c, Matrix tau, float noiseScale,
                                          long seed, int stream, int step) {
        float[] rd = host(r);
        org.neurokernels.ops.RateStepOp.reference(f, exponentialEuler, rd, host(x), host(c), host(tau), noiseScale, seed, stream, step, r.rows(), r.cols());
        store(rd, r);
    }

    @Override protected void izhikevichStepImpl(float dt, Matrix v, Matrix u, Matrix abcd, Matrix iExt, Matrix syn, Matrix spikes, Matrix count) {
        float[] vd = host(v), ud = host(u), s = host(spikes), c = host(count);
        org.neurokernels.ops.IzhikevichStepOp.reference(dt, vd, ud, host(abcd), host(iExt), host(syn), s, c, v.rows(), v.cols());
        store(vd, v);
        store(ud, u);
        store(s, spikes);
        store(c, count);
    }

    @Override protected void poissonImpl(float dt, Matrix rate, long seed, int stream, int step, Matrix spikes, Matrix count) {
        float[] s = host(spikes), c = host(count);
        org.neurokernels.ops.PoissonOp.reference(dt, host(rate), seed, stream, step, s, c, spikes.rows(), spikes.cols());
        store(s, spikes);
        store(c, count);
    }

    @Override protected void philoxImpl(Matrix counter, Matrix key, Matrix out) {
        float[] o = host(out);
        org.neurokernels.ops.PhiloxOp.reference(host(counter), host(key), o, counter.rows());
        store(o, out);
    }

    @Override protected void rateMultistepImpl(Activation f, boolean exponentialEuler, int steps, Matrix r, Matrix wT, Matrix winT, Matrix u,
                                               Matrix bias, Matrix c, Matrix tau, float noiseScale, long seed, int stream, int step0,
                                               Matrix rec, int recordEvery) {
        float[] rd = host(r), recd = host(rec);
        org.neurokernels.ops.RateMultistepOp.reference(f, exponentialEuler, steps, rd, host(wT), host(winT), winT == null ? 0 : winT.rows(), host(u),
                host(bias), host(c), host(tau), noiseScale, seed, stream, step0, recd, recordEvery, r.rows(), r.cols());
        store(rd, r);
        store(recd, rec);
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
        return org.neurokernels.ops.Dot.reference(host(x), host(y), x.size());
    }
}

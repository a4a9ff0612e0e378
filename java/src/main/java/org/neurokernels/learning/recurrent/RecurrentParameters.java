package org.neurokernels.learning.recurrent;

import org.neurokernels.random.Philox;

/**
 * The parameters of a recurrent network (rate or LIF) of N units with M inputs and K outputs, float32 and
 * row-major: W_in (N x M), W_rec (N x N, row j holds the weights onto unit j), b (N, a constant input to each
 * unit), W_out (K x N) and b_out (K). The networks read them into double and do all arithmetic in double.
 */
public final class RecurrentParameters {
    /** Philox streams of {@link #random}: W_in, W_rec, W_out; {@link #randomFeedback} uses {@link #FEEDBACK_STREAM}. */
    static final int IN_STREAM = 0, REC_STREAM = 1, OUT_STREAM = 2, FEEDBACK_STREAM = 3;

    public final int n, m, k;
    public final float[] wIn, wRec, b, wOut, bOut;

    /** All zeros. */
    public RecurrentParameters(int n, int m, int k) {
        if (n < 1 || m < 1 || k < 1) throw new IllegalArgumentException("sizes must be positive: N=" + n + " M=" + m + " K=" + k);
        this.n = n;
        this.m = m;
        this.k = k;
        wIn = new float[n * m];
        wRec = new float[n * n];
        b = new float[n];
        wOut = new float[k * n];
        bOut = new float[k];
    }

    /** W_in, W_rec, b, W_out, b_out: the order of {@link Gradients#arrays()}, which optimizers step together. */
    public float[][] arrays() { return new float[][] {wIn, wRec, b, wOut, bOut}; }

    public RecurrentParameters copy() {
        RecurrentParameters c = new RecurrentParameters(n, m, k);
        float[][] from = arrays(), to = c.arrays();
        for (int a = 0; a < from.length; a++) System.arraycopy(from[a], 0, to[a], 0, from[a].length);
        return c;
    }

    /**
     * Gaussian init from Philox normals (seed, streams 0..2): W_in = gIn z / sqrt(M), W_rec = gRec z / sqrt(N)
     * with its diagonal 0 when noSelf, W_out = gOut z / sqrt(N); b and b_out 0.
     */
    public static RecurrentParameters random(int n, int m, int k, double gIn, double gRec, double gOut, boolean noSelf, long seed) {
        RecurrentParameters p = new RecurrentParameters(n, m, k);
        for (int e = 0; e < n * m; e++) p.wIn[e] = (float) (gIn * Philox.normal(e, seed, IN_STREAM, 0) / Math.sqrt(m));
        for (int e = 0; e < n * n; e++) {
            boolean diagonal = e / n == e % n;
            p.wRec[e] = noSelf && diagonal ? 0f : (float) (gRec * Philox.normal(e, seed, REC_STREAM, 0) / Math.sqrt(n));
        }
        for (int e = 0; e < k * n; e++) p.wOut[e] = (float) (gOut * Philox.normal(e, seed, OUT_STREAM, 0) / Math.sqrt(n));
        return p;
    }

    /** Symmetric feedback B = W_out^T (N x K, row-major): e-prop's learning signal through the readout's own weights. */
    public float[] symmetricFeedback() {
        float[] fb = new float[n * k];
        for (int j = 0; j < n; j++) for (int q = 0; q < k; q++) fb[j * k + q] = wOut[q * n + j];
        return fb;
    }

    /** A fixed random feedback matrix B (N x K) of scale * N(0, 1) entries (Philox, seed, stream 3): random e-prop, RFLO. */
    public static float[] randomFeedback(int n, int k, double scale, long seed) {
        float[] fb = new float[n * k];
        for (int e = 0; e < n * k; e++) fb[e] = (float) (scale * Philox.normal(e, seed, FEEDBACK_STREAM, 0));
        return fb;
    }
}

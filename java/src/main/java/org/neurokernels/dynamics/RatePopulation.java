package org.neurokernels.dynamics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * A batch of independent firing-rate networks (batch x n), tau_j dr_j/dt = -r_j + f(W_rec r + W_in u + b)_j
 * + sigma xi, integrated by forward or exponential Euler (the leak on r, input held over the step) with
 * Philox noise. Weights are post x pre. State, weights, the whole input sequence and the recordings stay on
 * the device; a step is two GEMMs into the drive x (bias first), then the fused rate_step kernel.
 */
public final class RatePopulation implements AutoCloseable {
    private final Device device;
    private final int batch, n, inputs;
    private final Activation f;
    private final boolean exponentialEuler;
    private final float noiseScale;
    private final long seed;
    private final List<Matrix> owned = new ArrayList<>();
    private final Matrix r, x, c, tau, biasRows;
    private Matrix wRec, wIn, wRecT, wInT, biasRow;
    private int step;

    /**
     * @param tauMs per-neuron time constants (n values, ms)
     * @param sigma noise amplitude (sigma sqrt(dt) / tau N(0, 1) per step); 0 for none
     */
    public RatePopulation(Device device, int batch, int n, int inputs, Activation f, float[] tauMs, double dt,
                          boolean exponentialEuler, double sigma, long seed) {
        if (tauMs.length != n) throw new IllegalArgumentException("need " + n + " time constants, got " + tauMs.length);
        for (float t : tauMs) if (!(t > 0 && t < Float.POSITIVE_INFINITY)) throw new IllegalArgumentException("time constant " + t + " ms: need finite time constants > 0");
        if (!(dt > 0 && dt < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("dt = " + dt + " ms: need a finite step > 0");
        if (!(sigma >= 0 && sigma < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("sigma = " + sigma + ": need a finite noise amplitude >= 0");
        this.device = device;
        this.batch = batch;
        this.n = n;
        this.inputs = inputs;
        this.f = f;
        this.exponentialEuler = exponentialEuler;
        this.noiseScale = (float) (sigma * Math.sqrt(dt));
        this.seed = seed;
        float[] cs = new float[n];
        for (int j = 0; j < n; j++) cs[j] = (float) (exponentialEuler ? Math.exp(-dt / tauMs[j]) : dt / tauMs[j]);
        try {
            r = own(device.allocate(batch, n));
            x = own(device.allocate(batch, n));
            c = own(device.upload(cs, 1, n));
            tau = own(device.upload(tauMs.clone(), 1, n));
            biasRows = own(device.allocate(batch, n));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Matrix own(Matrix m) {
        owned.add(m);
        return m;
    }

    /** W with Dale's law: column j (presynaptic neuron j) keeps the sign of {@code excitatory[j]}, magnitudes |w|. */
    public static float[] daleWeights(float[] w, int n, boolean[] excitatory) {
        float[] out = new float[w.length];
        for (int i = 0; i < w.length; i++) out[i] = Math.abs(w[i]) * (excitatory[i % n] ? 1 : -1);
        return out;
    }

    private static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = w[i * cols + j];
        return t;
    }

    public void setRecurrentWeights(float[] w) {
        if (wRec == null) {
            wRec = own(device.allocate(n, n));
            wRecT = own(device.allocate(n, n));
        }
        device.upload(wRec, w);
        device.upload(wRecT, transpose(w, n, n));
    }

    public void setInputWeights(float[] w) {
        if (inputs < 1) throw new IllegalStateException("this population has no inputs");
        if (wIn == null) {
            wIn = own(device.allocate(n, inputs));
            wInT = own(device.allocate(inputs, n));
        }
        device.upload(wIn, w);
        device.upload(wInT, transpose(w, n, inputs));
    }

    /** The bias b (n values), the same for every network of the batch. */
    public void setBias(float[] b) {
        if (biasRow == null) biasRow = own(device.allocate(1, n));
        device.upload(biasRow, b.clone());
        float[] rows = new float[batch * n];
        for (int i = 0; i < batch; i++) System.arraycopy(b, 0, rows, i * n, n);
        device.upload(biasRows, rows);
    }

    public void setState(float[] rates) { device.upload(r, rates); }

    public float[] state() { return device.download(r); }

    /**
     * Runs {@code steps} steps. {@code u} is the input sequence (steps x batch x inputs, or null for none),
     * uploaded once; {@code record} lists the steps (1-based: the state after that step) whose rates are
     * kept on the device and returned, record.length x batch x n.
     */
    public float[] run(int steps, float[] u, int[] record) {
        int[] rec = record == null ? new int[0] : record.clone();
        Arrays.sort(rec);
        try (Matrix seq = u == null ? null : device.upload(u, steps * batch, inputs);
             Matrix out = device.allocate(Math.max(1, rec.length * batch), n)) {
            int next = 0;
            for (int t = 1; t <= steps; t++) {
                device.copy(biasRows, x);
                if (wRec != null) device.gemm(Trans.N, Trans.T, 1f, r, wRec, 1f, x);
                if (seq != null && wIn != null) device.gemm(Trans.N, Trans.T, 1f, seq.view((t - 1) * batch, 0, batch, inputs), wIn, 1f, x);
                device.rateStep(f, exponentialEuler, r, x, c, tau, noiseScale, seed, 0, step++);
                while (next < rec.length && rec[next] == t) device.copy(r, out.view(batch * next++, 0, batch, n));
            }
            return rec.length == 0 ? new float[0] : device.download(out);
        }
    }

    /**
     * The same steps as {@link #run} in one launch of the multi-step kernel (n at most the device's
     * work-group size): the common case of many trials of a small network, where launches would dominate.
     * Records the rates after every {@code recordEvery}-th step (0: none); returns them as
     * (steps / recordEvery) x batch x n.
     */
    public float[] runFused(int steps, float[] u, int recordEvery) {
        if (wRecT == null) setRecurrentWeights(new float[n * n]);
        if (biasRow == null) setBias(new float[n]);
        if (u != null && wInT == null) throw new IllegalStateException("inputs given but no input weights set");
        try (Matrix seq = u == null ? null : device.upload(u, steps * batch, inputs);
             Matrix rec = recordEvery > 0 && steps / recordEvery > 0 ? device.allocate(steps / recordEvery * batch, n) : null) {
            device.rateMultistep(f, exponentialEuler, steps, r, wRecT, seq == null ? null : wInT, seq, biasRow, c, tau, noiseScale, seed, 0, step,
                    rec, recordEvery);
            step += steps;
            return rec == null ? new float[0] : device.download(rec);
        }
    }

    @Override public void close() {
        for (Matrix m : owned) m.close();
        owned.clear();
    }
}

package org.neurokernels.dynamics;

import java.util.ArrayList;
import java.util.List;

import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * A batch of independent LIF populations (batch x n neurons, IF_curr_exp / iaf_psc_exp) on one device,
 * with optional recurrent excitatory and inhibitory projections. State stays on the device between
 * steps; {@link #run} enqueues the steps without a host round trip and the readouts are downloaded
 * on request. Spikes reach the synaptic currents through the GEMM path with a one-step delay:
 * syn_E(t) = s(t-1) W_E^T, syn_I(t) = -s(t-1) W_I^T (weights in nA, W as post x pre, W_I magnitudes;
 * kept on the device transposed, pre x post, so the product reads contiguous rows).
 */
public final class LifPopulation implements SpikeSource, AutoCloseable {
    private final Device device;
    private final int batch, n;
    private final LifParameters params;
    private final LifStep step;
    private final double dt;
    private final List<Matrix> owned = new ArrayList<>();
    private final Matrix v, iE, iI, refractory, rate, count, synE, synI;
    private Matrix spikes, previous;
    private Matrix iExt, wE, wI;
    private long stepsRun;

    public LifPopulation(Device device, int batch, int n, LifParameters params, double dt, double tauRate) {
        this.device = device;
        this.batch = batch;
        this.n = n;
        this.params = params;
        this.dt = dt;
        this.step = params.step(dt, tauRate);
        try {
            v = own(device.allocate(batch, n));
            device.fill(v, (float) params.vRest());
            iE = own(device.allocate(batch, n));
            iI = own(device.allocate(batch, n));
            refractory = own(device.allocate(batch, n));
            rate = own(device.allocate(batch, n));
            count = own(device.allocate(batch, n));
            synE = own(device.allocate(batch, n));
            synI = own(device.allocate(batch, n));
            spikes = own(device.allocate(batch, n));
            previous = own(device.allocate(batch, n));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Matrix own(Matrix m) {
        owned.add(m);
        return m;
    }

    public LifParameters parameters() { return params; }

    public double dt() { return dt; }

    /** Elapsed simulated time in ms. */
    public double time() { return stepsRun * dt; }

    /** A constant external current per neuron (batch x n values, nA), added to i_offset. */
    public void setExternalCurrent(float[] current) {
        if (iExt == null) iExt = own(device.allocate(batch, n));
        device.upload(iExt, current);
    }

    /** Recurrent weights (n x n, post x pre, nA): excitatory into I_E, inhibitory magnitudes into I_I; either may be null. */
    public void setRecurrentWeights(float[] excitatory, float[] inhibitory) {
        if (excitatory != null) {
            if (wE == null) wE = own(device.allocate(n, n));
            device.upload(wE, transpose(excitatory));
        }
        if (inhibitory != null) {
            if (wI == null) wI = own(device.allocate(n, n));
            device.upload(wI, transpose(inhibitory));
        }
    }

    private float[] transpose(float[] w) {
        if (w.length != n * n) throw new IllegalArgumentException("weights must be " + n + " x " + n);
        float[] t = new float[w.length];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) t[j * n + i] = w[i * n + j];
        return t;
    }

    /** Advances every population by {@code steps} steps of dt. */
    public void run(int steps) {
        for (int t = 0; t < steps; t++) {
            if (wE != null) device.gemm(Trans.N, Trans.N, 1f, previous, wE, 0f, synE);
            if (wI != null) device.gemm(Trans.N, Trans.N, -1f, previous, wI, 0f, synI);
            device.lifStep(step, v, iE, iI, refractory, iExt, wE == null ? null : synE, wI == null ? null : synI, spikes, rate, count);
            Matrix s = previous;
            previous = spikes;
            spikes = s;
            stepsRun++;
        }
    }

    /** Sets the membrane potentials (batch x n values, mV). */
    public void setVoltages(float[] mv) { device.upload(v, mv); }

    @Override public int size() { return n; }

    @Override public Matrix spikes() { return previous; }

    Device device() { return device; }

    int batch() { return batch; }

    /** Network use: zero this step's synaptic input before the projections add to it. */
    void clearSynapses() {
        device.fill(synE, 0f);
        device.fill(synI, 0f);
    }

    Matrix synE() { return synE; }

    Matrix synI() { return synI; }

    /** Network use: one step with the synaptic input the projections wrote (recurrent weights included). */
    void advanceWithSynapses() {
        if (wE != null) device.gemm(Trans.N, Trans.N, 1f, previous, wE, 1f, synE);
        if (wI != null) device.gemm(Trans.N, Trans.N, -1f, previous, wI, 1f, synI);
        device.lifStep(step, v, iE, iI, refractory, iExt, synE, synI, spikes, rate, count);
        Matrix s = previous;
        previous = spikes;
        spikes = s;
        stepsRun++;
    }

    /** Spikes per neuron since the last {@link #resetCounts} (batch x n). */
    public float[] counts() { return device.download(count); }

    public void resetCounts() { device.fill(count, 0f); }

    /** The exponentially filtered rate per neuron (spikes per ms). */
    public float[] rates() { return device.download(rate); }

    /** Membrane potentials (mV). */
    public float[] voltages() { return device.download(v); }

    /** The spikes of the last step (1 where a neuron fired). */
    public float[] lastSpikes() { return device.download(previous); }

    @Override public void close() {
        for (Matrix m : owned) m.close();
        owned.clear();
    }
}

package org.neurokernels.dynamics;

import java.util.ArrayList;
import java.util.List;

import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * LIF populations and Poisson sources joined by projections, stepped together on one device. Every step:
 * each population's synaptic input is cleared, every projection adds s_pre(t-1) W^T (excitatory into I_E,
 * inhibitory magnitudes subtracted into I_I) through the GEMM path, then every population takes its LIF
 * step and every source draws its spikes. State and weights stay on the device.
 */
public final class LifNetwork implements AutoCloseable {
    private record Projection(SpikeSource pre, LifPopulation post, Matrix weightsT, boolean excitatory) { }

    private final Device device;
    private final int batch;
    private final double dt, tauRate;
    private final long seed;
    private final List<LifPopulation> populations = new ArrayList<>();
    private final List<PoissonSource> sources = new ArrayList<>();
    private final List<Projection> projections = new ArrayList<>();

    public LifNetwork(Device device, int batch, double dt, double tauRate, long seed) {
        if (!(dt > 0 && dt < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("dt = " + dt + " ms: need a finite step > 0");
        if (!(tauRate > 0 && tauRate < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException("tau_rate = " + tauRate + " ms: need a finite value > 0");
        this.device = device;
        this.batch = batch;
        this.dt = dt;
        this.tauRate = tauRate;
        this.seed = seed;
    }

    public LifPopulation population(int n, LifParameters p) {
        LifPopulation pop = new LifPopulation(device, batch, n, p, dt, tauRate);
        populations.add(pop);
        return pop;
    }

    public PoissonSource poisson(int n, double rateHz) {
        PoissonSource s = new PoissonSource(device, batch, n, rateHz, dt, seed, sources.size());
        sources.add(s);
        return s;
    }

    /** Connects pre to post with weights (post x pre, nA; magnitudes for inhibitory projections). */
    public void connect(SpikeSource pre, LifPopulation post, float[] weights, boolean excitatory) {
        int rows = post.size(), cols = pre.size();
        if (weights.length != rows * cols) throw new IllegalArgumentException("weights must be " + rows + " x " + cols + " (post x pre)");
        float[] t = new float[weights.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = weights[i * cols + j];
        projections.add(new Projection(pre, post, device.upload(t, cols, rows), excitatory));
    }

    public void run(int steps) {
        for (int k = 0; k < steps; k++) {
            for (LifPopulation p : populations) p.clearSynapses();
            for (Projection pr : projections) {
                Matrix target = pr.excitatory() ? pr.post().synE() : pr.post().synI();
                device.gemm(Trans.N, Trans.N, pr.excitatory() ? 1f : -1f, pr.pre().spikes(), pr.weightsT(), 1f, target);
            }
            for (LifPopulation p : populations) p.advanceWithSynapses();
            for (PoissonSource s : sources) s.advance();
        }
    }

    @Override public void close() {
        for (Projection p : projections) p.weightsT().close();
        for (LifPopulation p : populations) p.close();
        for (PoissonSource s : sources) s.close();
    }
}

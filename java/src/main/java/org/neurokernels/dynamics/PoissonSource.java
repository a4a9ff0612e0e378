package org.neurokernels.dynamics;

import java.util.Arrays;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * Poisson spike sources (batch x n) for a {@link LifNetwork}: every step, neuron j fires where Philox's
 * uniform for (element, stream, step) is below rate_j dt; the same spikes on every backend for a seed.
 */
public final class PoissonSource implements SpikeSource, AutoCloseable {
    private final Device device;
    private final Matrix rate, spikes, count;
    private final long seed;
    private final int stream;
    private final float dt;
    private int step;

    PoissonSource(Device device, int batch, int n, double rateHz, double dt, long seed, int stream) {
        if (!(rateHz >= 0) || rateHz * dt / 1000 > 1) throw new IllegalArgumentException("rate must be in [0, 1000 / dt] Hz");
        this.device = device;
        this.seed = seed;
        this.stream = stream;
        this.dt = (float) dt;
        float[] r = new float[n];
        Arrays.fill(r, (float) (rateHz / 1000));
        rate = device.upload(r, 1, n);
        spikes = device.allocate(batch, n);
        count = device.allocate(batch, n);
    }

    void advance() { device.poisson(dt, rate, seed, stream, step++, spikes, count); }

    @Override public int size() { return rate.cols(); }

    @Override public Matrix spikes() { return spikes; }

    /** Spikes per source so far. */
    public float[] counts() { return device.download(count); }

    @Override public void close() {
        rate.close();
        spikes.close();
        count.close();
    }
}

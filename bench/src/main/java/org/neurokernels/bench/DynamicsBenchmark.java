package org.neurokernels.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.dynamics.LifParameters;
import org.neurokernels.dynamics.LifStep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One step of a neuron population of {@code neurons} neurons (batch 1), and a plain copy on the same device
 * in the same run moving as many bytes as lif_step (7 floats per neuron read and written): the step kernels
 * are memory-bound, so their effective GB/s (bytes read once and written once per neuron: lif_step 56,
 * izhikevich_step 48, rate_step 16, copy 56) is compared with the copy's. bench/results.sh prints neuron
 * updates per second and the GB/s ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DynamicsBenchmark {
    @Param({"copy", "lif_step", "rate_step", "izhikevich_step"})
    public String op;

    @Param({"1024", "65536", "1048576", "4194304"})
    public int neurons;

    @Param({"opencl:pocl"})
    public String device;

    private Device d;
    private Matrix a, b, v, ie, ii, refr, iext, spikes, rate, count, u, abcd, c;
    private LifStep lif;

    private Matrix random(int rows, int cols, double lo, double hi, long seed) {
        Random r = new Random(seed);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return d.upload(x, rows, cols);
    }

    @Setup(Level.Trial)
    public void setUp() {
        d = Devices.open(device);
        int n = neurons;
        switch (op) {
            case "copy":
                // as many bytes as lif_step moves (56 per neuron = 7 floats read and 7 written), so both
                // run from the same level of the memory hierarchy
                a = random(7, n, -1, 1, 1);
                b = d.allocate(7, n);
                break;
            case "lif_step":
                lif = LifParameters.pynnDefaults().withTauRefrac(2).step(0.1, 100);
                v = random(1, n, -70, -50, 1);
                ie = random(1, n, 0, 1, 2);
                ii = random(1, n, 0, 1, 3);
                refr = d.allocate(1, n);
                iext = random(1, n, 0.5, 1.5, 4);
                spikes = d.allocate(1, n);
                rate = d.allocate(1, n);
                count = d.allocate(1, n);
                break;
            case "rate_step":
                a = random(1, n, -1, 1, 1);
                b = random(1, n, -1, 1, 2);
                c = random(1, n, 0.9, 0.99, 3);
                break;
            case "izhikevich_step":
                v = random(1, n, -70, 20, 1);
                u = random(1, n, -15, -5, 2);
                abcd = d.upload(abcdRows(n), 4, n);
                iext = random(1, n, 0, 10, 3);
                spikes = d.allocate(1, n);
                count = d.allocate(1, n);
                break;
            default:
                throw new IllegalArgumentException(op);
        }
        step();
        d.synchronize();
    }

    private static float[] abcdRows(int n) {
        float[] p = new float[4 * n];
        for (int j = 0; j < n; j++) {
            p[j] = 0.02f;
            p[n + j] = 0.2f;
            p[2 * n + j] = -65;
            p[3 * n + j] = 8;
        }
        return p;
    }

    private void step() {
        switch (op) {
            case "copy": d.copy(a, b); break;
            case "lif_step": d.lifStep(lif, v, ie, ii, refr, iext, null, null, spikes, rate, count); break;
            case "rate_step": d.rateStep(Activation.valueOf(System.getProperty("nk.act", "TANH")), true, a, b, c, null, 0f, 0, 0, 0); break;
            default: d.izhikevichStep(1f, v, u, abcd, iext, null, spikes, count);
        }
    }

    @Benchmark
    public void step1() {
        step();
        d.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() { d.close(); }
}

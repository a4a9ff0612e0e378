package org.neurokernels.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.dynamics.RatePopulation;
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
 * T = {@code steps} steps of B = 64 trials of a recurrent tanh rate network of N = 128 neurons:
 * {@code fused} is one launch of the multi-step kernel, {@code single} is T single steps (bias copy,
 * recurrent GEMM, rate_step: three launches a step). One call = the T steps, device synchronized.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class RateMultistepBenchmark {
    @Param({"fused", "single"})
    public String impl;

    @Param({"1000"})
    public int steps;

    @Param({"opencl:pocl"})
    public String device;

    private Device d;
    private RatePopulation pop;

    @Setup(Level.Trial)
    public void setUp() {
        int batch = 64, n = 128;
        d = Devices.open(device);
        float[] tau = new float[n];
        java.util.Arrays.fill(tau, 10f);
        pop = new RatePopulation(d, batch, n, 0, Activation.TANH, tau, 0.5, true, 0, 1);
        Random r = new Random(2);
        float[] w = new float[n * n], b = new float[n];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * 1.2 / Math.sqrt(n));
        for (int i = 0; i < n; i++) b[i] = (float) (0.1 * r.nextGaussian());
        pop.setRecurrentWeights(w);
        pop.setBias(b);
        run();
    }

    private void run() {
        if (impl.equals("fused")) pop.runFused(steps, null, 0);
        else pop.run(steps, null, null);
        d.synchronize();
    }

    @Benchmark
    public void trials() { run(); }

    @TearDown(Level.Trial)
    public void tearDown() {
        pop.close();
        d.close();
    }
}

package org.neurokernels.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.learning.FeedbackRule;
import org.neurokernels.learning.Mlp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of the 784-256-256-10 tanh MLP at batch 64, per rule and device. {@code step}: forward,
 * loss, the rule's backward, and the fused gradient-and-update per layer, with the batch uploaded and its loss
 * downloaded (two host round trips). {@code stepOnDevice}: the way the trainer runs an epoch, from a data set
 * kept on the device (each batch gathered there, losses left in the device's log), sixteen steps per
 * synchronization. Inputs are seeded uniform [0, 1) images with seeded labels.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrainStepBenchmark {
    @Param({"bp", "fa", "dfa", "usf", "frsf", "brsf", "kp"})
    public String rule;

    @Param({"opencl:pocl"})
    public String device;

    private Device d;
    private Mlp net;
    private float[] x, y;
    private Matrix examples, order;
    static final int QUEUED = 16;

    @Setup(Level.Trial)
    public void setUp() {
        d = Devices.open(device);
        FeedbackRule r = FeedbackRule.parse(rule);
        net = new Mlp(d, new int[] {784, 256, 256, 10}, Activation.TANH, new FeedbackRule[] {r, r}, 64, false, 1);
        Random rnd = new Random(3);
        x = new float[64 * 784];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
        y = new float[64 * 10];
        for (int i = 0; i < 64; i++) y[i * 10 + rnd.nextInt(10)] = 1f;
        net.trainStep(x, y, 64, 0.05f, 0f, 0f, false);
        float[] xs = new float[QUEUED * 64 * 784], ys = new float[QUEUED * 64 * 10], idx = new float[QUEUED * 64];
        for (int i = 0; i < xs.length; i++) xs[i] = rnd.nextFloat();
        for (int i = 0; i < QUEUED * 64; i++) {
            ys[i * 10 + rnd.nextInt(10)] = 1f;
            idx[i] = (i * 7919) % (QUEUED * 64);  // a fixed shuffle
        }
        examples = d.upload(net.packExamples(xs, ys, QUEUED * 64), QUEUED * 64, net.exampleWidth());
        order = d.upload(idx, 1, QUEUED * 64);
    }

    @Benchmark
    public double step() {
        return net.trainStep(x, y, 64, 0.05f, 0f, 0f, false);
    }

    @Benchmark
    @OperationsPerInvocation(QUEUED)
    public double stepOnDevice() {
        for (int s = 0; s < QUEUED; s++) net.trainStepOnDevice(examples, order.view(0, s * 64, 1, 64), 0.05f, 0f, 0f, false);
        return net.drainLoss();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        examples.close();
        order.close();
        net.close();
        d.close();
    }
}

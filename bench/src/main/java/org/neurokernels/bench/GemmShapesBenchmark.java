package org.neurokernels.bench;


import java.util.concurrent.TimeUnit;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * GEMM at the training shapes of a 784-256-256-10 MLP with batch 64: the forward products X W^T (NT),
 * the backward deltas Δ W (NN) and the weight gradients Δ^T H (TN). {@code shape} is "MxKxN OP", C being
 * M x N, op(A) M x K, op(B) K x N, OP the transposes of A and B. {@code gemm}: one call = one GEMM, device
 * synchronized (a device's launch-and-wait floor included). {@code gemmQueued}: sixteen GEMMs queued, then one
 * synchronization, per 16 operations, as in a training step where the host never waits between kernels;
 * CLBlast is queued the same way on its own queue. EJML has no queue: both methods time it per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmShapesBenchmark {
    @Param({"neurokernels-opencl", "clblast", "ejml"})
    public String impl;

    @Param({"64x784x256 NT", "64x256x256 NT", "64x256x10 NT", "64x10x256 NN", "64x256x256 NN",
            "10x64x256 TN", "256x64x256 TN", "256x64x784 TN"})
    public String shape;

    int m, k, n;
    boolean ta, tb;
    private Device device;
    private Matrix a, b, c;
    private FMatrixRMaj ea, eb, ec;
    private ClBlastSgemm clblast;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(" ");
        String[] dims = parts[0].split("x");
        m = Integer.parseInt(dims[0]);
        k = Integer.parseInt(dims[1]);
        n = Integer.parseInt(dims[2]);
        ta = parts[1].charAt(0) == 'T';
        tb = parts[1].charAt(1) == 'T';
        int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
        float[] ha = GemmBenchmark.random(ar * ac, 1), hb = GemmBenchmark.random(br * bc, 2);
        switch (impl) {
            case "neurokernels-opencl":
            case "neurokernels-cuda":
                device = Devices.open(impl.endsWith("opencl") ? System.getProperty("nk.opencl", "opencl:pocl") : System.getProperty("nk.cuda", "cuda:0"));
                a = device.upload(ha, ar, ac);
                b = device.upload(hb, br, bc);
                c = device.allocate(m, n);
                run();
                break;
            case "ejml":
                ea = new FMatrixRMaj(ar, ac, true, ha);
                eb = new FMatrixRMaj(br, bc, true, hb);
                ec = new FMatrixRMaj(m, n);
                break;
            case "clblast":
                clblast = new ClBlastSgemm(System.getProperty("nk.opencl", "opencl:pocl"), ha, hb, m, n, k, ta, tb);
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    private void run() {
        switch (impl) {
            case "ejml":
                if (ta && tb) CommonOps_FDRM.multTransAB(ea, eb, ec);
                else if (ta) CommonOps_FDRM.multTransA(ea, eb, ec);
                else if (tb) CommonOps_FDRM.multTransB(ea, eb, ec);
                else CommonOps_FDRM.mult(ea, eb, ec);
                break;
            case "clblast":
                clblast.run();
                break;
            default:
                device.gemm(Trans.of(ta), Trans.of(tb), 1f, a, b, 0f, c);
                device.synchronize();
        }
    }

    @Benchmark
    public void gemm(Blackhole bh) {
        run();
        bh.consume(impl.equals("ejml") ? ec : impl.equals("clblast") ? clblast.output() : c);
    }

    static final int QUEUED = 16;

    @Benchmark
    @OperationsPerInvocation(QUEUED)
    public void gemmQueued(Blackhole bh) {
        switch (impl) {
            case "ejml":
                for (int i = 0; i < QUEUED; i++) run();
                break;
            case "clblast":
                clblast.runQueued(QUEUED);
                break;
            default:
                for (int i = 0; i < QUEUED; i++) device.gemm(Trans.of(ta), Trans.of(tb), 1f, a, b, 0f, c);
                device.synchronize();
        }
        bh.consume(impl.equals("ejml") ? ec : impl.equals("clblast") ? clblast.output() : c);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (device != null) device.close();
        if (clblast != null) clblast.close();
    }
}

package org.neurokernels.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.learning.recurrent.RecurrentParameters;
import org.neurokernels.learning.recurrent.Sequences;
import org.neurokernels.learning.recurrent.SineWaves;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Params;
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
 * rnn_grad on the pattern-generation task's shapes (1000 steps, 100 LIF neurons, 100 inputs, one output,
 * batch 1) with e-prop: {@code fused} is one launch of all 1000 steps; {@code single} is 1000 launches of one
 * step each (views of the step's columns of x, target, y, z and d). A single-step launch starts from rest
 * and clears the sequence's gradient and traces, as every rnn_grad launch does, which a kernel carrying state
 * across launches would not; it is the op launched per step, not a separate single-step kernel. One call =
 * the 1000 steps, device synchronized.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
public class RnnGradBenchmark {
    @Param({"fused", "single"})
    public String impl;

    @Param({"opencl:pocl"})
    public String device;

    private static final int N = 100, M = 100, K = 1, T = 1000;
    private Device d;
    private final Op op = OpRegistry.get("rnn_grad");
    private final List<Matrix> owned = new ArrayList<>();
    private Map<String, Matrix> fused;
    private final List<Map<String, Matrix>> steps = new ArrayList<>();
    private Params fusedParams, stepParams;

    private Matrix keep(Matrix m) {
        owned.add(m);
        return m;
    }

    @Setup(Level.Trial)
    public void setUp() {
        d = Devices.open(device);
        double g = 1 - Math.exp(-1.0 / 30);
        RecurrentParameters p = RecurrentParameters.random(N, M, K, g, g, g, true, 2);
        Sequences s = SineWaves.task(M, T, 1);
        Map<String, Matrix> w = new LinkedHashMap<>();
        w.put("w_in", keep(d.upload(p.wIn, N, M)));
        w.put("w_rec", keep(d.upload(p.wRec, N, N)));
        w.put("bias", keep(d.upload(p.b, 1, N)));
        w.put("w_out", keep(d.upload(p.wOut, K, N)));
        w.put("b_out", keep(d.upload(p.bOut, 1, K)));
        w.put("feedback", keep(d.upload(p.symmetricFeedback(), N, K)));
        Matrix x = keep(d.upload(s.x(), 1, T * M)), target = keep(d.upload(s.target(), 1, T * K));
        Matrix y = keep(d.allocate(1, T * K)), z = keep(d.allocate(1, T * N)), dd = keep(d.allocate(1, T * N));
        Matrix grad = keep(d.allocate(1, N * M + N * N + N + K * N + K)), loss = keep(d.allocate(1, 1)), traces = keep(d.allocate(1, 2 * N * (N + M + 1)));
        fused = new LinkedHashMap<>(w);
        fused.putAll(Map.of("x", x, "target", target, "y", y, "z", z, "d", dd, "grad", grad, "loss", loss, "traces", traces));
        for (int t = 0; t < T; t++) {
            Map<String, Matrix> one = new LinkedHashMap<>(w);
            one.putAll(Map.of("x", x.view(0, t * M, 1, M), "target", target.view(0, t * K, 1, K), "y", y.view(0, t * K, 1, K),
                    "z", z.view(0, t * N, 1, N), "d", dd.view(0, t * N, 1, N), "grad", grad, "loss", loss, "traces", traces));
            steps.add(one);
        }
        fusedParams = params(T);
        stepParams = params(1);
        run();
    }

    private Params params(int count) {
        return op.params(Map.of("network", "1", "steps", Integer.toString(count), "alpha", Float.toString((float) Math.exp(-1.0 / 30)),
                "kappa", Float.toString((float) Math.exp(-1.0 / 30)), "v_th", "0.03", "gamma", "0.3", "rule", "1"));
    }

    private void run() {
        if (impl.equals("fused")) {
            d.run(op, fused, fusedParams);
        } else {
            for (Map<String, Matrix> one : steps) d.run(op, one, stepParams);
        }
        d.synchronize();
    }

    @Benchmark
    public void sequence() { run(); }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Matrix m : owned) m.close();
        d.close();
    }
}

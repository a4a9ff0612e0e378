package org.neurokernels.opencl;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.neurokernels.Device;
import org.neurokernels.GemmConfig;
import org.neurokernels.GemmTuning;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;
import org.neurokernels.ops.Check;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.reference.JavaDevice;

/**
 * The GEMM tuner behind {@code neurokernels tune}: builds the kernels once per candidate
 * {@link GemmConfig}, checks the candidate against the reference on an awkward shape, times it on a
 * square GEMM and on a training-shaped one, and stores the candidate with the best geometric-mean
 * GFLOP/s in the tuning file, where later device opens find it.
 */
public final class Tuner {
    private Tuner() { }

    /** One candidate's outcome: GFLOP/s per timed shape (empty when it failed), and why it failed. */
    public record Trial(GemmConfig config, double[] gflops, double score, String failure) { }

    /** The timed shapes: (m, n, k, transB) — square n, and the batch-64 hidden layer 64 x 784 -> 256. */
    static int[][] shapes(int n) { return new int[][] {{n, n, n, 0}, {64, 256, 784, 1}}; }

    public static List<Trial> run(int platform, int device, int n, int reps, Consumer<Trial> progress) {
        List<Trial> trials = new ArrayList<>();
        for (GemmConfig c : GemmConfig.candidates()) {
            Trial t = trial(platform, device, c, n, reps);
            trials.add(t);
            if (progress != null) progress.accept(t);
        }
        return trials;
    }

    static Trial trial(int platform, int device, GemmConfig c, int n, int reps) {
        try (OpenClDevice d = new OpenClDevice(platform, device, c); JavaDevice ref = new JavaDevice()) {
            String wrong = check(d, ref);
            if (wrong != null) return new Trial(c, new double[0], 0, wrong);
            int[][] shapes = shapes(n);
            double[] gf = new double[shapes.length];
            double logSum = 0;
            for (int s = 0; s < shapes.length; s++) {
                gf[s] = time(d, shapes[s], reps);
                logSum += Math.log(gf[s]);
            }
            return new Trial(c, gf, Math.exp(logSum / shapes.length), null);
        } catch (RuntimeException e) {
            return new Trial(c, new double[0], 0, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String check(Device d, Device ref) {
        Op gemm = OpRegistry.get("gemm");
        Op.Case c = new Op.Case(Map.of("a", new int[] {131, 67}, "b", new int[] {29, 131}, "c", new int[] {67, 29}),
                Map.of("trans_a", "true", "trans_b", "true", "alpha", "0.5", "beta", "2"));
        var p = gemm.params(c.params());
        Map<String, HostMatrix> in = gemm.randomInputs(c, new Random(11));
        Map<String, HostMatrix> want = gemm.execute(ref, in, p);
        Check.Result r = Check.compare(gemm.execute(d, in, p).get("c"), want.get("c"), gemm.error("c", in, want, p));
        return r.pass() ? null : "wrong result: " + r.summary();
    }

    private static double time(Device d, int[] s, int reps) {
        int m = s[0], n = s[1], k = s[2];
        boolean tb = s[3] == 1;
        Random r = new Random(5);
        float[] ha = new float[m * k], hb = new float[k * n];
        for (int i = 0; i < ha.length; i++) ha[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < hb.length; i++) hb[i] = r.nextFloat() - 0.5f;
        try (Matrix a = d.upload(ha, m, k); Matrix b = tb ? d.upload(hb, n, k) : d.upload(hb, k, n); Matrix c = d.allocate(m, n)) {
            Trans t = tb ? Trans.T : Trans.N;
            d.gemm(Trans.N, t, 1f, a, b, 0f, c);
            d.synchronize();
            int inner = Math.max(1, (int) (2e8 / (2.0 * m * n * k)));  // ~0.2 GFLOP per timed sample
            double[] secs = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                for (int j = 0; j < inner; j++) d.gemm(Trans.N, t, 1f, a, b, 0f, c);
                d.synchronize();
                secs[i] = (System.nanoTime() - t0) * 1e-9 / inner;
            }
            Arrays.sort(secs);
            return 2.0 * m * n * k / secs[reps / 2] * 1e-9;
        }
    }

    /** The best passing trial, stored for this device; returns it. */
    public static Trial storeBest(int platform, int device, List<Trial> trials) throws IOException {
        Trial best = trials.stream().filter(t -> t.failure() == null).max((x, y) -> Double.compare(x.score(), y.score()))
                .orElseThrow(() -> new IllegalStateException("no GEMM candidate passed its check"));
        try (OpenClDevice d = new OpenClDevice(platform, device, best.config())) {
            GemmTuning.store(OpenClDevice.tuningKey(d.info()), best.config());
        }
        return best;
    }
}

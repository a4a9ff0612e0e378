package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * rate_multistep: {@code steps} steps of rate_step for a small network in one launch, the drive
 * x = bias + r W_rec^T + u_t W_in^T computed inside from the transposed weights (nk_rate_multistep_cpu and
 * nk_rate_multistep in kernels-opencl/dynamics.cl (compiled for CUDA too); reference
 * {@link #reference}). Bound: 40 u per step on S_j = 1 + |b_j| + Σ_k |W_jk| + Σ_q |W_in,jq| max|u|,
 * compounded over the steps by (1 + L), L the largest Σ_k |W_jk| (how far an error can grow in one step).
 */
public final class RateMultistepOp extends Op {
    /** nk_rate_multistep_cpu's arguments (kernels-opencl/dynamics.cl: one work-item per 8 trials, networks up to 512 units). */
    private static final String[] ARGS = {"i:r_rows", "i:r_cols", "i:has_w_in_t ? w_in_t_rows : 0", "i:steps", "i:activation", "i:exp_euler",
        "m:r", "m:w_rec_t", "m:w_in_t", "m:u", "i:has_u", "m:bias", "m:c", "m:tau", "f:noise_scale", "seedlo:seed", "seedhi:seed", "i:stream",
        "i:step0", "m:rec", "i:has_rec ? record_every : 0"};
    /** nk_rate_multistep's: the same and the network's rates in local memory (one work-group per trial). */
    private static final String[] LOCAL_ARGS = java.util.stream.Stream.concat(java.util.Arrays.stream(ARGS), java.util.stream.Stream.of("local:r_cols"))
            .toArray(String[]::new);
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("rate_multistep",
            Rule.of("cpu && r_cols <= 512", Step.of("nk_rate_multistep_cpu", "cdiv(r_rows, 8)", "1", "1", "1", ARGS)),
            Rule.of("1", Step.of("nk_rate_multistep", "r_rows * (rup(r_cols, 16) > maxwg ? r_cols : rup(r_cols, 16))", "1",
                    "rup(r_cols, 16) > maxwg ? r_cols : rup(r_cols, 16)", "1", LOCAL_ARGS)));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public RateMultistepOp() {
        super("rate_multistep", "steps x rate_step in one launch; x = bias + r W_rec^T + u_t W_in^T from transposed weights",
                List.of(Spec.Tensor.of("r", "b x n", "rates (in place)"), Spec.Tensor.of("w_rec_t", "n x n", "W_rec transposed (pre x post)"),
                        Spec.Tensor.of("bias", "1 x n", "b"), Spec.Tensor.of("c", "1 x n", "dt/tau or exp(-dt/tau)"),
                        Spec.Tensor.optional("tau", "1 x n", "time constants (ms), for noise"),
                        Spec.Tensor.optional("w_in_t", "m x n", "W_in transposed"), Spec.Tensor.optional("u", "steps * b x m", "inputs, row t b + batch")),
                List.of(Spec.Tensor.of("r", "b x n", "rates after the steps"),
                        Spec.Tensor.optional("rec", "floor(steps / record_every) * b x n", "the rates after every record_every-th step, when given")),
                List.of(new Spec.Param("steps", "int", "1", "number of steps"), new Spec.Param("activation", "activation", "tanh", "f"),
                        new Spec.Param("exp_euler", "bool", "true", "exponential Euler (else forward Euler)"),
                        new Spec.Param("noise_scale", "float", "0", "sigma sqrt(dt)"), new Spec.Param("seed", "uint64", "0", "Philox key"),
                        new Spec.Param("stream", "int", "0", "Philox counter word 1"), new Spec.Param("step0", "int", "0", "counter word 2 of the first step"),
                        new Spec.Param("record_every", "int", "1", "steps between the recorded rates (with rec)")));
    }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("has_u == has_w_in_t", "give both u and w_in_t, or neither"),
                new Spec.Require("noise_scale == 0 || has_tau", "noise needs tau"),
                new Spec.Require("steps >= 1", "steps must be positive"),
                new Spec.Require("!has_rec || (record_every >= 1 && record_every <= steps)", "rec needs 1 <= record_every <= steps"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] r = in.get("r");
        int m = in.containsKey("w_in_t") ? in.get("w_in_t")[0] : 0;
        return (double) p.getInt("steps") * r[0] * (2.0 * r[1] * (r[1] + m) + 6.0 * r[1]);
    }

    @Override public Set<String> inPlace() { return Set.of("r"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.rateMultistep(p.getActivation("activation"), p.getBool("exp_euler"), p.getInt("steps"), out.get("r"), in.get("w_rec_t"), in.get("w_in_t"),
                in.get("u"), in.get("bias"), in.get("c"), in.get("tau"), p.getFloat("noise_scale"), p.getUint64("seed"),
                p.getInt("stream"), p.getInt("step0"), null, 0);
    }

    /**
     * The reference: steps steps of r (batch x n, in place) in double, row-major: wT n x n, winT m x n and u
     * (steps * batch) x m (both null, m = 0, without inputs), bias, c, tau 1 x n; rec, when not null, gets
     * the rates after every recordEvery-th step.
     */
    public static void reference(Activation f, boolean exponentialEuler, int steps, float[] r, float[] wT, float[] winT, int m, float[] u,
                                 float[] bias, float[] c, float[] tau, float noiseScale, long seed, int stream, int step0,
                                 float[] rec, int recordEvery, int batch, int n) {
        for (int t = 0; t < steps; t++) {
            double[][] next = new double[batch][n];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < n; j++) {
                    double x = bias[j];
                    for (int k = 0; k < n; k++) x += (double) wT[k * n + j] * r[b * n + k];
                    if (u != null) for (int q = 0; q < m; q++) x += (double) winT[q * n + j] * u[(t * batch + b) * m + q];
                    double ri = r[b * n + j], fx = f.apply((float) x), cj = c[j];
                    double v = exponentialEuler ? cj * ri + (1 - cj) * fx : ri + cj * (fx - ri);
                    if (noiseScale != 0f) v += noiseScale / (double) tau[j] * org.neurokernels.random.Philox.normal(b * n + j, seed, stream, step0 + t);
                    next[b][j] = v;
                }
            }
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < n; j++) {
                    r[b * n + j] = (float) next[b][j];
                    if (rec != null && (t + 1) % recordEvery == 0) rec[(((t + 1) / recordEvery - 1) * batch + b) * n + j] = (float) next[b][j];
                }
            }
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int[][] sizes = quick ? new int[][] {{3, 17}, {4, 130}} : new int[][] {{1, 1}, {3, 17}, {2, 63}, {5, 64}, {4, 130}, {64, 128}};
        int k = 0;
        for (int[] s : sizes) {
            int b = s[0], n = s[1], m = 3, steps = 3;
            boolean inputs = k % 2 == 0, noise = k % 3 == 1;
            Map<String, int[]> sh = new LinkedHashMap<>(shapes("r", shape(b, n), "w_rec_t", shape(n, n), "bias", shape(1, n), "c", shape(1, n)));
            if (noise) sh.put("tau", shape(1, n));
            if (inputs) {
                sh.put("w_in_t", shape(m, n));
                sh.put("u", shape(steps * b, m));
            }
            cases.add(new Case(sh, Map.of("steps", Integer.toString(steps), "activation", Activation.values()[k % 5].id(),
                    "exp_euler", Boolean.toString(k % 2 == 0), "noise_scale", noise ? "0.2" : "0", "seed", "31", "stream", "1", "step0", "5")));
            k++;
        }
        return cases;
    }

    /** Recurrent weights scaled by 1/n so the drive stays O(1); c in (0, 1); tau 5..50 ms. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            double x = rnd.nextDouble();
            switch (input) {
                case "w_rec_t": d[i] = (float) ((2 * x - 1) / rows); break;
                case "c": d[i] = (float) (0.05 + 0.9 * x); break;
                case "tau": d[i] = (float) (5 + 45 * x); break;
                default: d[i] = (float) (2 * x - 1);
            }
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix w = in.get("w_rec_t"), bias = in.get("bias"), win = in.get("w_in_t"), u = in.get("u");
        int n = w.cols(), steps = p.getInt("steps");
        double maxU = 0, lip = 0;
        if (u != null) for (float x : u.data()) maxU = Math.max(maxU, Math.abs(x));
        double[] sj = new double[n];
        for (int j = 0; j < n; j++) {
            double rowSum = 0;
            for (int k = 0; k < n; k++) rowSum += Math.abs(w.get(k, j));
            lip = Math.max(lip, rowSum);
            double in2 = 0;
            if (win != null) for (int q = 0; q < win.rows(); q++) in2 += Math.abs(win.get(q, j)) * maxU;
            sj[j] = 1 + Math.abs(bias.get(0, j)) + rowSum + in2 + (p.getFloat("noise_scale") != 0f ? 6 * p.getFloat("noise_scale") : 0);
        }
        HostMatrix r = in.get("r");
        double[] s = new double[r.data().length];
        for (int e = 0; e < s.length; e++) s[e] = sj[e % n];
        double growth = Math.pow(1 + lip, steps);
        return new ErrorModel(s, 40 * ErrorModel.U * steps * growth, "|r - ref| <= 40 u steps (1 + L)^steps S_j, L = " + String.format(java.util.Locale.ROOT, "%.3g", lip));
    }
}

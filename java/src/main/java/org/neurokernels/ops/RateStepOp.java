package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;
import org.neurokernels.random.Philox;

/**
 * rate_step: one step of a firing-rate population, r = r + c (f(x) - r) (forward Euler, c = dt/tau) or
 * r = c r + (1 - c) f(x) (exponential Euler, c = e^{-dt/tau}), plus noise_scale / tau N(0, 1) from Philox
 * (nk_rate_step in kernels-opencl/dynamics.cl, compiled for CUDA too; reference
 * {@link #reference}). Bound: 40 u (|r| + |f(x)| + |noise_scale / tau| sqrt(-2 ln u1)): f within 16 ulp,
 * the normal within its log/cos/sqrt accuracy relative to its envelope sqrt(-2 ln u1) (the cosine's angle is
 * rounded, so near its zeros the error is a fraction of the envelope, not of the normal), a few roundings.
 */
public final class RateStepOp extends Op {
    private static final String[] ARGS = {"i:r_rows", "i:r_cols", "i:activation", "i:exp_euler", "m:r", "m:x", "m:c", "m:tau",
        "f:noise_scale", "seedlo:seed", "seedhi:seed", "i:stream", "i:step"};
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("rate_step",
            Rule.of("cpu", Step.of("nk_rate_step16", "rup(r_rows * cdiv(r_cols, 16), 64)", "1", "64", "1", ARGS)),
            Rule.of("1", Step.of1d("nk_rate_step", "r_size", ARGS)));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("noise_scale == 0 || has_tau", "noise needs tau (1 x n)"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public RateStepOp() {
        super("rate_step", "r <- r + c (f(x) - r) (euler) or c r + (1 - c) f(x) (exp_euler), + noise_scale / tau N(0,1)",
                List.of(Spec.Tensor.of("r", "b x n", "rates (updated in place)"), Spec.Tensor.of("x", "b x n", "drive W_rec r + W_in u + b"),
                        Spec.Tensor.of("c", "1 x n", "dt/tau (euler) or exp(-dt/tau) (exp_euler) per neuron"),
                        Spec.Tensor.optional("tau", "1 x n", "time constants (ms), needed for noise")),
                List.of(Spec.Tensor.of("r", "b x n", "rates after the step")),
                List.of(new Spec.Param("activation", "activation", "tanh", "f"),
                        new Spec.Param("exp_euler", "bool", "true", "exponential Euler (else forward Euler)"),
                        new Spec.Param("noise_scale", "float", "0", "sigma sqrt(dt)"),
                        new Spec.Param("seed", "uint64", "0", "Philox key"), new Spec.Param("stream", "int", "0", "Philox counter word 1"),
                        new Spec.Param("step", "int", "0", "Philox counter word 2")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] r = in.get("r");
        return 6.0 * r[0] * r[1];
    }

    @Override public Set<String> inPlace() { return Set.of("r"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.rateStep(p.getActivation("activation"), p.getBool("exp_euler"), out.get("r"), in.get("x"), in.get("c"), in.get("tau"),
                p.getFloat("noise_scale"), p.getUint64("seed"), p.getInt("stream"), p.getInt("step"));
    }

    /** The reference: one step of r (rows x cols, row-major, in place) from x, with c and tau (1 x cols; tau only for noise), in double. */
    public static void reference(Activation f, boolean exponentialEuler, float[] r, float[] x, float[] c, float[] tau, float noiseScale,
                                 long seed, int stream, int step, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double ri = r[i * cols + j], fx = f.apply(x[i * cols + j]), cj = c[j];
                double next = exponentialEuler ? cj * ri + (1 - cj) * fx : ri + cj * (fx - ri);
                if (noiseScale != 0f) next += noiseScale / (double) tau[j] * Philox.normal(i * cols + j, seed, stream, step);
                r[i * cols + j] = (float) next;
            }
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int k = 0;
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            Activation f = Activation.values()[k % Activation.values().length];
            boolean noise = k % 2 == 1;
            Map<String, int[]> sh = noise ? shapes("r", s, "x", s, "c", shape(1, s[1]), "tau", shape(1, s[1])) : shapes("r", s, "x", s, "c", shape(1, s[1]));
            cases.add(new Case(sh, Map.of("activation", f.id(), "exp_euler", Boolean.toString(k % 3 != 0),
                    // noise from small to dominating the drive (its bound scales with the normal's envelope)
                    "noise_scale", noise ? (k % 4 == 1 ? "0.3" : "100") : "0", "seed", Integer.toString(99 + k), "stream", "2", "step", Integer.toString(17 * k))));
            k++;
        }
        return cases;
    }

    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        if (input.equals("c")) {
            float[] d = new float[rows * cols];
            for (int i = 0; i < d.length; i++) d[i] = (float) (0.01 + 0.98 * rnd.nextDouble());
            return d;
        }
        if (input.equals("tau")) {
            float[] d = new float[rows * cols];
            for (int i = 0; i < d.length; i++) d[i] = (float) (5 + 45 * rnd.nextDouble());
            return d;
        }
        return super.generate(input, rows, cols, p, rnd);
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix r = in.get("r"), x = in.get("x"), tau = in.get("tau");
        Activation f = p.getActivation("activation");
        float noise = p.getFloat("noise_scale");
        long seed = p.getUint64("seed");
        double[] s = new double[r.data().length];
        for (int e = 0; e < s.length; e++) {
            s[e] = Math.abs(r.data()[e]) + Math.abs(f.apply(x.data()[e])) + Float.MIN_NORMAL;
            if (noise != 0f) {
                // the normal's envelope sqrt(-2 ln u1), not the normal: near a zero of cos(2 pi u2) its error is
                // the angle's rounding times the envelope
                s[e] += Math.abs(noise / tau.data()[e % r.cols()] * Philox.normalEnvelope(e, seed, p.getInt("stream"), p.getInt("step")));
            }
        }
        return new ErrorModel(s, 40 * ErrorModel.U, "|r - ref| <= 40 u (|r| + |f(x)| + |noise_scale / tau| sqrt(-2 ln u1))");
    }
}

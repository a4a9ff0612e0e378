package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.Activation;
import org.neurokernels.learning.recurrent.GradientRule;
import org.neurokernels.learning.recurrent.RecurrentLifNetwork;
import org.neurokernels.learning.recurrent.RecurrentParameters;
import org.neurokernels.learning.recurrent.RecurrentRateNetwork;
import org.neurokernels.learning.recurrent.SequenceResult;
import org.neurokernels.learning.recurrent.Sequences;
import org.neurokernels.plan.OpPlan;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;

/**
 * rnn_grad: a recurrent rate or LIF network run over a batch of sequences and its gradient by BPTT, e-prop
 * or RFLO, in one launch (nk_rnn_grad in kernels-opencl/learning.cl, compiled for CUDA too). One work-group
 * per sequence. The online rules keep only each weight's current eligibility trace and its readout-filtered
 * version (traces), never their history; BPTT keeps y, z and d, which are outputs anyway. Every output is per
 * sequence (grad row b is sequence b's gradient in the order W_in, W_rec, b, W_out, b_out, each row-major);
 * the caller sums the rows. The equations are {@link RecurrentRateNetwork} and {@link RecurrentLifNetwork}'s
 * (docs/recurrent-learning.md), and the reference is theirs, in double.
 *
 * <p>Bound: every element of an output block (a row's y, z, d, loss, and each parameter's gradient and
 * traces) within 16 u T (N + M + K + 1) of the block's largest reference magnitude: T steps of sums of
 * N + M + K terms in float, with parameters drawn so that the recurrence does not amplify errors. A
 * cross-entropy loss, log-sum-exp minus the target's logit, is measured against the logits' size (at least 1),
 * and its gradient, linear in softmax(y) - y* (accurate to u of 1, not of itself), as if that were of size 1. LIF spikes
 * are thresholds: a float membrane within rounding of v_th may fire where the double one does not, which
 * fails the case (the draws make this unlikely, some 10^-4 per case).
 */
public final class RnnGradOp extends Op {
    private static final String[] ARGS = {"i:w_in_rows", "i:w_in_cols", "i:w_out_rows", "i:steps", "i:network", "i:activation",
        "f:alpha", "f:kappa", "f:v_th", "f:gamma", "i:refractory_steps", "i:rule", "i:stop_reset", "i:objective", "i:has_rate_signal",
        "m:w_in", "m:w_rec", "m:bias", "m:w_out", "m:b_out", "m:feedback", "m:x", "m:target", "m:rate_signal",
        "m:y", "m:z", "m:d", "m:grad", "m:loss", "m:traces", "local:7 * w_in_rows + 2 * w_in_cols + 2 * w_out_rows + 5"};
    /** One work-group of 64 (the kernel's RNN_LOCAL) per sequence. */
    public static final OpPlan PLAN = OpPlan.of("rnn_grad", Rule.of("1", Step.of("nk_rnn_grad", "x_rows * 64", "1", "64", "1", ARGS)));

    public RnnGradOp() {
        super("rnn_grad", "a recurrent rate or LIF network over a batch of sequences and its gradient (BPTT, e-prop, RFLO) in one launch",
                List.of(Spec.Tensor.of("w_in", "n x m", "input weights W_in"), Spec.Tensor.of("w_rec", "n x n", "recurrent weights (row j: onto unit j; LIF ignores the diagonal)"),
                        Spec.Tensor.of("bias", "1 x n", "b"), Spec.Tensor.of("w_out", "k x n", "readout weights W_out"), Spec.Tensor.of("b_out", "1 x k", "readout bias"),
                        Spec.Tensor.optional("feedback", "n x k", "B, the learning signal's weights (e-prop, RFLO): W_out^T or fixed random"),
                        Spec.Tensor.of("x", "b x steps * m", "inputs: row b is sequence b, step t at columns t m .. t m + m - 1"),
                        Spec.Tensor.of("target", "b x steps * k", "targets y* (one-hot at the last step for objective 1)"),
                        Spec.Tensor.optional("rate_signal", "1 x n", "LIF: R_j, the rate penalty's dE/dz_j at every step (from the batch's rates)")),
                List.of(Spec.Tensor.of("y", "b x steps * k", "readout"), Spec.Tensor.of("z", "b x steps * n", "spikes (LIF) or rates f(h)"),
                        Spec.Tensor.of("d", "b x steps * n", "postsynaptic factor: pseudo-derivative psi (LIF) or f'(h)"),
                        Spec.Tensor.of("grad", "b x n * m + n * n + n + k * n + k", "each sequence's gradient: W_in, W_rec, b, W_out, b_out"),
                        Spec.Tensor.of("loss", "b x 1", "each sequence's task loss"),
                        Spec.Tensor.of("traces", "b x 2 * n * (n + m + 1)", "F_kappa(e) of W_in, W_rec, b at the last step, then RFLO's P (zeros where unused)")),
                List.of(new Spec.Param("network", "int", "0", "0 rate, 1 LIF"), new Spec.Param("steps", "int", "1", "steps T per sequence"),
                        new Spec.Param("activation", "activation", "tanh", "rate network: f"),
                        new Spec.Param("alpha", "float", "0.9", "exp(-dt/tau) of the units (tau_m for LIF)"),
                        new Spec.Param("kappa", "float", "0.9", "exp(-dt/tau_out) of the readout"),
                        new Spec.Param("v_th", "float", "0.03", "LIF threshold"), new Spec.Param("gamma", "float", "0.3", "LIF pseudo-derivative's height"),
                        new Spec.Param("refractory_steps", "int", "0", "LIF refractory steps"),
                        new Spec.Param("rule", "int", "0", "0 BPTT, 1 e-prop, 2 RFLO (rate network), 3 forward only (gradient 0)"),
                        new Spec.Param("stop_reset", "bool", "false", "LIF BPTT: drop the reset's gradient"),
                        new Spec.Param("objective", "int", "0", "0 squared error every step, 1 softmax cross-entropy at the last step")));
    }

    @Override public OpPlan plan() { return PLAN; }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("network == 0 || network == 1", "network must be 0 (rate) or 1 (LIF)"),
                new Spec.Require("rule >= 0 && rule <= 3", "rule must be 0 (BPTT), 1 (e-prop), 2 (RFLO) or 3 (forward only)"),
                new Spec.Require("rule != 2 || network == 0", "RFLO is a rule of the rate network"),
                new Spec.Require("rule == 0 || rule == 3 || has_feedback", "e-prop and RFLO need feedback"),
                new Spec.Require("!has_rate_signal || network == 1", "rate_signal is the LIF network's"),
                new Spec.Require("objective == 0 || objective == 1", "objective must be 0 (squared error) or 1 (cross-entropy)"),
                new Spec.Require("steps >= 1", "steps must be at least 1"),
                new Spec.Require("n <= 512 && m <= 1024", "at most 512 units and 1024 inputs (local memory: 7 n + 2 m + 2 k + 5 floats)"),
                new Spec.Require("k <= 64", "at most 64 outputs"),
                new Spec.Require("steps * (n + m + k) <= 16777216", "steps x (n + m + k) must stay below 2^24"),
                new Spec.Require("network == 0 || v_th > 0", "v_th must be positive"),
                new Spec.Require("refractory_steps >= 0 && refractory_steps <= 16777216", "refractory_steps must lie in [0, 2^24]"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int n = in.get("w_in")[0], m = in.get("w_in")[1], k = in.get("w_out")[0], b = in.get("x")[0];
        double forward = 2.0 * n * (n + m) + 2.0 * k * n, grad = p.getInt("rule") == 3 ? 0 : p.getInt("rule") == 0 ? 2.0 * n * (n + m + 2 * k) : 6.0 * n * (n + m + 1) + 4.0 * k * n;
        return (double) b * p.getInt("steps") * (forward + grad);
    }

    @Override public Map<String, HostMatrix> reference(Map<String, HostMatrix> in, Params p) {
        int n = in.get("w_in").rows(), m = in.get("w_in").cols(), k = in.get("w_out").rows(), batch = in.get("x").rows(), steps = p.getInt("steps");
        RecurrentParameters par = new RecurrentParameters(n, m, k);
        String[] names = {"w_in", "w_rec", "bias", "w_out", "b_out"};
        float[][] to = par.arrays();
        for (int a = 0; a < names.length; a++) System.arraycopy(in.get(names[a]).data(), 0, to[a], 0, to[a].length);
        Sequences s = new Sequences(batch, steps, m, k, in.get("x").data(), in.get("target").data(), p.getInt("objective") == 1);
        GradientRule rule = GradientRule.values()[p.getInt("rule")];
        float[] fb = in.containsKey("feedback") ? in.get("feedback").data() : null;
        double[] reg = null;
        if (in.containsKey("rate_signal")) {
            reg = new double[n];
            for (int j = 0; j < n; j++) reg[j] = in.get("rate_signal").data()[j];
        }
        int pCols = n * m + n * n + n + k * n + k, eCols = 2 * n * (n + m + 1);
        float[] y = new float[batch * steps * k], z = new float[batch * steps * n], d = new float[batch * steps * n];
        float[] grad = new float[batch * pCols], loss = new float[batch], traces = new float[batch * eCols];
        for (int b = 0; b < batch; b++) {
            SequenceResult r = p.getInt("network") == 1
                    ? new RecurrentLifNetwork(n, m, k, p.getFloat("alpha"), p.getFloat("kappa"), p.getFloat("v_th"), p.getFloat("gamma"),
                            p.getInt("refractory_steps")).sequence(par, s, b, rule, fb, reg, p.getBool("stop_reset"))
                    : new RecurrentRateNetwork(n, m, k, p.getActivation("activation"), p.getFloat("alpha"), p.getFloat("kappa"))
                            .sequence(par, s, b, rule, fb);
            for (int t = 0; t < steps; t++) {
                for (int q = 0; q < k; q++) y[(b * steps + t) * k + q] = (float) r.y()[t][q];
                for (int j = 0; j < n; j++) {
                    z[(b * steps + t) * n + j] = (float) r.z()[t][j];
                    d[(b * steps + t) * n + j] = (float) r.d()[t][j];
                }
            }
            int at = b * pCols;
            for (double[] g : r.gradient().arrays()) for (double v : g) grad[at++] = (float) v;
            loss[b] = (float) r.gradient().loss;
            for (int e = 0; e < eCols; e++) traces[b * eCols + e] = (float) r.traces()[e];
        }
        Map<String, HostMatrix> out = new LinkedHashMap<>();
        out.put("y", new HostMatrix(batch, steps * k, y));
        out.put("z", new HostMatrix(batch, steps * n, z));
        out.put("d", new HostMatrix(batch, steps * n, d));
        out.put("grad", new HostMatrix(batch, pCols, grad));
        out.put("loss", new HostMatrix(batch, 1, loss));
        out.put("traces", new HostMatrix(batch, eCols, traces));
        return out;
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        // b, steps, n, m, k, network, rule, objective, activation, stop_reset, refractory, rate_signal, feedback
        Object[][] all = {{2, 12, 20, 5, 3, 0, 0, 0, "tanh", false, 0, false, false}, {1, 9, 70, 3, 2, 0, 1, 0, "logistic", false, 0, false, true},
                {3, 10, 16, 4, 4, 0, 2, 1, "softplus", false, 0, false, true}, {2, 8, 9, 6, 5, 0, 0, 1, "relu", false, 0, false, true},
                {2, 15, 24, 6, 2, 1, 0, 0, "tanh", false, 2, true, false}, {1, 14, 130, 5, 1, 1, 0, 0, "tanh", true, 0, false, false},
                {2, 15, 24, 6, 2, 1, 1, 0, "tanh", false, 1, true, true}, {3, 10, 17, 7, 4, 1, 1, 1, "tanh", false, 0, false, true}, {2, 6, 12, 3, 2, 0, 3, 0, "tanh", false, 0, false, false},
                {2, 7, 10, 4, 3, 1, 3, 1, "tanh", false, 0, false, false}};
        for (int c = 0; c < all.length; c++) {
            Object[] a = all[c];
            if (quick && (c == 1 || c == 3 || c == 5)) continue;
            int b = (Integer) a[0], steps = (Integer) a[1], n = (Integer) a[2], m = (Integer) a[3], k = (Integer) a[4];
            Map<String, int[]> sh = new LinkedHashMap<>(shapes("w_in", shape(n, m), "w_rec", shape(n, n), "bias", shape(1, n),
                    "w_out", shape(k, n), "b_out", shape(1, k)));
            if ((Boolean) a[12]) sh.put("feedback", shape(n, k));
            sh.put("x", shape(b, steps * m));
            sh.put("target", shape(b, steps * k));
            if ((Boolean) a[11]) sh.put("rate_signal", shape(1, n));
            Map<String, String> pm = new LinkedHashMap<>();
            pm.put("network", a[5].toString());
            pm.put("steps", Integer.toString(steps));
            pm.put("activation", (String) a[8]);
            pm.put("alpha", (Integer) a[5] == 1 ? "0.9" : "0.8");
            pm.put("kappa", "0.85");
            pm.put("v_th", "0.4");
            pm.put("gamma", "0.3");
            pm.put("refractory_steps", a[10].toString());
            pm.put("rule", a[6].toString());
            pm.put("stop_reset", a[9].toString());
            pm.put("objective", a[7].toString());
            cases.add(new Case(sh, pm));
        }
        return cases;
    }

    /**
     * Weights scaled so that the recurrence contracts (W_rec ~ U(-1, 1) / n) and LIF units fire some of the
     * time (inputs in [0, 1), W_in ~ U(-0.5, 1) / m against v_th 0.4); targets U(-1, 1), one-hot rows for
     * the cross-entropy.
     */
    @Override protected float[] generate(String input, Map<String, int[]> shapes, Params p, Random rnd) {
        int n = shapes.get("w_in")[0], m = shapes.get("w_in")[1], k = shapes.get("w_out")[0];
        int[] s = shapes.get(input);
        float[] d = new float[s[0] * s[1]];
        for (int i = 0; i < d.length; i++) {
            double u = rnd.nextDouble();
            d[i] = (float) switch (input) {
                case "w_rec" -> (2 * u - 1) / n;
                case "w_in" -> (1.5 * u - 0.5) * 3 / m;
                case "x" -> u;
                case "bias" -> 0.2 * u - 0.1;
                case "rate_signal" -> 0.1 * u - 0.05;
                case "w_out", "feedback" -> (2 * u - 1) / Math.sqrt(n);
                default -> 2 * u - 1;
            };
        }
        if (input.equals("target") && p.getInt("objective") == 1) {
            java.util.Arrays.fill(d, 0f);
            for (int row = 0; row < d.length / k; row++) d[row * k + rnd.nextInt(k)] = 1f;
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        int n = in.get("w_in").rows(), m = in.get("w_in").cols(), k = in.get("w_out").rows(), steps = p.getInt("steps");
        HostMatrix r = ref.get(output);
        int[] blocks = switch (output) {   // column boundaries of the blocks within a row
            case "grad" -> new int[] {0, n * m, n * m + n * n, n * m + n * n + n, n * m + n * n + n + k * n, r.cols()};
            case "traces" -> {
                int e = n * (n + m + 1);
                yield new int[] {0, n * m, n * m + n * n, e, e + n * m, e + n * m + n * n, r.cols()};
            }
            default -> new int[] {0, r.cols()};
        };
        double[] scale = new double[r.data().length];
        for (int row = 0; row < r.rows(); row++) {
            for (int q = 0; q + 1 < blocks.length; q++) {
                double max = Float.MIN_NORMAL;
                for (int c = blocks[q]; c < blocks[q + 1]; c++) max = Math.max(max, Math.abs(r.data()[row * r.cols() + c]));
                for (int c = blocks[q]; c < blocks[q + 1]; c++) scale[row * r.cols() + c] = max;
            }
        }
        if (output.equals("grad") && p.getInt("objective") == 1) {
            // the gradient is linear in dE/dy^T = softmax(y^T) - y*^T, which float gets to within u of 1, not of itself:
            // a certain class (|dE/dy| small) is measured as if |dE/dy| were 1
            HostMatrix y = ref.get("y"), t = in.get("target");
            for (int row = 0; row < r.rows(); row++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0, err = 0;
                int at = row * y.cols() + (steps - 1) * k;
                for (int q = 0; q < k; q++) max = Math.max(max, y.data()[at + q]);
                for (int q = 0; q < k; q++) sum += Math.exp(y.data()[at + q] - max);
                for (int q = 0; q < k; q++) err = Math.max(err, Math.abs(Math.exp(y.data()[at + q] - max) / sum - t.data()[at + q]));
                for (int c = 0; c < r.cols(); c++) scale[row * r.cols() + c] /= Math.min(1, Math.max(err, 1e-30));
            }
        }
        if (output.equals("loss") && p.getInt("objective") == 1) {
            // -log softmax(y)_target = lse - y_target cancels when the class is certain: scale by the logits' size
            HostMatrix y = ref.get("y");
            for (int row = 0; row < r.rows(); row++) {
                double big = 1;
                for (int q = 0; q < k; q++) big = Math.max(big, Math.abs(y.data()[row * y.cols() + (steps - 1) * k + q]));
                scale[row] = Math.max(scale[row], big);
            }
        }
        return new ErrorModel(scale, 16 * ErrorModel.U * steps * (n + m + k + 1), "|out - ref| <= 16 u T (N + M + K + 1) max|ref| of the block");
    }
}

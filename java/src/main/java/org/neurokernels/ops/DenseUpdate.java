package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * dense_update: the weight and bias gradients of a dense layer and their SGD step in one GEMM launch
 * (epilogue 3 of nk_gemm / nk_gemm_packed / nk_gemm_direct in kernels-opencl, nk_gemm compiled
 * for CUDA from gemm.cl; reference: {@link #reference}). G = delta^T h, g_b = column sums of delta;
 * t = G, or t = v = mu v + G with momentum; W = W - lr (t + decay W); b = b - lr t_b (no decay on biases);
 * with a Kolen-Pollack feedback matrix, the same t steps it too. The gradient is never stored.
 *
 * <p>Bounds, with k the batch, S = Σ_k |delta_ki||h_kj| (the GEMM's scale), S_b = Σ_k |delta_ki| and
 * v the velocity before the step: a weight x (w or feedback) within (k + 8) u (|x| + |lr| (S + |mu v| +
 * |decay x|)); a bias within (k + 8) u (|b| + |lr| (S_b + |mu v_b|)); velocities within (k + 4) u (S + |mu v|).
 */
public final class DenseUpdate extends Op {
    public DenseUpdate() {
        super("dense_update", "G = delta^T h; W = W - lr (t + decay W), t = G or v = mu v + G; b likewise from the column sums of delta (in place)",
                List.of(Spec.Tensor.of("delta", "batch x out", "this layer's delta"),
                        Spec.Tensor.of("h", "batch x in", "this layer's input"),
                        Spec.Tensor.of("w", "out x in", "weights"),
                        Spec.Tensor.optional("b", "1 x out", "biases"),
                        Spec.Tensor.optional("velocity_w", "out x in", "momentum buffer of w (required when momentum != 0)"),
                        Spec.Tensor.optional("velocity_b", "1 x out", "momentum buffer of b (required with b when momentum != 0)"),
                        Spec.Tensor.optional("feedback", "out x in", "Kolen-Pollack feedback matrix, stepped with w")),
                List.of(Spec.Tensor.of("w", "out x in", "updated weights"),
                        Spec.Tensor.optional("b", "1 x out", "updated biases"),
                        Spec.Tensor.optional("velocity_w", "out x in", "updated velocity of w"),
                        Spec.Tensor.optional("velocity_b", "1 x out", "updated velocity of b"),
                        Spec.Tensor.optional("feedback", "out x in", "updated feedback matrix")),
                List.of(new Spec.Param("lr", "float", "0.05", "learning rate"),
                        new Spec.Param("weight_decay", "float", "0", "L2 coefficient (weights and feedback, not biases)"),
                        new Spec.Param("momentum", "float", "0", "momentum coefficient")));
    }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("momentum == 0 || has_velocity_w", "momentum != 0 needs input velocity_w"),
                new Spec.Require("momentum == 0 || !has_b || has_velocity_b", "momentum != 0 with b needs input velocity_b"),
                new Spec.Require("momentum != 0 || (!has_velocity_w && !has_velocity_b)", "velocities are only used with momentum != 0"),
                new Spec.Require("has_b || !has_velocity_b", "velocity_b needs b"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] d = in.get("delta"), w = in.get("w");
        double perWeight = 4 + (in.containsKey("velocity_w") ? 2 : 0) + (in.containsKey("feedback") ? 4 : 0);
        return 2.0 * d[0] * w[0] * w[1] + perWeight * w[0] * w[1] + (in.containsKey("b") ? (double) d[0] * w[0] : 0);
    }

    @Override public Set<String> inPlace() { return Set.of("w", "b", "velocity_w", "velocity_b", "feedback"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.denseUpdate(p.getFloat("lr"), p.getFloat("weight_decay"), p.getFloat("momentum"), in.get("delta"), in.get("h"),
                out.get("w"), out.get("b"), out.get("velocity_w"), out.get("velocity_b"), out.get("feedback"));
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int[] g : Shapes.pick(Shapes.GEMM, quick)) {
            int outs = g[0], ins = g[1], batch = g[2];
            int[] w = shape(outs, ins), b = shape(1, outs);
            Object[] base = {"delta", shape(batch, outs), "h", shape(batch, ins), "w", w};
            switch (i++ % 4) {
                case 0 -> cases.add(new Case(shapes(concat(base, "b", b)), Map.of("lr", "0.05", "weight_decay", "0.001")));
                case 1 -> cases.add(new Case(shapes(concat(base, "b", b, "velocity_w", w, "velocity_b", b)),
                        Map.of("lr", "0.1", "weight_decay", "0.0005", "momentum", "0.9")));
                case 2 -> cases.add(new Case(shapes(concat(base, "b", b, "feedback", w)), Map.of("lr", "0.05", "weight_decay", "0.01")));
                default -> cases.add(new Case(shapes(concat(base, "velocity_w", w, "feedback", w)),
                        Map.of("lr", "0.02", "weight_decay", "0", "momentum", "0.5")));
            }
        }
        return cases;
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix d = in.get("delta"), h = in.get("h");
        int k = d.rows(), outs = d.cols(), ins = h.cols();
        double lr = Math.abs(p.getFloat("lr")), decay = Math.abs(p.getFloat("weight_decay")), mu = Math.abs(p.getFloat("momentum"));
        boolean bias = output.equals("b") || output.equals("velocity_b");
        int cols = bias ? outs : ins, rows = bias ? 1 : outs;
        HostMatrix v = in.get(bias ? "velocity_b" : "velocity_w");
        HostMatrix x = in.get(output);
        double[] scale = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) s += bias ? Math.abs(d.get(q, j)) : Math.abs((double) d.get(q, i) * h.get(q, j));
                double mv = v == null ? 0 : mu * Math.abs(v.get(i, j));
                boolean velocity = output.startsWith("velocity");
                double xv = Math.abs(x.get(i, j));
                scale[i * cols + j] = (velocity ? s + mv : xv + lr * (s + mv + (bias ? 0 : decay * xv))) + Float.MIN_NORMAL;
            }
        }
        boolean velocity = output.startsWith("velocity");
        return new ErrorModel(scale, (k + (velocity ? 4 : 8)) * ErrorModel.U,
                velocity ? "|" + output + " - ref| <= (k + 4) u (S + |mu v|), k = " + k
                         : "|" + output + " - ref| <= (k + 8) u (|x| + |lr| (S + |mu v| + |decay x|)), k = " + k);
    }

    /**
     * The reference, on row-major arrays: G = delta^T h (out x in, in double over the batch), t = G or
     * vw = mu vw + G (vw non-null), w = w - lr (t + decay w) and the same step for feedback (non-null); the
     * bias likewise from the column sums of delta, through vb when given, without decay.
     */
    public static void reference(float lr, float decay, float mu, float[] delta, int batch, int out, float[] h, int in, float[] w,
                                 float[] b, float[] vw, float[] vb, float[] feedback) {
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                double g = 0;
                for (int k = 0; k < batch; k++) g += (double) delta[k * out + i] * h[k * in + j];
                double t = g;
                int e = i * in + j;
                if (vw != null) {
                    vw[e] = (float) (mu * (double) vw[e] + g);
                    t = vw[e];
                }
                SgdUpdate.decayedStep(w, e, t, lr, decay);
                if (feedback != null) SgdUpdate.decayedStep(feedback, e, t, lr, decay);
            }
            if (b != null) {
                double g = 0;
                for (int k = 0; k < batch; k++) g += delta[k * out + i];
                double t = g;
                if (vb != null) {
                    vb[i] = (float) (mu * (double) vb[i] + g);
                    t = vb[i];
                }
                SgdUpdate.decayedStep(b, i, t, lr, 0f);
            }
        }
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * backward_delta: out = (delta · op(m)) ⊙ f'(a), the backward pass of a dense layer under any feedback
 * rule (m = W for backprop, a fixed B for feedback alignment, D_l for direct feedback alignment), one GEMM
 * with the derivative fused in its epilogue (nk_gemm / nk_gemm_packed epilogue 2; reference
 * {@link #reference}).
 *
 * <p>Bound, with S = Σ_p |delta_ip||op(m)_pj| and g = f'(a_ij) from the reference:
 * |out - ref| ≤ ((k + 5) u + 34 u) S |g|: the GEMM's bound times |g| plus f' within 16 ulp.
 */
public final class BackwardDelta extends Op {
    public BackwardDelta() {
        super("backward_delta", "out = (delta * op(m)) ⊙ f'(a); a is z, or h = f(z) when from_output",
                List.of(Spec.Tensor.of("delta", "batch x p", "delta of the layer above (or the output error for DFA)"),
                        Spec.Tensor.of("m", "p x q (q x p if trans_m)", "feedback matrix: W, B or D"),
                        Spec.Tensor.of("a", "batch x q", "this layer's pre-activation z, or h = f(z) when from_output")),
                List.of(Spec.Tensor.of("out", "batch x q", "this layer's delta")),
                List.of(new Spec.Param("activation", "activation", "tanh", "identity, tanh, logistic, relu or softplus"),
                        new Spec.Param("from_output", "bool", "false", "a holds h = f(z) instead of z"),
                        new Spec.Param("trans_m", "bool", "false", "use m transposed")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] d = in.get("delta"), a = in.get("a");
        return 2.0 * d[0] * d[1] * a[1] + 2.0 * a[0] * a[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.backwardDelta(in.get("delta"), Trans.of(p.getBool("trans_m")), in.get("m"), in.get("a"),
                p.getActivation("activation"), p.getBool("from_output"), out.get("out"));
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int[] d : Shapes.pick(Shapes.GEMM, quick)) {
            int batch = d[0], q = d[1], p = d[2];
            for (Activation f : Activation.values()) {
                boolean t = (i % 2) == 1, post = (i % 3) == 1;
                i++;
                cases.add(new Case(shapes("delta", shape(batch, p), "m", t ? shape(q, p) : shape(p, q), "a", shape(batch, q)),
                        Map.of("activation", f.id(), "from_output", Boolean.toString(post), "trans_m", Boolean.toString(t))));
            }
        }
        return cases;
    }

    /** a: z across [-4, 4], or h = f(z) of such a z when from_output. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        if (!input.equals("a")) return super.generate(input, rows, cols, p, rnd);
        Activation f = p.getActivation("activation");
        boolean post = p.getBool("from_output");
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            double z = (0.01 + 3.99 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1);
            d[i] = (float) (post ? f.apply(z) : z);
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix d = in.get("delta"), m = in.get("m"), a = in.get("a");
        boolean t = p.getBool("trans_m"), post = p.getBool("from_output");
        Activation f = p.getActivation("activation");
        int rows = d.rows(), k = d.cols(), cols = a.cols();
        double[] scale = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) s += Math.abs((double) d.get(i, q) * (t ? m.get(j, q) : m.get(q, j)));
                double g = post ? f.derivativeFromPost(a.get(i, j)) : f.derivativeFromPre(a.get(i, j));
                scale[i * cols + j] = s * Math.abs(g) + Float.MIN_NORMAL;
            }
        }
        return new ErrorModel(scale, (k + 39) * ErrorModel.U, "|out - ref| <= ((k+5) u + 34 u) sum|delta||m| |f'(a)|, k = " + k);
    }

    /**
     * The reference, on row-major arrays: out (rows x q) = (delta op(m)) ⊙ f'(a), delta rows x p, m with
     * mCols columns (p x q, or q x p when transM), the product in double in p order, f' from z or from h =
     * f(z) when fromOutput.
     */
    public static void reference(float[] delta, int rows, int p, float[] m, int mCols, boolean transM, float[] a, int q,
                                 org.neurokernels.Activation f, boolean fromOutput, float[] out) {
        double[] acc = new double[q];
        for (int i = 0; i < rows; i++) {
            Gemm.productRow(delta, p, false, m, mCols, transM, i, q, p, acc);
            for (int j = 0; j < q; j++) {
                double x = a[i * q + j];
                out[i * q + j] = (float) (acc[j] * (fromOutput ? f.derivativeFromPost(x) : f.derivativeFromPre(x)));
            }
        }
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * dense_forward: out = f(x * w^T + bias), pre = x * w^T + bias, fused into one GEMM launch (nk_gemm,
 * epilogue 1, in kernels-opencl/gemm.cl, compiled for CUDA too); reference: {@link #reference}.
 *
 * <p>Error bounds, with S = Σ_p |x_ip||w_jp| + |b_j|: pre within (k + 5) u S; out within
 * ((k + 5) u + 32 u)(S + |ref|), since every f here is 1-Lipschitz and evaluated within 16 ulp.
 */
public final class DenseForward extends Op {
    public DenseForward() {
        super("dense_forward", "out = f(x * w^T + bias); pre = x * w^T + bias",
                List.of(Spec.Tensor.of("x", "batch x in", "layer input"),
                        Spec.Tensor.of("w", "out x in", "weights"),
                        Spec.Tensor.optional("bias", "1 x out", "bias (none if absent)")),
                List.of(Spec.Tensor.of("out", "batch x out", "activation f(pre)"),
                        Spec.Tensor.optional("pre", "batch x out", "pre-activation (a typed call may leave it out)").producedWhen("1")),
                List.of(new Spec.Param("activation", "activation", "tanh", "identity, tanh, logistic, relu or softplus")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] x = in.get("x"), w = in.get("w");
        return 2.0 * x[0] * w[0] * x[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.denseForward(in.get("x"), in.get("w"), in.get("bias"), p.getActivation("activation"), out.get("out"), out.get("pre"));
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int[] d : Shapes.pick(Shapes.GEMM, quick)) {
            for (Activation f : Activation.values()) {
                boolean bias = (i++ % 3) != 2;
                Map<String, int[]> s = bias ? shapes("x", shape(d[0], d[2]), "w", shape(d[1], d[2]), "bias", shape(1, d[1]))
                        : shapes("x", shape(d[0], d[2]), "w", shape(d[1], d[2]));
                cases.add(new Case(s, Map.of("activation", f.id())));
            }
        }
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix x = in.get("x"), w = in.get("w"), b = in.get("bias");
        int rows = x.rows(), n = w.rows(), k = x.cols();
        boolean post = output.equals("out");
        float[] r = ref.get(output).data();
        double[] scale = new double[rows * n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                double s = b == null ? 0 : Math.abs(b.get(0, j));
                for (int q = 0; q < k; q++) s += Math.abs((double) x.get(i, q) * w.get(j, q));
                scale[i * n + j] = s + (post ? Math.abs(r[i * n + j]) : 0) + Float.MIN_NORMAL;
            }
        }
        double bound = (k + 5) * ErrorModel.U + (post ? 32 * ErrorModel.U : 0);
        return new ErrorModel(scale, bound, post ? "|out - ref| <= ((k+5) u + 32 u)(sum|x||w| + |b| + |ref|), k = " + k
                : "|pre - ref| <= (k+5) u (sum|x||w| + |b|), k = " + k);
    }

    /**
     * The reference, on row-major arrays: x is rows x in, w out x in, bias 1 x out or null; z accumulated in
     * double from the bias in input order, rounded to float (as the kernels do) into pre (null: not kept),
     * and out = f(z).
     */
    public static void reference(float[] x, int rows, int in, float[] w, int out, float[] bias, org.neurokernels.Activation f,
                                 float[] o, float[] pre) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < out; j++) {
                double z = bias == null ? 0.0 : bias[j];
                for (int p = 0; p < in; p++) z += (double) x[i * in + p] * w[j * in + p];
                // the kernels round z to float before f; so does the reference, so f sees the same argument
                float zf = (float) z;
                if (pre != null) pre[i * out + j] = zf;
                o[i * out + j] = (float) f.apply(zf);
            }
        }
    }
}

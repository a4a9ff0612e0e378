package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * output_layer: the linear output layer of a softmax classifier in training, and the error it sends to the
 * layer below (nk_output_layer16 in kernels-opencl/gemm_packed.cl on CPU devices up to 16 classes, one
 * launch; elsewhere, CUDA included, nk_gemm's dense epilogue, nk_softmax_xent and nk_gemm's backward-delta
 * epilogue in sequence; reference: {@link #reference}). z = h w^T + b (not stored);
 * probs = softmax(z); loss = -Σ_j t_ij log p_ij; grad = (probs - targets) / rows; with m,
 * delta = (grad · m) ⊙ f'(h), f' from the output h of the layer below (tanh' = (1 - h)(1 + h), ...).
 *
 * <p>Bounds, with S_ij = |b_j| + Σ_k |h_ik||w_jk|, e_i = (q + 5) max_j S_ij (the logits' GEMM bound over
 * u) and the softmax_xent bounds on top: probs within ((c + 32) + 2 e_i) u (a logit error δ moves p by at
 * most 2 δ); grad within that over rows; loss within ((2c + 32)(1 + D_i + |ref|) + 2 e_i) u, D_i the
 * spread of row i's logits; delta within ((c + 39) Σ_j |grad_ij||m_jk| + g_i Σ_j |m_jk|) |f'(h_ik)| u,
 * g_i the grad bound over u: backward_delta's bound plus the propagated error of grad.
 */
public final class OutputLayer extends Op {
    /**
     * The launch plan, read by the Java backends and generated into the C library: on devices that run the
     * CPU kernel families (OpenCL with a packed or direct GEMM configuration) and up to 16 classes, one
     * nk_output_layer16 launch, four rows per work-item; elsewhere the logits by the GEMM plan (dense
     * epilogue), then nk_softmax_xent (one work-item per row, work-groups of 256), then the delta by the GEMM
     * plan (backward-delta epilogue). Inputs: rows, classes c, width q, the device's GEMM {@code kernel}
     * code ({@link Gemm#KERNEL_CODES}) and {@code opencl} (1 on OpenCL devices).
     */
    public static final org.neurokernels.plan.PlanTable PLAN = new org.neurokernels.plan.PlanTable("output_layer",
            List.of("rows", "c", "q", "kernel", "opencl"),
            List.of(org.neurokernels.plan.PlanTable.Rule.of("opencl && kernel != 0 && c <= 16",
                            org.neurokernels.plan.PlanTable.Step.of("nk_output_layer16", "cdiv(rows, 4)", "1", "1", "1")),
                    org.neurokernels.plan.PlanTable.Rule.of("1",
                            org.neurokernels.plan.PlanTable.Step.of("nk_softmax_xent", "rup(rows, 256)", "1", "256", "1"))));
    public OutputLayer() {
        super("output_layer", "probs = softmax(h w^T + b), loss, grad = (probs - targets)/rows; delta = (grad * m) ⊙ f'(h) with m",
                List.of(Spec.Tensor.of("h", "batch x q", "output of the last hidden layer (its activation is f)"),
                        Spec.Tensor.of("w", "c x q", "output weights"),
                        Spec.Tensor.optional("b", "1 x c", "output biases"),
                        Spec.Tensor.of("targets", "batch x c", "target distribution per row (one-hot labels)"),
                        Spec.Tensor.optional("m", "c x q", "matrix the error goes back through: W (backprop), B or D (feedback rules)")),
                List.of(Spec.Tensor.of("probs", "batch x c", "softmax of the logits"),
                        Spec.Tensor.of("grad", "batch x c", "d mean(loss) / d logits: the output error"),
                        Spec.Tensor.of("loss", "batch x 1", "cross-entropy per row"),
                        Spec.Tensor.optional("delta", "batch x q", "delta of the last hidden layer (with m)").producedWhen("has_m")),
                List.of(new Spec.Param("activation", "activation", "tanh", "activation f of the layer below (f' taken from h)")));
    }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("has_m == has_delta", "m and delta go together (both or neither)"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] h = in.get("h"), w = in.get("w");
        double rows = h[0], q = h[1], c = w[0];
        return 2 * rows * c * q + 8 * rows * c + (in.containsKey("m") ? 2 * rows * c * q + 2 * rows * q : 0);
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.outputLayer(in.get("h"), in.get("w"), in.get("b"), in.get("targets"), in.get("m"), p.getActivation("activation"),
                out.get("probs"), out.get("grad"), out.get("loss"), out.get("delta"));
    }

    /** (batch, q, classes): one launch up to 16 classes on CPU devices, three above. */
    private static final List<int[]> SHAPES = List.of(
            new int[] {1, 1, 1}, new int[] {7, 33, 10}, new int[] {64, 256, 10}, new int[] {5, 16, 16}, new int[] {13, 40, 17},
            new int[] {33, 100, 3}, new int[] {65, 19, 2}, new int[] {2, 300, 12}, new int[] {100, 64, 40});

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        Activation[] fs = Activation.values();
        int i = 0;
        for (int[] s : Shapes.pick(SHAPES, quick)) {
            int rows = s[0], q = s[1], c = s[2];
            Map<String, int[]> withM = shapes("h", shape(rows, q), "w", shape(c, q), "b", shape(1, c), "targets", shape(rows, c), "m", shape(c, q));
            cases.add(new Case(withM, Map.of("activation", fs[i++ % fs.length].id())));
            Map<String, int[]> plain = shapes("h", shape(rows, q), "w", shape(c, q), "targets", shape(rows, c));
            cases.add(new Case(plain, Map.of("activation", fs[i++ % fs.length].id())));
        }
        return cases;
    }

    /** h: outputs f(z) of z across [-4, 4]; w and b spread logits over about [-10, 10]; targets one-hot. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        switch (input) {
            case "targets" -> {
                for (int i = 0; i < rows; i++) d[i * cols + rnd.nextInt(cols)] = 1f;
            }
            case "h" -> {
                Activation f = p.getActivation("activation");
                for (int i = 0; i < d.length; i++) d[i] = (float) f.apply((0.01 + 3.99 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1));
            }
            case "w", "b" -> {
                double s = input.equals("w") ? 3 / Math.sqrt(cols) : 1;
                for (int i = 0; i < d.length; i++) d[i] = (float) ((0.1 + 0.9 * rnd.nextDouble()) * s * (rnd.nextBoolean() ? 1 : -1));
            }
            default -> {
                return super.generate(input, rows, cols, p, rnd);
            }
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix h = in.get("h"), w = in.get("w"), b = in.get("b");
        int rows = h.rows(), q = h.cols(), c = w.rows();
        double u = ErrorModel.U;
        double[] e = new double[rows], spread = new double[rows];
        for (int i = 0; i < rows; i++) {
            double maxS = 0, maxZ = Double.NEGATIVE_INFINITY, minZ = Double.POSITIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                double s = b == null ? 0 : Math.abs(b.get(0, j)), z = b == null ? 0 : b.get(0, j);
                for (int k = 0; k < q; k++) {
                    s += Math.abs((double) h.get(i, k) * w.get(j, k));
                    z += (double) h.get(i, k) * w.get(j, k);
                }
                maxS = Math.max(maxS, s);
                maxZ = Math.max(maxZ, z);
                minZ = Math.min(minZ, z);
            }
            e[i] = (q + 5) * maxS;
            spread[i] = maxZ - minZ;
        }
        switch (output) {
            case "probs", "grad" -> {
                boolean grad = output.equals("grad");
                double[] s = new double[rows * c];
                for (int i = 0; i < rows; i++) for (int j = 0; j < c; j++) s[i * c + j] = ((c + 32) + 2 * e[i]) / (grad ? rows : 1);
                return new ErrorModel(s, u, "|" + output + " - ref| <= ((c+32) + 2 (q+5) max_j S_ij) u" + (grad ? " / rows" : "") + ", c = " + c + ", q = " + q);
            }
            case "loss" -> {
                float[] r = ref.get("loss").data();
                double[] s = new double[rows];
                for (int i = 0; i < rows; i++) s[i] = (2 * c + 32) * (1 + spread[i] + Math.abs(r[i])) + 2 * e[i];
                return new ErrorModel(s, u, "|loss - ref| <= ((2c+32)(1 + D_i + |ref|) + 2 (q+5) max_j S_ij) u, c = " + c + ", q = " + q);
            }
            default -> {
                HostMatrix m = in.get("m"), g = ref.get("grad");
                Activation f = p.getActivation("activation");
                double[] s = new double[rows * q];
                for (int i = 0; i < rows; i++) {
                    double gBound = ((c + 32) + 2 * e[i]) / rows;
                    for (int k = 0; k < q; k++) {
                        double sgm = 0, sm = 0;
                        for (int j = 0; j < c; j++) {
                            sgm += Math.abs((double) g.get(i, j) * m.get(j, k));
                            sm += Math.abs((double) m.get(j, k));
                        }
                        s[i * q + k] = ((c + 39) * sgm + gBound * sm) * Math.abs(f.derivativeFromPost(h.get(i, k))) + Float.MIN_NORMAL / u;
                    }
                }
                return new ErrorModel(s, u, "|delta - ref| <= ((c+39) sum|grad||m| + g_i sum|m|) |f'(h)| u, g_i the grad bound / u, c = " + c);
            }
        }
    }

    /**
     * The reference, on row-major arrays: per row z = h w^T + b in double (h rows x q, w c x q, b 1 x c or
     * null), softmax_xent's row ({@link SoftmaxXent#row}) into probs, grad and loss, and with m (c x q)
     * delta = (grad m) ⊙ f'(h) from the output h, the product over the double-precision grad.
     */
    public static void reference(float[] h, int rows, int q, float[] w, int c, float[] b, float[] targets, float[] m,
                                 org.neurokernels.Activation f, float[] probs, float[] grad, float[] loss, float[] delta) {
        double[] z = new double[c], e = new double[c];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < c; j++) {
                double s = b == null ? 0 : b[j];
                for (int k = 0; k < q; k++) s += (double) h[i * q + k] * w[j * q + k];
                z[j] = s;
            }
            SoftmaxXent.row(z, targets, i * c, rows, probs, i * c, grad, i * c, loss, i, e);
            if (m == null) continue;
            for (int k = 0; k < q; k++) {
                double s = 0;
                for (int j = 0; j < c; j++) s += e[j] * m[j * q + k];
                delta[i * q + k] = (float) (s * f.derivativeFromPost(h[i * q + k]));
            }
        }
    }
}

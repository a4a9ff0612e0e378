package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * softmax_xent: row-wise softmax with cross-entropy and its gradient, numerically stable
 * (nk_softmax_xent in kernels-opencl/softmax.cl, compiled for CUDA too; reference {@link #reference},
 * whose {@link #row} output_layer's reference shares). probs = softmax(z); loss[i] = -Σ_j t_ij log p_ij;
 * grad = (p - t) / rows.
 *
 * <p>Bounds (c = classes, D_i = max_j |z_ij - max_j z_ij|): probs within (c + 32) u absolute; grad within
 * (c + 32) u / rows; loss within (2c + 32) u (1 + D_i + |ref|): the log-sum-exp's sum error plus the
 * rounding of z - max.
 */
public final class SoftmaxXent extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("softmax_xent",
            Rule.of("1", Step.of1d("nk_softmax_xent", "logits_rows", "i:logits_rows", "i:logits_cols", "m:logits", "m:targets", "m:probs", "m:grad", "m:loss")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public SoftmaxXent() {
        super("softmax_xent", "probs = softmax(logits) per row; loss = cross-entropy per row; grad = (probs - targets)/rows",
                List.of(Spec.Tensor.of("logits", "m x c", "scores"), Spec.Tensor.of("targets", "m x c", "target distribution per row (one-hot labels)")),
                List.of(Spec.Tensor.of("probs", "m x c", "softmax"), Spec.Tensor.of("grad", "m x c", "d mean(loss) / d logits"),
                        Spec.Tensor.of("loss", "m x 1", "cross-entropy per row")),
                List.of());
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] z = in.get("logits");
        return 8.0 * z[0] * z[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.softmaxCrossEntropy(in.get("logits"), in.get("targets"), out.get("probs"), out.get("grad"), out.get("loss"));
    }

    /** The reference: probs, grad and loss of rows x cols logits and targets (row-major), each row by {@link #row} in double. */
    public static void reference(float[] logits, float[] targets, int rows, int cols, float[] probs, float[] grad, float[] loss) {
        double[] z = new double[cols], e = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) z[j] = logits[i * cols + j];
            row(z, targets, i * cols, rows, probs, i * cols, grad, i * cols, loss, i, e);
        }
    }

    /**
     * One row from its logits z (NaN anywhere makes the row NaN): probs, loss and grad = (p - t) / rows
     * written, the row's targets, probs and grad starting at the given indices, its loss at lossAt; e
     * receives grad in double.
     */
    public static void row(double[] z, float[] targets, int targetsAt, int rows, float[] probs, int probsAt, float[] grad, int gradAt,
                           float[] loss, int lossAt, double[] e) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (double v : z) {
            nan |= Double.isNaN(v);
            max = Math.max(max, v);
        }
        if (nan) max = Double.NaN;
        double sum = 0;
        for (double v : z) sum += Math.exp(v - max);
        double logSum = Math.log(sum), l = 0;
        for (int j = 0; j < z.length; j++) {
            double logP = z[j] - max - logSum, p = Math.exp(logP), t = targets[targetsAt + j];
            if (t != 0) l -= t * logP;
            e[j] = (p - t) / rows;
            probs[probsAt + j] = (float) p;
            grad[gradAt + j] = (float) e[j];
        }
        loss[lossAt] = (float) l;
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) cases.add(new Case(shapes("logits", s, "targets", s), Map.of()));
        return cases;
    }

    /** Logits spread over [-20, 20] (so max-subtraction matters); targets one-hot. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        if (input.equals("targets")) {
            for (int i = 0; i < rows; i++) d[i * cols + rnd.nextInt(cols)] = 1f;
        } else {
            for (int i = 0; i < d.length; i++) d[i] = (float) (40 * rnd.nextDouble() - 20);
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix z = in.get("logits");
        int rows = z.rows(), c = z.cols();
        double u = ErrorModel.U;
        switch (output) {
            case "probs": {
                double[] s = new double[rows * c];
                java.util.Arrays.fill(s, 1.0);
                return new ErrorModel(s, (c + 32) * u, "|p - ref| <= (c+32) u, c = " + c);
            }
            case "grad": {
                double[] s = new double[rows * c];
                java.util.Arrays.fill(s, 1.0 / rows);
                return new ErrorModel(s, (c + 32) * u, "|g - ref| <= (c+32) u / rows, c = " + c);
            }
            default: {
                float[] r = ref.get("loss").data();
                double[] s = new double[rows];
                for (int i = 0; i < rows; i++) {
                    double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
                    for (int j = 0; j < c; j++) {
                        max = Math.max(max, z.get(i, j));
                        min = Math.min(min, z.get(i, j));
                    }
                    s[i] = 1 + (max - min) + Math.abs(r[i]);
                }
                return new ErrorModel(s, (2 * c + 32) * u, "|loss - ref| <= (2c+32) u (1 + max|z - max z| + |ref|), c = " + c);
            }
        }
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * mse: loss[i] = Σ_j (y_ij - t_ij)² / 2 per row, grad = (y - t) / rows, the gradient of the mean loss
 * (nk_mse in kernels-opencl/learning.cl, compiled for CUDA too; reference {@link #reference}).
 * Bounds: grad within 6 u (|y| + |t|) / rows (u for the subtraction, 2.5 ulp for OpenCL's division); loss within (c + 3) u Σ_j (|y| + |t|)² / 2.
 */
public final class Mse extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("mse",
            Rule.of("1", Step.of1d("nk_mse", "y_rows", "i:y_rows", "i:y_cols", "m:y", "m:targets", "m:grad", "m:loss")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public Mse() {
        super("mse", "loss = sum (y - t)^2 / 2 per row; grad = (y - t) / rows",
                List.of(Spec.Tensor.of("y", "m x c", "outputs"), Spec.Tensor.of("targets", "m x c", "targets")),
                List.of(Spec.Tensor.of("grad", "m x c", "d mean(loss) / d y"), Spec.Tensor.of("loss", "m x 1", "loss per row")),
                List.of());
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] y = in.get("y");
        return 4.0 * y[0] * y[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.mseLoss(in.get("y"), in.get("targets"), out.get("grad"), out.get("loss"));
    }

    /** The reference: grad (rows x cols) and loss (rows x 1) of y and targets (rows x cols, row-major), in double. */
    public static void reference(float[] y, float[] targets, int rows, int cols, float[] grad, float[] loss) {
        for (int i = 0; i < rows; i++) {
            double l = 0;
            for (int j = 0; j < cols; j++) {
                double d = (double) y[i * cols + j] - targets[i * cols + j];
                l += d * d;
                grad[i * cols + j] = (float) (d / rows);
            }
            loss[i] = (float) (l / 2);
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) cases.add(new Case(shapes("y", s, "targets", s), Map.of()));
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix y = in.get("y"), t = in.get("targets");
        int rows = y.rows(), c = y.cols();
        if (output.equals("grad")) {
            double[] s = new double[rows * c];
            for (int e = 0; e < s.length; e++) s[e] = (Math.abs(y.data()[e]) + Math.abs(t.data()[e])) / rows + Float.MIN_NORMAL;
            // the subtraction rounds once (u); OpenCL C allows single-precision division 2.5 ulp (at most 5 u)
            return new ErrorModel(s, 6 * ErrorModel.U, "|grad - ref| <= 6 u (|y| + |t|) / rows (OpenCL division: 2.5 ulp)");
        }
        double[] s = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < c; j++) {
                double a = Math.abs(y.get(i, j)) + Math.abs(t.get(i, j));
                s[i] += a * a / 2;
            }
            s[i] += Float.MIN_NORMAL;
        }
        return new ErrorModel(s, (c + 3) * ErrorModel.U, "|loss - ref| <= (c+3) u sum (|y| + |t|)^2 / 2, c = " + c);
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * column_sums: s[0, j] = Σ_i x[i, j], the bias gradient of a batch (nk_column_sums in
 * kernels-opencl/reduce.cl, compiled for CUDA too; reference {@link #reference}).
 * Bound: (rows + 3) u Σ_i |x_ij|.
 */
public final class ColumnSums extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("column_sums",
            Rule.of("1", Step.of1d("nk_column_sums", "x_cols", "i:x_rows", "i:x_cols", "m:x", "m:s")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public ColumnSums() {
        super("column_sums", "s = sum of each column of x (1 x n)",
                List.of(Spec.Tensor.of("x", "m x n", "input")), List.of(Spec.Tensor.of("s", "1 x n", "column sums")), List.of());
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] x = in.get("x");
        return (double) x[0] * x[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.columnSums(in.get("x"), out.get("s"));
    }

    /** The reference: s[j] = the sum over i of x[i, j] (x rows x cols, row-major), accumulated in double in row order. */
    public static void reference(float[] x, int rows, int cols, float[] s) {
        for (int j = 0; j < cols; j++) {
            double sum = 0;
            for (int i = 0; i < rows; i++) sum += x[i * cols + j];
            s[j] = (float) sum;
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) cases.add(new Case(shapes("x", s), Map.of()));
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix x = in.get("x");
        double[] s = new double[x.cols()];
        for (int j = 0; j < x.cols(); j++) {
            for (int i = 0; i < x.rows(); i++) s[j] += Math.abs(x.get(i, j));
            s[j] += Float.MIN_NORMAL;
        }
        return new ErrorModel(s, (x.rows() + 3) * ErrorModel.U, "|s - ref| <= (rows+3) u sum|x|, rows = " + x.rows());
    }
}

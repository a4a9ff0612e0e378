package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * dot: r = Σ x_ij y_ij as a 1 x 1 output (nk_dot_partial, partial sums per work-group added in double
 * on the host; reference {@link #reference}). Bound: (n + 4) u Σ |x y|, n = number of elements.
 */
public final class Dot extends Op {
    /** The partial-sum launch for n elements: up to 256 work-groups of 256 (both hosts; the host adds the partials). */
    public static final org.neurokernels.plan.PlanTable PLAN = new org.neurokernels.plan.PlanTable("dot", List.of("n"),
            List.of(org.neurokernels.plan.PlanTable.Rule.of("1",
                    org.neurokernels.plan.PlanTable.Step.of("nk_dot_partial", "min(cdiv(n, 256), 256) * 256", "1", "256", "1"))));

    public Dot() {
        super("dot", "r = sum of x ⊙ y (1 x 1)",
                List.of(Spec.Tensor.of("x", "m x n", "left"), Spec.Tensor.of("y", "m x n", "right")),
                List.of(Spec.Tensor.of("r", "1 x 1", "inner product")), List.of());
    }

    @Override public Map<String, int[]> outputShapes(Map<String, int[]> in, Params p) {
        requireSame(in, "x", "y");
        return shapes("r", shape(1, 1));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] x = in.get("x");
        return 2.0 * x[0] * x[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        double r = device.dot(in.get("x"), in.get("y"));
        device.upload(out.get("r"), new float[] {(float) r});
    }

    /** The reference: the sum of x[e] y[e] over n row-major elements, accumulated in double in element order. */
    public static double reference(float[] x, float[] y, int n) {
        double s = 0;
        for (int e = 0; e < n; e++) s += (double) x[e] * y[e];
        return s;
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) cases.add(new Case(shapes("x", s, "y", s), Map.of()));
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        float[] x = in.get("x").data(), y = in.get("y").data();
        double s = Float.MIN_NORMAL;
        for (int i = 0; i < x.length; i++) s += Math.abs((double) x[i] * y[i]);
        return new ErrorModel(new double[] {s}, (x.length + 4) * ErrorModel.U, "|r - ref| <= (n+4) u sum|x y|, n = " + x.length);
    }
}

package org.neurokernels.ops;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * axpy: y = alpha x + y, in place (nk_axpy, one fma; reference {@link #reference}).
 * Bound: 2 u (|alpha x| + |y|), so cancellation cannot hide an error.
 */
public final class Axpy extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("axpy",
            Rule.of("1", Step.elementwise("nk_axpy", "x", "f:alpha", "m:x", "m:y")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public Axpy() {
        super("axpy", "y = alpha * x + y (in place)",
                List.of(Spec.Tensor.of("x", "m x n", "added"), Spec.Tensor.of("y", "m x n", "accumulator")),
                Spec.Tensor.of("y", "m x n", "alpha x + y"),
                List.of(new Spec.Param("alpha", "float", "1", "scale of x")));
    }

    @Override double flopsPerElement() { return 2; }

    @Override public Set<String> inPlace() { return Set.of("y"); }

    @Override List<Map<String, String>> variants() { return List.of(Map.of("alpha", "-0.625")); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.axpy(p.getFloat("alpha"), in.get("x"), out.get("y"));
    }

    /** The reference: y = alpha x + y in place over n row-major elements, in double. */
    public static void reference(float alpha, float[] x, float[] y, int n) {
        for (int e = 0; e < n; e++) y[e] = (float) ((double) alpha * x[e] + y[e]);
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        float[] x = in.get("x").data(), y = in.get("y").data();
        double a = Math.abs(p.getFloat("alpha"));
        double[] s = new double[x.length];
        for (int i = 0; i < s.length; i++) s[i] = a * Math.abs(x[i]) + Math.abs(y[i]) + Float.MIN_NORMAL;
        return new ErrorModel(s, 2 * ErrorModel.U, "|y - ref| <= 2 u (|alpha x| + |y|)");
    }
}

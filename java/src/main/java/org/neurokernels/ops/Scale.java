package org.neurokernels.ops;

import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/** scale: y = alpha x (nk_scale; reference {@link #reference}). One rounding: within 1 ulp of |alpha x|. */
public final class Scale extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("scale",
            Rule.of("1", Step.elementwise("nk_scale", "x", "f:alpha", "m:x", "m:y")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public Scale() {
        super("scale", "y = alpha * x",
                List.of(Spec.Tensor.of("x", "m x n", "input")), Spec.Tensor.of("y", "m x n", "alpha x"),
                List.of(new Spec.Param("alpha", "float", "1", "factor")));
    }

    @Override double flopsPerElement() { return 1; }

    @Override List<Map<String, String>> variants() { return List.of(Map.of("alpha", "3.3")); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.scale(p.getFloat("alpha"), in.get("x"), out.get("y"));
    }

    /** The reference: y = alpha x over n row-major elements, the product in double. */
    public static void reference(float alpha, float[] x, float[] y, int n) {
        for (int e = 0; e < n; e++) y[e] = (float) ((double) alpha * x[e]);
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.relative(ref.get(output).data(), 1);
    }
}

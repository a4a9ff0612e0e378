package org.neurokernels.ops;

import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/** copy: y = x (nk_copy; reference {@link #reference}). Bit-exact. */
public final class Copy extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("copy",
            Rule.of("1", Step.elementwise("nk_copy", "x", "m:x", "m:y")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public Copy() {
        super("copy", "y = x", List.of(Spec.Tensor.of("x", "m x n", "source")), Spec.Tensor.of("y", "m x n", "copy"), List.of());
    }

    @Override double flopsPerElement() { return 0; }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.copy(in.get("x"), out.get("y"));
    }

    /** The reference: y = x over n row-major elements, each read as a double and stored as a float, as every reference stores. */
    public static void reference(float[] x, float[] y, int n) {
        for (int e = 0; e < n; e++) {
            double v = x[e];
            y[e] = (float) v;
        }
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

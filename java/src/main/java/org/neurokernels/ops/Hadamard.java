package org.neurokernels.ops;

import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/** hadamard: z = x ⊙ y (nk_hadamard; reference {@link #reference}). One rounding: within 2 u of |x y|. */
public final class Hadamard extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("hadamard",
            Rule.of("1", Step.elementwise("nk_hadamard", "x", "m:x", "m:y", "m:z")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public Hadamard() {
        super("hadamard", "z = x ⊙ y (elementwise product)",
                List.of(Spec.Tensor.of("x", "m x n", "left"), Spec.Tensor.of("y", "m x n", "right")),
                Spec.Tensor.of("z", "m x n", "product"), List.of());
    }

    @Override double flopsPerElement() { return 1; }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.hadamard(in.get("x"), in.get("y"), out.get("z"));
    }

    /** The reference: z = x y over n row-major elements, the product in double. */
    public static void reference(float[] x, float[] y, float[] z, int n) {
        for (int e = 0; e < n; e++) z[e] = (float) ((double) x[e] * y[e]);
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.relative(ref.get(output).data(), 1);
    }
}

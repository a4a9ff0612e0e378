package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * kp_update: Kolen-Pollack, the weights W and the feedback B updated from the same gradient in one pass:
 * W = W - lr (t + decay W), B = B - lr (t + decay B), t as in sgd_update (nk_kp_update; reference
 * {@link #reference}, with sgd_update's steps). Bounds as sgd_update's, for W and B each.
 */
public final class KpUpdate extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("kp_update",
            Rule.of("1", Step.elementwise("nk_kp_update", "w", "f:lr", "f:weight_decay", "f:momentum", "m:w", "m:b", "m:grad", "m:velocity", "i:has_velocity")));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("momentum == 0 || has_velocity", "momentum != 0 needs input velocity"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public KpUpdate() {
        super("kp_update", "Kolen-Pollack: W and B both step by -lr (t + decay X) with the same t (in place)",
                List.of(Spec.Tensor.of("w", "m x n", "forward weights"), Spec.Tensor.of("b", "m x n", "feedback weights"),
                        Spec.Tensor.of("grad", "m x n", "gradient of W"),
                        Spec.Tensor.optional("velocity", "m x n", "momentum buffer (required when momentum != 0)")),
                List.of(Spec.Tensor.of("w", "m x n", "updated W"), Spec.Tensor.of("b", "m x n", "updated B"),
                        Spec.Tensor.optional("velocity", "m x n", "updated velocity")),
                List.of(new Spec.Param("lr", "float", "0.05", "learning rate"),
                        new Spec.Param("weight_decay", "float", "0", "L2 coefficient: W - B shrinks by (1 - lr decay) per step"),
                        new Spec.Param("momentum", "float", "0", "momentum coefficient")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] w = in.get("w");
        return 8.0 * w[0] * w[1];
    }

    @Override public Set<String> inPlace() { return Set.of("w", "b", "velocity"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.kpUpdate(p.getFloat("lr"), p.getFloat("weight_decay"), p.getFloat("momentum"), out.get("w"), out.get("b"), in.get("grad"), out.get("velocity"));
    }

    /** The reference: w, b (and velocity, when not null) updated in place over n row-major elements with sgd_update's t, in double. */
    public static void reference(float lr, float decay, float mu, float[] w, float[] b, float[] grad, float[] velocity, int n) {
        for (int e = 0; e < n; e++) {
            double t = SgdUpdate.direction(grad, velocity, mu, e);
            SgdUpdate.decayedStep(w, e, t, lr, decay);
            SgdUpdate.decayedStep(b, e, t, lr, decay);
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            cases.add(new Case(shapes("w", s, "b", s, "grad", s), Map.of("lr", "0.05", "weight_decay", "0.01")));
            cases.add(new Case(shapes("w", s, "b", s, "grad", s, "velocity", s), Map.of("lr", "0.1", "weight_decay", "0.001", "momentum", "0.5")));
        }
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        if (output.equals("velocity")) return SgdUpdate.velocityError(in, p);
        return new ErrorModel(SgdUpdate.stepScale(in, p, in.get(output).data()), 4 * ErrorModel.U,
                "|" + output + " - ref| <= 4 u (|" + output + "| + |lr| (|t| + |decay " + output + "|))");
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * sign_feedback: the feedback matrix of the sign-concordant rules, B = m ⊙ sign(W) with m = |R| (frSF,
 * brSF) or the constant scale (uSF) (nk_sign_feedback; reference {@link #reference}). Bit-exact.
 */
public final class SignFeedback extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("sign_feedback",
            Rule.of("1", Step.elementwise("nk_sign_feedback", "w", "f:scale", "m:w", "m:r", "i:has_r", "m:b")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public SignFeedback() {
        super("sign_feedback", "b = |r| ⊙ sign(w), or scale * sign(w) without r",
                List.of(Spec.Tensor.of("w", "m x n", "forward weights"), Spec.Tensor.optional("r", "m x n", "random magnitudes (frSF, brSF)")),
                Spec.Tensor.of("b", "m x n", "feedback weights"),
                List.of(new Spec.Param("scale", "float", "1", "magnitude when r is absent (uSF: the init scale of W)")));
    }

    @Override double flopsPerElement() { return 1; }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            cases.add(new Case(shapes("w", s), Map.of("scale", "0.0765")));
            cases.add(new Case(shapes("w", s, "r", s), Map.of()));
        }
        return cases;
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.signFeedback(p.getFloat("scale"), in.get("w"), in.get("r"), out.get("b"));
    }

    /** The reference: b = m sign(w) over n row-major elements, m = |r|, or scale where r is null; in double. */
    public static void reference(float scale, float[] w, float[] r, float[] b, int n) {
        for (int e = 0; e < n; e++) {
            double m = r == null ? scale : Math.abs((double) r[e]);
            b[e] = (float) (m * Math.signum((double) w[e]));
        }
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * activation_grad: y = f'(z) elementwise, from the pre-activation z (from_output = false) or from the
 * post-activation h = f(z) (from_output = true); formulas in {@link Activation}. Kernel
 * nk_activation_grad; reference {@link #reference}. Bound: 16 ulp of the reference value.
 */
public final class ActivationGrad extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("activation_grad",
            Rule.of("1", Step.elementwise("nk_activation_grad", "x", "i:activation", "i:from_output", "m:x", "m:y")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public ActivationGrad() {
        super("activation_grad", "y = f'(z), from z (pre-activation) or from h = f(z)",
                List.of(Spec.Tensor.of("x", "m x n", "z, or h when from_output")), Spec.Tensor.of("y", "m x n", "f'(z)"),
                List.of(new Spec.Param("activation", "activation", "tanh", "identity, tanh, logistic, relu or softplus"),
                        new Spec.Param("from_output", "bool", "false", "x holds h = f(z) instead of z")));
    }

    @Override double flopsPerElement() { return 4; }

    @Override List<Map<String, String>> variants() {
        List<Map<String, String>> v = new ArrayList<>();
        for (Activation f : Activation.values()) {
            v.add(Map.of("activation", f.id(), "from_output", "false"));
            v.add(Map.of("activation", f.id(), "from_output", "true"));
        }
        return v;
    }

    /** z across [-8, 8]; h drawn from the range of f (as f(z) of such a z), so post formulas see real inputs. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        Activation f = p.getActivation("activation");
        boolean post = p.getBool("from_output");
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            double z = (0.01 + 7.99 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1);
            d[i] = (float) (post ? f.apply(z) : z);
        }
        return d;
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.activationGrad(p.getActivation("activation"), in.get("x"), p.getBool("from_output"), out.get("y"));
    }

    /** The reference: y = f'(z) over n row-major elements, from x = z or (fromOutput) x = h = f(z), in double. */
    public static void reference(Activation f, float[] x, boolean fromOutput, float[] y, int n) {
        for (int e = 0; e < n; e++) {
            double v = x[e];
            y[e] = (float) (fromOutput ? f.derivativeFromPost(v) : f.derivativeFromPre(v));
        }
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.relative(ref.get(output).data(), 16);
    }
}

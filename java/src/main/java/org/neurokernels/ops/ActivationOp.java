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
 * activation: y = f(x) elementwise (nk_activation; reference {@link #reference}, formulas in
 * {@link Activation}). Bound: 16 ulp of the reference value, the OpenCL spec's tanh (5 ulp) and exp
 * (3 ulp) allowances compounded through the stable formulas, with room to spare.
 */
public final class ActivationOp extends ElementwiseOp {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("activation",
            Rule.of("cpu && contig", Step.of("nk_activation16", "rup(cdiv(x_size, 16), 64)", "1", "64", "1",
                    "i:x_size", "i:activation", "raw:x", "i:x_off", "raw:y", "i:y_off")),
            Rule.of("1", Step.elementwise("nk_activation", "x", "i:activation", "m:x", "m:y")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public ActivationOp() {
        super("activation", "y = f(x) elementwise",
                List.of(Spec.Tensor.of("x", "m x n", "input")), Spec.Tensor.of("y", "m x n", "f(x)"),
                List.of(new Spec.Param("activation", "activation", "tanh", "identity, tanh, logistic, relu or softplus")));
    }

    @Override double flopsPerElement() { return 1; }

    @Override List<Map<String, String>> variants() {
        List<Map<String, String>> v = new ArrayList<>();
        for (Activation f : Activation.values()) v.add(Map.of("activation", f.id()));
        return v;
    }

    /** Arguments across [-8, 8], into the saturated ranges of tanh and the logistic. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (float) ((0.01 + 7.99 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1));
        return d;
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.activation(p.getActivation("activation"), in.get("x"), out.get("y"));
    }

    /** The reference: y = f(x) over n row-major elements, f in double, rounded once to float. */
    public static void reference(Activation f, float[] x, float[] y, int n) {
        for (int e = 0; e < n; e++) y[e] = (float) f.apply(x[e]);
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.relative(ref.get(output).data(), 16);
    }
}

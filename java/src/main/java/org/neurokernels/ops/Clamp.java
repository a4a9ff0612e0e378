package org.neurokernels.ops;

import java.util.List;
import java.util.Map;

import org.neurokernels.plan.OpPlan;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;

/**
 * clamp: y = min(max(x, lo), hi), NaN staying NaN (nk_clamp in kernels-opencl/elementwise.cl,
 * compiled for CUDA too). Bit-exact: a comparison and a copy. The op added by following
 * docs/adding-an-op.md: this file, its kernel and a registry line; the Java backends, the C library
 * ({@code nk_run(dev, "clamp", ...)}) and the Python package ({@code dev.run("clamp", ...)}) take it from here.
 */
public final class Clamp extends ElementwiseOp {
    /** One elementwise launch over x, flattened where the matrices are contiguous. */
    public static final OpPlan PLAN = OpPlan.of("clamp",
            Rule.of("1", Step.elementwise("nk_clamp", "x", "f:lo", "f:hi", "m:x", "m:y")));

    public Clamp() {
        super("clamp", "y = min(max(x, lo), hi); NaN stays NaN",
                List.of(Spec.Tensor.of("x", "m x n", "input")), Spec.Tensor.of("y", "m x n", "x clamped to [lo, hi]"),
                List.of(new Spec.Param("lo", "float", "-1", "lower bound"), new Spec.Param("hi", "float", "1", "upper bound")));
    }

    @Override public OpPlan plan() { return PLAN; }

    @Override public List<Spec.Require> requires() { return List.of(new Spec.Require("lo <= hi", "need lo <= hi")); }

    /** The reference: the same function element by element. */
    @Override public Map<String, HostMatrix> reference(Map<String, HostMatrix> in, Params p) {
        HostMatrix x = in.get("x");
        float lo = p.getFloat("lo"), hi = p.getFloat("hi");
        float[] y = new float[x.data().length];
        for (int i = 0; i < y.length; i++) {
            float v = x.data()[i];
            y[i] = v < lo ? lo : v > hi ? hi : v;
        }
        return Map.of("y", new HostMatrix(x.rows(), x.cols(), y));
    }

    @Override double flopsPerElement() { return 2; }

    /** Bounds inside the inputs' range (magnitudes in [0.1, 1)), so both sides clamp, and a range that clamps nothing. */
    @Override List<Map<String, String>> variants() { return List.of(Map.of("lo", "-0.5", "hi", "0.25"), Map.of("lo", "-2", "hi", "2")); }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * random_uniform: a rows x cols matrix of U[lo, hi) floats from Philox4x32-10 (nk_random_uniform;
 * reference {@link #reference} on {@link org.neurokernels.random.Philox}). Bit-exact: every
 * backend draws the same numbers for the same seed, stream and draw.
 */
public final class RandomUniform extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("random_uniform",
            Rule.of("cpu", Step.of("nk_random_uniform16", "cdiv(out_size, 64)", "1", "1", "1",
                    "i:out_rows", "i:out_cols", "seedlo:seed", "seedhi:seed", "i:stream", "i:draw", "f:lo", "f:hi", "m:out")),
            Rule.of("1", Step.of1d("nk_random_uniform", "cdiv(out_size, 4)",
                    "i:out_rows", "i:out_cols", "seedlo:seed", "seedhi:seed", "i:stream", "i:draw", "f:lo", "f:hi", "m:out")));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("lo < hi", "need lo < hi"),
                new Spec.Require("hi - lo <= 3.4028234663852886e38", "hi - lo overflows float: the kernel draws lo + u (hi - lo)"),
                new Spec.Require("rows >= 1 && cols >= 1", "rows and cols must be at least 1"),
                new Spec.Require("rows * cols <= 2147483647", "rows={rows} x cols={cols} exceeds 2^31 - 1 = 2147483647 elements"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public RandomUniform() {
        super("random_uniform", "out = U[lo, hi) from Philox4x32-10, element e from counter (e/4, stream, draw, 0), key = seed",
                List.of(), List.of(Spec.Tensor.of("out", "rows x cols", "random matrix")),
                List.of(new Spec.Param("rows", "int", "1", "rows of out"), new Spec.Param("cols", "int", "1", "columns of out"),
                        new Spec.Param("seed", "uint64", "0", "key (64-bit seed: low and high words)"),
                        new Spec.Param("stream", "int", "0", "counter word 1: which matrix"),
                        new Spec.Param("draw", "int", "0", "counter word 2: which draw (e.g. batch number)"),
                        new Spec.Param("lo", "float", "0", "lower bound"), new Spec.Param("hi", "float", "1", "upper bound")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) { return 0; }

    @Override public double bytes(Map<String, int[]> in, Params p) { return 4.0 * p.getInt("rows") * p.getInt("cols"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.randomUniform(p.getUint64("seed"), p.getInt("stream"), p.getInt("draw"), p.getFloat("lo"), p.getFloat("hi"), out.get("out"));
    }

    /** The reference: element e of n (row-major) = {@link org.neurokernels.random.Philox#uniform}(e, seed, stream, draw, lo, hi). */
    public static void reference(long seed, int stream, int draw, float lo, float hi, float[] out, int n) {
        for (int e = 0; e < n; e++) out[e] = (float) (double) org.neurokernels.random.Philox.uniform(e, seed, stream, draw, lo, hi);
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            cases.add(new Case(Map.of(), Map.of("rows", Integer.toString(s[0]), "cols", Integer.toString(s[1]),
                    "seed", Integer.toString(12345 + i), "stream", Integer.toString(i % 3), "draw", Integer.toString(7 * i), "lo", "-0.25", "hi", "0.75")));
            i++;
        }
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

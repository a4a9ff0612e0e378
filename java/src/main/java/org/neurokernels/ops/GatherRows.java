package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * gather_rows: out[i, :] = x[index[i], :], index a 1 x n row of float-valued row numbers (nk_gather_rows in
 * kernels-opencl/elementwise.cl, compiled for CUDA too; reference {@link #reference}).
 * Minibatches from a dataset that stays on the device. An index that is not an integer in [0, x.rows)
 * gives a NaN row. Bit-exact (a copy).
 */
public final class GatherRows extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("gather_rows",
            Rule.of("cpu", Step.of("nk_gather_rows16", "out_rows", "1", "1", "1", "i:out_rows", "i:out_cols", "i:x_rows", "m:x", "m:index", "m:out")),
            // not flattened: the kernel needs the output row of each element
            Rule.of("1", Step.of1d("nk_gather_rows", "out_size", "i:out_rows", "i:out_cols", "i:x_rows", "m:x", "m:index", "m:out")));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("m <= 16777216", "x has more than 2^24 rows, which float row numbers cannot address"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public GatherRows() {
        super("gather_rows", "out[i, :] = x[index[i], :] (float-valued row numbers; a bad index gives a NaN row)",
                List.of(Spec.Tensor.of("x", "m x n", "source rows"), Spec.Tensor.of("index", "1 x r", "row numbers, integers in [0, m)")),
                List.of(Spec.Tensor.of("out", "r x n", "gathered rows")), List.of());
    }

    @Override public double flops(Map<String, int[]> in, Params p) { return 0; }

    @Override public double bytes(Map<String, int[]> in, Params p) {
        int[] x = in.get("x"), index = in.get("index");
        return 4.0 * index[1] * (2.0 * x[1] + 1);
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.gatherRows(in.get("x"), in.get("index"), out.get("out"));
    }

    /** The reference: out row i (of outRows, cols wide) = row index[i] of x (xRows x cols), or NaN where index[i] is no row number; row-major. */
    public static void reference(float[] x, int xRows, int cols, float[] index, float[] out, int outRows) {
        for (int i = 0; i < outRows; i++) {
            double r = index[i];
            boolean valid = r >= 0 && r < xRows && r == Math.floor(r);
            for (int j = 0; j < cols; j++) out[i * cols + j] = (float) (valid ? (double) x[(int) r * cols + j] : Float.NaN);
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int i = 0;
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            int r = switch (i++ % 3) { case 0 -> 1; case 1 -> s[0]; default -> 2 * s[0] + 3; };  // repeats allowed
            cases.add(new Case(shapes("x", s, "index", shape(1, r)), Map.of()));
        }
        return cases;
    }

    /** index: uniform row numbers of x. */
    @Override protected float[] generate(String input, Map<String, int[]> shapes, Params p, Random rnd) {
        if (!input.equals("index")) return super.generate(input, shapes, p, rnd);
        int rows = shapes.get("x")[0];
        float[] d = new float[shapes.get("index")[1]];
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextInt(rows);
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

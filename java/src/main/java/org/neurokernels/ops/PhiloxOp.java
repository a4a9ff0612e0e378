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
 * philox4x32_10: the counter-based generator every backend shares, raw: row r of {@code out} is
 * Philox4x32-10(counter row r, key row r), uint32 throughout (nk_philox in kernels-opencl/learning.cl,
 * compiled for CUDA too; reference {@link #reference} on {@link org.neurokernels.random.Philox}). Bit-exact, so two vendors'
 * devices can be compared bit for bit through {@code neurokernels run} with uint32 .npy files.
 */
public final class PhiloxOp extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("philox4x32_10",
            Rule.of("1", Step.of1d("nk_philox", "counter_rows", "i:counter_rows", "m:counter", "m:key", "m:out")));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public PhiloxOp() {
        super("philox4x32_10", "out[r] = Philox4x32-10(counter[r], key[r]), uint32",
                List.of(Spec.Tensor.uint32("counter", "n x 4", "counters"), Spec.Tensor.uint32("key", "n x 2", "keys")),
                List.of(Spec.Tensor.uint32("out", "n x 4", "random words")), List.of());
    }

    @Override public double flops(Map<String, int[]> in, Params p) { return 0; }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.philox(in.get("counter"), in.get("key"), out.get("out"));
    }

    /** The reference: out row r (n x 4) = Philox4x32-10(counter row r (n x 4), key row r (n x 2)), the words as float bits, row-major. */
    public static void reference(float[] counter, float[] key, float[] out, int n) {
        for (int r = 0; r < n; r++) {
            int[] c = new int[4], k = new int[2];
            for (int q = 0; q < 4; q++) c[q] = Float.floatToRawIntBits(counter[r * 4 + q]);
            for (int q = 0; q < 2; q++) k[q] = Float.floatToRawIntBits(key[r * 2 + q]);
            int[] x = org.neurokernels.random.Philox.philox4x32_10(c, k);
            for (int q = 0; q < 4; q++) out[r * 4 + q] = Float.intBitsToFloat(x[q]);
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int n : quick ? new int[] {1, 257} : new int[] {1, 3, 64, 257, 1000}) {
            cases.add(new Case(shapes("counter", shape(n, 4), "key", shape(n, 2)), Map.of()));
        }
        return cases;
    }

    /** Random 32-bit words, among them the extremes 0 and 0xffffffff, as float bits. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = Float.intBitsToFloat(i % 7 == 0 ? -1 : i % 11 == 0 ? 0 : rnd.nextInt());
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

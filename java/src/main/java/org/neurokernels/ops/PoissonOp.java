package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * poisson: Poisson spike sources, spikes = 1 where Philox's uniform for (element, stream, step) is below
 * rate dt; count += spikes (nk_poisson; reference {@link #reference}). Bit-exact on every backend.
 */
public final class PoissonOp extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("poisson",
            Rule.of("1", Step.of1d("nk_poisson", "spikes_size", "i:spikes_rows", "i:spikes_cols", "f:dt", "m:rate",
                    "seedlo:seed", "seedhi:seed", "i:stream", "i:step", "m:spikes", "m:count")));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("dt > 0", "dt must be a step > 0 ms"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public PoissonOp() {
        super("poisson", "spikes = [U(element, stream, step) < rate * dt]; count += spikes",
                List.of(Spec.Tensor.of("rate", "1 x n", "rate per neuron (spikes/ms)"), Spec.Tensor.of("count", "b x n", "spike count")),
                List.of(Spec.Tensor.of("spikes", "b x n", "0 or 1"), Spec.Tensor.of("count", "b x n", "")),
                List.of(new Spec.Param("dt", "float", "0.1", "ms"), new Spec.Param("seed", "uint64", "0", "Philox key"),
                        new Spec.Param("stream", "int", "0", "Philox counter word 1"), new Spec.Param("step", "int", "0", "Philox counter word 2")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) { return 0; }

    @Override public Set<String> inPlace() { return Set.of("count"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.poisson(p.getFloat("dt"), in.get("rate"), p.getUint64("seed"), p.getInt("stream"), p.getInt("step"),
                out.get("spikes"), out.get("count"));
    }

    /** The reference: spikes (rows x cols, row-major) from rate (1 x cols) and Philox, count += spikes in place. */
    public static void reference(float dt, float[] rate, long seed, int stream, int step, float[] spikes, float[] count, int rows, int cols) {
        int[] key = org.neurokernels.random.Philox.key(seed);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int e = i * cols + j;
                int x = org.neurokernels.random.Philox.philox4x32_10(new int[] {e, stream, step, 0}, key)[0];
                float p = rate[j] * dt;   // in float, as the kernels compute it
                double s = org.neurokernels.random.Philox.unit(x) < p ? 1 : 0;
                spikes[e] = (float) s;
                count[e] = (float) ((double) count[e] + s);
            }
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int k = 0;
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            cases.add(new Case(shapes("rate", shape(1, s[1]), "count", s), Map.of("dt", "0.5", "seed", Integer.toString(5 + k), "stream", "1", "step", Integer.toString(k))));
            k++;
        }
        return cases;
    }

    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int e = 0; e < d.length; e++) d[e] = input.equals("rate") ? (float) rnd.nextDouble() : rnd.nextInt(10);
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.neurokernels.plan.OpPlan;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.random.Philox;

/**
 * connect: random connections built on the device as the padded table {@code lif_network} delivers along
 * (nk_connect in kernels-opencl/learning.cl, compiled for CUDA too). Rules: 0 fixed out-degree, 1 fixed
 * probability, 2 one-to-one; every choice comes from Philox (key = seed), so a network is the same on
 * every device and in the reference, bit for bit. Self-connections (post j + self_offset for row j) are
 * left out unless {@code autapses}.
 */
public final class ConnectOp extends Op {
    public static final OpPlan PLAN = OpPlan.of("connect", Rule.of("1", Step.of1d("nk_connect", "rows",
            "i:rows", "i:k", "i:rule", "i:n_post", "i:degree", "f:p", "i:autapses", "i:self_offset", "seedlo:seed", "seedhi:seed", "i:stream",
            "f:weight", "m:targets", "m:weights", "m:count")));

    public ConnectOp() {
        super("connect", "random connections as a padded table by presynaptic neuron, from Philox: fixed out-degree, fixed probability or one-to-one",
                List.of(),
                List.of(Spec.Tensor.of("targets", "rows x k", "post index of each synapse; -1 ends a row"),
                        Spec.Tensor.of("weights", "rows x k", "the weight of each synapse (0 in unused slots)"),
                        Spec.Tensor.of("count", "rows x 1", "synapses of each row (above k for rule 1 when the row overflowed)")),
                List.of(new Spec.Param("rows", "int", "1", "presynaptic neurons"), new Spec.Param("k", "int", "1", "slots per row"),
                        new Spec.Param("rule", "int", "0", "0 fixed out-degree, 1 fixed probability, 2 one-to-one"),
                        new Spec.Param("n_post", "int", "1", "postsynaptic neurons"), new Spec.Param("degree", "int", "1", "rule 0: synapses per row"),
                        new Spec.Param("p", "float", "0.1", "rule 1: connection probability"),
                        new Spec.Param("autapses", "bool", "false", "allow post j + self_offset for row j"),
                        new Spec.Param("self_offset", "int", "0", "row j's own index among the posts, minus j"),
                        new Spec.Param("seed", "uint64", "0", "Philox key"), new Spec.Param("stream", "int", "0", "Philox counter word 1"),
                        new Spec.Param("weight", "float", "1", "the weight of every synapse")));
    }

    @Override public OpPlan plan() { return PLAN; }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("rows >= 1 && k >= 1 && n_post >= 1", "rows, k and n_post must be at least 1"),
                new Spec.Require("rows * k <= 2147483647", "rows={rows} x k={k} exceeds 2^31 - 1 elements"),
                new Spec.Require("rule >= 0 && rule <= 2", "rule={rule}: 0 fixed out-degree, 1 fixed probability, 2 one-to-one"),
                new Spec.Require("rule != 0 || (degree >= 0 && degree <= k)", "rule 0 needs 0 <= degree <= k (degree={degree}, k={k})"),
                new Spec.Require("rule != 0 || degree == 0 || autapses || n_post >= 2", "rule 0 without autapses needs a post other than the neuron itself (n_post >= 2)"),
                new Spec.Require("rule != 1 || (p >= 0 && p <= 1)", "rule 1 needs 0 <= p <= 1"),
                new Spec.Require("rule != 2 || (self_offset >= 0 && rows + self_offset <= n_post)", "rule 2 needs posts j + self_offset for every row"),
                new Spec.Require("n_post <= 16777216", "at most 2^24 posts (indices are exact floats)"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) { return 0; }

    /** The kernel's choices, draw by draw. */
    @Override public Map<String, HostMatrix> reference(Map<String, HostMatrix> in, Params p) {
        int rows = p.getInt("rows"), k = p.getInt("k"), rule = p.getInt("rule"), nPost = p.getInt("n_post"), degree = p.getInt("degree");
        int offset = p.getInt("self_offset"), stream = p.getInt("stream");
        boolean selfOk = p.getBool("autapses");
        float w = p.getFloat("weight");
        int[] key = Philox.key(p.getUint64("seed"));
        float[] t = new float[rows * k], ws = new float[rows * k], count = new float[rows];
        for (int j = 0; j < rows; j++) {
            int self = j + offset, c = 0;
            List<Integer> posts = new ArrayList<>();
            if (rule == 2) {
                posts.add(self);
            } else if (rule == 0) {
                boolean excluded = !selfOk && self >= 0 && self < nPost;
                long choices = excluded ? nPost - 1 : nPost;
                for (int q = 0; q < degree; q++) {
                    int lane = Philox.philox4x32_10(new int[] {j, stream, q >> 2, 0}, key)[q & 3];
                    int target = (int) (((lane & 0xffffffffL) * choices) >>> 32);
                    if (excluded && target >= self) target++;
                    posts.add(target);
                }
            } else {
                long threshold = (long) (p.getFloat("p") * 16777216f);
                for (int post = 0; post < nPost; post++) {
                    int lane = Philox.philox4x32_10(new int[] {j, stream, post >> 2, 1}, key)[post & 3];
                    if ((lane >>> 8) >= threshold || (!selfOk && post == self)) continue;
                    posts.add(post);
                }
            }
            for (int post : posts) {
                if (c < k) {
                    t[j * k + c] = post;
                    ws[j * k + c] = w;
                }
                c++;
            }
            for (int q = Math.min(c, k); q < k; q++) {
                t[j * k + q] = -1f;
                ws[j * k + q] = 0f;
            }
            count[j] = c;
        }
        Map<String, HostMatrix> out = new LinkedHashMap<>();
        out.put("targets", new HostMatrix(rows, k, t));
        out.put("weights", new HostMatrix(rows, k, ws));
        out.put("count", new HostMatrix(rows, 1, count));
        return out;
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        // rows, k, rule, n_post, degree, p, autapses, self_offset
        Object[][] all = {{1, 1, 0, 1, 1, "0.5", true, 0}, {37, 12, 0, 50, 12, "0", false, 0}, {300, 30, 0, 1000, 17, "0", false, 200},
                {41, 20, 1, 60, 0, "0.25", false, 0}, {200, 8, 1, 200, 0, "0.05", false, 0}, {30, 3, 1, 40, 0, "1", false, 0},
                {90, 2, 2, 100, 0, "0", false, 10}, {64, 16, 1, 4096, 0, "0.001953125", true, 0}};
        int c = 0;
        for (Object[] a : all) {
            if (quick && c++ % 2 == 1) continue;
            Map<String, String> m = new LinkedHashMap<>();
            m.put("rows", a[0].toString());
            m.put("k", a[1].toString());
            m.put("rule", a[2].toString());
            m.put("n_post", a[3].toString());
            m.put("degree", a[4].toString());
            m.put("p", a[5].toString());
            m.put("autapses", a[6].toString());
            m.put("self_offset", a[7].toString());
            m.put("seed", "18446744073709551557");
            m.put("stream", "3");
            m.put("weight", "-0.09");
            cases.add(new Case(Map.of(), m));
        }
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

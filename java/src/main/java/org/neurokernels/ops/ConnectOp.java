package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.neurokernels.plan.OpPlan;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.random.Philox;

/**
 * connect: appends one projection's random synapses to the padded table {@code lif_network} delivers along
 * (nk_connect in kernels-opencl/learning.cl, compiled for CUDA too), built on the device. Rows row0 ..
 * row0 + rows - 1 (the presynaptic population) gain synapses onto posts post0 .. post0 + n_post - 1 (the
 * postsynaptic population) after the synapses they hold ({@code count}), so a network of several
 * populations is built one projection at a time into one table. Rules: 0 fixed out-degree, 1 fixed
 * probability, 2 one-to-one, 3 fixed in-degree (every row replays every post's draws: rows x n_post x
 * degree work, for networks of some 10^4 neurons). Weights are one value, or normally distributed (an Irwin-Hall approximation,
 * clipped at zero to keep their sign), and so are delays (in steps, rounded, clipped to 1 .. max_delay). Every choice and weight comes from Philox (key = seed), so a network
 * is the same on every device and in the reference, bit for bit. Self-connections are left out unless
 * {@code autapses}.
 */
public final class ConnectOp extends Op {
    public static final OpPlan PLAN = OpPlan.of("connect", Rule.of("1", Step.of1d("nk_connect", "rows",
            "i:rows", "i:targets_cols", "i:rule", "i:row0", "i:post0", "i:n_post", "i:degree", "f:p", "i:autapses", "seedlo:seed", "seedhi:seed", "i:stream",
            "f:weight", "f:weight_sd", "f:delay", "f:delay_sd", "i:max_delay", "m:targets", "m:weights", "m:delays", "m:count")));

    public ConnectOp() {
        super("connect", "appends a projection's random synapses (from Philox) to a padded table by presynaptic neuron: fixed out-degree, fixed probability, one-to-one or fixed in-degree",
                List.of(Spec.Tensor.of("targets", "n x k", "post index of each synapse; -1 ends a row"),
                        Spec.Tensor.of("weights", "n x k", "the weight of each synapse"),
                        Spec.Tensor.of("delays", "n x k", "the delay of each synapse (steps)"),
                        Spec.Tensor.of("count", "n x 1", "synapses each row holds (read as 0 .. k)")),
                List.of(Spec.Tensor.of("targets", "n x k", "the new synapses written from slot count on, then -1 where the row has room"),
                        Spec.Tensor.of("weights", "n x k", "their weights (0 at the row's end)"),
                        Spec.Tensor.of("delays", "n x k", "their delays (0 at the row's end)"),
                        Spec.Tensor.of("count", "n x 1", "synapses of each row (above k when the row overflowed)")),
                List.of(new Spec.Param("rows", "int", "1", "presynaptic neurons of the projection"),
                        new Spec.Param("row0", "int", "0", "the first presynaptic neuron (its row of the table)"),
                        new Spec.Param("post0", "int", "0", "the first postsynaptic neuron"),
                        new Spec.Param("n_post", "int", "1", "postsynaptic neurons"),
                        new Spec.Param("rule", "int", "0", "0 fixed out-degree, 1 fixed probability, 2 one-to-one, 3 fixed in-degree"),
                        new Spec.Param("degree", "int", "1", "rule 0: synapses per presynaptic neuron; rule 3: per postsynaptic neuron"),
                        new Spec.Param("p", "float", "0.1", "rule 1: connection probability"),
                        new Spec.Param("autapses", "bool", "false", "allow a neuron to connect to itself"),
                        new Spec.Param("seed", "uint64", "0", "Philox key"), new Spec.Param("stream", "int", "0", "Philox counter word 1 (one per projection)"),
                        new Spec.Param("weight", "float", "1", "the mean weight"),
                        new Spec.Param("weight_sd", "float", "0", "the weights' standard deviation (0: all equal)"),
                        new Spec.Param("delay", "float", "1", "the mean delay (steps)"),
                        new Spec.Param("delay_sd", "float", "0", "the delays' standard deviation (steps; 0: all equal)"),
                        new Spec.Param("max_delay", "int", "1", "the longest delay (steps): the network's delay slots")));
    }

    @Override public OpPlan plan() { return PLAN; }

    @Override public java.util.Set<String> inPlace() { return java.util.Set.of("targets", "weights", "delays", "count"); }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("rows >= 1 && n_post >= 1", "rows and n_post must be at least 1"),
                new Spec.Require("row0 >= 0 && row0 + rows <= n", "row0={row0} + rows={rows} must not pass the table's rows (row0 >= 0)"),
                new Spec.Require("post0 >= 0 && post0 + n_post <= 16777216", "post0={post0} + n_post={n_post} must lie in [0, 2^24] (indices are exact floats)"),
                new Spec.Require("rule >= 0 && rule <= 3", "rule={rule}: 0 fixed out-degree, 1 fixed probability, 2 one-to-one, 3 fixed in-degree"),
                new Spec.Require("rule != 3 || (degree >= 0 && n_post * degree <= 2147483647)", "rule 3 needs 0 <= degree and n_post={n_post} x degree={degree} below 2^31"),
                new Spec.Require("rule != 3 || degree == 0 || autapses || rows >= 2 || post0 + n_post <= row0 || post0 >= row0 + rows",
                        "rule 3 without autapses needs a source other than the neuron itself (rows >= 2)"),
                new Spec.Require("rule != 0 || (degree >= 0 && degree <= 16777216)", "rule 0 needs 0 <= degree <= 2^24 (degree={degree})"),
                new Spec.Require("rule != 0 || degree == 0 || autapses || n_post >= 2 || row0 + rows <= post0 || row0 >= post0 + n_post",
                        "rule 0 without autapses needs a post other than the neuron itself (n_post >= 2)"),
                new Spec.Require("rule != 1 || (p >= 0 && p <= 1)", "rule 1 needs 0 <= p <= 1"),
                new Spec.Require("rule != 2 || rows <= n_post", "rule 2 (one-to-one) needs as many posts as rows"),
                new Spec.Require("weight_sd >= 0", "weight_sd must be at least 0"),
                new Spec.Require("delay_sd >= 0", "delay_sd must be at least 0"),
                new Spec.Require("max_delay >= 1 && max_delay <= 16777216", "max_delay must lie in [1, 2^24]"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) { return 0; }

    /** The kernel's choices, draw by draw. */
    @Override public Map<String, HostMatrix> reference(Map<String, HostMatrix> in, Params p) {
        int n = in.get("targets").rows(), k = in.get("targets").cols();
        int rows = p.getInt("rows"), rule = p.getInt("rule"), row0 = p.getInt("row0"), post0 = p.getInt("post0"), nPost = p.getInt("n_post");
        int degree = p.getInt("degree"), stream = p.getInt("stream");
        boolean selfOk = p.getBool("autapses");
        float w = p.getFloat("weight"), wSd = p.getFloat("weight_sd"), prob = p.getFloat("p");
        float delay = p.getFloat("delay"), delaySd = p.getFloat("delay_sd");
        int maxDelay = p.getInt("max_delay");
        int[] key = Philox.key(p.getUint64("seed"));
        float[] t = in.get("targets").data().clone(), ws = in.get("weights").data().clone(), dls = in.get("delays").data().clone(), count = in.get("count").data().clone();
        for (int r = 0; r < rows; r++) {
            int j = row0 + r, self = j - post0;
            float c0 = count[j];
            int c = c0 >= 0f ? (c0 < (float) k ? (int) c0 : k) : 0;
            int nNew = rule == 2 ? 1 : rule == 0 ? degree : rule == 3 ? nPost * degree : nPost;
            boolean excluded = !selfOk && self >= 0 && self < nPost;
            long choices = excluded ? nPost - 1 : nPost;
            for (int q = 0; q < nNew; q++) {
                int target;
                if (rule == 2) {
                    target = r;
                } else if (rule == 0) {
                    int lane = Philox.philox4x32_10(new int[] {j, stream, q >> 2, 0}, key)[q & 3];
                    target = (int) (((lane & 0xffffffffL) * choices) >>> 32);
                    if (excluded && target >= self) target++;
                } else if (rule == 3) {
                    int post = q / degree, dd = q - post * degree;
                    int lane = Philox.philox4x32_10(new int[] {post0 + post, stream, dd >> 2, 5}, key)[dd & 3];
                    int selfPost = post0 + post - row0;
                    boolean excl = !selfOk && selfPost >= 0 && selfPost < rows;
                    int source = (int) (((lane & 0xffffffffL) * (excl ? rows - 1 : rows)) >>> 32);
                    if (excl && source >= selfPost) source++;
                    if (source != r) continue;
                    target = post;
                } else {
                    int lane = Philox.philox4x32_10(new int[] {j, stream, q >> 2, 1}, key)[q & 3];
                    if ((lane >>> 8) >= (long) (prob * 16777216f) || (!selfOk && q == self)) continue;
                    target = q;
                }
                if (c < k) {
                    float wq = w;
                    if (wSd != 0f) {
                        wq = Math.fma(wSd, irwinHall(new int[] {j, stream, c, 3}, key), w);
                        if (w >= 0f ? wq < 0f : wq > 0f) wq = 0f;
                    }
                    float dl = delay;
                    if (delaySd != 0f) dl = Math.fma(delaySd, irwinHall(new int[] {j, stream, c, 4}, key), delay);
                    dl = (float) Math.floor(dl + 0.5f);
                    dl = dl < 1f ? 1f : dl > (float) maxDelay ? (float) maxDelay : dl;
                    t[j * k + c] = post0 + target;
                    ws[j * k + c] = wq;
                    dls[j * k + c] = dl;
                }
                c++;
            }
            if (c < k) {
                t[j * k + c] = -1f;
                ws[j * k + c] = 0f;
                dls[j * k + c] = 0f;
            }
            count[j] = c;
        }
        Map<String, HostMatrix> out = new LinkedHashMap<>();
        out.put("targets", new HostMatrix(n, k, t));
        out.put("weights", new HostMatrix(n, k, ws));
        out.put("delays", new HostMatrix(n, k, dls));
        out.put("count", new HostMatrix(n, 1, count));
        return out;
    }

    /** nk_irwin_hall: (S 2^-24 - 2) sqrt(3), S the sum of the 24 high bits of Philox(counter, key)'s four lanes. */
    static float irwinHall(int[] counter, int[] key) {
        int[] z4 = Philox.philox4x32_10(counter, key);
        int sum = (z4[0] >>> 8) + (z4[1] >>> 8) + (z4[2] >>> 8) + (z4[3] >>> 8);
        return ((float) sum * 5.9604644775390625e-8f - 2.0f) * 1.7320508f;
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        // table rows n, k, rows, row0, post0, n_post, rule, degree, p, autapses, weight_sd
        Object[][] all = {{1, 1, 1, 0, 0, 1, 0, 1, "0.5", true, "0"}, {50, 12, 37, 0, 0, 50, 0, 12, "0", false, "0.01"},
                {1000, 30, 300, 200, 0, 1000, 0, 17, "0", false, "0"}, {60, 20, 41, 10, 5, 55, 1, 0, "0.25", false, "0.02"},
                {200, 8, 200, 0, 0, 200, 1, 0, "0.05", false, "0"}, {40, 3, 30, 0, 10, 30, 1, 0, "1", false, "0"},
                {100, 2, 90, 10, 0, 100, 2, 0, "0", false, "0.5"}, {64, 16, 64, 0, 100, 4096, 1, 0, "0.001953125", true, "0.03"},
                {300, 40, 250, 50, 0, 300, 3, 9, "0", false, "0.02"}, {80, 6, 30, 0, 40, 35, 3, 5, "0", true, "0"}};
        for (int c = 0; c < all.length; c++) {
            Object[] a = all[c];
            if (quick && c % 2 == 1) continue;
            int n = (Integer) a[0], k = (Integer) a[1];
            Map<String, String> m = new LinkedHashMap<>();
            String[] names = {"rows", "row0", "post0", "n_post", "rule", "degree", "p", "autapses", "weight_sd"};
            for (int q = 0; q < names.length; q++) m.put(names[q], a[q + 2].toString());
            m.put("seed", "18446744073709551557");
            m.put("stream", "3");
            m.put("weight", c % 3 == 0 ? "0.0878" : "-0.09");
            m.put("delay", c % 2 == 0 ? "15" : "7.5");
            m.put("delay_sd", c % 4 < 2 ? "7.5" : "0");
            m.put("max_delay", c % 4 == 1 ? "9" : "41");
            Map<String, int[]> sh = new LinkedHashMap<>();
            sh.put("targets", shape(n, k));
            sh.put("weights", shape(n, k));
            sh.put("delays", shape(n, k));
            sh.put("count", shape(n, 1));
            cases.add(new Case(sh, m));
        }
        return cases;
    }

    /** A table partly filled: each row's count in 0 .. k (a few NaN, negative or past k), targets and weights noise. */
    @Override protected float[] generate(String input, Map<String, int[]> shapes, Params p, Random rnd) {
        int n = shapes.get("targets")[0], k = shapes.get("targets")[1];
        if (!input.equals("count")) return super.generate(input, shapes, p, rnd);
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            int pick = rnd.nextInt(30);
            out[j] = pick == 0 ? Float.NaN : pick == 1 ? -3f : pick == 2 ? k + 5 : pick < 15 ? 0f : rnd.nextInt(k + 1);
        }
        return out;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

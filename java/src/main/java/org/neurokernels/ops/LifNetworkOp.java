package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.neurokernels.dynamics.LifParameters;
import org.neurokernels.dynamics.LifStep;
import org.neurokernels.plan.OpPlan;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;

/**
 * lif_network: {@code steps} steps of a network of n LIF neurons (iaf_psc_exp, as lif_step) joined by
 * sparse connections with transmission delays, in one launch with nothing read back in between
 * (nk_lif_network in kernels-opencl/dynamics.cl, compiled for CUDA too). Only neurons that fired deliver:
 * along their row of a padded connection table (targets: post index, -1 ends the row; weights in nA,
 * negative for inhibitory synapses, whose input goes to the inhibitory current; delays in steps) into ring
 * buffers of d slots per neuron, so a spike at step t arrives through a synapse of delay D (1 to d) at step
 * t + D. Each neuron belongs to a
 * population (pop_id); a population may receive a Poisson background (bg: its row is the cumulative
 * distribution of the events per step, each of weight w_bg), drawn from Philox on the device. Spikes are
 * recorded on the device as (step, neuron) rows and counted per population and step.
 *
 * <p>The parameters are the kernel's: the propagators of one step as {@link LifStep} holds them
 * ({@link #params} computes them from {@link LifParameters}). The reference repeats the kernel's float
 * arithmetic operation by operation (fma where it uses fma, deliveries in neuron and synapse order), so
 * every output is compared bit for bit: the same spikes at the same steps.
 */
public final class LifNetworkOp extends Op {
    private static final String[] ARGS = {"i:v_cols", "i:targets_cols", "i:ring_e_rows", "i:steps", "i:step0", "i:rec_capacity",
        "i:bg_rows", "i:bg_cols",
        "f:p22", "f:p21e", "f:p21i", "f:p20", "f:p11e", "f:p11i", "f:v_rest", "f:v_reset", "f:v_thresh", "f:i_offset",
        "i:refractory_steps", "f:rate_decay", "f:rate_gain", "f:w_bg", "seedlo:seed", "seedhi:seed", "i:stream",
        "m:v", "m:i_e", "m:i_i", "m:refractory", "m:rate", "m:count", "m:ring_e", "m:ring_i", "m:targets", "m:weights",
        "m:delays", "m:pop_id", "m:bg", "m:spikes", "m:rec", "m:pop", "m:nrec"};
    /**
     * One work-group of 256 (the kernels' NET_LOCAL) for the whole network: on CPU devices work-item 0
     * delivers every spike (nk_lif_network_cpu); elsewhere every work-item delivers onto its own posts.
     */
    public static final OpPlan PLAN = OpPlan.of("lif_network",
            Rule.of("cpu", Step.of("nk_lif_network_cpu", "256", "1", "256", "1", ARGS)),
            Rule.of("1", Step.of("nk_lif_network", "256", "1", "256", "1", ARGS)));
    static final List<String> STATE = List.of("v", "i_e", "i_i", "refractory", "rate", "count");

    public LifNetworkOp() {
        super("lif_network", "steps of a sparse LIF network with delays in one launch: event-driven delivery, spikes recorded on the device",
                List.of(Spec.Tensor.of("v", "1 x n", "membrane potential (mV)"), Spec.Tensor.of("i_e", "1 x n", "excitatory current (nA)"),
                        Spec.Tensor.of("i_i", "1 x n", "inhibitory current (nA)"), Spec.Tensor.of("refractory", "1 x n", "refractory steps left"),
                        Spec.Tensor.of("rate", "1 x n", "filtered rate"), Spec.Tensor.of("count", "1 x n", "spike count"),
                        Spec.Tensor.of("ring_e", "d x n", "excitatory input arriving in the next d steps (slot (step) % d)"),
                        Spec.Tensor.of("ring_i", "d x n", "inhibitory input arriving in the next d steps"),
                        Spec.Tensor.of("targets", "n x k", "post index of each synapse by presynaptic neuron; -1 ends a row"),
                        Spec.Tensor.of("weights", "n x k", "weight of each synapse (nA; negative: inhibitory)"),
                        Spec.Tensor.of("delays", "n x k", "transmission delay of each synapse (steps, 1 to d; another value delivers nothing)"),
                        Spec.Tensor.of("pop_id", "1 x n", "population of each neuron (0 .. npop-1; another value: no background, not counted)"),
                        Spec.Tensor.of("bg", "npop x m", "Poisson background per population: P(events <= c) in column c (events: the entries at or below a uniform draw; a row of ones: none)"),
                        Spec.Tensor.of("rec", "rec_capacity x 2", "the spike record (rows from nrec[0] on are written)"),
                        Spec.Tensor.of("nrec", "1 x 2", "spikes recorded so far in rec, spikes in all (updated)")),
                List.of(Spec.Tensor.of("v", "1 x n", ""), Spec.Tensor.of("i_e", "1 x n", ""), Spec.Tensor.of("i_i", "1 x n", ""),
                        Spec.Tensor.of("refractory", "1 x n", ""), Spec.Tensor.of("rate", "1 x n", ""), Spec.Tensor.of("count", "1 x n", ""),
                        Spec.Tensor.of("ring_e", "d x n", ""), Spec.Tensor.of("ring_i", "d x n", ""),
                        Spec.Tensor.of("spikes", "1 x n", "1 where a neuron fired in the last step"),
                        Spec.Tensor.of("rec", "rec_capacity x 2", "(step, neuron) of each spike, from row nrec[0] on, while rows last"),
                        Spec.Tensor.of("pop", "steps x npop", "spikes of each population per step"),
                        Spec.Tensor.of("nrec", "1 x 2", "")),
                List.of(new Spec.Param("steps", "int", "1", "steps in this launch"), new Spec.Param("step0", "int", "0", "the first step's number"),
                        new Spec.Param("rec_capacity", "int", "1", "rows of rec"),
                        new Spec.Param("p22", "float", "0.995", "exp(-dt/tau_m)"), new Spec.Param("p21e", "float", "0", "propagator I_E -> V"),
                        new Spec.Param("p21i", "float", "0", "propagator I_I -> V"), new Spec.Param("p20", "float", "0", "propagator of the constant current"),
                        new Spec.Param("p11e", "float", "0.98", "exp(-dt/tau_syn_E)"), new Spec.Param("p11i", "float", "0.98", "exp(-dt/tau_syn_I)"),
                        new Spec.Param("v_rest", "float", "-65", "mV"), new Spec.Param("v_reset", "float", "-65", "mV"),
                        new Spec.Param("v_thresh", "float", "-50", "mV"), new Spec.Param("i_offset", "float", "0", "nA"),
                        new Spec.Param("refractory_steps", "int", "0", "steps"), new Spec.Param("rate_decay", "float", "0.999", "exp(-dt/tau_rate)"),
                        new Spec.Param("rate_gain", "float", "0.01", "1/tau_rate"),
                        new Spec.Param("w_bg", "float", "0", "weight of a background event (nA; 0: no background drawn)"),
                        new Spec.Param("seed", "uint64", "0", "Philox key of the background"),
                        new Spec.Param("stream", "int", "0", "Philox counter word 2 of the background")));
    }

    @Override public OpPlan plan() { return PLAN; }

    @Override public Set<String> inPlace() { return Set.of("v", "i_e", "i_i", "refractory", "rate", "count", "ring_e", "ring_i", "rec", "nrec"); }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("steps >= 1", "steps must be at least 1"),
                new Spec.Require("rec_capacity >= 1", "rec_capacity must be at least 1"),
                new Spec.Require("step0 >= 0 && step0 + steps <= 16777216", "steps {step0} + {steps} pass 2^24 (recorded as exact floats)"),
                new Spec.Require("refractory_steps >= 0 && refractory_steps <= 16777216", "refractory_steps must lie in [0, 2^24]"),
                new Spec.Require("n <= 16777216", "at most 2^24 neurons (indices are exact floats)"),
                new Spec.Require("d <= 16777216", "at most 2^24 delay slots"));
    }

    /** The kernel's parameters for these neurons, step dt and rate filter, with steps, step0 and rec_capacity (no background weight, seed 0). */
    public static Map<String, String> params(LifParameters cell, double dt, double tauRate, int steps, int step0, int recCapacity) {
        LifStep s = cell.step(dt, tauRate);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("steps", Integer.toString(steps));
        m.put("step0", Integer.toString(step0));
        m.put("rec_capacity", Integer.toString(recCapacity));
        float[] f = {s.p22(), s.p21e(), s.p21i(), s.p20(), s.p11e(), s.p11i(), s.vRest(), s.vReset(), s.vThresh(), s.iOffset()};
        String[] names = {"p22", "p21e", "p21i", "p20", "p11e", "p11i", "v_rest", "v_reset", "v_thresh", "i_offset"};
        for (int i = 0; i < f.length; i++) m.put(names[i], Float.toString(f[i]));
        m.put("refractory_steps", Integer.toString(s.refractorySteps()));
        m.put("rate_decay", Float.toString(s.rateDecay()));
        m.put("rate_gain", Float.toString(s.rateGain()));
        return m;
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        return 12.0 * in.get("v")[1] * p.getInt("steps");
    }

    /** The kernel's float arithmetic, step by step: nk_lif_element per neuron, then deliveries in neuron and synapse order. */
    @Override public Map<String, HostMatrix> reference(Map<String, HostMatrix> in, Params p) {
        int n = in.get("v").cols(), d = in.get("ring_e").rows(), k = in.get("targets").cols(), steps = p.getInt("steps"), step0 = p.getInt("step0");
        int npop = in.get("bg").rows(), m = in.get("bg").cols(), cap = p.getInt("rec_capacity"), refr = p.getInt("refractory_steps"), stream = p.getInt("stream");
        float p22 = p.getFloat("p22"), p21e = p.getFloat("p21e"), p21i = p.getFloat("p21i"), p20 = p.getFloat("p20"), p11e = p.getFloat("p11e"),
                p11i = p.getFloat("p11i"), vRest = p.getFloat("v_rest"), vReset = p.getFloat("v_reset"), vThresh = p.getFloat("v_thresh"),
                iOffset = p.getFloat("i_offset"), rateDecay = p.getFloat("rate_decay"), rateGain = p.getFloat("rate_gain"), wBg = p.getFloat("w_bg");
        int[] key = org.neurokernels.random.Philox.key(p.getUint64("seed"));
        float[] v = in.get("v").data().clone(), ie = in.get("i_e").data().clone(), ii = in.get("i_i").data().clone(), r = in.get("refractory").data().clone(),
                rate = in.get("rate").data().clone(), count = in.get("count").data().clone(), ringE = in.get("ring_e").data().clone(),
                ringI = in.get("ring_i").data().clone(), targets = in.get("targets").data(), w = in.get("weights").data(),
                delays = in.get("delays").data(), popId = in.get("pop_id").data(), bg = in.get("bg").data();
        float[] spikes = new float[n], rec = in.get("rec").data().clone(), pop = new float[steps * npop], nrec = in.get("nrec").data().clone();
        int recorded = (int) nrec[0], total = (int) nrec[1];
        for (int t = 0; t < steps; t++) {
            int slot = (step0 + t) % d;
            for (int j = 0; j < n; j++) {
                float se = ringE[slot * n + j], si = ringI[slot * n + j];
                ringE[slot * n + j] = 0f;
                ringI[slot * n + j] = 0f;
                if (wBg != 0f) {   // w_bg == 0: no background, no draws
                    float pid = popId[j];
                    boolean ok = pid >= 0f && pid < (float) npop;
                    int row = ok ? (int) pid : 0;
                    int lane = org.neurokernels.random.Philox.philox4x32_10(new int[] {j >> 2, step0 + t, stream, 2}, key)[j & 3];
                    float u = (float) (lane >>> 8) * 5.9604644775390625e-8f;
                    int events = 0;
                    for (int c = 0; c < m; c++) events += u >= bg[row * m + c] ? 1 : 0;
                    se = Math.fma((float) (ok ? events : 0), wBg, se);
                }
                float v0 = v[j], e0 = ie[j], i0 = ii[j], r0 = r[j];
                float integrated = vRest + Math.fma(p22, v0 - vRest, Math.fma(p21e, e0, Math.fma(p21i, i0, p20 * (iOffset + 0f))));
                boolean refractory = r0 > 0f;
                float vn = refractory ? vReset : integrated, rn = refractory ? r0 - 1f : r0;
                ie[j] = Math.fma(p11e, e0, se);
                ii[j] = Math.fma(p11i, i0, si);
                boolean fire = vn >= vThresh;
                float spike = fire ? 1f : 0f;
                v[j] = fire ? vReset : vn;
                r[j] = fire ? (float) refr : rn;
                spikes[j] = spike;
                rate[j] = Math.fma(rateDecay, rate[j], rateGain * spike);
                count[j] += spike;
            }
            for (int j = 0; j < n; j++) {
                if (spikes[j] == 0f) continue;
                float pid = popId[j];
                if (pid >= 0f && pid < (float) npop) pop[t * npop + (int) pid] += 1f;
                if (recorded < cap) {
                    rec[2 * recorded] = step0 + t;
                    rec[2 * recorded + 1] = j;
                    recorded++;
                }
                total++;
                for (int q = 0; q < k; q++) {
                    float target = targets[j * k + q];
                    if (!(target >= 0f)) break;          // -1 (or NaN) ends the row
                    if (target >= (float) n) continue;   // past the network: skipped
                    float dq = delays[j * k + q];
                    if (!(dq >= 1f && dq <= (float) d)) continue;
                    int out = slot + (int) dq;
                    if (out >= d) out -= d;
                    float wq = w[j * k + q];
                    int post = (int) target;
                    if (wq >= 0f) ringE[out * n + post] += wq;
                    else ringI[out * n + post] += wq;
                }
            }
        }
        nrec[0] = recorded;
        nrec[1] = total;
        Map<String, HostMatrix> out = new LinkedHashMap<>();
        out.put("v", new HostMatrix(1, n, v));
        out.put("i_e", new HostMatrix(1, n, ie));
        out.put("i_i", new HostMatrix(1, n, ii));
        out.put("refractory", new HostMatrix(1, n, r));
        out.put("rate", new HostMatrix(1, n, rate));
        out.put("count", new HostMatrix(1, n, count));
        out.put("ring_e", new HostMatrix(d, n, ringE));
        out.put("ring_i", new HostMatrix(d, n, ringI));
        out.put("spikes", new HostMatrix(1, n, spikes));
        out.put("rec", new HostMatrix(cap, 2, rec));
        out.put("pop", new HostMatrix(steps, npop, pop));
        out.put("nrec", new HostMatrix(1, 2, nrec));
        return out;
    }

    /**
     * Small networks: sizes around the work-group's chunking (and one where most neurons fire together), 1 to 5 delay slots with delays of 1 to d (and a
     * few outside), 1 to 3 populations with and without a Poisson background, a record that overflows in one case.
     */
    @Override public List<Case> cases(boolean quick) {
        // n, k, d, steps, npop, m (background columns; 0: no background)
        int[][] sizes = quick ? new int[][] {{40, 6, 1, 60, 2, 0}, {300, 17, 4, 80, 3, 6}}
                : new int[][] {{1, 1, 1, 10, 1, 0}, {40, 6, 1, 60, 2, 0}, {257, 9, 3, 50, 2, 4}, {300, 17, 4, 80, 3, 6}, {600, 30, 5, 40, 2, 0},
                    {2600, 4, 2, 3, 2, 0}};   // most of 2600 neurons fire at once: more spikes in a step than the GPU kernel lists at a time
        List<Case> cases = new ArrayList<>();
        int c = 0;
        for (int[] s : sizes) {
            int n = s[0], k = s[1], d = s[2], steps = s[3], npop = s[4], m = Math.max(1, s[5]);
            Map<String, int[]> sh = new LinkedHashMap<>();
            for (String t : STATE) sh.put(t, shape(1, n));
            sh.put("ring_e", shape(d, n));
            sh.put("ring_i", shape(d, n));
            sh.put("targets", shape(n, k));
            sh.put("weights", shape(n, k));
            sh.put("delays", shape(n, k));
            sh.put("pop_id", shape(1, n));
            sh.put("bg", shape(npop, m));
            int cap0 = c == 1 ? 7 : n * steps;   // case 1: far fewer rows than spikes
            sh.put("rec", shape(cap0, 2));
            sh.put("nrec", shape(1, 2));
            LifParameters cell = new LifParameters(20, 0.2, -49, -60, -50, c % 2 == 0 ? 5 : 0.1, 5, 10, 0);
            Map<String, String> pm = params(cell, 0.1, 50, steps, 11 * c, cap0);
            pm.put("w_bg", s[5] == 0 ? "0" : "0.03");
            pm.put("seed", "18446744073709551557");
            pm.put("stream", Integer.toString(c));
            cases.add(new Case(sh, pm));
            c++;
        }
        return cases;
    }

    /**
     * State in the CUBA network's range (v in [-60, -49.5], some neurons refractory), rows of distinct random
     * targets, E and I weights (the last fifth of the neurons inhibitory), delays mostly in 1 .. d with a few
     * outside, population ids mostly valid, and background distributions of Poisson counts (mean 0.2 to 1.5)
     * with one population, where there are several, without background.
     */
    @Override protected float[] generate(String input, Map<String, int[]> shapes, Params p, Random rnd) {
        int n = shapes.get("v")[1], k = shapes.get("targets")[1], d = shapes.get("ring_e")[0];
        int size = shapes.get(input)[0] * shapes.get(input)[1];
        float[] out = new float[size];
        switch (input) {
            case "v" -> { for (int j = 0; j < n; j++) out[j] = (float) (n >= 2000 ? -50.2 + 5 * rnd.nextDouble() : -60 + 10.5 * rnd.nextDouble()); }
            case "i_e", "i_i", "ring_e", "ring_i" -> { for (int j = 0; j < size; j++) out[j] = (float) (0.2 * rnd.nextDouble()); }
            case "refractory" -> { for (int j = 0; j < n; j++) out[j] = rnd.nextInt(4) == 0 ? rnd.nextInt(p.getInt("refractory_steps") + 1) : 0; }
            case "rate", "count" -> { for (int j = 0; j < n; j++) out[j] = rnd.nextInt(3); }
            case "targets" -> {
                for (int j = 0; j < n; j++) {
                    int len = rnd.nextInt(k + 1);
                    for (int q = 0; q < k; q++) out[j * k + q] = q < len ? rnd.nextInt(n) : -1f;
                }
            }
            case "weights" -> { for (int j = 0; j < size; j++) out[j] = (float) ((j / k < n * 4 / 5 ? 1 : -4) * (0.05 + 0.5 * rnd.nextDouble())); }
            case "delays" -> {
                for (int j = 0; j < size; j++) {
                    int pick = rnd.nextInt(40);
                    out[j] = pick == 0 ? 0f : pick == 1 ? d + 1 : pick == 2 ? Float.NaN : 1 + rnd.nextInt(d);
                }
            }
            case "pop_id" -> {
                int npop = shapes.get("bg")[0];
                for (int j = 0; j < n; j++) out[j] = rnd.nextInt(50) == 0 ? (rnd.nextBoolean() ? -1f : npop) : j * npop / n;
            }
            case "bg" -> {
                int npop = shapes.get("bg")[0], m = shapes.get("bg")[1];
                for (int q = 0; q < npop; q++) {
                    double lambda = 0.2 + 1.3 * rnd.nextDouble();
                    boolean none = m == 1 || (npop > 1 && q == npop - 1);
                    System.arraycopy(poissonCdf(none ? 0 : lambda, m), 0, out, q * m, m);
                }
            }
            case "nrec" -> { out[0] = 0; out[1] = 0; }
            default -> { return super.generate(input, shapes, p, rnd); }
        }
        return out;
    }

    /**
     * The background of a population receiving Poisson(lambda) events per step, as the kernel reads it:
     * P(X &lt;= c) for c = 0 .. m-1, rounded to float; lambda 0 gives no background.
     */
    public static float[] poissonCdf(double lambda, int m) {
        float[] out = new float[m];
        double pk = Math.exp(-lambda), cdf = pk;
        for (int c = 0; c < m; c++) {
            out[c] = lambda <= 0 ? 1f : (float) Math.min(1.0, cdf);
            pk *= lambda / (c + 1);
            cdf += pk;
        }
        return out;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

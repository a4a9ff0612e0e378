package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;
import org.neurokernels.dynamics.LifParameters;
import org.neurokernels.dynamics.LifStep;

/**
 * lif_step: one exact-integration step of a LIF population with exponential current synapses
 * (iaf_psc_exp; parameters as PyNN's IF_curr_exp), state updated in place (nk_lif_step in
 * kernels-opencl/dynamics.cl, compiled for CUDA too; reference {@link #reference}).
 *
 * <p>Bounds: V within 8 u of the size of its update (|v_rest| + |p22 (V - v_rest)| + |p21 I| + |p20 i|);
 * currents within 3 u (|p11 I| + |syn|); rate within 3 u of its terms; spikes, refractory counters and
 * counts exact. A neuron whose new V lies within 1e-4 mV of threshold is a tie: float and double may fall
 * on different sides, so its threshold-dependent outputs are not compared.
 */
public final class LifStepOp extends Op {
    static final List<String> STATE = List.of("v", "i_e", "i_i", "refractory", "rate", "count");
    static final double TIE_MV = 1e-4;

    /** The kernel's arguments: the propagators and constants (see {@link #kernelVariables}), the state, the inputs with flags, the outputs. */
    private static final String[] ARGS = {"f:p22", "f:p21e", "f:p21i", "f:p20", "f:p11e", "f:p11i", "f:v_rest_k", "f:v_reset_k", "f:v_thresh_k",
        "f:i_offset_k", "i:refractory_steps", "f:rate_decay", "f:rate_gain", "m:v", "m:i_e", "m:i_i", "m:refractory",
        "m:i_ext", "i:has_i_ext", "m:syn_e", "i:has_syn_e", "m:syn_i", "i:has_syn_i", "m:spikes", "m:rate", "m:count"};
    /** nk_lif_step16's: the state as one row of v_size. */
    private static final String[] FLAT_ARGS = java.util.stream.Stream.concat(java.util.stream.Stream.of("i:1", "i:v_size"), java.util.Arrays.stream(ARGS))
            .toArray(String[]::new);
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("lif_step",
            Rule.of("cpu && contig", Step.of("nk_lif_step16", "rup(cdiv(v_size, 16), 64)", "1", "64", "1", FLAT_ARGS)),
            Rule.of("1", Step.elementwise("nk_lif_step", "v", ARGS)));

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public LifStepOp() {
        super("lif_step", "one exact step of an iaf_psc_exp (IF_curr_exp) population: V, I_E, I_I, refractory, rate, count in place; spikes out",
                List.of(Spec.Tensor.of("v", "b x n", "membrane potential (mV)"), Spec.Tensor.of("i_e", "b x n", "excitatory synaptic current (nA)"),
                        Spec.Tensor.of("i_i", "b x n", "inhibitory synaptic current (nA)"), Spec.Tensor.of("refractory", "b x n", "refractory steps left"),
                        Spec.Tensor.of("rate", "b x n", "filtered rate (spikes/ms)"), Spec.Tensor.of("count", "b x n", "spike count"),
                        Spec.Tensor.optional("i_ext", "b x n", "external current (nA)"),
                        Spec.Tensor.optional("syn_e", "b x n", "this step's excitatory input (nA)"),
                        Spec.Tensor.optional("syn_i", "b x n", "this step's inhibitory input (nA)")),
                List.of(Spec.Tensor.of("v", "b x n", ""), Spec.Tensor.of("i_e", "b x n", ""), Spec.Tensor.of("i_i", "b x n", ""),
                        Spec.Tensor.of("refractory", "b x n", ""), Spec.Tensor.of("spikes", "b x n", "1 where a neuron fired"),
                        Spec.Tensor.of("rate", "b x n", ""), Spec.Tensor.of("count", "b x n", "")),
                List.of(new Spec.Param("tau_m", "float", "20", "ms"), new Spec.Param("cm", "float", "1", "nF"),
                        new Spec.Param("v_rest", "float", "-65", "mV"), new Spec.Param("v_reset", "float", "-65", "mV"),
                        new Spec.Param("v_thresh", "float", "-50", "mV"), new Spec.Param("tau_refrac", "float", "0.1", "ms"),
                        new Spec.Param("tau_syn_E", "float", "5", "ms"), new Spec.Param("tau_syn_I", "float", "5", "ms"),
                        new Spec.Param("i_offset", "float", "0", "nA"), new Spec.Param("dt", "float", "0.1", "ms"),
                        new Spec.Param("tau_rate", "float", "100", "ms: time constant of the rate readout")));
    }

    static LifParameters parameters(Params p) {
        return new LifParameters(p.getFloat("tau_m"), p.getFloat("cm"), p.getFloat("v_rest"), p.getFloat("v_reset"), p.getFloat("v_thresh"),
                p.getFloat("tau_refrac"), p.getFloat("tau_syn_E"), p.getFloat("tau_syn_I"), p.getFloat("i_offset"));
    }

    static LifStep step(Params p) { return parameters(p).step(p.getFloat("dt"), p.getFloat("tau_rate")); }

    @Override public Map<String, int[]> outputShapes(Map<String, int[]> in, Params p) {
        Map<String, int[]> out = SpecShapes.outputShapes(this, in, p);
        step(p);   // the propagators must fit a float
        return out;
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] v = in.get("v");
        return 14.0 * v[0] * v[1];
    }

    @Override public Set<String> inPlace() { return Set.copyOf(STATE); }

    /** The plan's variables beyond the tensors: the propagators and constants one step takes, from {@link org.neurokernels.dynamics.LifStep}. */
    public static Map<String, Double> kernelVariables(org.neurokernels.dynamics.LifStep p) {
        double[] values = {p.p22(), p.p21e(), p.p21i(), p.p20(), p.p11e(), p.p11i(), p.vRest(), p.vReset(), p.vThresh(), p.iOffset(),
            p.refractorySteps(), p.rateDecay(), p.rateGain()};
        Map<String, Double> v = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) v.put(KERNEL_VARIABLES.get(i), values[i]);
        return v;
    }

    /**
     * P21 of iaf_psc_exp for synapse time constant S: tau_m S / (C (S - tau_m)) (e^{-h/S} - e^{-h/tau_m}),
     * written as tau_m S / (C (S - tau_m)) e^{-h/tau_m} expm1(h (1/tau_m - 1/S)), which stays accurate as S
     * approaches tau_m and is its limit (h / C) e^{-h/tau_m} there.
     */
    private static final String P21 = "fabs(1 / tau_m - 1 / S) * dt < 1e-12 ? dt / cm * exp(-dt / tau_m)"
            + " : tau_m * S / (cm * (S - tau_m)) * exp(-dt / tau_m) * expm1(dt * (1 / tau_m - 1 / S))";

    /**
     * What one step's kernel takes, from the neuron parameters, dt and tau_rate (ms): the exact-integration
     * propagators, the constants, the refractory period in steps (round(tau_refrac / dt)) and the rate
     * filter's decay and gain. Written once: {@link LifParameters#step} evaluates it, the C library's
     * nk_lif_step runs the generated nk_op_derive_lif_step; each is rounded to float as the kernel's argument.
     */
    private static final List<Map.Entry<String, String>> DERIVED = List.of(
            Map.entry("p22", "exp(-dt / tau_m)"),
            Map.entry("p21e", P21.replace("S", "tau_syn_E")),
            Map.entry("p21i", P21.replace("S", "tau_syn_I")),
            Map.entry("p20", "-expm1(-dt / tau_m) * (tau_m / cm)"),
            Map.entry("p11e", "exp(-dt / tau_syn_E)"),
            Map.entry("p11i", "exp(-dt / tau_syn_I)"),
            Map.entry("v_rest_k", "v_rest"), Map.entry("v_reset_k", "v_reset"), Map.entry("v_thresh_k", "v_thresh"),
            Map.entry("i_offset_k", "i_offset"),
            Map.entry("refractory_steps", "floor(tau_refrac / dt + 0.5)"),
            Map.entry("rate_decay", "exp(-dt / tau_rate)"),
            Map.entry("rate_gain", "1 / tau_rate"));

    @Override public List<Map.Entry<String, String>> derived() { return DERIVED; }

    /** The variables {@link #kernelVariables} adds, in LifStep's order, which the C library passes them in. */
    public static final List<String> KERNEL_VARIABLES = DERIVED.stream().map(Map.Entry::getKey).toList();

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.lifStep(step(p), out.get("v"), out.get("i_e"), out.get("i_i"), out.get("refractory"),
                in.get("i_ext"), in.get("syn_e"), in.get("syn_i"), out.get("spikes"), out.get("rate"), out.get("count"));
    }

    /** The reference: one step of n neurons (row-major; iExt, synE, synI may be null), the state updated in place, in double. */
    public static void reference(LifStep p, float[] v, float[] iE, float[] iI, float[] refractory, float[] iExt, float[] synE, float[] synI,
                                 float[] spikes, float[] rate, float[] count, int n) {
        for (int e = 0; e < n; e++) {
            double x = v[e], ie = iE[e], ii = iI[e], r = refractory[e];
            if (r > 0) {
                x = p.vReset();
                r -= 1;
            } else {
                double current = p.iOffset() + (iExt == null ? 0 : (double) iExt[e]);
                x = p.vRest() + p.p22() * (x - p.vRest()) + p.p21e() * ie + p.p21i() * ii + p.p20() * current;
            }
            iE[e] = (float) (p.p11e() * ie + (synE == null ? 0 : (double) synE[e]));
            iI[e] = (float) (p.p11i() * ii + (synI == null ? 0 : (double) synI[e]));
            double s = 0;
            if (x >= p.vThresh()) {
                s = 1;
                x = p.vReset();
                r = p.refractorySteps();
            }
            v[e] = (float) x;
            refractory[e] = (float) r;
            spikes[e] = (float) s;
            rate[e] = (float) (p.rateDecay() * (double) rate[e] + p.rateGain() * s);
            count[e] = (float) ((double) count[e] + s);
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int k = 0;
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            Map<String, int[]> shapes = new LinkedHashMap<>();
            for (String n : STATE) shapes.put(n, s);
            if (k % 2 == 0) shapes.put("i_ext", s);
            if (k % 3 != 2) {
                shapes.put("syn_e", s);
                shapes.put("syn_i", s);
            }
            cases.add(new Case(shapes, k % 2 == 0 ? Map.of("dt", "0.1", "tau_refrac", "2") : Map.of("dt", "0.25", "tau_syn_E", "20", "tau_syn_I", "3", "i_offset", "0.5")));
            k++;
        }
        return cases;
    }

    /** Voltages spread around threshold, currents of either sign, integer counters; so spikes, resets and refractoriness all occur. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int e = 0; e < d.length; e++) {
            switch (input) {
                case "v": d[e] = (float) (-70 + 25 * rnd.nextDouble()); break;
                case "refractory": d[e] = rnd.nextDouble() < 0.7 ? 0f : 1 + rnd.nextInt(20); break;
                case "count": d[e] = rnd.nextInt(50); break;
                case "rate": d[e] = (float) (0.1 * rnd.nextDouble()); break;
                case "i_ext": d[e] = (float) (3 * rnd.nextDouble()); break;
                default: d[e] = (float) (4 * rnd.nextDouble() - 2); break;
            }
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        LifStep st = step(p);
        float[] v = in.get("v").data(), ie = in.get("i_e").data(), ii = in.get("i_i").data(), r = in.get("refractory").data();
        float[] x = in.containsKey("i_ext") ? in.get("i_ext").data() : null;
        int n = v.length;
        double[] scale = new double[n];
        double bound;
        String rule;
        for (int e = 0; e < n; e++) {
            double cur = st.iOffset() + (x == null ? 0 : x[e]);
            double vNew = r[e] > 0 ? st.vReset() : st.vRest() + st.p22() * ((double) v[e] - st.vRest()) + st.p21e() * ie[e] + st.p21i() * ii[e] + st.p20() * cur;
            boolean tie = r[e] <= 0 && Math.abs(vNew - st.vThresh()) <= TIE_MV;
            switch (output) {
                case "v":
                    scale[e] = Math.abs(st.vRest()) + Math.abs(st.p22() * ((double) v[e] - st.vRest())) + Math.abs(st.p21e() * ie[e])
                            + Math.abs(st.p21i() * ii[e]) + Math.abs(st.p20() * cur);
                    break;
                case "i_e":
                case "i_i": {
                    float[] syn = in.containsKey(output.equals("i_e") ? "syn_e" : "syn_i") ? in.get(output.equals("i_e") ? "syn_e" : "syn_i").data() : null;
                    scale[e] = Math.abs((output.equals("i_e") ? st.p11e() * ie[e] : st.p11i() * ii[e])) + (syn == null ? 0 : Math.abs(syn[e])) + Float.MIN_NORMAL;
                    break;
                }
                case "rate":
                    scale[e] = Math.abs(st.rateDecay() * in.get("rate").data()[e]) + st.rateGain() + Float.MIN_NORMAL;
                    break;
                default:
                    scale[e] = 1;
            }
            if (tie && !output.startsWith("i_")) scale[e] = Double.POSITIVE_INFINITY;
        }
        switch (output) {
            case "v": bound = 8 * ErrorModel.U; rule = "|v - ref| <= 8 u (size of the update); threshold ties (1e-4 mV) skipped"; break;
            case "i_e": case "i_i": bound = 3 * ErrorModel.U; rule = "|I - ref| <= 3 u (|p11 I| + |syn|)"; break;
            case "rate": bound = 3 * ErrorModel.U; rule = "|rate - ref| <= 3 u (|decay rate| + gain); threshold ties skipped"; break;
            default: bound = 0; rule = "exact; threshold ties skipped";
        }
        return new ErrorModel(scale, bound, rule);
    }
}

package org.neurokernels.dynamics;

import java.util.Map;

/**
 * Parameters of a leaky integrate-and-fire neuron with exponential current synapses, named and in the
 * units of PyNN's IF_curr_exp (NEST's iaf_psc_exp): ms, nF, mV, nA. Defaults are PyNN's.
 */
public record LifParameters(double tauM, double cm, double vRest, double vReset, double vThresh, double tauRefrac,
                            double tauSynE, double tauSynI, double iOffset) {
    /**
     * Every value must be finite; tau_m, cm, tau_syn_E and tau_syn_I positive, tau_refrac zero or positive,
     * v_thresh above v_reset. Anything else is an IllegalArgumentException naming the parameter.
     */
    public LifParameters {
        positive("tau_m", tauM, "ms");
        positive("cm", cm, "nF");
        finite("v_rest", vRest, "mV");
        finite("v_reset", vReset, "mV");
        finite("v_thresh", vThresh, "mV");
        if (!(tauRefrac >= 0 && tauRefrac < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("tau_refrac = " + text(tauRefrac) + " ms: need a finite refractory period >= 0 ms");
        }
        positive("tau_syn_E", tauSynE, "ms");
        positive("tau_syn_I", tauSynI, "ms");
        finite("i_offset", iOffset, "nA");
        if (!(vThresh > vReset)) throw new IllegalArgumentException("v_thresh = " + text(vThresh) + " mV must exceed v_reset = " + text(vReset) + " mV");
    }

    /** A value as written: a float parameter (from the ops) without the digits its widening to double adds. */
    private static String text(double v) { return (double) (float) v == v ? Float.toString((float) v) : Double.toString(v); }

    /** Finite and within float range: the kernels receive it as a float. */
    private static void finite(String name, double v, String unit) {
        if (!(Math.abs(v) <= Float.MAX_VALUE)) throw new IllegalArgumentException(name + " = " + text(v) + " " + unit + ": need a finite value within float range");
    }

    private static void positive(String name, double v, String unit) {
        if (!(v > 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(name + " = " + text(v) + " " + unit + ": need a finite value > 0");
    }

    /** PyNN's IF_curr_exp defaults: tau_m 20 ms, cm 1 nF, v_rest = v_reset = -65 mV, v_thresh -50 mV, tau_refrac 0.1 ms, tau_syn 5 ms. */
    public static LifParameters pynnDefaults() {
        return new LifParameters(20, 1, -65, -65, -50, 0.1, 5, 5, 0);
    }

    public LifParameters withIOffset(double i) { return new LifParameters(tauM, cm, vRest, vReset, vThresh, tauRefrac, tauSynE, tauSynI, i); }

    public LifParameters withTauRefrac(double t) { return new LifParameters(tauM, cm, vRest, vReset, vThresh, t, tauSynE, tauSynI, iOffset); }

    /** Membrane resistance R = tau_m / cm (MΩ: mV per nA). */
    public double resistance() { return tauM / cm; }

    /**
     * The exact-integration propagators for step h (ms), computed in double, and the readout filter
     * with time constant tauRate (ms): rate ← e^{-h/tauRate} rate + s / tauRate (spikes per ms).
     * The refractory period becomes round(tau_refrac / h) steps, which must not exceed
     * {@link LifStep#MAX_REFRACTORY_STEPS}; a longer one is refused, never wrapped or clamped.
     */
    public LifStep step(double h, double tauRate) {
        positive("dt", h, "ms");
        positive("tau_rate", tauRate, "ms");
        // the expressions of the op's spec (org.neurokernels.ops.LifStepOp), which the C library's nk_lif_step evaluates too
        Map<String, Double> d = org.neurokernels.ops.OpRegistry.get("lif_step").derive(Map.ofEntries(
                Map.entry("tau_m", tauM), Map.entry("cm", cm), Map.entry("v_rest", vRest), Map.entry("v_reset", vReset),
                Map.entry("v_thresh", vThresh), Map.entry("tau_refrac", tauRefrac), Map.entry("tau_syn_E", tauSynE),
                Map.entry("tau_syn_I", tauSynI), Map.entry("i_offset", iOffset), Map.entry("dt", h), Map.entry("tau_rate", tauRate)));
        int steps = refractorySteps(h);
        if (steps != d.get("refractory_steps")) throw new IllegalStateException("refractory steps " + steps + " != " + d.get("refractory_steps"));
        LifStep s = new LifStep(f(d, "p22"), f(d, "p21e"), f(d, "p21i"), f(d, "p20"), f(d, "p11e"), f(d, "p11i"),
                f(d, "v_rest_k"), f(d, "v_reset_k"), f(d, "v_thresh_k"), f(d, "i_offset_k"), steps, f(d, "rate_decay"), f(d, "rate_gain"));
        float[] values = {s.p21e(), s.p21i(), s.p20(), s.rateGain()};
        String[] names = {"P21_E", "P21_I", "P20", "1 / tau_rate"};
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new IllegalArgumentException(names[k] + " overflows float for dt = " + h + " ms, tau_rate = " + tauRate + " ms and " + this);
            }
        }
        return s;
    }

    private static float f(Map<String, Double> d, String name) { return (float) (double) d.get(name); }

    /** round(tau_refrac / h), checked against {@link LifStep#MAX_REFRACTORY_STEPS}. */
    public int refractorySteps(double h) {
        positive("dt", h, "ms");
        double ratio = tauRefrac / h;
        if (!(ratio < LifStep.MAX_REFRACTORY_STEPS + 0.5)) {
            String steps = ratio < 1e12 ? String.format(java.util.Locale.ROOT, "%.0f", Math.floor(ratio + 0.5))
                    : String.format(java.util.Locale.ROOT, "%.3g", ratio);
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "tau_refrac = %s ms is %s steps of dt = %s ms; the refractory counter holds at most %d steps (tau_refrac < %.7g ms at this dt)",
                    text(tauRefrac), steps, text(h), LifStep.MAX_REFRACTORY_STEPS, (LifStep.MAX_REFRACTORY_STEPS + 0.5) * h));
        }
        return (int) Math.floor(ratio + 0.5);   // as the spec's refractory_steps
    }

    /**
     * The closed-form firing rate (spikes per ms) under a constant current i (nA) without synaptic input:
     * 1 / (t_ref + tau_m ln((R i + v_rest - v_reset) / (R i + v_rest - v_thresh))), or 0 below threshold.
     */
    public double theoreticalRate(double i) {
        double drive = resistance() * i + vRest;
        if (drive <= vThresh) return 0;
        return 1 / (tauRefrac + tauM * Math.log((drive - vReset) / (drive - vThresh)));
    }
}

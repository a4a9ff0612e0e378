package org.neurokernels.dynamics;

/**
 * Parameters of a leaky integrate-and-fire neuron with exponential current synapses, named and in the
 * units of PyNN's IF_curr_exp (NEST's iaf_psc_exp): ms, nF, mV, nA. Defaults are PyNN's.
 */
public record LifParameters(double tauM, double cm, double vRest, double vReset, double vThresh, double tauRefrac,
                            double tauSynE, double tauSynI, double iOffset) {
    public LifParameters {
        if (!(tauM > 0 && cm > 0 && tauSynE > 0 && tauSynI > 0 && tauRefrac >= 0)) {
            throw new IllegalArgumentException("need tau_m, cm, tau_syn_E, tau_syn_I > 0 and tau_refrac >= 0");
        }
        if (!(vThresh > vReset)) throw new IllegalArgumentException("v_thresh must exceed v_reset");
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
     * P21 = tau_m tau_s / (C (tau_s - tau_m)) (e^{-h/tau_s} - e^{-h/tau_m}), written as
     * tau_m tau_s / (C (tau_s - tau_m)) e^{-h/tau_m} expm1(h (1/tau_m - 1/tau_s)), which stays accurate as
     * tau_s approaches tau_m and tends to (h / C) e^{-h/tau_m} there (the limit, used when they are equal).
     */
    static double p21(double h, double tauM, double tauS, double cm) {
        double d = 1 / tauM - 1 / tauS;
        if (Math.abs(d) * h < 1e-12) return h / cm * Math.exp(-h / tauM);
        return tauM * tauS / (cm * (tauS - tauM)) * Math.exp(-h / tauM) * Math.expm1(h * d);
    }

    /**
     * The exact-integration propagators for step h (ms), computed in double, and the readout filter
     * with time constant tauRate (ms): rate ← e^{-h/tauRate} rate + s / tauRate (spikes per ms).
     */
    public LifStep step(double h, double tauRate) {
        if (!(h > 0) || !(tauRate > 0)) throw new IllegalArgumentException("need dt > 0 and tau_rate > 0");
        double p22 = Math.exp(-h / tauM);
        return new LifStep((float) p22, (float) p21(h, tauM, tauSynE, cm), (float) p21(h, tauM, tauSynI, cm),
                (float) (-Math.expm1(-h / tauM) * resistance()), (float) Math.exp(-h / tauSynE), (float) Math.exp(-h / tauSynI),
                (float) vRest, (float) vReset, (float) vThresh, (float) iOffset, (int) Math.round(tauRefrac / h),
                (float) Math.exp(-h / tauRate), (float) (1 / tauRate));
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

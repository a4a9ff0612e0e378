package org.neurokernels.dynamics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurokernels.Device;
import org.neurokernels.TestDevices;

/** LIF populations against closed-form results that no implementation detail can tune to. */
class LifTest {
    static List<String> devices() { return TestDevices.selectors(); }

    static final double[] CURRENTS = {0.70, 0.76, 0.8, 0.9, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 0.5, 0.74};

    /** Spikes in [0, t] of the exact continuous neuron started at v_reset = v_rest: first at t1, then every 1 / rate. */
    static int exactCount(LifParameters p, double i, double t) {
        double rate = p.theoreticalRate(i);
        if (rate == 0) return 0;
        double drive = p.resistance() * i;
        double first = p.tauM() * Math.log(drive / (drive - (p.vThresh() - p.vRest())));
        return t < first ? 0 : 1 + (int) Math.floor((t - first) * rate);
    }

    /** Simulates CURRENTS for ms at step dt; returns the summed |count - exact count| after checking each bracket. */
    static double countDeviation(Device d, LifParameters p, double dt, double ms) {
        try (LifPopulation pop = new LifPopulation(d, 1, CURRENTS.length, p, dt, 100)) {
            float[] i = new float[CURRENTS.length];
            for (int k = 0; k < i.length; k++) i[k] = (float) CURRENTS[k];
            pop.setExternalCurrent(i);
            pop.run((int) Math.round(ms / dt));
            float[] c = pop.counts();
            double deviation = 0;
            for (int k = 0; k < i.length; k++) {
                int hi = exactCount(p, i[k], ms);
                // each spike lands on the first grid step at or after its threshold crossing: at most 2 dt late
                // per interval (one for the grid, one for float rounding at the crossing), never early
                int lo = exactCount(p, i[k], ms - 2 * dt * hi);
                int kk = k;
                assertTrue(c[k] >= lo && c[k] <= hi + 1, () -> "current " + CURRENTS[kk] + " nA at dt " + dt + ": " + c[kk] + " spikes, exact " + hi
                        + " (rate " + p.theoreticalRate(CURRENTS[kk]) * 1000 + " Hz)");
                deviation += Math.abs(c[k] - hi);
            }
            return deviation;
        }
    }

    /**
     * The firing rate under constant current against the closed form 1/(t_ref + tau_m ln(...)): every count
     * lies in the bracket grid snapping allows, and the deviation from the exact count shrinks with dt.
     */
    @ParameterizedTest
    @MethodSource("devices")
    void rateConvergesToTheClosedForm(String id) {
        Device d = TestDevices.get(id);
        LifParameters p = LifParameters.pynnDefaults().withTauRefrac(2);
        double coarse = countDeviation(d, p, 0.1, 2000), fine = countDeviation(d, p, 0.01, 2000);
        assertTrue(fine < coarse, id + ": deviation from the exact counts must fall with dt (" + coarse + " -> " + fine + ")");
    }

    /** Exact integration: with no spike, V(t) = v_rest + R i (1 - e^{-t/tau_m}) at every step, for tau_syn = tau_m too. */
    @Test
    void subthresholdVoltageIsExact() {
        LifParameters p = new LifParameters(20, 1, -65, -65, -50, 2, 20, 20, 0);   // tau_syn equal to tau_m: the limit form of P21
        for (String id : devices()) {
            try (LifPopulation pop = new LifPopulation(TestDevices.get(id), 1, 1, p, 0.1, 100)) {
                pop.setExternalCurrent(new float[] {0.5f});                           // R i = 10 mV < 15 mV to threshold
                pop.run(500);
                double want = -65 + 20 * 0.5 * (1 - Math.exp(-50.0 / 20));
                assertEquals(want, pop.voltages()[0], 1e-4, id);
            }
        }
    }

    /** Near tau_syn = tau_m the propagator stays accurate (no cancellation): compare with the equal-tau limit. */
    @Test
    void p21IsContinuousAtEqualTimeConstants() {
        double limit = p21(0.1, 20, 20, 1), near = p21(0.1, 20, 20 * (1 + 1e-9), 1);
        assertEquals(limit, near, 1e-8 * limit); // P21 itself moves by about 2.5e-9 relative here
        assertEquals(0.1 / 1 * Math.exp(-0.1 / 20), limit, 1e-15 * limit);   // the equal-tau limit (h / C) e^{-h/tau_m}
        double direct = 20 * 5 / (1.0 * (5 - 20)) * (Math.exp(-0.1 / 5) - Math.exp(-0.1 / 20));
        assertEquals(direct, p21(0.1, 20, 5, 1), 1e-12 * Math.abs(direct));
    }

    /** P21 (excitatory) as lif_step's spec derives it (ops/LifStepOp, the expression both hosts evaluate), in double. */
    private static double p21(double h, double tauM, double tauS, double cm) {
        java.util.Map<String, Double> v = new java.util.HashMap<>(java.util.Map.of("tau_m", tauM, "cm", cm, "v_rest", -65.0, "v_reset", -65.0,
                "v_thresh", -50.0, "tau_refrac", 0.0, "tau_syn_E", tauS, "tau_syn_I", 5.0, "i_offset", 0.0, "dt", h));
        v.put("tau_rate", 100.0);
        return org.neurokernels.ops.OpRegistry.get("lif_step").derive(v).get("p21e");
    }

    /** The java reference and every device produce the same spike trains for a recurrent network, step by step. */
    @Test
    void recurrentNetworkAgreesAcrossDevices() {
        int n = 40;
        java.util.Random r = new java.util.Random(3);
        float[] we = new float[n * n], wi = new float[n * n], ext = new float[n];
        for (int k = 0; k < we.length; k++) {
            if (r.nextDouble() < 0.1) we[k] = (float) (0.5 * r.nextDouble());
            if (r.nextDouble() < 0.1) wi[k] = (float) (0.8 * r.nextDouble());
        }
        for (int k = 0; k < n; k++) ext[k] = (float) (0.6 + 0.6 * r.nextDouble());
        float[] want = null;
        for (String id : devices()) {
            try (LifPopulation pop = new LifPopulation(TestDevices.get(id), 1, n, LifParameters.pynnDefaults().withTauRefrac(2), 0.1, 50)) {
                pop.setExternalCurrent(ext);
                pop.setRecurrentWeights(we, wi);
                pop.run(3000);
                float[] c = pop.counts();
                double total = 0;
                for (float x : c) total += x;
                assertTrue(total > 100, id + ": the network should fire");
                if (want == null) want = c;
                else {
                    int differ = 0;
                    for (int k = 0; k < n; k++) differ += Math.abs(c[k] - want[k]);
                    // float vs double integration may move a threshold crossing by a step late in the run
                    assertTrue(differ <= 0.02 * total, id + ": " + differ + " spikes differ from the reference out of " + total);
                }
            }
        }
    }
}

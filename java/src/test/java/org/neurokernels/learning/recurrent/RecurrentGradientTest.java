package org.neurokernels.learning.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.neurokernels.learning.recurrent.GradientCheck.ALL;
import static org.neurokernels.learning.recurrent.GradientCheck.relativeError;
import static org.neurokernels.learning.recurrent.GradientCheck.worst;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.neurokernels.Activation;

/**
 * The gradients of the recurrent reference: BPTT against central finite differences (rate network) and against
 * a forward-mode derivative (LIF, where the pseudo-derivative stands in for H'); e-prop and RFLO equal to BPTT
 * where they must be (no recurrence), different where they need not be; a corrupted gradient fails the same checks.
 */
class RecurrentGradientTest {
    /** BPTT vs central differences, relative to the gradient's scale (the differences' truncation error is ~1e-9 here). */
    static final double FD_BOUND = 1e-6;
    /** Two computations of the same sums in a different order: a few hundred roundings of double. */
    static final double IDENTITY_BOUND = 1e-10;
    /** Below this, e-prop or random feedback "differs" from BPTT (their true differences are O(1) of the scale). */
    static final double DIFFERENT = 1e-3;
    /** The finite-difference step, 2^-14: exact in float for parameters on a 2^-20 grid (see {@link #onGrid}). */
    static final double H = 0x1.0p-14;

    static final int N = 5, M = 3, K = 2, T = 12, BATCH = 2;

    static RecurrentRateNetwork rate(Activation f) {
        return new RecurrentRateNetwork(N, M, K, f, RecurrentRateNetwork.decay(1, 5), RecurrentRateNetwork.decay(1, 3));
    }

    static RecurrentParameters rateParameters(long seed) {
        RecurrentParameters p = RecurrentParameters.random(N, M, K, 1.0, 1.2, 1.0, false, seed);
        GradientCheck.randomBiases(p, 0.5, seed + 1);
        return onGrid(p);
    }

    /** Every parameter rounded to a multiple of 2^-20, so that p +- H is exact in float and the difference is central. */
    static RecurrentParameters onGrid(RecurrentParameters p) {
        for (float[] a : p.arrays()) for (int i = 0; i < a.length; i++) a[i] = (float) (Math.rint(a[i] * 0x1.0p20) * 0x1.0p-20);
        return p;
    }

    interface Loss { double of(RecurrentParameters p); }

    /** dE/dp by (E(p + H) - E(p - H)) / 2H for every parameter of the arrays listed. */
    static Gradients finiteDifferences(Loss loss, RecurrentParameters p, int[] which) {
        RecurrentParameters q = p.copy();
        Gradients g = new Gradients(p);
        for (int a : which) {
            float[] w = q.arrays()[a];
            for (int i = 0; i < w.length; i++) {
                float v = w[i];
                float up = (float) (v + H), down = (float) (v - H);
                assertTrue(up - (double) v == H && (double) v - down == H, "step not exact at " + v);
                w[i] = up;
                double ePlus = loss.of(q);
                w[i] = down;
                double eMinus = loss.of(q);
                w[i] = v;
                g.arrays()[a][i] = (ePlus - eMinus) / (2 * H);
            }
        }
        return g;
    }

    @Test
    void rateBpttMatchesFiniteDifferences() {
        Sequences s = GradientCheck.sequences(BATCH, T, M, K, -1, 1, 11);
        for (Activation f : new Activation[] {Activation.TANH, Activation.LOGISTIC, Activation.SOFTPLUS, Activation.IDENTITY}) {
            RecurrentRateNetwork net = rate(f);
            RecurrentParameters p = rateParameters(20 + f.code());
            Gradients bptt = net.bptt(p, s);
            Gradients fd = finiteDifferences(q -> net.loss(q, s), p, ALL);
            StringBuilder report = new StringBuilder();
            double err = worst(bptt, fd, ALL, report);
            System.out.printf("rate %s: BPTT vs FD relative error%s (E = %.6g)%n", f.id(), report, bptt.loss);
            assertTrue(err < FD_BOUND, f.id() + ":" + report);
            assertEquals(net.loss(p, s), bptt.loss, 1e-12 * bptt.loss);
            for (int a : ALL) {
                double scale = Arrays.stream(bptt.arrays()[a]).map(Math::abs).max().orElse(0);
                assertTrue(scale > 1e-3, "gradient of " + Gradients.NAMES[a] + " is not trivially small: " + scale);
            }
        }
    }

    /** The test can fail: one element of the exact gradient moved by 1e-5 of the scale fails the FD check. */
    @Test
    void corruptedGradientFailsTheFiniteDifferenceCheck() {
        Sequences s = GradientCheck.sequences(BATCH, T, M, K, -1, 1, 11);
        RecurrentRateNetwork net = rate(Activation.TANH);
        RecurrentParameters p = rateParameters(21);
        Gradients fd = finiteDifferences(q -> net.loss(q, s), p, ALL);
        for (int a : ALL) {
            Gradients bad = net.bptt(p, s);
            double[] g = bad.arrays()[a];
            double scale = Arrays.stream(g).map(Math::abs).max().orElse(0);
            g[g.length / 2] += 1e-5 * scale;
            double err = relativeError(g, fd.arrays()[a]);
            assertTrue(err > FD_BOUND, Gradients.NAMES[a] + ": corrupted gradient passed, error " + err);
        }
    }

    static RecurrentParameters withoutRecurrence(RecurrentParameters p) {
        Arrays.fill(p.wRec, 0f);
        return p;
    }

    /** With W_rec = 0, e-prop (B = W_out^T) is the exact gradient of the rate network: every array, W_rec's included. */
    @Test
    void rateEpropEqualsBpttWithoutRecurrence() {
        Sequences s = GradientCheck.sequences(BATCH, T, M, K, -1, 1, 12);
        for (Activation f : new Activation[] {Activation.TANH, Activation.LOGISTIC, Activation.SOFTPLUS}) {
            RecurrentRateNetwork net = rate(f);
            RecurrentParameters p = withoutRecurrence(rateParameters(30 + f.code()));
            Gradients bptt = net.bptt(p, s), eprop = net.eprop(p, s, p.symmetricFeedback());
            StringBuilder report = new StringBuilder();
            double err = worst(eprop, bptt, ALL, report);
            System.out.printf("rate %s, W_rec = 0: e-prop vs BPTT%s%n", f.id(), report);
            assertTrue(err < IDENTITY_BOUND, f.id() + ":" + report);
            assertEquals(bptt.loss, eprop.loss, 1e-12 * bptt.loss);
            assertCorruptionFails(eprop, bptt);
        }
        // RFLO puts f' inside the trace's filter: exact only where f' is constant (identity activation)
        RecurrentRateNetwork linear = rate(Activation.IDENTITY);
        RecurrentParameters p = withoutRecurrence(rateParameters(40));
        StringBuilder report = new StringBuilder();
        double err = worst(linear.rflo(p, s, p.symmetricFeedback()), linear.bptt(p, s), ALL, report);
        System.out.printf("rate identity, W_rec = 0: RFLO vs BPTT%s%n", report);
        assertTrue(err < IDENTITY_BOUND, report.toString());
        RecurrentRateNetwork tanh = rate(Activation.TANH);
        report.setLength(0);
        double tanhErr = worst(tanh.rflo(p, s, p.symmetricFeedback()), tanh.bptt(p, s), new int[] {0, 2}, report);
        System.out.printf("rate tanh, W_rec = 0: RFLO vs BPTT (f' inside the filter)%s%n", report);
        assertTrue(tanhErr > DIFFERENT, report.toString());
    }

    /** With W_rec != 0 the online rules are approximations: W_in, W_rec, b differ from BPTT; W_out and b_out stay exact. */
    @Test
    void rateOnlineRulesDifferFromBpttWithRecurrence() {
        Sequences s = GradientCheck.sequences(BATCH, T, M, K, -1, 1, 13);
        RecurrentRateNetwork net = rate(Activation.TANH);
        RecurrentParameters p = rateParameters(50);
        Gradients bptt = net.bptt(p, s);
        for (String rule : new String[] {"e-prop", "RFLO"}) {
            Gradients g = rule.equals("e-prop") ? net.eprop(p, s, p.symmetricFeedback()) : net.rflo(p, s, p.symmetricFeedback());
            StringBuilder report = new StringBuilder();
            double hidden = worst(g, bptt, new int[] {0, 1, 2}, report);
            double out = worst(g, bptt, new int[] {3, 4}, report);
            System.out.printf("rate tanh, W_rec != 0: %s vs BPTT%s%n", rule, report);
            assertTrue(hidden > DIFFERENT, rule + ":" + report);
            assertTrue(out < IDENTITY_BOUND, rule + ":" + report);
        }
        // random feedback: only the hidden layer's gradients change
        float[] random = RecurrentParameters.randomFeedback(N, K, 1 / Math.sqrt(N), 7);
        Gradients sym = net.eprop(p, s, p.symmetricFeedback()), rnd = net.eprop(p, s, random);
        StringBuilder report = new StringBuilder();
        assertTrue(worst(rnd, sym, new int[] {0, 1, 2}, report) > DIFFERENT, report.toString());
        assertTrue(worst(rnd, sym, new int[] {3, 4}, report) < IDENTITY_BOUND, report.toString());
        System.out.printf("rate tanh: random vs symmetric e-prop%s%n", report);
    }

    /** One element of a matching gradient moved by 1e-6 of its scale must fail the identity check. */
    static void assertCorruptionFails(Gradients online, Gradients exact) {
        for (int a : ALL) {
            double[] g = online.arrays()[a].clone();
            double scale = Arrays.stream(g).map(Math::abs).max().orElse(0);
            int i = 0;
            while (g[i] == 0) i++;   // W_rec's diagonal is 0 in the LIF network
            g[i] += 1e-6 * scale;
            double err = relativeError(g, exact.arrays()[a]);
            assertTrue(err > IDENTITY_BOUND, Gradients.NAMES[a] + ": corrupted gradient passed, error " + err);
        }
    }

    // ---------------------------------------------------------------- LIF

    static final int LN = 8, LM = 4, LK = 2, LT = 40;
    /** c_reg: large enough that the rate term's dE/dz (c_reg (fbar - f_target) / (batch T)) is comparable to the task's. */
    static final double REG = 1000;

    static RecurrentLifNetwork lif(int refractory, double reg) {
        return new RecurrentLifNetwork(LN, LM, LK, RecurrentRateNetwork.decay(1, 10), RecurrentRateNetwork.decay(1, 8), 0.5, 0.3, refractory, reg, 0.05);
    }

    static RecurrentParameters lifParameters(long seed) {
        RecurrentParameters p = RecurrentParameters.random(LN, LM, LK, 1.0, 1.0, 1.0, true, seed);
        GradientCheck.randomBiases(p, 0.1, seed + 1);
        return onGrid(p);
    }

    /** Spike and pseudo-derivative counts, to show the cases are not degenerate (some spikes, psi often nonzero). */
    static String activity(RecurrentLifNetwork net, RecurrentParameters p, Sequences s) {
        int spikes = 0, psi = 0, cells = 0;
        for (int b = 0; b < s.batch(); b++) {
            RecurrentLifNetwork.Trajectory tr = net.run(p, s, b);
            for (int t = 0; t < s.steps(); t++) {
                for (int j = 0; j < net.n(); j++) {
                    spikes += tr.z()[t][j] != 0 ? 1 : 0;
                    psi += tr.psi()[t][j] != 0 ? 1 : 0;
                    cells++;
                }
            }
        }
        assertTrue(spikes > cells / 50 && spikes < cells / 2, "spikes " + spikes + " of " + cells);
        assertTrue(psi > cells / 20, "psi != 0 at " + psi + " of " + cells);
        return String.format("spikes %d/%d, psi != 0 at %d", spikes, cells, psi);
    }

    /**
     * LIF BPTT against a forward-mode derivative of the same surrogate model: for a random direction d,
     * sum_p g_p d_p must equal dE computed forward in time with dz = psi dv (recurrence, reset, refractoriness and
     * the rate term all on; with and without the reset's gradient).
     */
    @Test
    void lifBpttMatchesForwardModeDerivative() {
        Sequences s = GradientCheck.sequences(BATCH, LT, LM, LK, 0, 1, 14);
        for (boolean stopReset : new boolean[] {false, true}) {
            for (int refractory : new int[] {0, 2}) {
                RecurrentLifNetwork net = lif(refractory, REG);
                RecurrentParameters p = lifParameters(60 + refractory);
                Gradients g = net.bptt(p, s, stopReset);
                for (long dir = 0; dir < 3; dir++) {
                    RecurrentParameters d = RecurrentParameters.random(LN, LM, LK, 1, 1, 1, true, 100 + dir);
                    GradientCheck.randomBiases(d, 1, 200 + dir);
                    double dot = 0, abs = 0;
                    for (int a : ALL) {
                        for (int i = 0; i < d.arrays()[a].length; i++) {
                            dot += g.arrays()[a][i] * d.arrays()[a][i];
                            abs += Math.abs(g.arrays()[a][i] * d.arrays()[a][i]);
                        }
                    }
                    double forward = forwardModeDerivative(net, p, d, s, stopReset);
                    double err = Math.abs(dot - forward) / abs;
                    System.out.printf("LIF refractory %d, stop reset %b, direction %d: BPTT . d = %.12g, forward mode %.12g, error %.3g (%s)%n",
                            refractory, stopReset, dir, dot, forward, err, activity(net, p, s));
                    assertTrue(err < IDENTITY_BOUND, "error " + err);
                }
            }
        }
    }

    /** dE in direction d, forward in time, with the trajectory's spikes and pseudo-derivatives held (dz = psi dv). */
    static double forwardModeDerivative(RecurrentLifNetwork net, RecurrentParameters p, RecurrentParameters d, Sequences s, boolean stopReset) {
        int n = net.n(), m = net.m(), k = net.k();
        RecurrentLifNetwork.Trajectory[] trs = new RecurrentLifNetwork.Trajectory[s.batch()];
        double[] rate = new double[n];
        for (int b = 0; b < s.batch(); b++) {
            trs[b] = net.run(p, s, b);
            for (double[] z : trs[b].z()) for (int j = 0; j < n; j++) rate[j] += z[j] / (s.batch() * s.steps());
        }
        double dE = 0;
        for (int b = 0; b < s.batch(); b++) {
            RecurrentLifNetwork.Trajectory tr = trs[b];
            double[] dv = new double[n], dz = new double[n], dy = new double[k], zPrev = new double[n];
            for (int t = 0; t < s.steps(); t++) {
                double[] dvt = new double[n], dzt = new double[n];
                for (int j = 0; j < n; j++) {
                    double a = net.alpha() * dv[j] + d.b[j] - (stopReset ? 0 : net.vTh() * dz[j]);
                    for (int i = 0; i < n; i++) if (i != j) a += d.wRec[j * n + i] * zPrev[i] + p.wRec[j * n + i] * dz[i];
                    for (int i = 0; i < m; i++) a += d.wIn[j * m + i] * s.x(b, t, i);
                    dvt[j] = a;
                    dzt[j] = tr.psi()[t][j] * a;
                    dE += net.regularization() * (rate[j] - net.targetRate()) / (s.batch() * s.steps()) * dzt[j];
                }
                double[] z = tr.z()[t];
                for (int q = 0; q < k; q++) {
                    double a = net.kappa() * dy[q] + d.bOut[q];
                    for (int j = 0; j < n; j++) a += d.wOut[q * n + j] * z[j] + p.wOut[q * n + j] * dzt[j];
                    dy[q] = a;
                    dE += (tr.y()[t][q] - s.target(b, t, q)) * a;
                }
                dv = dvt;
                dz = dzt;
                zPrev = z;
            }
        }
        return dE;
    }

    /** The readout's gradient does not go through a spike: BPTT's W_out and b_out against finite differences. */
    @Test
    void lifReadoutGradientMatchesFiniteDifferences() {
        Sequences s = GradientCheck.sequences(BATCH, LT, LM, LK, 0, 1, 15);
        RecurrentLifNetwork net = lif(2, REG);
        RecurrentParameters p = lifParameters(70);
        int[] readout = {3, 4};
        Gradients fd = finiteDifferences(q -> net.loss(q, s), p, readout);
        StringBuilder report = new StringBuilder();
        double err = worst(net.bptt(p, s, false), fd, readout, report);
        System.out.printf("LIF: BPTT vs FD for the readout%s%n", report);
        assertTrue(err < FD_BOUND, report.toString());
    }

    /**
     * With W_rec = 0 and the reset's gradient stopped in BPTT, e-prop with B = W_out^T is BPTT's gradient for every
     * array (refractoriness and the rate term on or off); with the reset's gradient kept, or W_rec != 0, it is not.
     */
    @Test
    void lifEpropEqualsBpttWithoutRecurrence() {
        Sequences s = GradientCheck.sequences(BATCH, LT, LM, LK, 0, 1, 16);
        for (int refractory : new int[] {0, 2}) {
            for (double reg : new double[] {0, REG}) {
                RecurrentLifNetwork net = lif(refractory, reg);
                RecurrentParameters p = withoutRecurrence(lifParameters(80 + refractory));
                Gradients bptt = net.bptt(p, s, true), eprop = net.eprop(p, s, p.symmetricFeedback());
                StringBuilder report = new StringBuilder();
                double err = worst(eprop, bptt, ALL, report);
                System.out.printf("LIF refractory %d, c_reg %.1f, W_rec = 0: e-prop vs BPTT (reset stopped)%s (%s)%n", refractory, reg, report, activity(net, p, s));
                assertTrue(err < IDENTITY_BOUND, report.toString());
                assertEquals(bptt.loss, eprop.loss, 1e-12 * bptt.loss);
                assertCorruptionFails(eprop, bptt);

                if (reg != 0) {   // the rate term alone: gradient with it minus gradient without it
                    RecurrentLifNetwork plain = lif(refractory, 0);
                    Gradients eReg = minus(eprop, plain.eprop(p, s, p.symmetricFeedback())), bReg = minus(bptt, plain.bptt(p, s, true));
                    report.setLength(0);
                    double regErr = worst(eReg, bReg, new int[] {0, 1, 2}, report);
                    double regScale = Arrays.stream(bReg.wIn).map(Math::abs).max().orElse(0) / Arrays.stream(bptt.wIn).map(Math::abs).max().orElse(1);
                    System.out.printf("LIF refractory %d, W_rec = 0: the rate term's gradient, e-prop vs BPTT%s (its W_in part is %.2f of the whole)%n", refractory, report, regScale);
                    assertTrue(regErr < IDENTITY_BOUND && regScale > 0.1, report.toString());
                }
                report.setLength(0);
                double withReset = worst(eprop, net.bptt(p, s, false), new int[] {0, 2}, report);
                System.out.printf("LIF refractory %d, c_reg %.1f, W_rec = 0: e-prop vs BPTT with the reset's gradient%s%n", refractory, reg, report);
                assertTrue(withReset > DIFFERENT, report.toString());
            }
        }
    }

    static Gradients minus(Gradients a, Gradients b) {
        Gradients d = new Gradients(new RecurrentParameters(LN, LM, LK));
        for (int i : ALL) for (int e = 0; e < d.arrays()[i].length; e++) d.arrays()[i][e] = a.arrays()[i][e] - b.arrays()[i][e];
        return d;
    }

    @Test
    void lifEpropDiffersFromBpttWithRecurrence() {
        Sequences s = GradientCheck.sequences(BATCH, LT, LM, LK, 0, 1, 17);
        RecurrentLifNetwork net = lif(2, REG);
        RecurrentParameters p = lifParameters(90);
        Gradients bptt = net.bptt(p, s, true), eprop = net.eprop(p, s, p.symmetricFeedback());
        StringBuilder report = new StringBuilder();
        double hidden = worst(eprop, bptt, new int[] {0, 1, 2}, report);
        double out = worst(eprop, bptt, new int[] {3, 4}, report);
        System.out.printf("LIF, W_rec != 0: e-prop vs BPTT (reset stopped)%s (%s)%n", report, activity(net, p, s));
        assertTrue(hidden > DIFFERENT, report.toString());
        assertTrue(out < IDENTITY_BOUND, report.toString());
        for (int j = 0; j < LN; j++) {
            assertEquals(0.0, bptt.wRec[j * LN + j]);
            assertEquals(0.0, eprop.wRec[j * LN + j]);
        }
        float[] random = RecurrentParameters.randomFeedback(LN, LK, 1 / Math.sqrt(LN), 9);
        Gradients rnd = net.eprop(p, s, random);
        report.setLength(0);
        assertTrue(worst(rnd, eprop, new int[] {0, 1, 2}, report) > DIFFERENT, report.toString());
        assertTrue(worst(rnd, eprop, new int[] {3, 4}, report) < IDENTITY_BOUND, report.toString());
        System.out.printf("LIF: random vs symmetric e-prop%s%n", report);
    }

    @Test
    void mismatchedShapesAreRejected() {
        RecurrentRateNetwork net = rate(Activation.TANH);
        Sequences s = GradientCheck.sequences(1, 3, M + 1, K, -1, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loss(rateParameters(1), s));
        assertTrue(e.getMessage().contains("inputs"), e.getMessage());
        RecurrentParameters p = rateParameters(1);
        assertThrows(IllegalArgumentException.class, () -> net.eprop(p, GradientCheck.sequences(1, 3, M, K, -1, 1, 1), new float[N * K + 1]));
    }
}

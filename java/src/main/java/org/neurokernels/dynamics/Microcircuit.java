package org.neurokernels.dynamics;

import java.util.Random;

/**
 * The Potjans and Diesmann (2014) cortical microcircuit: 77,169 current-based LIF neurons (iaf_psc_exp) in
 * eight populations (layers 2/3, 4, 5 and 6, excitatory and inhibitory), the paper's connection
 * probabilities, and a Poisson background of 8 Hz per external input.
 *
 * <p>As built here ({@link #build}):
 * <ul>
 * <li>Synapse counts: the paper's K = ln(1 - C) / ln(1 - 1 / (N_pre N_post)) synapses per projection, made
 * as independent pairs with probability K / (N_pre N_post) (no multapses, no autapses) by the connect op.</li>
 * <li>Weights: 87.8 pA (a 0.15 mV PSP), twice that from L4e to L2/3e, -4 times that from inhibitory
 * neurons; a relative standard deviation of 0.1.</li>
 * <li>Delays: normal, mean 1.5 ms from excitatory and 0.75 ms from inhibitory neurons, relative standard
 * deviation 0.5 (an Irwin-Hall approximation, rounded to steps and clipped at one step, where NEST redraws
 * below it).</li>
 * <li>Initial potentials: normal, mean -58 mV, standard deviation 10 mV.</li>
 * <li>At a scale s below 1 every population has s times the neurons and the in-degrees are kept (the
 * probabilities grow by 1/s, at most 1).</li>
 * </ul>
 */
public final class Microcircuit {
    private Microcircuit() { }

    public static final String[] NAMES = {"L2/3e", "L2/3i", "L4e", "L4i", "L5e", "L5i", "L6e", "L6i"};
    public static final int[] SIZES = {20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948};
    /** Connection probabilities, [target][source]. */
    public static final double[][] PROBABILITY = {
        {0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0},
        {0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0},
        {0.0077, 0.0059, 0.0497, 0.1350, 0.0067, 0.0003, 0.0453, 0.0},
        {0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0},
        {0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0},
        {0.0548, 0.0269, 0.0257, 0.0022, 0.0600, 0.3158, 0.0086, 0.0},
        {0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252},
        {0.0364, 0.0010, 0.0034, 0.0005, 0.0277, 0.0080, 0.0658, 0.1443}};
    /** External inputs per neuron, each a Poisson source of {@link #BACKGROUND_HZ}. */
    public static final int[] K_EXT = {1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100};
    public static final double BACKGROUND_HZ = 8.0;
    /** Mean rates (Hz) reported with GeNN's implementation; they vary between network realizations. */
    public static final double[] REFERENCE_RATES = {0.97, 2.87, 4.75, 5.40, 8.14, 9.08, 0.99, 7.52};
    /** iaf_psc_exp as in the paper: tau_m 10 ms, C_m 250 pF, E_L = V_reset = -65 mV, V_th -50 mV, t_ref 2 ms, tau_syn 0.5 ms. */
    public static final LifParameters CELL = new LifParameters(10, 0.25, -65, -65, -50, 2, 0.5, 0.5, 0);
    public static final double PSP_MV = 0.15, G = -4, WEIGHT_REL_SD = 0.1, DELAY_E_MS = 1.5, DELAY_I_MS = 0.75, DELAY_REL_SD = 0.5;

    /** The current (nA) of an exponential synapse whose PSP on CELL peaks at {@code psp} mV. */
    public static double weightForPsp(double psp) {
        double tm = CELL.tauM(), ts = CELL.tauSynE(), c = CELL.cm();
        double a = tm * ts / (tm - ts), tPeak = Math.log(tm / ts) * a;
        double perNa = a / c * (Math.exp(-tPeak / tm) - Math.exp(-tPeak / ts));   // mV per nA of peak current
        return psp / perNa;
    }

    /** The paper's synapse count of a projection with connection probability c. */
    public static double synapses(double c, double nPre, double nPost) {
        if (c <= 0) return 0;
        return Math.log(1 - c) / Math.log(1 - 1 / (nPre * nPost));
    }

    /** Adds the circuit at {@code scale} (above 0, at most 1) to an empty network; initial potentials from rnd. */
    public static void build(SparseNetwork net, double scale, Random rnd) {
        if (!(scale > 0 && scale <= 1)) throw new IllegalArgumentException("scale " + scale + " must be in (0, 1]");
        if (net.neurons() != 0) throw new IllegalArgumentException("the microcircuit needs an empty network");
        double w = weightForPsp(PSP_MV);
        net.backgroundWeight(w);
        int[] idx = new int[8], size = new int[8];
        for (int p = 0; p < 8; p++) {
            size[p] = Math.max(1, (int) Math.round(SIZES[p] * scale));
            idx[p] = net.population(NAMES[p], size[p], K_EXT[p] * BACKGROUND_HZ);
        }
        for (int target = 0; target < 8; target++) {
            for (int source = 0; source < 8; source++) {
                double k = synapses(PROBABILITY[target][source], SIZES[source], SIZES[target]);
                if (k == 0) continue;
                double p = Math.min(1, k / ((double) SIZES[source] * SIZES[target]) / scale);
                double weight = source % 2 == 0 ? w : G * w;
                if (source == 2 && target == 0) weight *= 2;
                double delay = source % 2 == 0 ? DELAY_E_MS : DELAY_I_MS;
                net.connectProbability(idx[source], idx[target], p, weight, Math.abs(weight) * WEIGHT_REL_SD, delay, delay * DELAY_REL_SD);
            }
        }
        float[] v = new float[net.neurons()];
        for (int j = 0; j < v.length; j++) v[j] = (float) (-58 + 10 * rnd.nextGaussian());
        net.initialPotentials(v);
    }
}

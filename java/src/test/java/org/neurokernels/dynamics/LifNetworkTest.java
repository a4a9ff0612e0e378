package org.neurokernels.dynamics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.neurokernels.TestDevices;

/** Projections between populations: Poisson input drives a LIF population, inhibition quiets it, devices agree. */
class LifNetworkTest {
    static float[] weights(int post, int pre, double p, double w, long seed) {
        Random r = new Random(seed);
        float[] x = new float[post * pre];
        for (int i = 0; i < x.length; i++) if (r.nextDouble() < p) x[i] = (float) w;
        return x;
    }

    /** Total spikes of a 50-neuron population driven by 200 Poisson sources at inputHz, optionally inhibited by a second population. */
    static double[] run(String id, double inputHz, boolean inhibition) {
        try (LifNetwork net = new LifNetwork(TestDevices.get(id), 1, 0.1, 50, 9)) {
            PoissonSource in = net.poisson(200, inputHz);
            LifParameters cell = LifParameters.pynnDefaults().withTauRefrac(2);
            LifPopulation exc = net.population(50, cell);
            net.connect(in, exc, weights(50, 200, 0.2, 0.35, 1), true);
            LifPopulation inh = null;
            if (inhibition) {
                inh = net.population(20, cell);
                net.connect(in, inh, weights(20, 200, 0.2, 0.35, 2), true);
                net.connect(inh, exc, weights(50, 20, 0.5, 1.5, 3), false);
            }
            net.run(5000);
            double total = 0;
            for (float c : exc.counts()) total += c;
            double sources = 0;
            for (float c : in.counts()) sources += c;
            return new double[] {total, sources};
        }
    }

    @Test
    void projectionsCarrySpikesBetweenPopulations() {
        double[] ref = null;
        for (String id : TestDevices.selectors()) {
            double[] low = run(id, 10, false), high = run(id, 40, false), inhibited = run(id, 40, true);
            assertEquals(200 * 10 * 0.5, low[1], 5 * Math.sqrt(200 * 10 * 0.5), id + ": Poisson sources fire at their rate");
            assertTrue(high[0] > low[0] + 20, id + ": more input, more output (" + low[0] + " -> " + high[0] + ")");
            assertTrue(inhibited[0] < 0.9 * high[0], id + ": inhibition lowers the rate (" + high[0] + " -> " + inhibited[0] + ")");
            double[] all = {low[0], high[0], inhibited[0], low[1], high[1]};
            if (ref == null) ref = all;
            else {
                assertArrayEquals(new double[] {ref[3], ref[4]}, new double[] {all[3], all[4]}, id + ": the same Poisson spikes as the reference");
                for (int k = 0; k < 3; k++) assertEquals(ref[k], all[k], Math.max(2, 0.02 * ref[k]), id + " output " + k);
            }
        }
    }
}

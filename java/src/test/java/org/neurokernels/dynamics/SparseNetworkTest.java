package org.neurokernels.dynamics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.neurokernels.TestDevices;

/**
 * SparseNetwork: every connection rule, an explicit table, distributed weights and delays and a Poisson
 * background, run on every device: the same spikes, step for step and neuron for neuron, as on the java
 * reference device (the ops are bit-exact), and activity that follows the drive.
 */
class SparseNetworkTest {
    record Result(int[] steps, int[] neurons, double[] popTotals, long synapses, int width) { }

    static Result run(String id, double backgroundHz, boolean explicit) {
        LifParameters cell = Microcircuit.CELL;
        try (SparseNetwork net = new SparseNetwork(TestDevices.get(id), cell, 0.1, 77)) {
            net.backgroundWeight(0.0878);
            int e = net.population("E", 160, backgroundHz);
            int i = net.population("I", 40, backgroundHz);
            int relay = net.population("R", 40, 0);
            if (explicit) {
                // explicit lists: E neuron j drives relay neuron j % 40 with a 3-step delay
                int n = 240, k = 2;
                float[] t = new float[n * k], w = new float[n * k], d = new float[n * k];
                Arrays.fill(t, -1f);
                for (int j = 0; j < 160; j++) {
                    t[j * k] = 200 + j % 40;
                    w[j * k] = 3f;
                    d[j * k] = 3;
                }
                net.table(t, w, d, k);
            }
            net.connectProbability(e, e, 0.1, 0.0878, 0.00878, 1.5, 0.75);
            net.connectProbability(e, i, 0.1, 0.0878, 0.00878, 1.5, 0.75);
            net.connectOutDegree(i, e, 30, -0.35, 0.035, 0.75, 0.375);
            net.connectInDegree(i, i, 8, -0.35, 0, 0.8, 0);
            net.connectOneToOne(i, relay, 5, 0.2);
            float[] v0 = new float[net.neurons()];
            Random rnd = new Random(3);
            for (int j = 0; j < v0.length; j++) v0[j] = (float) (-65 + 14 * rnd.nextDouble());
            net.initialPotentials(v0);
            long synapses = net.build();
            List<int[]> spikes = new ArrayList<>();
            double[] totals = new double[3];
            net.run(700, 300, (first, steps, st, sn, counts) -> {
                for (int q = 0; q < st.length; q++) spikes.add(new int[] {st[q], sn[q]});
                for (int q = 0; q < steps; q++) for (int p = 0; p < 3; p++) totals[p] += counts[q * 3 + p];
            });
            assertEquals(700, net.step());
            int[] s = new int[spikes.size()], nn = new int[spikes.size()];
            for (int q = 0; q < s.length; q++) {
                s[q] = spikes.get(q)[0];
                nn[q] = spikes.get(q)[1];
            }
            return new Result(s, nn, totals, synapses, net.tableWidth());
        }
    }

    @Test
    void everyDeviceGivesTheReferenceSpikes() {
        Result ref = run("java", 12000, true);
        Result quiet = run("java", 0, true);
        assertTrue(ref.popTotals[0] > 50 && ref.popTotals[1] > 10, "the background drives E and I: " + Arrays.toString(ref.popTotals));
        assertTrue(ref.popTotals[2] > 0, "the relay fires through the one-to-one and explicit projections: " + Arrays.toString(ref.popTotals));
        assertTrue(quiet.popTotals[0] < ref.popTotals[0] / 2, "without background fewer spikes: " + quiet.popTotals[0] + " vs " + ref.popTotals[0]);
        // 160 x 2 x 0.1 x ~200 expected from rule 1, 40 x 38 fixed out-degree, 40 one-to-one, 160 explicit
        assertEquals(160 * 0.1 * 159 + 160 * 0.1 * 40 + 40 * 30 + 40 * 8 + 40 + 160, ref.synapses, 150, "synapses");
        for (String id : TestDevices.selectors()) {
            if (id.equals("java")) continue;
            Result got = run(id, 12000, true);
            assertEquals(ref.synapses, got.synapses, id + ": the same synapses");
            assertArrayEquals(ref.steps, got.steps, id + ": spike steps");
            assertArrayEquals(ref.neurons, got.neurons, id + ": spiking neurons");
            assertArrayEquals(ref.popTotals, got.popTotals, id + ": population counts");
        }
    }

    @Test
    void refusesBadNetworks() {
        try (SparseNetwork net = new SparseNetwork(TestDevices.get("java"), Microcircuit.CELL, 0.1, 1)) {
            assertThrows(IllegalArgumentException.class, () -> net.population("x", 0, 0));
            assertThrows(IllegalArgumentException.class, () -> net.population("x", 10, -1));
            assertThrows(IllegalArgumentException.class, () -> net.population("x", 10, 1e6));   // 100 events a step
            int a = net.population("a", 10, 0);
            assertThrows(IllegalArgumentException.class, () -> net.connectProbability(a, 1, 0.1, 1, 0, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> net.connectProbability(a, a, 1.5, 1, 0, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> net.connectProbability(a, a, 0.5, 1, -1, 1, 0));
            assertThrows(IllegalArgumentException.class, () -> net.connectProbability(a, a, 0.5, 1, 0, 1e9, 0));
            assertThrows(IllegalArgumentException.class, () -> net.table(new float[10], new float[10], new float[10], 2));
            float[] t = new float[10], d = new float[10];
            Arrays.fill(t, -1f);
            t[0] = 3;
            d[0] = 0.5f;   // not a whole step
            assertThrows(IllegalArgumentException.class, () -> net.table(t, new float[10], d, 1));
            assertThrows(IllegalStateException.class, () -> net.run(10, 10, (f, s, st, sn, c) -> { }));
            net.build();
            assertThrows(IllegalStateException.class, () -> net.population("late", 5, 0));
        }
    }
}

package org.neurokernels.learning.recurrent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.neurokernels.Activation;

/** The optimizers and rules learn: a tiny teacher task for the rate network, and e-prop's sine-wave pattern generation for LIF. */
class RecurrentTrainingTest {

    /** A teacher rate network's outputs on random inputs: a task the student (same shape, other weights) can learn. */
    static Sequences teacherTask(RecurrentRateNetwork net, int batch, int steps, long seed) {
        Sequences inputs = GradientCheck.sequences(batch, steps, net.m(), net.k(), -1, 1, seed);
        RecurrentParameters teacher = RecurrentParameters.random(net.n(), net.m(), net.k(), 1.5, 1.0, 1.0, false, seed + 1);
        float[] y = new float[batch * steps * net.k()];
        for (int b = 0; b < batch; b++) {
            double[][] out = net.outputs(teacher, inputs, b);
            for (int t = 0; t < steps; t++) for (int q = 0; q < net.k(); q++) y[(b * steps + t) * net.k() + q] = (float) out[t][q];
        }
        return new Sequences(batch, steps, net.m(), net.k(), inputs.x(), y);
    }

    interface Rule { Gradients of(RecurrentParameters p); }

    static double[] train(RecurrentParameters p, Rule rule, Optimizer opt, int steps) {
        double first = rule.of(p).loss, last = first;
        for (int i = 0; i < steps; i++) {
            Gradients g = rule.of(p);
            last = g.loss;
            opt.step(p.arrays(), g.arrays());
        }
        return new double[] {first, last};
    }

    @Test
    void sgdAndAdamReduceTheLoss() {
        RecurrentRateNetwork net = new RecurrentRateNetwork(8, 3, 2, Activation.TANH, RecurrentRateNetwork.decay(1, 4), RecurrentRateNetwork.decay(1, 2));
        Sequences s = teacherTask(net, 4, 20, 5);
        RecurrentParameters init = RecurrentParameters.random(8, 3, 2, 1.0, 1.0, 1.0, false, 6);
        float[] random = RecurrentParameters.randomFeedback(8, 2, 1 / Math.sqrt(8), 7);
        Object[][] runs = {
            // name, rule, optimizer, the fraction of the first loss the last must be below
            {"BPTT + SGD", (Rule) p -> net.bptt(p, s), new Sgd(5e-4), 0.2},
            {"BPTT + Adam", (Rule) p -> net.bptt(p, s), new Adam(0.01), 0.2},
            {"e-prop + Adam", (Rule) p -> net.eprop(p, s, p.symmetricFeedback()), new Adam(0.01), 0.2},
            {"random e-prop + Adam", (Rule) p -> net.eprop(p, s, random), new Adam(0.01), 0.8},
            {"RFLO (random B) + Adam", (Rule) p -> net.rflo(p, s, random), new Adam(0.01), 0.8},
        };
        StringBuilder failed = new StringBuilder();
        for (Object[] run : runs) {
            double[] loss = train(init.copy(), (Rule) run[1], (Optimizer) run[2], 150);
            System.out.printf("teacher task, %s: loss %.4f -> %.4f%n", run[0], loss[0], loss[1]);
            if (!(loss[1] < (double) run[3] * loss[0])) failed.append(String.format(" %s: %.4f -> %.4f", run[0], loss[0], loss[1]));
        }
        assertTrue(failed.length() == 0, failed.toString());
    }

    /**
     * The e-prop paper's pattern generation at reduced size: 20 inputs of frozen Poisson noise (p = 0.05 per 1 ms
     * step), 30 LIF neurons (tau_m 30 ms, v_th 0.03, gamma 0.3, 2 refractory steps), a readout with tau_out 30 ms,
     * T = 200 steps, the target a sum of 5, 10, 15 and 25 Hz sines scaled to max |y*| = 1; e-prop with Adam (lr 1e-3),
     * 300 iterations. Random e-prop and training the readout alone are printed beside it for comparison.
     */
    @Test
    void epropLearnsSineWavePattern() {
        int n = 30, m = 20, steps = 200;
        SplittableRandom r = new SplittableRandom(42);
        float[] x = new float[steps * m], y = new float[steps];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() < 0.05 ? 1f : 0f;
        double[] freq = {5, 10, 15, 25}, amp = new double[4], phase = new double[4];
        for (int i = 0; i < 4; i++) {
            amp[i] = 0.5 + r.nextDouble();
            phase[i] = 2 * Math.PI * r.nextDouble();
        }
        double max = 0;
        double[] target = new double[steps];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < 4; i++) target[t] += amp[i] * Math.sin(2 * Math.PI * freq[i] * (t + 1) * 1e-3 + phase[i]);
            max = Math.max(max, Math.abs(target[t]));
        }
        for (int t = 0; t < steps; t++) y[t] = (float) (target[t] / max);
        Sequences s = new Sequences(1, steps, m, 1, x, y);

        double decay = RecurrentRateNetwork.decay(1, 30);   // dt = 1 ms, tau_m = tau_out = 30 ms
        RecurrentLifNetwork net = new RecurrentLifNetwork(n, m, 1, decay, decay, 0.03, 0.3, 2);
        RecurrentParameters init = RecurrentParameters.random(n, m, 1, 0.1, 0.05, 0.05, true, 43);
        float[] random = RecurrentParameters.randomFeedback(n, 1, 0.05 / Math.sqrt(n), 44);
        double before = nmse(net, init, s);
        double[] after = new double[3];
        String[] names = {"e-prop (B = W_out^T)", "random e-prop", "readout only"};
        for (int run = 0; run < 3; run++) {
            RecurrentParameters p = init.copy();
            Adam adam = new Adam(1e-3);
            long start = System.nanoTime();
            StringBuilder trace = new StringBuilder();
            for (int i = 1; i <= 300; i++) {
                Gradients g = net.eprop(p, s, run == 1 ? random : p.symmetricFeedback());
                if (run == 2) for (double[] hidden : new double[][] {g.wIn, g.wRec, g.b}) java.util.Arrays.fill(hidden, 0);
                adam.step(p.arrays(), g.arrays());
                if (i % 50 == 0) trace.append(String.format(" %d: %.4f", i, nmse(net, p, s)));
            }
            after[run] = nmse(net, p, s);
            System.out.printf("sine-wave pattern, %s + Adam: NMSE %.4f ->%s (%.2f s, %d spikes in the last trial)%n",
                    names[run], before, trace, (System.nanoTime() - start) * 1e-9, spikes(net, p, s));
        }
        assertTrue(after[0] < 0.2 * before, "e-prop: " + before + " -> " + after[0]);
        assertTrue(after[1] < 0.2 * before, "random e-prop: " + before + " -> " + after[1]);
    }

    static int spikes(RecurrentLifNetwork net, RecurrentParameters p, Sequences s) {
        int c = 0;
        for (double[] z : net.spikes(p, s, 0)) for (double v : z) c += (int) v;
        return c;
    }

    /** sum_t (y - y*)^2 / sum_t (y* - mean y*)^2 on sequence 0, output 0. */
    static double nmse(RecurrentLifNetwork net, RecurrentParameters p, Sequences s) {
        return SineWaveReference.nmse(net.outputs(p, s, 0), s);
    }
}

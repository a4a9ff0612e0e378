package org.neurokernels.learning.recurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.TestDevices;

/**
 * The fused op rnn_grad on every device, through {@link RecurrentTrainer}: the e-prop/BPTT identity with no
 * recurrent weights (which a recurrent network breaks, so the comparison can tell them apart), and a short
 * training run that ends where the java reference device's does.
 */
class RnnGradDeviceTest {
    static List<String> devices() { return TestDevices.selectors(); }

    /** Random inputs in [0, 1) and targets U(-1, 1). */
    static Sequences data(int batch, int steps, int m, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * steps * m], y = new float[batch * steps * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < y.length; i++) y[i] = (float) (2 * r.nextDouble() - 1);
        return new Sequences(batch, steps, m, k, x, y);
    }

    static RecurrentTrainer.Config config(boolean lif, GradientRule rule, boolean stopReset) {
        return lif ? new RecurrentTrainer.Config(RecurrentTrainer.Network.LIF, Activation.TANH, 0.9, 0.8, 0.4, 0.3, 1, 0, 0, rule, null, stopReset)
                : new RecurrentTrainer.Config(RecurrentTrainer.Network.RATE, Activation.TANH, 0.8, 0.8, 0, 0, 0, 0, 0, rule, null, false);
    }

    /** The batch's gradient on the device (the optimizer records it instead of stepping). */
    static double[][] gradient(Device d, boolean lif, GradientRule rule, boolean stopReset, RecurrentParameters p, Sequences s) {
        double[][][] got = new double[1][][];
        Optimizer record = (params, grads) -> got[0] = grads;
        try (RecurrentTrainer tr = new RecurrentTrainer(d, config(lif, rule, stopReset), p.copy(), record)) {
            tr.step(s);
        }
        return got[0];
    }

    static double relativeDifference(double[][] a, double[][] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            for (int e = 0; e < a[i].length; e++) {
                diff = Math.max(diff, Math.abs(a[i][e] - b[i][e]));
                scale = Math.max(scale, Math.abs(b[i][e]));
            }
        }
        assertTrue(scale > 0, "a gradient of zeros");
        return diff / scale;
    }

    @ParameterizedTest
    @MethodSource("devices")
    void epropWithSymmetricFeedbackIsBpttWithoutRecurrence(String id) {
        Device d = TestDevices.get(id);
        Sequences s = data(3, 25, 6, 2, 11);
        for (boolean lif : new boolean[] {false, true}) {
            RecurrentParameters p = RecurrentParameters.random(40, 6, 2, lif ? 2.0 : 1.0, 0.5, 1.0, lif, 5);
            RecurrentParameters flat = p.copy();
            java.util.Arrays.fill(flat.wRec, 0f);
            double same = relativeDifference(gradient(d, lif, GradientRule.EPROP, false, flat, s), gradient(d, lif, GradientRule.BPTT, true, flat, s));
            double differs = relativeDifference(gradient(d, lif, GradientRule.EPROP, false, p, s), gradient(d, lif, GradientRule.BPTT, true, p, s));
            String what = id + (lif ? " LIF" : " rate");
            assertTrue(same < 1e-4, what + ": e-prop vs BPTT with W_rec = 0 differ by " + same + " of the gradient's scale");
            assertTrue(differs > 1e-3, what + ": e-prop and BPTT agree (" + differs + ") even with recurrent weights; the check could not tell them apart");
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void trainingEndsWhereTheReferenceDoes(String id) {
        Sequences s = data(2, 30, 5, 2, 21);
        for (GradientRule rule : new GradientRule[] {GradientRule.BPTT, GradientRule.EPROP, GradientRule.RFLO}) {
            RecurrentParameters[] end = new RecurrentParameters[2];
            double[] loss = new double[2];
            String[] on = {"java", id};
            for (int w = 0; w < 2; w++) {
                RecurrentParameters p = RecurrentParameters.random(20, 5, 2, 1.0, 0.8, 0.5, false, 9);
                try (RecurrentTrainer tr = new RecurrentTrainer(TestDevices.get(on[w]), config(false, rule, false), p, new Sgd(0.0002))) {
                    double first = tr.step(s).loss();
                    for (int i = 0; i < 20; i++) tr.step(s);
                    loss[w] = tr.evaluate(s).loss();
                    assertTrue(loss[w] < 0.9 * first, on[w] + " " + rule + ": the loss went from " + first + " to " + loss[w]);
                }
                end[w] = p;
            }
            assertEquals(loss[0], loss[1], 1e-4 * loss[0], id + " " + rule + ": final loss vs the java device's");
            float[][] a = end[0].arrays(), b = end[1].arrays();
            for (int i = 0; i < a.length; i++) {
                for (int e = 0; e < a[i].length; e++) assertEquals(a[i][e], b[i][e], 1e-4 * (1 + Math.abs(a[i][e])), id + " " + rule + " " + Gradients.NAMES[i] + "[" + e + "]");
            }
        }
    }
}

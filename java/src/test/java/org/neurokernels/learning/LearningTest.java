package org.neurokernels.learning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.TestDevices;
import org.neurokernels.data.Dataset;
import org.neurokernels.data.TeacherStudent;

/** The trainer on the synthetic teacher-student task, every rule, every device, and across devices. */
class LearningTest {
    static final Dataset TRAIN = TeacherStudent.generate("ts/train", 3000, 20, 4, 7, 1);
    static final Dataset TEST = TeacherStudent.generate("ts/test", 1000, 20, 4, 7, 2);

    static List<String> devices() { return TestDevices.selectors(); }

    static Trainer.Config config(FeedbackRule r, int epochs) {
        return new Trainer.Config(new int[] {48, 48}, Activation.TANH, new FeedbackRule[] {r, r}, epochs, 32, 0.05f, 0f, 0f, 11, false);
    }

    /** Every rule learns the task far above chance (25%) on every device in a few epochs. */
    @ParameterizedTest
    @MethodSource("devices")
    void everyRuleLearns(String id) {
        Device d = TestDevices.get(id);
        for (FeedbackRule r : FeedbackRule.values()) {
            List<Trainer.Epoch> eps = Trainer.train(d, TRAIN, TEST, config(r, 4), null, null);
            Trainer.Epoch last = eps.get(eps.size() - 1);
            assertTrue(last.testAccuracy() > 0.70, r + " on " + id + ": " + last);
            assertTrue(last.trainLoss() < eps.get(0).trainLoss(), r + " on " + id + ": loss did not fall");
            if (r == FeedbackRule.BP) assertEquals(0.0, last.updateAngle()[0], 1e-3, "BP's delta is BP's delta");
            if (r == FeedbackRule.FA) assertTrue(last.weightAngle()[0] < 88, "FA's W turns toward B: " + last.weightAngle()[0]);
        }
    }

    @Test
    void rulesMixAcrossLayersAndMseWorks() {
        Trainer.Config mixed = new Trainer.Config(new int[] {48, 48}, Activation.RELU, new FeedbackRule[] {FeedbackRule.DFA, FeedbackRule.KP},
                4, 32, 0.05f, 0.5f, 1e-4f, 3, false);
        List<Trainer.Epoch> a = Trainer.train(TestDevices.reference(), TRAIN, TEST, mixed, null, null);
        assertTrue(a.get(a.size() - 1).testAccuracy() > 0.7, a.toString());
        Trainer.Config mse = new Trainer.Config(new int[] {48}, Activation.LOGISTIC, new FeedbackRule[] {FeedbackRule.FA}, 4, 32, 0.05f, 0f, 0f, 3, true);
        List<Trainer.Epoch> b = Trainer.train(TestDevices.reference(), TRAIN, TEST, mse, null, null);
        assertTrue(b.get(b.size() - 1).testAccuracy() > 0.5, b.toString());
    }

    @Test
    void deterministicForASeed() {
        for (String id : devices()) {
            Device d = TestDevices.get(id);
            List<Trainer.Epoch> a = Trainer.train(d, TRAIN, TEST, config(FeedbackRule.BRSF, 2), null, null);
            List<Trainer.Epoch> b = Trainer.train(d, TRAIN, TEST, config(FeedbackRule.BRSF, 2), null, null);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).trainLoss(), b.get(i).trainLoss(), 0.0, id);
                assertEquals(a.get(i).testAccuracy(), b.get(i).testAccuracy(), 0.0, id);
            }
        }
    }

    /**
     * The same learning on every device: same initial weights bit for bit (shared Philox), the first
     * batch's loss within 1e-5 relative and its gradients within 1e-4 of their largest magnitude; the
     * first epoch's mean loss within 1%; final accuracies within 2 points on this 1000-example test set
     * (the Fashion-MNIST comparison in the README is held to 0.5 points).
     */
    @Test
    void sameLearningOnEveryDevice() {
        Trainer.Config c = config(FeedbackRule.FA, 3);
        float[] x = Trainer.rows(TRAIN, identity(32), 0, 32), y = Trainer.oneHot(TRAIN.labels(), identity(32), 0, 32, 4);
        double refLoss;
        float[][] refW, refG, refStepped;
        try (Mlp ref = Trainer.build(TestDevices.reference(), TRAIN, c)) {
            refW = weights(ref);
            refLoss = ref.gradients(x, y, 32, false);
            refG = grads(ref);
            assertEquals(refLoss, ref.trainStep(x, y, 32, c.lr(), 0f, 0f, false), 1e-12 * refLoss, "java: the step's loss is the gradients' loss");
            refStepped = parameters(ref);
        }
        List<Trainer.Epoch> refRun = Trainer.train(TestDevices.reference(), TRAIN, TEST, c, null, null);
        for (String id : TestDevices.accelerators()) {
            Device d = TestDevices.get(id);
            try (Mlp net = Trainer.build(d, TRAIN, c)) {
                float[][] w = weights(net);
                for (int l = 0; l < w.length; l++) assertArrayEquals(refW[l], w[l], id + " initial W" + (l + 1));
                double loss = net.gradients(x, y, 32, false);
                assertEquals(refLoss, loss, 1e-5 * refLoss, id + " first-batch loss");
                assertClose(refG, grads(net), 1e-4, id + " gradient of");
                // the fused step (dense_update: gradient, bias gradient and SGD step in one launch per layer)
                assertEquals(refLoss, net.trainStep(x, y, 32, c.lr(), 0f, 0f, false), 1e-5 * refLoss, id + " first-step loss");
                assertClose(refStepped, parameters(net), 1e-5, id + " after one step,");
            }
            List<Trainer.Epoch> run = Trainer.train(d, TRAIN, TEST, c, null, null);
            assertEquals(refRun.get(0).trainLoss(), run.get(0).trainLoss(), 0.01 * refRun.get(0).trainLoss(), id + " first-epoch loss");
            assertEquals(refRun.get(2).testAccuracy(), run.get(2).testAccuracy(), 0.02, id + " final accuracy");
        }
    }

    /**
     * The device-resident path (packed examples, one gather per step, losses logged on the device) computes
     * exactly what the host path computes from the same batches: parameters and summed loss bit for bit,
     * on every device, with momentum, decay and a rule per layer.
     */
    @Test
    void deviceSideStepsEqualHostSteps() {
        Trainer.Config c = new Trainer.Config(new int[] {48, 48}, Activation.TANH, new FeedbackRule[] {FeedbackRule.BRSF, FeedbackRule.KP},
                1, 32, 0.05f, 0.5f, 1e-3f, 5, false);
        int steps = 5, n = 32;
        int[] order = identity(TRAIN.n());
        java.util.Random shuffle = new java.util.Random(9);
        for (int i = order.length - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float[] orderValues = new float[steps * n];
        for (int i = 0; i < orderValues.length; i++) orderValues[i] = order[i];
        for (String id : devices()) {
            Device d = TestDevices.get(id);
            double hostLoss = 0;
            float[][] hostParams;
            try (Mlp net = Trainer.build(d, TRAIN, c)) {
                for (int s = 0; s < steps; s++) {
                    float[] x = Trainer.rows(TRAIN, order, s * n, n), y = Trainer.oneHot(TRAIN.labels(), order, s * n, n, TRAIN.classes());
                    hostLoss += n * net.trainStep(x, y, n, c.lr(), c.momentum(), c.weightDecay(), false);
                }
                hostParams = parameters(net);
            }
            try (Mlp net = Trainer.build(d, TRAIN, c);
                 Matrix examples = d.upload(net.packExamples(TRAIN.x(), Trainer.oneHot(TRAIN.labels(), identity(TRAIN.n()), 0, TRAIN.n(), TRAIN.classes()), TRAIN.n()),
                         TRAIN.n(), net.exampleWidth());
                 Matrix index = d.upload(orderValues, 1, orderValues.length)) {
                for (int s = 0; s < steps; s++) net.trainStepOnDevice(examples, index.view(0, s * n, 1, n), c.lr(), c.momentum(), c.weightDecay(), false);
                double deviceLoss = net.drainLoss();
                assertEquals(hostLoss, deviceLoss, 1e-9 * hostLoss, id + " summed loss");
                float[][] p = parameters(net);
                for (int i = 0; i < p.length; i++) assertArrayEquals(hostParams[i], p[i], id + " parameter array " + i);
            }
        }
    }

    /** No hidden layer (softmax regression): the output layer alone learns, the same on every device. */
    @Test
    void withoutHiddenLayers() {
        Trainer.Config c = new Trainer.Config(new int[0], Activation.TANH, new FeedbackRule[0], 3, 32, 0.1f, 0f, 0f, 2, false);
        List<Trainer.Epoch> ref = Trainer.train(TestDevices.reference(), TRAIN, TEST, c, null, null);
        assertTrue(ref.get(2).trainLoss() < ref.get(0).trainLoss() && ref.get(2).testAccuracy() > 0.5, ref.toString());
        for (String id : TestDevices.accelerators()) {
            List<Trainer.Epoch> run = Trainer.train(TestDevices.get(id), TRAIN, TEST, c, null, null);
            assertEquals(ref.get(0).trainLoss(), run.get(0).trainLoss(), 1e-4 * ref.get(0).trainLoss(), id + " first-epoch loss");
            assertEquals(ref.get(2).testAccuracy(), run.get(2).testAccuracy(), 0.01, id + " final accuracy");
        }
    }

    /** Kolen-Pollack: with weight decay, W - B shrinks by exactly (1 - lr decay) per step (up to rounding). */
    @Test
    void kolenPollackDecaysTheDifference() {
        for (String id : devices()) {
            Device d = TestDevices.get(id);
            float[] w0 = new float[60], b0 = new float[60], g = new float[60];
            java.util.Random r = new java.util.Random(5);
            for (int i = 0; i < 60; i++) {
                w0[i] = r.nextFloat() - 0.5f;
                b0[i] = r.nextFloat() - 0.5f;
                g[i] = r.nextFloat() - 0.5f;
            }
            try (Matrix w = d.upload(w0, 6, 10); Matrix b = d.upload(b0, 6, 10); Matrix gm = d.upload(g, 6, 10)) {
                float lr = 0.1f, decay = 0.5f;
                d.kpUpdate(lr, decay, 0f, w, b, gm, null);
                float[] w1 = d.download(w), b1 = d.download(b);
                for (int i = 0; i < 60; i++) {
                    assertEquals((1 - lr * decay) * (w0[i] - b0[i]), w1[i] - b1[i], 1e-6, id + " element " + i);
                }
            }
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    private static float[][] weights(Mlp net) {
        List<float[]> out = new ArrayList<>();
        for (int l = 1; l <= net.layers(); l++) out.add(net.device().download(net.weights(l)));
        return out.toArray(new float[0][]);
    }

    private static float[][] grads(Mlp net) {
        List<float[]> out = new ArrayList<>();
        for (int l = 1; l <= net.layers(); l++) out.add(net.device().download(net.gradient(l)));
        return out.toArray(new float[0][]);
    }

    /** W_1, b_1, W_2, b_2, ... */
    private static float[][] parameters(Mlp net) {
        List<float[]> out = new ArrayList<>();
        for (int l = 1; l <= net.layers(); l++) {
            out.add(net.device().download(net.weights(l)));
            out.add(net.device().download(net.b[l]));
        }
        return out.toArray(new float[0][]);
    }

    /** Each array within {@code tol} times the largest magnitude of its reference. */
    private static void assertClose(float[][] ref, float[][] got, double tol, String what) {
        for (int l = 0; l < ref.length; l++) {
            double max = 0, err = 0;
            for (int e = 0; e < ref[l].length; e++) {
                max = Math.max(max, Math.abs(ref[l][e]));
                err = Math.max(err, Math.abs(ref[l][e] - got[l][e]));
            }
            assertTrue(err <= tol * max, what + " array " + (l + 1) + ": error " + err + " vs scale " + max);
        }
    }
}

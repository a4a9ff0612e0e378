package org.neurokernels.learning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.data.Dataset;

/**
 * Minibatch SGD training of an {@link Mlp} with softmax cross-entropy (or MSE on one-hot targets), a
 * feedback rule per hidden layer, momentum and weight decay; deterministic for a seed on a device (the
 * shuffle is seeded, the kernels use no atomics, the init comes from Philox). Per epoch it reports the mean
 * training loss, the test accuracy, the alignment metrics on a fixed probe batch, and the epoch's wall time
 * of the training loop (the shuffled order's upload and every step; not data loading or evaluation). The
 * training set is uploaded once and stays on the device; each step gathers its rows there
 * ({@link Device#gatherRows}), so the host never waits for the device within an epoch.
 */
public final class Trainer {
    private Trainer() { }

    public record Config(int[] hidden, Activation activation, FeedbackRule[] rules, int epochs, int batch, float lr,
                         float momentum, float weightDecay, long seed, boolean mse) {
        public Config {
            if (rules.length != hidden.length) throw new IllegalArgumentException(hidden.length + " hidden layers need " + hidden.length + " rules, got " + rules.length);
            if (epochs < 0) throw new IllegalArgumentException("epochs = " + epochs + ": need epochs >= 0");
            if (batch < 1) throw new IllegalArgumentException("batch = " + batch + ": need batch >= 1");
            for (int h : hidden) if (h < 1) throw new IllegalArgumentException("hidden layer size " + h + ": need sizes >= 1");
            if (!(lr > 0 && lr < Float.POSITIVE_INFINITY)) throw new IllegalArgumentException("lr = " + lr + ": need a finite learning rate > 0");
            if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum = " + momentum + ": need 0 <= momentum < 1");
            if (!(weightDecay >= 0 && weightDecay < Float.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("weight decay = " + weightDecay + ": need a finite value >= 0");
            }
        }

        /** A label for tables and plots: the rules, e.g. "fa" or "bp+fa". */
        public String label() {
            return Arrays.stream(rules).map(FeedbackRule::id).distinct().reduce((a, b) -> a + "+" + b).orElse("none");
        }
    }

    public record Epoch(String run, int epoch, double trainLoss, double testAccuracy, double seconds,
                        double[] weightAngle, double[] updateAngle, double[] normRatio) { }

    static float[] oneHot(int[] labels, int[] index, int from, int n, int classes) {
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) y[i * classes + labels[index[from + i]]] = 1f;
        return y;
    }

    static float[] rows(Dataset d, int[] index, int from, int n) {
        float[] x = new float[n * d.features()];
        for (int i = 0; i < n; i++) System.arraycopy(d.x(), index[from + i] * d.features(), x, i * d.features(), d.features());
        return x;
    }

    /** Fraction of {@code data} classified correctly, evaluated in batches. */
    public static double accuracy(Mlp net, Dataset data) {
        int[] all = new int[data.n()];
        Arrays.setAll(all, i -> i);
        int correct = 0;
        for (int from = 0; from < data.n(); from += net.maxBatch) {
            int n = Math.min(net.maxBatch, data.n() - from);
            float[] s = net.predict(rows(data, all, from, n), n);
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int c = 1; c < data.classes(); c++) if (s[i * data.classes() + c] > s[i * data.classes() + best]) best = c;
                if (best == data.labels()[from + i]) correct++;
            }
        }
        return (double) correct / data.n();
    }

    public static Mlp build(Device device, Dataset train, Config c) {
        int[] sizes = new int[c.hidden().length + 2];
        sizes[0] = train.features();
        System.arraycopy(c.hidden(), 0, sizes, 1, c.hidden().length);
        sizes[sizes.length - 1] = train.classes();
        return new Mlp(device, sizes, c.activation(), c.rules(), Math.max(c.batch(), 256), c.momentum() > 0, c.seed());
    }

    /** Trains and evaluates; {@code onBatch} gets the batch index of the epoch, {@code onEpoch} each epoch's record. */
    public static List<Epoch> train(Device device, Dataset train, Dataset test, Config c, Consumer<Epoch> onEpoch, IntConsumer onBatch) {
        if (train.features() != test.features() || train.classes() != test.classes()) {
            throw new IllegalArgumentException("train and test sets differ in features or classes");
        }
        List<Epoch> out = new ArrayList<>();
        // the training set stays on the device (loading, not timed): each step gathers its rows there
        int[] order = new int[train.n()];
        Arrays.setAll(order, i -> i);
        try (Mlp net = build(device, train, c);
             Matrix examples = device.upload(net.packExamples(train.x(), oneHot(train.labels(), order, 0, train.n(), train.classes()), train.n()),
                     train.n(), net.exampleWidth());
             Matrix orderOnDevice = device.allocate(1, train.n())) {
            int probeN = Math.min(256, test.n());
            int[] probeIndex = new int[probeN];
            Arrays.setAll(probeIndex, i -> i);
            float[] probeX = rows(test, probeIndex, 0, probeN), probeY = oneHot(test.labels(), probeIndex, 0, probeN, test.classes());
            for (int e = 1; e <= c.epochs(); e++) {
                Random shuffle = new Random(c.seed() * 1_000_003L + e);
                for (int i = order.length - 1; i > 0; i--) {
                    int j = shuffle.nextInt(i + 1), t = order[i];
                    order[i] = order[j];
                    order[j] = t;
                }
                long t0 = System.nanoTime();
                float[] orderValues = new float[order.length];
                for (int i = 0; i < order.length; i++) orderValues[i] = order[i];
                device.upload(orderOnDevice, orderValues);
                double lossSum;
                int batches = 0;
                for (int from = 0; from < train.n(); from += c.batch()) {
                    int n = Math.min(c.batch(), train.n() - from);
                    net.trainStepOnDevice(examples, orderOnDevice.view(0, from, 1, n), c.lr(), c.momentum(), c.weightDecay(), c.mse());
                    if (onBatch != null) onBatch.accept(++batches);
                }
                lossSum = net.drainLoss();  // also waits for the device's last step
                double seconds = (System.nanoTime() - t0) * 1e-9;
                double acc = accuracy(net, test);
                Mlp.Alignment a = net.alignment(probeX, probeY, probeN);
                Epoch rec = new Epoch(c.label(), e, lossSum / train.n(), acc, seconds, a.weightAngle(), a.updateAngle(), a.normRatio());
                out.add(rec);
                if (onEpoch != null) onEpoch.accept(rec);
            }
        }
        return out;
    }
}

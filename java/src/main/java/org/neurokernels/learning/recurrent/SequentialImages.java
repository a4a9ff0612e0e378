package org.neurokernels.learning.recurrent;

import org.neurokernels.data.Dataset;

/**
 * Sequential image classification (sequential Fashion-MNIST): each image fed row by row, one row of
 * {@code width} pixels per step, with a softmax readout at the last step against the one-hot label.
 */
public final class SequentialImages {
    private SequentialImages() { }

    /** Examples order[from .. from + count) of the data set as a batch of sequences, width pixels per step. */
    public static Sequences batch(Dataset d, int[] order, int from, int count, int width) {
        if (d.features() % width != 0) throw new IllegalArgumentException(d.name() + ": " + d.features() + " features are not rows of " + width);
        int steps = d.features() / width, k = d.classes();
        float[] x = new float[count * d.features()], target = new float[count * steps * k];
        for (int b = 0; b < count; b++) {
            int e = order[from + b];
            System.arraycopy(d.x(), e * d.features(), x, b * d.features(), d.features());
            target[(b * steps + steps - 1) * k + d.labels()[e]] = 1f;
        }
        return new Sequences(count, steps, width, k, x, target, true);
    }

    /** How many of a batch's sequences the readout at their last step classifies right (y: batch x steps*K). */
    public static int correct(float[] y, Sequences s, Dataset d, int[] order, int from) {
        int k = s.outputs(), right = 0;
        for (int b = 0; b < s.batch(); b++) {
            int at = (b * s.steps() + s.steps() - 1) * k, best = 0;
            for (int q = 1; q < k; q++) if (y[at + q] > y[at + best]) best = q;
            if (best == d.labels()[order[from + b]]) right++;
        }
        return right;
    }
}

package org.neurokernels.data;

import java.util.Random;

/**
 * A small synthetic task for fast tests: inputs uniform in [-1, 1]^features, labels the argmax of a fixed
 * random tanh teacher network (features -> 32 -> classes). A student MLP can learn it well in a few epochs.
 */
public final class TeacherStudent {
    private TeacherStudent() { }

    public static Dataset generate(String name, int n, int features, int classes, long teacherSeed, long dataSeed) {
        Random t = new Random(teacherSeed);
        int hidden = 32;
        double[] w1 = new double[hidden * features], w2 = new double[classes * hidden];
        for (int i = 0; i < w1.length; i++) w1[i] = t.nextGaussian() / Math.sqrt(features);
        for (int i = 0; i < w2.length; i++) w2[i] = t.nextGaussian() / Math.sqrt(hidden);
        Random r = new Random(dataSeed);
        float[] x = new float[n * features];
        int[] y = new int[n];
        double[] h = new double[hidden];
        for (int s = 0; s < n; s++) {
            for (int f = 0; f < features; f++) x[s * features + f] = (float) (2 * r.nextDouble() - 1);
            for (int j = 0; j < hidden; j++) {
                double z = 0;
                for (int f = 0; f < features; f++) z += w1[j * features + f] * x[s * features + f];
                h[j] = Math.tanh(2 * z);
            }
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double z = 0;
                for (int j = 0; j < hidden; j++) z += w2[c * hidden + j] * h[j];
                if (z > bestV) {
                    bestV = z;
                    best = c;
                }
            }
            y[s] = best;
        }
        return new Dataset(name, x, y, n, features, classes);
    }
}

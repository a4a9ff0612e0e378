package org.neurokernels.data;

/** A labelled data set in host memory: {@code x} is n x features row-major, labels in [0, classes). */
public record Dataset(String name, float[] x, int[] labels, int n, int features, int classes) {
    /** The mean and standard deviation over every value of x (one pair for the whole set). */
    public double[] meanStd() {
        double s = 0, s2 = 0;
        for (float v : x) {
            s += v;
            s2 += (double) v * v;
        }
        double mean = s / x.length;
        return new double[] {mean, Math.sqrt(Math.max(s2 / x.length - mean * mean, 0))};
    }

    /** A copy with x' = (x - mean) / std: zero-mean, unit-variance inputs, as the Glorot init assumes. */
    public Dataset standardized(double mean, double std) {
        if (!(std > 0)) throw new IllegalArgumentException("standard deviation must be positive, got " + std);
        float[] y = new float[x.length];
        for (int i = 0; i < y.length; i++) y[i] = (float) ((x[i] - mean) / std);
        return new Dataset(name, y, labels, n, features, classes);
    }

    public Dataset {
        if (x.length != (long) n * features || labels.length != n) {
            throw new IllegalArgumentException(name + ": " + x.length + " values and " + labels.length + " labels for " + n + " x " + features);
        }
        for (int l : labels) {
            if (l < 0 || l >= classes) throw new IllegalArgumentException(name + ": label " + l + " outside [0, " + classes + ")");
        }
    }
}

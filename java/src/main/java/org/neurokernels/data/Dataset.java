package org.neurokernels.data;

/** A labelled data set in host memory: {@code x} is n x features row-major, labels in [0, classes). */
public record Dataset(String name, float[] x, int[] labels, int n, int features, int classes) {
    public Dataset {
        if (x.length != (long) n * features || labels.length != n) {
            throw new IllegalArgumentException(name + ": " + x.length + " values and " + labels.length + " labels for " + n + " x " + features);
        }
        for (int l : labels) {
            if (l < 0 || l >= classes) throw new IllegalArgumentException(name + ": label " + l + " outside [0, " + classes + ")");
        }
    }
}

package org.neurokernels.learning.recurrent;

import java.util.SplittableRandom;

/** Test helpers: the comparison every gradient test uses, and seeded random problems (never zeros). */
final class GradientCheck {
    private GradientCheck() { }

    /** max_i |a_i - b_i| / max(max_i |a_i|, max_i |b_i|): the error relative to the gradient's scale (0 if both are 0). */
    static double relativeError(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths differ: " + a.length + " vs " + b.length);
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.max(Math.abs(a[i]), Math.abs(b[i])));
        }
        return scale == 0 ? 0 : diff / scale;
    }

    /** The largest {@link #relativeError} over the parameter arrays; names the worst in a message. */
    static double worst(Gradients a, Gradients b, int[] which, StringBuilder report) {
        double w = 0;
        for (int i : which) {
            double e = relativeError(a.arrays()[i], b.arrays()[i]);
            report.append(String.format(" %s %.3g", Gradients.NAMES[i], e));
            w = Math.max(w, e);
        }
        return w;
    }

    static final int[] ALL = {0, 1, 2, 3, 4};

    /** Uniform inputs in [lo, hi) and normal targets, seeded. */
    static Sequences sequences(int batch, int steps, int inputs, int outputs, double lo, double hi, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[batch * steps * inputs], y = new float[batch * steps * outputs];
        for (int i = 0; i < x.length; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        for (int i = 0; i < y.length; i++) y[i] = (float) (0.5 * gaussian(r));
        return new Sequences(batch, steps, inputs, outputs, x, y);
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Random nonzero biases (the init leaves them 0), scale s. */
    static void randomBiases(RecurrentParameters p, double s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < p.b.length; i++) p.b[i] = (float) (s * gaussian(r));
        for (int i = 0; i < p.bOut.length; i++) p.bOut[i] = (float) (s * gaussian(r));
    }
}

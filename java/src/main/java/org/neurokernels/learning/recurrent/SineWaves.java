package org.neurokernels.learning.recurrent;

import java.util.SplittableRandom;

/**
 * The e-prop paper's pattern-generation task (Bellec et al. 2020, as NEST's sine-wave tutorial): 100 inputs
 * of frozen Poisson noise (p = 0.05 per 1 ms step, the same every iteration) and a 1000-step target, the sum
 * of four sines with periods 1000, 500, 333 and 200 steps, amplitudes U(0.5, 2) and phases U(0, 2 pi), shifted
 * to start at zero and scaled to max |y*| = 1. Batch 1; the score is the normalized MSE.
 */
public final class SineWaves {
    private SineWaves() { }

    /** The frozen Poisson input (m channels) and the target over the steps, from the seed. */
    public static Sequences task(int m, int steps, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[steps * m], y = new float[steps];
        for (int i = 0; i < x.length; i++) x[i] = r.nextDouble() < 0.05 ? 1f : 0f;
        double[] period = {1000, 500, 333, 200}, amp = new double[4], phase = new double[4];
        for (int i = 0; i < 4; i++) {
            amp[i] = 0.5 + 1.5 * r.nextDouble();
            phase[i] = 2 * Math.PI * r.nextDouble();
        }
        double[] target = new double[steps];
        for (int t = 0; t < steps; t++) for (int i = 0; i < 4; i++) target[t] += amp[i] * Math.sin(2 * Math.PI * t / period[i] + phase[i]);
        double first = target[0], max = 0;
        for (int t = 0; t < steps; t++) max = Math.max(max, Math.abs(target[t] - first));
        for (int t = 0; t < steps; t++) y[t] = (float) ((target[t] - first) / max);
        return new Sequences(1, steps, m, 1, x, y);
    }

    /** sum (y - y*)^2 / sum (y* - mean y*)^2 over sequence 0's steps (one output), y as steps values. */
    public static double nmse(float[] y, Sequences s) {
        double mean = 0;
        for (int t = 0; t < s.steps(); t++) mean += s.target(0, t, 0) / s.steps();
        double err = 0, var = 0;
        for (int t = 0; t < s.steps(); t++) {
            err += Math.pow(y[t] - s.target(0, t, 0), 2);
            var += Math.pow(s.target(0, t, 0) - mean, 2);
        }
        return err / var;
    }
}

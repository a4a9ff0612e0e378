package org.neurokernels.dynamics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.neurokernels.Activation;
import org.neurokernels.TestDevices;

/** Rate populations against closed-form results. */
class RateTest {
    /** exp(A) by scaling and squaring of a Taylor series, in double (small matrices). */
    static double[][] expm(double[][] a) {
        int n = a.length;
        double norm = 0;
        for (double[] row : a) norm = Math.max(norm, Arrays.stream(row).map(Math::abs).sum());
        int s = Math.max(0, (int) Math.ceil(Math.log(norm) / Math.log(2)) + 4);
        double scale = Math.pow(2, -s);
        double[][] term = identity(n), sum = identity(n);
        for (int k = 1; k <= 30; k++) {
            term = times(term, a, scale / k);
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) sum[i][j] += term[i][j];
        }
        for (int k = 0; k < s; k++) sum = times(sum, sum, 1);
        return sum;
    }

    static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) m[i][i] = 1;
        return m;
    }

    static double[][] times(double[][] a, double[][] b, double f) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) for (int k = 0; k < n; k++) for (int j = 0; j < n; j++) c[i][j] += f * a[i][k] * b[k][j];
        return c;
    }

    /** Solves (I - W) r* = b by Gaussian elimination. */
    static double[] fixedPoint(double[][] w, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) m[i][j] = (i == j ? 1 : 0) - w[i][j];
            m[i][n] = b[i];
        }
        for (int p = 0; p < n; p++) {
            for (int i = p + 1; i < n; i++) {
                double q = m[i][p] / m[p][p];
                for (int j = p; j <= n; j++) m[i][j] -= q * m[p][j];
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int j = i + 1; j < n; j++) s -= m[i][j] * x[j];
            x[i] = s / m[i][i];
        }
        return x;
    }

    /** The largest |simulated - exact| at t = 40 ms of the linear network tau dr/dt = (W - I) r + b. */
    static double linearError(String id, double dt, boolean expEuler) {
        int n = 6;
        Random rnd = new Random(4);
        double[][] w = new double[n][n];
        float[] wf = new float[n * n], bf = new float[n], r0 = new float[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                w[i][j] = (rnd.nextDouble() - 0.5) * 0.5;
                wf[i * n + j] = (float) w[i][j];
                w[i][j] = wf[i * n + j];
            }
            bf[i] = (float) (rnd.nextDouble() - 0.5);
            b[i] = bf[i];
            r0[i] = (float) (rnd.nextDouble() - 0.5);
        }
        double tauMs = 10, t = 40;
        double[] rStar = fixedPoint(w, b);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) a[i][j] = ((i == j ? -1 : 0) + w[i][j]) * t / tauMs;
        double[][] e = expm(a);
        double[] exact = new double[n];
        for (int i = 0; i < n; i++) {
            exact[i] = rStar[i];
            for (int j = 0; j < n; j++) exact[i] += e[i][j] * (r0[j] - rStar[j]);
        }
        float[] taus = new float[n];
        Arrays.fill(taus, (float) tauMs);
        try (RatePopulation pop = new RatePopulation(TestDevices.get(id), 1, n, 0, Activation.IDENTITY, taus, dt, expEuler, 0, 1)) {
            pop.setRecurrentWeights(wf);
            pop.setBias(bf);
            pop.setState(r0);
            int steps = (int) Math.round(t / dt);
            float[] got = pop.run(steps, null, new int[] {steps});
            double worst = 0;
            for (int i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - exact[i]));
            return worst;
        }
    }

    /** A linear rate network follows its matrix-exponential solution, with an error that falls in proportion to dt. */
    @Test
    void linearNetworkMatchesTheMatrixExponential() {
        for (String id : TestDevices.selectors()) {
            for (boolean expEuler : new boolean[] {true, false}) {
                double coarse = linearError(id, 0.1, expEuler), fine = linearError(id, 0.01, expEuler);
                assertTrue(coarse < 5e-3, id + " expEuler=" + expEuler + ": error " + coarse + " at dt 0.1");
                assertTrue(fine < coarse / 5, id + " expEuler=" + expEuler + ": first-order convergence (" + coarse + " -> " + fine + ")");
            }
        }
    }

    /** Dale's law keeps each presynaptic column's sign; recordings come back at the steps asked for. */
    @Test
    void daleSignsAndRecording() {
        float[] w = RatePopulation.daleWeights(new float[] {0.5f, -0.2f, -0.3f, 0.4f}, 2, new boolean[] {true, false});
        assertEquals(0.5f, w[0]);
        assertEquals(-0.2f, w[1]);
        assertEquals(0.3f, w[2]);
        assertEquals(-0.4f, w[3]);
        for (String id : TestDevices.selectors()) {
            try (RatePopulation pop = new RatePopulation(TestDevices.get(id), 2, 3, 1, Activation.TANH, new float[] {5, 10, 20}, 0.5, true, 0.2, 9)) {
                pop.setInputWeights(new float[] {1, -1, 0.5f});
                float[] u = new float[20 * 2];
                Arrays.fill(u, 1f);
                float[] rec = pop.run(20, u, new int[] {20, 5});
                assertEquals(2 * 2 * 3, rec.length);
                assertTrue(Arrays.equals(Arrays.copyOfRange(rec, 6, 12), pop.state()), id + ": the last recording is the final state");
            }
        }
    }

    /**
     * The multi-step kernels (the CPU one, and the work-group one that GPUs use, forced by choosing the tiled
     * GEMM) compute the same trajectories as single steps (noise included) and as the reference, for network
     * sizes that exercise every vector path (64-wide blocks, 16-wide blocks, scalar tails).
     */
    @Test
    void multistepMatchesSingleSteps() {
        for (int n : new int[] {37, 133}) {
            for (boolean gpuStyle : new boolean[] {false, true}) multistep(n, gpuStyle);
        }
    }

    private void multistep(int n, boolean gpuStyle) {
        int batch = 5, m = 3, steps = 40;
        Random rnd = new Random(12);
        float[] w = new float[n * n], win = new float[n * m], b = new float[n], taus = new float[n], r0 = new float[batch * n], u = new float[steps * batch * m];
        for (int i = 0; i < w.length; i++) w[i] = (float) ((rnd.nextDouble() - 0.5) * 0.4);
        for (int i = 0; i < win.length; i++) win[i] = (float) (rnd.nextDouble() - 0.5);
        for (int i = 0; i < n; i++) {
            b[i] = (float) (rnd.nextDouble() - 0.5);
            taus[i] = (float) (5 + 20 * rnd.nextDouble());
        }
        for (int i = 0; i < r0.length; i++) r0[i] = (float) (rnd.nextDouble() - 0.5);
        for (int i = 0; i < u.length; i++) u[i] = (float) Math.sin(i * 0.1);
        float[] ref = null;
        for (String id : TestDevices.selectors()) {
            float[] fused, single, recorded;
            org.neurokernels.Device dev = TestDevices.get(id);
            if (gpuStyle && dev instanceof org.neurokernels.KernelDevice) ((org.neurokernels.KernelDevice) dev).setGemmKernel(org.neurokernels.KernelDevice.GemmKernel.TILED);
            try (RatePopulation a = population(id, batch, n, m, w, win, b, taus, r0); RatePopulation c = population(id, batch, n, m, w, win, b, taus, r0)) {
                recorded = a.runFused(steps, u, 10);
                fused = a.state();
                c.run(steps, u, null);
                single = c.state();
            } finally {
                if (dev instanceof org.neurokernels.KernelDevice) ((org.neurokernels.KernelDevice) dev).setGemmKernel(null);
            }
            float[][] outs = {fused, single};
            assertEquals(4 * batch * n, recorded.length);
            assertTrue(Arrays.equals(Arrays.copyOfRange(recorded, 3 * batch * n, 4 * batch * n), outs[0]), id + ": the last recording is the final state");
            for (int i = 0; i < outs[0].length; i++) assertEquals(outs[1][i], outs[0][i], 2e-5, id + " element " + i + ": fused vs single steps");
            if (ref == null) ref = outs[0];
            else for (int i = 0; i < ref.length; i++) assertEquals(ref[i], outs[0][i], 2e-5, id + " element " + i + " vs the java reference");
        }
    }

    private static RatePopulation population(String id, int batch, int n, int m, float[] w, float[] win, float[] b, float[] taus, float[] r0) {
        RatePopulation p = new RatePopulation(TestDevices.get(id), batch, n, m, Activation.TANH, taus, 0.5, true, 0.1, 4);
        p.setRecurrentWeights(w);
        p.setInputWeights(win);
        p.setBias(b);
        p.setState(r0);
        return p;
    }
}

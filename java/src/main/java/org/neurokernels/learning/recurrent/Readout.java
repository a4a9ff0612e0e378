package org.neurokernels.learning.recurrent;

/**
 * The leaky linear readout both networks share, y_q^t = kappa y_q^{t-1} + sum_j W_out_qj z_j^t + b_out_q
 * (y^0 = 0), the squared error on it, and its exact gradient computed online (forward in time).
 */
final class Readout {
    private Readout() { }

    /** y = kappa yPrev + W_out z + b_out. */
    static double[] step(RecurrentParameters p, double kappa, double[] z, double[] yPrev) {
        double[] y = new double[p.k];
        for (int q = 0; q < p.k; q++) {
            double a = kappa * yPrev[q] + p.bOut[q];
            for (int j = 0; j < p.n; j++) a += p.wOut[q * p.n + j] * z[j];
            y[q] = a;
        }
        return y;
    }

    /**
     * dE/dy^t, the output errors of sequence b at step t: y^t - y*^t for regression; for classification
     * softmax(y^T) - y*^T at the last step and 0 before it.
     */
    static double[] error(Sequences s, int b, int t, double[] y) {
        double[] e = new double[y.length];
        if (!s.classify()) {
            for (int q = 0; q < y.length; q++) e[q] = y[q] - s.target(b, t, q);
        } else if (t == s.steps() - 1) {
            double lse = logSumExp(y);
            for (int q = 0; q < y.length; q++) e[q] = Math.exp(y[q] - lse) - s.target(b, t, q);
        }
        return e;
    }

    /** The loss of step t: 1/2 sum_q (y_q - y*_q)^2, or -sum_q y*_q log softmax(y)_q at the last step of a classification. */
    static double stepLoss(Sequences s, int b, int t, double[] y) {
        if (!s.classify()) return halfSquare(error(s, b, t, y));
        if (t != s.steps() - 1) return 0;
        double lse = logSumExp(y), l = 0;
        for (int q = 0; q < y.length; q++) l -= s.target(b, t, q) * (y[q] - lse);
        return l;
    }

    static double logSumExp(double[] y) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : y) max = Math.max(max, v);
        for (double v : y) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    /**
     * One step of the readout's backward pass (BPTT): dy = err + kappa dy (the readout's adjoint, updated in
     * place), then dE/db_out += dy and dE/dW_out += dy z^T.
     */
    static void backward(double[] dy, double[] err, double kappa, double[] z, Gradients g) {
        int n = z.length;
        for (int q = 0; q < dy.length; q++) {
            dy[q] = err[q] + kappa * dy[q];
            g.bOut[q] += dy[q];
            for (int j = 0; j < n; j++) g.wOut[q * n + j] += dy[q] * z[j];
        }
    }

    static double halfSquare(double[] err) {
        double s = 0;
        for (double e : err) s += e * e;
        return 0.5 * s;
    }

    /** The learning signal L_j = sum_q B_jq err_q, B (N x K) row-major. */
    static double[] learningSignal(float[] feedback, double[] err, int n) {
        int k = err.length;
        if (feedback.length != n * k) throw new IllegalArgumentException("feedback must be N x K = " + n + " x " + k + ", has " + feedback.length + " values");
        double[] l = new double[n];
        for (int j = 0; j < n; j++) {
            double a = 0;
            for (int q = 0; q < k; q++) a += feedback[j * k + q] * err[q];
            l[j] = a;
        }
        return l;
    }

    /**
     * The exact readout gradient forward in time: dE/dW_out_qj = sum_t err_q^t F_kappa(z_j)^t and
     * dE/db_out_q = sum_t err_q^t F_kappa(1)^t, where F_kappa(u)^t = kappa F_kappa(u)^{t-1} + u^t. One per sequence.
     */
    static final class OnlineGradient {
        private final double kappa;
        private final double[] zFiltered;
        private double oneFiltered;

        OnlineGradient(int n, double kappa) {
            this.kappa = kappa;
            zFiltered = new double[n];
        }

        void step(double[] z, double[] err, Gradients g) {
            int n = zFiltered.length;
            for (int j = 0; j < n; j++) zFiltered[j] = kappa * zFiltered[j] + z[j];
            oneFiltered = kappa * oneFiltered + 1;
            for (int q = 0; q < err.length; q++) {
                g.bOut[q] += err[q] * oneFiltered;
                for (int j = 0; j < n; j++) g.wOut[q * n + j] += err[q] * zFiltered[j];
            }
        }
    }
}

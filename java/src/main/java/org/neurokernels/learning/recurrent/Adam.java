package org.neurokernels.learning.recurrent;

/**
 * Adam (Kingma and Ba, ICLR 2015) with bias correction: at step t, m = beta1 m + (1 - beta1) g,
 * v = beta2 v + (1 - beta2) g^2, p = p - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps);
 * the moments are kept in double, one pair per parameter array, created at the first step.
 */
public final class Adam implements Optimizer {
    private final double lr, beta1, beta2, eps;
    private double[][] m, v;
    private int t;

    /** beta1 0.9, beta2 0.999, eps 1e-8. */
    public Adam(double lr) { this(lr, 0.9, 0.999, 1e-8); }

    public Adam(double lr, double beta1, double beta2, double eps) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    public void step(float[][] params, double[][] grads) {
        if (m == null) {
            m = new double[params.length][];
            v = new double[params.length][];
            for (int a = 0; a < params.length; a++) {
                m[a] = new double[params[a].length];
                v[a] = new double[params[a].length];
            }
        }
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
        for (int a = 0; a < params.length; a++) {
            for (int i = 0; i < params[a].length; i++) {
                double g = grads[a][i];
                m[a][i] = beta1 * m[a][i] + (1 - beta1) * g;
                v[a][i] = beta2 * v[a][i] + (1 - beta2) * g * g;
                params[a][i] = (float) (params[a][i] - lr * (m[a][i] / c1) / (Math.sqrt(v[a][i] / c2) + eps));
            }
        }
    }
}

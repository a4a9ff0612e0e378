package org.neurokernels.learning.recurrent;

/** Plain gradient descent: p = p - lr g, computed in double and stored as float. */
public final class Sgd implements Optimizer {
    private final double lr;

    public Sgd(double lr) { this.lr = lr; }

    @Override
    public void step(float[][] params, double[][] grads) {
        for (int a = 0; a < params.length; a++) {
            for (int i = 0; i < params[a].length; i++) params[a][i] = (float) (params[a][i] - lr * grads[a][i]);
        }
    }
}

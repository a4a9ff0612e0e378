package org.neurokernels.learning.recurrent;

/** A first-order optimizer: steps float32 parameter arrays against double gradients of the same shapes, in place. */
public interface Optimizer {
    /** One step on every params[a] with grads[a] (e.g. {@link RecurrentParameters#arrays()}, {@link Gradients#arrays()}). */
    void step(float[][] params, double[][] grads);
}

package org.neurokernels.dynamics;

/**
 * What one LIF step needs, as the kernels receive it (see kernels-opencl/dynamics.cl): propagators
 * computed in double and rounded to float, the voltages, the constant current, the refractory period in
 * steps, and the rate filter's decay and gain.
 *
 * <p>The refractory period lies in [0, {@link #MAX_REFRACTORY_STEPS}]: the counter lives in a float
 * matrix and counts down by one per step, which is exact only up to 2^24; above that a decrement rounds
 * back to the same value and the count would stall.
 */
public record LifStep(float p22, float p21e, float p21i, float p20, float p11e, float p11i,
                      float vRest, float vReset, float vThresh, float iOffset, int refractorySteps,
                      float rateDecay, float rateGain) {
    /** The longest refractory period in steps, 2^24 = 16,777,216 (the largest count a float counts down exactly). */
    public static final int MAX_REFRACTORY_STEPS = 1 << 24;

    public LifStep {
        if (refractorySteps < 0 || refractorySteps > MAX_REFRACTORY_STEPS) {
            throw new IllegalArgumentException("refractory period of " + refractorySteps + " steps is outside [0, " + MAX_REFRACTORY_STEPS + "]");
        }
    }
}

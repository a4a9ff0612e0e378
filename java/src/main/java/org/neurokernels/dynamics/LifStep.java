package org.neurokernels.dynamics;

/**
 * What one LIF step needs, as the kernels receive it (see kernels-opencl/dynamics.cl): propagators
 * computed in double and rounded to float, the voltages, the constant current, the refractory period in
 * steps, and the rate filter's decay and gain.
 */
public record LifStep(float p22, float p21e, float p21i, float p20, float p11e, float p11i,
                      float vRest, float vReset, float vThresh, float iOffset, int refractorySteps,
                      float rateDecay, float rateGain) { }

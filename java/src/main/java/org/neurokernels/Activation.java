package org.neurokernels;

import java.util.Locale;

/**
 * Pointwise activation functions f and their derivatives, as the reference computes them in double.
 * The integer {@link #code()} is what kernels receive; the OpenCL and CUDA kernels implement the same
 * formulas (see kernels-opencl/common.cl, compiled for CUDA tooh).
 *
 * <p>Derivatives are offered from the pre-activation z (exact for every f) and from the
 * post-activation h = f(z) (what a layer that stores only h has). From h the formulas are chosen so that
 * they are accurate functions of h: tanh' = (1-h)(1+h), logistic' = h(1-h), softplus' = -expm1(-h).
 */
public enum Activation {
    IDENTITY(0), TANH(1), LOGISTIC(2), RELU(3), SOFTPLUS(4);

    private final int code;

    Activation(int code) { this.code = code; }

    public int code() { return code; }

    /** The lower-case name used by the CLI and the op registry ("tanh", "relu", ...). */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(s.trim())) return a;
        }
        throw new IllegalArgumentException("unknown activation '" + s + "'; expected one of identity, tanh, logistic, relu, softplus");
    }

    public double apply(double z) {
        switch (this) {
            case IDENTITY: return z;
            case TANH: return Math.tanh(z);
            case LOGISTIC: return z >= 0 ? 1.0 / (1.0 + Math.exp(-z)) : Math.exp(z) / (1.0 + Math.exp(z));
            case RELU: return z < 0 ? 0.0 : z; // NaN stays NaN
            case SOFTPLUS: return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
            default: throw new AssertionError(this);
        }
    }

    /** f'(z) from the pre-activation z. */
    public double derivativeFromPre(double z) {
        if (Double.isNaN(z)) return z;
        switch (this) {
            case IDENTITY: return 1.0;
            case TANH: { double e = Math.exp(-2.0 * Math.abs(z)); return 4.0 * e / ((1.0 + e) * (1.0 + e)); }
            case LOGISTIC: { double e = Math.exp(-Math.abs(z)); return e / ((1.0 + e) * (1.0 + e)); }
            case RELU: return z > 0 ? 1.0 : 0.0;
            case SOFTPLUS: return LOGISTIC.apply(z);
            default: throw new AssertionError(this);
        }
    }

    /** f'(z) expressed through the post-activation h = f(z). */
    public double derivativeFromPost(double h) {
        if (Double.isNaN(h)) return h;
        switch (this) {
            case IDENTITY: return 1.0;
            case TANH: return (1.0 - h) * (1.0 + h);
            case LOGISTIC: return h * (1.0 - h);
            case RELU: return h > 0 ? 1.0 : 0.0;
            case SOFTPLUS: return -Math.expm1(-h);
            default: throw new AssertionError(this);
        }
    }
}

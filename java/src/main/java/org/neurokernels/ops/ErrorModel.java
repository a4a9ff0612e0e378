package org.neurokernels.ops;

/**
 * How one output of an op is judged against the double reference: element e passes when
 * |out[e] - ref[e]| ≤ bound * scale[e]. {@code scale} is the size of the computation behind that
 * element (for GEMM: |α| Σ_k |a_ik||b_kj| + |β||c_ij|), so the bound does not depend on cancellation.
 * A bound of 0 with scale 1 means bit-exact. {@code rule} says in words what was used.
 */
public record ErrorModel(double[] scale, double bound, String rule) {
    /** Unit roundoff of float32, 2^-24. */
    public static final double U = Math.scalb(1.0, -24);

    /** A bound of {@code ulps} units in the last place of the reference value, elementwise. */
    public static ErrorModel relative(float[] ref, double ulps) {
        double[] s = new double[ref.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.abs((double) ref[i]) + Float.MIN_NORMAL;
        return new ErrorModel(s, ulps * 2 * U, "|out - ref| <= " + (int) ulps + " ulp of |ref| (floor FLT_MIN)");
    }

    /** Bit-exact. */
    public static ErrorModel exact(int n) {
        double[] s = new double[n];
        java.util.Arrays.fill(s, 1.0);
        return new ErrorModel(s, 0.0, "bit-exact");
    }
}

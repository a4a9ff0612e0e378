package org.neurokernels;

/** Whether a GEMM operand is used as stored (N) or transposed (T), as in BLAS. */
public enum Trans {
    N, T;

    public boolean transposed() { return this == T; }

    public static Trans of(boolean transposed) { return transposed ? T : N; }
}

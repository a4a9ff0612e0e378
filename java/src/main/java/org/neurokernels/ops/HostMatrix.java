package org.neurokernels.ops;

import java.util.Objects;

/**
 * A row-major matrix in host memory: what ops read from and write to files (.npy) and tests. Elements
 * are 32-bit: float32 values, or (dtype UINT32 / INT32) integer bits carried in the float array unchanged
 * (Float.intBitsToFloat), as device buffers carry them.
 */
public record HostMatrix(int rows, int cols, float[] data, DType dtype) {
    /** The element types ops and .npy files use. */
    public enum DType {
        FLOAT32("<f4"), UINT32("<u4"), INT32("<i4");

        private final String descr;

        DType(String descr) { this.descr = descr; }

        /** The NumPy descr string, e.g. {@code "<f4"}. */
        public String descr() { return descr; }

        public String id() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public HostMatrix {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dtype, "dtype");
        if (rows < 1 || cols < 1 || (long) rows * cols != data.length) {
            throw new IllegalArgumentException("host matrix " + rows + "x" + cols + " with " + data.length + " elements");
        }
    }

    public HostMatrix(int rows, int cols, float[] data) { this(rows, cols, data, DType.FLOAT32); }

    /** Integer elements (uint32 as their bits in a Java int), carried as float bits. */
    public static HostMatrix ofBits(int rows, int cols, int[] bits, DType dtype) {
        float[] d = new float[bits.length];
        for (int i = 0; i < d.length; i++) d[i] = Float.intBitsToFloat(bits[i]);
        return new HostMatrix(rows, cols, d, dtype);
    }

    public int bits(int i) { return Float.floatToRawIntBits(data[i]); }

    public float get(int i, int j) { return data[i * cols + j]; }

    public int[] shape() { return new int[] {rows, cols}; }

    public String shapeString() { return rows + "x" + cols; }
}

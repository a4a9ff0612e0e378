package org.neurokernels.ops;

import java.util.Objects;

/** A float32 row-major matrix in host memory: what ops read from and write to files (.npy) and tests. */
public record HostMatrix(int rows, int cols, float[] data) {
    public HostMatrix {
        Objects.requireNonNull(data, "data");
        if (rows < 1 || cols < 1 || (long) rows * cols != data.length) {
            throw new IllegalArgumentException("host matrix " + rows + "x" + cols + " with " + data.length + " elements");
        }
    }

    public float get(int i, int j) { return data[i * cols + j]; }

    public int[] shape() { return new int[] {rows, cols}; }

    public String shapeString() { return rows + "x" + cols; }
}

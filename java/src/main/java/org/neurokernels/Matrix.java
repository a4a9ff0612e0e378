package org.neurokernels;

import java.util.Objects;

/**
 * A device-resident float32 matrix, row-major: element (i, j) lives at {@code offset + i * ld + j} of the
 * buffer its {@link Device} allocated. A matrix returned by {@link Device#allocate} owns its buffer and
 * must be closed; a {@link #view} shares its parent's buffer (with the parent's leading dimension) and
 * becomes unusable once the parent is closed. Host data moves through {@link Device#upload} and
 * {@link Device#download}.
 */
public final class Matrix implements AutoCloseable {
    private final Device device;
    private final Matrix root;     // the owning matrix; this for an allocation
    private final Object buffer;   // backend handle: float[] (java), cl_mem (opencl), CUdeviceptr (cuda)
    private final int rows;
    private final int cols;
    private final int offset;
    private final int ld;
    private volatile boolean closed;

    Matrix(Device device, Object buffer, int rows, int cols) {
        this.device = device;
        this.root = this;
        this.buffer = buffer;
        this.rows = rows;
        this.cols = cols;
        this.offset = 0;
        this.ld = cols;
    }

    private Matrix(Matrix parent, int rows, int cols, int offset) {
        this.device = parent.device;
        this.root = parent.root;
        this.buffer = parent.buffer;
        this.rows = rows;
        this.cols = cols;
        this.offset = offset;
        this.ld = parent.ld;
    }

    public Device device() { return device; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    /** Number of elements, rows * cols. */
    public int size() { return rows * cols; }
    /** Leading dimension: elements between the starts of two consecutive rows in the buffer. */
    public int ld() { return ld; }
    /** Index of element (0, 0) in the underlying buffer. */
    public int offset() { return offset; }
    /** True when the rows follow each other with no gap (ld == cols). */
    public boolean isContiguous() { return ld == cols || rows == 1; }
    public boolean isView() { return root != this; }
    /** True once this matrix, or the allocation it views, has been closed. */
    public boolean isClosed() { return closed || root.closed; }

    /** A rows x cols window starting at (row0, col0), sharing this matrix's storage. */
    public Matrix view(int row0, int col0, int rows, int cols) {
        checkUsable();
        if (row0 < 0 || col0 < 0 || rows < 1 || cols < 1 || row0 + (long) rows > this.rows || col0 + (long) cols > this.cols) {
            throw new IllegalArgumentException("view [" + row0 + "+" + rows + ", " + col0 + "+" + cols + "] is outside a "
                    + this.rows + "x" + this.cols + " matrix (or empty)");
        }
        return new Matrix(this, rows, cols, offset + row0 * ld + col0);
    }

    /** Buffer handle for backends. */
    Object buffer() { return buffer; }

    Matrix root() { return root; }

    void checkUsable() {
        if (isClosed()) throw new IllegalStateException("matrix " + shape() + " is closed");
        device.checkOpen();
    }

    /** True when this matrix and {@code other} touch at least one common buffer element. */
    boolean overlaps(Matrix other) {
        if (root != other.root) return false;
        long aLo = offset, aHi = offset + (long) (rows - 1) * ld + cols;
        long bLo = other.offset, bHi = other.offset + (long) (other.rows - 1) * other.ld + other.cols;
        if (aHi <= bLo || bHi <= aLo) return false;
        // same leading dimension: exact rectangle intersection test
        long ar0 = aLo / ld, ac0 = aLo % ld, br0 = bLo / ld, bc0 = bLo % ld;
        boolean rowsMeet = ar0 < br0 + other.rows && br0 < ar0 + rows;
        boolean colsMeet = ac0 < bc0 + other.cols && bc0 < ac0 + cols;
        return rowsMeet && colsMeet;
    }

    /** True when this is exactly the same window as {@code other}. */
    boolean sameWindow(Matrix other) {
        return root == other.root && offset == other.offset && rows == other.rows && cols == other.cols;
    }

    public String shape() { return rows + "x" + cols; }

    /** Frees the buffer (for an allocation) or detaches the view. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (root == this) device.release(this);
    }

    @Override
    public String toString() {
        return "Matrix[" + shape() + (isView() ? " view" : "") + " on " + device.id() + (isClosed() ? ", closed" : "") + "]";
    }

    static Matrix requireArg(Matrix m, String name) {
        return Objects.requireNonNull(m, () -> "matrix '" + name + "' is null");
    }
}

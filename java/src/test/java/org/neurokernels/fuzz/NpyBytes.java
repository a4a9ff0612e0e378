package org.neurokernels.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.neurokernels.io.Npy;
import org.neurokernels.ops.HostMatrix;

/**
 * .npy files as bytes, the way NumPy writes them and in the ways they go wrong: other dtypes and byte
 * orders, Fortran order, header variants NumPy also reads, and damaged files. Used by the CLI fuzz suite.
 */
final class NpyBytes {
    private NpyBytes() { }

    /** Ways to write a matrix that {@code Npy} must read back as the same matrix. */
    enum Variant { PLAIN, VERSION_2, VERSION_3, NATIVE_ORDER, ONE_D, ZERO_D, LONG_SUFFIX, NO_TRAILING_COMMA, KEYS_REORDERED }

    /** Ways to write a matrix that must be refused: another dtype, byte order, layout or rank. */
    enum Foreign { FLOAT64, INT32, UINT32, FLOAT32, BIG_ENDIAN, FORTRAN, FLOAT16, BOOL, THREE_D }

    /** Damage done to a valid file. */
    enum Damage {
        TRUNCATED_DATA, TRUNCATED_HEADER, EXTRA_BYTES, BAD_MAGIC, BAD_VERSION, HEADER_LENGTH_PAST_END, HEADER_LENGTH_NEGATIVE,
        GARBAGE_DICT, NO_DESCR, SHAPE_MISMATCH, HUGE_SHAPE, NEGATIVE_DIM, ZERO_DIM, EMPTY_FILE, TINY_FILE, NON_NUMERIC_DIM,
        MULTILINE_HEADER, LONG_HEADER, CONTROL_CHARACTERS
    }

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
    }

    static String shape(int rows, int cols) { return "(" + rows + ", " + cols + ")"; }

    /** A file of format version {@code major} (1, 2 or 3) with this header dictionary and data, padded as NumPy pads. */
    static byte[] file(int major, String dict, byte[] data) {
        int pre = major == 1 ? 10 : 12;
        int pad = (64 - (pre + dict.length() + 1) % 64) % 64;
        byte[] header = (dict + " ".repeat(pad) + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(major);
        out.write(0);
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) len.putShort((short) header.length); else len.putInt(header.length);
        out.writeBytes(len.array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** The 32-bit elements (float bits, or integer bits for uint32/int32) in C order. */
    static byte[] bits32(HostMatrix h, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(4 * h.data().length).order(order);
        for (int i = 0; i < h.data().length; i++) b.putInt(h.bits(i));
        return b.array();
    }

    static String kind(HostMatrix h) { return h.dtype().descr().substring(1); }

    static byte[] write(HostMatrix h, Variant v) {
        String kind = kind(h);
        byte[] data = bits32(h, ByteOrder.LITTLE_ENDIAN);
        int r = h.rows(), c = h.cols();
        switch (v) {
            case VERSION_2: return file(2, dict("<" + kind, false, shape(r, c)), data);
            case VERSION_3: return file(3, dict("<" + kind, false, shape(r, c)), data);
            case NATIVE_ORDER: return file(1, dict("=" + kind, false, shape(r, c)), data);   // this machine is little-endian
            case ONE_D: return r == 1 ? file(1, dict("<" + kind, false, "(" + c + ",)"), data) : Npy.toBytes(h);
            case ZERO_D: return r == 1 && c == 1 ? file(1, dict("<" + kind, false, "()"), data) : Npy.toBytes(h);
            case LONG_SUFFIX: return file(1, dict("<" + kind, false, "(" + r + "L, " + c + "L)"), data);
            case NO_TRAILING_COMMA: return file(1, "{'descr': '<" + kind + "', 'fortran_order': False, 'shape': " + shape(r, c) + "}", data);
            case KEYS_REORDERED: return file(1, "{'shape': " + shape(r, c) + ", 'fortran_order': False, 'descr': '<" + kind + "'}", data);
            default: return Npy.toBytes(h);
        }
    }

    static byte[] write(HostMatrix h, Foreign f) {
        int r = h.rows(), c = h.cols(), n = h.data().length;
        String s = shape(r, c);
        switch (f) {
            case FLOAT64: {
                ByteBuffer b = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : h.data()) b.putDouble(x);
                return file(1, dict("<f8", false, s), b.array());
            }
            case INT32: return file(1, dict("<i4", false, s), bits32(h, ByteOrder.LITTLE_ENDIAN));
            case UINT32: return file(1, dict("<u4", false, s), bits32(h, ByteOrder.LITTLE_ENDIAN));
            case FLOAT32: return file(1, dict("<f4", false, s), bits32(h, ByteOrder.LITTLE_ENDIAN));
            case BIG_ENDIAN: return file(1, dict(">" + kind(h), false, s), bits32(h, ByteOrder.BIG_ENDIAN));
            case FORTRAN: {
                ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < c; j++) for (int i = 0; i < r; i++) b.putInt(h.bits(i * c + j));
                return file(1, dict("<" + kind(h), true, s), b.array());
            }
            case FLOAT16: return file(1, dict("<f2", false, s), new byte[2 * n]);
            case BOOL: return file(1, dict("|b1", false, s), new byte[n]);
            default: return file(1, dict("<" + kind(h), false, "(1, " + r + ", " + c + ")"), bits32(h, ByteOrder.LITTLE_ENDIAN));
        }
    }

    /** The same matrix as {@link Npy#toBytes}, damaged; {@code k} picks among the ways a damage can be done. */
    static byte[] damage(HostMatrix h, Damage d, int k) {
        byte[] good = Npy.toBytes(h);
        int headerLen = (good[8] & 0xff) | (good[9] & 0xff) << 8, dataStart = 10 + headerLen;
        String kind = kind(h);
        byte[] data = Arrays.copyOfRange(good, dataStart, good.length);
        int r = h.rows(), c = h.cols();
        switch (d) {
            case TRUNCATED_DATA: return Arrays.copyOf(good, dataStart + Math.floorMod(k, good.length - dataStart));
            case TRUNCATED_HEADER: return Arrays.copyOf(good, 10 + Math.floorMod(k, headerLen));
            case EXTRA_BYTES: {
                byte[] b = Arrays.copyOf(good, good.length + 1 + Math.floorMod(k, 8));
                return b;
            }
            case BAD_MAGIC: {
                byte[] b = good.clone();
                b[Math.floorMod(k, 6)] ^= 0x20;
                return b;
            }
            case BAD_VERSION: {
                byte[] b = good.clone();
                b[6] = (byte) (k % 2 == 0 ? 0 : 4 + Math.floorMod(k, 250));
                return b;
            }
            case HEADER_LENGTH_PAST_END: {
                byte[] b = good.clone();
                int len = good.length - 10 + 1 + Math.floorMod(k, 1000);
                b[8] = (byte) len;
                b[9] = (byte) (len >>> 8);
                return len > 0xffff ? Arrays.copyOf(good, 9) : b;
            }
            case HEADER_LENGTH_NEGATIVE: {
                byte[] b = file(2, dict("<" + kind, false, shape(r, c)), data);
                b[8] = (byte) 0xff;
                b[9] = (byte) 0xff;
                b[10] = (byte) 0xff;
                b[11] = (byte) (0x80 | Math.floorMod(k, 0x80));
                return b;
            }
            case GARBAGE_DICT: {
                String[] junk = {"{}", "not a dict at all", "{'descr': <f4, 'shape': (2, 2)}", "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1, 1), }",
                    "{'descr': '<f4', 'fortran_order': False, 'shape': [" + r + ", " + c + "], }", "\u0000\u0000\u0000"};
                return file(1, junk[Math.floorMod(k, junk.length)], data);
            }
            case NO_DESCR: return file(1, "{'fortran_order': False, 'shape': " + shape(r, c) + ", }", data);
            case SHAPE_MISMATCH: {
                String[] shapes = {shape(r + 1, c), shape(r, c + 1), "(" + (r * c + 1) + ",)", shape(c + 1, r)};
                return file(1, dict("<" + kind, false, shapes[Math.floorMod(k, shapes.length)]), data);
            }
            case HUGE_SHAPE: {
                String[] shapes = {shape(100000, 100000), shape(2147483647, 2), "(99999999999, 1)", shape(46341, 46341), "(4294967296,)"};
                return file(1, dict("<" + kind, false, shapes[Math.floorMod(k, shapes.length)]), data);
            }
            case NEGATIVE_DIM: return file(1, dict("<" + kind, false, k % 2 == 0 ? shape(-r, c) : "(" + (-c) + ",)"), data);
            case ZERO_DIM: return file(1, dict("<" + kind, false, k % 2 == 0 ? shape(0, c) : "(0,)"), new byte[0]);
            case EMPTY_FILE: return new byte[0];
            case TINY_FILE: return Arrays.copyOf(good, 1 + Math.floorMod(k, 9));
            case NON_NUMERIC_DIM: {
                String[] shapes = {"(" + r + ", 'x')", "(" + r + ".5, " + c + ")", "(" + r + ", " + c + "j)", "(None, " + c + ")"};
                return file(1, dict("<" + kind, false, shapes[Math.floorMod(k, shapes.length)]), data);
            }
            case MULTILINE_HEADER:   // a header that spans lines and lacks a key: the error must still be one line
                return file(1, "{'fortran_order': False,\n 'shape': " + shape(r, c) + ",\r\n 'desc': '<f4'\n}", data);
            case LONG_HEADER:        // a format 2.0 header of 200 kB without 'descr'
                return file(2, "{'fortran_order': False, 'shape': " + shape(r, c) + ", 'pad': '" + "x".repeat(200_000) + "'}", data);
            default:                 // control characters and a terminal escape sequence in the header
                return file(1, "{'descr': '\u001b[2J\u0007<f8', 'fortran_order': False, 'shape': " + shape(r, c) + ", }", data);
        }
    }
}

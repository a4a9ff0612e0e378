package org.neurokernels.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.neurokernels.NeurokernelsException;
import org.neurokernels.ops.HostMatrix;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding float32, uint32
 * or int32 arrays in C order, the way {@code numpy.save} writes them (integers are carried as their bits). A 2-D array (r, c) is an r x c matrix; a 1-D
 * array (n,) is read as 1 x n; a 0-D array as 1 x 1. Anything else (another dtype, Fortran order,
 * more dimensions, a truncated or malformed file) raises {@link NpyFormatException} saying what is wrong.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() { }

    /** A malformed or unsupported .npy file. */
    public static final class NpyFormatException extends NeurokernelsException {
        public NpyFormatException(String message) { super(message); }
    }

    public static HostMatrix read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static HostMatrix parse(byte[] bytes, String name) {
        if (bytes.length < 10) throw new NpyFormatException(name + ": not a .npy file (only " + bytes.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new NpyFormatException(name + ": not a .npy file (bad magic string)");
        }
        int major = bytes[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen, headerStart;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new NpyFormatException(name + ": truncated header");
            headerLen = bb.getInt(8);
            headerStart = 12;
        } else {
            throw new NpyFormatException(name + ": unsupported .npy format version " + major);
        }
        if (headerLen < 0 || headerStart + (long) headerLen > bytes.length) throw new NpyFormatException(name + ": truncated header");
        String header = new String(bytes, headerStart, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        HostMatrix.DType dtype = null;
        for (HostMatrix.DType t : HostMatrix.DType.values()) {
            String kind = t.descr().substring(1);
            if (descr.equals("<" + kind) || descr.equals("=" + kind) || descr.equals("|" + kind)) dtype = t;
        }
        if (dtype == null) {
            throw new NpyFormatException(name + ": dtype '" + descr + "' is not supported; expected float32 ('<f4'), uint32 ('<u4') or int32 ('<i4'). "
                    + "In NumPy: np.save(f, a.astype(np.float32))");
        }
        if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
            throw new NpyFormatException(name + ": Fortran-order arrays are not supported; save np.ascontiguousarray(a)");
        }
        List<Integer> dims = new ArrayList<>();
        for (String s : group(SHAPE, header, name, "shape").split(",")) {
            if (s.isBlank()) continue;
            try {
                dims.add(Integer.parseInt(s.trim().replace("L", "")));
            } catch (NumberFormatException e) {
                throw new NpyFormatException(name + ": bad shape entry '" + s.trim() + "'");
            }
        }
        int rows, cols;
        if (dims.isEmpty()) { rows = 1; cols = 1; }
        else if (dims.size() == 1) { rows = 1; cols = dims.get(0); }
        else if (dims.size() == 2) { rows = dims.get(0); cols = dims.get(1); }
        else throw new NpyFormatException(name + ": " + dims.size() + "-D array " + dims + "; only 0-, 1- and 2-D arrays are matrices");
        if (rows < 1 || cols < 1) throw new NpyFormatException(name + ": empty array of shape " + dims);
        long n = (long) rows * cols;
        long dataStart = headerStart + (long) headerLen;
        if (n > Integer.MAX_VALUE || bytes.length - dataStart != 4 * n) {
            throw new NpyFormatException(name + ": shape " + dims + " needs " + 4 * n + " data bytes but the file has " + (bytes.length - dataStart));
        }
        float[] data = new float[(int) n];
        bb.position((int) dataStart);
        if (dtype == HostMatrix.DType.FLOAT32) {
            bb.asFloatBuffer().get(data);
        } else {
            for (int i = 0; i < data.length; i++) data[i] = Float.intBitsToFloat(bb.getInt((int) dataStart + 4 * i));
        }
        return new HostMatrix(rows, cols, data, dtype);
    }

    private static String group(Pattern p, String header, String name, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            String h = header.trim();   // a header may be 2^31 bytes long: quote its start
            throw new NpyFormatException(name + ": header has no valid '" + key + "' entry: " + (h.length() > 200 ? h.substring(0, 200) + " ... (" + h.length() + " characters)" : h));
        }
        return m.group(1);
    }

    /** Writes rows x cols float32 values (row-major), e.g. a population's recordings. */
    public static void write(Path file, float[] data, int rows, int cols) throws IOException {
        write(file, new HostMatrix(rows, cols, data));
    }

    /**
     * Writes a 2-D float32 array in C order (format 1.0, header padded to 64 bytes as numpy does),
     * replacing the file atomically ({@link AtomicFiles}).
     */
    public static void write(Path file, HostMatrix m) throws IOException {
        AtomicFiles.write(file, toBytes(m));
    }

    public static byte[] toBytes(HostMatrix m) {
        String dict = "{'descr': '" + m.dtype().descr() + "', 'fortran_order': False, 'shape': (" + m.rows() + ", " + m.cols() + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(10 + header.length() + 4 * m.data().length);
        out.writeBytes(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = ByteBuffer.allocate(4 * m.data().length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < m.data().length; i++) data.putInt(4 * i, m.bits(i));
        out.writeBytes(data.array());
        return out.toByteArray();
    }
}

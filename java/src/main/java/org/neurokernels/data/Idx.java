package org.neurokernels.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.neurokernels.NeurokernelsException;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST (unsigned-byte data; big-endian header: two zero
 * bytes, type 0x08, number of dimensions, then each dimension), gzipped or not. Images become floats in
 * [0, 1] (byte / 255).
 */
public final class Idx {
    private Idx() { }

    /** Fashion-MNIST as Debian's dataset-fashion-mnist installs it. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    record Raw(int[] dims, byte[] data) { }

    static Raw read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            DataInputStream d = new DataInputStream(new BufferedInputStream(in, 1 << 16));
            int magic = header(d, file, "magic number");
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08) {
                throw new NeurokernelsException(file + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int nd = magic & 0xff;
            if (nd < 1 || nd > 4) throw new NeurokernelsException(file + ": IDX with " + nd + " dimensions");
            int[] dims = new int[nd];
            long total = 1;
            for (int i = 0; i < nd; i++) {
                dims[i] = header(d, file, "dimension " + i);
                if (dims[i] < 1) throw new NeurokernelsException(file + ": dimension " + i + " is " + dims[i]);
                total *= dims[i];
                if (total > Integer.MAX_VALUE) throw new NeurokernelsException(file + ": " + java.util.Arrays.toString(java.util.Arrays.copyOf(dims, i + 1)) + " is more than 2^31 - 1 bytes");
            }
            byte[] data = new byte[(int) total];
            int got;
            try {
                got = d.readNBytes(data, 0, data.length);
            } catch (java.io.EOFException e) {   // a gzip stream cut short
                throw new NeurokernelsException(file + ": truncated IDX data: dimensions " + java.util.Arrays.toString(dims) + " need " + data.length
                        + " bytes; the compressed stream ends early (" + e.getMessage() + ")");
            }
            if (got < data.length) {
                throw new NeurokernelsException(file + ": truncated IDX data: dimensions " + java.util.Arrays.toString(dims) + " need " + data.length
                        + " bytes, the file has " + got);
            }
            return new Raw(dims, data);
        }
    }

    private static int header(DataInputStream d, Path file, String what) throws IOException {
        try {
            return d.readInt();
        } catch (java.io.EOFException e) {
            throw new NeurokernelsException(file + ": truncated IDX header: the file ends before its " + what);
        }
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IOException(dir.resolve(base) + "[.gz] does not exist (an MNIST-layout directory holds train- and t10k- images and labels)");
    }

    /** Loads {@code train} or {@code t10k} images and labels from an MNIST-layout directory. */
    public static Dataset load(Path dir, String split) throws IOException {
        Raw images = read(find(dir, split + "-images-idx3-ubyte"));
        Raw labels = read(find(dir, split + "-labels-idx1-ubyte"));
        if (images.dims().length != 3 || labels.dims().length != 1 || images.dims()[0] != labels.dims()[0]) {
            throw new NeurokernelsException(dir + " " + split + ": images and labels do not match");
        }
        int n = images.dims()[0], features = images.dims()[1] * images.dims()[2];
        float[] x = new float[n * features];
        for (int i = 0; i < x.length; i++) x[i] = (images.data()[i] & 0xff) / 255f;
        int[] y = new int[n];
        int classes = 0;
        for (int i = 0; i < n; i++) {
            y[i] = labels.data()[i] & 0xff;
            classes = Math.max(classes, y[i] + 1);
        }
        return new Dataset(dir.getFileName() + "/" + split, x, y, n, features, Math.max(classes, 10));
    }
}

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
            int magic = d.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08) {
                throw new NeurokernelsException(file + ": not an unsigned-byte IDX file (magic 0x" + Integer.toHexString(magic) + ")");
            }
            int nd = magic & 0xff;
            if (nd < 1 || nd > 4) throw new NeurokernelsException(file + ": IDX with " + nd + " dimensions");
            int[] dims = new int[nd];
            long total = 1;
            for (int i = 0; i < nd; i++) {
                dims[i] = d.readInt();
                if (dims[i] < 1) throw new NeurokernelsException(file + ": dimension " + i + " is " + dims[i]);
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE) throw new NeurokernelsException(file + ": too large");
            byte[] data = new byte[(int) total];
            d.readFully(data);
            return new Raw(dims, data);
        }
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IOException("missing " + dir.resolve(base) + "[.gz]");
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

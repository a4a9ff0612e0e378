package org.neurokernels.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.NeurokernelsException;

/** The IDX reader on files written here, gzipped and plain, and on Fashion-MNIST when it is installed. */
class IdxTest {
    @TempDir Path dir;

    private static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x0800 | dims.length);
        for (int x : dims) d.writeInt(x);
        d.write(data);
        return b.toByteArray();
    }

    private void write(String name, byte[] bytes, boolean gz) throws IOException {
        try (OutputStream o = gz ? new GZIPOutputStream(Files.newOutputStream(dir.resolve(name + ".gz"))) : Files.newOutputStream(dir.resolve(name))) {
            o.write(bytes);
        }
    }

    @Test
    void readsImagesAndLabels() throws IOException {
        byte[] pixels = new byte[3 * 2 * 2];
        for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 20);
        pixels[11] = (byte) 255;
        write("train-images-idx3-ubyte", idx(new int[] {3, 2, 2}, pixels), true);
        write("train-labels-idx1-ubyte", idx(new int[] {3}, new byte[] {9, 0, 4}), false);
        Dataset d = Idx.load(dir, "train");
        assertEquals(3, d.n());
        assertEquals(4, d.features());
        assertEquals(10, d.classes());
        assertEquals(9, d.labels()[0]);
        assertEquals(20 / 255f, d.x()[1], 0f);
        assertEquals(1f, d.x()[11], 0f);
        write("t10k-images-idx3-ubyte", new byte[] {0, 0, 9, 3, 0}, false);
        write("t10k-labels-idx1-ubyte", idx(new int[] {1}, new byte[] {1}), false);
        assertTrue(assertThrows(NeurokernelsException.class, () -> Idx.load(dir, "t10k")).getMessage().contains("IDX"));
    }

    /** A file cut short says which file, that it is truncated, and how many bytes it needed and had (it used to say "null"). */
    @Test
    void truncatedFilesNameTheFileAndTheShortfall() throws IOException {
        byte[] full = idx(new int[] {4, 3, 2}, new byte[24]);
        write("train-images-idx3-ubyte", java.util.Arrays.copyOf(full, full.length - 5), false);
        write("train-labels-idx1-ubyte", idx(new int[] {4}, new byte[4]), false);
        String m = assertThrows(NeurokernelsException.class, () -> Idx.load(dir, "train")).getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte") && m.contains("truncated") && m.contains("need 24 bytes") && m.contains("has 19"), m);

        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        write("train-images-idx3-ubyte", java.util.Arrays.copyOf(full, 9), false);   // ends inside the first dimension
        m = assertThrows(NeurokernelsException.class, () -> Idx.load(dir, "train")).getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte") && m.contains("truncated IDX header"), m);

        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(full);
        }
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(gz.toByteArray(), gz.size() - 12));   // the gzip stream cut short
        m = assertThrows(NeurokernelsException.class, () -> Idx.load(dir, "train")).getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte.gz") && m.contains("truncated"), m);

        m = assertThrows(IOException.class, () -> Idx.load(dir, "t10k")).getMessage();
        assertTrue(m.contains("t10k-images-idx3-ubyte[.gz] does not exist"), m);
    }

    @Test
    void fashionMnistWhenInstalled() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Idx.FASHION_MNIST), "dataset-fashion-mnist is not installed");
        Dataset test = Idx.load(Idx.FASHION_MNIST, "t10k");
        assertEquals(10_000, test.n());
        assertEquals(784, test.features());
        assertEquals(10, test.classes());
    }
}

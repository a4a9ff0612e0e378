package org.neurokernels.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.TestDevices;
import org.neurokernels.ops.HostMatrix;

/** Atomic replacement: a write that fails part-way leaves the previous file as it was and no temporary files. */
class AtomicFilesTest {
    @TempDir Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void failureHalfwayThroughTheContentKeepsThePreviousFile() throws IOException {
        Random r = new Random(TestDevices.SEED);
        Path target = dir.resolve("data.bin");
        byte[] old = randomBytes(r, 300_000);
        AtomicFiles.write(target, old);
        assertArrayEquals(old, Files.readAllBytes(target));
        byte[] next = randomBytes(r, 300_000);
        for (int cut : new int[] {0, 1, 70_000, next.length / 2, next.length - 1}) {
            IOException boom = new IOException("disk full (injected after " + cut + " bytes)");
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
                out.write(next, 0, cut);
                out.flush();  // the half really reaches the temporary file
                throw boom;
            }));
            assertSame(boom, e.getCause(), "the injected failure is the cause");
            assertTrue(e.getMessage().startsWith("cannot write " + target + ": ") && e.getMessage().contains("disk full"), e.getMessage());
            assertArrayEquals(old, Files.readAllBytes(target), "previous content after a failure at byte " + cut);
            assertEquals(List.of(target), listing(), "no temporary file is left behind");
        }
        // an unchecked failure is passed through unchanged, and cleaned up the same way
        IllegalStateException bug = new IllegalStateException("bug in the writer");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write(next, 0, 1000);
            throw bug;
        })));
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of(target), listing());
        // and a write that completes replaces the content
        AtomicFiles.write(target, next);
        assertArrayEquals(next, Files.readAllBytes(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void errorsNameTheTargetAndTheReason() throws IOException {
        Path missing = dir.resolve("no-such-dir").resolve("out.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(missing, "{}"));
        assertEquals("cannot write " + missing + ": directory " + missing.getParent() + " does not exist", e.getMessage());

        Path isDir = Files.createDirectory(dir.resolve("a-directory"));
        e = assertThrows(IOException.class, () -> AtomicFiles.writeString(isDir, "{}"));
        assertEquals("cannot write " + isDir + ": it is a directory", e.getMessage());
        assertTrue(Files.isDirectory(isDir));

        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        Path under = file.resolve("child.npy");
        e = assertThrows(IOException.class, () -> Npy.write(under, new HostMatrix(1, 1, new float[] {1f})));
        assertEquals("cannot write " + under + ": " + file + " is not a directory", e.getMessage());
        assertEquals(List.of(isDir, file), listing());
    }

    @Test
    void replacingKeepsPermissionsAndFollowsLinks() throws IOException {
        Path script = dir.resolve("replay.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        AtomicFiles.writeString(script, "#!/bin/sh\necho hi\n");
        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
        assertEquals("#!/bin/sh\necho hi\n", Files.readString(script, StandardCharsets.UTF_8));

        Path real = Files.createDirectory(dir.resolve("real")).resolve("store.properties");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.properties"), real);
        AtomicFiles.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals("new", Files.readString(real));
        assertFalse(listing().stream().anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
}

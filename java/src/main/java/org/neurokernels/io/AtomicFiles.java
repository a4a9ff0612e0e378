package org.neurokernels.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file replacement that a crash cannot tear: the content goes to a hidden temporary file beside
 * the target ({@code .NAME.RANDOM.tmp}), is flushed and forced to the disk, and is then renamed over the
 * target in one step. A reader, or a process that starts after a kill, sees either the previous complete
 * file or the new complete file, never a prefix. When anything fails before the rename (the content
 * callback throws, the disk is full) the temporary file is deleted and the previous file is untouched.
 * A process killed while writing can leave its temporary file behind; it is never read and may be deleted.
 *
 * <p>Errors are {@link IOException}s whose message starts with "cannot write TARGET: " and says why.
 */
public final class AtomicFiles {
    private AtomicFiles() { }

    /** Writes the content of a file to a stream; the stream is flushed and closed by the caller. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} with these bytes. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} with this text in UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces {@code target} with what {@code content} writes. */
    public static void write(Path target, Content content) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(abs) && Files.exists(abs)) abs = abs.toRealPath();  // replace the file a link points to, keep the link
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) throw new IOException("cannot write " + target + ": not a file path");
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot write " + target + ": " + (Files.exists(dir) ? dir + " is not a directory" : "directory " + dir + " does not exist"));
        }
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + target + ": it is a directory");
        Path tmp = null;
        boolean done = false;
        try {
            tmp = createTemp(dir, abs.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            keepPermissions(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            syncDirectory(dir);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot write " + target + ": ")) throw e;
            throw new IOException("cannot write " + target + ": " + reason(e), e);
        } finally {
            if (!done && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one worth reporting
                }
            }
        }
    }

    /** A new empty file {@code .NAME.RANDOM.tmp} in {@code dir}, created with the usual (umask) permissions. */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    /** A replaced file keeps its POSIX permissions (an executable script stays executable). */
    private static void keepPermissions(Path target, Path tmp) {
        try {
            PosixFileAttributeView from = Files.getFileAttributeView(target, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            if (from == null || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) return;
            Files.setPosixFilePermissions(tmp, from.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort: the new file then has the default permissions
        }
    }

    /** Makes the rename itself durable where the platform allows opening a directory (Linux, macOS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported here (e.g. Windows); the content itself was already forced
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException a) return "permission denied (" + a.getFile() + ")";
        if (e instanceof NoSuchFileException n) return "no such file or directory (" + n.getFile() + ")";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}

package org.neurokernels.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks of command-line values made before any work starts, and the one-line messages the CLI prints
 * for the exceptions that reach it. Every message names the option, file or parameter at fault.
 */
final class Checks {
    private Checks() { }

    // ------------------------------------------------------------------ numbers

    /** A finite value above zero. */
    static double positive(String option, double v) {
        if (!(v > 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(option + " " + v + ": need a finite number > 0");
        return v;
    }

    /** A finite value, zero or above. */
    static double nonNegative(String option, double v) {
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(option + " " + v + ": need a finite number >= 0");
        return v;
    }

    /** An integer in [lo, hi]. */
    static int range(String option, long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(option + " " + v + ": need " + (hi == Integer.MAX_VALUE ? "at least " + lo : "an integer from " + lo + " to " + hi));
        }
        return (int) v;
    }

    /** A comma-separated list of positive integers, e.g. {@code --hidden 256,128}. */
    static int[] positiveInts(String option, String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException(option + " is empty; give positive integers separated by commas, e.g. 256,128");
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String s = part.trim();
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " '" + text + "': " + (s.isEmpty() ? "an empty entry" : "'" + s + "'")
                        + " is not a size; give positive integers separated by commas, e.g. 256,128");
            }
            if (v < 1) throw new IllegalArgumentException(option + " '" + text + "': " + v + " is not a size; every entry must be at least 1");
            out.add(v);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Seeds as unsigned 64-bit decimals, 0 to 18446744073709551615 (the Philox key is 64 bits), carried
     * as the same bits in a long; a minus sign is refused.
     */
    static final class Uint64 implements picocli.CommandLine.ITypeConverter<Long> {
        @Override public Long convert(String value) {
            String t = value.trim();
            String range = "need an unsigned 64-bit integer, 0 to " + Long.toUnsignedString(-1L);
            if (t.startsWith("-")) throw new picocli.CommandLine.TypeConversionException("'" + value + "' is negative; " + range);
            try {
                return Long.parseUnsignedLong(t);
            } catch (NumberFormatException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is " + (t.matches("\\+?\\d+") ? "too large" : "not an integer") + "; " + range);
            }
        }
    }

    // ------------------------------------------------------------------ files

    /** A file the command will read: it exists, is a regular file and is readable. */
    static Path inputFile(String what, Path file) {
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new IllegalArgumentException(what + " " + file + " does not exist (nor does its directory " + parent + ")");
            }
            throw new IllegalArgumentException(what + " " + file + " does not exist");
        }
        if (Files.isDirectory(file)) throw new IllegalArgumentException(what + " " + file + " is a directory, not a file");
        if (!Files.isReadable(file)) throw new IllegalArgumentException(what + " " + file + " is not readable (permission denied)");
        return file;
    }

    /** A directory the command will read from. */
    static Path inputDirectory(String what, Path dir) {
        if (!Files.exists(dir)) throw new IllegalArgumentException(what + " " + dir + " does not exist");
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(what + " " + dir + " is not a directory");
        return dir;
    }

    /**
     * A file the command will write: its directory exists and is writable, and the path itself is not a
     * directory or an unwritable file. Checked before the work, so a long run cannot fail at its end.
     */
    static Path outputFile(String what, Path file) {
        if (file == null) return null;
        if (Files.isDirectory(file)) throw new IllegalArgumentException(what + " " + file + " is a directory; give a file name");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            if (!Files.exists(parent)) throw new IllegalArgumentException(what + " " + file + ": directory " + parent + " does not exist");
            if (!Files.isDirectory(parent)) throw new IllegalArgumentException(what + " " + file + ": " + parent + " is not a directory");
            if (!Files.isWritable(parent)) {   // files are replaced through a temporary file beside them
                throw new IllegalArgumentException(what + " " + file + ": directory " + parent + " is not writable (permission denied)");
            }
        }
        if (Files.exists(file) && !Files.isWritable(file)) throw new IllegalArgumentException(what + " " + file + " exists and is not writable (permission denied)");
        return file;
    }

    /** A directory the command will create or write into. */
    static Path outputDirectory(String what, Path dir) {
        if (dir == null) return null;
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(what + " " + dir + " exists and is not a directory");
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p != null && !Files.isDirectory(p)) throw new IllegalArgumentException(what + " " + dir + ": " + p + " is not a directory");
        if (p != null && !Files.isWritable(p)) throw new IllegalArgumentException(what + " " + dir + ": " + p + " is not writable (permission denied)");
        return dir;
    }

    // ------------------------------------------------------------------ memory

    static String size(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        if (bytes >= 1L << 20) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        return bytes + " bytes";
    }

    /** The largest heap this JVM may grow to. */
    static long maxHeap() { return Runtime.getRuntime().maxMemory(); }

    private static String raise(long wanted) {
        long gib = Math.max(1, (wanted + (1L << 30) - 1) >> 30);
        return "raise the limit with NK_JAVA_OPTS=-Xmx" + (gib + 1) + "g (the launcher passes NK_JAVA_OPTS to java) or ask for less";
    }

    /**
     * Refuses work that needs more Java heap than the JVM may use at all, naming what was asked for, instead
     * of an OutOfMemoryError part way through.
     */
    static void heap(String what, long bytes) {
        long max = maxHeap();
        if (bytes > max) {
            throw new IllegalArgumentException(what + " needs about " + size(bytes) + " of Java heap, more than the " + size(max) + " this JVM may use; " + raise(bytes));
        }
    }

    static String outOfMemory(OutOfMemoryError e) {
        long max = maxHeap();
        return "out of memory" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + ": this command needs more than the "
                + size(max) + " of Java heap this JVM may use; " + raise(2 * max);
    }

    // ------------------------------------------------------------------ messages

    /**
     * A message as one printable line: line breaks (with the indentation around them) become one space,
     * other control characters (from a file's contents, say) become Java-style unicode escapes.
     */
    static String oneLine(String message) {
        if (message == null) return "";
        String s = message.strip().replaceAll("\\s*\\R\\s*", " ");
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    /** One line for an exception that reached the CLI: what went wrong and with which file, never just a path or "null". */
    static String describe(Throwable ex) {
        if (ex instanceof NoSuchFileException e) {
            Path file = Path.of(e.getFile());
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) return e.getFile() + ": directory " + parent + " does not exist";
            return "file " + e.getFile() + " does not exist";
        }
        if (ex instanceof AccessDeniedException e) return e.getFile() + ": permission denied";
        if (ex instanceof FileAlreadyExistsException e) return e.getFile() + " already exists";
        if (ex instanceof NotDirectoryException e) return e.getFile() + " is not a directory";
        if (ex instanceof FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            return (e.getFile() != null ? e.getFile() + ": " : "") + reason + (e.getOtherFile() != null ? " (" + e.getOtherFile() + ")" : "");
        }
        if (ex instanceof NumberFormatException e) {
            String m = e.getMessage();
            if (m != null && m.startsWith("For input string: ")) return "not a number: " + m.substring("For input string: ".length());
            return "not a number" + (m == null ? "" : ": " + m);
        }
        if (ex instanceof OutOfMemoryError e) return outOfMemory(e);
        String m = ex.getMessage();
        if (ex instanceof IOException) return m == null || m.isBlank() ? "input/output error (" + ex.getClass().getSimpleName() + ")" : m;
        if (m == null || m.isBlank()) {
            StackTraceElement[] st = ex.getStackTrace();
            return ex.getClass().getSimpleName() + (st.length > 0 ? " at " + st[0] : "");
        }
        return m;
    }
}

package org.neurokernels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.neurokernels.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store of tuned GEMM configurations, one line per device: a properties file at
 * {@code -Dneurokernels.tuningFile}, else {@code $NK_TUNING_FILE}, else
 * {@code $XDG_CACHE_HOME/neurokernels/gemm-tuning.properties} (default {@code ~/.cache/...}).
 * The key names the platform, device and driver, so a driver upgrade asks for a new tuning.
 *
 * <p>The file is read strictly: UTF-8 text of {@code KEY=VALUE} lines (comments and the escapes of
 * {@link java.util.Properties} allowed), each value a configuration {@link GemmConfig#decode} accepts
 * that an OpenCL device can build. A store that breaks any of this is unusable as a whole, and the two
 * sides treat it differently:
 * <ul>
 * <li>{@link #find}/{@link #lookup} (every OpenCL device open) ignores it: the device uses its
 *     default configuration, {@link Lookup#problem()} says why, and a warning naming the file and the
 *     reason is logged once per process;</li>
 * <li>{@link #store} (and {@code neurokernels tune}, which calls {@link #check()} before it measures
 *     anything) refuses with a {@link CorruptStoreException}, so a file someone may want to repair is
 *     never overwritten.</li>
 * </ul>
 * Writes replace the file atomically ({@link AtomicFiles}): a killed or failed {@code tune} leaves the
 * previous complete store.
 */
public final class GemmTuning {
    private static final Logger LOG = LoggerFactory.getLogger(GemmTuning.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static final String HEADER = "# neurokernels GEMM tuning: written by 'neurokernels tune'\n"
            + "# one line per OpenCL device: PLATFORM|DEVICE|DRIVER=KERNEL mr=N nr=N ts=N\n";

    private GemmTuning() { }

    /** A tuning store that cannot be used: which file, and what is wrong with it. */
    public static final class CorruptStoreException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path file;
        private final String reason;

        public CorruptStoreException(Path file, String reason) {
            super("tuning store " + file + " is unusable: " + reason);
            this.file = file;
            this.reason = reason;
        }

        public Path file() { return file; }

        public String reason() { return reason; }
    }

    /**
     * What a lookup found: the stored configuration, or null when there is none for the key or the store
     * was ignored; {@code problem} is null unless the store was ignored, and then says why.
     */
    public record Lookup(Path file, GemmConfig config, String problem) {
        public boolean ignored() { return problem != null; }
    }

    public static Path file() {
        String p = System.getProperty("neurokernels.tuningFile");
        if (p == null || p.isBlank()) p = System.getenv("NK_TUNING_FILE");
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("neurokernels").resolve("gemm-tuning.properties");
    }

    public static String key(String platform, String device, String driver) {
        StringBuilder sb = new StringBuilder();
        for (byte c : (platform + "|" + device + "|" + driver).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            sb.append(c >= 0 && KEY_CHARS.indexOf(c) >= 0 ? (char) c : '_');
        }
        return sb.toString();
    }

    /**
     * The characters a key keeps; every other byte of the UTF-8 name becomes '_', the same rule as the C
     * library's (so both find a device's entry).
     */
    public static final String KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._|+-";

    /** The stored configuration for this key, or null: none stored, no store, or a store ignored as unusable. */
    public static GemmConfig lookup(String key) {
        return find(key).config();
    }

    /** Looks the key up in {@link #file()}; an unusable store is ignored with a warning logged once per file and reason. */
    public static Lookup find(String key) {
        Path f = file();
        try {
            return new Lookup(f, read(f).get(key), null);
        } catch (CorruptStoreException e) {
            if (WARNED.add(f.toAbsolutePath() + "\n" + e.reason())) {
                LOG.warn("tuning store {} ignored: {}; OpenCL devices use their default GEMM configuration until the file is fixed or deleted",
                        f, e.reason());
            }
            return new Lookup(f, null, e.reason());
        }
    }

    /** Why the store at {@link #file()} is unusable, or null when it is fine or absent. */
    public static String problem() {
        try {
            read(file());
            return null;
        } catch (CorruptStoreException e) {
            return e.reason();
        }
    }

    /** Throws when the store at {@link #file()} exists but is unusable (what {@code tune} runs before measuring). */
    public static void check() throws CorruptStoreException {
        read(file());
    }

    /**
     * Every entry of a store in file order; empty when the file does not exist.
     *
     * @throws CorruptStoreException when the path is a directory, cannot be read, or its content is not a
     *     valid store; the reason names the line
     */
    public static Map<String, GemmConfig> read(Path file) throws CorruptStoreException {
        if (Files.isDirectory(file)) throw new CorruptStoreException(file, "it is a directory, not a file");
        if (!Files.exists(file)) return Map.of();
        if (!Files.isRegularFile(file)) throw new CorruptStoreException(file, "it is not a regular file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();  // deleted between the checks and the read
        } catch (IOException e) {
            throw new CorruptStoreException(file, "it cannot be read (" + e + ")");
        }
        return parse(file, bytes);
    }

    static Map<String, GemmConfig> parse(Path file, byte[] bytes) throws CorruptStoreException {
        String text = utf8(file, bytes);
        Map<String, GemmConfig> out = new LinkedHashMap<>();
        Map<String, Integer> firstLine = new HashMap<>();
        String[] physical = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < physical.length; i++) {
            int lineNo = i + 1;
            String line = stripLeading(physical[i]);
            if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == '!') continue;
            StringBuilder logical = new StringBuilder(line);
            while (endsInContinuation(logical)) {
                logical.setLength(logical.length() - 1);
                if (++i >= physical.length) throw new CorruptStoreException(file, "line " + lineNo + ": bad escape (a backslash ends the file)");
                logical.append(stripLeading(physical[i]));
            }
            String[] kv = split(file, lineNo, logical.toString());
            String key = unescape(file, lineNo, kv[0]), value = unescape(file, lineNo, kv[1]);
            if (key.isEmpty()) throw new CorruptStoreException(file, "line " + lineNo + ": the key is empty");
            Integer seen = firstLine.putIfAbsent(key, lineNo);
            if (seen != null) throw new CorruptStoreException(file, "line " + lineNo + ": key " + key + " repeats line " + seen);
            GemmConfig c;
            try {
                c = GemmConfig.decode(value);
            } catch (IllegalArgumentException e) {
                throw new CorruptStoreException(file, "line " + lineNo + ": " + e.getMessage());
            }
            if (c.kernel() == KernelDevice.GemmKernel.WARP) {
                throw new CorruptStoreException(file, "line " + lineNo + ": '" + value + "': the WARP kernel exists only on CUDA devices; the store holds OpenCL configurations");
            }
            out.put(key, c);
        }
        return Collections.unmodifiableMap(out);
    }

    private static String utf8(Path file, byte[] bytes) throws CorruptStoreException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = dec.decode(in, out, true);
        if (r.isError()) {
            throw new CorruptStoreException(file, String.format(Locale.ROOT, "not a text file (byte 0x%02x at offset %d is not UTF-8)",
                    bytes[in.position()] & 0xff, in.position()));
        }
        dec.flush(out);
        String text = out.flip().toString();
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\n') line++;
            else if (ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\f' || ch == 0x7f) {
                throw new CorruptStoreException(file, String.format(Locale.ROOT, "not a text file (control character 0x%02x on line %d)", (int) ch, line));
            }
        }
        return text;
    }

    private static boolean endsInContinuation(CharSequence s) {
        int n = 0;
        for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) n++;
        return n % 2 == 1;
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\f')) i++;
        return s.substring(i);
    }

    /** Splits a logical line at its first unescaped '=' or ':' (spaces may surround it); both halves still escaped. */
    private static String[] split(Path file, int lineNo, String line) throws CorruptStoreException {
        int i = 0;
        while (i < line.length()) {
            char ch = line.charAt(i);
            if (ch == '\\') { i += 2; continue; }
            if (ch == '=' || ch == ':' || ch == ' ' || ch == '\t' || ch == '\f') break;
            i++;
        }
        String key = line.substring(0, Math.min(i, line.length()));
        int j = i;
        while (j < line.length() && (line.charAt(j) == ' ' || line.charAt(j) == '\t' || line.charAt(j) == '\f')) j++;
        if (j >= line.length() || (line.charAt(j) != '=' && line.charAt(j) != ':')) {
            String shown = line.length() > 60 ? line.substring(0, 60) + "..." : line;
            throw new CorruptStoreException(file, "line " + lineNo + " is not KEY=VALUE: '" + shown + "'");
        }
        return new String[] {key, stripLeading(line.substring(j + 1))};
    }

    private static String unescape(Path file, int lineNo, String s) throws CorruptStoreException {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\') { sb.append(ch); continue; }
            if (i + 1 >= s.length()) throw new CorruptStoreException(file, "line " + lineNo + ": bad escape (a lone backslash)");
            char e = s.charAt(++i);
            switch (e) {
                case 't': sb.append('\t'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 'f': sb.append('\f'); break;
                case '\\': case '=': case ':': case '#': case '!': case ' ': case '"': case '\'': sb.append(e); break;
                case 'u':
                    String hex = s.substring(i + 1, Math.min(s.length(), i + 5));
                    if (hex.length() < 4 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                        throw new CorruptStoreException(file, "line " + lineNo + ": bad escape '\\u" + hex + "' (\\u needs four hex digits)");
                    }
                    sb.append((char) Integer.parseInt(hex, 16));
                    i += 4;
                    break;
                default:
                    throw new CorruptStoreException(file, "line " + lineNo + ": bad escape '\\" + e + "'");
            }
        }
        return sb.toString();
    }

    private static String escape(String s, boolean key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\': case '=': case ':': case '#': case '!': sb.append('\\').append(ch); break;
                case ' ': sb.append(key || i == 0 ? "\\ " : " "); break;
                default:
                    if (ch < 0x20 || ch > 0x7e) sb.append(String.format(Locale.ROOT, "\\u%04X", (int) ch));
                    else sb.append(ch);
            }
        }
        return sb.toString();
    }

    /**
     * Stores a configuration for this key, keeping every other entry, and replaces the file atomically.
     *
     * @throws CorruptStoreException when the existing store is unusable (it is left as it is)
     */
    public static synchronized void store(String key, GemmConfig config) throws IOException {
        if (config.kernel() == KernelDevice.GemmKernel.WARP) throw new IllegalArgumentException("the tuning store holds OpenCL configurations; WARP is CUDA-only");
        Path f = file();
        Map<String, GemmConfig> entries = new LinkedHashMap<>(read(f));
        entries.put(key, config);
        Path dir = f.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder(HEADER);
        List<String> lines = new ArrayList<>();
        entries.forEach((k, v) -> lines.add(escape(k, true) + "=" + escape(v.encode(), false)));
        for (String l : lines) sb.append(l).append('\n');
        AtomicFiles.writeString(f, sb.toString());
    }
}

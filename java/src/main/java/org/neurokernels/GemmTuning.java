package org.neurokernels;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The store of tuned GEMM configurations, one line per device: a properties file at
 * {@code -Dneurokernels.tuningFile}, else {@code $NK_TUNING_FILE}, else
 * {@code $XDG_CACHE_HOME/neurokernels/gemm-tuning.properties} (default {@code ~/.cache/...}).
 * The key names the platform, device and driver, so a driver upgrade asks for a new tuning.
 */
public final class GemmTuning {
    private GemmTuning() { }

    public static Path file() {
        String p = System.getProperty("neurokernels.tuningFile");
        if (p == null || p.isBlank()) p = System.getenv("NK_TUNING_FILE");
        if (p != null && !p.isBlank()) return Path.of(p);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("neurokernels").resolve("gemm-tuning.properties");
    }

    public static String key(String platform, String device, String driver) {
        return (platform + "|" + device + "|" + driver).replaceAll("[^A-Za-z0-9._|+-]", "_");
    }

    /** The stored configuration for this key, or null (also when the file is missing or unreadable). */
    public static GemmConfig lookup(String key) {
        Path f = file();
        if (!Files.isRegularFile(f)) return null;
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f)) {
            p.load(r);
            String v = p.getProperty(key);
            return v == null ? null : GemmConfig.decode(v);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    public static synchronized void store(String key, GemmConfig config) throws IOException {
        Path f = file();
        Files.createDirectories(f.toAbsolutePath().getParent());
        Properties p = new Properties();
        if (Files.isRegularFile(f)) {
            try (Reader r = Files.newBufferedReader(f)) {
                p.load(r);
            }
        }
        p.setProperty(key, config.encode());
        try (Writer w = Files.newBufferedWriter(f)) {
            p.store(w, "neurokernels GEMM tuning: written by 'neurokernels tune'");
        }
    }
}

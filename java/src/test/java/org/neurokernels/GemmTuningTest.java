package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.cli.Main;
import org.neurokernels.opencl.OpenClDevice;

/**
 * The tuning store: a stored configuration is what the next opening of that device builds and uses; an
 * unusable store is ignored with a warning on lookup and refused by {@code tune} before it measures.
 */
class GemmTuningTest {
    @TempDir Path dir;

    @Test
    void configRoundTripsAndRejectsNonsense() {
        GemmConfig c = new GemmConfig(KernelDevice.GemmKernel.PACKED, 6, 48, 32);
        assertEquals(c, GemmConfig.decode(c.encode()));
        assertThrows(IllegalArgumentException.class, () -> new GemmConfig(KernelDevice.GemmKernel.PACKED, 8, 24, 64));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.decode("PACKED mr=8"));
        for (String bad : new String[] {"PACKED mr nr=32 ts=64", "PACKED mr=8 mr=8 ts=64", "PACKED mr=x nr=32 ts=64", "PACKED mr=8 nr=33 ts=64",
            "PACKED mr=-8 nr=32 ts=64", "packed mr=8 nr=32 ts=64", "FAST mr=8 nr=32 ts=64", "PACKED mr=8 nr=32 kc=64"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmConfig.decode(bad), bad);
            assertTrue(e.getMessage().startsWith("bad GEMM configuration"), e.getMessage());
        }
        assertEquals(c, GemmConfig.decode(" PACKED ts=32  nr=48 mr=6 "));
    }

    private String tuningFile;

    private void useStore(Path f) {
        if (tuningFile == null) tuningFile = String.valueOf(System.getProperty("neurokernels.tuningFile"));
        System.setProperty("neurokernels.tuningFile", f.toString());
    }

    @org.junit.jupiter.api.AfterEach
    void restoreStore() {
        if (tuningFile == null) return;
        if (tuningFile.equals("null")) System.clearProperty("neurokernels.tuningFile");
        else System.setProperty("neurokernels.tuningFile", tuningFile);
    }

    private static final String KEY = GemmTuning.key("Some platform", "Some device", "1.2");

    /** Runs the CLI; returns exit status, stdout, stderr. */
    private static String[] cli(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.execute(args);
            return new String[] {String.valueOf(rc), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static String stderrOf(Runnable r) {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(err);
        }
        return e.toString(StandardCharsets.UTF_8);
    }

    @Test
    void storeRoundTripsAndReadsWhatPropertiesWrote() throws Exception {
        Path f = dir.resolve("sub").resolve("t.properties");
        useStore(f);
        assertNull(GemmTuning.lookup(KEY));
        assertNull(GemmTuning.find(KEY).problem(), "a missing store is not a problem");
        GemmConfig a = new GemmConfig(KernelDevice.GemmKernel.PACKED, 6, 48, 64), b = new GemmConfig(KernelDevice.GemmKernel.TILED, 8, 32, 32);
        GemmTuning.store(KEY, a);
        GemmTuning.store("other|dev ice|2", b);
        GemmTuning.store(KEY, b);
        Map<String, GemmConfig> want = new LinkedHashMap<>();
        want.put(KEY, b);
        want.put("other|dev ice|2", b);
        assertEquals(want, GemmTuning.read(f));
        assertEquals(b, GemmTuning.lookup(KEY));
        // java.util.Properties reads it back the same way, and a file it wrote (older stores) reads here
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(f)) {
            p.load(r);
        }
        assertEquals(b.encode(), p.getProperty("other|dev ice|2"));
        Path legacy = dir.resolve("legacy.properties");
        Properties q = new Properties();
        q.setProperty(KEY, a.encode());
        try (var w = Files.newBufferedWriter(legacy)) {
            q.store(w, "neurokernels GEMM tuning: written by 'neurokernels tune'");
        }
        assertEquals(Map.of(KEY, a), GemmTuning.read(legacy));
    }

    /** Each kind of damage seen in the field, with a piece of the reason it must give. */
    private Map<String, Object[]> corruptStores() throws Exception {
        Map<String, Object[]> m = new LinkedHashMap<>();
        byte[] garbage = new byte[700];
        new Random(TestDevices.SEED).nextBytes(garbage);
        garbage[0] = (byte) 0xff;  // never valid UTF-8
        m.put("binary", new Object[] {garbage, "not a text file"});
        m.put("text", new Object[] {"these are my notes on tuning\nnothing else\n".getBytes(StandardCharsets.UTF_8), "line 1 is not KEY=VALUE"});
        Path good = dir.resolve("good.properties");
        useStore(good);
        GemmTuning.store(KEY, new GemmConfig(KernelDevice.GemmKernel.PACKED, 8, 32, 64));
        byte[] whole = Files.readAllBytes(good);
        m.put("truncated", new Object[] {java.util.Arrays.copyOf(whole, whole.length - 6), "bad GEMM configuration 'PACKED mr=8 nr=32 t'"});
        String head = "# tuned\n" + KEY.replace(" ", "\\ ") + "=";
        m.put("nr=33", new Object[] {(head + "PACKED mr\\=8 nr\\=33 ts\\=64\n").getBytes(StandardCharsets.UTF_8), "line 2: bad GEMM configuration mr=8 nr=33 ts=64"});
        m.put("unknown kernel", new Object[] {(head + "TURBO mr=8 nr=32 ts=64\n").getBytes(StandardCharsets.UTF_8), "unknown kernel 'TURBO'"});
        m.put("CUDA kernel", new Object[] {(head + "WARP mr=8 nr=32 ts=64\n").getBytes(StandardCharsets.UTF_8), "only on CUDA devices"});
        m.put("bad escape", new Object[] {(head + "PACKED mr\\u003z8 nr=32 ts=64\n").getBytes(StandardCharsets.UTF_8), "line 2: bad escape '\\u003z'"});
        m.put("repeated key", new Object[] {(head + "PACKED mr=8 nr=32 ts=64\n" + head.substring(8) + "TILED mr=8 nr=32 ts=64\n").getBytes(StandardCharsets.UTF_8),
            "repeats line 2"});
        m.put("directory", new Object[] {null, "it is a directory"});
        return m;
    }

    @Test
    void corruptStoreIsIgnoredWithOneWarningOnLookupAndRefusedByTune() throws Exception {
        for (Map.Entry<String, Object[]> c : corruptStores().entrySet()) {
            String what = c.getKey(), reason = (String) c.getValue()[1];
            Path f = dir.resolve("store-" + what.replace(' ', '-'));
            byte[] bytes = (byte[]) c.getValue()[0];
            if (bytes == null) Files.createDirectory(f);
            else Files.write(f, bytes);
            useStore(f);

            // lookup (what opening a device does): ignored, the reason is queryable and warned about once
            GemmTuning.Lookup[] found = new GemmTuning.Lookup[2];
            String warned = stderrOf(() -> found[0] = GemmTuning.find(KEY));
            assertNull(found[0].config(), what);
            assertTrue(found[0].ignored() && found[0].problem().contains(reason), what + ": " + found[0].problem());
            assertEquals(f, found[0].file());
            assertEquals(found[0].problem(), GemmTuning.problem());
            assertTrue(warned.contains("WARN") && warned.contains(f.toString()) && warned.contains(found[0].problem()), what + " warning: " + warned);
            assertEquals("", stderrOf(() -> found[1] = GemmTuning.find(KEY)), what + ": the warning is given once");
            assertEquals(found[0], found[1]);

            // store and tune refuse, naming the file and the reason, before measuring anything; the file is untouched
            GemmTuning.CorruptStoreException e = assertThrows(GemmTuning.CorruptStoreException.class,
                    () -> GemmTuning.store(KEY, GemmConfig.defaultFor(true)), what);
            assertEquals(f, e.file());
            assertEquals(found[0].problem(), e.reason());
            String[] r = cli("tune", "--device", "opencl:0:0");
            assertEquals("2", r[0], what + ": " + r[1] + r[2]);
            assertTrue(r[2].contains("error: tuning store " + f + " is unusable: " + e.reason()) && r[2].contains("Nothing was measured: delete or fix " + f),
                    what + ": " + r[2]);
            assertFalse(r[1].contains("tuning GEMM on") || r[1].contains("candidate"), what + " measured: " + r[1]);
            if (bytes == null) assertTrue(Files.isDirectory(f));
            else assertArrayEquals(bytes, Files.readAllBytes(f), what + ": the store is left as it was");
            try (var s = Files.list(dir)) {
                assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), what);
            }
        }
    }

    @Test
    void corruptStoreShowsInTheDeviceDetails() {
        String id = TestDevices.accelerators().stream().filter(s -> s.startsWith("opencl")).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(id != null || !TestDevices.requireOpenCL(), "no OpenCL device");
        if (id == null) return;
        Path f = dir.resolve("notes.properties");
        useStore(f);
        try {
            Files.writeString(f, "tuned it by hand, see wiki\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String[] pd = id.split(":");
        String[] listed = cli("devices");
        assertEquals("0", listed[0]);
        assertTrue(listed[1].contains("gemm: ") && listed[1].contains("(default for") && listed[1].contains("; tuning store " + f + " ignored: line 1 is not KEY=VALUE"),
                listed[1]);
        assertTrue(listed[2].contains("WARN") && listed[2].contains(f.toString()), "warned on stderr: " + listed[2]);
        stderrOf(() -> {
            try (org.neurokernels.opencl.OpenClDevice dev = new org.neurokernels.opencl.OpenClDevice(Integer.parseInt(pd[1]), Integer.parseInt(pd[2]))) {
                String gemm = dev.info().details().get("gemm");
                assertTrue(gemm.contains("default for") && gemm.contains("tuning store " + f + " ignored: line 1 is not KEY=VALUE"), gemm);
            }
        });
    }

    @Test
    void storedConfigurationIsUsedByTheNextOpen() throws Exception {
        String id = TestDevices.accelerators().stream().filter(s -> s.startsWith("opencl")).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(id != null || !TestDevices.requireOpenCL(), "no OpenCL device");
        if (id == null) return;
        String old = System.getProperty("neurokernels.tuningFile");
        System.setProperty("neurokernels.tuningFile", dir.resolve("t.properties").toString());
        try {
            String[] pd = id.split(":");
            int p = Integer.parseInt(pd[1]), d = Integer.parseInt(pd[2]);
            String key;
            try (OpenClDevice dev = new OpenClDevice(p, d)) {
                key = OpenClDevice.tuningKey(dev.info());
                assertTrue(dev.info().details().get("gemm").contains("default"), dev.info().details().get("gemm"));
            }
            assertNull(GemmTuning.lookup(key));
            GemmConfig stored = new GemmConfig(KernelDevice.GemmKernel.PACKED, 4, 16, 32);
            GemmTuning.store(key, stored);
            try (OpenClDevice dev = new OpenClDevice(p, d)) {
                assertTrue(dev.info().details().get("gemm").startsWith(stored.encode() + " (tuned"), dev.info().details().get("gemm"));
                assertTrue(dev.info().details().get("compiler_options").contains("-DMR=4 -DNR=16"));
                // and it computes right with those tiles
                org.neurokernels.ops.Op gemm = org.neurokernels.ops.OpRegistry.get("gemm");
                for (org.neurokernels.ops.Op.Case c : gemm.cases(true)) {
                    var params = gemm.params(c.params());
                    var in = gemm.randomInputs(c, new java.util.Random(TestDevices.SEED));
                    var ref = gemm.execute(TestDevices.reference(), in, params);
                    var got = gemm.execute(dev, in, params);
                    assertTrue(org.neurokernels.ops.Check.compare(got.get("c"), ref.get("c"), gemm.error("c", in, ref, params)).pass(), c.label());
                }
            }
        } finally {
            if (old == null) System.clearProperty("neurokernels.tuningFile");
            else System.setProperty("neurokernels.tuningFile", old);
        }
    }
}

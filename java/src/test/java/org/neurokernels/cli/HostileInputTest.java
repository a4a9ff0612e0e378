package org.neurokernels.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.TestDevices;
import org.neurokernels.data.Idx;
import org.neurokernels.io.Npy;
import org.neurokernels.ops.HostMatrix;

/**
 * Hostile input at the command line: each value that used to wrap, overflow, run with nonsense or fail
 * with a stack trace or a bare path is refused with status 2 and one line naming the option, file or
 * parameter, before any work (no device opened, no output written).
 */
class HostileInputTest {
    @TempDir Path dir;

    record Result(int status, String out, String err) {
        String all() { return out + err; }
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.execute(args);
            return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Refused: status 2, a single "error:" line containing every fragment, no stack trace, no device opened. */
    private static Result refused(String[] fragments, String... args) {
        Result r = run(args);
        String cmd = String.join(" ", args);
        assertEquals(2, r.status(), () -> cmd + " must be refused; output: " + r.all());
        for (String f : fragments) assertTrue(r.err().contains(f), () -> cmd + ": message should name '" + f + "': " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in"), () -> cmd + ": no stack trace: " + r.err());
        assertFalse(r.err().contains("device java (") || r.out().contains("device java ("), () -> cmd + ": no device may be opened: " + r.all());
        assertFalse(r.err().contains("error: null"), r.err());
        return r;
    }

    private static String[] names(String... f) { return f; }

    private Path npy(String name, int rows, int cols) throws IOException {
        Path f = dir.resolve(name);
        Npy.write(f, new HostMatrix(rows, cols, new float[rows * cols]));
        return f;
    }

    private List<String> lifState() throws IOException {
        List<String> a = new ArrayList<>();
        for (String s : List.of("v", "i_e", "i_i", "refractory", "rate", "count")) {
            a.add("--in");
            a.add(s + "=" + npy(s + ".npy", 1, 4));
        }
        return a;
    }

    private static String[] args(List<String> head, String... tail) {
        List<String> a = new ArrayList<>(head);
        a.addAll(List.of(tail));
        return a.toArray(String[]::new);
    }

    // ------------------------------------------------------------------ silent wrong answers

    @Test
    void lifStepRefusesRefractoryPeriodsThatWouldWrap() throws IOException {
        Path out = dir.resolve("spikes.npy");
        List<String> head = new ArrayList<>(List.of("run", "lif_step", "--device", "java"));
        head.addAll(lifState());
        refused(names("tau_refrac", "not finite"), args(head, "--param", "tau_refrac=Infinity", "--out", "spikes=" + out));
        refused(names("tau_refrac", "float range"), args(head, "--param", "tau_refrac=1e300", "--out", "spikes=" + out));
        // 2^32 steps of 0.1 ms used to become 0 steps
        refused(names("tau_refrac", "4294967296 steps", "16777216"), args(head, "--param", "tau_refrac=429496729.6", "--out", "spikes=" + out));
        refused(names("tau_refrac"), args(head, "--param", "tau_refrac=NaN", "--out", "spikes=" + out));
        refused(names("dt"), args(head, "--param", "dt=0", "--out", "spikes=" + out));
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void simulateRefusesDurationsAndStepsThatMakeNoSense() {
        Path json = dir.resolve("rates.json");
        String j = json.toString();
        // 2^32 steps used to run 0 steps and report 0.00 Hz; 3e9 steps a negative steps/s
        refused(names("--ms", "4294967296 steps", "16777216"), "simulate", "--device", "java", "--ms", "429496729.6", "--json", j);
        refused(names("--ms", "3000000000 steps"), "simulate", "--device", "java", "--ms", "300000000", "--json", j);
        for (String ms : List.of("0", "NaN", "-10", "Infinity")) refused(names("--ms " + ms), "simulate", "--device", "java", "--ms", ms, "--json", j);
        for (String dt : List.of("0", "NaN", "-0.1")) refused(names("--dt " + dt), "simulate", "--device", "java", "--dt", dt, "--json", j);
        refused(names("--ms 0.01 at --dt 0.1", "0 steps"), "simulate", "--device", "java", "--ms", "0.01", "--json", j);
        refused(names("--neurons 1000001", "100 to 1000000"), "simulate", "--device", "java", "--neurons", "1000001", "--json", j);
        refused(names("--neurons 99"), "simulate", "--device", "java", "--neurons", "99", "--json", j);
        refused(names("--network hopfield", "cuba or microcircuit"), "simulate", "--device", "java", "--network", "hopfield", "--json", j);
        refused(names("--neurons 769", "770 to 77169"), "simulate", "--device", "java", "--network", "microcircuit", "--neurons", "769", "--json", j);
        refused(names("--transient 600"), "simulate", "--device", "java", "--ms", "1000", "--transient", "600", "--json", j);
        refused(names("--transient -1"), "simulate", "--device", "java", "--transient", "-1", "--json", j);
        refused(names("--seed", "negative"), "simulate", "--device", "java", "--seed", "-1", "--json", j);
        assertFalse(Files.exists(json), "nothing written");
    }

    @Test
    void trainRefusesNonsenseOptions() {
        Path json = dir.resolve("train.json");
        String[] base = {"train", "--synthetic", "--device", "java", "--epochs", "1", "--json", json.toString()};
        for (String lr : List.of("Infinity", "NaN", "0", "-0.1")) refused(names("--lr " + lr), args(List.of(base), "--lr", lr));
        refused(names("--momentum 1.0"), args(List.of(base), "--momentum", "1"));
        refused(names("--weight-decay NaN"), args(List.of(base), "--weight-decay", "NaN"));
        refused(names("--epochs 0"), args(List.of(base), "--epochs", "0"));
        refused(names("--batch 0"), args(List.of(base), "--batch", "0"));
        refused(names("--batch 2147483647", "8000 training examples"), args(List.of(base), "--batch", "2147483647"));
        refused(names("--limit -5", "at least 1"), args(List.of(base), "--limit", "-5"));
        refused(names("--hidden '256,,3'", "empty entry"), args(List.of(base), "--hidden", "256,,3"));
        refused(names("--hidden '256,x'", "'x'"), args(List.of(base), "--hidden", "256,x"));
        refused(names("--hidden '256,0'"), args(List.of(base), "--hidden", "256,0"));
        refused(names("--seed", "too large"), args(List.of(base), "--seed", "18446744073709551616"));
        assertFalse(Files.exists(json), "nothing written");
    }

    @Test
    void trainTaskRefusesNonsenseOptions() {
        Path json = dir.resolve("task.json");
        String[] base = {"train", "--task", "sine-waves", "--device", "java", "--json", json.toString()};
        refused(names("--task must be sine-waves or seq-fashion-mnist"), "train", "--task", "sines", "--device", "java");
        refused(names("--network must be rate-rnn or lif-rnn"), args(List.of(base), "--network", "gru"));
        refused(names("--rule must be bptt, eprop, eprop-random or rflo", "'fa'"), args(List.of(base), "--rule", "fa"));
        refused(names("rflo is a rule of the rate network"), args(List.of(base), "--network", "lif-rnn", "--rule", "rflo"));
        refused(names("--optimizer must be adam or sgd"), args(List.of(base), "--optimizer", "rmsprop"));
        refused(names("--rate-reg", "LIF network"), args(List.of(base), "--network", "rate-rnn", "--rate-reg", "10"));
        refused(names("--rate-reg"), args(List.of(base), "--rate-reg", "NaN"));
        for (String lr : List.of("Infinity", "NaN", "0", "-0.1")) refused(names("--lr " + lr), args(List.of(base), "--lr", lr));
        refused(names("--iterations 0"), args(List.of(base), "--iterations", "0"));
        refused(names("--units 0"), args(List.of(base), "--units", "0"));
        refused(names("--units 4096"), args(List.of(base), "--units", "4096"));
        refused(names("batch 1", "--batch 4"), args(List.of(base), "--batch", "4"));
        refused(names("--iterations, not --epochs"), args(List.of(base), "--epochs", "3"));
        refused(names("--rules and --synthetic are options of the MLP"), args(List.of(base), "--synthetic"));
        refused(names("--iterations, --units and --network are options of a --task"), "train", "--synthetic", "--device", "java", "--iterations", "5");
        assertFalse(Files.exists(json), "nothing written");
    }

    /** A learning rate that makes training diverge ends it with a message and valid JSON, not a serializer's exception. */
    @Test
    void trainTaskThatDivergesSaysSoAndKeepsItsJson() throws IOException {
        Path json = dir.resolve("diverged.json");
        Result r = run("train", "--task", "sine-waves", "--network", "rate-rnn", "--rule", "bptt", "--optimizer", "sgd", "--lr", "1e30",
                "--iterations", "50", "--units", "8", "--device", "java", "--json", json.toString());
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains("training diverged at iteration") && r.err().contains("smaller --lr"), r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("JSON specification"), r.err());
        com.google.gson.JsonArray rows = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertTrue(rows.get(rows.size() - 1).getAsJsonObject().get("diverged").getAsBoolean());
    }

    private static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x0800 | dims.length);
        for (int x : dims) d.writeInt(x);
        d.write(data);
        return b.toByteArray();
    }

    private Path dataset(int n, boolean truncateImages) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data" + n + truncateImages));
        for (String split : List.of("train", "t10k")) {
            byte[] images = idx(new int[] {n, 2, 2}, new byte[n * 4]);
            if (truncateImages && split.equals("train")) images = java.util.Arrays.copyOf(images, images.length - 3);
            Files.write(data.resolve(split + "-images-idx3-ubyte"), images);
            Files.write(data.resolve(split + "-labels-idx1-ubyte"), idx(new int[] {n}, new byte[n]));
        }
        return data;
    }

    @Test
    void trainRefusesALimitAboveTheDatasetAndNamesTruncatedFiles() throws IOException {
        Path json = dir.resolve("train.json");
        Path data = dataset(5, false);
        // the rest used to be zero images from Arrays.copyOf
        refused(names("--limit 6", "5 training examples"), "train", "--data", data.toString(), "--limit", "6", "--device", "java", "--json", json.toString());
        Path bad = dataset(5, true);
        refused(names("train-images-idx3-ubyte", "truncated", "need 20 bytes", "has 17"), "train", "--data", bad.toString(), "--device", "java");
        refused(names("--data", "does-not-exist"), "train", "--data", dir.resolve("does-not-exist").toString(), "--device", "java");
        assertFalse(Files.exists(json), "nothing written");
    }

    @Test
    void fashionMnistLimitAboveSixtyThousandIsRefused() {
        assumeTrue(Files.isDirectory(Idx.FASHION_MNIST), "dataset-fashion-mnist is not installed");
        refused(names("--limit 70000", "60000 training examples"), "train", "--limit", "70000", "--device", "java", "--epochs", "1");
    }

    @Test
    void floatParametersOutsideFloatRangeAreRefused() throws IOException {
        Path a = npy("a.npy", 2, 2), out = dir.resolve("c.npy");
        refused(names("alpha=1e40", "float range"), "run", "gemm", "--device", "java", "--in", "a=" + a, "--in", "b=" + a, "--param", "alpha=1e40", "--out", "c=" + out);
        refused(names("beta=-Infinity", "not finite"), "run", "gemm", "--device", "java", "--in", "a=" + a, "--in", "b=" + a, "--param", "beta=-Infinity", "--out", "c=" + out);
        refused(names("alpha=1e-50", "too small"), "run", "gemm", "--device", "java", "--in", "a=" + a, "--in", "b=" + a, "--param", "alpha=1e-50", "--out", "c=" + out);
        refused(names("rows=4294967296", "32-bit integer range"), "run", "random_uniform", "--device", "java", "--param", "rows=4294967296", "--out", "out=" + out);
        assertFalse(Files.exists(out), "nothing written");
    }

    /** Seeds take the whole unsigned 64-bit range: 2^32 and 2^64 - 1 run and give Philox's numbers for that key. */
    @Test
    void seedsAreUnsigned64Bit() throws IOException {
        Device ref = TestDevices.reference();
        String[][] seeds = {{"4294967296", Long.toString(1L << 32)}, {"18446744073709551615", "-1"}, {"9223372036854775808", Long.toString(Long.MIN_VALUE)}};
        for (String[] s : seeds) {
            Path out = dir.resolve("u" + s[0] + ".npy");
            Result r = run("run", "random_uniform", "--device", "java", "--param", "rows=3", "--param", "cols=5", "--param", "seed=" + s[0], "--out", "out=" + out);
            assertEquals(0, r.status(), r.all());
            float[] want;
            try (Matrix m = ref.allocate(3, 5)) {
                ref.randomUniform(Long.parseLong(s[1]), 0, 0, 0f, 1f, m);
                want = ref.download(m);
            }
            assertArrayEquals(want, Npy.read(out).data(), "seed " + s[0]);
        }
        float[] low = Npy.read(dir.resolve("u4294967296.npy")).data();
        Path zero = dir.resolve("zero.npy");
        assertEquals(0, run("run", "random_uniform", "--device", "java", "--param", "rows=3", "--param", "cols=5", "--param", "seed=0", "--out", "out=" + zero).status());
        assertFalse(java.util.Arrays.equals(low, Npy.read(zero).data()), "2^32 is not read as 0");
        Path out = dir.resolve("never.npy");
        refused(names("seed=-1", "negative"), "run", "random_uniform", "--device", "java", "--param", "seed=-1", "--out", "out=" + out);
        refused(names("seed=18446744073709551616", "2^64 - 1"), "run", "random_uniform", "--device", "java", "--param", "seed=18446744073709551616", "--out", "out=" + out);
        refused(names("seed=0x10", "not an unsigned integer"), "run", "poisson", "--device", "java", "--param", "seed=0x10", "--out", "spikes=" + out);
        assertFalse(Files.exists(out));
    }

    // ------------------------------------------------------------------ memory

    @Test
    void hugeOutputsAreRefusedWithTheSizeAskedFor() {
        Path out = dir.resolve("big.npy");
        refused(names("random_uniform", "46000x46000", "Java heap", "NK_JAVA_OPTS=-Xmx"),
                "run", "random_uniform", "--device", "java", "--param", "rows=46000", "--param", "cols=46000", "--out", "out=" + out);
        refused(names("rows=50000 x cols=50000", "2147483647"),
                "run", "random_uniform", "--device", "java", "--param", "rows=50000", "--param", "cols=50000", "--out", "out=" + out);
        assertFalse(Files.exists(out));
    }

    /** A float32 .npy of this shape whose data are left sparse (no disk used): a valid header, then a hole. */
    private Path sparseNpy(String name, int rows, int cols) throws IOException {
        Path f = dir.resolve(name);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), (byte) (header.length() >>> 8)});
        b.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(b.toByteArray());
            raf.setLength(b.size() + 4L * rows * cols);
        }
        return f;
    }

    @Test
    void hugeInputFilesAreRefusedWithTheirSize() throws IOException {
        Path out = dir.resolve("y.npy");
        Path big = sparseNpy("big.npy", 30000, 20000);   // 2.4 GB
        refused(names("--in x", "big.npy", "2.2 GiB", "at most"), "run", "copy", "--device", "java", "--in", "x=" + big, "--out", "y=" + out);
        assumeTrue(Runtime.getRuntime().maxMemory() < 3_000_000_000L, "the heap is large enough to read 1.6 GB");
        Path large = sparseNpy("large.npy", 20000, 20000);   // 1.6 GB
        refused(names("--in x", "large.npy", "1.5 GiB", "Java heap", "NK_JAVA_OPTS"), "run", "copy", "--device", "java", "--in", "x=" + large, "--out", "y=" + out);
        assertFalse(Files.exists(out));
    }

    @Test
    void outOfMemoryMessageSaysHowToRaiseTheHeap() {
        String m = Checks.describe(new OutOfMemoryError("Java heap space"));
        assertTrue(m.contains("out of memory") && m.contains("Java heap space") && m.contains("NK_JAVA_OPTS=-Xmx"), m);
    }

    // ------------------------------------------------------------------ files and messages

    @Test
    void missingAndWrongFilesAreNamedWithAReason() throws IOException {
        Path a = npy("a.npy", 2, 2), out = dir.resolve("c.npy");
        String missing = dir.resolve("missing.npy").toString();
        refused(names("--in x: input file " + missing + " does not exist"), "run", "copy", "--device", "java", "--in", "x=" + missing, "--out", "y=" + out);
        refused(names("--in x", "is a directory"), "run", "copy", "--device", "java", "--in", "x=" + dir, "--out", "y=" + out);
        refused(names("--out y", "/no/such/dir", "does not exist"), "run", "copy", "--device", "java", "--in", "x=" + a, "--out", "y=/no/such/dir/x.npy");
        refused(names("--out y", dir.toString(), "is a directory"), "run", "copy", "--device", "java", "--in", "x=" + a, "--out", "y=" + dir);
        refused(names("--in x is given twice"), "run", "copy", "--device", "java", "--in", "x=" + a, "--in", "x=" + a, "--out", "y=" + out);
        refused(names("--json", "/no/such/dir", "does not exist"), "simulate", "--device", "java", "--ms", "1", "--json", "/no/such/dir/r.json");
        refused(names("--plot", "/no/such/dir"), "train", "--synthetic", "--device", "java", "--epochs", "1", "--plot", "/no/such/dir/p.png");
        refused(names("--from-json", "nothing.json", "does not exist"), "train", "--from-json", dir.resolve("nothing.json").toString());
        refused(names("--markdown", "/no/such/dir"), "verify", "--device", "java", "--op", "copy", "--markdown", "/no/such/dir/r.md");
        assertFalse(Files.exists(out));
    }

    /** A missing input is reported before the device is opened: with a device that does not exist, the input is what is named. */
    @Test
    void runChecksInputsBeforeOpeningTheDevice() throws IOException {
        Path a = npy("a.npy", 2, 3), out = dir.resolve("c.npy");
        Result r = refused(names("input 'b'", "is missing"), "run", "gemm", "--device", "cuda:99", "--in", "a=" + a, "--out", "c=" + out);
        assertFalse(r.err().contains("cuda:99"), r.err());
        r = refused(names("gemm: b is 2x3, expected 3x"), "run", "gemm", "--device", "cuda:99", "--in", "a=" + a, "--in", "b=" + a, "--out", "c=" + out);
        assertFalse(r.err().contains("cuda:99"), r.err());
        refused(names("has no input 'q'"), "run", "gemm", "--device", "cuda:99", "--in", "a=" + a, "--in", "b=" + a, "--in", "q=" + a);
        assertFalse(Files.exists(out));
    }

    @Test
    void exceptionsBecomeOneLineMessages() {
        assertEquals("file /tmp/x.npy does not exist", Checks.describe(new NoSuchFileException("/tmp/x.npy")));
        assertTrue(Checks.describe(new NoSuchFileException("/no/such/dir/x.npy")).contains("directory /no/such/dir does not exist"));
        assertEquals("/root/x: permission denied", Checks.describe(new AccessDeniedException("/root/x")));
        assertEquals("/tmp: Is a directory", Checks.describe(new FileSystemException("/tmp", null, "Is a directory")));
        assertEquals("not a number: \"\"", Checks.describe(new NumberFormatException("For input string: \"\"")));
        assertEquals("input/output error (EOFException)", Checks.describe(new java.io.EOFException()));
        assertTrue(Checks.describe(new NullPointerException()).startsWith("NullPointerException at "), Checks.describe(new NullPointerException()));
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : List.of("devices", "ops", "run", "verify", "tune", "train", "simulate")) {
            Result r = run(cmd, "--help");
            assertEquals(0, r.status(), () -> cmd + " --help: " + r.all());
            assertTrue(r.out().contains("Usage: neurokernels " + cmd), () -> cmd + " --help: " + r.all());
            assertTrue(r.out().contains("--help"), r.out());
        }
    }

    @Test
    void countsThatMakeNoSenseAreRefused() {
        refused(names("--runs -1", "at least 0"), "verify", "--device", "java", "--op", "copy", "--runs", "-1");
        refused(names("--size 0"), "tune", "--device", "java", "--size", "0");
        refused(names("--reps 0"), "tune", "--device", "java", "--reps", "0");
    }
}

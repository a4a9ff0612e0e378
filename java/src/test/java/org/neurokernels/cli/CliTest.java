package org.neurokernels.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurokernels.TestDevices;
import org.neurokernels.io.Npy;
import org.neurokernels.ops.HostMatrix;

/** The command line: devices, ops, run with .npy files (checked against NumPy), verify, and its errors. */
class CliTest {
    @TempDir Path dir;

    static List<String> devices() { return TestDevices.selectors(); }

    private static String capture(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.execute(args);
            assertEquals(0, rc, () -> String.join(" ", args) + " exited " + rc);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void devicesListsThePoclDeviceWithProperties() {
        String out = capture("devices");
        assertTrue(out.contains("java"), out);
        if (TestDevices.requireOpenCL()) {
            assertTrue(out.matches("(?s).*opencl:\\d+:\\d+ .*Portable Computing Language.*"), out);
            assertTrue(out.contains("compute units"), out);
        }
        String json = capture("devices", "--json");
        assertTrue(json.contains("\"backends\"") && json.contains("\"reason\""), json);
    }

    @Test
    void opsJsonHasNames() {
        String json = capture("ops", "--json");
        assertTrue(json.contains("\"name\": \"gemm\"") && json.contains("\"name\": \"softmax_xent\""), json);
    }

    private static boolean numpyAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private void python(String script) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), out);
    }

    /** neurokernels run gemm on awkward shapes, transposes and beta != 0 agrees with NumPy (float64 matmul). */
    @ParameterizedTest
    @MethodSource("devices")
    void runGemmAgreesWithNumpy(String id) throws Exception {
        assumeTrue(numpyAvailable(), "python3 with numpy is needed for this check");
        python("import numpy as np\n"
                + "r = np.random.default_rng(7)\n"
                + "a = r.uniform(-1, 1, (67, 131)).astype(np.float32)\n"   // used transposed: op(a) is 131 x 67
                + "b = r.uniform(-1, 1, (29, 67)).astype(np.float32)\n"    // used transposed: op(b) is 67 x 29
                + "c = r.uniform(-1, 1, (131, 29)).astype(np.float32)\n"
                + "np.save('a.npy', a); np.save('b.npy', b); np.save('c.npy', c)\n"
                + "ref = 1.25 * a.T.astype(np.float64) @ b.T.astype(np.float64) - 0.5 * c\n"
                + "scale = 1.25 * np.abs(a.T.astype(np.float64)) @ np.abs(b.T.astype(np.float64)) + 0.5 * np.abs(c)\n"
                + "np.save('ref.npy', ref.astype(np.float32)); np.save('scale.npy', scale.astype(np.float32))\n");
        String out = dir.resolve("out.npy").toString();
        capture("run", "gemm", "--device", id, "--in", "a=" + dir.resolve("a.npy"), "--in", "b=" + dir.resolve("b.npy"),
                "--in", "c=" + dir.resolve("c.npy"), "--param", "trans_a=true", "--param", "trans_b=true",
                "--param", "alpha=1.25", "--param", "beta=-0.5", "--out", "c=" + out);
        HostMatrix got = Npy.read(Path.of(out));
        HostMatrix ref = Npy.read(dir.resolve("ref.npy"));
        HostMatrix scale = Npy.read(dir.resolve("scale.npy"));
        assertEquals(131, got.rows());
        assertEquals(29, got.cols());
        double bound = (67 + 6) * Math.scalb(1.0, -24);
        for (int e = 0; e < got.data().length; e++) {
            double err = Math.abs(got.data()[e] - ref.data()[e]) / scale.data()[e];
            int ee = e;
            assertTrue(err <= bound, () -> "element " + ee + ": " + got.data()[ee] + " vs NumPy " + ref.data()[ee]);
        }
    }

    /** philox4x32_10 through `run` with uint32 .npy files from NumPy reproduces Random123's known answers on every device. */
    @ParameterizedTest
    @MethodSource("devices")
    void runPhiloxWithUint32Files(String id) throws Exception {
        assumeTrue(numpyAvailable(), "python3 with numpy is needed for this check");
        python("import numpy as np\n"
                + "c = np.array([[0,0,0,0],[0xffffffff]*4,[0x243f6a88,0x85a308d3,0x13198a2e,0x03707344]], dtype=np.uint32)\n"
                + "k = np.array([[0,0],[0xffffffff]*2,[0xa4093822,0x299f31d0]], dtype=np.uint32)\n"
                + "np.save('c.npy', c); np.save('k.npy', k); np.save('f.npy', c.astype(np.float32))\n");
        String out = dir.resolve("o.npy").toString();
        capture("run", "philox4x32_10", "--device", id, "--in", "counter=" + dir.resolve("c.npy"), "--in", "key=" + dir.resolve("k.npy"), "--out", "out=" + out);
        HostMatrix got = Npy.read(Path.of(out));
        assertEquals(HostMatrix.DType.UINT32, got.dtype());
        int[] want = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
            0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got.bits(i), id + " word " + i);
        python("import numpy as np\no = np.load('o.npy'); assert o.dtype == np.uint32 and o[0,0] == 0x6627e8d5, o\n");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.execute("run", "philox4x32_10", "--device", id, "--in", "counter=" + dir.resolve("f.npy"), "--in", "key=" + dir.resolve("k.npy")));
        } finally {
            System.setErr(oldErr);
        }
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("must be uint32"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void npyRoundTripAndClearErrors() throws Exception {
        HostMatrix m = new HostMatrix(2, 3, new float[] {1, 2, 3, 4, 5, -6.5f});
        Path f = dir.resolve("m.npy");
        Npy.write(f, m);
        HostMatrix back = Npy.read(f);
        assertEquals(2, back.rows());
        assertEquals(-6.5f, back.get(1, 2));
        byte[] bytes = Files.readAllBytes(f);

        byte[] f8 = new String(bytes, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<f8'").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(Npy.NpyFormatException.class, () -> Npy.parse(f8, "x")).getMessage().contains("float32"));
        HostMatrix ints = HostMatrix.ofBits(1, 3, new int[] {-1, 0, 7}, HostMatrix.DType.INT32);
        HostMatrix intsBack = Npy.parse(Npy.toBytes(ints), "ints");
        assertEquals(HostMatrix.DType.INT32, intsBack.dtype());
        assertEquals(-1, intsBack.bits(0));
        assertEquals(7, intsBack.bits(2));
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        assertTrue(assertThrows(Npy.NpyFormatException.class, () -> Npy.parse(truncated, "x")).getMessage().contains("data bytes"));
        byte[] fortran = new String(bytes, StandardCharsets.ISO_8859_1).replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(assertThrows(Npy.NpyFormatException.class, () -> Npy.parse(fortran, "x")).getMessage().contains("Fortran"));
        assertTrue(assertThrows(Npy.NpyFormatException.class, () -> Npy.parse("hello world!".getBytes(), "x")).getMessage().contains("magic"));
    }

    @Test
    void runReportsBadInputsWithoutTouchingADevice() throws Exception {
        Path a = dir.resolve("a.npy");
        Npy.write(a, new HostMatrix(2, 3, new float[6]));
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.execute("run", "gemm", "--device", "java", "--in", "a=" + a, "--in", "b=" + a, "--out", "c=" + dir.resolve("c.npy")));
            assertEquals(2, Main.execute("run", "nosuchop", "--device", "java"));
            assertEquals(2, Main.execute("run", "gemm", "--device", "java", "--in", "a=" + a, "--in", "b=" + a, "--param", "trans_b=maybe"));
            assertEquals(2, Main.execute("run", "gemm", "--device", "cuda:5", "--in", "a=" + a, "--in", "b=" + a, "--param", "trans_b=true"));
        } finally {
            System.setErr(oldErr);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.contains("gemm: b is 2x3, expected 3x"), msg);
        assertTrue(msg.contains("unknown op 'nosuchop'"), msg);
        assertTrue(msg.contains("not a boolean"), msg);
        assertTrue(msg.contains("cuda:5"), msg);
    }

    @Test
    void trainWritesJsonAndPlot() throws Exception {
        Path json = dir.resolve("t.json"), png = dir.resolve("t.png");
        String out = capture("train", "--synthetic", "--limit", "1500", "--epochs", "2", "--rule", "fa,kp", "--hidden", "24,24",
                "--batch", "32", "--device", "java", "--json", json.toString(), "--plot", png.toString());
        assertTrue(out.contains("final test acc") && out.contains("kp"), out);
        String j = Files.readString(json);
        for (String key : List.of("\"epoch\"", "\"train_loss\"", "\"test_accuracy\"", "\"seconds\"", "\"weight_angle_deg\"", "\"update_angle_deg\"")) {
            assertTrue(j.contains(key), key + " in " + j);
        }
        assertEquals(4, j.split("\"epoch\"").length - 1, "two runs of two epochs");
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertTrue(head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG file");
        Path png2 = dir.resolve("t2.png");
        String again = capture("train", "--from-json", json.toString(), "--plot", png2.toString());
        assertTrue(again.contains("fa") && Files.size(png2) > 1000, again);
    }

    /** Pattern generation with every network and rule on every device: JSON rows with nmse, and the plot with a raster. */
    @ParameterizedTest
    @MethodSource("devices")
    void trainSineWavesWithEveryRule(String id) throws Exception {
        String[][] runs = {{"lif-rnn", "bptt"}, {"lif-rnn", "eprop"}, {"lif-rnn", "eprop-random"}, {"rate-rnn", "bptt"}, {"rate-rnn", "eprop"},
            {"rate-rnn", "eprop-random"}, {"rate-rnn", "rflo"}};
        for (String[] r : runs) {
            Path json = dir.resolve(r[0] + r[1] + ".json"), png = dir.resolve(r[0] + r[1] + ".png");
            String out = capture("train", "--task", "sine-waves", "--network", r[0], "--rule", r[1], "--iterations", "3", "--device", id, "--seed", "4",
                    "--json", json.toString(), "--plot", png.toString());
            assertTrue(out.contains("final nmse"), out);
            com.google.gson.JsonArray rows = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonArray();
            assertEquals(4, rows.size(), "three iterations and the final row");
            for (com.google.gson.JsonElement e : rows) {
                double nmse = e.getAsJsonObject().get("nmse").getAsDouble();
                assertTrue(nmse > 0 && Double.isFinite(nmse), id + " " + String.join(" ", r) + ": nmse " + nmse);
            }
            assertTrue(Files.size(png) > 1000);
        }
    }

    /** Sequential Fashion-MNIST, briefly (64 images, 16 units), with every network and rule; accuracies in the JSON. */
    @ParameterizedTest
    @MethodSource("devices")
    void trainSequentialFashionMnistWithEveryRule(String id) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(org.neurokernels.data.Idx.FASHION_MNIST), "dataset-fashion-mnist is not installed");
        String[][] runs = {{"rate-rnn", "bptt"}, {"rate-rnn", "eprop-random"}, {"rate-rnn", "rflo"}, {"lif-rnn", "bptt"}, {"lif-rnn", "eprop"}};
        for (String[] r : runs) {
            Path json = dir.resolve(r[0] + r[1] + ".json");
            String out = capture("train", "--task", "seq-fashion-mnist", "--network", r[0], "--rule", r[1], "--limit", "64", "--epochs", "2",
                    "--batch", "16", "--units", "16", "--device", id, "--json", json.toString());
            assertTrue(out.contains("final test accuracy"), out);
            com.google.gson.JsonArray rows = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonArray();
            assertEquals(2, rows.size());
            double acc = rows.get(1).getAsJsonObject().get("test_accuracy").getAsDouble();
            assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);
        }
    }

    /** The CUBA demo runs, reports rates in a plausible range and writes its plot, on every device. */
    @ParameterizedTest
    @MethodSource("devices")
    void simulateRunsTheBalancedNetwork(String id) throws Exception {
        Path png = dir.resolve("cuba.png"), json = dir.resolve("cuba.json");
        Path spikes = dir.resolve("spikes.npy");
        String out = capture("simulate", "--device", id, "--neurons", "400", "--ms", "200", "--plot", png.toString(), "--json", json.toString(),
                "--spikes", spikes.toString());
        HostMatrix sp = Npy.read(spikes);
        assertEquals(2, sp.cols());
        assertTrue(sp.get(sp.rows() - 1, 0) <= 200f && sp.get(0, 1) >= 0 && sp.get(0, 1) < 400, "spike rows are (time, neuron)");
        assertTrue(out.contains("mean rate"), out);
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        double e = o.get("rate_excitatory_hz").getAsDouble(), i = o.get("rate_inhibitory_hz").getAsDouble();
        assertTrue(e > 0.5 && e < 100 && i > 0.5 && i < 100, "rates " + e + ", " + i);
        assertTrue(Files.size(png) > 1000);
    }

    /** The scaled-down microcircuit runs, reports its eight populations, records spikes and plots, and gives the java reference's spikes on every device. */
    @ParameterizedTest
    @MethodSource("devices")
    void simulateRunsTheMicrocircuit(String id) throws Exception {
        Path json = dir.resolve("mc.json"), png = dir.resolve("mc.png"), rec = dir.resolve("mc.npy"), ref = dir.resolve("mc-java.npy");
        String out = capture("simulate", "--network", "microcircuit", "--device", id, "--neurons", "770", "--ms", "60", "--transient", "10",
                "--json", json.toString(), "--plot", png.toString(), "--record", rec.toString());
        assertTrue(out.contains("L2/3e") && out.contains("L6i") && out.contains("reference"), out);
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(8, o.getAsJsonObject("rates_hz").size());
        assertEquals(10.0, o.get("transient_ms").getAsDouble(), 1e-9);
        assertTrue(o.get("synapses").getAsLong() > 100_000, "synapses " + o.get("synapses"));
        HostMatrix sp = Npy.read(rec);
        assertTrue(sp.rows() > 100, "spikes recorded: " + sp.rows());
        for (int r = 0; r < sp.rows(); r++) assertTrue(sp.get(r, 0) > 0 && sp.get(r, 0) <= 60f && sp.get(r, 1) >= 0 && sp.get(r, 1) < 770);
        assertTrue(Files.size(png) > 1000);
        if (!id.equals("java")) {
            capture("simulate", "--network", "microcircuit", "--device", "java", "--neurons", "770", "--ms", "60", "--transient", "10", "--record", ref.toString());
            assertArrayEquals(Npy.read(ref).data(), sp.data(), id + ": the same spikes as the java reference device");
        }
    }

    @Test
    void verifyQuickPassesAndWritesReports() throws Exception {
        Path json = dir.resolve("r.json"), md = dir.resolve("r.md");
        String out = capture("verify", "--all", "--quick", "--op", "gemm", "--op", "softmax_xent", "--runs", "1",
                "--seed", "42", "--json", json.toString(), "--markdown", md.toString());
        assertTrue(out.contains("ALL PASS"), out);
        assertTrue(Files.readString(json).contains("\"all_pass\": true"));
        assertTrue(Files.readString(md).contains("| gemm |"));
    }
}

package org.neurokernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.GemmConfig;
import org.neurokernels.GemmTuning;
import org.neurokernels.KernelDevice;
import org.neurokernels.TestDevices;
import org.neurokernels.learning.Trainer;

/**
 * Processes killed (SIGKILL) while they write: {@code train --json} keeps every finished epoch, and the
 * GEMM tuning store is always either its previous or its next complete content. While the child runs,
 * the test also reads the file as another process would and requires every read to be complete.
 */
class KilledWritesTest {
    @TempDir Path dir;

    private static Process startJava(Path workDir, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().remove("NK_TUNING_FILE");
        return pb.start();
    }

    private static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "killed child did not exit");
    }

    /** Epochs in a --json file; fails on anything that is not a complete list of complete epoch objects. */
    private static List<Trainer.Epoch> epochs(Path f) throws IOException {
        String text = Files.readString(f, StandardCharsets.UTF_8);
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (RuntimeException e) {
            throw new AssertionError(f + " is not valid JSON (" + text.length() + " chars): " + e.getMessage());
        }
        assertTrue(root.isJsonArray() && text.endsWith("]\n"), () -> "not a complete list: " + text);
        for (JsonElement e : root.getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            for (String k : List.of("run", "epoch", "train_loss", "test_accuracy", "seconds", "weight_angle_deg", "update_angle_deg", "norm_ratio")) {
                assertTrue(o.has(k), () -> "epoch without " + k + ": " + o);
            }
        }
        return TrainCommand.readJson(f);
    }

    @Test
    void killedTrainingKeepsEveryFinishedEpoch() throws Exception {
        Random r = new Random(TestDevices.SEED);
        for (int round = 0; round < 2; round++) {
            Path json = dir.resolve("train-" + round + ".json");
            // earlier results in the file are replaced only by complete newer ones
            Files.writeString(json, "[]\n");
            Process p = startJava(dir, Main.class.getName(), "train", "--synthetic", "--device", "java", "--epochs", "5000",
                    "--hidden", "32", "--limit", "1000", "--batch", "32", "--json", json.toString());
            int reads = 0;
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int seen = 0;
                while (seen < 2) {
                    if (!p.isAlive()) fail("train exited early: " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                    if (System.nanoTime() > deadline) fail("no 2 epochs in " + json + " within 60 s");
                    seen = epochs(json).size();  // every read, while epochs are being written, is a complete file
                    reads++;
                    Thread.sleep(2);
                }
                // kill at a seeded moment within the next few epochs (an epoch here takes tens of ms)
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(r.nextInt(250));
                while (System.nanoTime() < until) {
                    epochs(json);
                    reads++;
                }
                assertTrue(p.isAlive(), "train must still be running when it is killed");
            } finally {
                kill(p);
            }
            List<Trainer.Epoch> kept = epochs(json);
            assertTrue(kept.size() >= 2, "kept " + kept.size() + " epochs");
            for (int i = 0; i < kept.size(); i++) {
                assertEquals(i + 1, kept.get(i).epoch(), "epochs 1..n in order");
                assertEquals("bp", kept.get(i).run());
                assertTrue(Double.isFinite(kept.get(i).trainLoss()) && kept.get(i).testAccuracy() > 0);
            }
            assertTrue(reads > 2);
        }
    }

    @Test
    void finishedTrainingFileHoldsEveryRunAndEpoch() throws Exception {
        Path json = dir.resolve("done.json");
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            assertEquals(0, Main.execute("train", "--synthetic", "--device", "java", "--rule", "bp,fa", "--epochs", "3",
                    "--hidden", "16", "--limit", "300", "--batch", "32", "--json", json.toString()));
        } finally {
            System.setOut(old);
        }
        List<Trainer.Epoch> eps = epochs(json);
        assertEquals(6, eps.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(i < 3 ? "bp" : "fa", eps.get(i).run());
            assertEquals(i % 3 + 1, eps.get(i).epoch());
        }
        // the file at the end is exactly the list of epochs, as --from-json reads it back
        assertEquals(Main.json(eps.stream().map(TrainCommand::toJson).toList()) + "\n", Files.readString(json));
    }

    static final String LOOP_KEY = "Loop_platform|Loop_device|1.0";
    static final GemmConfig A = new GemmConfig(KernelDevice.GemmKernel.PACKED, 4, 32, 64);
    static final GemmConfig B = new GemmConfig(KernelDevice.GemmKernel.TILED, 8, 32, 32);

    /** Child process: stores A and B in turn under one key, forever. */
    public static final class StoreLoop {
        public static void main(String[] args) throws IOException {
            System.setProperty("neurokernels.tuningFile", args[0]);
            for (long i = 0; ; i++) {
                GemmTuning.store(LOOP_KEY, i % 2 == 0 ? A : B);
                if (i == 1) {
                    System.out.println("storing");
                    System.out.flush();
                }
            }
        }
    }

    @Test
    void killedTuningStoreWriteLeavesOldOrNewStore() throws Exception {
        Path store = dir.resolve("tuning.properties");
        Random r = new Random(TestDevices.SEED + 1);
        Map<String, GemmConfig> others = new LinkedHashMap<>();
        List<GemmConfig> cands = GemmConfig.candidates();
        for (int i = 0; i < 60; i++) others.put("Platform_" + i + "|Device with a long name " + i + "|driver " + i, cands.get(r.nextInt(cands.size())));
        String old = System.getProperty("neurokernels.tuningFile");
        System.setProperty("neurokernels.tuningFile", store.toString());
        try {
            for (Map.Entry<String, GemmConfig> e : others.entrySet()) GemmTuning.store(e.getKey(), e.getValue());
        } finally {
            if (old == null) System.clearProperty("neurokernels.tuningFile");
            else System.setProperty("neurokernels.tuningFile", old);
        }
        Map<String, GemmConfig> expected = others;
        assertEquals(expected, GemmTuning.read(store), "keys with spaces and '|' round-trip");
        for (int round = 0; round < 3; round++) {
            Process p = startJava(dir, StoreLoop.class.getName(), store.toString());
            int reads = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                assertEquals("storing", line, "child did not start its loop");
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + r.nextInt(200));
                while (System.nanoTime() < until) {
                    check(store, expected);  // a concurrent reader never sees a partial store
                    reads++;
                }
                assertTrue(p.isAlive(), "the store loop must still be running when it is killed");
            } finally {
                kill(p);
            }
            assertTrue(reads > 0);
            check(store, expected);
        }
    }

    private static void check(Path store, Map<String, GemmConfig> expected) throws IOException {
        Map<String, GemmConfig> now = GemmTuning.read(store);  // throws if the store is unusable (partial, torn)
        GemmConfig loop = now.get(LOOP_KEY);
        assertNotNull(loop, "the store exists and holds the loop's key");
        assertTrue(loop.equals(A) || loop.equals(B), loop::toString);
        Map<String, GemmConfig> rest = new LinkedHashMap<>(now);
        rest.remove(LOOP_KEY);
        assertEquals(expected, rest, "every other entry survives");
    }
}

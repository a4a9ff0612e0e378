package org.neurokernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script ({@code ./neurokernels}) on a copy of the checkout's layout, with stand-ins for
 * {@code mvn} (writes the CLI jar, or fails when told to) and {@code java} (prints its arguments), so that
 * what a new user meets is tested without a real build: no jar yet, a source newer than the jar, a failed
 * build, a failing command.
 */
class LauncherTest {
    @TempDir Path dir;
    Path bin;
    Path log;

    record Result(int status, String out, String err) { }

    @BeforeEach
    void layout() throws IOException {
        Path launcher = Path.of(System.getProperty("user.dir")).getParent().resolve("neurokernels");
        assertTrue(Files.isRegularFile(launcher), "launcher not found at " + launcher);
        Files.copy(launcher, dir.resolve("neurokernels"));
        for (String f : List.of("java/src/main/java/A.java", "kernels-opencl/a.cl", "kernels-cuda/a.cu", "java/pom.xml", "pom.xml")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.writeString(dir.resolve(f), "x");
        }
        bin = Files.createDirectories(dir.resolve("fake-bin"));
        log = dir.resolve("calls.log");
        script("mvn", "echo \"mvn $*\" >> \"" + log + "\"\n"
                + "[ -n \"${FAKE_MVN_FAIL:-}\" ] && { echo '[ERROR] compilation failed' >&2; exit 1; }\n"
                + "mkdir -p java/target && echo jar > java/target/neurokernels-0.0-cli.jar\n");
        script("java", "echo \"java $*\" >> \"" + log + "\"\necho \"ran $*\"\nexit ${FAKE_JAVA_STATUS:-0}\n");
    }

    private void script(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result launch(String... args) throws Exception {
        return launch(java.util.Map.of(), args);
    }

    private Result launch(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", dir.resolve("neurokernels").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().remove("NK_JAVA_OPTS");
        pb.environment().putAll(env);
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private long calls(String prefix) throws IOException {
        if (!Files.exists(log)) return 0;
        return Files.readAllLines(log).stream().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void freshCloneBuildsFirstAndSaysSo() throws Exception {
        Result r = launch("devices");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("building the CLI: no CLI jar yet"), r.err());
        assertEquals(1, calls("mvn "));
        assertTrue(r.out().contains("ran -Dneurokernels.progress=false -jar " + dir.resolve("java/target/neurokernels-0.0-cli.jar") + " devices"), r.out());
        // built once: the next command runs the jar without building
        Result again = launch("ops");
        assertEquals(0, again.status(), again.err());
        assertEquals(1, calls("mvn "));
        assertFalse(again.err().contains("building"), again.err());
    }

    @Test
    void sourceNewerThanJarRebuilds() throws Exception {
        assertEquals(0, launch("devices").status());
        Path jar = dir.resolve("java/target/neurokernels-0.0-cli.jar");
        long now = System.currentTimeMillis();
        for (String f : List.of("java/src/main/java/A.java", "kernels-opencl/a.cl", "kernels-cuda/a.cu", "java/pom.xml", "pom.xml")) {
            Files.setLastModifiedTime(dir.resolve(f), FileTime.fromMillis(now - 120_000));
        }
        Files.setLastModifiedTime(jar, FileTime.fromMillis(now - 60_000));
        assertFalse(launch("devices").err().contains("building"), "nothing newer than the jar: no build");
        Files.setLastModifiedTime(dir.resolve("kernels-opencl/a.cl"), FileTime.fromMillis(now));
        Result r = launch("devices");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("kernels-opencl/a.cl is newer than the jar"), r.err());
        assertEquals(2, calls("mvn "));
    }

    @Test
    void failedBuildSaysWhatFailedAndHowToFix() throws Exception {
        Result r = launch(java.util.Map.of("FAKE_MVN_FAIL", "1"), "devices");
        assertNotEquals(0, r.status());
        assertTrue(r.err().contains("error: the build failed"), r.err());
        assertTrue(r.err().contains("fix: "), r.err());
        assertEquals(0, calls("java "), "the CLI must not run without a jar");
    }

    @Test
    void failingCommandKeepsItsStatusAndSaysSo() throws Exception {
        Result r = launch(java.util.Map.of("FAKE_JAVA_STATUS", "3"), "run", "gemm");
        assertEquals(3, r.status());
        assertTrue(r.err().contains("'neurokernels run' exited with status 3"), r.err());
    }

    @Test
    void trainOnAnExplicitDeviceUsesTheClientCompiler() throws Exception {
        Result r = launch("train", "--device", "opencl:pocl", "--epochs", "1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("-XX:TieredStopAtLevel=1"), r.out());
    }

    @Test
    void helpNeedsNoBuild() throws Exception {
        Result r = launch("--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("./neurokernels demo"), r.out());
        assertEquals(0, calls("mvn "));
    }
}

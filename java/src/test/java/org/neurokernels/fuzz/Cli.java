package org.neurokernels.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.neurokernels.cli.Main;

/** Runs the CLI in this JVM through {@link Main#execute}, capturing its exit status, stdout and stderr. */
final class Cli {
    private Cli() { }

    /** What one command did; {@code escaped} is a throwable that came out of Main.execute (never expected). */
    record Result(List<String> args, int status, String out, String err, Throwable escaped) {
        String describe() {
            return "neurokernels " + String.join(" ", args.stream().map(a -> a.isEmpty() || a.contains(" ") ? "'" + a + "'" : a).toList())
                    + "\n  exit " + status + (escaped != null ? ", threw " + escaped : "") + "\n  stdout: " + out.strip() + "\n  stderr: " + err.strip();
        }
    }

    static Result run(List<String> args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status = Integer.MIN_VALUE;
        Throwable escaped = null;
        try {
            status = Main.execute(args.toArray(String[]::new));
        } catch (Throwable t) {
            escaped = t;
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(List.copyOf(args), status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), escaped);
    }
}

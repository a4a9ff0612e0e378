package org.neurokernels.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.neurokernels.io.AtomicFiles;
import org.neurokernels.io.Npy;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;

/**
 * Writes a case as files that replay anywhere: its inputs (regenerated from the case's seed) and the
 * reference outputs as .npy, and a line in replay.sh that runs the same op on the same device with
 * {@code neurokernels run}, so a failure seen on one vendor's device can be rerun on any other. Every
 * file is replaced atomically ({@link AtomicFiles}).
 */
public final class FailureDump {
    private FailureDump() { }

    /** Writes the files of one case under {@code dir} (prefix "OP-N"); returns the replay command. */
    public static String write(Path dir, Verifier.CaseResult r, Map<String, HostMatrix> reference, int n) throws IOException {
        Files.createDirectories(dir);
        Op op = r.opDescriptor();
        String prefix = op.name() + "-" + n;
        Map<String, HostMatrix> in = op.randomInputs(r.kase(), new Random(r.seed()));
        StringBuilder cmd = new StringBuilder("./neurokernels run " + op.name() + " --device " + r.device());
        for (Map.Entry<String, HostMatrix> e : in.entrySet()) {
            Path f = dir.resolve(prefix + "-in-" + e.getKey() + ".npy");
            Npy.write(f, e.getValue());
            cmd.append(" --in ").append(e.getKey()).append('=').append(f);
        }
        r.kase().params().forEach((k, v) -> cmd.append(" --param ").append(k).append('=').append(v));
        for (Map.Entry<String, HostMatrix> e : reference.entrySet()) {
            Npy.write(dir.resolve(prefix + "-ref-" + e.getKey() + ".npy"), e.getValue());
            cmd.append(" --out ").append(e.getKey()).append('=').append(dir.resolve(prefix + "-out-" + e.getKey() + ".npy"));
        }
        String line = "# " + r.op() + " [" + r.label() + "] seed " + r.seed() + " on " + r.device() + (r.pass() ? "" : ": FAILED") + "\n" + cmd + "\n";
        Path script = dir.resolve("replay.sh");
        // appending is read, extend, replace: a killed verify leaves the previous complete script
        String before = Files.isRegularFile(script) ? Files.readString(script)
                : "#!/usr/bin/env bash\n# cases written by neurokernels verify --dump-failures; compare *-out-* with *-ref-*\nset -e\n";
        AtomicFiles.writeString(script, before + line);
        return cmd.toString();
    }
}

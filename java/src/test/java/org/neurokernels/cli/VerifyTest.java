package org.neurokernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.TestDevices;
import org.neurokernels.conformance.FailureDump;
import org.neurokernels.conformance.Probes;
import org.neurokernels.conformance.Verifier;
import org.neurokernels.io.Npy;
import org.neurokernels.ops.Check;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;

/** The conformance tooling: probes, fast-math runs, and dumped cases that replay through `run`. */
class VerifyTest {
    @TempDir Path dir;

    @Test
    void javaProbesShowIeeeFloatSemantics() {
        Map<String, Object> p = Probes.run(TestDevices.reference());
        assertEquals(false, p.get("flushes_denormal_results"));
        assertEquals(false, p.get("flushes_denormal_inputs"));
        assertEquals(false, p.get("contracts_a_times_b_plus_c"), "Java float arithmetic never contracts");
        assertTrue((Double) p.get("exp_max_ulp") <= 0.5, p.toString());
        assertEquals(4094.0, (Double) p.get("order_probe_sum"), 0.0, "the reference sums in double");
    }

    @Test
    void probesRunOnEveryDevice() {
        for (String id : TestDevices.accelerators()) {
            Map<String, Object> p = Probes.run(TestDevices.get(id));
            // OpenCL's exp is specified within 3 ulp, tanh within 5; CUDA's expf within 2, tanhf within 2
            assertTrue((Double) p.get("exp_max_ulp") <= 3.0, id + " " + p);
            assertTrue((Double) p.get("tanh_max_ulp") <= 5.0, id + " " + p);
        }
    }

    /** A case dumped by --dump-failures replays through `neurokernels run` and gives the device's own output again. */
    @Test
    void dumpedCaseReplaysWithRun() throws Exception {
        Op op = OpRegistry.get("softmax_xent");
        Op.Case c = op.cases(true).get(1);
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            Verifier.CaseResult r = Verifier.verifyCase(d, TestDevices.reference(), op, c, 99, 0);
            Map<String, HostMatrix> in = op.randomInputs(c, new Random(99));
            Map<String, HostMatrix> ref = op.execute(TestDevices.reference(), in, op.params(c.params()));
            Path sub = dir.resolve(id.replace(':', '_'));
            String cmd = FailureDump.write(sub, r, ref, 1);
            assertTrue(Files.readString(sub.resolve("replay.sh")).contains(cmd));
            String[] args = cmd.replaceFirst("^\\./neurokernels ", "").split(" ");
            assertEquals(0, Main.execute(args), cmd);
            HostMatrix replayed = Npy.read(sub.resolve("softmax_xent-1-out-probs.npy"));
            HostMatrix direct = op.execute(d, in, op.params(c.params())).get("probs");
            assertTrue(java.util.Arrays.equals(direct.data(), replayed.data()), "replay reproduces the device's bits on " + id);
            assertTrue(Check.compare(replayed, Npy.read(sub.resolve("softmax_xent-1-ref-probs.npy")), op.error("probs", in, ref, op.params(c.params()))).pass());
        }
    }

    @Test
    void fastMathRunIsInformational() {
        for (String id : TestDevices.accelerators()) {
            if (!id.startsWith("opencl")) continue;
            try (Device d = Devices.open(id, true)) {
                assertTrue(d.info().details().get("compiler_options").contains("-cl-fast-relaxed-math"));
                List<Verifier.CaseResult> rs = Verifier.verify(d, TestDevices.reference(), List.of(OpRegistry.get("activation")), true, 5, 0, null);
                assertTrue(rs.stream().allMatch(r -> r.error() == null));
            }
        }
        assertEquals(0, Main.execute("verify", "--device", "java", "--quick", "--op", "scale", "--fast-math", "--runs", "0"));
    }
}

package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.neurokernels.opencl.OpenClDevice;

/** The tuning store: a stored configuration is what the next opening of that device builds and uses. */
class GemmTuningTest {
    @TempDir Path dir;

    @Test
    void configRoundTripsAndRejectsNonsense() {
        GemmConfig c = new GemmConfig(KernelDevice.GemmKernel.PACKED, 6, 48, 32);
        assertEquals(c, GemmConfig.decode(c.encode()));
        assertThrows(IllegalArgumentException.class, () -> new GemmConfig(KernelDevice.GemmKernel.PACKED, 8, 24, 64));
        assertThrows(IllegalArgumentException.class, () -> GemmConfig.decode("PACKED mr=8"));
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

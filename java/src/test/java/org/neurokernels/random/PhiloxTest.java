package org.neurokernels.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.TestDevices;

/** Philox4x32-10 against Random123's published known-answer vectors, and the same bits on every device. */
class PhiloxTest {
    @Test
    void random123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox.philox4x32_10(new int[] {0, 0, 0, 0}, new int[] {0, 0}));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox.philox4x32_10(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox.philox4x32_10(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0}));
    }

    @Test
    void uniformIsInRangeAndFlat() {
        int n = 100_000, below = 0;
        double sum = 0;
        for (int e = 0; e < n; e++) {
            float u = Philox.uniform(e, 42, 3, 9, -1f, 1f);
            assertTrue(u >= -1f && u < 1f);
            sum += u;
            if (u < 0) below++;
        }
        assertEquals(0.0, sum / n, 0.01);
        assertEquals(0.5, (double) below / n, 0.01);
    }

    /** The device kernels reproduce the Java bits exactly, for a seed that uses both key words. */
    @Test
    void everyDeviceDrawsTheSameBits() {
        long seed = 0x1234_5678_9abc_def0L;
        float[] want = new float[37 * 11];
        for (int e = 0; e < want.length; e++) want[e] = Philox.uniform(e, seed, 5, 77, -0.5f, 2f);
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            try (Matrix m = d.allocate(37, 11)) {
                d.randomUniform(seed, 5, 77, -0.5f, 2f, m);
                assertArrayEquals(want, d.download(m), id);
            }
        }
    }

    /**
     * The range is [lo, hi) even where it is narrow for its magnitude and fma(hi - lo, u, lo) rounds up to hi
     * (for [1, nextUp(1)) about half the products do): every value stays below hi, on every device, with
     * the same bits, through the scalar and the sixteen-wide CPU kernels.
     */
    @Test
    void narrowRangesNeverReachHi() {
        float[][] ranges = {{1f, Math.nextUp(1f)}, {1e30f, Math.nextUp(Math.nextUp(1e30f))}, {-3f, Math.nextUp(-3f)}};
        for (float[] r : ranges) {
            float[] want = new float[40 * 25];
            int atHi = 0;
            for (int e = 0; e < want.length; e++) {
                want[e] = Philox.uniform(e, 99, 1, 2, r[0], r[1]);
                assertTrue(want[e] >= r[0] && want[e] < r[1], "element " + e + " = " + want[e] + " outside [" + r[0] + ", " + r[1] + ")");
                if (Math.fma(r[1] - r[0], Philox.unit(Philox.philox4x32_10(new int[] {e / 4, 1, 2, 0}, Philox.key(99))[e % 4]), r[0]) >= r[1]) atHi++;
            }
            assertTrue(r[0] != 1f || atHi > 0, "the case must exercise the rounding to hi");
            for (String id : TestDevices.selectors()) {
                Device d = TestDevices.get(id);
                // the device's own kernel, and on OpenCL CPU devices also the GPU-style one (forcing the tiled
                // GEMM selects that family: nk_random_uniform instead of nk_random_uniform16)
                for (boolean gpuStyle : d instanceof org.neurokernels.KernelDevice ? new boolean[] {false, true} : new boolean[] {false}) {
                    if (gpuStyle) ((org.neurokernels.KernelDevice) d).setGemmKernel(org.neurokernels.KernelDevice.GemmKernel.TILED);
                    try (Matrix m = d.allocate(40, 25)) {
                        d.randomUniform(99, 1, 2, r[0], r[1], m);
                        assertArrayEquals(want, d.download(m), id + (gpuStyle ? " (GPU-style kernels)" : "") + " [" + r[0] + ", " + r[1] + ")");
                    } finally {
                        if (gpuStyle) ((org.neurokernels.KernelDevice) d).setGemmKernel(null);
                    }
                }
            }
        }
    }
}

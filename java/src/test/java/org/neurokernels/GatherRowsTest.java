package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * gather_rows with indices that stay on the device: a bad row number (negative, fractional, past the end,
 * NaN, infinite) gives a NaN row on every backend instead of a read outside x; shapes are checked before launch.
 */
class GatherRowsTest {

    @Test
    void badIndicesGiveNanRowsOnEveryDevice() {
        float[] x = new float[5 * COLS];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        float[] index = {4, -1, 2.5f, 5, Float.NaN, 0, Float.POSITIVE_INFINITY, 1e9f};
        boolean[] valid = {true, false, false, false, false, true, false, false};
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            // OpenCL devices: the CPU-style kernel (nk_gather_rows16) they pick, then the GPU-style one (nk_gather_rows)
            boolean both = d instanceof KernelDevice && id.startsWith("opencl");
            for (int pass = 0; pass < (both ? 2 : 1); pass++) {
                if (pass == 1) ((KernelDevice) d).setGemmKernel(KernelDevice.GemmKernel.TILED);
                try {
                    check(d, id + (pass == 1 ? " (GPU-style kernel)" : ""), x, index, valid);
                } finally {
                    if (pass == 1) ((KernelDevice) d).setGemmKernel(null);
                }
            }
        }
    }

    private static void check(Device d, String id, float[] x, float[] index, boolean[] valid) {
        try (Matrix xm = d.upload(x, 5, COLS); Matrix im = d.upload(index, 1, index.length); Matrix out = d.allocate(index.length, COLS)) {
            d.gatherRows(xm, im, out);
            float[] o = d.download(out);
            for (int r = 0; r < index.length; r++) {
                for (int j = 0; j < COLS; j++) {
                    if (valid[r]) assertEquals(x[(int) index[r] * COLS + j], o[r * COLS + j], 0f, id + " row " + r);
                    else assertTrue(Float.isNaN(o[r * COLS + j]), id + " row " + r + " (index " + index[r] + ") must be NaN, got " + o[r * COLS + j]);
                }
            }
            Matrix wrongCols = d.allocate(index.length, COLS + 1);
            assertThrows(IllegalArgumentException.class, () -> d.gatherRows(xm, im, wrongCols));
            wrongCols.close();
            Matrix column = d.allocate(index.length, 1);
            assertThrows(IllegalArgumentException.class, () -> d.gatherRows(xm, column, out));
            column.close();
        }
    }

    /** One full sixteen-column chunk and a partial one, so both paths of the CPU kernel run. */
    private static final int COLS = 20;
}

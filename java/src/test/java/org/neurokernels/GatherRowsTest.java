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
        float[] x = new float[5 * 3];
        for (int i = 0; i < x.length; i++) x[i] = i + 1;
        float[] index = {4, -1, 2.5f, 5, Float.NaN, 0, Float.POSITIVE_INFINITY, 1e9f};
        boolean[] valid = {true, false, false, false, false, true, false, false};
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            try (Matrix xm = d.upload(x, 5, 3); Matrix im = d.upload(index, 1, index.length); Matrix out = d.allocate(index.length, 3)) {
                d.gatherRows(xm, im, out);
                float[] o = d.download(out);
                for (int r = 0; r < index.length; r++) {
                    for (int j = 0; j < 3; j++) {
                        if (valid[r]) assertEquals(x[(int) index[r] * 3 + j], o[r * 3 + j], 0f, id + " row " + r);
                        else assertTrue(Float.isNaN(o[r * 3 + j]), id + " row " + r + " (index " + index[r] + ") must be NaN, got " + o[r * 3 + j]);
                    }
                }
                Matrix wrongCols = d.allocate(index.length, 4);
                assertThrows(IllegalArgumentException.class, () -> d.gatherRows(xm, im, wrongCols));
                wrongCols.close();
                Matrix column = d.allocate(index.length, 1);
                assertThrows(IllegalArgumentException.class, () -> d.gatherRows(xm, column, out));
                column.close();
            }
        }
    }
}

package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Leading dimensions: ops on windows of larger matrices (ld > cols, non-zero offset) touch exactly
 * their window and agree with the reference run on the same windows.
 */
class ViewsTest {

    static List<String> devices() { return TestDevices.selectors(); }

    private static float[] random(int n, Random r) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) ((0.1 + 0.9 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
        return d;
    }

    /** Runs gemm (A^T B into a window of C), a dense forward and a hadamard on views; returns the full C and H buffers. */
    private static float[][] run(Device d, long seed) {
        Random r = new Random(seed);
        try (Matrix a = d.upload(random(40 * 50, r), 40, 50);
             Matrix b = d.upload(random(45 * 60, r), 45, 60);
             Matrix c = d.upload(random(70 * 80, r), 70, 80);
             Matrix h = d.upload(random(30 * 40, r), 30, 40)) {
            Matrix av = a.view(3, 5, 33, 41);    // op(A) = av^T: 41 x 33
            Matrix bv = b.view(7, 9, 33, 47);    // 33 x 47
            Matrix cv = c.view(11, 13, 41, 47);
            d.gemm(Trans.T, Trans.N, 0.5f, av, bv, -2f, cv);
            Matrix x = a.view(1, 2, 20, 30);
            Matrix w = b.view(2, 3, 25, 30);
            Matrix bias = b.view(40, 20, 1, 25);
            Matrix out = h.view(4, 6, 20, 25);
            d.denseForward(x, w, bias, Activation.TANH, out, null);
            d.hadamard(c.view(0, 0, 5, 7), c.view(20, 30, 5, 7), c.view(60, 70, 5, 7));
            return new float[][] {d.download(c), d.download(h)};
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void opsOnViewsMatchTheReference(String id) {
        float[][] ref = run(TestDevices.reference(), TestDevices.SEED);
        float[][] got = run(TestDevices.get(id), TestDevices.SEED);
        for (int t = 0; t < 2; t++) {
            // untouched elements are bit-identical to the upload; touched ones within 1e-4 of the O(1)-scaled reference
            for (int e = 0; e < ref[t].length; e++) {
                float diff = Math.abs(ref[t][e] - got[t][e]);
                int ee = e, tt = t;
                assertTrue(diff <= 1e-4f * (1 + Math.abs(ref[t][e])), () -> "buffer " + tt + " element " + ee + ": " + got[tt][ee] + " vs " + ref[tt][ee]);
            }
        }
        // and the area outside the windows was not written: compare with a fresh draw of the same seed
        Random r = new Random(TestDevices.SEED);
        random(40 * 50, r);
        random(45 * 60, r);
        float[] c0 = random(70 * 80, r);
        assertArrayEquals(new float[] {c0[10 * 80 + 13], c0[52 * 80 + 13], c0[11 * 80 + 12], c0[11 * 80 + 60]},
                new float[] {got[0][10 * 80 + 13], got[0][52 * 80 + 13], got[0][11 * 80 + 12], got[0][11 * 80 + 60]});
    }
}

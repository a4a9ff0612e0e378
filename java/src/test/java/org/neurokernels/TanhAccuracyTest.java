package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * tanh on every device, densely: 2^20 floats evenly spread over [-12, 12] plus the special values, against
 * Math.tanh in double. CPU OpenCL devices evaluate the rational nk_tanh16 (kernels-opencl/common.cl, about
 * 5.1 ulp at worst by kernels-opencl/tools/fit_tanh.py), other paths the vendor's tanh; all must stay within
 * 6 ulp, keep the sign and NaN, and give exactly +-1 for large arguments and +-0 for +-0.
 */
class TanhAccuracyTest {
    static final int N = 1 << 20;

    @Test
    void tanhWithinSixUlpEverywhere() {
        float[] x = new float[N + 8];
        for (int i = 0; i < N; i++) x[i] = -12f + 24f * i / (N - 1);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f, -1e-7f, 9f};
        System.arraycopy(special, 0, x, N, special.length);
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            boolean both = d instanceof KernelDevice && id.startsWith("opencl");
            for (int pass = 0; pass < (both ? 2 : 1); pass++) {
                if (pass == 1) ((KernelDevice) d).setGemmKernel(KernelDevice.GemmKernel.TILED);  // the scalar kernel
                try (Matrix in = d.upload(x, 1, x.length); Matrix out = d.allocate(1, x.length)) {
                    d.activation(Activation.TANH, in, out);
                    float[] y = d.download(out);
                    String what = id + (pass == 1 ? " (scalar kernel)" : "");
                    double worst = 0;
                    for (int i = 0; i < N; i++) {
                        double ref = Math.tanh(x[i]);
                        double ulps = Math.abs(y[i] - ref) / Math.ulp((float) ref);
                        worst = Math.max(worst, ulps);
                        assertTrue(ulps <= 6, what + ": tanh(" + x[i] + ") = " + y[i] + ", " + ulps + " ulp from " + ref);
                    }
                    assertEquals(0f, y[N], 0f);
                    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(y[N + 1]), what + ": tanh(-0) = -0");
                    assertTrue(Float.isNaN(y[N + 2]), what + ": tanh(NaN) must be NaN");
                    assertEquals(1f, y[N + 3], 0f, what);
                    assertEquals(-1f, y[N + 4], 0f, what);
                    assertEquals(1e-30f, y[N + 5], 0f, what);
                    assertEquals(-1e-7f, y[N + 6], Math.ulp(1e-7f), what);
                    assertEquals(1f, y[N + 7], Math.ulp(1f), what);
                    assertTrue(worst > 0 || id.equals("java"), what + ": no error at all is suspicious for a float tanh");
                } finally {
                    if (pass == 1) ((KernelDevice) d).setGemmKernel(null);
                }
            }
        }
    }
}

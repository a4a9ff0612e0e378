package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.neurokernels.plan.PlanTable;

/**
 * A GEMM with more row tiles than a CUDA grid holds in y (65535 blocks: M above 65535 x 64 rows for the
 * tiled kernel, 65535 x 128 for the warp-tiled one). ops/Gemm.java launches at most 65535 row tiles and the
 * kernels stride over the rest; the CUDA stand-in refuses a grid over the limit as the driver does, so this
 * runs the real launch path without a GPU. K and N are small so the products stay cheap; every row is checked.
 */
class GridLimitTest {
    static final int GRID_Y = 65535;

    @TestFactory
    Stream<DynamicTest> gemmsPastTheGridLimit() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String id : TestDevices.accelerators()) {
            boolean cuda = id.startsWith("cuda");
            for (KernelDevice.GemmKernel kernel : cuda ? List.of(KernelDevice.GemmKernel.TILED, KernelDevice.GemmKernel.WARP)
                    : List.of(KernelDevice.GemmKernel.TILED)) {
                tests.add(dynamicTest(id + " " + kernel, () -> run((KernelDevice) TestDevices.get(id), kernel)));
            }
        }
        return tests.stream();
    }

    private static void run(KernelDevice d, KernelDevice.GemmKernel kernel) {
        d.setGemmKernel(kernel);
        try {
            // rows of C per block: 128 (warp-tiled), at most 64 (tiled, GemmConfig.TS_VALUES)
            int m = GRID_Y * (kernel == KernelDevice.GemmKernel.WARP ? 128 : 64) + 37, k = 3, n = 2;
            List<PlanTable.Launch> plan = d.gemmPlan(m, n, k, false, true);
            long blocksY = kernel == KernelDevice.GemmKernel.WARP ? plan.get(0).globalY() : plan.get(0).globalY() / plan.get(0).localY();
            assertEquals(GRID_Y, blocksY, "the plan launches at most 65535 row tiles: " + plan);
            Random rnd = new Random(TestDevices.SEED);
            float[] a = new float[m * k], b = new float[n * k];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
            for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
            try (Matrix ma = d.upload(a, m, k); Matrix mb = d.upload(b, n, k); Matrix mc = d.allocate(m, n)) {
                d.fill(mc, Float.NaN);
                d.gemm(Trans.N, Trans.T, 1f, ma, mb, 0f, mc);
                float[] c = d.download(mc);
                int bad = 0;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = 0, scale = 0;
                        for (int q = 0; q < k; q++) {
                            want += (double) a[i * k + q] * b[j * k + q];
                            scale += Math.abs((double) a[i * k + q] * b[j * k + q]);
                        }
                        float got = c[i * n + j];
                        if (!(Math.abs(got - want) <= (k + 5) * 0x1p-24 * scale)) bad++;
                    }
                }
                assertTrue(bad == 0, bad + " of " + (long) m * n + " elements wrong (the last row tiles are the strided ones)");
            }
        } finally {
            d.setGemmKernel(null);
        }
    }
}

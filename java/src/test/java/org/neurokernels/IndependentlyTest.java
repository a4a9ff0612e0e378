package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * {@link Device#independently}: on every device the calls give bit for bit the results of running them one
 * after another; on OpenCL CPU devices independent neighbours share a launch (nk_gemm_pair), and calls that
 * depend on each other, or other calls between them, do not.
 */
class IndependentlyTest {

    /** One backward step of a 3-layer network under FA or BP: deltas and updates in the trainer's call order. */
    private static final class Net implements AutoCloseable {
        final List<Matrix> all = new ArrayList<>();
        final Matrix h0, h1, h2, d3, d2, d1, w1, w2, w3, b1, b2, b3, fb2, fb1;

        Net(Device d, long seed) {
            Random r = new Random(seed);
            int n = 40;
            h0 = rnd(d, r, n, 70); h1 = rnd(d, r, n, 48); h2 = rnd(d, r, n, 48);
            d3 = rnd(d, r, n, 10); d2 = rnd(d, r, n, 48); d1 = rnd(d, r, n, 48);
            w1 = rnd(d, r, 48, 70); w2 = rnd(d, r, 48, 48); w3 = rnd(d, r, 10, 48);
            b1 = rnd(d, r, 1, 48); b2 = rnd(d, r, 1, 48); b3 = rnd(d, r, 1, 10);
            fb2 = rnd(d, r, 10, 48); fb1 = rnd(d, r, 48, 48);
        }

        private Matrix rnd(Device d, Random r, int rows, int cols) {
            float[] v = new float[rows * cols];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            Matrix m = d.upload(v, rows, cols);
            all.add(m);
            return m;
        }

        /** bwd 2, bwd 1, update 3, update 2, update 1; BP reads the W an update writes. */
        void backward(Device d, boolean bp) {
            d.backwardDelta(d3, Trans.N, bp ? w3 : fb2, h2, Activation.TANH, true, d2);
            d.backwardDelta(d2, Trans.N, bp ? w2 : fb1, h1, Activation.TANH, true, d1);
            d.denseUpdate(0.05f, 1e-3f, 0f, d3, h2, w3, b3, null, null, null);
            d.denseUpdate(0.05f, 1e-3f, 0f, d2, h1, w2, b2, null, null, null);
            d.denseUpdate(0.05f, 1e-3f, 0f, d1, h0, w1, b1, null, null, null);
        }

        List<float[]> contents(Device d) {
            List<float[]> out = new ArrayList<>();
            for (Matrix m : all) out.add(d.download(m));
            return out;
        }

        @Override public void close() { for (Matrix m : all) m.close(); }
    }

    private static long launches(Device d) {
        return d instanceof KernelDevice k ? k.kernelLaunches() : 0;
    }

    private static boolean mergesHere(Device d) {
        return d instanceof KernelDevice k && "CPU".equals(d.info().details().get("device_type")) && k.gemmKernel() == KernelDevice.GemmKernel.PACKED;
    }

    /** Runs {@code body} on a fresh network twice, plainly and inside independently(); returns both launch counts. */
    private static long[] compare(Device d, String id, boolean bp, Consumer<Net> body) {
        List<float[]> plain, merged;
        long l0, l1, l2;
        try (Net a = new Net(d, 17)) {
            l0 = launches(d);
            body.accept(a);
            plain = a.contents(d);
            l1 = launches(d);
        }
        try (Net b = new Net(d, 17)) {
            long start = launches(d);
            d.independently(() -> body.accept(b));
            merged = b.contents(d);
            l2 = launches(d) - start;
        }
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), merged.get(i), id + (bp ? " BP" : " FA") + " matrix " + i);
        return new long[] {l1 - l0, l2};
    }

    @Test
    void sameResultsBitForBitAndFewerLaunchesWhereIndependent() {
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            for (boolean bp : new boolean[] {false, true}) {
                long[] n = compare(d, id, bp, net -> net.backward(d, bp));
                if (mergesHere(d)) {
                    assertEquals(5, n[0], id + ": five launches one by one");
                    // FA: (bwd 1, update 3) and (update 2, update 1) pair up; BP: bwd 1 reads W2, which update 2
                    // writes, but bwd 1 and update 3 are independent, as are updates 2 and 1
                    assertEquals(3, n[1], id + (bp ? " BP" : " FA") + ": merged launches");
                }
            }
        }
    }

    @Test
    void everyKernelPairsWithEveryOther() {
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            // a dense forward, then two independent ones (nk_gemm_dot with nk_gemm_dot), a delta and a
            // 10-row update reading the same H (nk_gemm_direct with nk_gemm_direct1), a plain gemm with beta
            long[] n = compare(d, id, false, net -> {
                d.denseForward(net.h0, net.w1, net.b1, Activation.TANH, net.h1, null);
                d.denseForward(net.h1, net.fb1, null, Activation.RELU, net.d1, null);
                d.denseForward(net.h2, net.w3, net.b3, Activation.IDENTITY, net.d3, null);
                d.backwardDelta(net.d3, Trans.N, net.fb2, net.h2, Activation.LOGISTIC, true, net.d2);
                d.denseUpdate(0.05f, 1e-3f, 0f, net.d3, net.h2, net.w3, net.b3, null, null, null);
                d.gemm(Trans.T, Trans.N, 0.5f, net.d1, net.h0, 0.25f, net.w1);
            });
            if (mergesHere(d)) {
                assertEquals(6, n[0], id + ": six launches one by one");
                assertEquals(4, n[1], id + ": the two forwards and the delta with the update pair up");
            }
        }
    }

    @Test
    void dependentCallsAndCallsBetweenAreNotMerged() {
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            // each update reads the delta the call before it wrote, or writes what the next one reads
            long[] chain = compare(d, id, false, net -> {
                d.backwardDelta(net.d3, Trans.N, net.fb2, net.h2, Activation.TANH, true, net.d2);
                d.denseUpdate(0.05f, 0f, 0f, net.d2, net.h1, net.w2, net.b2, null, null, null);
                d.backwardDelta(net.d2, Trans.N, net.w2, net.h1, Activation.TANH, true, net.d1);
            });
            // a fill between two independent updates runs between them: the second sees its effect
            long[] between = compare(d, id, false, net -> {
                d.denseUpdate(0.05f, 0f, 0f, net.d3, net.h2, net.w3, net.b3, null, null, null);
                d.fill(net.h1, 0.25f);
                d.denseUpdate(0.05f, 0f, 0f, net.d2, net.h1, net.w2, net.b2, null, null, null);
            });
            if (mergesHere(d)) {
                assertEquals(chain[0], chain[1], id + ": a dependent chain keeps its launches");
                assertEquals(between[0], between[1], id + ": nothing merges across another call");
            }
        }
    }

    @Test
    void aDownloadInsideSeesTheWorkBeforeIt() {
        for (String id : TestDevices.selectors()) {
            Device d = TestDevices.get(id);
            try (Net a = new Net(d, 3); Net b = new Net(d, 3)) {
                a.backward(d, false);
                float[] expect = d.download(a.w1);
                float[][] seen = new float[1][];
                d.independently(() -> {
                    b.backward(d, false);
                    seen[0] = d.download(b.w1);
                });
                assertArrayEquals(expect, seen[0], id);
            }
            assertThrows(NullPointerException.class, () -> d.independently(null));
        }
    }

    @Test
    void pairsRunOnTheCpuDevice() {
        boolean any = false;
        for (String id : TestDevices.selectors()) any |= mergesHere(TestDevices.get(id));
        assertTrue(any || !TestDevices.requireOpenCL(), "an OpenCL CPU device is required here (NK_REQUIRE_OPENCL) but none merges");
    }
}

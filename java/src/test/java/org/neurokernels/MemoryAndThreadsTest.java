package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Allocation accounting, no leaks under repeated use, and the documented threading contract. */
class MemoryAndThreadsTest {

    static List<String> devices() { return TestDevices.selectors(); }

    @ParameterizedTest
    @MethodSource("devices")
    void tenThousandCyclesEndAtZero(String id) {
        Device d = TestDevices.get(id);
        int before = d.liveAllocations();
        long bytesBefore = d.liveBytes();
        float[] host = {1, 2, 3, 4, 5, 6};
        double last = 0;
        for (int i = 0; i < 10_000; i++) {
            try (Matrix a = d.upload(host, 2, 3); Matrix c = d.allocate(2, 2)) {
                assertEquals(before + 2, d.liveAllocations());
                assertEquals(bytesBefore + 4 * (6 + 4), d.liveBytes());
                d.gemm(Trans.N, Trans.T, 1f, a, a, 0f, c);
                if (i % 1000 == 0) last = d.download(c)[0];
            }
        }
        assertEquals(14.0, last, "1+4+9");
        assertEquals(before, d.liveAllocations());
        assertEquals(bytesBefore, d.liveBytes());
    }

    @ParameterizedTest
    @MethodSource("devices")
    void opsAllocateNothingPerCall(String id) {
        Device d = TestDevices.get(id);
        try (Matrix x = d.upload(new float[] {1, -2, 3, -4}, 2, 2); Matrix y = d.allocate(2, 2); Matrix s = d.allocate(1, 2)) {
            int live = d.liveAllocations();
            long bytes = d.liveBytes();
            d.activation(Activation.TANH, x, y);
            d.columnSums(x, s);
            assertEquals(30.0, d.dot(x, x), 0.0);
            assertEquals(Math.sqrt(30.0), d.frobeniusNorm(x), 1e-6);
            assertEquals(live, d.liveAllocations());
            assertEquals(bytes, d.liveBytes());
        }
    }

    /** Four threads share one device; every thread's results are right. */
    @ParameterizedTest
    @MethodSource("devices")
    void oneDeviceFromSeveralThreads(String id) throws Exception {
        Device d = TestDevices.get(id);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final float v = t + 1;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        try (Matrix a = d.allocate(17, 9); Matrix c = d.allocate(17, 17)) {
                            d.fill(a, v);
                            d.gemm(Trans.N, Trans.T, 1f, a, a, 0f, c);
                            for (float e : d.download(c)) assertEquals(9 * v * v, e, 0f);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdown();
        }
    }

    /** Closing a device while another thread is using it makes that thread fail cleanly, never crash. */
    @ParameterizedTest
    @MethodSource("devices")
    void closeWhileInUseFailsCleanly(String id) throws Exception {
        Device d = Devices.open(id);
        Matrix a = d.allocate(64, 64);
        Matrix c = d.allocate(64, 64);
        Thread worker = new Thread(() -> {
            try {
                while (true) d.gemm(Trans.N, Trans.N, 1f, a, a, 0f, c);
            } catch (IllegalStateException expected) {
                // the device or a matrix was closed: the documented outcome
            }
        });
        worker.start();
        Thread.sleep(50);
        d.close();
        worker.join(10_000);
        assertTrue(!worker.isAlive(), "the worker must stop with IllegalStateException");
        assertEquals(0, d.liveAllocations());
    }
}

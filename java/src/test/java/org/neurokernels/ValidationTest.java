package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a clear exception before anything is launched, on every device. */
class ValidationTest {

    static List<String> devices() { return TestDevices.selectors(); }

    private static <T extends Throwable> void fails(Class<T> type, String fragment, org.junit.jupiter.api.function.Executable call) {
        T e = assertThrows(type, call);
        assertTrue(String.valueOf(e.getMessage()).contains(fragment), () -> "message '" + e.getMessage() + "' should mention '" + fragment + "'");
    }

    @ParameterizedTest
    @MethodSource("devices")
    void shapesNullsAndSizes(String id) {
        Device d = TestDevices.get(id);
        try (Matrix a = d.allocate(3, 4); Matrix b = d.allocate(5, 6); Matrix c = d.allocate(3, 6); Matrix row = d.allocate(1, 6)) {
            fails(IllegalArgumentException.class, "gemm: b is 5x6, expected 4x6", () -> d.gemm(Trans.N, Trans.N, 1f, a, b, 0f, c));
            fails(IllegalArgumentException.class, "gemm: c is 3x6, expected 3x3", () -> d.gemm(Trans.N, Trans.T, 1f, a, a, 0f, c));
            fails(NullPointerException.class, "'b'", () -> d.gemm(Trans.N, Trans.N, 1f, a, null, 0f, c));
            fails(NullPointerException.class, "transA", () -> d.gemm(null, Trans.N, 1f, a, b, 0f, c));
            fails(IllegalArgumentException.class, "at least 1x1", () -> d.allocate(0, 3));
            fails(IllegalArgumentException.class, "at least 1x1", () -> d.allocate(3, -1));
            fails(IllegalArgumentException.class, "2^31-1", () -> d.allocate(65536, 65536));
            fails(IllegalArgumentException.class, "elements", () -> d.upload(new float[5], 2, 3));
            fails(IllegalArgumentException.class, "hadamard: y is", () -> d.hadamard(a, c, a));
            fails(IllegalArgumentException.class, "expected 1x", () -> d.columnSums(c, d.allocate(1, 5)));
            fails(IllegalArgumentException.class, "bias", () -> d.denseForward(c, b, c, Activation.TANH, d.allocate(3, 5), null));
            fails(IllegalArgumentException.class, "outside", () -> a.view(2, 2, 2, 3));
            fails(IllegalArgumentException.class, "loss", () -> d.softmaxCrossEntropy(c, c.view(0, 0, 3, 6), d.allocate(3, 6), d.allocate(3, 6), row));
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void fusedUpdateAndGatherAreChecked(String id) {
        Device d = TestDevices.get(id);
        try (Matrix delta = d.allocate(8, 3); Matrix h = d.allocate(8, 5); Matrix w = d.allocate(3, 5); Matrix b = d.allocate(1, 3);
             Matrix vw = d.allocate(3, 5); Matrix wrong = d.allocate(5, 3); Matrix index = d.allocate(1, 4); Matrix rows = d.allocate(4, 5)) {
            fails(IllegalArgumentException.class, "expected 3x5", () -> d.denseUpdate(0.1f, 0f, 0f, delta, h, wrong, b, null, null, null));
            fails(IllegalArgumentException.class, "dense_update: h is 7x5, expected 8x5", () -> d.denseUpdate(0.1f, 0f, 0f, delta, h.view(0, 0, 7, 5), w, b, null, null, null));
            fails(IllegalArgumentException.class, "expected 1x3", () -> d.denseUpdate(0.1f, 0f, 0f, delta, h, w, vw, null, null, null));
            fails(IllegalArgumentException.class, "momentum != 0 needs input velocity_w", () -> d.denseUpdate(0.1f, 0f, 0.9f, delta, h, w, b, null, null, null));
            fails(IllegalArgumentException.class, "momentum != 0 with b needs input velocity_b", () -> d.denseUpdate(0.1f, 0f, 0.9f, delta, h, w, b, vw, null, null));
            fails(IllegalArgumentException.class, "overlaps", () -> d.denseUpdate(0.1f, 0f, 0f, delta, h, w, null, null, null, w));
            fails(NullPointerException.class, "'h'", () -> d.denseUpdate(0.1f, 0f, 0f, delta, null, w, null, null, null, null));
            // output_layer: h 8x5, w 3x5 (3 classes), targets/probs/grad 8x3 (delta, b, w reuse shapes above)
            try (Matrix t = d.allocate(8, 3); Matrix p = d.allocate(8, 3); Matrix g = d.allocate(8, 3); Matrix l = d.allocate(8, 1); Matrix dl = d.allocate(8, 5)) {
                fails(IllegalArgumentException.class, "output_layer: w is 5x3, expected 5x5", () -> d.outputLayer(h, wrong, null, t, null, Activation.TANH, p, g, l, null));
                fails(IllegalArgumentException.class, "expected 8x3", () -> d.outputLayer(h, w, b, t.view(0, 0, 7, 3), null, Activation.TANH, p, g, l, null));
                fails(IllegalArgumentException.class, "both or neither", () -> d.outputLayer(h, w, b, t, vw, Activation.TANH, p, g, l, null));
                fails(IllegalArgumentException.class, "expected 8x1", () -> d.outputLayer(h, w, b, t, null, Activation.TANH, p, g, l.view(0, 0, 7, 1), null));
                fails(IllegalArgumentException.class, "overlaps", () -> d.outputLayer(h, w, b, t, vw, Activation.TANH, p, g, l, h));
                fails(IllegalArgumentException.class, "overlaps", () -> d.outputLayer(h, w, b, t, null, Activation.TANH, p, p, l, null));
                fails(NullPointerException.class, "activation", () -> d.outputLayer(h, w, b, t, null, null, p, g, l, null));
            }
            fails(IllegalArgumentException.class, "out is 4x5, expected 3x5", () -> d.gatherRows(h, index.view(0, 0, 1, 3), rows));
            fails(IllegalArgumentException.class, "gather_rows: out is", () -> d.gatherRows(delta, index, rows));
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void aliasingIsRejected(String id) {
        Device d = TestDevices.get(id);
        try (Matrix big = d.allocate(10, 10)) {
            Matrix a = big.view(0, 0, 4, 4), b = big.view(2, 2, 4, 4), c = big.view(6, 6, 4, 4);
            fails(IllegalArgumentException.class, "overlaps", () -> d.gemm(Trans.N, Trans.N, 1f, a, c, 0f, b));
            fails(IllegalArgumentException.class, "partially overlaps", () -> d.scale(2f, a, b));
            d.scale(2f, a, a); // exact in-place use is allowed
            d.gemm(Trans.N, Trans.N, 1f, a, c, 0f, big.view(0, 6, 4, 4)); // disjoint windows of one buffer are fine
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void closedMatricesAndForeignDevices(String id) {
        Device d = TestDevices.get(id);
        Matrix a = d.allocate(2, 2);
        Matrix view = a.view(0, 0, 1, 1);
        a.close();
        a.close(); // idempotent
        fails(IllegalStateException.class, "closed", () -> d.download(a));
        fails(IllegalStateException.class, "closed", () -> d.fill(view, 1f));
        fails(IllegalStateException.class, "closed", () -> a.view(0, 0, 1, 1));
        try (Device other = Devices.open("java"); Matrix foreign = other.allocate(2, 2); Matrix mine = d.allocate(2, 2)) {
            fails(IllegalArgumentException.class, "belongs to device", () -> d.copy(foreign, mine));
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void closedDeviceRefusesWork(String id) {
        Device d = Devices.open(id);
        Matrix m = d.allocate(3, 3);
        d.close();
        assertTrue(m.isClosed(), "closing a device closes its matrices");
        assertEquals(0, d.liveAllocations());
        fails(IllegalStateException.class, "closed", () -> d.allocate(1, 1));
        fails(IllegalStateException.class, "closed", () -> d.fill(m, 0f));
        d.close(); // idempotent
    }

    @org.junit.jupiter.api.Test
    void selectorsAreExplicit() {
        fails(IllegalArgumentException.class, "unknown device selector", () -> Devices.open("gpu0"));
        fails(IllegalArgumentException.class, "expected cuda:N", () -> Devices.open("cuda:x"));
        fails(DeviceUnavailableException.class, "opencl:7:0", () -> Devices.open("opencl:7:0"));
        // with OpenCL devices the message says none matched; without an OpenCL driver it says OpenCL is unavailable
        fails(DeviceUnavailableException.class, Devices.backends().stream().anyMatch(b -> b.backend().equals("opencl") && b.available()) ? "match" : "opencl",
                () -> Devices.open("opencl:no-such-device-name"));
        if (Devices.backends().stream().noneMatch(b -> b.backend().equals("cuda") && b.available())) {
            DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> Devices.open("cuda:0"));
            assertTrue(e.getMessage().startsWith("cuda:0: "), e.getMessage());
        }
        Devices.Choice c = Devices.chooseAuto();
        assertTrue(!c.reason().isBlank());
        try (Device auto = Devices.open("auto")) {
            assertEquals(c.selector(), auto.id(), "auto opens what it says it chose");
        }
    }
}

package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Selecting OpenCL devices by name and ranking them for auto, independent of the order ICDs are listed in. */
class DevicesTest {
    static DeviceInfo cl(String id, String name, String type, String platform, String vendor, String version) {
        return new DeviceInfo(id, "opencl", name, vendor, "1.0", 1L << 30, 4,
                Map.of("platform", platform, "platform_vendor", vendor, "platform_version", version, "device_type", type));
    }

    static final DeviceInfo POCL = cl("opencl:0:0", "pthread-haswell-AMD EPYC", "CPU", "Portable Computing Language", "The pocl project", "OpenCL 3.0 PoCL 3.1+debian");
    static final DeviceInfo OCLGRIND = cl("opencl:1:0", "Oclgrind Simulator", "GPU", "Oclgrind", "University of Bristol", "OpenCL 1.2 (Oclgrind 21.10)");
    static final DeviceInfo GPU = cl("opencl:2:0", "NVIDIA H100", "GPU", "NVIDIA CUDA", "NVIDIA Corporation", "OpenCL 3.0 CUDA 12.4");
    static final DeviceInfo OTHER_CPU = cl("opencl:3:0", "Intel(R) Xeon", "CPU", "Intel(R) OpenCL", "Intel(R) Corporation", "OpenCL 3.0 LINUX");

    @Test
    void poclIsFoundByPlatformVersionOrVendor() {
        assertTrue(Devices.matchesName(POCL, "pocl"));
        assertTrue(Devices.matchesName(POCL, "POCL"));
        assertTrue(Devices.matchesName(POCL, "Portable"));
        assertTrue(Devices.matchesName(POCL, "haswell"));
        assertFalse(Devices.matchesName(OCLGRIND, "pocl"));
        assertFalse(Devices.matchesName(GPU, "pocl"));
        assertTrue(Devices.matchesName(OCLGRIND, "oclgrind"));
    }

    @Test
    void autoPrefersRealGpusThenCpusAndSimulatorsLastInEveryOrder() {
        List<DeviceInfo> all = new ArrayList<>(List.of(POCL, OCLGRIND, GPU, OTHER_CPU));
        for (int rotation = 0; rotation < all.size(); rotation++) {
            Collections.rotate(all, 1);
            assertEquals(GPU, Devices.bestOpenCl(all), all.toString());
            List<DeviceInfo> noGpu = new ArrayList<>(all);
            noGpu.remove(GPU);
            // two CPUs: the tie is broken by name, never by position
            assertEquals(OTHER_CPU, Devices.bestOpenCl(noGpu), noGpu.toString());
            List<DeviceInfo> poclAndSimulator = new ArrayList<>(List.of(OCLGRIND, POCL));
            if (rotation % 2 == 1) Collections.reverse(poclAndSimulator);
            assertEquals(POCL, Devices.bestOpenCl(poclAndSimulator));
        }
        assertEquals(OCLGRIND, Devices.bestOpenCl(List.of(OCLGRIND)), "a simulator is still chosen when it is the only device");
        assertTrue(Devices.isSimulator(OCLGRIND));
        assertFalse(Devices.isSimulator(POCL));
    }

    @Test
    void badSelectorsSayWhatIsAccepted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.open("gpu0"));
        assertTrue(e.getMessage().contains("opencl:pocl"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Devices.open(" "));
        assertThrows(IllegalArgumentException.class, () -> Devices.open("cuda:x"));
    }

    @Test
    void aNameThatMatchesNothingListsTheDevices() {
        if (!Devices.openClStatus().available()) return;  // the message lists OpenCL devices; without any there is nothing to list
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> Devices.open("opencl:no-such-device-xyz"));
        assertTrue(e.getMessage().contains("0 OpenCL devices match"), e.getMessage());
        assertTrue(e.getMessage().contains("opencl:"), e.getMessage());
    }

    @Test
    void poclSelectorOpensPoclWhenItIsInstalled() {
        if (!Devices.openClStatus().available() || Devices.openClStatus().devices().stream().noneMatch(d -> Devices.matchesName(d, "pocl"))) {
            assertFalse(TestDevices.requireOpenCL(), "CI requires PoCL, but no OpenCL device matches 'pocl'");
            return;
        }
        try (Device d = Devices.open("opencl:pocl")) {
            assertTrue(d.info().details().get("platform_version").toLowerCase(java.util.Locale.ROOT).contains("pocl"), d.info().toString());
        }
    }
}

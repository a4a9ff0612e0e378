package org.neurokernels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The devices the suites run on: java, every OpenCL device and every CUDA device this machine has,
 * each opened once per JVM. With -Dneurokernels.requireOpenCL=true (CI) a machine without an OpenCL
 * device fails instead of silently testing java alone.
 */
public final class TestDevices {
    private static final Map<String, Device> OPEN = new LinkedHashMap<>();
    public static final long SEED = Long.getLong("neurokernels.seed", System.nanoTime());

    static {
        System.out.println("[neurokernels tests] random seed " + SEED + " (rerun with -Dneurokernels.seed=" + SEED + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (OPEN) {
                OPEN.values().forEach(Device::close);
            }
        }));
    }

    private TestDevices() { }

    /** True under -Dneurokernels.requireOpenCL=true or NK_REQUIRE_OPENCL=1 (set by .ci/run). */
    public static boolean requireOpenCL() {
        String env = System.getenv("NK_REQUIRE_OPENCL");
        return Boolean.getBoolean("neurokernels.requireOpenCL") || "1".equals(env) || "true".equalsIgnoreCase(env);
    }

    /** True under NK_REQUIRE_CUDA=1 (./neurokernels test sets it when it puts the CPU stand-in for libcuda.so.1 in place). */
    public static boolean requireCuda() {
        String env = System.getenv("NK_REQUIRE_CUDA");
        return Boolean.getBoolean("neurokernels.requireCuda") || "1".equals(env) || "true".equalsIgnoreCase(env);
    }

    /** Selectors of every device to test, java first. */
    public static synchronized List<String> selectors() {
        List<String> ids = new ArrayList<>();
        boolean anyOpenCl = false, anyCuda = false;
        for (Devices.BackendStatus b : Devices.backends()) {
            if (!b.available()) {
                System.out.println("[neurokernels tests] backend " + b.backend() + " unavailable: " + b.reason());
            }
            for (DeviceInfo d : b.devices()) {
                ids.add(d.id());
                anyOpenCl |= d.backend().equals("opencl");
                anyCuda |= d.backend().equals("cuda");
            }
        }
        if (requireOpenCL() && !anyOpenCl) {
            throw new IllegalStateException("neurokernels.requireOpenCL is set but no OpenCL device was found: " + Devices.backends());
        }
        if (requireCuda() && !anyCuda) {
            throw new IllegalStateException("NK_REQUIRE_CUDA is set but no CUDA device was found (is the stand-in on LD_LIBRARY_PATH?): " + Devices.backends());
        }
        return ids;
    }

    /** Selectors of the devices other than the java reference. */
    public static List<String> accelerators() {
        List<String> ids = selectors();
        ids.remove("java");
        return ids;
    }

    public static Device get(String selector) {
        synchronized (OPEN) {
            return OPEN.computeIfAbsent(selector, Devices::open);
        }
    }

    public static Device reference() { return get("java"); }
}

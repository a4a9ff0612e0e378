package org.neurokernels;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a device is: its selector id ({@code java}, {@code opencl:P:D}, {@code cuda:N}), backend, name,
 * vendor, driver version, global memory and compute units, plus backend-specific details
 * (OpenCL C version, compute capability, compiler options) for reports that are diffed across vendors.
 */
public record DeviceInfo(String id, String backend, String name, String vendor, String driverVersion,
                         long globalMemoryBytes, int computeUnits, Map<String, String> details) {

    public DeviceInfo {
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** A flat, ordered map of every field, for JSON and tables. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("backend", backend);
        m.put("name", name);
        m.put("vendor", vendor);
        m.put("driver_version", driverVersion);
        m.put("global_memory_bytes", globalMemoryBytes);
        m.put("compute_units", computeUnits);
        m.put("details", details);
        return m;
    }
}

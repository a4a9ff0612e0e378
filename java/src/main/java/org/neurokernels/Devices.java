package org.neurokernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.neurokernels.cuda.CudaDevice;
import org.neurokernels.opencl.OpenClDevice;
import org.neurokernels.reference.JavaDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery and explicit selection of devices.
 *
 * <p>Selectors: {@code java}; {@code opencl:NAME} (the one OpenCL device whose device name, platform name,
 * platform vendor or platform version contains NAME, case-insensitive: {@code opencl:pocl} is PoCL's device
 * whatever order the ICD loader lists the platforms in); {@code opencl:P:D} (platform P, device D, in the ICD
 * loader's order, which changes when another OpenCL runtime is installed); {@code opencl} (the best OpenCL
 * device, ranked as for auto); {@code cuda:N}; {@code auto} (the first CUDA device, else the best OpenCL device,
 * else java; it logs and reports what it chose and why). The OpenCL ranking never depends on enumeration
 * order: GPUs and accelerators before CPUs, simulators (Oclgrind) last, then by device and platform name.
 * A named device that cannot be opened raises {@link DeviceUnavailableException} with the reason: never a
 * silent fallback.
 */
public final class Devices {
    private static final Logger LOG = LoggerFactory.getLogger(Devices.class);

    private Devices() { }

    /** One backend's state: its devices, or why it has none. */
    public record BackendStatus(String backend, boolean available, String reason, List<DeviceInfo> devices) {
        public BackendStatus {
            devices = List.copyOf(devices);
        }
    }

    /** The outcome of resolving {@code auto}: the selector chosen and why. */
    public record Choice(String selector, String reason) { }

    /** The state of the java, opencl and cuda backends on this machine (nothing is opened). */
    public static List<BackendStatus> backends() {
        List<BackendStatus> out = new ArrayList<>();
        out.add(new BackendStatus("java", true, "always available", List.of(new JavaDevice().info())));
        out.add(openClStatus());
        out.add(cudaStatus());
        return out;
    }

    /** Every usable device, in {@code auto}'s order of preference reversed: java, opencl, cuda. */
    public static List<DeviceInfo> list() {
        List<DeviceInfo> out = new ArrayList<>();
        for (BackendStatus b : backends()) out.addAll(b.devices());
        return out;
    }

    static BackendStatus openClStatus() {
        try {
            List<DeviceInfo> ds = OpenClDevice.discover();
            if (ds.isEmpty()) {
                boolean anyPlatform = !OpenClDevice.platforms().isEmpty();
                return new BackendStatus("opencl", false, anyPlatform ? "no device: the OpenCL platforms report no devices"
                        : "no ICD: libOpenCL loaded but no OpenCL platform is installed (Debian: apt-get install pocl-opencl-icd)", List.of());
            }
            return new BackendStatus("opencl", true, ds.size() + " device(s)", ds);
        } catch (LinkageError e) {
            return new BackendStatus("opencl", false, "no libOpenCL: " + e.getMessage() + " (Debian: apt-get install ocl-icd-libopencl1 pocl-opencl-icd)", List.of());
        } catch (RuntimeException e) {
            return new BackendStatus("opencl", false, "OpenCL error: " + e.getMessage(), List.of());
        }
    }

    /** Set once loading the JCuda driver natives failed: the JVM cannot retry that load. */
    private static volatile String cudaLinkFailure;

    static BackendStatus cudaStatus() {
        if (cudaLinkFailure != null) return new BackendStatus("cuda", false, cudaLinkFailure, List.of());
        List<DeviceInfo> ds;
        try {
            ds = CudaDevice.discover();
        } catch (LinkageError e) {
            String msg = String.valueOf(e.getMessage());
            cudaLinkFailure = msg.contains("libcuda.so") ? "no libcuda: libcuda.so.1 (the NVIDIA driver) is not installed"
                    : "no libcuda: the JCuda driver natives could not be loaded: " + msg.lines().findFirst().orElse(msg);
            return new BackendStatus("cuda", false, cudaLinkFailure, List.of());
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage());
            String reason = msg.contains("NO_DEVICE") ? "no device: the driver reports no CUDA device" : "CUDA error: " + msg;
            return new BackendStatus("cuda", false, reason, List.of());
        }
        if (ds.isEmpty()) return new BackendStatus("cuda", false, "no device: the driver reports no CUDA device", List.of());
        if (CudaDevice.fatbin() == null) {
            return new BackendStatus("cuda", false, "no compiled kernels: this build was made without nvcc (" + ds.size() + " device(s) present)", List.of());
        }
        return new BackendStatus("cuda", true, ds.size() + " device(s)", ds);
    }

    /** Resolves {@code auto} to a concrete selector (cuda, then opencl, then java) and says why. */
    public static Choice chooseAuto() {
        BackendStatus cuda = cudaStatus();
        String why = "cuda unavailable (" + cuda.reason() + ")";
        if (cuda.available()) {
            // a stand-in that runs CUDA kernels on the CPU (native/cuda-standin, for tests) only when named
            java.util.Optional<DeviceInfo> real = cuda.devices().stream().filter(d -> !isSimulator(d)).findFirst();
            if (real.isPresent()) return new Choice(real.get().id(), "first CUDA device");
            why = "the only CUDA device is " + cuda.devices().get(0).name() + ", chosen only by name";
        }
        BackendStatus cl = openClStatus();
        if (cl.available()) {
            DeviceInfo best = bestOpenCl(cl.devices());
            return new Choice(best.id(), "best OpenCL device: " + best.name() + " (" + best.details().get("platform") + ", "
                    + best.details().get("device_type") + (isSimulator(best) ? ", a simulator" : "") + ") of " + cl.devices().size() + "; " + why);
        }
        return new Choice("java", why + "; opencl unavailable (" + cl.reason() + ")");
    }

    /**
     * True for devices that simulate one for checking rather than compute fast: Oclgrind (OpenCL) and the
     * CPU stand-in for the CUDA driver (native/cuda-standin). {@code auto} takes them last, or never (CUDA).
     */
    public static boolean isSimulator(DeviceInfo d) {
        String platform = d.details().getOrDefault("platform", "");
        return contains(platform, "oclgrind") || contains(d.name(), "oclgrind") || contains(d.name(), "stand-in");
    }

    private static int rank(DeviceInfo d) {
        if (isSimulator(d)) return 3;
        String type = d.details().getOrDefault("device_type", "OTHER");
        return switch (type) {
            case "GPU", "ACCELERATOR" -> 0;
            case "CPU" -> 1;
            default -> 2;
        };
    }

    /**
     * The OpenCL device {@code auto} prefers among {@code devices}: GPUs and accelerators, then CPUs, then
     * other types, simulators last; ties broken by device name, then platform name, never by the order the
     * ICD loader enumerates them in.
     */
    public static DeviceInfo bestOpenCl(List<DeviceInfo> devices) {
        return devices.stream().min(java.util.Comparator.comparingInt(Devices::rank)
                .thenComparing(DeviceInfo::name)
                .thenComparing(d -> d.details().getOrDefault("platform", ""))).orElseThrow();
    }

    /** True when {@code needle} (case-insensitive) is part of the device's name, platform, vendor or platform version. */
    public static boolean matchesName(DeviceInfo d, String needle) {
        return contains(d.name(), needle) || contains(d.details().getOrDefault("platform", ""), needle)
                || contains(d.details().getOrDefault("platform_vendor", ""), needle)
                || contains(d.details().getOrDefault("platform_version", ""), needle);
    }

    private static boolean contains(String hay, String needle) {
        return hay.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
    }

    /** Opens the device a selector names; see the class comment for the syntax. */
    public static Device open(String selector) { return open(selector, false); }

    /**
     * Opens the device a selector names, its kernels built with the vendor's fast math when
     * {@code fastMath} (OpenCL -cl-fast-relaxed-math, CUDA --use_fast_math; the java reference has none).
     * Fast-math results may leave the documented bounds: for {@code verify --fast-math} only.
     */
    public static Device open(String selector, boolean fastMath) {
        if (selector == null || selector.isBlank()) throw new IllegalArgumentException("device selector is empty; use java, opencl:NAME (e.g. opencl:pocl), opencl:P:D, cuda:N or auto");
        String s = selector.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("auto")) {
            Choice c = chooseAuto();
            LOG.info("device auto -> {} ({})", c.selector(), c.reason());
            return open(c.selector(), fastMath);
        }
        if (lower.equals("java")) return new JavaDevice();
        if (lower.equals("opencl") || lower.startsWith("opencl:")) return openOpenCl(s, s.length() > 6 ? s.substring(7) : "", fastMath);
        if (lower.equals("cuda") || lower.startsWith("cuda:")) {
            String rest = s.length() > 4 ? s.substring(5) : "0";
            int n;
            try {
                n = Integer.parseInt(rest);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CUDA selector '" + s + "': expected cuda:N");
            }
            return openCuda(n, fastMath);
        }
        throw new IllegalArgumentException("unknown device selector '" + s + "'; use java, opencl:NAME (e.g. opencl:pocl), opencl:P:D, cuda:N or auto");
    }

    private static Device openCuda(int n, boolean fastMath) {
        if (CudaDevice.fatbin() == null) {
            throw new DeviceUnavailableException("cuda:" + n + ": the CUDA kernels were not compiled into this build (nvcc was not found at build time)");
        }
        BackendStatus st = cudaStatus();
        if (!st.available()) throw new DeviceUnavailableException("cuda:" + n + ": CUDA unavailable: " + st.reason());
        try {
            return new CudaDevice(n, fastMath);
        } catch (DeviceUnavailableException | KernelBuildException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DeviceUnavailableException("cuda:" + n + ": " + e.getMessage(), e);
        }
    }

    private static Device openOpenCl(String selector, String rest, boolean fastMath) {
        BackendStatus st = openClStatus();
        if (!st.available()) throw new DeviceUnavailableException(selector + ": OpenCL unavailable: " + st.reason());
        String[] parts = rest.split(":");
        DeviceInfo chosen;
        if (rest.isEmpty()) {
            chosen = bestOpenCl(st.devices());
            LOG.info("device {} -> {} ({}, best of {} OpenCL devices)", selector, chosen.id(), chosen.name(), st.devices().size());
        } else if (parts.length == 2 && parts[0].matches("\\d+") && parts[1].matches("\\d+")) {
            return openOpenClIndex(selector, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), fastMath);
        } else {
            List<DeviceInfo> matches = new ArrayList<>();
            for (DeviceInfo d : st.devices()) {
                if (matchesName(d, rest)) matches.add(d);
            }
            if (matches.size() != 1) {
                StringBuilder sb = new StringBuilder(selector + ": " + matches.size() + " OpenCL devices match '" + rest
                        + "' (by device name, platform name, vendor or version); devices:");
                for (DeviceInfo d : st.devices()) {
                    sb.append("\n  ").append(d.id()).append("  ").append(d.name()).append(" (").append(d.details().get("platform")).append(')');
                }
                throw new DeviceUnavailableException(sb.toString());
            }
            chosen = matches.get(0);
        }
        String[] pd = chosen.id().split(":");
        return openOpenClIndex(selector, Integer.parseInt(pd[1]), Integer.parseInt(pd[2]), fastMath);
    }

    private static Device openOpenClIndex(String selector, int p, int d, boolean fastMath) {
        try {
            return new OpenClDevice(p, d, null, fastMath);
        } catch (DeviceUnavailableException | KernelBuildException e) {
            throw e;
        } catch (LinkageError | RuntimeException e) {
            throw new DeviceUnavailableException(selector + ": " + e.getMessage(), e);
        }
    }
}

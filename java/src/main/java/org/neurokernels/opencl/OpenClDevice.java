package org.neurokernels.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;
import org.neurokernels.DeviceInfo;
import org.neurokernels.DeviceUnavailableException;
import org.neurokernels.GemmConfig;
import org.neurokernels.GemmTuning;
import org.neurokernels.KernelBuildException;
import org.neurokernels.KernelDevice;
import org.neurokernels.Matrix;
import org.neurokernels.NeurokernelsException;

/**
 * The OpenCL backend ({@code opencl:P:D}): one context and one in-order queue on one device; the kernels
 * of kernels-opencl/ (classpath resources under org/neurokernels/opencl) built into one program when the
 * device opens. A build failure raises {@link KernelBuildException} with the compiler's log.
 */
public final class OpenClDevice extends KernelDevice {
    /**
     * Kernel sources, in the order they are concatenated into one program: kernels-opencl/sources.txt,
     * which the C library's build (native/) reads too.
     */
    public static final List<String> SOURCES = sourceList();

    private static List<String> sourceList() {
        try (InputStream in = OpenClDevice.class.getResourceAsStream("sources.txt")) {
            if (in == null) throw new NeurokernelsException("kernels-opencl/sources.txt is missing from the classpath (org/neurokernels/opencl/)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new NeurokernelsException("cannot read kernels-opencl/sources.txt", e);
        }
    }
    /** Options passed to clBuildProgram besides the GEMM tile defines: none that relax IEEE semantics. */
    public static final String BUILD_OPTIONS = "";
    /** The vendor's fast math, for {@code verify --fast-math} only. */
    public static final String FAST_MATH_OPTIONS = "-cl-fast-relaxed-math";

    private final DeviceInfo info;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_program program;
    /**
     * Kernel objects by name, several per name: each remembers the arguments it was last launched with,
     * and a launch takes the one whose arguments match most and sets only those that differ. A training
     * loop that launches the same kernel for each layer with the same matrices then sets almost nothing:
     * JOCL's clSetKernelArg costs far more on the host than PoCL's enqueue (about 0.5 us against 2 us
     * for a whole launch in C), and on a CPU device the host thread competes with the compute threads.
     */
    private final Map<String, List<KernelSlot>> kernels = new HashMap<>();
    private static final int SLOTS_PER_KERNEL = 8;

    private static final class KernelSlot {
        final cl_kernel kernel;
        Object[] last = new Object[0];  // flattened argument values: cl_mem (by identity), Integer, Float, or a local size

        KernelSlot(cl_kernel kernel) { this.kernel = kernel; }

        int matches(Object[] args) {
            int same = 0;
            for (int i = 0; i < Math.min(args.length, last.length); i++) if (sameArg(args[i], last[i])) same++;
            return same;
        }
    }

    private static boolean sameArg(Object a, Object b) {
        if (a instanceof cl_mem || b instanceof cl_mem) return a == b;
        return a != null && a.equals(b);
    }

    /** A local-memory argument of this many bytes (as a flattened argument value). */
    private record LocalBytes(long bytes) { }
    private final boolean cpu;
    private final String buildOptions;

    /** Opens device {@code deviceIndex} of platform {@code platformIndex} with its tuned or default GEMM configuration. */
    public OpenClDevice(int platformIndex, int deviceIndex) {
        this(platformIndex, deviceIndex, null, false);
    }

    public OpenClDevice(int platformIndex, int deviceIndex, GemmConfig gemm) {
        this(platformIndex, deviceIndex, gemm, false);
    }

    /**
     * Opens a device with an explicit GEMM configuration ({@code null}: the one stored by
     * {@code neurokernels tune} for this device, else the default for its type). With {@code fastMath}
     * the kernels are built with {@value #FAST_MATH_OPTIONS}: results then may leave the documented
     * bounds, which {@code neurokernels verify --fast-math} reports as information.
     */
    public OpenClDevice(int platformIndex, int deviceIndex, GemmConfig gemm, boolean fastMath) {
        CL.setExceptionsEnabled(true);
        List<cl_platform_id> platforms = platforms();
        if (platformIndex < 0 || platformIndex >= platforms.size()) {
            throw new DeviceUnavailableException("opencl:" + platformIndex + ":" + deviceIndex + ": there are " + platforms.size() + " OpenCL platform(s)");
        }
        cl_platform_id platform = platforms.get(platformIndex);
        List<cl_device_id> devices = devices(platform);
        if (deviceIndex < 0 || deviceIndex >= devices.size()) {
            throw new DeviceUnavailableException("opencl:" + platformIndex + ":" + deviceIndex + ": platform " + platformIndex + " ("
                    + platformString(platform, CL_PLATFORM_NAME) + ") has " + devices.size() + " device(s)");
        }
        cl_device_id device = devices.get(deviceIndex);
        DeviceInfo described = describe(platformIndex, deviceIndex, platform, device);
        this.cpu = "CPU".equals(described.details().get("device_type"));
        String source;
        if (gemm != null) {
            source = "explicit";
        } else {
            GemmTuning.Lookup tuned = GemmTuning.find(tuningKey(described));
            gemm = tuned.config() != null ? tuned.config() : GemmConfig.defaultFor(cpu);
            source = gemmSource(tuned, cpu);
        }
        if (gemm.kernel() == GemmKernel.WARP) {
            throw new IllegalArgumentException("opencl: the WARP GEMM kernel exists only on CUDA devices (configuration " + gemm + ", " + source + ")");
        }
        setGemmConfig(gemm);
        this.buildOptions = (BUILD_OPTIONS + " " + gemm.defines() + (fastMath ? " " + FAST_MATH_OPTIONS : "")).trim();
        Map<String, String> details = new LinkedHashMap<>(described.details());
        details.put("compiler_options", buildOptions);
        details.put("gemm", gemm.encode() + " (" + source + ")");
        this.info = new DeviceInfo(described.id(), described.backend(), described.name(), described.vendor(), described.driverVersion(),
                described.globalMemoryBytes(), described.computeUnits(), details);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        try {
            context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        } catch (CLException e) {
            throw new DeviceUnavailableException(info.id() + ": cannot create an OpenCL context: " + e.getMessage(), e);
        }
        @SuppressWarnings("deprecation")
        cl_command_queue q = clCreateCommandQueue(context, device, 0, null);
        queue = q;
        try {
            program = build(context, device, source(), buildOptions);
            initScratch();
        } catch (RuntimeException e) {
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
            throw e;
        }
    }

    @Override public DeviceInfo info() { return info; }

    /** CPU devices take the packed register-tile GEMM; GPUs the local-memory tiled one. */
    @Override protected boolean packedGemm() { return cpu; }

    @Override protected boolean hasPackedGemm() { return true; }

    @Override public int maxWorkGroupSize() {
        return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(info.details().get("max_work_group_size")));
    }

    static String source() {
        StringBuilder sb = new StringBuilder();
        for (String name : SOURCES) {
            try (InputStream in = OpenClDevice.class.getResourceAsStream(name)) {
                if (in == null) throw new NeurokernelsException("OpenCL kernel source " + name + " is missing from the classpath (org/neurokernels/opencl/)");
                sb.append("// ---- ").append(name).append('\n').append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
            } catch (IOException e) {
                throw new NeurokernelsException("cannot read OpenCL kernel source " + name, e);
            }
        }
        return sb.toString();
    }

    /** The key of this device in the tuning file: platform, device name and driver version. */
    public static String tuningKey(DeviceInfo d) {
        return GemmTuning.key(d.details().getOrDefault("platform", "?"), d.name(), d.driverVersion());
    }

    private static cl_program build(cl_context context, cl_device_id device, String src, String options) {
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {src}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device}, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p, device);
            clReleaseProgram(p);
            throw new KernelBuildException("OpenCL program failed to build with options '" + options + "' (" + e.getMessage().lines().findFirst().orElse("") + ")", log);
        }
        return p;
    }

    private static String buildLog(cl_program p, cl_device_id device) {
        try {
            long[] size = new long[1];
            clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            return trimNul(buf);
        } catch (CLException e) {
            return "(build log unavailable: " + e.getMessage() + ")";
        }
    }

    /** The kernel object for {@code name} that best matches these flattened arguments (a new one while slots remain). */
    private KernelSlot slot(String name, Object[] flat) {
        List<KernelSlot> list = kernels.computeIfAbsent(name, n -> new ArrayList<>());
        KernelSlot best = null;
        int bestSame = -1;
        for (KernelSlot k : list) {
            int same = k.matches(flat);
            if (same > bestSame) {
                best = k;
                bestSame = same;
            }
        }
        if (best == null || (bestSame < flat.length && list.size() < SLOTS_PER_KERNEL)) {
            best = new KernelSlot(clCreateKernel(program, name, null));
        } else {
            list.remove(best);
        }
        list.add(best);  // most recently used last: ties go to the older slots, so a new pattern reuses them
        return best;
    }

    private Object[] flatten(Object[] args) {
        List<Object> flat = new ArrayList<>(args.length * 2);
        for (Object a : args) {
            if (a instanceof Matrix) {
                Matrix m = (Matrix) a;
                flat.add(mem(bufferOf(m)));
                flat.add(m.offset());
                flat.add(m.ld());
            } else if (a instanceof Raw) {
                flat.add(mem(bufferOf(((Raw) a).matrix())));
            } else if (a instanceof LocalFloats) {
                flat.add(new LocalBytes((long) ((LocalFloats) a).floats() * Sizeof.cl_float));
            } else if (a instanceof Integer || a instanceof Float) {
                flat.add(a);
            } else {
                throw new IllegalArgumentException("unsupported kernel argument " + a);
            }
        }
        return flat.toArray();
    }

    private static cl_mem mem(Object buffer) { return (cl_mem) buffer; }

    @Override protected void launchKernel(String name, long globalX, long globalY, int localX, int localY, Object... args) {
        Object[] flat = flatten(args);
        KernelSlot slot = slot(name, flat);
        cl_kernel k = slot.kernel;
        for (int i = 0; i < flat.length; i++) {
            Object a = flat[i];
            if (i < slot.last.length && sameArg(a, slot.last[i])) continue;
            if (a instanceof cl_mem) {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to((cl_mem) a));
            } else if (a instanceof LocalBytes) {
                clSetKernelArg(k, i, ((LocalBytes) a).bytes(), null);
            } else if (a instanceof Integer) {
                clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {(Integer) a}));
            } else {
                clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {(Float) a}));
            }
        }
        slot.last = flat;
        clEnqueueNDRangeKernel(queue, k, 2, null, new long[] {globalX, globalY}, new long[] {localX, localY}, 0, null, null);
    }

    @Override protected Object allocateBuffer(int floats) {
        return clCreateBuffer(context, CL_MEM_READ_WRITE, (long) floats * Sizeof.cl_float, null, null);
    }

    @Override protected void freeBuffer(Object buffer) { clReleaseMemObject(mem(buffer)); }

    @Override protected void write(Object buffer, long offset, float[] src, int srcOffset, int length) {
        clEnqueueWriteBuffer(queue, mem(buffer), CL_TRUE, offset * Sizeof.cl_float, (long) length * Sizeof.cl_float,
                Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float), 0, null, null);
    }

    @Override protected void read(Object buffer, long offset, float[] dst, int dstOffset, int length) {
        clEnqueueReadBuffer(queue, mem(buffer), CL_TRUE, offset * Sizeof.cl_float, (long) length * Sizeof.cl_float,
                Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float), 0, null, null);
    }

    @Override protected void synchronizeImpl() { clFinish(queue); }

    @Override protected void closeImpl() {
        try {
            clFinish(queue);
        } finally {
            freeScratch();
            for (List<KernelSlot> list : kernels.values()) for (KernelSlot k : list) clReleaseKernel(k.kernel);
            kernels.clear();
            clReleaseProgram(program);
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
        }
    }

    // ------------------------------------------------------------------ discovery

    /** Every OpenCL platform the ICD loader reports (exceptions enabled). */
    public static List<cl_platform_id> platforms() {
        CL.setExceptionsEnabled(true);
        int[] n = new int[1];
        try {
            clGetPlatformIDs(0, null, n);
        } catch (CLException e) {
            if (e.getStatus() == CL_PLATFORM_NOT_FOUND_KHR) return List.of();
            throw e;
        }
        cl_platform_id[] ps = new cl_platform_id[n[0]];
        if (n[0] > 0) clGetPlatformIDs(n[0], ps, null);
        return List.of(ps);
    }

    public static List<cl_device_id> devices(cl_platform_id platform) {
        int[] n = new int[1];
        try {
            clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, n);
        } catch (CLException e) {
            if (e.getStatus() == CL_DEVICE_NOT_FOUND) return List.of();
            throw e;
        }
        cl_device_id[] ds = new cl_device_id[n[0]];
        clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, n[0], ds, null);
        return List.of(ds);
    }

    /** Where a device's GEMM configuration comes from: the tuning store, or the default (and why the store was ignored). */
    private static String gemmSource(GemmTuning.Lookup tuned, boolean cpu) {
        if (tuned.config() != null) return "tuned, " + tuned.file();
        return "default for " + (cpu ? "CPU" : "GPU") + " devices"
                + (tuned.ignored() ? "; tuning store " + tuned.file() + " ignored: " + tuned.problem() : "");
    }

    /** Describes every device of every platform, without opening any; "gemm" is the configuration an open would use. */
    public static List<DeviceInfo> discover() {
        List<DeviceInfo> out = new ArrayList<>();
        List<cl_platform_id> ps = platforms();
        for (int p = 0; p < ps.size(); p++) {
            List<cl_device_id> ds = devices(ps.get(p));
            for (int d = 0; d < ds.size(); d++) {
                DeviceInfo info = describe(p, d, ps.get(p), ds.get(d));
                boolean cpu = "CPU".equals(info.details().get("device_type"));
                GemmTuning.Lookup tuned = GemmTuning.find(tuningKey(info));
                GemmConfig gemm = tuned.config() != null ? tuned.config() : GemmConfig.defaultFor(cpu);
                Map<String, String> details = new LinkedHashMap<>(info.details());
                details.put("gemm", gemm.encode() + " (" + gemmSource(tuned, cpu) + ")");
                out.add(new DeviceInfo(info.id(), info.backend(), info.name(), info.vendor(), info.driverVersion(),
                        info.globalMemoryBytes(), info.computeUnits(), details));
            }
        }
        return out;
    }

    static DeviceInfo describe(int p, int d, cl_platform_id platform, cl_device_id device) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("platform", platformString(platform, CL_PLATFORM_NAME));
        details.put("platform_vendor", platformString(platform, CL_PLATFORM_VENDOR));
        details.put("platform_version", platformString(platform, CL_PLATFORM_VERSION));
        details.put("device_version", deviceString(device, CL_DEVICE_VERSION));
        details.put("opencl_c_version", deviceString(device, CL_DEVICE_OPENCL_C_VERSION));
        details.put("device_type", deviceType(device));
        details.put("max_work_group_size", Long.toString(deviceLong(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t)));
        details.put("local_memory_bytes", Long.toString(deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE, Sizeof.cl_ulong)));
        return new DeviceInfo("opencl:" + p + ":" + d, "opencl", deviceString(device, CL_DEVICE_NAME),
                deviceString(device, CL_DEVICE_VENDOR), deviceString(device, CL_DRIVER_VERSION),
                deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong),
                (int) deviceLong(device, CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint), details);
    }

    private static String deviceType(cl_device_id device) {
        long t = deviceLong(device, CL_DEVICE_TYPE, Sizeof.cl_ulong);
        if ((t & CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((t & CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        if ((t & CL_DEVICE_TYPE_ACCELERATOR) != 0) return "ACCELERATOR";
        return "OTHER";
    }

    private static String trimNul(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return trimNul(b);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return trimNul(b);
    }

    static long deviceLong(cl_device_id d, int param, int size) {
        if (size == 4) {
            int[] v = new int[1];
            clGetDeviceInfo(d, param, 4, Pointer.to(v), null);
            return Integer.toUnsignedLong(v[0]);
        }
        long[] v = new long[1];
        clGetDeviceInfo(d, param, 8, Pointer.to(v), null);
        return v[0];
    }
}

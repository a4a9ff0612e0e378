package org.neurokernels.cuda;

import static jcuda.driver.JCudaDriver.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import org.neurokernels.DeviceInfo;
import org.neurokernels.DeviceUnavailableException;
import org.neurokernels.KernelBuildException;
import org.neurokernels.KernelDevice;
import org.neurokernels.Matrix;
import org.neurokernels.NeurokernelsException;

/**
 * The CUDA backend ({@code cuda:N}), through the JCuda driver API only (its natives need nothing but the
 * driver's libcuda.so.1). Uses the device's primary context, made current on the calling thread before
 * every call (under the device lock), and stream 0. Kernels come from the fatbin that nvcc built from
 * kernels-cuda/ at build time (resource org/neurokernels/cuda/neurokernels.fatbin: sm_90 code plus
 * compute_75 PTX), loaded from memory with cuModuleLoadData.
 */
public final class CudaDevice extends KernelDevice {
    public static final String FATBIN = "neurokernels.fatbin";
    /** The same kernels compiled with --use_fast_math, for {@code verify --fast-math} only. */
    public static final String FATBIN_FAST_MATH = "neurokernels-fastmath.fatbin";

    private final int ordinal;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final DeviceInfo info;

    public CudaDevice(int ordinal) {
        this(ordinal, false);
    }

    /** With {@code fastMath}, loads the kernels nvcc compiled with --use_fast_math. */
    public CudaDevice(int ordinal, boolean fastMath) {
        byte[] image = fastMath ? resource(FATBIN_FAST_MATH) : fatbin();
        if (image == null) {
            throw new DeviceUnavailableException("cuda:" + ordinal + ": the CUDA kernels were not compiled into this build (nvcc was not found at build time)");
        }
        initDriver();
        int count = deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new DeviceUnavailableException("cuda:" + ordinal + ": there are " + count + " CUDA device(s)");
        }
        this.ordinal = ordinal;
        cuDeviceGet(device, ordinal);
        DeviceInfo described = describe(ordinal, device);
        if (fastMath) {
            Map<String, String> d = new LinkedHashMap<>(described.details());
            d.put("kernels", "fatbin sm_90 + compute_75 PTX, nvcc -O3 --use_fast_math");
            described = new DeviceInfo(described.id(), described.backend(), described.name(), described.vendor(), described.driverVersion(),
                    described.globalMemoryBytes(), described.computeUnits(), d);
        }
        this.info = described;
        // what build.sh compiled: TS_M = TS_N = 64 for nk_gemm; NK_CUDA_GEMM=warp selects nk_gemm_warp, which
        // has not run on a GPU yet (the tests run both kernels on every CUDA device they find)
        GemmKernel kind = "warp".equalsIgnoreCase(System.getenv("NK_CUDA_GEMM")) ? GemmKernel.WARP : GemmKernel.TILED;
        setGemmConfig(org.neurokernels.GemmConfig.defaultFor(false).withKernel(kind));  // the C library chooses the same (nk_plans.h)
        cuDevicePrimaryCtxRetain(context, device);
        try {
            cuCtxSetCurrent(context);
            try {
                cuModuleLoadData(module, image);
            } catch (RuntimeException e) {
                throw new KernelBuildException("cuda:" + ordinal + ": cannot load the kernel fatbin (" + e.getMessage()
                        + "); the driver may be older than the CUDA toolkit that built it", "");
            }
            initScratch();
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    @Override public DeviceInfo info() { return info; }

    /** The compiled kernels, or null when this build has none. */
    public static byte[] fatbin() { return resource(FATBIN); }

    private static byte[] resource(String name) {
        try (InputStream in = CudaDevice.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new NeurokernelsException("cannot read " + name, e);
        }
    }

    /** Loads the JCuda driver natives and calls cuInit; throws LinkageError when libcuda.so.1 is absent. */
    public static void initDriver() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
    }

    public static int deviceCount() {
        int[] n = new int[1];
        cuDeviceGetCount(n);
        return n[0];
    }

    /** Describes every CUDA device without opening it (requires {@link #initDriver()}). */
    public static List<DeviceInfo> discover() {
        initDriver();
        List<DeviceInfo> out = new ArrayList<>();
        for (int i = 0; i < deviceCount(); i++) {
            CUdevice d = new CUdevice();
            cuDeviceGet(d, i);
            out.add(describe(i, d));
        }
        return out;
    }

    private static int attribute(CUdevice d, int attr) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attr, d);
        return v[0];
    }

    static DeviceInfo describe(int ordinal, CUdevice d) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, d);
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, d);
        int[] driver = new int[1];
        cuDriverGetVersion(driver);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("compute_capability", attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) + "."
                + attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR));
        details.put("cuda_driver_api_version", driver[0] / 1000 + "." + (driver[0] % 1000) / 10);
        details.put("clock_khz", Integer.toString(attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CLOCK_RATE)));
        details.put("kernels", "fatbin sm_90 + compute_75 PTX, nvcc -O3, no fast math");
        return new DeviceInfo("cuda:" + ordinal, "cuda", new String(name, 0, len), "NVIDIA Corporation",
                driver[0] / 1000 + "." + (driver[0] % 1000) / 10, mem[0],
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), details);
    }

    private CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, n);
            return f;
        });
    }

    private void current() { cuCtxSetCurrent(context); }

    private static CUdeviceptr ptr(Object buffer) { return (CUdeviceptr) buffer; }

    @Override protected boolean hasWarpGemm() { return true; }

    @Override protected void launchKernel(String name, long globalX, long globalY, int localX, int localY, Object... args) {
        current();
        List<Pointer> params = new ArrayList<>();
        int sharedBytes = 0;
        for (Object a : args) {
            if (a instanceof LocalFloats) {
                sharedBytes += 4 * ((LocalFloats) a).floats();
                continue;
            }
            if (a instanceof Matrix) {
                Matrix m = (Matrix) a;
                params.add(Pointer.to(ptr(bufferOf(m))));
                params.add(Pointer.to(new int[] {m.offset()}));
                params.add(Pointer.to(new int[] {m.ld()}));
            } else if (a instanceof Raw) {
                params.add(Pointer.to(ptr(bufferOf(((Raw) a).matrix()))));
            } else if (a instanceof Integer) {
                params.add(Pointer.to(new int[] {(Integer) a}));
            } else if (a instanceof Float) {
                params.add(Pointer.to(new float[] {(Float) a}));
            } else {
                throw new IllegalArgumentException("unsupported kernel argument " + a);
            }
        }
        cuLaunchKernel(function(name),
                (int) (globalX / localX), (int) (globalY / localY), 1,
                localX, localY, 1,
                sharedBytes, null, Pointer.to(params.toArray(new Pointer[0])), null);
    }

    @Override protected Object allocateBuffer(int floats) {
        current();
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, (long) floats * Sizeof.FLOAT);
        return p;
    }

    @Override protected void freeBuffer(Object buffer) {
        current();
        cuMemFree(ptr(buffer));
    }

    @Override protected void write(Object buffer, long offset, float[] src, int srcOffset, int length) {
        current();
        cuMemcpyHtoD(ptr(buffer).withByteOffset(offset * Sizeof.FLOAT), Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.FLOAT),
                (long) length * Sizeof.FLOAT);
    }

    @Override protected void read(Object buffer, long offset, float[] dst, int dstOffset, int length) {
        current();
        cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.FLOAT), ptr(buffer).withByteOffset(offset * Sizeof.FLOAT),
                (long) length * Sizeof.FLOAT);
    }

    @Override protected void synchronizeImpl() {
        current();
        cuCtxSynchronize();
    }

    @Override protected void closeImpl() {
        current();
        try {
            cuCtxSynchronize();
        } finally {
            freeScratch();
            cuModuleUnload(module);
            functions.clear();
            cuDevicePrimaryCtxRelease(device);
        }
    }

    public int ordinal() { return ordinal; }

    @Override public int maxWorkGroupSize() { return 1024; }
}

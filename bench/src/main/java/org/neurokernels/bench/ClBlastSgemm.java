package org.neurokernels.bench;

import static org.jocl.CL.*;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastTranspose;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.jocl.cl_platform_id;
import org.neurokernels.opencl.OpenClDevice;

/**
 * The CLBlast peer of the GEMM benchmarks: its own context and queue on the OpenCL device
 * {@code opencl:P:D}, row-major A (m x k, or k x m with ta), B (k x n, or n x k with tb) and C uploaded once;
 * {@link #run()} is one CLBlastSgemm followed by clFinish, {@link #runQueued} several before one clFinish.
 */
final class ClBlastSgemm implements AutoCloseable {
    private final int m, n, k;
    private final boolean ta, tb;
    private final cl_context context;
    private final cl_command_queue queue;
    private final cl_mem a, b, c;

    ClBlastSgemm(String selector, float[] ha, float[] hb, int m, int n, int k, boolean ta, boolean tb) {
        this.m = m;
        this.n = n;
        this.k = k;
        this.ta = ta;
        this.tb = tb;
        CL.setExceptionsEnabled(true);
        CLBlast.setExceptionsEnabled(true);
        String[] pd = selector.split(":");
        cl_platform_id platform = OpenClDevice.platforms().get(Integer.parseInt(pd[1]));
        cl_device_id dev = OpenClDevice.devices(platform).get(Integer.parseInt(pd[2]));
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform);
        context = clCreateContext(props, 1, new cl_device_id[] {dev}, null, null, null);
        @SuppressWarnings("deprecation")
        cl_command_queue q = clCreateCommandQueue(context, dev, 0, null);
        queue = q;
        a = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) ha.length * Sizeof.cl_float, Pointer.to(ha), null);
        b = clCreateBuffer(context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) hb.length * Sizeof.cl_float, Pointer.to(hb), null);
        c = clCreateBuffer(context, CL_MEM_READ_WRITE, (long) m * n * Sizeof.cl_float, null, null);
        run(); // CLBlast compiles its kernels on first use
    }

    void run() {
        enqueue();
        clFinish(queue);
    }

    /** {@code times} CLBlastSgemm calls back to back, then one clFinish (GEMMs queued as in a training step). */
    void runQueued(int times) {
        for (int i = 0; i < times; i++) enqueue();
        clFinish(queue);
    }

    private void enqueue() {
        CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor,
                ta ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                tb ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n, queue, null);
    }

    cl_mem output() { return c; }

    @Override public void close() {
        clReleaseMemObject(a);
        clReleaseMemObject(b);
        clReleaseMemObject(c);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}

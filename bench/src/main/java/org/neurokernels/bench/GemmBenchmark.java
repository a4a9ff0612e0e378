package org.neurokernels.bench;


import java.util.Random;
import java.util.concurrent.TimeUnit;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Square SGEMM C = A B (n x n, row-major), one measured call = one GEMM with the device synchronized
 * at its end (clFinish / cuCtxSynchronize), so the time is the work and not the enqueue. GFLOP/s =
 * 2 n^3 / time; bench/results.py computes it from the JMH JSON.
 *
 * <p>impl: {@code neurokernels-opencl} (device from -Dnk.opencl, default opencl:pocl),
 * {@code neurokernels-cuda} (cuda:0), {@code neurokernels-java} (the double-accumulating reference;
 * n &le; 1024 only, it is not built for speed), {@code clblast} (CLBlast through jocl-blast on the same
 * OpenCL device, its own context), {@code ejml} (CommonOps_FDRM.mult, one thread), {@code cublas}
 * (cublasSgemm through jcublas on cuda:0). Inputs are seeded uniform(-1, 1) floats, uploaded at trial
 * level; kernel compilation happens in set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBenchmark {
    @Param({"neurokernels-opencl", "clblast", "ejml", "neurokernels-java"})
    public String impl;

    @Param({"256", "1024", "2048"})
    public int n;

    private Device device;
    private Matrix a, b, c;
    private FMatrixRMaj ea, eb, ec;
    private ClBlastSgemm clblast;
    private cublasHandle cublas;
    private CUdeviceptr cuA, cuB, cuC;
    private Device cudaOwner;

    static float[] random(int count, long seed) {
        Random r = new Random(seed);
        float[] d = new float[count];
        for (int i = 0; i < count; i++) d[i] = (float) (2 * r.nextDouble() - 1);
        return d;
    }

    @Setup(Level.Trial)
    public void setUp() {
        float[] ha = random(n * n, 1), hb = random(n * n, 2);
        switch (impl) {
            case "neurokernels-opencl":
            case "neurokernels-cuda":
            case "neurokernels-java": {
                if (impl.equals("neurokernels-java") && n > 1024) {
                    throw new IllegalStateException("neurokernels-java is the reference, measured only up to n = 1024");
                }
                String sel = impl.equals("neurokernels-opencl") ? System.getProperty("nk.opencl", "opencl:pocl")
                        : impl.equals("neurokernels-cuda") ? System.getProperty("nk.cuda", "cuda:0") : "java";
                device = Devices.open(sel);
                a = device.upload(ha, n, n);
                b = device.upload(hb, n, n);
                c = device.allocate(n, n);
                device.gemm(Trans.N, Trans.N, 1f, a, b, 0f, c); // builds/loads kernels before timing
                device.synchronize();
                break;
            }
            case "ejml":
                ea = new FMatrixRMaj(n, n, true, ha);
                eb = new FMatrixRMaj(n, n, true, hb);
                ec = new FMatrixRMaj(n, n);
                break;
            case "clblast":
                clblast = new ClBlastSgemm(System.getProperty("nk.opencl", "opencl:pocl"), ha, hb, n, n, n, false, false);
                break;
            case "cublas":
                setUpCublas(ha, hb);
                break;
            default:
                throw new IllegalArgumentException("unknown impl " + impl);
        }
    }

    private void setUpCublas(float[] ha, float[] hb) {
        cudaOwner = Devices.open(System.getProperty("nk.cuda", "cuda:0")); // makes the primary context current and keeps it alive
        JCublas2.setExceptionsEnabled(true);
        cublas = new cublasHandle();
        JCublas2.cublasCreate(cublas);
        long bytes = (long) n * n * 4;
        cuA = new CUdeviceptr();
        cuB = new CUdeviceptr();
        cuC = new CUdeviceptr();
        JCudaDriver.cuMemAlloc(cuA, bytes);
        JCudaDriver.cuMemAlloc(cuB, bytes);
        JCudaDriver.cuMemAlloc(cuC, bytes);
        JCudaDriver.cuMemcpyHtoD(cuA, jcuda.Pointer.to(ha), bytes);
        JCudaDriver.cuMemcpyHtoD(cuB, jcuda.Pointer.to(hb), bytes);
        cublasGemm();
        JCudaDriver.cuCtxSynchronize();
    }

    /** Row-major C = A B is column-major C^T = B^T A^T: pass B first. */
    private void cublasGemm() {
        JCublas2.cublasSgemm(cublas, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, n, n, n,
                jcuda.Pointer.to(new float[] {1f}), cuB, n, cuA, n, jcuda.Pointer.to(new float[] {0f}), cuC, n);
    }

    @Benchmark
    public void gemm(Blackhole bh) {
        switch (impl) {
            case "ejml":
                CommonOps_FDRM.mult(ea, eb, ec);
                bh.consume(ec);
                break;
            case "clblast":
                clblast.run();
                bh.consume(clblast.output());
                break;
            case "cublas":
                cublasGemm();
                JCudaDriver.cuCtxSynchronize();
                bh.consume(cuC);
                break;
            default:
                device.gemm(Trans.N, Trans.N, 1f, a, b, 0f, c);
                device.synchronize();
                bh.consume(c);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (device != null) device.close();
        if (clblast != null) clblast.close();
        if (cublas != null) {
            JCudaDriver.cuMemFree(cuA);
            JCudaDriver.cuMemFree(cuB);
            JCudaDriver.cuMemFree(cuC);
            JCublas2.cublasDestroy(cublas);
        }
        if (cudaOwner != null) cudaOwner.close();
    }
}

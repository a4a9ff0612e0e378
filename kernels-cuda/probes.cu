// Probes of how the device does floating point; same arguments and meaning as kernels-opencl/probes.cl.
// nvcc contracts a*b+c into fma by default (--fmad=true), which nk_probe_arith reports.
#include "common.cuh"

extern "C" __global__ void nk_probe_arith(const float* in, float* out) {
    if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
    out[0] = in[0] * in[1];
    out[1] = in[2] + 0.0f;
    out[2] = in[3] * in[4] + in[5];
}

extern "C" __global__ void nk_probe_math(const int n, const int fn, const float* in, float* out) {
    const int i = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= n) return;
    const float x = in[i];
    float y;
    switch (fn) {
        case 0: y = expf(x); break;
        case 1: y = tanhf(x); break;
        case 2: y = log1pf(x); break;
        case 3: y = expm1f(x); break;
        default: y = logf(x); break;
    }
    out[i] = y;
}

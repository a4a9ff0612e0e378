// Probes of how a device does floating point, for the conformance report (neurokernels verify). They
// make visible what differs between vendors without being an error: denormal flushing, contraction of
// a*b+c into an fma, the accuracy of exp/tanh/log1p/expm1/log.
//
// nk_probe_arith: one work-item; out[0] = in[0] * in[1] (a denormal result unless flushed),
//   out[1] = in[2] + 0 (a denormal input survives unless flushed), out[2] = in[3] * in[4] + in[5]
//   (0 when computed as two roundings, 2^-26 when contracted into an fma).
// nk_probe_math: out[i] = fn(in[i]), fn 0 exp, 1 tanh, 2 log1p, 3 expm1, 4 log. Launch 1-D, local 256.
// Compiled for CUDA too (see common.cl), where nvcc contracts a*b+c into an fma by default (--fmad=true),
// which nk_probe_arith reports; the math functions are CUDA's accurate expf, tanhf, ... (no --use_fast_math,
// except in the fast-math variant of the build).

__kernel void nk_probe_arith(__global const float* in, __global float* out) {
    if (get_global_id(0) != 0) return;
    out[0] = in[0] * in[1];
    out[1] = in[2] + 0.0f;
    out[2] = in[3] * in[4] + in[5];
}

__kernel void nk_probe_math(const int n, const int fn, __global const float* in, __global float* out) {
    const int i = (int) get_global_id(0);
    if (i >= n) return;
    const float x = in[i];
    float y;
    switch (fn) {
        case 0: y = exp(x); break;
        case 1: y = tanh(x); break;
        case 2: y = log1p(x); break;
        case 3: y = expm1(x); break;
        default: y = log(x); break;
    }
    out[i] = y;
}

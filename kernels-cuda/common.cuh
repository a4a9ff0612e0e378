// neurokernels CUDA: definitions shared by every kernel file.
//
// Conventions (identical to kernels-opencl/common.cl, so both backends run the same host code):
//  - Matrices are float32, row-major; a matrix argument is (pointer, offset, ld): element (i, j) is
//    p[off + i * ld + j]. Offsets and sizes are int: the host rejects matrices over 2^31-1 elements.
//  - Compiled without --use_fast_math: tanhf/expf/log1pf are the accurate library versions.
//  - Activation codes match org.neurokernels.Activation: 0 identity, 1 tanh, 2 logistic, 3 relu, 4 softplus.
#pragma once

#define AT(p, off, ld, i, j) (p)[(off) + (i) * (ld) + (j)]

// The element (i, j) of thread g in a 1-D launch over rows x cols. A single row (a batch of one, or a
// contiguous matrix the host flattened) needs no division.
#define ELEMENT_INDEX                                           \
    const int g = (int) (blockIdx.x * blockDim.x + threadIdx.x); \
    if (g >= rows * cols) return;                               \
    const int i = rows == 1 ? 0 : g / cols, j = g - i * cols;

#define ACT_IDENTITY 0
#define ACT_TANH 1
#define ACT_LOGISTIC 2
#define ACT_RELU 3
#define ACT_SOFTPLUS 4

// Logistic 1/(1+e^-z) without overflow: exp is only taken of -|z|.
__device__ __forceinline__ float nk_logistic(float z) {
    const float e = expf(-fabsf(z));
    return z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

__device__ __forceinline__ float nk_activate(int act, float z) {
    switch (act) {
        case ACT_TANH: return tanhf(z);
        case ACT_LOGISTIC: return isnan(z) ? z : nk_logistic(z);
        case ACT_RELU: return z < 0.0f ? 0.0f : z;                             // NaN stays NaN
        case ACT_SOFTPLUS: return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));    // stable for any z
        default: return z;
    }
}

// f'(z) from the pre-activation z; accurate where 1 - f^2 style formulas cancel.
__device__ __forceinline__ float nk_derivative_pre(int act, float z) {
    if (isnan(z)) return z;
    switch (act) {
        case ACT_TANH: { const float e = expf(-2.0f * fabsf(z)); const float d = 1.0f + e; return 4.0f * e / (d * d); }
        case ACT_LOGISTIC: { const float e = expf(-fabsf(z)); const float d = 1.0f + e; return e / (d * d); }
        case ACT_RELU: return z > 0.0f ? 1.0f : 0.0f;
        case ACT_SOFTPLUS: return nk_logistic(z);
        default: return 1.0f;
    }
}

// f'(z) from the post-activation h = f(z).
__device__ __forceinline__ float nk_derivative_post(int act, float h) {
    if (isnan(h)) return h;
    switch (act) {
        case ACT_TANH: return (1.0f - h) * (1.0f + h);
        case ACT_LOGISTIC: return h * (1.0f - h);
        case ACT_RELU: return h > 0.0f ? 1.0f : 0.0f;
        case ACT_SOFTPLUS: return -expm1f(-h);
        default: return 1.0f;
    }
}

// x - lr (t + decay x): the decayed SGD step of sgd_update, kp_update and the dense_update GEMM epilogue.
__device__ __forceinline__ float nk_decayed_step(const float x, const float t, const float lr, const float decay) {
    return fmaf(-lr, fmaf(decay, x, t), x);
}

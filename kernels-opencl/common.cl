// neurokernels: definitions shared by every kernel file (this file is compiled first).
//
// The kernels of kernels-opencl/ are written once, in OpenCL C, for both backends: the OpenCL program is
// these files concatenated in the order of sources.txt; the CUDA build (kernels-cuda/neurokernels.cu)
// includes the same files after kernels-cuda/opencl_c.cuh, which maps OpenCL C onto CUDA C++ and defines
// NK_CUDA. What exists only for CPU OpenCL devices (float16 vectors: the kernels named ...16,
// nk_rate_multistep_cpu, all of gemm_packed.cl) stays inside #ifndef NK_CUDA or out of the CUDA build.
//
// Conventions
//  - Matrices are float32, row-major; a matrix argument is (pointer, offset, ld): element (i, j) is
//    p[off + i * ld + j]. Offsets and sizes are int: the host rejects matrices over 2^31-1 elements.
//  - No native_ / half_ builtins and no fast-math by default (CUDA: no --use_fast_math): results must be
//    comparable across vendors.
//  - Activation codes match org.neurokernels.Activation: 0 identity, 1 tanh, 2 logistic, 3 relu, 4 softplus.

// What the two languages spell differently beyond kernels-cuda/opencl_c.cuh's mapping of OpenCL C:
//  NK_INLINE                a helper function (CUDA: __device__ __forceinline__; OpenCL: a plain function)
//  NK_ALWAYS_INLINE         a helper function inlined in OpenCL too (always_inline)
//  NK_WORK_GROUP_SIZE(x, y) between a kernel's void and its name: its fixed work-group size x * y
//                           (OpenCL reqd_work_group_size; CUDA __launch_bounds__, which sizes registers for it)
//  NK_LOCAL_ARG(T, name)    after a kernel's last parameter, without a comma before it: local memory the host
//                           sizes. OpenCL: a __local T* parameter (clSetKernelArg with a size and no value);
//                           CUDA: no parameter (the hosts skip the argument: LocalFloats in CudaDevice.java,
//                           ARG_LOCAL in neurokernels.c), and NK_LOCAL_ARG_DECL(T, name), the first line of
//                           the body, declares the dynamic shared memory array that the launch sizes
//  NK_RESTRICT              a pointer the kernel only reads and that aliases nothing it writes (CUDA only:
//                           nvcc may load through the read-only data path; OpenCL keeps the plain pointer)
//  NK_NOALIAS               a pointer that aliases no other pointer argument of the kernel (both: restrict), for
//                           outputs the hosts guarantee to overlap nothing, so compilers may vectorize stores
//  NK_UNROLL                before a loop with a constant trip count: unroll it (CUDA only: nvcc leaves
//                           nk_gemm's loops rolled by itself; OpenCL compilers keep deciding for themselves)
//  NK_CUDA_NO_UNROLL        before a loop: keep it rolled (CUDA only: nvcc spills registers when it unrolls some
//                           of the long kernels' loops; PoCL runs them faster unrolled)
//  NK_UINT2(a, b), NK_UINT4(a, b, c, d)  vector values (OpenCL's (uint4) (a, b, c, d) is not C++)
// NK_RESTRICT and NK_UNROLL keep the CUDA code nvcc generated when these kernels were written out in CUDA
// (the same PTX), without changing what OpenCL compilers get.
#ifdef NK_CUDA
#define NK_INLINE __device__ __forceinline__
#define NK_ALWAYS_INLINE __device__ __forceinline__
#define NK_WORK_GROUP_SIZE(x, y) __launch_bounds__((x) * (y))
#define NK_LOCAL_ARG(T, name)
#define NK_LOCAL_ARG_DECL(T, name) extern __shared__ T name[];
#define NK_RESTRICT __restrict__
#define NK_NOALIAS __restrict__
#define NK_UNROLL _Pragma("unroll")
#define NK_CUDA_NO_UNROLL _Pragma("unroll 1")
#define NK_UINT2(a, b) make_uint2(a, b)
#define NK_UINT4(a, b, c, d) make_uint4(a, b, c, d)
#else
#define NK_INLINE
#define NK_ALWAYS_INLINE __attribute__((always_inline))
#define NK_WORK_GROUP_SIZE(x, y) __attribute__((reqd_work_group_size(x, y, 1)))
#define NK_LOCAL_ARG(T, name) , __local T* name
#define NK_LOCAL_ARG_DECL(T, name)
#define NK_RESTRICT
#define NK_NOALIAS restrict
#define NK_UNROLL
#define NK_CUDA_NO_UNROLL
#define NK_UINT2(a, b) ((uint2) (a, b))
#define NK_UINT4(a, b, c, d) ((uint4) (a, b, c, d))
#endif

#define AT(p, off, ld, i, j) (p)[(off) + (i) * (ld) + (j)]

// The element (i, j) of work-item g in a 1-D launch over rows x cols. A single row (a batch of one, or a
// contiguous matrix the host flattened) needs no division.
#define ELEMENT_INDEX                                   \
    const int g = (int) get_global_id(0);               \
    if (g >= rows * cols) return;                       \
    const int i = rows == 1 ? 0 : g / cols, j = g - i * cols;

#define ACT_IDENTITY 0
#define ACT_TANH 1
#define ACT_LOGISTIC 2
#define ACT_RELU 3
#define ACT_SOFTPLUS 4

// Logistic 1/(1+e^-z) without overflow: exp is only taken of -|z|.
NK_INLINE float nk_logistic(float z) {
    float e = exp(-fabs(z));
    return z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

NK_INLINE float nk_activate(int act, float z) {
    switch (act) {
        // PoCL 3.1: tanh(+-inf) = +-0.99999994; CUDA's tanhf(+-inf) is +-1 already, so the test changes nothing there
        case ACT_TANH: return isinf(z) ? copysign(1.0f, z) : tanh(z);
        case ACT_LOGISTIC: return isnan(z) ? z : nk_logistic(z);
        case ACT_RELU: return z < 0.0f ? 0.0f : z;                        // NaN stays NaN
        case ACT_SOFTPLUS: return fmax(z, 0.0f) + log1p(exp(-fabs(z)));   // stable for any z; NaN from log1p
        default: return z;
    }
}

// f'(z) from the pre-activation z; accurate where 1 - f^2 style formulas cancel.
NK_INLINE float nk_derivative_pre(int act, float z) {
    if (isnan(z)) return z;
    switch (act) {
        case ACT_TANH: { float e = exp(-2.0f * fabs(z)); float d = 1.0f + e; return 4.0f * e / (d * d); }
        case ACT_LOGISTIC: { float e = exp(-fabs(z)); float d = 1.0f + e; return e / (d * d); }
        case ACT_RELU: return z > 0.0f ? 1.0f : 0.0f;
        case ACT_SOFTPLUS: return nk_logistic(z);
        default: return 1.0f;
    }
}

// f'(z) from the post-activation h = f(z).
NK_INLINE float nk_derivative_post(int act, float h) {
    if (isnan(h)) return h;
    switch (act) {
        case ACT_TANH: return (1.0f - h) * (1.0f + h);
        case ACT_LOGISTIC: return h * (1.0f - h);
        case ACT_RELU: return h > 0.0f ? 1.0f : 0.0f;
        case ACT_SOFTPLUS: return -expm1(-h);
        default: return 1.0f;
    }
}

// x - lr (t + decay x): the decayed SGD step of sgd_update, kp_update and the dense_update GEMM epilogue.
NK_INLINE float nk_decayed_step(const float x, const float t, const float lr, const float decay) {
    return fma(-lr, fma(decay, x, t), x);
}

#ifndef NK_CUDA
// ---- float16 helpers of the CPU-device kernels (OpenCL only) ----

// One 64-byte vector store at any 4-byte-aligned address: PoCL lowers vstore16 to four 128-bit stores
// plus extracts, which costs the CPU GEMM epilogues (measured: about a tenth of a weight update).
typedef float nk_float16u __attribute__((ext_vector_type(16), aligned(4)));
#define NK_STORE16(v, p) (*(__global nk_float16u*) (p) = (v))

// tanh for the float16 CPU kernels: x P(x^2) / Q(x^2), a degree-(4, 4) rational fit on [0, 9] derived by
// kernels-opencl/tools/fit_tanh.py (which also measures it: within 5.1 ulp of tanh, every 7th float in
// [2^-14, 12]), +-1 from |x| >= 9 on, NaN kept. Eight fmas and a division instead of PoCL's vector tanh,
// which cost the CPU rate step more than its memory traffic; same bound as the ops promise for tanh.
float16 nk_tanh16(const float16 x) {
    const float16 ax = fabs(x), t = ax * ax;
    const float16 p = fma(fma(fma(fma((float16) 1.335437958e-08f, t, (float16) 2.060884145e-05f), t, (float16) 3.495571749e-03f), t,
                              (float16) 1.338101128e-01f), t, (float16) 9.999999794e-01f);
    const float16 q = fma(fma(fma(fma((float16) 7.776432150e-07f, t, (float16) 3.285609269e-04f), t, (float16) 2.587691809e-02f), t,
                              (float16) 4.671432686e-01f), t, (float16) 1.0f);
    float16 y = fmin(ax * (p / q), (float16) 1.0f);
    y = select(y, (float16) 1.0f, ax >= 9.0f);
    return select(copysign(y, x), x, isnan(x));
}

// float16 versions of the three functions above, for the GEMM epilogues (same formulas, elementwise;
// select() keeps NaN where the scalar versions return it); tanh is nk_tanh16.
float16 nk_activate16(int act, float16 z) {
    switch (act) {
        case ACT_TANH: return nk_tanh16(z);
        case ACT_LOGISTIC: { float16 e = exp(-fabs(z)); return select(e / (1.0f + e), 1.0f / (1.0f + e), z >= 0.0f); }
        case ACT_RELU: return select(z, (float16) 0.0f, z < 0.0f);
        case ACT_SOFTPLUS: return fmax(z, 0.0f) + log1p(exp(-fabs(z)));
        default: return z;
    }
}

float16 nk_derivative16(int act, int fromPost, float16 x) {
    float16 d;
    if (fromPost) {
        switch (act) {
            case ACT_TANH: d = (1.0f - x) * (1.0f + x); break;
            case ACT_LOGISTIC: d = x * (1.0f - x); break;
            case ACT_RELU: d = select((float16) 0.0f, (float16) 1.0f, x > 0.0f); break;
            case ACT_SOFTPLUS: d = -expm1(-x); break;
            default: d = (float16) 1.0f;
        }
    } else {
        switch (act) {
            case ACT_TANH: { float16 e = exp(-2.0f * fabs(x)); float16 q = 1.0f + e; d = 4.0f * e / (q * q); break; }
            case ACT_LOGISTIC: { float16 e = exp(-fabs(x)); float16 q = 1.0f + e; d = e / (q * q); break; }
            case ACT_RELU: d = select((float16) 0.0f, (float16) 1.0f, x > 0.0f); break;
            case ACT_SOFTPLUS: { float16 e = exp(-fabs(x)); d = select(e / (1.0f + e), 1.0f / (1.0f + e), x >= 0.0f); break; }
            default: d = (float16) 1.0f;
        }
    }
    return select(d, x, isnan(x));
}
#endif  // NK_CUDA

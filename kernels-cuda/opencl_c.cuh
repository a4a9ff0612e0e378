// OpenCL C as CUDA C++: what nvcc (and the CPU stand-in's g++, native/cuda-standin/) needs to compile the
// portable kernels of kernels-opencl/ from their OpenCL source. neurokernels.cu includes this header first,
// then the .cl files. It maps OpenCL's spelling onto CUDA's; it does not change what any kernel computes.
//
// What the portable .cl sources may use (anything else fails to compile here, which is the point):
//  - qualifiers: __kernel, __global, __constant (pointer parameters only), __local (arrays declared in a
//    kernel body), __private; not the spellings without underscores (kernel, global, local, constant);
//  - work-item functions: get_global_id, get_local_id, get_group_id, get_local_size, get_num_groups,
//    get_global_size, all for dimensions 0..2, returning 32-bit unsigned values as CUDA's built-in variables
//    do (OpenCL's size_t differs only past 2^32 work-items, which no launch here reaches);
//  - barrier(CLK_LOCAL_MEM_FENCE and/or CLK_GLOBAL_MEM_FENCE) -> __syncthreads(), which orders both;
//  - scalar math builtins with float arguments (exp, log, tanh, fma, fmax, nextafter, ...): CUDA's C++
//    overloads for float are the f-suffixed library functions (expf, logf, ...), the same accurate code the
//    former hand-written .cu files called; isnan/isinf return bool here, int 0/1 in OpenCL C;
//  - the few OpenCL builtins CUDA spells differently (below): mul_hi, mad, clamp, select, as_*, native_*;
//  - uint2 and uint4 through .x .y .z .w, built with NK_UINT2 / NK_UINT4 (common.cl), since OpenCL's
//    vector literal (uint4) (a, b, c, d) is not C++; vload2/vload4/vstore2/vstore4 of uint and float.
//    No vector arithmetic and no float16/uint16: the CPU kernels that need them are OpenCL only
//    (#ifndef NK_CUDA in the .cl files).
// The project's own portability macros, spelled for both languages side by side, are at the top of
// kernels-opencl/common.cl: NK_INLINE / NK_ALWAYS_INLINE (helper functions), NK_WORK_GROUP_SIZE (a kernel's
// fixed work-group size), NK_LOCAL_ARG / NK_LOCAL_ARG_DECL (local memory the host sizes), NK_RESTRICT.
#pragma once

#define NK_CUDA 1

// ---- qualifiers ----
#define __kernel extern "C" __global__
#define __global
#define __constant const
#define __local __shared__
#define __private

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;  // 64 bits, as OpenCL's ulong, on the LP64 hosts nvcc targets

// ---- work-item functions ----
#define NK_CL_DIM(v, d) ((d) == 0 ? (v).x : (d) == 1 ? (v).y : (v).z)
__device__ __forceinline__ uint get_local_id(const int d) { return NK_CL_DIM(threadIdx, d); }
__device__ __forceinline__ uint get_group_id(const int d) { return NK_CL_DIM(blockIdx, d); }
__device__ __forceinline__ uint get_local_size(const int d) { return NK_CL_DIM(blockDim, d); }
__device__ __forceinline__ uint get_num_groups(const int d) { return NK_CL_DIM(gridDim, d); }
__device__ __forceinline__ uint get_global_id(const int d) { return get_group_id(d) * get_local_size(d) + get_local_id(d); }
__device__ __forceinline__ uint get_global_size(const int d) { return get_num_groups(d) * get_local_size(d); }

// ---- synchronization ----
#define CLK_LOCAL_MEM_FENCE 1
#define CLK_GLOBAL_MEM_FENCE 2
#define barrier(flags) __syncthreads()
#define mem_fence(flags) __threadfence_block()

// ---- builtins CUDA spells differently ----
__device__ __forceinline__ uint mul_hi(const uint a, const uint b) { return __umulhi(a, b); }
__device__ __forceinline__ int mul_hi(const int a, const int b) { return __mulhi(a, b); }
// OpenCL lets mad round as it likes; a * b + c is what nvcc contracts into an fma (its default --fmad=true)
__device__ __forceinline__ float mad(const float a, const float b, const float c) { return a * b + c; }
__device__ __forceinline__ float clamp(const float x, const float lo, const float hi) { return fminf(fmaxf(x, lo), hi); }
__device__ __forceinline__ int clamp(const int x, const int lo, const int hi) { return min(max(x, lo), hi); }
template <class T, class C>
__device__ __forceinline__ T select(const T a, const T b, const C c) { return c ? b : a; }  // the scalar form
__device__ __forceinline__ float as_float(const uint x) { return __uint_as_float(x); }
__device__ __forceinline__ float as_float(const int x) { return __int_as_float(x); }
__device__ __forceinline__ uint as_uint(const float x) { return __float_as_uint(x); }
__device__ __forceinline__ int as_int(const float x) { return __float_as_int(x); }
// native_*: the hardware approximations (what --use_fast_math substitutes everywhere); the kernels do not use them
__device__ __forceinline__ float native_exp(const float x) { return __expf(x); }
__device__ __forceinline__ float native_log(const float x) { return __logf(x); }
__device__ __forceinline__ float native_sin(const float x) { return __sinf(x); }
__device__ __forceinline__ float native_cos(const float x) { return __cosf(x); }
__device__ __forceinline__ float native_powr(const float x, const float y) { return __powf(x, y); }
__device__ __forceinline__ float native_divide(const float x, const float y) { return __fdividef(x, y); }
__device__ __forceinline__ float native_recip(const float x) { return __fdividef(1.0f, x); }
__device__ __forceinline__ float native_sqrt(const float x) { return sqrtf(x); }
__device__ __forceinline__ float native_rsqrt(const float x) { return rsqrtf(x); }

// ---- vector loads and stores (element-wise: no alignment beyond the element's is assumed, as in OpenCL) ----
__device__ __forceinline__ uint2 vload2(const size_t i, const uint* p) { p += 2 * i; return make_uint2(p[0], p[1]); }
__device__ __forceinline__ uint4 vload4(const size_t i, const uint* p) { p += 4 * i; return make_uint4(p[0], p[1], p[2], p[3]); }
__device__ __forceinline__ float2 vload2(const size_t i, const float* p) { p += 2 * i; return make_float2(p[0], p[1]); }
__device__ __forceinline__ float4 vload4(const size_t i, const float* p) { p += 4 * i; return make_float4(p[0], p[1], p[2], p[3]); }
__device__ __forceinline__ void vstore2(const uint2 v, const size_t i, uint* p) { p += 2 * i; p[0] = v.x; p[1] = v.y; }
__device__ __forceinline__ void vstore4(const uint4 v, const size_t i, uint* p) { p += 4 * i; p[0] = v.x; p[1] = v.y; p[2] = v.z; p[3] = v.w; }
__device__ __forceinline__ void vstore2(const float2 v, const size_t i, float* p) { p += 2 * i; p[0] = v.x; p[1] = v.y; }
__device__ __forceinline__ void vstore4(const float4 v, const size_t i, float* p) { p += 4 * i; p[0] = v.x; p[1] = v.y; p[2] = v.z; p[3] = v.w; }

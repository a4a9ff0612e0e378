// cuda_cpu.h: just enough of CUDA C++ for g++ to compile kernels-cuda/neurokernels.cu for the host, so the
// CPU stand-in for the CUDA driver (libcuda.so.1 built in this folder) can run the project's kernels.
//
// Model. Every CUDA thread of a block runs on its own fiber (a small stack of its own); __syncthreads()
// switches back to the block's scheduler, which resumes the fibers of the block only after all of them
// have arrived (or exited). Blocks run one after another on a worker OS thread, several workers in
// parallel. __shared__ therefore becomes thread_local: the fibers of one block share their worker's copy,
// and a worker runs one block at a time. `extern __shared__` arrays (dynamic shared memory) are aliases,
// set up by the generated kernel table, of one per-worker buffer sized by cuLaunchKernel's sharedMemBytes.
// threadIdx, blockIdx, blockDim and gridDim read the scheduler's per-worker state.
//
// What is here is what the kernels use plus the obvious neighbours (vector types, the usual intrinsics,
// atomics on global and shared memory). Warp-level primitives (__shfl_*_sync, __ballot_sync, __syncwarp,
// ...) are deliberately absent: lockstep warps cannot be imitated faithfully this way, and a kernel that
// needs them fails to compile here instead of running with the wrong semantics.
//
// NK_CUDA_CPU_SCAN (set by the table generator's preprocessing pass) only renames the CUDA keywords into
// markers the generator can find in the preprocessed text.
#pragma once

#define NK_CUDA_CPU 1

#ifdef NK_CUDA_CPU_SCAN
#define __global__ __nk_global__
#define __launch_bounds__(...) __nk_launch_bounds__(__VA_ARGS__)
#define __shared__ __nk_shared__
#define __device__
#define __host__
#define __forceinline__
#define __constant__
#define __align__(n)
#else

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmath>
#include <cstdio>
#include <type_traits>

// ---- qualifiers ----
#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline __attribute__((always_inline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ thread_local
// __restrict__ is already a GCC keyword. __noinline__ is left out: libstdc++ spells
// __attribute__((__noinline__)), which such a macro would break.

// ---- vector types: CUDA's names, members and alignments ----
#define NK_VECTOR_TYPES(P, T, A2, A4)                                                                     \
    struct P##1 { T x; };                                                                                 \
    struct __attribute__((aligned(A2))) P##2 { T x, y; };                                                 \
    struct P##3 { T x, y, z; };                                                                           \
    struct __attribute__((aligned(A4))) P##4 { T x, y, z, w; };                                           \
    static inline P##1 make_##P##1(T x) { return P##1{x}; }                                               \
    static inline P##2 make_##P##2(T x, T y) { return P##2{x, y}; }                                       \
    static inline P##3 make_##P##3(T x, T y, T z) { return P##3{x, y, z}; }                               \
    static inline P##4 make_##P##4(T x, T y, T z, T w) { return P##4{x, y, z, w}; }
NK_VECTOR_TYPES(char, signed char, 2, 4)
NK_VECTOR_TYPES(uchar, unsigned char, 2, 4)
NK_VECTOR_TYPES(short, short, 4, 8)
NK_VECTOR_TYPES(ushort, unsigned short, 4, 8)
NK_VECTOR_TYPES(int, int, 8, 16)
NK_VECTOR_TYPES(uint, unsigned int, 8, 16)
NK_VECTOR_TYPES(long, long, 16, 16)
NK_VECTOR_TYPES(ulong, unsigned long, 16, 16)
NK_VECTOR_TYPES(longlong, long long, 16, 16)
NK_VECTOR_TYPES(ulonglong, unsigned long long, 16, 16)
NK_VECTOR_TYPES(float, float, 8, 16)
NK_VECTOR_TYPES(double, double, 16, 16)
#undef NK_VECTOR_TYPES

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) { }
};

// ---- the built-in variables: the scheduler's state of the running CUDA thread (runtime.cpp) ----
namespace nk_cpu {
struct ThreadState {
    uint3 threadIdx;
    uint3 blockIdx;
    dim3 blockDim;
    dim3 gridDim;
};
extern thread_local ThreadState t_state;
// Block barrier at a source line; returns how many threads of the block passed a non-zero predicate.
int block_barrier(int predicate, int line, const char* file);
inline int block_threads() { return (int) (t_state.blockDim.x * t_state.blockDim.y * t_state.blockDim.z); }
}  // namespace nk_cpu

static constexpr int warpSize = 32;

// ---- synchronization ----
// Macros, so that each barrier names its source line: the scheduler checks that the threads of a block
// wait at the same __syncthreads() (the compiler may duplicate a call, so its address would not do).
#define __syncthreads() ((void) ::nk_cpu::block_barrier(0, __LINE__, __FILE__))
#define __syncthreads_count(p) (::nk_cpu::block_barrier((p) != 0, __LINE__, __FILE__))
#define __syncthreads_or(p) (::nk_cpu::block_barrier((p) != 0, __LINE__, __FILE__) != 0)
#define __syncthreads_and(p) (::nk_cpu::block_barrier((p) != 0, __LINE__, __FILE__) == ::nk_cpu::block_threads())
static inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

#ifndef NK_CUDA_CPU_RUNTIME  // runtime.cpp, which sets them, uses the fields by name
#define threadIdx (::nk_cpu::t_state.threadIdx)
#define blockIdx (::nk_cpu::t_state.blockIdx)
#define blockDim (::nk_cpu::t_state.blockDim)
#define gridDim (::nk_cpu::t_state.gridDim)
#endif

// ---- bit casts and integer intrinsics ----
template <class To, class From>
static inline To nk_bit_cast(From v) {
    static_assert(sizeof(To) == sizeof(From), "nk_bit_cast needs equal sizes");
    To t;
    memcpy(&t, &v, sizeof t);
    return t;
}
static inline float __int_as_float(int v) { return nk_bit_cast<float>(v); }
static inline int __float_as_int(float v) { return nk_bit_cast<int>(v); }
static inline float __uint_as_float(unsigned int v) { return nk_bit_cast<float>(v); }
static inline unsigned int __float_as_uint(float v) { return nk_bit_cast<unsigned int>(v); }
static inline double __longlong_as_double(long long v) { return nk_bit_cast<double>(v); }
static inline long long __double_as_longlong(double v) { return nk_bit_cast<long long>(v); }
static inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return (unsigned int) (((unsigned long long) a * b) >> 32);
}
static inline int __mulhi(int a, int b) { return (int) (((long long) a * b) >> 32); }
static inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long) (((unsigned __int128) a * b) >> 64);
}
static inline long long __mul64hi(long long a, long long b) { return (long long) (((__int128) a * b) >> 64); }
static inline int __mul24(int a, int b) { return (int) ((a << 8) >> 8) * (int) ((b << 8) >> 8); }
static inline unsigned int __umul24(unsigned int a, unsigned int b) { return (a & 0xffffffu) * (b & 0xffffffu); }
static inline int __popc(unsigned int v) { return __builtin_popcount(v); }
static inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
static inline int __clz(int v) { return v == 0 ? 32 : __builtin_clz((unsigned int) v); }
static inline int __clzll(long long v) { return v == 0 ? 64 : __builtin_clzll((unsigned long long) v); }
static inline int __ffs(int v) { return __builtin_ffs(v); }
static inline int __ffsll(long long v) { return __builtin_ffsll(v); }
static inline unsigned int __brev(unsigned int v) {
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(v);
}

// ---- float intrinsics: the accurate host functions (the stand-in does not imitate fast math) ----
// The _rn arithmetic goes through an empty asm so that -ffp-contract cannot fuse it, as in CUDA.
static inline float nk_opaque(float v) {
    __asm__("" : "+m"(v));
    return v;
}
static inline float __fadd_rn(float a, float b) { return nk_opaque(a + b); }
static inline float __fsub_rn(float a, float b) { return nk_opaque(a - b); }
static inline float __fmul_rn(float a, float b) { return nk_opaque(a * b); }
static inline float __fdiv_rn(float a, float b) { return nk_opaque(a / b); }
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline float __frcp_rn(float a) { return nk_opaque(1.0f / a); }
static inline float __fsqrt_rn(float a) { return sqrtf(a); }
static inline float __fdividef(float a, float b) { return a / b; }
// __expf, __logf, __log2f, __log10f, __exp10f, __powf, __sinf, __cosf, __tanf and __sincosf are glibc's own
// names for its accurate expf, logf, ... (declared by <math.h>), which is what they mean here too.
static inline float __saturatef(float x) { return isnan(x) ? 0.0f : fminf(fmaxf(x, 0.0f), 1.0f); }
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
static inline double rsqrt(double x) { return 1.0 / sqrt(x); }
static inline float rcbrtf(float x) { return 1.0f / cbrtf(x); }
static inline int __float2int_rn(float x) { return (int) nearbyintf(x); }
static inline int __float2int_rz(float x) { return (int) x; }
static inline int __float2int_rd(float x) { return (int) floorf(x); }
static inline int __float2int_ru(float x) { return (int) ceilf(x); }
static inline unsigned int __float2uint_rn(float x) { return (unsigned int) nearbyintf(x); }
static inline unsigned int __float2uint_rz(float x) { return (unsigned int) x; }
static inline float __int2float_rn(int x) { return (float) x; }
static inline float __uint2float_rn(unsigned int x) { return (float) x; }

// CUDA's global min and max overloads
static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
static inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
static inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
static inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
static inline float min(float a, float b) { return fminf(a, b); }
static inline float max(float a, float b) { return fmaxf(a, b); }
static inline double min(double a, double b) { return fmin(a, b); }
static inline double max(double a, double b) { return fmax(a, b); }

// ---- memory access helpers ----
template <class T>
static inline T __ldg(const T* p) { return *p; }
template <class T>
static inline T __ldcg(const T* p) { return *p; }
template <class T>
static inline T __ldcs(const T* p) { return *p; }
template <class T>
static inline void __stcg(T* p, T v) { *p = v; }
template <class T>
static inline void __stcs(T* p, T v) { *p = v; }

// ---- atomics: real (relaxed, as CUDA's) atomics, since blocks run in parallel on several OS threads ----
#define NK_ATOMIC_INT(T)                                                                                  \
    static inline T atomicAdd(T* a, T v) { return __atomic_fetch_add(a, v, __ATOMIC_RELAXED); }           \
    static inline T atomicSub(T* a, T v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }           \
    static inline T atomicExch(T* a, T v) { return __atomic_exchange_n(a, v, __ATOMIC_RELAXED); }         \
    static inline T atomicAnd(T* a, T v) { return __atomic_fetch_and(a, v, __ATOMIC_RELAXED); }           \
    static inline T atomicOr(T* a, T v) { return __atomic_fetch_or(a, v, __ATOMIC_RELAXED); }             \
    static inline T atomicXor(T* a, T v) { return __atomic_fetch_xor(a, v, __ATOMIC_RELAXED); }           \
    static inline T atomicCAS(T* a, T expected, T desired) {                                              \
        __atomic_compare_exchange_n(a, &expected, desired, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);    \
        return expected;                                                                                  \
    }                                                                                                     \
    static inline T atomicMin(T* a, T v) {                                                                \
        T old = __atomic_load_n(a, __ATOMIC_RELAXED);                                                     \
        while (v < old && !__atomic_compare_exchange_n(a, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) { } \
        return old;                                                                                       \
    }                                                                                                     \
    static inline T atomicMax(T* a, T v) {                                                                \
        T old = __atomic_load_n(a, __ATOMIC_RELAXED);                                                     \
        while (v > old && !__atomic_compare_exchange_n(a, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) { } \
        return old;                                                                                       \
    }
NK_ATOMIC_INT(int)
NK_ATOMIC_INT(unsigned int)
NK_ATOMIC_INT(long long)
NK_ATOMIC_INT(unsigned long long)
#undef NK_ATOMIC_INT

// floating-point read-modify-write: a compare-and-swap loop on the bits
template <class F, class Op>
static inline F nk_atomic_float_rmw(F* a, Op op) {
    using U = typename std::conditional<sizeof(F) == 4, unsigned int, unsigned long long>::type;
    U* bits = reinterpret_cast<U*>(a);
    U old = __atomic_load_n(bits, __ATOMIC_RELAXED);
    for (;;) {
        const U next = nk_bit_cast<U>(op(nk_bit_cast<F>(old)));
        if (__atomic_compare_exchange_n(bits, &old, next, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) return nk_bit_cast<F>(old);
    }
}
static inline float atomicAdd(float* a, float v) { return nk_atomic_float_rmw(a, [v](float x) { return x + v; }); }
static inline double atomicAdd(double* a, double v) { return nk_atomic_float_rmw(a, [v](double x) { return x + v; }); }
static inline float atomicExch(float* a, float v) {
    return __uint_as_float(__atomic_exchange_n(reinterpret_cast<unsigned int*>(a), __float_as_uint(v), __ATOMIC_RELAXED));
}
// CUDA's float atomicMin/atomicMax (sm_90+): NaN-ignoring like fminf/fmaxf
static inline float atomicMin(float* a, float v) { return nk_atomic_float_rmw(a, [v](float x) { return fminf(x, v); }); }
static inline float atomicMax(float* a, float v) { return nk_atomic_float_rmw(a, [v](float x) { return fmaxf(x, v); }); }
static inline unsigned int atomicInc(unsigned int* a, unsigned int limit) {
    unsigned int old = __atomic_load_n(a, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(a, &old, old >= limit ? 0u : old + 1u, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) { }
    return old;
}
static inline unsigned int atomicDec(unsigned int* a, unsigned int limit) {
    unsigned int old = __atomic_load_n(a, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(a, &old, (old == 0u || old > limit) ? limit : old - 1u, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) { }
    return old;
}
// the scoped variants: every scope is the whole process here
#define atomicAdd_block atomicAdd
#define atomicAdd_system atomicAdd
#define atomicCAS_block atomicCAS
#define atomicCAS_system atomicCAS
#define atomicExch_block atomicExch
#define atomicMin_block atomicMin
#define atomicMax_block atomicMax

// ---- timing ----
long long nk_cpu_clock64();
static inline long long clock64() { return nk_cpu_clock64(); }

#endif  // NK_CUDA_CPU_SCAN

// Internal interface of the CPU stand-in for the CUDA driver: the kernel table (kernels.cpp, generated
// from kernels-cuda/neurokernels.cu), the block scheduler (runtime.cpp) and the driver API (driver.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

namespace nk_cpu {

using AnyFn = void (*)();

enum ArgKind : unsigned char { ARG_INT, ARG_UINT, ARG_FLOAT, ARG_DOUBLE, ARG_POINTER, ARG_OTHER };

// A kernel and its C++ signature, erased: the parameter sizes and offsets in a packed argument buffer
// (natural alignment, the layout of CUDA's parameter buffer), and run(), which calls the kernel with the
// arguments read back from such a buffer.
struct KernelDesc {
    const char* name;
    AnyFn fn;
    int max_threads;  // from __launch_bounds__, else 1024
    int arity;
    const std::size_t* sizes;
    const std::size_t* offsets;
    const ArgKind* kinds;
    std::size_t args_size;
    void (*run)(AnyFn fn, const unsigned char* args);
    std::size_t static_shared;  // bytes of its __shared__ arrays (counted against the 48 KiB per block)
};

template <class T>
constexpr ArgKind kind_of() {
    if constexpr (std::is_pointer_v<T>) return ARG_POINTER;
    else if constexpr (std::is_same_v<T, float>) return ARG_FLOAT;
    else if constexpr (std::is_same_v<T, double>) return ARG_DOUBLE;
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) == 4) return ARG_INT;
    else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && sizeof(T) == 4) return ARG_UINT;
    else return ARG_OTHER;
}

template <class F>
struct Signature;

template <class... A>
struct Signature<void (*)(A...)> {
    static_assert((std::is_trivially_copyable_v<A> && ...), "kernel parameters must be trivially copyable");
    static constexpr std::size_t N = sizeof...(A);
    // one extra entry so that a kernel without parameters still has arrays; offsets[N] is the total size
    static constexpr std::array<std::size_t, N + 1> sizes = {sizeof(A)..., 0};
    static constexpr std::array<ArgKind, N + 1> kinds = {kind_of<A>()..., ARG_OTHER};
    static constexpr std::array<std::size_t, N + 1> offsets_() {
        const std::size_t size[] = {sizeof(A)..., 0};
        const std::size_t align[] = {alignof(A)..., 1};
        std::array<std::size_t, N + 1> off{};
        std::size_t o = 0;
        for (std::size_t i = 0; i < N; i++) {
            o = (o + align[i] - 1) / align[i] * align[i];
            off[i] = o;
            o += size[i];
        }
        off[N] = o;
        return off;
    }
    static constexpr std::array<std::size_t, N + 1> offsets = offsets_();

    template <class T>
    static T load(const unsigned char* p) {
        T v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
    template <std::size_t... I>
    static void call(AnyFn fn, const unsigned char* args, std::index_sequence<I...>) {
        (void) args;
        reinterpret_cast<void (*)(A...)>(fn)(load<A>(args + offsets[I])...);
    }
    static void run(AnyFn fn, const unsigned char* args) { call(fn, args, std::index_sequence_for<A...>{}); }
};

// a static __shared__ array's share of a block's shared memory: its size, 16-byte aligned as nvcc lays them out
constexpr std::size_t shared_round(std::size_t bytes) { return (bytes + 15) / 16 * 16; }

// the first argument of __launch_bounds__(maxThreadsPerBlock, minBlocksPerMultiprocessor, maxBlocksPerCluster)
constexpr int launch_bound(int max_threads, int = 0, int = 0) { return max_threads; }

template <class F>
KernelDesc make_kernel(const char* name, F fn, int max_threads, std::size_t static_shared = 0) {
    using S = Signature<F>;
    return KernelDesc{name, reinterpret_cast<AnyFn>(fn), max_threads > 0 ? max_threads : 1024, (int) S::N,
                      S::sizes.data(), S::offsets.data(), S::kinds.data(), S::offsets[S::N], &S::run, static_shared};
}

// kernels.cpp: every kernel of neurokernels.cu
extern const KernelDesc kernel_table[];
extern const int kernel_count;
// Kernels that a test program links in beside the library's objects (tests/broken_kernels.cpp: kernels
// that are wrong on purpose, to show that the checkers catch them), ended by an entry with a null name.
// A weak symbol: absent (null) in libcuda.so.1 itself. cuModuleGetFunction searches it after kernel_table.
extern const KernelDesc test_kernel_table[] __attribute__((weak, visibility("hidden")));

// the per-worker dynamic shared memory that every `extern __shared__` array aliases (kernels.cpp)
constexpr std::size_t kDynamicSharedMax = 232448;  // 227 KiB: the opt-in limit of sm_90

struct Launch {
    const KernelDesc* kernel;
    const unsigned char* args;
    unsigned grid[3];
    unsigned block[3];
    std::size_t shared_bytes;
    bool poison_fill;  // fill dynamic shared memory with NaN bytes at the start of each block
};

// One access of a pair that the race checker (racecheck.cpp, the --racecheck build) found in conflict.
struct RaceAccess {
    unsigned block[3], thread[3];
    unsigned epoch;  // the block's barrier interval: 1 until its first __syncthreads() opens, then 2, ...
    bool write, atomic;
    const void* pc;  // the instruction in the kernel's code
};
// Two accesses to one 4-byte word, at least one a plain (non-atomic) write, with nothing ordering them:
// threads of one block in the same barrier interval, or threads of two different blocks.
struct RaceSample {
    bool shared;                // shared memory (static __shared__ arrays or the dynamic buffer), else global
    bool dynamic_shared;        // the launch's dynamic shared memory (extern __shared__)
    std::uintptr_t address;     // the word
    std::size_t shared_offset;  // shared memory: the byte offset in the dynamic buffer, or in the TLS block
    RaceAccess first, second;   // the earlier access and the later one
};

struct LaunchReport {
    bool exited_before_barrier = false;  // some threads of a block exited while others waited at __syncthreads
    bool mismatched_barriers = false;    // the threads of a block waited at different __syncthreads calls
    unsigned long long races = 0;        // racing accesses the race checker saw (0 in other builds)
    static constexpr int kMaxSamples = 6;
    int sample_count = 0;                // distinct pairs of instructions, the first kMaxSamples of them
    RaceSample samples[kMaxSamples];
};

// true in the --racecheck build: kernels are instrumented and every launch is checked for races
bool race_checking();

// Runs every block of the launch (in parallel on the worker pool) and returns when all are done.
void execute(const Launch& launch, LaunchReport* report);
// The number of OS threads that run blocks (NK_STANDIN_THREADS, else the CPUs this process may use).
unsigned worker_count();

}  // namespace nk_cpu

extern "C" thread_local unsigned char nk_cpu_dynamic_shared[];

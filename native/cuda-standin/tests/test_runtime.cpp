// test_runtime: the execution model of the stand-in on kernels written for the purpose (runtime.cpp and
// cuda_cpu.h, without the driver): 3-D indices, barriers that really wait (1024 threads, predicates),
// atomics from blocks running in parallel on several worker threads, dynamic shared memory, and the two
// barrier misuses the scheduler reports. Built with the race checker (build.sh --racecheck), it also checks
// that none of these kernels is reported.
//
//   g++ -std=c++17 -O2 -I native/cuda-standin native/cuda-standin/tests/test_runtime.cpp native/cuda-standin/runtime.cpp -lpthread
#include "cuda_cpu.h"

#include "runtime.h"

#include <cstdio>
#include <vector>

extern "C" {
alignas(64) thread_local unsigned char nk_cpu_dynamic_shared[nk_cpu::kDynamicSharedMax];
}
asm(".globl dyn\n\t.hidden dyn\n\t.type dyn, STT_TLS\n\t.set dyn, nk_cpu_dynamic_shared\n");

// every thread writes its global 3-D coordinates
__global__ void k_indices(unsigned* out) {
    const unsigned bx = blockIdx.x, by = blockIdx.y, bz = blockIdx.z;
    const unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    const unsigned b = bx + gridDim.x * (by + gridDim.y * bz);
    const unsigned n = blockDim.x * blockDim.y * blockDim.z;
    out[4 * (b * n + t) + 0] = bx * blockDim.x + threadIdx.x;
    out[4 * (b * n + t) + 1] = by * blockDim.y + threadIdx.y;
    out[4 * (b * n + t) + 2] = bz * blockDim.z + threadIdx.z;
    out[4 * (b * n + t) + 3] = 1;
}

// a shared-memory reversal across a barrier, then a count of odd threads through __syncthreads_count
__global__ void k_reverse(const int* in, int* out, int* counts) {
    __shared__ int s[1024];
    const int t = (int) threadIdx.x, n = (int) blockDim.x, base = (int) blockIdx.x * n;
    s[t] = in[base + t];
    __syncthreads();
    out[base + t] = s[n - 1 - t];
    const int odd = __syncthreads_count(t & 1);
    const int all = __syncthreads_and(1), any = __syncthreads_or(t == 5);
    if (t == 0) counts[blockIdx.x] = odd * 100 + all * 10 + any;
}

// atomics from every thread of every block
__global__ void k_atomics(float* fsum, int* isum, unsigned long long* usum, int* mx, unsigned* ring) {
    const int g = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    atomicAdd(fsum, 1.0f);
    atomicAdd(isum, g);
    atomicAdd(usum, 1ull << 32);
    atomicMax(mx, g);
    atomicInc(ring, 9u);
}

// dynamic shared memory: a prefix sum by doubling, with barriers in a loop
__global__ void k_scan(const float* in, float* out) {
    extern __shared__ float dyn[];
    const int t = (int) threadIdx.x, n = (int) blockDim.x;
    dyn[t] = in[blockIdx.x * n + t];
    __syncthreads();
    for (int d = 1; d < n; d *= 2) {
        const float v = t >= d ? dyn[t - d] : 0.0f;
        __syncthreads();
        dyn[t] += v;
        __syncthreads();
    }
    out[blockIdx.x * n + t] = dyn[t];
}

// misuse 1: half the threads leave before the barrier
__global__ void k_early_exit(int* out) {
    if (threadIdx.x % 2) return;
    __syncthreads();
    out[threadIdx.x] = 1;
}

// misuse 2: two different barriers
__global__ void k_two_barriers(int* out) {
    if (threadIdx.x % 2) {
        __syncthreads();
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = 2;
}

static int failures;
#define EXPECT(c, ...)                                  \
    do {                                                \
        if (!(c)) {                                     \
            failures++;                                 \
            fprintf(stderr, "FAIL line %d: ", __LINE__); \
            fprintf(stderr, __VA_ARGS__);               \
            fprintf(stderr, "\n");                      \
        }                                               \
    } while (0)

template <class F, class... A>
static nk_cpu::LaunchReport run(const char* name, F fn, dim3 grid, dim3 block, size_t shared, A... args) {
    nk_cpu::KernelDesc k = nk_cpu::make_kernel(name, fn, 0);
    std::vector<unsigned char> buf(k.args_size + 1);
    const void* values[] = {&args...};
    for (int i = 0; i < k.arity; i++) memcpy(buf.data() + k.offsets[i], values[i], k.sizes[i]);
    nk_cpu::Launch l{};
    l.kernel = &k;
    l.args = buf.data();
    l.grid[0] = grid.x, l.grid[1] = grid.y, l.grid[2] = grid.z;
    l.block[0] = block.x, l.block[1] = block.y, l.block[2] = block.z;
    l.shared_bytes = shared;
    l.poison_fill = true;
    nk_cpu::LaunchReport r;
    nk_cpu::execute(l, &r);
    // the --racecheck build checks every launch: these kernels are free of races
    EXPECT(r.races == 0, "%s: %llu racing accesses reported", name, r.races);
    return r;
}

int main() {
    printf("workers: %u\n", nk_cpu::worker_count());
    {
        const dim3 grid(3, 2, 2), block(4, 5, 3);
        const unsigned n = 3 * 2 * 2 * 4 * 5 * 3;
        std::vector<unsigned> out(4 * n, 0);
        run("k_indices", &k_indices, grid, block, 0, out.data());
        std::vector<int> seen(n, 0);
        for (unsigned i = 0; i < n; i++) {
            EXPECT(out[4 * i + 3] == 1, "thread %u did not run", i);
            const unsigned x = out[4 * i], y = out[4 * i + 1], z = out[4 * i + 2];
            if (x < 12 && y < 10 && z < 6) seen[x + 12 * (y + 10 * z)]++;
        }
        for (unsigned i = 0; i < n; i++) EXPECT(seen[i] == 1, "global index %u seen %d times", i, seen[i]);
    }
    {
        const int blocks = 6, n = 1024;
        std::vector<int> in(blocks * n), out(blocks * n), counts(blocks);
        for (int i = 0; i < blocks * n; i++) in[i] = i * 7;
        run("k_reverse", &k_reverse, dim3(blocks), dim3(n), 0, (const int*) in.data(), out.data(), counts.data());
        for (int b = 0; b < blocks; b++) {
            for (int t = 0; t < n; t++) EXPECT(out[b * n + t] == in[b * n + n - 1 - t], "reverse block %d thread %d", b, t);
            EXPECT(counts[b] == 512 * 100 + 10 + 1, "barrier predicates of block %d: %d", b, counts[b]);
        }
    }
    {
        float f = 0;
        int i = 0, mx = -1;
        unsigned long long u = 0;
        unsigned ring = 0;
        const int blocks = 64, n = 256, total = blocks * n;
        run("k_atomics", &k_atomics, dim3(blocks), dim3(n), 0, &f, &i, &u, &mx, &ring);
        EXPECT(f == (float) total, "atomicAdd(float): %g", (double) f);
        EXPECT(i == total / 2 * (total - 1), "atomicAdd(int): %d", i);
        EXPECT(u == (unsigned long long) total << 32, "atomicAdd(unsigned long long): %llu", u);
        EXPECT(mx == total - 1, "atomicMax: %d", mx);
        EXPECT(ring == (unsigned) (total % 10), "atomicInc wraps: %u", ring);
    }
    {
        const int blocks = 5, n = 200;
        std::vector<float> in(blocks * n), out(blocks * n);
        for (int i = 0; i < blocks * n; i++) in[i] = (float) (i % 7);
        run("k_scan", &k_scan, dim3(blocks), dim3(n), n * sizeof(float), (const float*) in.data(), out.data());
        for (int b = 0; b < blocks; b++) {
            float s = 0;
            for (int t = 0; t < n; t++) {
                s += in[b * n + t];
                EXPECT(out[b * n + t] == s, "scan block %d element %d: %g vs %g", b, t, (double) out[b * n + t], (double) s);
            }
        }
    }
    {
        std::vector<int> out(64, 0);
        nk_cpu::LaunchReport r = run("k_early_exit", &k_early_exit, dim3(1), dim3(64), 0, out.data());
        EXPECT(r.exited_before_barrier && !r.mismatched_barriers, "early exit reported");
        EXPECT(out[0] == 1 && out[62] == 1 && out[1] == 0, "the threads that stayed finished");
        r = run("k_two_barriers", &k_two_barriers, dim3(1), dim3(64), 0, out.data());
        EXPECT(r.mismatched_barriers && !r.exited_before_barrier, "two barriers reported");
        r = run("k_reverse", &k_reverse, dim3(1), dim3(32), 0, (const int*) out.data(), out.data(), out.data());
        EXPECT(!r.mismatched_barriers && !r.exited_before_barrier, "a clean kernel is not reported");
    }
    printf(failures ? "%d failures\n" : "all runtime checks passed\n", failures);
    return failures ? 1 : 0;
}

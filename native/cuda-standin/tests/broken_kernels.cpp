// broken_kernels CASE: kernels that are wrong on purpose, each launched through the driver API, to show that
// the checkers of the stand-in catch what they claim to (tests/catch_tests.sh says which checker must catch
// which case, and how):
//
//   shared-race   threads write shared memory and read their neighbour's word with no __syncthreads()
//                 between (a read/write race within a block)              -> the race checker (--racecheck)
//   dynamic-race  the same in dynamic shared memory (extern __shared__)   -> the race checker
//   blocks-race   thread 0 of every block adds to the same global word (blocks are not ordered)
//                                                                          -> ThreadSanitizer (--tsan), race checker
//   past-end      one thread writes one float past the end of its cuMemAlloc buffer
//                                                                          -> AddressSanitizer (--asan)
//   shared-fixed  shared-race with the barrier it lacks: no checker may report anything
//
// These kernels are not in kernels-cuda/: this program is linked from the stand-in's own objects (built by
// build.sh for the checker at hand) plus this file, whose kernels the driver finds through
// nk_cpu::test_kernel_table (runtime.h), so they are compiled with the same header (cuda_cpu.h), the same
// instrumentation and launched by the same cuModuleGetFunction and cuLaunchKernel as the project's kernels.
//
// Exit status: 0 when the launch returned CUDA_SUCCESS and the results were read back, 3 when the launch
// failed (the race checker fails a launch it found a race in), 2 on a setup error. ASan and TSan report on
// stderr (ASan ends the process; TSan's exit status is 66 when it reported anything).
#include "cuda_cpu.h"

#include "runtime.h"

#include <cstdio>
#include <cstring>
#include <vector>

// ---- the kernels ----

__global__ void nk_broken_shared_race(float* out) {
    __shared__ float s[256];
    const int t = (int) threadIdx.x, n = (int) blockDim.x;
    s[t] = (float) (t + 1);
    // a __syncthreads() belongs here: thread t reads the word thread t + 1 writes
    out[blockIdx.x * n + t] = s[(t + 1) % n];
}

__global__ void nk_broken_shared_fixed(float* out) {
    __shared__ float s[256];
    const int t = (int) threadIdx.x, n = (int) blockDim.x;
    s[t] = (float) (t + 1);
    __syncthreads();
    out[blockIdx.x * n + t] = s[(t + 1) % n];
}

__global__ void nk_broken_dynamic_race(float* out) {
    extern __shared__ float nk_broken_dyn[];
    const int t = (int) threadIdx.x, n = (int) blockDim.x;
    nk_broken_dyn[t] = (float) (t + 1);
    out[blockIdx.x * n + t] = nk_broken_dyn[(t + 1) % n];
}

__global__ void nk_broken_blocks_race(float* acc, const float* work, int len) {
    // some work of its own first, so that the blocks spread over the worker threads
    float s = 0;
    for (int i = (int) threadIdx.x; i < len; i += (int) blockDim.x) s += work[i];
    __syncthreads();
    if (threadIdx.x == 0) acc[0] += s > -1.0f ? 1.0f : 0.0f;  // not atomicAdd: every block writes acc[0]
}

__global__ void nk_broken_past_end(float* out, int n) {
    const int i = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    if (i <= n) out[i] = 1.0f;  // `<` was meant: thread n writes one float past the end
}

// the dynamic shared memory array aliases the stand-in's per-worker buffer, as kernels.cpp arranges for
// the arrays of kernels-cuda/
asm(".globl nk_broken_dyn\n\t.hidden nk_broken_dyn\n\t.type nk_broken_dyn, STT_TLS\n\t.set nk_broken_dyn, nk_cpu_dynamic_shared\n");

namespace nk_cpu {
const KernelDesc test_kernel_table[] = {
    make_kernel("nk_broken_shared_race", &nk_broken_shared_race, 0, shared_round(256 * sizeof(float))),
    make_kernel("nk_broken_shared_fixed", &nk_broken_shared_fixed, 0, shared_round(256 * sizeof(float))),
    make_kernel("nk_broken_dynamic_race", &nk_broken_dynamic_race, 0),
    make_kernel("nk_broken_blocks_race", &nk_broken_blocks_race, 0),
    make_kernel("nk_broken_past_end", &nk_broken_past_end, 0),
    KernelDesc{},
};
}  // namespace nk_cpu

// ---- the host: the driver API, as a CUDA program calls it ----

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
extern "C" {
CUresult cuInit(unsigned);
CUresult cuDeviceGet(int*, int);
CUresult cuDevicePrimaryCtxRetain(void**, int);
CUresult cuCtxSetCurrent(void*);
CUresult cuModuleLoadData(void**, const void*);
CUresult cuModuleGetFunction(void**, void*, const char*);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuLaunchKernel(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
CUresult cuGetErrorName(CUresult, const char**);
}

static void* module;

static int setup() {
    int dev;
    void* ctx;
    return cuInit(0) || cuDeviceGet(&dev, 0) || cuDevicePrimaryCtxRetain(&ctx, dev) || cuCtxSetCurrent(ctx) || cuModuleLoadData(&module, "x");
}

static CUdeviceptr alloc(size_t bytes) {
    CUdeviceptr p = 0;
    if (cuMemAlloc_v2(&p, bytes)) {
        fprintf(stderr, "cuMemAlloc(%zu) failed\n", bytes);
        exit(2);
    }
    return p;
}

// launches `name` and says how it went; 0 on success, 3 when the launch failed
static int launch(const char* name, unsigned grid, unsigned block, unsigned shared, void** params) {
    void* f = nullptr;
    if (cuModuleGetFunction(&f, module, name)) {
        fprintf(stderr, "cuModuleGetFunction(%s) failed\n", name);
        return 2;
    }
    const CUresult r = cuLaunchKernel(f, grid, 1, 1, block, 1, 1, shared, nullptr, params, nullptr);
    const char* text = "?";
    cuGetErrorName(r, &text);
    printf("%s<<<%u, %u, %u>>>: %s\n", name, grid, block, shared, text);
    return r == 0 ? 0 : 3;
}

int main(int argc, char** argv) {
    const char* what = argc > 1 ? argv[1] : "";
    if (setup()) {
        fprintf(stderr, "no CUDA context\n");
        return 2;
    }
    if (!strcmp(what, "shared-race") || !strcmp(what, "shared-fixed") || !strcmp(what, "dynamic-race")) {
        const unsigned blocks = 4, threads = 64;
        CUdeviceptr out = alloc(blocks * threads * sizeof(float));
        void* p[] = {&out};
        const bool dyn = !strcmp(what, "dynamic-race");
        const char* name = dyn ? "nk_broken_dynamic_race" : !strcmp(what, "shared-race") ? "nk_broken_shared_race" : "nk_broken_shared_fixed";
        const int rc = launch(name, blocks, threads, dyn ? threads * sizeof(float) : 0, p);
        if (rc) return rc;
        std::vector<float> h(blocks * threads);
        cuMemcpyDtoH_v2(h.data(), out, h.size() * sizeof(float));
        int wrong = 0;
        for (unsigned i = 0; i < h.size(); i++) wrong += h[i] != (float) ((i % threads + 1) % threads + 1);
        printf("%d of %zu values differ from what a barrier would give\n", wrong, h.size());
        return 0;
    }
    if (!strcmp(what, "blocks-race")) {
        const unsigned blocks = 64, threads = 128;
        int len = 1 << 14;
        std::vector<float> w(len, 1.0f);
        CUdeviceptr acc = alloc(sizeof(float)), work = alloc(len * sizeof(float));
        const float zero = 0;
        cuMemcpyHtoD_v2(acc, &zero, sizeof zero);
        cuMemcpyHtoD_v2(work, w.data(), len * sizeof(float));
        void* p[] = {&acc, &work, &len};
        const int rc = launch("nk_broken_blocks_race", blocks, threads, 0, p);
        if (rc) return rc;
        float h = 0;
        cuMemcpyDtoH_v2(&h, acc, sizeof h);
        printf("acc = %g (%u blocks added 1 each, without atomics)\n", (double) h, blocks);
        return 0;
    }
    if (!strcmp(what, "past-end")) {
        int n = 5;  // 20 bytes: the sixth float lies past the end
        CUdeviceptr out = alloc(n * sizeof(float));
        void* p[] = {&out, &n};
        return launch("nk_broken_past_end", 1, 32, 0, p);
    }
    fprintf(stderr, "usage: broken_kernels shared-race|dynamic-race|blocks-race|past-end|shared-fixed\n");
    return 2;
}

/* asan_catches MODE: deliberately wrong launches that the ASan build of the stand-in must catch, to show
 * that out-of-bounds accesses by kernels are found (tests/run_tests.sh expects each to die with
 * AddressSanitizer's report):
 *   global   nk_fill told the matrix has more rows than its buffer holds (a read/write past cuMemAlloc's block)
 *   shared   nk_rate_multistep given less dynamic shared memory than its n rates need */
#include <stdio.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
CUresult cuInit(unsigned);
CUresult cuDeviceGet(int*, int);
CUresult cuDevicePrimaryCtxRetain(void**, int);
CUresult cuCtxSetCurrent(void*);
CUresult cuModuleLoadData(void**, const void*);
CUresult cuModuleGetFunction(void**, void*, const char*);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuLaunchKernel(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    int dev;
    void *ctx, *mod, *f;
    if (cuInit(0) || cuDeviceGet(&dev, 0) || cuDevicePrimaryCtxRetain(&ctx, dev) || cuCtxSetCurrent(ctx) || cuModuleLoadData(&mod, "x")) return 2;
    if (!strcmp(mode, "global")) {
        CUdeviceptr y;
        int rows = 5, cols = 16, off = 0, ld = 16;
        float v = 1;
        if (cuMemAlloc_v2(&y, 4 * 16 * 4) || cuModuleGetFunction(&f, mod, "nk_fill")) return 2; /* 4 rows, not 5 */
        void* p[] = {&rows, &cols, &y, &off, &ld, &v};
        cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, NULL, p, NULL);
    } else if (!strcmp(mode, "shared")) {
        int batch = 1, n = 40, m = 0, steps = 1, act = 0, method = 0, z = 0, one = 1, rec = 0;
        float noise = 0;
        CUdeviceptr b;
        if (cuMemAlloc_v2(&b, 40 * 40 * 4) || cuModuleGetFunction(&f, mod, "nk_rate_multistep")) return 2;
        void* p[] = {&batch, &n, &m, &steps, &act, &method, &b, &z, &n, &b, &z, &n, &b, &z, &n, &b, &z, &n, &z, &b, &z, &n,
                     &b, &z, &n, &b, &z, &n, &noise, &z, &z, &z, &z, &b, &z, &n, &rec};
        (void) one;
        cuLaunchKernel(f, 1, 1, 1, 64, 1, 1, 32 * 4, NULL, p, NULL); /* 32 floats of shared memory for 40 rates */
    } else {
        fprintf(stderr, "usage: asan_catches global|shared\n");
        return 2;
    }
    printf("no error was detected\n");
    return 0;
}

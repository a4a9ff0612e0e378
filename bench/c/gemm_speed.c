/* GEMM through the C ABI, timed the way bench/ times the Java API's GemmShapesBenchmark.gemm: one nk_gemm
 * then nk_finish per operation, so each figure includes the device's launch-and-wait floor. For each shape
 * it warms up for about half a second, then reports the mean over about a second of operations.
 *
 *   gemm_speed SELECTOR SHAPE...      SHAPE: MxKxN:OP as in GemmShapesBenchmark ("64x784x256:NT": C is
 *                                     M x N, op(A) M x K, op(B) K x N, OP the transposes of A and B)
 * Prints one line per shape: "shape us_per_gemm gflops". */
#define _POSIX_C_SOURCE 199309L
#include <neurokernels.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

#define CHECK(call) do { if ((call) != NK_OK) { fprintf(stderr, "gemm_speed: %s: %s\n", #call, nk_last_error()); exit(1); } } while (0)

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: gemm_speed SELECTOR MxKxN:OP...\n");
        return 2;
    }
    nk_device* dev;
    CHECK(nk_open(argv[1], &dev));
    for (int s = 2; s < argc; s++) {
        int m, k, n;
        char ops[3] = "NN";
        if (sscanf(argv[s], "%dx%dx%d:%2s", &m, &k, &n, ops) < 3 || m < 1 || k < 1 || n < 1) {
            fprintf(stderr, "gemm_speed: bad shape '%s' (MxKxN:OP)\n", argv[s]);
            return 2;
        }
        int ta = ops[0] == 'T', tb = ops[1] == 'T';
        int ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
        float* ha = malloc(sizeof(float) * (size_t) ar * (size_t) ac);
        float* hb = malloc(sizeof(float) * (size_t) br * (size_t) bc);
        if (!ha || !hb) return 1;
        unsigned x = 12345u;
        for (size_t i = 0; i < (size_t) ar * (size_t) ac; i++) ha[i] = (float) ((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
        for (size_t i = 0; i < (size_t) br * (size_t) bc; i++) hb[i] = (float) ((x = x * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
        nk_buffer *a, *b, *c;
        CHECK(nk_alloc(dev, ar, ac, &a));
        CHECK(nk_alloc(dev, br, bc, &b));
        CHECK(nk_alloc(dev, m, n, &c));
        CHECK(nk_upload(a, ha, (size_t) ar * (size_t) ac));
        CHECK(nk_upload(b, hb, (size_t) br * (size_t) bc));
        double t0 = now();
        while (now() - t0 < 0.5) {
            CHECK(nk_gemm(dev, ta, tb, 1.0f, a, b, 0.0f, c));
            CHECK(nk_finish(dev));
        }
        long reps = 0;
        t0 = now();
        double t1;
        do {
            CHECK(nk_gemm(dev, ta, tb, 1.0f, a, b, 0.0f, c));
            CHECK(nk_finish(dev));
            reps++;
            t1 = now();
        } while (t1 - t0 < 1.0);
        double us = (t1 - t0) / (double) reps * 1e6;
        printf("%s %.3f %.2f\n", argv[s], us, 2.0 * m * n * k / (us * 1e3));
        fflush(stdout);
        CHECK(nk_free(a));
        CHECK(nk_free(b));
        CHECK(nk_free(c));
        free(ha);
        free(hb);
    }
    nk_close(dev);
    return 0;
}

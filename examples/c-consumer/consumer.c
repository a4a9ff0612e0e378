/*
 * c-consumer: a program built against an installed neurokernels (find_package or pkg-config). It opens
 * the device its first argument names (default opencl:pocl) through nk_open, multiplies a 37x53 by a
 * 53x29 matrix with nk_gemm and checks every element against a double-precision loop on the host.
 *
 *   consumer [SELECTOR]        exit status 0 when every element is within the bound, 1 otherwise
 */
#include <neurokernels.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>

enum { M = 37, K = 53, N = 29 };

/* xorshift32 from a fixed seed: values in +-[0.25, 1.25), none near zero, the same on every run */
static uint32_t state = 20240613u;

static float next_value(void) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    float magnitude = 0.25f + (float) (state >> 8) / 16777216.0f;
    return (state & 1u) ? -magnitude : magnitude;
}

#define TRY(call)                                                                                         \
    do {                                                                                                  \
        nk_status s_ = (call);                                                                            \
        if (s_ != NK_OK) {                                                                                \
            fprintf(stderr, "c-consumer: %s failed (status %d): %s\n", #call, (int) s_, nk_last_error()); \
            goto done;                                                                                    \
        }                                                                                                 \
    } while (0)

int main(int argc, char** argv) {
    const char* selector = argc > 1 ? argv[1] : "opencl:pocl";
    static float a[M * K], b[K * N], c[M * N];
    for (int i = 0; i < M * K; i++) a[i] = next_value();
    for (int i = 0; i < K * N; i++) b[i] = next_value();
    for (int i = 0; i < M * N; i++) c[i] = 0.0f;

    int ok = 0;
    nk_device* dev = NULL;
    nk_buffer *da, *db, *dc;
    char id[NK_SELECTOR_CAPACITY], name[256];
    if (nk_open(selector, &dev) != NK_OK) {
        fprintf(stderr, "c-consumer: cannot open device '%s': %s\n", selector, nk_last_error());
        return 1;
    }
    TRY(nk_device_selector(dev, id, sizeof id));
    TRY(nk_device_name(dev, name, sizeof name));
    printf("c-consumer: '%s' opened %s (%s), C API version %d\n", selector, id, name, nk_version());

    TRY(nk_alloc(dev, M, K, &da));
    TRY(nk_alloc(dev, K, N, &db));
    TRY(nk_alloc(dev, M, N, &dc));
    TRY(nk_upload(da, a, (size_t) M * K));
    TRY(nk_upload(db, b, (size_t) K * N));
    TRY(nk_gemm(dev, 0, 0, 1.0f, da, db, 0.0f, dc));
    TRY(nk_download(dc, c, (size_t) M * N));

    /* |c - ref| <= 2 (k + 5) 2^-24 sum_k |a_ik b_kj|: float rounding of a k-term sum, with a margin of 2 */
    double max_rel = 0.0;
    int bad = 0;
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            double ref = 0.0, mag = 0.0;
            for (int p = 0; p < K; p++) {
                ref += (double) a[i * K + p] * b[p * N + j];
                mag += fabs((double) a[i * K + p] * b[p * N + j]);
            }
            double err = fabs((double) c[i * N + j] - ref), bound = 2.0 * (K + 5) * ldexp(1.0, -24) * mag;
            if (err / mag > max_rel) max_rel = err / mag;
            if (!(err <= bound)) {
                if (bad < 5) fprintf(stderr, "c-consumer: c[%d][%d] = %.9g, expected %.9g (bound %.3g)\n", i, j, c[i * N + j], ref, bound);
                bad++;
            }
        }
    }
    printf("c-consumer: gemm %dx%dx%d on %s: max rel err %.3g (bound %.3g) %s\n", M, K, N, id, max_rel,
           2.0 * (K + 5) * ldexp(1.0, -24), bad ? "FAILED" : "OK");
    if (bad) fprintf(stderr, "c-consumer: %d of %d elements outside the bound\n", bad, M * N);
    ok = bad == 0;
done:
    if (dev && nk_close(dev) != NK_OK) {
        fprintf(stderr, "c-consumer: nk_close failed: %s\n", nk_last_error());
        ok = 0;
    }
    return ok ? 0 : 1;
}

/* test_kernels: runs kernels of kernels-cuda/ through the CUDA driver API with the project's argument
 * convention (a matrix is pointer, int offset, int leading dimension) and checks them against plain host
 * loops: both GEMM kernels over awkward shapes, offsets, leading dimensions, transposes and all four
 * epilogues, the block reduction, column sums, softmax, the multi-step rate kernel (dynamic shared memory),
 * elementwise kernels, the driver's refusals (bad launches, copies outside a buffer, no context) and the
 * launch limits of the real driver (grid and block dimensions, threads per block, 48 KiB of shared memory).
 *
 *   test_kernels [FATBIN]
 *
 * It links against libcuda.so.1: LD_LIBRARY_PATH picks the CPU stand-in, and without it the same binary
 * runs on a real GPU, where FATBIN (neurokernels.fatbin from nvcc) must be given; the stand-in accepts
 * any image. Exit status 0 when every check passed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void* CUcontext;
typedef void* CUmodule;
typedef void* CUfunction;
CUresult cuInit(unsigned);
CUresult cuDriverGetVersion(int*);
CUresult cuDeviceGetCount(int*);
CUresult cuDeviceGet(CUdevice*, int);
CUresult cuDeviceGetName(char*, int, CUdevice);
CUresult cuDeviceGetAttribute(int*, int, CUdevice);
CUresult cuDeviceTotalMem_v2(size_t*, CUdevice);
CUresult cuDevicePrimaryCtxRetain(CUcontext*, CUdevice);
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxGetCurrent(CUcontext*);
CUresult cuCtxSynchronize(void);
CUresult cuModuleLoadData(CUmodule*, const void*);
CUresult cuModuleUnload(CUmodule);
CUresult cuModuleGetFunction(CUfunction*, CUmodule, const char*);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuMemsetD32_v2(CUdeviceptr, unsigned, size_t);
CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
CUresult cuGetErrorName(CUresult, const char**);
CUresult cuFuncGetAttribute(int*, int, CUfunction);
CUresult cuFuncSetAttribute(CUfunction, int, int);

static int failures, checks;

#define CU(call)                                                                               \
    do {                                                                                       \
        CUresult r_ = (call);                                                                  \
        if (r_ != 0) {                                                                         \
            const char* n_ = NULL;                                                             \
            cuGetErrorName(r_, &n_);                                                           \
            fprintf(stderr, "%s:%d: %s failed: %d %s\n", __FILE__, __LINE__, #call, r_, n_ ? n_ : "?"); \
            exit(2);                                                                           \
        }                                                                                      \
    } while (0)

#define EXPECT(cond, ...)                                     \
    do {                                                      \
        checks++;                                             \
        if (!(cond)) {                                        \
            failures++;                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                     \
            fprintf(stderr, "\n");                            \
        }                                                     \
    } while (0)

static CUmodule module;

static CUfunction fn(const char* name) {
    CUfunction f = NULL;
    CU(cuModuleGetFunction(&f, module, name));
    return f;
}

/* ---- random numbers (xorshift), reproducible ---- */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static float frand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float) ((rng >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

/* ---- a matrix view: rows x cols at offset off with leading dimension ld, inside a buffer of size floats ---- */
typedef struct {
    int rows, cols, off, ld, size;
    float* h;      /* the whole buffer on the host */
    CUdeviceptr d; /* the whole buffer on the device */
} mat;

static mat mat_new(int rows, int cols, int off, int pad) {
    mat m;
    m.rows = rows;
    m.cols = cols;
    m.off = off;
    m.ld = cols + pad;
    m.size = off + (rows > 0 ? (rows - 1) * m.ld + cols : 0) + 3; /* a few floats of slack after the view */
    m.h = malloc(sizeof(float) * (size_t) m.size);
    for (int i = 0; i < m.size; i++) m.h[i] = frand();
    CU(cuMemAlloc_v2(&m.d, sizeof(float) * (size_t) m.size));
    CU(cuMemcpyHtoD_v2(m.d, m.h, sizeof(float) * (size_t) m.size));
    return m;
}

static float* at(mat* m, int i, int j) { return &m->h[m->off + i * m->ld + j]; }

static void mat_fill(mat* m, float v) {
    for (int i = 0; i < m->size; i++) m->h[i] = v;
    CU(cuMemcpyHtoD_v2(m->d, m->h, sizeof(float) * (size_t) m->size));
}

static float* mat_read(const mat* m) {
    float* out = malloc(sizeof(float) * (size_t) m->size);
    CU(cuMemcpyDtoH_v2(out, m->d, sizeof(float) * (size_t) m->size));
    return out;
}

static void mat_free(mat* m) {
    CU(cuMemFree_v2(m->d));
    free(m->h);
}

/* compares the device copy of m with the expected host copy: the view within tol, the rest unchanged */
static int mat_check(const mat* m, const float* expected, double tol, const char* what) {
    float* got = mat_read(m);
    int bad = 0;
    for (int k = 0; k < m->size && bad < 5; k++) {
        const int rel = k - m->off, i = rel >= 0 ? rel / m->ld : -1, j = rel >= 0 ? rel % m->ld : -1;
        const int in_view = rel >= 0 && i < m->rows && j < m->cols;
        const float e = expected[k], g = got[k];
        int ok;
        if (!in_view) ok = memcmp(&e, &g, sizeof e) == 0; /* untouched, bit for bit */
        else if (isnan(e)) ok = isnan(g);
        else ok = fabs((double) g - (double) e) <= tol * (1.0 + fabs((double) e));
        if (!ok) {
            bad++;
            fprintf(stderr, "  %s: element %d (%s %d,%d): got %.9g expected %.9g\n", what, k, in_view ? "view" : "OUTSIDE view", i, j,
                    (double) g, (double) e);
        }
    }
    free(got);
    EXPECT(bad == 0, "%s", what);
    return bad == 0;
}

/* ---- host reference of the GEMM epilogues (common.cuh, gemm.cu) ---- */
static float logistic(float z) {
    const float e = expf(-fabsf(z));
    return z >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
}
static float activate(int act, float z) {
    switch (act) {
        case 1: return tanhf(z);
        case 2: return isnan(z) ? z : logistic(z);
        case 3: return z < 0 ? 0.0f : z;
        case 4: return fmaxf(z, 0.0f) + log1pf(expf(-fabsf(z)));
        default: return z;
    }
}
static float deriv_pre(int act, float z) {
    if (isnan(z)) return z;
    switch (act) {
        case 1: { const float e = expf(-2.0f * fabsf(z)), d = 1.0f + e; return 4.0f * e / (d * d); }
        case 2: { const float e = expf(-fabsf(z)), d = 1.0f + e; return e / (d * d); }
        case 3: return z > 0 ? 1.0f : 0.0f;
        case 4: return logistic(z);
        default: return 1.0f;
    }
}
static float deriv_post(int act, float h) {
    if (isnan(h)) return h;
    switch (act) {
        case 1: return (1.0f - h) * (1.0f + h);
        case 2: return h * (1.0f - h);
        case 3: return h > 0 ? 1.0f : 0.0f;
        case 4: return -expm1f(-h);
        default: return 1.0f;
    }
}
static float step(float x, float t, float lr, float decay) { return fmaf(-lr, fmaf(decay, x, t), x); }

typedef struct {
    int M, N, K, ta, tb, epilogue, act, hasBias, hasPre, fromPost;
    float alpha, beta, mu;
    int warp;
} gemm_case;

static void run_gemm(const gemm_case* g) {
    const int M = g->M, N = g->N, K = g->K;
    /* operands with offsets and padded leading dimensions; op(A) is M x K, op(B) is K x N */
    mat A = g->ta ? mat_new(K, M, 5, 3) : mat_new(M, K, 3, 2);
    mat B = g->tb ? mat_new(N, K, 1, 1) : mat_new(K, N, 7, 4);
    mat C = mat_new(M, N, 2, 5);
    mat bias = mat_new(1, g->epilogue == 3 ? M : N, 1, 0);
    mat P = mat_new(M, N, 4, 1);
    mat D = mat_new(M, N, 6, 2);
    mat VB = mat_new(1, M, 2, 0);
    if (g->epilogue == 0 && g->beta == 0.0f) mat_fill(&C, NAN); /* beta == 0: C must not be read */
    if (g->epilogue == 2 && g->fromPost) {                       /* D holds h = f(z): keep it in f's range */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) *at(&D, i, j) = activate(g->act, *at(&D, i, j));
        CU(cuMemcpyHtoD_v2(D.d, D.h, sizeof(float) * (size_t) D.size));
    }
    float* eC = malloc(sizeof(float) * (size_t) C.size);
    float* eP = malloc(sizeof(float) * (size_t) P.size);
    float* eD = malloc(sizeof(float) * (size_t) D.size);
    float* eBias = malloc(sizeof(float) * (size_t) bias.size);
    float* eVB = malloc(sizeof(float) * (size_t) VB.size);
    memcpy(eC, C.h, sizeof(float) * (size_t) C.size);
    memcpy(eP, P.h, sizeof(float) * (size_t) P.size);
    memcpy(eD, D.h, sizeof(float) * (size_t) D.size);
    memcpy(eBias, bias.h, sizeof(float) * (size_t) bias.size);
    memcpy(eVB, VB.h, sizeof(float) * (size_t) VB.size);
#define E(buf, m, i, j) (buf)[(m).off + (i) * (m).ld + (j)]
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < N; j++) {
            float acc = 0.0f; /* fmaf in k order, as both kernels accumulate */
            for (int k = 0; k < K; k++) {
                const float a = g->ta ? *at(&A, k, i) : *at(&A, i, k), b = g->tb ? *at(&B, j, k) : *at(&B, k, j);
                acc = fmaf(a, b, acc);
            }
            if (g->epilogue == 0) {
                float v = g->alpha * acc;
                if (g->beta != 0.0f) v = fmaf(g->beta, E(eC, C, i, j), v);
                E(eC, C, i, j) = v;
            } else if (g->epilogue == 1) {
                float z = acc;
                if (g->hasBias) z += E(eBias, bias, 0, j);
                if (g->hasPre) E(eP, P, i, j) = z;
                E(eC, C, i, j) = activate(g->act, z);
            } else if (g->epilogue == 2) {
                const float x = E(eD, D, i, j);
                E(eC, C, i, j) = acc * (g->fromPost ? deriv_post(g->act, x) : deriv_pre(g->act, x));
            } else {
                float t = acc;
                if (g->hasPre) {
                    t = fmaf(g->mu, E(eP, P, i, j), t);
                    E(eP, P, i, j) = t;
                }
                E(eC, C, i, j) = step(E(eC, C, i, j), t, g->alpha, g->beta);
                if (g->fromPost) E(eD, D, i, j) = step(E(eD, D, i, j), t, g->alpha, g->beta);
            }
        }
        if (g->epilogue == 3 && g->hasBias) {
            float t = 0.0f;
            for (int k = 0; k < K; k++) t += g->ta ? *at(&A, k, i) : *at(&A, i, k);
            if (g->hasPre) {
                t = fmaf(g->mu, E(eVB, VB, 0, i), t);
                E(eVB, VB, 0, i) = t;
            }
            E(eBias, bias, 0, i) = fmaf(-g->alpha, t, E(eBias, bias, 0, i));
        }
    }
#undef E
    int ta = g->ta, tb = g->tb, M_ = M, N_ = N, K_ = K, epi = g->epilogue, hasBias = g->hasBias, act = g->act, hasPre = g->hasPre,
        fromPost = g->fromPost;
    float alpha = g->alpha, beta = g->beta, mu = g->mu;
    void* params[] = {&M_, &N_, &K_, &A.d, &A.off, &A.ld, &ta, &B.d, &B.off, &B.ld, &tb, &C.d, &C.off, &C.ld, &alpha, &beta, &epi,
                      &bias.d, &bias.off, &bias.ld, &hasBias, &act, &P.d, &P.off, &P.ld, &hasPre, &D.d, &D.off, &D.ld, &fromPost,
                      &VB.d, &VB.off, &VB.ld, &mu};
    if (g->warp) {
        CU(cuLaunchKernel(fn("nk_gemm_warp"), (unsigned) ((N + 127) / 128), (unsigned) ((M + 127) / 128), 1, 256, 1, 1, 0, NULL, params, NULL));
    } else {
        CU(cuLaunchKernel(fn("nk_gemm"), (unsigned) ((N + 63) / 64), (unsigned) ((M + 63) / 64), 1, 16, 16, 1, 0, NULL, params, NULL));
    }
    CU(cuCtxSynchronize());
    char what[160];
    snprintf(what, sizeof what, "%s M=%d N=%d K=%d ta=%d tb=%d epilogue=%d act=%d bias=%d pre=%d post=%d beta=%g",
             g->warp ? "nk_gemm_warp" : "nk_gemm", M, N, K, ta, tb, epi, act, hasBias, hasPre, fromPost, (double) beta);
    /* 2e-6: the same fmaf order as the kernels; the slack covers libm differences on a real GPU */
    int ok = mat_check(&C, eC, 2e-6, what);
    if (epi == 1 || epi == 3) ok &= mat_check(&P, eP, 2e-6, what);
    if (epi == 3) ok &= mat_check(&D, eD, 2e-6, what);
    if (epi == 3) ok &= mat_check(&bias, eBias, 1e-5, what);
    if (epi == 3) ok &= mat_check(&VB, eVB, 1e-5, what);
    (void) ok;
    mat_check(&A, A.h, 0, "A unchanged");
    mat_check(&B, B.h, 0, "B unchanged");
    free(eC), free(eP), free(eD), free(eBias), free(eVB);
    mat_free(&A), mat_free(&B), mat_free(&C), mat_free(&bias), mat_free(&P), mat_free(&D), mat_free(&VB);
}

static void test_gemm(void) {
    const int shapes[][3] = {{1, 1, 1}, {5, 7, 3}, {64, 64, 16}, {65, 63, 17}, {130, 70, 33}, {3, 200, 129}, {128, 128, 8}, {129, 257, 9}};
    const int nshapes = (int) (sizeof shapes / sizeof shapes[0]);
    int n = 0;
    for (int warp = 0; warp < 2; warp++) {
        for (int s = 0; s < nshapes; s++) {
            for (int t = 0; t < 4; t++) {
                gemm_case g = {shapes[s][0], shapes[s][1], shapes[s][2], t & 1, t >> 1, 0, 0, 0, 0, 0, 1.5f, 0.0f, 0.0f, warp};
                run_gemm(&g);
                g.beta = -0.75f;
                run_gemm(&g);
                n += 2;
            }
            /* the epilogues, on a couple of transposes each */
            for (int act = 0; act <= 4; act++) {
                gemm_case g = {shapes[s][0], shapes[s][1], shapes[s][2], 0, 1, 1, act, act != 2, act % 2, 0, 1.0f, 0.0f, 0.0f, warp};
                run_gemm(&g);
                g.epilogue = 2;
                g.fromPost = act % 2;
                g.ta = 1;
                g.tb = 0;
                run_gemm(&g);
                n += 2;
            }
            for (int v = 0; v < 4; v++) {
                gemm_case g = {shapes[s][0], shapes[s][1], shapes[s][2], 1, 0, 3, 0, 1, v & 1, v >> 1, 0.05f, 0.01f, 0.9f, warp};
                if (v == 3) g.hasBias = 0;
                run_gemm(&g);
                n++;
            }
        }
    }
    printf("gemm: %d cases (nk_gemm and nk_gemm_warp)\n", n);
}

/* nk_dot_partial: block 256, at most 256 blocks, partial sums per block; the host adds them */
static void test_reductions(void) {
    const int shapes[][2] = {{1, 1}, {1, 255}, {7, 300}, {100, 1000}, {513, 129}};
    for (int s = 0; s < 5; s++) {
        int rows = shapes[s][0], cols = shapes[s][1];
        mat X = mat_new(rows, cols, 3, 2), Y = mat_new(rows, cols, 1, 0);
        const long n = (long) rows * cols;
        int blocks = (int) ((n + 255) / 256);
        if (blocks > 256) blocks = 256;
        mat part = mat_new(1, blocks, 2, 0);
        int one = 1;
        void* params[] = {&rows, &cols, &X.d, &X.off, &X.ld, &Y.d, &Y.off, &Y.ld, &part.d, &part.off, &one};
        CU(cuLaunchKernel(fn("nk_dot_partial"), (unsigned) blocks, 1, 1, 256, 1, 1, 0, NULL, params, NULL));
        float* got = mat_read(&part);
        double sum = 0, ref = 0, mag = 0;
        for (int b = 0; b < blocks; b++) sum += got[part.off + b];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) {
                ref += (double) *at(&X, i, j) * *at(&Y, i, j);
                mag += fabs((double) *at(&X, i, j) * *at(&Y, i, j));
            }
        EXPECT(fabs(sum - ref) <= 1e-5 * (1 + mag), "nk_dot_partial %dx%d: %.9g vs %.9g", rows, cols, sum, ref);
        /* the partials beyond the blocks are untouched */
        EXPECT(memcmp(&got[part.off + blocks], &part.h[part.off + blocks], sizeof(float)) == 0, "nk_dot_partial writes only its blocks");
        free(got);

        /* nk_column_sums: one thread per column */
        mat S = mat_new(1, cols, 1, 0);
        float* eS = malloc(sizeof(float) * (size_t) S.size);
        memcpy(eS, S.h, sizeof(float) * (size_t) S.size);
        for (int j = 0; j < cols; j++) {
            float t = 0;
            for (int i = 0; i < rows; i++) t += *at(&X, i, j);
            eS[S.off + j] = t;
        }
        void* cp[] = {&rows, &cols, &X.d, &X.off, &X.ld, &S.d, &S.off, &S.ld};
        CU(cuLaunchKernel(fn("nk_column_sums"), (unsigned) ((cols + 255) / 256), 1, 1, 256, 1, 1, 0, NULL, cp, NULL));
        mat_check(&S, eS, 1e-6, "nk_column_sums");
        free(eS);
        mat_free(&S), mat_free(&X), mat_free(&Y), mat_free(&part);
    }
    printf("reductions: nk_dot_partial, nk_column_sums\n");
}

static void test_softmax(void) {
    int rows = 37, cols = 10;
    mat Z = mat_new(rows, cols, 1, 3), T = mat_new(rows, cols, 0, 0), P = mat_new(rows, cols, 2, 0), G = mat_new(rows, cols, 0, 1),
        L = mat_new(rows, 1, 0, 0);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) *at(&T, i, j) = j == i % cols ? 1.0f : 0.0f;
    CU(cuMemcpyHtoD_v2(T.d, T.h, sizeof(float) * (size_t) T.size));
    float *eP = malloc(sizeof(float) * (size_t) P.size), *eG = malloc(sizeof(float) * (size_t) G.size), *eL = malloc(sizeof(float) * (size_t) L.size);
    memcpy(eP, P.h, sizeof(float) * (size_t) P.size);
    memcpy(eG, G.h, sizeof(float) * (size_t) G.size);
    memcpy(eL, L.h, sizeof(float) * (size_t) L.size);
    for (int i = 0; i < rows; i++) {
        double m = -INFINITY, s = 0, loss = 0;
        for (int j = 0; j < cols; j++) m = fmax(m, *at(&Z, i, j));
        for (int j = 0; j < cols; j++) s += exp(*at(&Z, i, j) - m);
        for (int j = 0; j < cols; j++) {
            const double logp = *at(&Z, i, j) - m - log(s), t = *at(&T, i, j);
            if (t != 0) loss -= t * logp;
            eP[P.off + i * P.ld + j] = (float) exp(logp);
            eG[G.off + i * G.ld + j] = (float) ((exp(logp) - t) / rows);
        }
        eL[L.off + i * L.ld] = (float) loss;
    }
    void* params[] = {&rows, &cols, &Z.d, &Z.off, &Z.ld, &T.d, &T.off, &T.ld, &P.d, &P.off, &P.ld, &G.d, &G.off, &G.ld, &L.d, &L.off, &L.ld};
    CU(cuLaunchKernel(fn("nk_softmax_xent"), 1, 1, 1, 256, 1, 1, 0, NULL, params, NULL));
    mat_check(&P, eP, 1e-5, "nk_softmax_xent P");
    mat_check(&G, eG, 1e-5, "nk_softmax_xent G");
    mat_check(&L, eL, 1e-5, "nk_softmax_xent L");
    free(eP), free(eG), free(eL);
    mat_free(&Z), mat_free(&T), mat_free(&P), mat_free(&G), mat_free(&L);
    printf("softmax: nk_softmax_xent\n");
}

/* nk_rate_multistep: one block per batch row, the rates in dynamic shared memory, barriers every step */
static void test_rate_multistep(void) {
    int batch = 3, n = 50, m = 4, steps = 6, act = 1, method = 0, hasU = 1, recordEvery = 2, key0 = 1, key1 = 2, stream = 0, step0 = 0;
    float noise = 0.0f;
    mat R = mat_new(batch, n, 1, 2), WT = mat_new(n, n, 0, 1), WINT = mat_new(m, n, 2, 0), U = mat_new(steps * batch, m, 0, 0),
        BIAS = mat_new(1, n, 0, 0), C = mat_new(1, n, 0, 0), TAU = mat_new(1, n, 0, 0), REC = mat_new(steps / recordEvery * batch, n, 1, 0);
    for (int j = 0; j < n; j++) *at(&C, 0, j) = 0.1f + 0.5f * fabsf(*at(&C, 0, j));
    CU(cuMemcpyHtoD_v2(C.d, C.h, sizeof(float) * (size_t) C.size));
    float* eR = malloc(sizeof(float) * (size_t) R.size);
    float* eREC = malloc(sizeof(float) * (size_t) REC.size);
    memcpy(eR, R.h, sizeof(float) * (size_t) R.size);
    memcpy(eREC, REC.h, sizeof(float) * (size_t) REC.size);
    float* r = malloc(sizeof(float) * (size_t) n);
    float* next = malloc(sizeof(float) * (size_t) n);
    for (int b = 0; b < batch; b++) {
        for (int j = 0; j < n; j++) r[j] = *at(&R, b, j);
        for (int t = 0; t < steps; t++) {
            for (int j = 0; j < n; j++) {
                float x = *at(&BIAS, 0, j);
                for (int k = 0; k < n; k++) x = fmaf(*at(&WT, k, j), r[k], x);
                for (int q = 0; q < m; q++) x = fmaf(*at(&WINT, q, j), *at(&U, t * batch + b, q), x);
                const float c = *at(&C, 0, j), fx = activate(act, x);
                next[j] = fmaf(c, fx - r[j], r[j]);
            }
            memcpy(r, next, sizeof(float) * (size_t) n);
            if ((t + 1) % recordEvery == 0)
                for (int j = 0; j < n; j++) eREC[REC.off + ((t + 1) / recordEvery - 1) * batch * REC.ld + b * REC.ld + j] = r[j];
        }
        for (int j = 0; j < n; j++) eR[R.off + b * R.ld + j] = r[j];
    }
    void* params[] = {&batch, &n, &m, &steps, &act, &method, &R.d, &R.off, &R.ld, &WT.d, &WT.off, &WT.ld, &WINT.d, &WINT.off, &WINT.ld,
                      &U.d, &U.off, &U.ld, &hasU, &BIAS.d, &BIAS.off, &BIAS.ld, &C.d, &C.off, &C.ld, &TAU.d, &TAU.off, &TAU.ld, &noise,
                      &key0, &key1, &stream, &step0, &REC.d, &REC.off, &REC.ld, &recordEvery};
    /* a block of 64 threads for 50 neurons: the last 14 are idle but still meet every barrier */
    CU(cuLaunchKernel(fn("nk_rate_multistep"), (unsigned) batch, 1, 1, 64, 1, 1, (unsigned) (n * sizeof(float)), NULL, params, NULL));
    mat_check(&R, eR, 1e-5, "nk_rate_multistep R");
    mat_check(&REC, eREC, 1e-5, "nk_rate_multistep REC");
    free(eR), free(eREC), free(r), free(next);
    mat_free(&R), mat_free(&WT), mat_free(&WINT), mat_free(&U), mat_free(&BIAS), mat_free(&C), mat_free(&TAU), mat_free(&REC);
    printf("dynamics: nk_rate_multistep (dynamic shared memory)\n");
}

static void test_elementwise(void) {
    int rows = 33, cols = 45;
    mat X = mat_new(rows, cols, 2, 3), Y = mat_new(rows, cols, 1, 5);
    float alpha = -0.5f;
    float* eY = malloc(sizeof(float) * (size_t) Y.size);
    memcpy(eY, Y.h, sizeof(float) * (size_t) Y.size);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) eY[Y.off + i * Y.ld + j] = fmaf(alpha, *at(&X, i, j), *at(&Y, i, j));
    void* params[] = {&rows, &cols, &alpha, &X.d, &X.off, &X.ld, &Y.d, &Y.off, &Y.ld};
    CU(cuLaunchKernel(fn("nk_axpy"), (unsigned) ((rows * cols + 255) / 256), 1, 1, 256, 1, 1, 0, NULL, params, NULL));
    mat_check(&Y, eY, 0, "nk_axpy");
    /* nk_fill on a single row (the rows == 1 path of ELEMENT_INDEX) */
    int one = 1;
    float v = 3.25f;
    for (int j = 0; j < cols; j++) eY[Y.off + 4 * Y.ld + j] = v;
    CUdeviceptr row = Y.d;
    int off = Y.off + 4 * Y.ld;
    void* fp[] = {&one, &cols, &row, &off, &Y.ld, &v};
    CU(cuLaunchKernel(fn("nk_fill"), 1, 1, 1, 256, 1, 1, 0, NULL, fp, NULL));
    mat_check(&Y, eY, 0, "nk_fill one row");
    free(eY);
    mat_free(&X), mat_free(&Y);
    printf("elementwise: nk_axpy, nk_fill\n");
}

/* what the stand-in (like the real driver) refuses */
static void test_refusals(int standin) {
    CUfunction f = NULL;
    EXPECT(cuModuleGetFunction(&f, module, "no_such_kernel") == 500, "unknown kernel: CUDA_ERROR_NOT_FOUND");
    CUdeviceptr p = 0;
    CU(cuMemAlloc_v2(&p, 64));
    float h[32] = {0};
    EXPECT(cuMemcpyHtoD_v2(p, h, 128) != 0, "a copy past the end of a buffer fails");
    EXPECT(cuMemcpyDtoH_v2(h, p + 32, 64) != 0, "a read past the end of a buffer fails");
    EXPECT(cuMemAlloc_v2(&p, 0) == 1 || !standin, "cuMemAlloc of 0 bytes: CUDA_ERROR_INVALID_VALUE");
    /* nk_gemm is __launch_bounds__(256): a 32 x 16 block is refused */
    int z = 0;
    float fz = 0;
    CUdeviceptr q = p;
    void* params[] = {&z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &fz, &fz, &z, &q, &z, &z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &fz};
    EXPECT(cuLaunchKernel(fn("nk_gemm"), 1, 1, 1, 32, 16, 1, 0, NULL, params, NULL) == 701, "over __launch_bounds__: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
    EXPECT(cuLaunchKernel(fn("nk_gemm"), 1, 1, 1, 2048, 1, 1, 0, NULL, params, NULL) != 0, "2048 threads per block are refused");
    EXPECT(cuLaunchKernel(fn("nk_gemm"), 0, 1, 1, 16, 16, 1, 0, NULL, params, NULL) == 1, "an empty grid: CUDA_ERROR_INVALID_VALUE");
    CU(cuMemFree_v2(p));
    if (standin) EXPECT(cuMemFree_v2(p) == 1, "a second cuMemFree of the same pointer: CUDA_ERROR_INVALID_VALUE");
    CUcontext cur = NULL;
    CU(cuCtxGetCurrent(&cur));
    CU(cuCtxSetCurrent(NULL));
    EXPECT(cuMemAlloc_v2(&p, 64) == 201, "no current context: CUDA_ERROR_INVALID_CONTEXT");
    CU(cuCtxSetCurrent(cur));
    printf("refusals: unknown kernel, copies out of range, launch bounds, empty grid, double free, no context\n");
}

/* The launch limits of the real driver (sm_90, as everywhere since sm_30): gridDim.x <= 2^31 - 1, gridDim.y
 * and .z <= 65535, blockDim <= (1024, 1024, 64) with at most 1024 threads, static + dynamic shared memory
 * <= 48 KiB unless CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES was raised (up to the opt-in limit);
 * every refusal is CUDA_ERROR_INVALID_VALUE. The accepted edges launch nk_fill over zero rows (every thread
 * returns at once), except gridDim.x = 2^31 - 1, which would run two billion blocks. */
static void test_limits(void) {
    const int INVALID = 1;
    CUfunction fill = fn("nk_fill"), gemm = fn("nk_gemm");
    CUdeviceptr p = 0;
    CU(cuMemAlloc_v2(&p, 256));
    int zero = 0, one = 1;
    float v = 0;
    void* fp[] = {&zero, &one, &p, &zero, &one, &v}; /* nk_fill(rows 0, cols 1, Y, off, ld, value) */
#define LAUNCH(f, gx, gy, gz, bx, by, bz, shared, params) cuLaunchKernel(f, gx, gy, gz, bx, by, bz, shared, NULL, params, NULL)
    EXPECT(LAUNCH(fill, 1, 65536, 1, 1, 1, 1, 0, fp) == INVALID, "gridDim.y = 65536: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 1, 65536, 1, 1, 1, 0, fp) == INVALID, "gridDim.z = 65536: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 0x80000000u, 1, 1, 1, 1, 1, 0, fp) == INVALID, "gridDim.x = 2^31: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 65535, 1, 1, 1, 1, 0, fp) == 0, "gridDim.y = 65535 is allowed");
    EXPECT(LAUNCH(fill, 1, 1, 65535, 1, 1, 1, 0, fp) == 0, "gridDim.z = 65535 is allowed");
    EXPECT(LAUNCH(fill, 1, 1, 1, 1025, 1, 1, 0, fp) == INVALID, "blockDim.x = 1025: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 1, 1, 1, 1025, 1, 0, fp) == INVALID, "blockDim.y = 1025: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 1, 1, 1, 1, 65, 0, fp) == INVALID, "blockDim.z = 65: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 1, 1, 64, 32, 1, 0, fp) == INVALID, "64 x 32 = 2048 threads per block: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 1, 1, 16, 16, 8, 0, fp) == INVALID, "16 x 16 x 8 = 2048 threads per block: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(fill, 1, 1, 1, 1024, 1, 1, 0, fp) == 0, "blockDim.x = 1024 is allowed");
    EXPECT(LAUNCH(fill, 1, 1, 1, 1, 1024, 1, 0, fp) == 0, "blockDim.y = 1024 is allowed");
    EXPECT(LAUNCH(fill, 1, 1, 1, 1, 1, 64, 0, fp) == 0, "blockDim.z = 64 is allowed");
    EXPECT(LAUNCH(fill, 1, 1, 1, 32, 32, 1, 0, fp) == 0, "32 x 32 = 1024 threads per block are allowed");
    /* a kernel with __launch_bounds__(256) past the hardware limits: the hardware limit comes first */
    int z = 0;
    float fz = 0;
    CUdeviceptr q = p;
    void* gp[] = {&z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &fz, &fz, &z, &q, &z, &z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &z, &q, &z, &z, &fz};
    EXPECT(LAUNCH(gemm, 1, 1, 1, 1025, 1, 1, 0, gp) == INVALID, "nk_gemm with blockDim.x = 1025: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(gemm, 1, 1, 1, 16, 16, 2, 0, gp) == 701, "nk_gemm with 512 threads: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
    /* shared memory: 48 KiB per block, static (nk_gemm's tiles) and dynamic together */
    int fill_static = -1, gemm_static = -1, gemm_dynamic = -1, optin = 0;
    CU(cuFuncGetAttribute(&fill_static, 1, fill)); /* CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES */
    CU(cuFuncGetAttribute(&gemm_static, 1, gemm));
    CU(cuFuncGetAttribute(&gemm_dynamic, 8, gemm)); /* CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES */
    CUdevice dev;
    CU(cuDeviceGet(&dev, 0));
    CU(cuDeviceGetAttribute(&optin, 97, dev)); /* CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
    EXPECT(fill_static == 0, "nk_fill has no static shared memory: %d", fill_static);
    EXPECT(gemm_static > 0 && gemm_static < 49152, "nk_gemm's static shared memory (its two tiles): %d bytes", gemm_static);
    EXPECT(gemm_dynamic == 49152 - gemm_static, "nk_gemm's dynamic shared memory limit is 48 KiB less its tiles: %d", gemm_dynamic);
    const unsigned room = (unsigned) (49152 - gemm_static);
    EXPECT(LAUNCH(fill, 1, 1, 1, 32, 1, 1, 49152, fp) == 0, "nk_fill with 48 KiB of dynamic shared memory is allowed");
    EXPECT(LAUNCH(fill, 1, 1, 1, 32, 1, 1, 49152 + 4, fp) == INVALID, "48 KiB + 4 bytes of dynamic shared memory: CUDA_ERROR_INVALID_VALUE");
    EXPECT(LAUNCH(gemm, 1, 1, 1, 16, 16, 1, room, gp) == 0, "nk_gemm with 48 KiB in all (static + dynamic) is allowed");
    EXPECT(LAUNCH(gemm, 1, 1, 1, 16, 16, 1, room + 4, gp) == INVALID, "nk_gemm with static + dynamic = 48 KiB + 4 bytes: CUDA_ERROR_INVALID_VALUE");
    /* the opt-in (the project does not use it): up to the device's opt-in limit less the static memory */
    EXPECT(cuFuncSetAttribute(gemm, 8, optin - gemm_static + 4) == INVALID, "opt-in past the device's limit (%d): CUDA_ERROR_INVALID_VALUE", optin);
    CU(cuFuncSetAttribute(gemm, 8, 64 * 1024));
    EXPECT(LAUNCH(gemm, 1, 1, 1, 16, 16, 1, 64 * 1024, gp) == 0, "nk_gemm with 64 KiB of dynamic shared memory after the opt-in");
    EXPECT(LAUNCH(gemm, 1, 1, 1, 16, 16, 1, 64 * 1024 + 4, gp) == INVALID, "more than the opt-in: CUDA_ERROR_INVALID_VALUE");
    CU(cuFuncSetAttribute(gemm, 8, gemm_dynamic));
    EXPECT(LAUNCH(gemm, 1, 1, 1, 16, 16, 1, room + 4, gp) == INVALID, "the limit is back after the opt-in is undone");
#undef LAUNCH
    CU(cuMemFree_v2(p));
    printf("limits: grid (2^31-1, 65535, 65535), block (1024, 1024, 64) and 1024 threads, 48 KiB shared (nk_gemm: %d static), opt-in to %d\n",
           gemm_static, optin);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
    const double t0 = now();
    void* image = "stand-in: any image";
    if (argc > 1) {
        FILE* f = fopen(argv[1], "rb");
        if (!f) {
            perror(argv[1]);
            return 2;
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        image = malloc((size_t) n);
        if (fread(image, 1, (size_t) n, f) != (size_t) n) return 2;
        fclose(f);
    }
    CU(cuInit(0));
    int count = 0, version = 0;
    CU(cuDeviceGetCount(&count));
    CU(cuDriverGetVersion(&version));
    CUdevice dev;
    CU(cuDeviceGet(&dev, 0));
    char name[256];
    CU(cuDeviceGetName(name, sizeof name, dev));
    const int standin = strstr(name, "stand-in") != NULL;
    int major = 0, minor = 0, threads = 0, sms = 0;
    CU(cuDeviceGetAttribute(&major, 75, dev));
    CU(cuDeviceGetAttribute(&minor, 76, dev));
    CU(cuDeviceGetAttribute(&threads, 1, dev));
    CU(cuDeviceGetAttribute(&sms, 16, dev));
    size_t mem = 0;
    CU(cuDeviceTotalMem_v2(&mem, dev));
    printf("device 0 of %d: %s, compute %d.%d, %d threads/block, %d multiprocessors, %zu MiB, driver %d\n", count, name, major, minor,
           threads, sms, mem >> 20, version);
    CUcontext ctx;
    CU(cuDevicePrimaryCtxRetain(&ctx, dev));
    CU(cuCtxSetCurrent(ctx));
    if (!standin && argc < 2) {
        fprintf(stderr, "a real GPU needs the fatbin: test_kernels path/to/neurokernels.fatbin\n");
        return 2;
    }
    CU(cuModuleLoadData(&module, image));
    test_elementwise();
    test_reductions();
    test_softmax();
    test_rate_multistep();
    test_gemm();
    test_refusals(standin);
    test_limits();
    CU(cuModuleUnload(module));
    CU(cuDevicePrimaryCtxRelease_v2(dev));
    printf("%d checks, %d failed, %.1f s\n", checks, failures, now() - t0);
    return failures == 0 ? 0 : 1;
}

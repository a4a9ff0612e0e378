/* test_c_abi: the C library's CUDA path end to end (libneurokernels.so -> dlopen("libcuda.so.1") ->
 * cuLaunchKernel), run against the CPU stand-in with LD_LIBRARY_PATH pointing at it.
 *
 *   test_c_abi [SELECTOR]        SELECTOR defaults to cuda:0
 *
 * 1. host loops: nk_gemm (every transpose, beta 0 and not), nk_dense_forward (every activation, bias and
 *    pre optional), nk_rate_step without noise, computed here in double and compared;
 * 2. every op of the C API, through its own function or nk_run, on SELECTOR and on opencl:pocl with the
 *    same inputs: the random generators bit for bit, everything else within a tolerance of rounding
 *    (skipped, with a note, when PoCL is not installed).
 * Exit status 0 when every check passed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurokernels.h"

static int checks, failures;
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
#define NK(call)                                                                                   \
    do {                                                                                           \
        nk_status s_ = (call);                                                                     \
        if (s_ != NK_OK) {                                                                         \
            fprintf(stderr, "%s:%d: %s: status %d: %s\n", __FILE__, __LINE__, #call, s_, nk_last_error()); \
            exit(2);                                                                               \
        }                                                                                          \
    } while (0)

static uint64_t rng;
static float frand(float lo, float hi) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (hi - lo) * (float) ((rng >> 40) * (1.0 / 16777216.0));
}
static float* randoms(int n, float lo, float hi) {
    float* v = malloc(sizeof(float) * (size_t) (n > 0 ? n : 1));
    for (int i = 0; i < n; i++) v[i] = frand(lo, hi);
    return v;
}

static nk_buffer* put(nk_device* d, int rows, int cols, const float* host) {
    nk_buffer* b = NULL;
    NK(nk_alloc(d, rows, cols, &b));
    if (host) NK(nk_upload(b, host, (size_t) rows * cols));
    return b;
}
static float* get(nk_buffer* b, int rows, int cols) {
    float* v = malloc(sizeof(float) * (size_t) rows * cols);
    NK(nk_download(b, v, (size_t) rows * cols));
    return v;
}

/* ---- 1. against host loops ---- */
static float act(int a, double z) {
    switch (a) {
        case NK_TANH: return (float) tanh(z);
        case NK_LOGISTIC: return (float) (1 / (1 + exp(-z)));
        case NK_RELU: return (float) (z < 0 ? 0 : z);
        case NK_SOFTPLUS: return (float) (z > 30 ? z : log1p(exp(z)));
        default: return (float) z;
    }
}

static void host_loops(nk_device* d) {
    rng = 0x1234567;
    const int M = 37, N = 70, K = 45;
    for (int t = 0; t < 8; t++) {
        const int ta = t & 1, tb = (t >> 1) & 1;
        const float alpha = 1.25f, beta = (t & 4) ? -0.5f : 0.0f;
        float *a = randoms(M * K, -1, 1), *b = randoms(K * N, -1, 1), *c = randoms(M * N, -1, 1);
        nk_buffer *A = ta ? put(d, K, M, a) : put(d, M, K, a), *B = tb ? put(d, N, K, b) : put(d, K, N, b), *C = put(d, M, N, c);
        NK(nk_gemm(d, ta, tb, alpha, A, B, beta, C));
        float* got = get(C, M, N);
        int bad = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double s = 0, mag = 0;
                for (int k = 0; k < K; k++) {
                    const double x = ta ? a[k * M + i] : a[i * K + k], y = tb ? b[j * K + k] : b[k * N + j];
                    s += x * y;
                    mag += fabs(x * y);
                }
                const double want = alpha * s + beta * c[i * N + j];
                if (fabs(got[i * N + j] - want) > (K + 5) * 6e-8 * (fabs(alpha) * mag + fabs(beta * c[i * N + j])) + 1e-30) bad++;
            }
        EXPECT(bad == 0, "nk_gemm ta=%d tb=%d beta=%g: %d elements off", ta, tb, (double) beta, bad);
        free(a), free(b), free(c), free(got);
        nk_free(A), nk_free(B), nk_free(C);
    }
    for (int a_ = 0; a_ <= 4; a_++) {
        const int rows = 9, in = 33, out = 20, with_bias = a_ != 1;
        float *x = randoms(rows * in, -1, 1), *w = randoms(out * in, -1, 1), *bias = randoms(out, -1, 1);
        nk_buffer *X = put(d, rows, in, x), *W = put(d, out, in, w), *Bi = with_bias ? put(d, 1, out, bias) : NULL, *O = put(d, rows, out, NULL),
                  *P = a_ % 2 ? put(d, rows, out, NULL) : NULL;
        NK(nk_dense_forward(d, X, W, Bi, a_, O, P));
        float *got = get(O, rows, out), *pre = P ? get(P, rows, out) : NULL;
        int bad = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < out; j++) {
                double z = with_bias ? bias[j] : 0, mag = fabs(z);
                for (int k = 0; k < in; k++) z += (double) x[i * in + k] * w[j * in + k], mag += fabs((double) x[i * in + k] * w[j * in + k]);
                const double tol = (in + 40) * 6e-8 * (mag + 1);
                if (fabs(got[i * out + j] - act(a_, z)) > tol) bad++;
                if (pre && fabs(pre[i * out + j] - z) > tol) bad++;
            }
        EXPECT(bad == 0, "nk_dense_forward activation %d bias %d pre %d: %d elements off", a_, with_bias, P != NULL, bad);
        free(x), free(w), free(bias), free(got), free(pre);
        nk_free(X), nk_free(W), nk_free(Bi), nk_free(O), nk_free(P);
    }
    for (int method = 0; method < 2; method++) {
        const int rows = 4, n = 300;
        float *r = randoms(rows * n, -1, 1), *x = randoms(rows * n, -2, 2), *c = randoms(n, 0.05f, 0.95f);
        nk_buffer *R = put(d, rows, n, r), *X = put(d, rows, n, x), *C = put(d, 1, n, c);
        NK(nk_rate_step(d, NK_TANH, method, R, X, C, NULL, 0.0f, 7, 0, 0));
        float* got = get(R, rows, n);
        int bad = 0;
        for (int i = 0; i < rows * n; i++) {
            const double fx = tanh(x[i]), cc = c[i % n];
            const double want = method == 0 ? r[i] + cc * (fx - r[i]) : cc * r[i] + (1 - cc) * fx;
            if (fabs(got[i] - want) > 1e-6) bad++;
        }
        EXPECT(bad == 0, "nk_rate_step method %d: %d elements off", method, bad);
        free(r), free(x), free(c), free(got);
        nk_free(R), nk_free(X), nk_free(C);
    }
    printf("host loops: nk_gemm (8 cases), nk_dense_forward (5), nk_rate_step (2)\n");
}

/* ---- 2. the same inputs on two devices ---- */
#define MAX_OUT 32
typedef struct {
    int n;
    const char* name[MAX_OUT];
    float* v[MAX_OUT];
    int len[MAX_OUT];
} outputs;

static void keep(outputs* o, const char* name, nk_buffer* b, int rows, int cols) {
    if (o->n == MAX_OUT) {
        fprintf(stderr, "test_c_abi: more than %d outputs in a group\n", MAX_OUT);
        exit(2);
    }
    o->name[o->n] = name;
    o->v[o->n] = get(b, rows, cols);
    o->len[o->n] = rows * cols;
    o->n++;
}

/* a tensor of an nk_run case: values in [lo, hi) (role 0 in, 1 out, 2 inout) */
typedef struct {
    const char* name;
    int rows, cols, role;
    float lo, hi;
} tensor;

static void run_case(nk_device* d, const char* op, int n, const tensor* t, const char* params, outputs* o) {
    nk_buffer* bufs[12] = {0};
    const char* names[12] = {0};
    for (int i = 0; i < n; i++) {
        float* v = randoms(t[i].rows * t[i].cols, t[i].lo, t[i].hi);
        if (!strcmp(t[i].name, "index")) /* gather_rows: whole row numbers, one out of range (a NaN row) */
            for (int k = 0; k < t[i].rows * t[i].cols; k++) v[k] = k == 2 ? 1e6f : floorf(v[k]);
        bufs[i] = put(d, t[i].rows, t[i].cols, t[i].role == 1 ? NULL : v);
        names[i] = t[i].name;
        free(v);
    }
    NK(nk_run(d, op, n, names, bufs, params));
    for (int i = 0; i < n; i++) {
        if (t[i].role != 0) keep(o, t[i].name, bufs[i], t[i].rows, t[i].cols);
        nk_free(bufs[i]);
    }
}

typedef void (*case_fn)(nk_device*, outputs*);

#define RUN(op, params, ...)                                                   \
    do {                                                                       \
        static const tensor t_[] = {__VA_ARGS__};                              \
        run_case(d, op, (int) (sizeof t_ / sizeof t_[0]), t_, params, o);      \
    } while (0)

static void c_elementwise(nk_device* d, outputs* o) {
    RUN("activation", "activation=softplus", {"x", 13, 57, 0, -30, 30}, {"y", 13, 57, 1, 0, 0});
    RUN("activation_grad", "activation=tanh from_output=true", {"x", 13, 57, 0, -1, 1}, {"y", 13, 57, 1, 0, 0});
    RUN("activation_grad", "activation=logistic", {"x", 13, 57, 0, -9, 9}, {"y", 13, 57, 1, 0, 0});
    RUN("hadamard", "", {"x", 1, 1000, 0, -1, 1}, {"y", 1, 1000, 0, -1, 1}, {"z", 1, 1000, 1, 0, 0});
    RUN("axpy", "alpha=-0.3", {"x", 40, 41, 0, -1, 1}, {"y", 40, 41, 2, -1, 1});
    RUN("scale", "alpha=2.5", {"x", 3, 700, 0, -1, 1}, {"y", 3, 700, 1, 0, 0});
    RUN("copy", "", {"x", 5, 9, 0, -1, 1}, {"y", 5, 9, 1, 0, 0});
    RUN("column_sums", "", {"x", 300, 77, 0, -1, 1}, {"s", 1, 77, 1, 0, 0});
    RUN("gather_rows", "", {"x", 20, 30, 0, -1, 1}, {"index", 1, 11, 0, 0, 19.99f}, {"out", 11, 30, 1, 0, 0});
    RUN("sign_feedback", "scale=0.5", {"w", 16, 18, 0, -1, 1}, {"b", 16, 18, 1, 0, 0});
    RUN("sign_feedback", "", {"w", 16, 18, 0, -1, 1}, {"r", 16, 18, 0, -1, 1}, {"b", 16, 18, 1, 0, 0});
}

static void c_learning(nk_device* d, outputs* o) {
    RUN("softmax_xent", "", {"logits", 31, 10, 0, -5, 5}, {"targets", 31, 10, 0, 0, 1}, {"probs", 31, 10, 1, 0, 0},
        {"grad", 31, 10, 1, 0, 0}, {"loss", 31, 1, 1, 0, 0});
    RUN("mse", "", {"y", 12, 7, 0, -1, 1}, {"targets", 12, 7, 0, -1, 1}, {"grad", 12, 7, 1, 0, 0}, {"loss", 12, 1, 1, 0, 0});
    RUN("sgd_update", "lr=0.1 weight_decay=0.01 momentum=0.9", {"w", 20, 33, 2, -1, 1}, {"grad", 20, 33, 0, -1, 1}, {"velocity", 20, 33, 2, -1, 1});
    RUN("sgd_update", "lr=0.1", {"w", 20, 33, 2, -1, 1}, {"grad", 20, 33, 0, -1, 1});
    RUN("kp_update", "lr=0.05 weight_decay=0.001 momentum=0.5", {"w", 8, 9, 2, -1, 1}, {"b", 8, 9, 2, -1, 1}, {"grad", 8, 9, 0, -1, 1},
        {"velocity", 8, 9, 2, -1, 1});
}

static void c_random(nk_device* d, outputs* o) {
    RUN("random_uniform", "rows=7 cols=333 seed=12345678901 stream=3 draw=9 lo=-2 hi=5", {"out", 7, 333, 1, 0, 0});
    RUN("philox4x32_10", "", {"counter", 50, 4, 0, 0, 1e9f}, {"key", 50, 2, 0, 0, 1e9f}, {"out", 50, 4, 1, 0, 0});
    RUN("poisson", "dt=0.5 seed=99 stream=1 step=4", {"rate", 1, 200, 0, 0, 1}, {"count", 6, 200, 2, 0, 3}, {"spikes", 6, 200, 1, 0, 0});
}

static void c_dynamics(nk_device* d, outputs* o) {
    {
        const int b = 5, n = 120;
        const nk_lif_params p = {20, 1, -65, -65, -50, 2, 5, 5, 0.2};
        float *v = randoms(b * n, -70, -45), *ie = randoms(b * n, 0, 2), *ii = randoms(b * n, -2, 0), *ref = randoms(b * n, 0, 3),
              *x = randoms(b * n, 0, 5), *se = randoms(b * n, 0, 1), *rate = randoms(b * n, 0, 1), *cnt = randoms(b * n, 0, 4);
        for (int k = 0; k < b * n; k++) ref[k] = floorf(ref[k]);
        nk_buffer *V = put(d, b, n, v), *IE = put(d, b, n, ie), *II = put(d, b, n, ii), *R = put(d, b, n, ref), *X = put(d, b, n, x),
                  *SE = put(d, b, n, se), *S = put(d, b, n, NULL), *RA = put(d, b, n, rate), *C = put(d, b, n, cnt);
        NK(nk_lif_step(d, &p, 0.1, 100, V, IE, II, R, X, SE, NULL, S, RA, C));
        keep(o, "lif v", V, b, n);
        keep(o, "lif i_e", IE, b, n);
        keep(o, "lif i_i", II, b, n);
        keep(o, "lif refractory", R, b, n);
        keep(o, "lif spikes", S, b, n);
        keep(o, "lif rate", RA, b, n);
        keep(o, "lif count", C, b, n);
        nk_free(V), nk_free(IE), nk_free(II), nk_free(R), nk_free(X), nk_free(SE), nk_free(S), nk_free(RA), nk_free(C);
        free(v), free(ie), free(ii), free(ref), free(x), free(se), free(rate), free(cnt);
    }
    RUN("rate_step", "activation=relu exp_euler=false noise_scale=0.3 seed=5 stream=2 step=11", {"r", 4, 90, 2, -1, 1}, {"x", 4, 90, 0, -2, 2},
        {"c", 1, 90, 0, 0.05f, 0.9f}, {"tau", 1, 90, 0, 5, 20});
    RUN("rate_multistep", "steps=7 activation=tanh record_every=3 noise_scale=0.1 seed=3", {"r", 3, 40, 2, -1, 1}, {"w_rec_t", 40, 40, 0, -0.3f, 0.3f},
        {"bias", 1, 40, 0, -0.5f, 0.5f}, {"c", 1, 40, 0, 0.05f, 0.5f}, {"tau", 1, 40, 0, 5, 20}, {"w_in_t", 6, 40, 0, -1, 1},
        {"u", 21, 6, 0, -1, 1}, {"rec", 6, 40, 1, 0, 0});
    RUN("izhikevich_step", "dt=0.5", {"v", 4, 64, 2, -70, 35}, {"u", 4, 64, 2, -15, 0}, {"count", 4, 64, 2, 0, 2}, {"abcd", 4, 64, 0, 0.02f, 0.2f},
        {"i_ext", 4, 64, 0, 0, 10}, {"spikes", 4, 64, 1, 0, 0});
}

/* the GEMM family through its own functions */
static void c_gemm_family(nk_device* d, outputs* o) {
    {
        float *a = randoms(50 * 70, -1, 1), *b = randoms(70 * 65, -1, 1), *c = randoms(50 * 65, -1, 1);
        nk_buffer *A = put(d, 70, 50, a), *B = put(d, 65, 70, b), *C = put(d, 50, 65, c);
        NK(nk_gemm(d, 1, 1, -0.5f, A, B, 2.0f, C));
        keep(o, "gemm c", C, 50, 65);
        nk_free(A), nk_free(B), nk_free(C), free(a), free(b), free(c);
    }
    {
        float *dl = randoms(19 * 12, -1, 1), *m = randoms(12 * 45, -1, 1), *z = randoms(19 * 45, -3, 3);
        nk_buffer *D = put(d, 19, 12, dl), *Mm = put(d, 12, 45, m), *Z = put(d, 19, 45, z), *Out = put(d, 19, 45, NULL);
        NK(nk_backward_delta(d, D, 0, Mm, Z, NK_LOGISTIC, 0, Out));
        keep(o, "backward_delta", Out, 19, 45);
        nk_free(Mm);
        float* mt = randoms(45 * 12, -1, 1);
        Mm = put(d, 45, 12, mt);
        NK(nk_backward_delta(d, D, 1, Mm, Z, NK_TANH, 1, Out));
        keep(o, "backward_delta trans from_output", Out, 19, 45);
        nk_free(D), nk_free(Mm), nk_free(Z), nk_free(Out), free(dl), free(m), free(z), free(mt);
    }
    {
        const int batch = 16, in = 40, out = 24;
        float *dl = randoms(batch * out, -1, 1), *h = randoms(batch * in, -1, 1), *w = randoms(out * in, -1, 1), *bb = randoms(out, -1, 1),
              *vw = randoms(out * in, -1, 1), *vb = randoms(out, -1, 1), *fb = randoms(out * in, -1, 1);
        nk_buffer *D = put(d, batch, out, dl), *H = put(d, batch, in, h), *W = put(d, out, in, w), *Bb = put(d, 1, out, bb), *VW = put(d, out, in, vw),
                  *VB = put(d, 1, out, vb), *FB = put(d, out, in, fb);
        NK(nk_dense_update(d, 0.05f, 0.001f, 0.9f, D, H, W, Bb, VW, VB, FB));
        keep(o, "dense_update w", W, out, in);
        keep(o, "dense_update b", Bb, 1, out);
        keep(o, "dense_update vw", VW, out, in);
        keep(o, "dense_update vb", VB, 1, out);
        keep(o, "dense_update feedback", FB, out, in);
        nk_free(D), nk_free(H), nk_free(W), nk_free(Bb), nk_free(VW), nk_free(VB), nk_free(FB);
        free(dl), free(h), free(w), free(bb), free(vw), free(vb), free(fb);
    }
    for (int classes = 10; classes <= 20; classes += 10) {
        const int batch = 13, q = 30;
        float *h = randoms(batch * q, 0, 1), *w = randoms(classes * q, -1, 1), *b = randoms(classes, -1, 1), *t = randoms(batch * classes, 0, 1),
              *m = randoms(classes * q, -1, 1);
        nk_buffer *H = put(d, batch, q, h), *W = put(d, classes, q, w), *Bb = put(d, 1, classes, b), *T = put(d, batch, classes, t),
                  *Mm = put(d, classes, q, m), *P = put(d, batch, classes, NULL), *G = put(d, batch, classes, NULL), *L = put(d, batch, 1, NULL),
                  *De = put(d, batch, q, NULL);
        NK(nk_output_layer(d, H, W, Bb, T, Mm, NK_LOGISTIC, P, G, L, De));
        keep(o, "output_layer probs", P, batch, classes);
        keep(o, "output_layer grad", G, batch, classes);
        keep(o, "output_layer loss", L, batch, 1);
        keep(o, "output_layer delta", De, batch, q);
        nk_free(H), nk_free(W), nk_free(Bb), nk_free(T), nk_free(Mm), nk_free(P), nk_free(G), nk_free(L), nk_free(De);
        free(h), free(w), free(b), free(t), free(m);
    }
}

static void compare(const char* group, const outputs* a, const outputs* b, int exact) {
    EXPECT(a->n == b->n, "%s: %d outputs vs %d", group, a->n, b->n);
    for (int i = 0; i < a->n && i < b->n; i++) {
        double mag = 0;
        for (int k = 0; k < a->len[i]; k++)
            if (isfinite(b->v[i][k])) mag = fmax(mag, fabs(b->v[i][k]));
        int bad = 0, first = -1;
        for (int k = 0; k < a->len[i]; k++) {
            const float x = a->v[i][k], y = b->v[i][k];
            const int ok = exact ? memcmp(&x, &y, sizeof x) == 0 : (isnan(x) && isnan(y)) || fabs((double) x - y) <= 2e-5 * (1 + mag);
            if (!ok && bad++ == 0) first = k;
        }
        EXPECT(bad == 0, "%s, output %d (%s): %d of %d elements differ, first [%d] %.9g vs %.9g", group, i, a->name[i], bad, a->len[i], first,
               first >= 0 ? (double) a->v[i][first] : 0.0, first >= 0 ? (double) b->v[i][first] : 0.0);
    }
}

static void free_outputs(outputs* o) {
    for (int i = 0; i < o->n; i++) free(o->v[i]);
    o->n = 0;
}

int main(int argc, char** argv) {
    const char* selector = argc > 1 ? argv[1] : "cuda:0";
    nk_device* dev = NULL;
    if (nk_open(selector, &dev) != NK_OK) {
        fprintf(stderr, "cannot open %s: %s\n", selector, nk_last_error());
        return 2;
    }
    char name[128], sel[NK_SELECTOR_CAPACITY], gemm[160];
    NK(nk_device_name(dev, name, sizeof name));
    NK(nk_device_selector(dev, sel, sizeof sel));
    NK(nk_device_gemm(dev, gemm, sizeof gemm, NULL, 0, NULL, 0));
    printf("%s: %s, GEMM %s\n", sel, name, gemm);
    host_loops(dev);

    nk_device* other = NULL;
    if (nk_open("opencl:pocl", &other) != NK_OK) {
        printf("opencl:pocl unavailable (%s): the cross-device checks are skipped\n", nk_last_error());
    } else {
        NK(nk_device_name(other, name, sizeof name));
        printf("cross-checking every op against opencl:pocl (%s)\n", name);
        const struct {
            const char* group;
            case_fn fn;
            int exact;
        } groups[] = {{"elementwise", c_elementwise, 0}, {"learning", c_learning, 0}, {"random", c_random, 1},
                      {"dynamics", c_dynamics, 0}, {"gemm family", c_gemm_family, 0}};
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
            outputs a = {0}, b = {0};
            rng = 0xabcdef12345ull + g;
            groups[g].fn(dev, &a);
            rng = 0xabcdef12345ull + g;
            groups[g].fn(other, &b);
            compare(groups[g].group, &a, &b, groups[g].exact);
            printf("  %-12s %d outputs %s\n", groups[g].group, a.n, groups[g].exact ? "bit for bit" : "within rounding");
            free_outputs(&a), free_outputs(&b);
        }
        NK(nk_close(other));
    }
    NK(nk_close(dev));
    printf("%d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}

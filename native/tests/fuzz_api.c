/*
 * fuzz_api: random call sequences against the C API, each case in a child process.
 *
 * A case is a sequence of calls (nk_open with good and bad selectors, nk_alloc with small, empty, negative
 * and huge shapes, nk_upload / nk_download with right and wrong counts and NULL host arrays, nk_gemm,
 * nk_lif_step, nk_poisson, nk_rate_step, nk_izhikevich_step with valid and hostile arguments, nk_free,
 * nk_close and nk_finish, on live, freed, closed and garbage handles) drawn from a seeded generator. The
 * child keeps a model of what every handle is (live, freed, of a closed device, never a handle) and
 * every buffer's shape and, where known, contents, and checks each call against it:
 *  - a call with nothing wrong returns NK_OK; one with problems returns the status of one of them
 *    (NK_ERR_FREED for a freed buffer, NK_ERR_ARGUMENT for a closed device, a buffer of a closed or
 *    another device, a value that is not a handle, a bad shape or parameter; NK_ERR_MEMORY for an
 *    allocation beyond the device's largest), and with a single problem the message says which;
 *  - downloads return what was uploaded (a new buffer: zeros); a valid GEMM matches a double-precision
 *    host product within (k + 2) u (|alpha| |A| |B| + |beta| |C|), u = 2^-24; LIF, Poisson and
 *    Izhikevich steps give 0/1 spikes, and a LIF step from rest sets the refractory counter to exactly
 *    round(tau_refrac / dt) where it spikes.
 * The parent forks one child per case and reads its log through a pipe: a child killed by a signal
 * (a crash, or SIGALRM after 60 s: a hang) or one that found a mismatch fails the run, and its seed and
 * the whole call sequence are printed.
 *
 * Environment: NK_FUZZ_SEED (the first case's seed; case i uses seed + i; default from the clock and the
 * process id, printed), NK_FUZZ_CASES (default 150), NK_FUZZ_SECONDS (no new case starts after this
 * many seconds, default 45). A failing case prints the line that replays it alone.
 */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include "neurokernels.h"

#include <CL/cl.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the generator ---- */

static uint64_t rng_state;

static uint64_t next_u64(void) {   /* splitmix64 */
    uint64_t z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static int below(int n) { return (int) (next_u64() % (uint64_t) n); }
static int chance(int percent) { return below(100) < percent; }
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) (next_u64() >> 40) / (float) (1 << 24); }

/* ---- the log (to the parent) and the verdict ---- */

static int log_fd = 2;
static int call_no;

static void say(const char* fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t) n > sizeof line - 2) n = (int) sizeof line - 2;
    line[n++] = '\n';
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(log_fd, line + off, (size_t) (n - off));
        if (w <= 0) return;
        off += w;
    }
}

static void mismatch(const char* fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    say("MISMATCH after call #%d: %s", call_no, line);
    _exit(1);
}

/* ---- the model ---- */

enum { MAX_DEVICES = 8, MAX_BUFFERS = 160 };
typedef struct {
    nk_device* h;
    int open;
} dev_m;

enum { B_LIVE, B_FREED, B_CLOSED };   /* B_CLOSED: its device was closed (whether or not it was freed) */
typedef struct {
    nk_buffer* h;
    int dev, rows, cols, state;
    float* shadow;                    /* its contents where known, else NULL */
} buf_m;

static dev_m devs[MAX_DEVICES];
static int ndevs;
static buf_m bufs[MAX_BUFFERS];
static int nbufs;
static uint64_t max_alloc;            /* CL_DEVICE_MAX_MEM_ALLOC_SIZE of PoCL's device */

static int static_marker;   /* its address: a pointer that was never a handle */
static void* garbage_values[6];

static const char* status_name(nk_status s) {
    static const char* names[] = {"NK_OK", "NK_ERR_ARGUMENT", "NK_ERR_DEVICE", "NK_ERR_BUILD", "NK_ERR_FREED", "NK_ERR_OPENCL", "NK_ERR_MEMORY"};
    return s >= 0 && s <= 6 ? names[s] : "?";
}

/* What a call may return: NK_OK when it has no problem, otherwise the status of one of its problems. */
typedef struct {
    unsigned mask;
    int problems;
    const char* keyword;   /* what the message of a call with one problem must contain */
    char text[512];        /* the call, for the log */
} expect_t;

static void problem(expect_t* e, nk_status s, const char* keyword) {
    e->mask |= 1u << s;
    e->problems++;
    e->keyword = keyword;
}

static void describe(expect_t* e, const char* fmt, ...) {
    size_t used = strlen(e->text);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text + used, sizeof e->text - used, fmt, ap);
    va_end(ap);
}

/* CALL(&e, nk_...(...)): the call announced, made, and judged */
#define CALL(e, call) (announce(e), verdict((e), (call)))

/* Logs the call before it is made, so that a crash shows it last. */
static void announce(const expect_t* e) {
    call_no++;
    say("#%d %s", call_no, e->text);
}

/* Logs the call's status; a status the model does not allow ends the case. 1 when NK_OK. */
static int verdict(expect_t* e, nk_status got) {
    say("   -> %s%s%s", status_name(got), got != NK_OK ? ": " : "", got != NK_OK ? nk_last_error() : "");
    if (e->problems == 0) {
        if (got != NK_OK) mismatch("expected NK_OK");
        return 1;
    }
    if (got == NK_OK || !(e->mask & (1u << got))) {
        char allowed[128] = "";
        for (int s = 1; s <= 6; s++) {
            if (e->mask & (1u << s)) snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed), " %s", status_name(s));
        }
        mismatch("expected one of%s (%d problem(s))", allowed, e->problems);
    }
    if (e->problems == 1 && e->keyword && !strstr(nk_last_error(), e->keyword)) mismatch("the message should contain '%s'", e->keyword);
    if (nk_last_error()[0] == '\0') mismatch("a failed call left no message");
    return 0;
}

/* ---- arguments ---- */

enum { A_NULL, A_GARBAGE, A_OTHER_KIND, A_INDEX };
typedef struct {
    int kind, index;
    void* h;
} arg_t;

/* A device argument: mostly an open device, sometimes a closed one, NULL, garbage or a buffer handle. */
static arg_t pick_device(void) {
    arg_t a = {A_INDEX, -1, NULL};
    int open[MAX_DEVICES], n_open = 0;
    for (int i = 0; i < ndevs; i++) if (devs[i].open) open[n_open++] = i;
    int r = below(100);
    if (r < 80 && n_open) a.index = open[below(n_open)];
    else if (r < 90 && ndevs) a.index = below(ndevs);
    else if (r < 94) a.kind = A_NULL;
    else if (r < 97 || nbufs == 0) a.kind = A_GARBAGE;
    else a.kind = A_OTHER_KIND;
    if (a.kind == A_INDEX && a.index < 0) a.kind = A_GARBAGE;
    if (a.kind == A_INDEX) a.h = devs[a.index].h;
    else if (a.kind == A_GARBAGE) a.h = garbage_values[below(6)];
    else if (a.kind == A_OTHER_KIND) a.h = bufs[below(nbufs)].h;
    return a;
}

static const char* device_text(const arg_t* a) {
    static char t[4][48];
    static int k;
    char* s = t[k++ & 3];
    if (a->kind == A_NULL) return "NULL";
    if (a->kind == A_GARBAGE) snprintf(s, 48, "garbage %p", a->h);
    else if (a->kind == A_OTHER_KIND) snprintf(s, 48, "a buffer handle");
    else snprintf(s, 48, "dev%d[%s]", a->index, devs[a->index].open ? "open" : "closed");
    return s;
}

/* The problems of a device argument. 1 when it is an open device. */
static int device_problems(expect_t* e, const arg_t* a) {
    if (a->kind == A_NULL) problem(e, NK_ERR_ARGUMENT, "device is NULL");
    else if (a->kind == A_GARBAGE) problem(e, NK_ERR_ARGUMENT, "not a device handle");
    else if (a->kind == A_OTHER_KIND) problem(e, NK_ERR_ARGUMENT, "buffer handle");
    else if (!devs[a->index].open) problem(e, NK_ERR_ARGUMENT, "device was closed");
    else return 1;
    return 0;
}

/* A buffer argument: mostly one of the model's buffers, sometimes NULL, garbage or a device handle. */
static arg_t pick_buffer(int live_percent) {
    arg_t a = {A_INDEX, -1, NULL};
    int r = below(100);
    if (r < 90 && nbufs) {
        if (chance(live_percent)) {
            int live[MAX_BUFFERS], n = 0;
            for (int i = 0; i < nbufs; i++) if (bufs[i].state == B_LIVE) live[n++] = i;
            if (n) a.index = live[below(n)];
        }
        if (a.index < 0) a.index = below(nbufs);
    } else if (r < 94) {
        a.kind = A_NULL;
    } else if (r < 98 || ndevs == 0) {
        a.kind = A_GARBAGE;
    } else {
        a.kind = A_OTHER_KIND;
    }
    if (a.kind == A_INDEX && a.index < 0) a.kind = A_GARBAGE;
    if (a.kind == A_INDEX) a.h = bufs[a.index].h;
    else if (a.kind == A_GARBAGE) a.h = garbage_values[below(6)];
    else if (a.kind == A_OTHER_KIND) a.h = devs[below(ndevs)].h;
    return a;
}

static arg_t buffer_arg(int index) {
    arg_t a = {A_INDEX, index, bufs[index].h};
    return a;
}

static const char* buffer_text(const arg_t* a) {
    static char t[16][64];
    static int k;
    char* s = t[k++ & 15];
    if (a->kind == A_NULL) return "NULL";
    if (a->kind == A_GARBAGE) snprintf(s, 64, "garbage %p", a->h);
    else if (a->kind == A_OTHER_KIND) snprintf(s, 64, "a device handle");
    else {
        const buf_m* b = &bufs[a->index];
        snprintf(s, 64, "buf%d[dev%d %dx%d %s]", a->index, b->dev, b->rows, b->cols,
                 b->state == B_LIVE ? "live" : b->state == B_FREED ? "freed" : "closed dev");
    }
    return s;
}

/* The problems of a buffer argument of a call on device dev (-1: no device, as nk_upload). 1 when it is a
 * live buffer of dev, so that its shape may be checked. Absent optional arguments are not problems. */
static int buffer_problems(expect_t* e, const arg_t* a, int dev, int optional) {
    if (a->kind == A_NULL) {
        if (optional) return 0;
        problem(e, NK_ERR_ARGUMENT, "is NULL");
    } else if (a->kind == A_GARBAGE) {
        problem(e, NK_ERR_ARGUMENT, "not a buffer handle");
    } else if (a->kind == A_OTHER_KIND) {
        problem(e, NK_ERR_ARGUMENT, "device handle");
    } else {
        const buf_m* b = &bufs[a->index];
        if (b->state == B_CLOSED) problem(e, NK_ERR_ARGUMENT, "belongs to a closed device");
        else if (dev >= 0 && b->dev != dev) problem(e, NK_ERR_ARGUMENT, "belongs to another device");
        else if (b->state == B_FREED) problem(e, NK_ERR_FREED, "was freed");
        else return 1;
    }
    return 0;
}

/* ---- calls with their model ---- */

static int open_device(const char* selector, int must_open) {
    expect_t e = {0};
    describe(&e, "nk_open(%s%s%s)", selector ? "\"" : "", selector ? selector : "NULL", selector ? "\"" : "");
    if (!must_open) problem(&e, NK_ERR_ARGUMENT, NULL), problem(&e, NK_ERR_DEVICE, NULL);
    nk_device* h = NULL;
    if (!CALL(&e, nk_open(selector, &h))) {
        if (h) mismatch("a failed nk_open left a handle");
        return -1;
    }
    if (ndevs == MAX_DEVICES) {
        nk_close(h);
        return -1;
    }
    for (int i = 0; i < ndevs; i++) if (devs[i].h == h) mismatch("nk_open gave the handle of dev%d again", i);
    devs[ndevs].h = h;
    devs[ndevs].open = 1;
    say("   = dev%d", ndevs);
    return ndevs++;
}

static const char* good_selectors[] = {"opencl:pocl", " OpenCL:POCL ", "opencl:Portable"};
static const char* bad_selectors[] = {"", "   ", "vulkan:0", "cuda:x", "cuda:-1", "opencl:", "opencl:99:0", "opencl:0:99999999999",
                                      "opencl:no-such-device-anywhere", "java", "autox", NULL};

static void act_open(void) {
    int n_open = 0;
    for (int i = 0; i < ndevs; i++) n_open += devs[i].open;
    if (n_open < 3 && ndevs < MAX_DEVICES && chance(50)) {
        open_device(good_selectors[below(3)], 1);
    } else if (chance(10)) {
        expect_t e = {0};
        describe(&e, "nk_open(\"opencl:pocl\", NULL)");
        problem(&e, NK_ERR_ARGUMENT, "out is NULL");
        CALL(&e, nk_open("opencl:pocl", NULL));
    } else {
        open_device(bad_selectors[below((int) (sizeof bad_selectors / sizeof bad_selectors[0]))], 0);
    }
}

/* nk_alloc on dev with rows x cols; the model's new buffer index, or -1. */
static int alloc_buffer(const arg_t* d, int rows, int cols, int null_out) {
    expect_t e = {0};
    describe(&e, "nk_alloc(%s, %d, %d%s)", device_text(d), rows, cols, null_out ? ", NULL" : "");
    if (null_out) problem(&e, NK_ERR_ARGUMENT, "out is NULL");
    device_problems(&e, d);
    long long n = (long long) rows * cols;
    if (rows < 1 || cols < 1 || n > 0x7fffffffLL) problem(&e, NK_ERR_ARGUMENT, "shape");
    else if ((uint64_t) n * 4 > max_alloc) problem(&e, NK_ERR_MEMORY, "bytes");
    nk_buffer* h = (nk_buffer*) (uintptr_t) 0x5;   /* must become NULL on failure */
    if (!CALL(&e, nk_alloc(d->h, rows, cols, null_out ? NULL : &h))) {
        if (!null_out && h != NULL) mismatch("a failed nk_alloc left *out = %p", (void*) h);
        return -1;
    }
    if (nbufs == MAX_BUFFERS) return -1;   /* not modelled further (the device frees it on close) */
    buf_m* b = &bufs[nbufs];
    b->h = h;
    b->dev = d->index;
    b->rows = rows;
    b->cols = cols;
    b->state = B_LIVE;
    b->shadow = calloc((size_t) n, sizeof(float));   /* zero-filled */
    for (int i = 0; i < nbufs; i++) if (bufs[i].h == h) mismatch("nk_alloc gave the handle of buf%d again", i);
    say("   = buf%d", nbufs);
    return nbufs++;
}

static void act_alloc(void) {
    arg_t d = pick_device();
    int rows = 1 + below(6), cols = 1 + below(6), r = below(100);
    if (r < 8) rows = -below(3);
    else if (r < 14) cols = r < 11 ? 0 : -1 - below(1000);
    else if (r < 18) rows = 65536, cols = 65536;                  /* rows * cols beyond int */
    else if (r < 20) rows = 0x7fffffff, cols = 2;
    else if (r < 25 && max_alloc < UINT64_C(8000000000)) {
        /* valid shapes of about 8.6 GB, beyond the device's largest allocation: the largest the shape rule
           allows, so that a device whose limit moves (PoCL's follows the free memory) still refuses them */
        static const int huge[][2] = {{32768, 65535}, {1, 0x7fffffff}, {46340, 46340}, {65535, 32768}};
        int k = below(4);
        rows = huge[k][0], cols = huge[k][1];
    }
    alloc_buffer(&d, rows, cols, chance(3));
}

/* A fresh live buffer of dev with random contents in [lo, hi] (uploaded), or -1. */
static int fresh_buffer(int dev, int rows, int cols, float lo, float hi) {
    arg_t d = {A_INDEX, dev, devs[dev].h};
    int i = alloc_buffer(&d, rows, cols, 0);
    if (i < 0) return -1;
    size_t n = (size_t) rows * cols;
    for (size_t k = 0; k < n; k++) bufs[i].shadow[k] = uniform(lo, hi);
    expect_t e = {0};
    describe(&e, "nk_upload(buf%d, %zu values in [%g, %g])", i, n, lo, hi);
    CALL(&e, nk_upload(bufs[i].h, bufs[i].shadow, n));
    return i;
}

static size_t pick_count(size_t n) {
    int r = below(100);
    if (r < 80) return n;
    if (r < 86) return n - 1;
    if (r < 92) return n + 1;
    if (r < 96) return 0;
    return SIZE_MAX;
}

static void act_upload(void) {
    arg_t b = pick_buffer(80);
    size_t n = b.kind == A_INDEX ? (size_t) bufs[b.index].rows * bufs[b.index].cols : 4;
    size_t count = pick_count(n);
    int null_host = chance(5);
    size_t room = count != SIZE_MAX && count > n ? count : n;   /* a host array at least as long as the count, except SIZE_MAX */
    float* host = calloc(room, sizeof(float));
    for (size_t k = 0; k < room; k++) host[k] = uniform(-4, 4);
    expect_t e = {0};
    describe(&e, "nk_upload(%s, %s, %zu)", buffer_text(&b), null_host ? "NULL" : "host", count);
    if (null_host) problem(&e, NK_ERR_ARGUMENT, "host is NULL");
    if (buffer_problems(&e, &b, -1, 0) && count != n) problem(&e, NK_ERR_ARGUMENT, "values for a");
    if (CALL(&e, nk_upload((nk_buffer*) b.h, null_host ? NULL : host, count))) {
        buf_m* m = &bufs[b.index];
        if (!m->shadow) m->shadow = calloc(n, sizeof(float));
        memcpy(m->shadow, host, n * sizeof(float));
    }
    free(host);
}

static void act_download(void) {
    arg_t b = pick_buffer(85);
    size_t n = b.kind == A_INDEX ? (size_t) bufs[b.index].rows * bufs[b.index].cols : 4;
    size_t count = pick_count(n);
    int null_host = chance(5);
    size_t room = count != SIZE_MAX && count > n ? count : n;
    float* host = calloc(room, sizeof(float));
    expect_t e = {0};
    describe(&e, "nk_download(%s, %s, %zu)", buffer_text(&b), null_host ? "NULL" : "host", count);
    if (null_host) problem(&e, NK_ERR_ARGUMENT, "host is NULL");
    if (buffer_problems(&e, &b, -1, 0) && count != n) problem(&e, NK_ERR_ARGUMENT, "values for a");
    if (CALL(&e, nk_download((nk_buffer*) b.h, null_host ? NULL : host, count))) {
        const float* want = bufs[b.index].shadow;
        if (want && memcmp(want, host, n * sizeof(float)) != 0) {
            for (size_t k = 0; k < n; k++) {
                if (memcmp(&want[k], &host[k], sizeof(float)) != 0) mismatch("element %zu is %.9g, the model says %.9g", k, host[k], want[k]);
            }
        }
    }
    free(host);
}

/* Downloads a live buffer (checked to succeed) into a new array. */
static float* fetch(int index) {
    size_t n = (size_t) bufs[index].rows * bufs[index].cols;
    float* out = calloc(n, sizeof(float));
    expect_t e = {0};
    describe(&e, "nk_download(buf%d, host, %zu)", index, n);
    CALL(&e, nk_download(bufs[index].h, out, n));
    return out;
}

static void forget(const arg_t* a) {
    if (a->kind == A_INDEX && bufs[a->index].state == B_LIVE) {
        free(bufs[a->index].shadow);
        bufs[a->index].shadow = NULL;
    }
}

static int open_device_index(void) {
    int open[MAX_DEVICES], n = 0;
    for (int i = 0; i < ndevs; i++) if (devs[i].open) open[n++] = i;
    if (n) return open[below(n)];
    return open_device("opencl:pocl", 1);
}

static const float alphas[] = {1.0f, -0.5f, 2.5f, 0.0f, 1.0f, NAN};
static const float betas[] = {0.0f, 1.0f, -1.0f, 0.5f, 0.0f};

static void act_gemm(void) {
    arg_t d, a, b, c;
    int ta = below(2), tb = below(2);
    if (chance(50)) {   /* a valid product of fresh buffers */
        int dev = open_device_index();
        if (dev < 0) return;
        d = (arg_t){A_INDEX, dev, devs[dev].h};
        int m = 1 + below(9), n = 1 + below(9), k = 1 + below(9);
        int ia = fresh_buffer(dev, ta ? k : m, ta ? m : k, -2, 2), ib = fresh_buffer(dev, tb ? n : k, tb ? k : n, -2, 2);
        int ic = fresh_buffer(dev, m, n, -2, 2);
        if (ia < 0 || ib < 0 || ic < 0) return;
        a = buffer_arg(ia), b = buffer_arg(ib), c = buffer_arg(ic);
    } else {
        d = pick_device();
        a = pick_buffer(85), b = pick_buffer(85), c = pick_buffer(85);
    }
    float alpha = alphas[below(6)], beta = betas[below(5)];
    expect_t e = {0};
    describe(&e, "nk_gemm(%s, %d, %d, %g, %s, %s, %g, %s)", device_text(&d), ta, tb, alpha, buffer_text(&a), buffer_text(&b), beta, buffer_text(&c));
    int dev_ok = device_problems(&e, &d), dv = dev_ok ? d.index : (d.kind == A_INDEX ? d.index : -2);
    int ok_a = buffer_problems(&e, &a, dv, 0), ok_b = buffer_problems(&e, &b, dv, 0), ok_c = buffer_problems(&e, &c, dv, 0);
    int m = 0, n = 0, k = 0;
    if (dev_ok && ok_a && ok_b && ok_c) {
        const buf_m *A = &bufs[a.index], *B = &bufs[b.index], *C = &bufs[c.index];
        m = ta ? A->cols : A->rows, k = ta ? A->rows : A->cols;
        int kb = tb ? B->cols : B->rows;
        n = tb ? B->rows : B->cols;
        if (k != kb) problem(&e, NK_ERR_ARGUMENT, "gemm: b is");
        if (C->rows != m || C->cols != n) problem(&e, NK_ERR_ARGUMENT, "c is");
        if (c.index == a.index || c.index == b.index) problem(&e, NK_ERR_ARGUMENT, "gemm: output 'c' overlaps");
    }
    if (!CALL(&e, nk_gemm((nk_device*) d.h, ta, tb, alpha, (nk_buffer*) a.h, (nk_buffer*) b.h, beta, (nk_buffer*) c.h))) return;
    const float *A = bufs[a.index].shadow, *B = bufs[b.index].shadow, *C = bufs[c.index].shadow;
    int lda = bufs[a.index].cols, ldb = bufs[b.index].cols;
    float* got = fetch(c.index);
    if (A && B && (C || beta == 0.0f) && isfinite(alpha)) {
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? A[p * lda + i] : A[i * lda + p], y = tb ? B[j * ldb + p] : B[p * ldb + j];
                    sum += x * y;
                    mag += fabs(x * y);
                }
                double want = alpha * sum, bound_mag = fabs(alpha) * mag;
                if (beta != 0.0f) {
                    want += beta * (double) C[i * n + j];
                    bound_mag += fabs(beta) * fabs((double) C[i * n + j]);
                }
                if (!isfinite(want)) {
                    /* a NaN or infinity among the operands (an earlier call's result): the same special value */
                    double g = got[i * n + j];
                    if (!(isnan(want) ? isnan(g) : g == want)) mismatch("gemm element (%d, %d) is %.9g, the host says %.9g", i, j, g, want);
                    continue;
                }
                double err = fabs((double) got[i * n + j] - want), bound = (k + 2) * 0x1p-24 * bound_mag + 1e-30;
                if (!(err <= bound)) mismatch("gemm element (%d, %d) is %.9g, the host says %.9g (error %.3g, bound %.3g)", i, j, got[i * n + j], want, err, bound);
                if (bound_mag > 0 && err / bound > worst) worst = err / bound;
            }
        }
        say("   gemm %dx%dx%d checked against the host: largest error %.2f of the bound", m, n, k, worst);
    }
    free(bufs[c.index].shadow);
    bufs[c.index].shadow = got;   /* the device's values, exact from now on */
}

/* LIF parameters: values with the verdict the Java rules give them. */
typedef struct {
    double value;
    int ok;
} choice_t;

static void act_lif(void) {
    nk_lif_params p = {20, 1, -65, -65, -50, 2, 5, 5, 0};
    double dt = 0.1, tau_rate = 100;
    int params_ok = 1;
    const char* keyword = NULL;
    if (chance(60)) {
        static const choice_t dts[] = {{0.1, 1}, {1, 1}, {0.5, 1}, {1e300, 1}, {0, 0}, {-0.1, 0}, {NAN, 0}, {INFINITY, 0}};
        static const choice_t refrac_steps[] = {{0, 1}, {20, 1}, {NK_MAX_REFRACTORY_STEPS, 1}, {NK_MAX_REFRACTORY_STEPS + 1.0, 0}, {3e9, 0}};
        static const choice_t refracs[] = {{INFINITY, 0}, {NAN, 0}, {-1, 0}, {3e8, 0}};
        static const choice_t taus[] = {{INFINITY, 0}, {NAN, 0}, {0, 0}, {-1, 0}, {1e300, 1}, {3, 1}};
        static const choice_t volts[] = {{1e39, 0}, {-INFINITY, 0}, {NAN, 0}, {-1e300, 0}};
        static const choice_t rates[] = {{INFINITY, 0}, {NAN, 0}, {0, 0}, {1e-300, 0}, {1e-30, 1}, {10, 1}};
        int which = below(8);
        const choice_t* ch;
        switch (which) {
            case 0:
                ch = &dts[below(8)];
                dt = ch->value;
                keyword = "dt = ";
                break;
            case 1:
                ch = &refrac_steps[below(5)];
                p.tau_refrac = ch->value * 0.1;
                keyword = "steps";
                break;
            case 2:
                ch = &refracs[below(4)];
                p.tau_refrac = ch->value;
                keyword = "tau_refrac";
                break;
            case 3: {
                ch = &taus[below(6)];
                double* fields[] = {&p.tau_m, &p.cm, &p.tau_syn_e, &p.tau_syn_i};
                static const char* names[] = {"tau_m", "cm", "tau_syn_E", "tau_syn_I"};
                int f = below(4);
                *fields[f] = ch->value;
                keyword = names[f];
                break;
            }
            case 4: {
                ch = &volts[below(4)];
                double* fields[] = {&p.v_rest, &p.v_reset, &p.i_offset};
                static const char* names[] = {"v_rest", "v_reset", "i_offset"};
                int f = below(3);
                *fields[f] = ch->value;
                keyword = names[f];
                break;
            }
            case 5:
                ch = &rates[below(6)];
                tau_rate = ch->value;
                keyword = "tau_rate";
                break;
            case 6: {
                static const choice_t t[] = {{-65, 0}, {-70, 0}, {-64.9, 1}};
                ch = &t[below(3)];
                p.v_thresh = ch->value;
                keyword = "must exceed v_reset";
                break;
            }
            default: {
                static const choice_t ok = {0, 1};
                ch = &ok;
            }
        }
        params_ok = ch->ok;
    }
    int null_params = chance(2);
    arg_t d, s[7], in[3] = {{A_NULL, -1, NULL}, {A_NULL, -1, NULL}, {A_NULL, -1, NULL}};
    int fresh = chance(60);
    if (fresh) {
        int dev = open_device_index();
        if (dev < 0) return;
        d = (arg_t){A_INDEX, dev, devs[dev].h};
        int rows = 1 + below(3), cols = 1 + below(8);
        for (int k = 0; k < 7; k++) {
            int i = k == 0 ? fresh_buffer(dev, rows, cols, -80, 0) : alloc_buffer(&d, rows, cols, 0);
            if (i < 0) return;
            s[k] = buffer_arg(i);
        }
        for (int k = 0; k < 3; k++) {
            if (chance(40)) {
                int i = fresh_buffer(dev, rows, cols, -1, 1);
                if (i < 0) return;
                in[k] = buffer_arg(i);
            }
        }
    } else {
        d = pick_device();
        for (int k = 0; k < 7; k++) s[k] = pick_buffer(90);
        for (int k = 0; k < 3; k++) if (chance(30)) in[k] = pick_buffer(90);
    }
    expect_t e = {0};
    describe(&e, "nk_lif_step(%s, %s{tau_m %g, cm %g, v_rest %g, v_reset %g, v_thresh %g, tau_refrac %g, tau_syn %g/%g, i_offset %g}, dt %g, tau_rate %g, ",
             device_text(&d), null_params ? "NULL " : "", p.tau_m, p.cm, p.v_rest, p.v_reset, p.v_thresh, p.tau_refrac, p.tau_syn_e, p.tau_syn_i,
             p.i_offset, dt, tau_rate);
    for (int k = 0; k < 7; k++) describe(&e, "%s, ", buffer_text(&s[k]));
    for (int k = 0; k < 3; k++) describe(&e, "%s%s", buffer_text(&in[k]), k < 2 ? ", " : ")");
    if (null_params) problem(&e, NK_ERR_ARGUMENT, "parameters are NULL");
    else if (!params_ok) problem(&e, NK_ERR_ARGUMENT, keyword);
    int dev_ok = device_problems(&e, &d), dv = dev_ok ? d.index : -2, all = dev_ok;
    /* the op checks NULL, shape and aliasing state by state, so all three kinds of problem may be the one it reports */
    for (int k = 0; k < 7; k++) all &= buffer_problems(&e, &s[k], dv, 0) || s[k].kind == A_NULL;
    for (int k = 0; k < 3; k++) all &= in[k].kind == A_NULL || buffer_problems(&e, &in[k], dv, 1);
    if (all && s[0].kind == A_INDEX) {
        const buf_m* v = &bufs[s[0].index];
        int shapes = 1, distinct = 1;
        for (int k = 0; k < 10; k++) {
            const arg_t* x = k < 7 ? &s[k] : &in[k - 7];
            if (x->kind != A_INDEX) continue;
            if (bufs[x->index].rows != v->rows || bufs[x->index].cols != v->cols) shapes = 0;
            for (int q = 0; q < k; q++) {
                const arg_t* y = q < 7 ? &s[q] : &in[q - 7];
                if (y->kind == A_INDEX && y->index == x->index && (q < 7)) distinct = 0;
            }
        }
        if (!shapes) problem(&e, NK_ERR_ARGUMENT, "is");
        if (!distinct) problem(&e, NK_ERR_ARGUMENT, NULL);
    }
    announce(&e);
    nk_status got = nk_lif_step((nk_device*) d.h, null_params ? NULL : &p, dt, tau_rate, (nk_buffer*) s[0].h, (nk_buffer*) s[1].h, (nk_buffer*) s[2].h,
                                (nk_buffer*) s[3].h, (nk_buffer*) in[0].h, (nk_buffer*) in[1].h, (nk_buffer*) in[2].h, (nk_buffer*) s[4].h,
                                (nk_buffer*) s[5].h, (nk_buffer*) s[6].h);
    if (!verdict(&e, got)) return;
    for (int k = 0; k < 7; k++) if (k != 4) forget(&s[k]);
    float* spikes = fetch(s[4].index);
    size_t n = (size_t) bufs[s[4].index].rows * bufs[s[4].index].cols;
    for (size_t i = 0; i < n; i++) if (spikes[i] != 0.0f && spikes[i] != 1.0f) mismatch("LIF spike %zu is %g", i, spikes[i]);
    if (fresh) {   /* from rest (refractory 0): the counter is round(tau_refrac / dt) exactly where it spiked */
        float* refr = fetch(s[3].index);
        float steps = (float) floor(p.tau_refrac / dt + 0.5);
        for (size_t i = 0; i < n; i++) {
            if (refr[i] != (spikes[i] == 1.0f ? steps : 0.0f)) mismatch("LIF refractory counter %zu is %.9g after spike %g, expected %.9g", i, refr[i], spikes[i], steps);
        }
        free(refr);
    }
    free(bufs[s[4].index].shadow);
    bufs[s[4].index].shadow = spikes;
}

static const choice_t float_dts[] = {{0.1, 1}, {1, 1}, {0.5, 1}, {0, 0}, {-0.1, 0}, {NAN, 0}, {INFINITY, 0}, {-INFINITY, 0}};

static void act_poisson(void) {
    const choice_t* dtc = chance(60) ? &float_dts[below(3)] : &float_dts[below(8)];
    float dt = (float) dtc->value;
    arg_t d, rate, spikes, count;
    int fresh = chance(60);
    if (fresh) {
        int dev = open_device_index();
        if (dev < 0) return;
        d = (arg_t){A_INDEX, dev, devs[dev].h};
        int rows = 1 + below(3), cols = 1 + below(8);
        int ir = fresh_buffer(dev, 1, cols, 0, 1), is = alloc_buffer(&d, rows, cols, 0), ic = alloc_buffer(&d, rows, cols, 0);
        if (ir < 0 || is < 0 || ic < 0) return;
        static const float rates[] = {0.0f, -1.0f, 2.0f, 10.0f, 0.5f};
        for (int j = 0; j < cols; j++) bufs[ir].shadow[j] = rates[below(5)];
        expect_t u = {0};
        describe(&u, "nk_upload(buf%d, rates)", ir);
        CALL(&u, nk_upload(bufs[ir].h, bufs[ir].shadow, (size_t) cols));
        rate = buffer_arg(ir), spikes = buffer_arg(is), count = buffer_arg(ic);
    } else {
        d = pick_device();
        rate = pick_buffer(90), spikes = pick_buffer(90), count = pick_buffer(90);
    }
    expect_t e = {0};
    describe(&e, "nk_poisson(%s, dt %g, %s, seed, 0, step, %s, %s)", device_text(&d), dt, buffer_text(&rate), buffer_text(&spikes), buffer_text(&count));
    if (!dtc->ok) problem(&e, NK_ERR_ARGUMENT, "dt");
    int dev_ok = device_problems(&e, &d), dv = dev_ok ? d.index : -2;
    int ok = dev_ok & buffer_problems(&e, &rate, dv, 0) & buffer_problems(&e, &spikes, dv, 0) & buffer_problems(&e, &count, dv, 0);
    if (ok) {
        const buf_m *R = &bufs[rate.index], *S = &bufs[spikes.index], *C = &bufs[count.index];
        if (S->rows != C->rows || S->cols != C->cols) problem(&e, NK_ERR_ARGUMENT, "is");
        if (R->rows != 1 || R->cols != S->cols) problem(&e, NK_ERR_ARGUMENT, " is ");   /* rate's, or count's against rate */
        if (rate.index == spikes.index || rate.index == count.index || spikes.index == count.index) problem(&e, NK_ERR_ARGUMENT, "overlaps");
    }
    if (!CALL(&e, nk_poisson((nk_device*) d.h, dt, (nk_buffer*) rate.h, next_u64(), 0, below(1000), (nk_buffer*) spikes.h, (nk_buffer*) count.h))) return;
    forget(&count);
    float* s = fetch(spikes.index);
    const float* r = bufs[rate.index].shadow;
    int rows = bufs[spikes.index].rows, cols = bufs[spikes.index].cols;
    for (int i = 0; i < rows * cols; i++) {
        if (s[i] != 0.0f && s[i] != 1.0f) mismatch("Poisson spike %d is %g", i, s[i]);
        if (r && r[i % cols] * dt >= 1.0f && s[i] != 1.0f) mismatch("Poisson source %d with rate dt %g >= 1 did not spike", i, r[i % cols] * dt);
        if (r && r[i % cols] <= 0.0f && s[i] != 0.0f) mismatch("Poisson source %d with rate %g spiked", i, r[i % cols]);
    }
    free(bufs[spikes.index].shadow);
    bufs[spikes.index].shadow = s;
}

static void act_rate(void) {
    static const choice_t noises[] = {{0, 1}, {0.3, 1}, {-0.2, 1}, {NAN, 0}, {INFINITY, 0}};
    const choice_t* nc = &noises[chance(70) ? below(3) : below(5)];
    float noise = (float) nc->value;
    int activation = chance(90) ? below(5) : (chance(50) ? 5 : -1);
    arg_t d, r, x, c, tau = {A_NULL, -1, NULL};
    if (chance(60)) {
        int dev = open_device_index();
        if (dev < 0) return;
        d = (arg_t){A_INDEX, dev, devs[dev].h};
        int rows = 1 + below(3), cols = 1 + below(8);
        int ir = fresh_buffer(dev, rows, cols, -1, 1), ix = fresh_buffer(dev, rows, cols, -2, 2), ic = fresh_buffer(dev, 1, cols, 0, 1);
        if (ir < 0 || ix < 0 || ic < 0) return;
        r = buffer_arg(ir), x = buffer_arg(ix), c = buffer_arg(ic);
        if (chance(70)) {
            int it = fresh_buffer(dev, 1, cols, 1, 10);
            if (it < 0) return;
            tau = buffer_arg(it);
        }
    } else {
        d = pick_device();
        r = pick_buffer(90), x = pick_buffer(90), c = pick_buffer(90);
        if (chance(60)) tau = pick_buffer(90);
    }
    expect_t e = {0};
    describe(&e, "nk_rate_step(%s, activation %d, %s, %s, %s, %s, noise %g)", device_text(&d), activation, buffer_text(&r), buffer_text(&x), buffer_text(&c),
             buffer_text(&tau), noise);
    if (!nc->ok) problem(&e, NK_ERR_ARGUMENT, "noise_scale");
    if (activation < 0 || activation > 4) problem(&e, NK_ERR_ARGUMENT, "activation");
    int dev_ok = device_problems(&e, &d), dv = dev_ok ? d.index : -2;
    int ok = dev_ok & buffer_problems(&e, &r, dv, 0) & buffer_problems(&e, &x, dv, 0) & buffer_problems(&e, &c, dv, 0);
    ok &= tau.kind == A_NULL || buffer_problems(&e, &tau, dv, 1);
    if (ok && nc->ok) {
        const buf_m *R = &bufs[r.index], *X = &bufs[x.index], *C = &bufs[c.index];
        if (R->rows != X->rows || R->cols != X->cols) problem(&e, NK_ERR_ARGUMENT, "is");
        if (C->rows != 1 || C->cols != R->cols) problem(&e, NK_ERR_ARGUMENT, "c is");
        if (noise != 0.0f && tau.kind == A_NULL) problem(&e, NK_ERR_ARGUMENT, "needs tau");
        if (noise != 0.0f && tau.kind == A_INDEX && (bufs[tau.index].rows != 1 || bufs[tau.index].cols != R->cols)) problem(&e, NK_ERR_ARGUMENT, "tau is");
        /* tau is read only with noise (the library leaves it out otherwise), so only then may it not alias r */
        if (r.index == x.index || r.index == c.index || (noise != 0.0f && tau.kind == A_INDEX && r.index == tau.index)) problem(&e, NK_ERR_ARGUMENT, "overlaps");
    }
    if (!CALL(&e, nk_rate_step((nk_device*) d.h, activation, below(2), (nk_buffer*) r.h, (nk_buffer*) x.h, (nk_buffer*) c.h, (nk_buffer*) tau.h, noise,
                                  next_u64(), 0, below(100)))) {
        return;
    }
    forget(&r);
}

static void act_izhikevich(void) {
    const choice_t* dtc = chance(60) ? &float_dts[below(3)] : &float_dts[below(8)];
    float dt = (float) dtc->value;
    arg_t d, s[4], abcd;
    int fresh = chance(60);
    if (fresh) {
        int dev = open_device_index();
        if (dev < 0) return;
        d = (arg_t){A_INDEX, dev, devs[dev].h};
        int rows = 1 + below(3), cols = 1 + below(8);
        for (int k = 0; k < 4; k++) {
            int i = k == 0 ? fresh_buffer(dev, rows, cols, -70, 30) : alloc_buffer(&d, rows, cols, 0);
            if (i < 0) return;
            s[k] = buffer_arg(i);
        }
        int ia = fresh_buffer(dev, 4, cols, 0.02f, 0.2f);
        if (ia < 0) return;
        abcd = buffer_arg(ia);
    } else {
        d = pick_device();
        for (int k = 0; k < 4; k++) s[k] = pick_buffer(90);
        abcd = pick_buffer(90);
    }
    expect_t e = {0};
    describe(&e, "nk_izhikevich_step(%s, dt %g, v %s, u %s, abcd %s, spikes %s, count %s)", device_text(&d), dt, buffer_text(&s[0]), buffer_text(&s[1]),
             buffer_text(&abcd), buffer_text(&s[2]), buffer_text(&s[3]));
    if (!dtc->ok) problem(&e, NK_ERR_ARGUMENT, "dt");
    /* the op checks NULL, shape and aliasing state by state, so all three kinds of problem may be the one it reports */
    int dev_ok = device_problems(&e, &d), dv = dev_ok ? d.index : -2, ok = dev_ok;
    arg_t* all[] = {&s[0], &s[1], &s[2], &s[3], &abcd};
    for (int k = 0; k < 5; k++) ok &= buffer_problems(&e, all[k], dv, 0) || all[k]->kind == A_NULL;
    if (ok && s[0].kind == A_INDEX) {
        const buf_m* v = &bufs[s[0].index];
        int shapes = 1, distinct = 1;
        for (int k = 1; k < 4; k++) {
            if (s[k].kind == A_INDEX && (bufs[s[k].index].rows != v->rows || bufs[s[k].index].cols != v->cols)) shapes = 0;
        }
        for (int k = 0; k < 5; k++) {
            for (int q = 0; q < k; q++) if (all[k]->kind == A_INDEX && all[q]->kind == A_INDEX && all[q]->index == all[k]->index) distinct = 0;
        }
        if (!shapes) problem(&e, NK_ERR_ARGUMENT, "is");
        if (!distinct) problem(&e, NK_ERR_ARGUMENT, NULL);   /* "the same buffer" or "is also" */
        if (abcd.kind == A_INDEX && (bufs[abcd.index].rows != 4 || bufs[abcd.index].cols != v->cols)) problem(&e, NK_ERR_ARGUMENT, "abcd is");
    }
    if (!CALL(&e, nk_izhikevich_step((nk_device*) d.h, dt, (nk_buffer*) s[0].h, (nk_buffer*) s[1].h, (nk_buffer*) abcd.h, NULL, NULL,
                                        (nk_buffer*) s[2].h, (nk_buffer*) s[3].h))) {
        return;
    }
    forget(&s[0]);
    forget(&s[1]);
    forget(&s[3]);
    float* spikes = fetch(s[2].index);
    size_t n = (size_t) bufs[s[2].index].rows * bufs[s[2].index].cols;
    for (size_t i = 0; i < n; i++) if (spikes[i] != 0.0f && spikes[i] != 1.0f) mismatch("Izhikevich spike %zu is %g", i, spikes[i]);
    free(bufs[s[2].index].shadow);
    bufs[s[2].index].shadow = spikes;
}

static void act_free(void) {
    arg_t b = pick_buffer(50);
    expect_t e = {0};
    describe(&e, "nk_free(%s)", buffer_text(&b));
    buffer_problems(&e, &b, -1, 0);
    if (CALL(&e, nk_free((nk_buffer*) b.h))) {
        bufs[b.index].state = B_FREED;
        free(bufs[b.index].shadow);
        bufs[b.index].shadow = NULL;
    }
}

static void close_device(const arg_t* d) {
    expect_t e = {0};
    describe(&e, "nk_close(%s)", device_text(d));
    int ok = device_problems(&e, d);
    if (!CALL(&e, nk_close((nk_device*) d->h)) || !ok) return;
    devs[d->index].open = 0;
    for (int i = 0; i < nbufs; i++) {
        if (bufs[i].dev == d->index) {
            bufs[i].state = B_CLOSED;
            free(bufs[i].shadow);
            bufs[i].shadow = NULL;
        }
    }
}

static void act_close(void) {
    arg_t d = pick_device();
    close_device(&d);
}

static void act_finish(void) {
    arg_t d = pick_device();
    expect_t e = {0};
    describe(&e, "nk_finish(%s)", device_text(&d));
    device_problems(&e, &d);
    CALL(&e, nk_finish((nk_device*) d.h));
}

static void act_describe(void) {
    arg_t d = pick_device();
    char text[256];
    size_t capacity = chance(20) ? 4 : sizeof text;
    int null_text = chance(5);
    expect_t e = {0};
    describe(&e, "nk_device_selector(%s, %s, %zu)", device_text(&d), null_text ? "NULL" : "text", capacity);
    if (null_text) problem(&e, NK_ERR_ARGUMENT, "NULL");
    if (device_problems(&e, &d) && capacity == 4) problem(&e, NK_ERR_ARGUMENT, "needs");
    if (CALL(&e, nk_device_selector((nk_device*) d.h, null_text ? NULL : text, capacity)) && strncmp(text, "opencl:", 7) != 0) {
        mismatch("the selector of an OpenCL device is '%s'", text);
    }
}

/* One case: a device opened, then a random sequence of calls, then every device closed. */
static void run_case(uint64_t seed) {
    rng_state = seed;
    garbage_values[0] = &static_marker;
    garbage_values[1] = malloc(64);
    garbage_values[2] = (void*) (uintptr_t) 0xdeadbeef;
    garbage_values[3] = (void*) (uintptr_t) 1;
    garbage_values[4] = (void*) (uintptr_t) 0x10;
    garbage_values[5] = (void*) (uintptr_t) UINTPTR_MAX;
    if (open_device("opencl:pocl", 1) < 0) mismatch("opencl:pocl did not open");
    int steps = 30 + below(50);
    for (int i = 0; i < steps; i++) {
        int r = below(100);
        if (r < 3) act_open();
        else if (r < 15) act_alloc();
        else if (r < 25) act_upload();
        else if (r < 35) act_download();
        else if (r < 52) act_gemm();
        else if (r < 62) act_lif();
        else if (r < 68) act_poisson();
        else if (r < 74) act_rate();
        else if (r < 78) act_izhikevich();
        else if (r < 88) act_free();
        else if (r < 92) act_close();
        else if (r < 96) act_finish();
        else act_describe();
    }
    for (int i = 0; i < ndevs; i++) {
        if (devs[i].open) {
            arg_t d = {A_INDEX, i, devs[i].h};
            close_device(&d);
        }
    }
}

/* ---- the parent: one child per case ---- */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static uint64_t env_u64(const char* name, uint64_t fallback) {
    const char* v = getenv(name);
    if (!v || !*v) return fallback;
    char* end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 0);
    if (errno || *end) {
        fprintf(stderr, "fuzz_api: %s=%s is not a number\n", name, v);
        exit(2);
    }
    return x;
}

/* Runs case seed in a child; 0 when it passed. */
static int run_child(uint64_t seed, const char* self) {
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        log_fd = fds[1];
        alarm(60);
        run_case(seed);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0, capacity = 1 << 16;
    char* text = malloc(capacity);
    for (;;) {
        if (used + 4096 > capacity) text = realloc(text, capacity *= 2);
        ssize_t n = read(fds[0], text + used, capacity - used - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t) n;
    }
    text[used] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    int passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!passed) {
        printf("FAIL case seed %llu: ", (unsigned long long) seed);
        if (WIFSIGNALED(status)) {
            int sig = WTERMSIG(status);
            printf("killed by signal %d (%s)%s\n", sig, strsignal(sig), sig == SIGALRM ? ": it ran for 60 s (a hang)" : "");
        } else {
            printf("exit status %d\n", WEXITSTATUS(status));
        }
        printf("the calls of this case, in order:\n%s", text);
        printf("replay it alone: NK_FUZZ_SEED=%llu NK_FUZZ_CASES=1 %s\n", (unsigned long long) seed, self);
    }
    free(text);
    return !passed;
}

int main(int argc, char** argv) {
    (void) argc;
    uint64_t seed = env_u64("NK_FUZZ_SEED", ((uint64_t) time(NULL) << 16) ^ (uint64_t) getpid());
    uint64_t cases = env_u64("NK_FUZZ_CASES", 150), seconds = env_u64("NK_FUZZ_SECONDS", 45);
    /* the device's largest allocation, so that huge valid shapes are only tried where they are refused */
    cl_platform_id ps[16];
    cl_device_id ds[16];
    cl_uint np = 0;
    char name[256];
    max_alloc = 0;
    /* asked in a child: the parent stays free of OpenCL state across fork() */
    int fds[2];
    if (pipe(fds) == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            uint64_t found = 0;
            if (clGetPlatformIDs(16, ps, &np) == CL_SUCCESS) {
                for (cl_uint p = 0; p < np && !found; p++) {
                    if (clGetPlatformInfo(ps[p], CL_PLATFORM_NAME, sizeof name, name, NULL) != CL_SUCCESS || !strstr(name, "Portable")) continue;
                    cl_uint nd = 0;
                    cl_ulong v = 0;
                    if (clGetDeviceIDs(ps[p], CL_DEVICE_TYPE_ALL, 16, ds, &nd) == CL_SUCCESS && nd > 0
                        && clGetDeviceInfo(ds[0], CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof v, &v, NULL) == CL_SUCCESS) {
                        found = v;
                    }
                }
            }
            if (write(fds[1], &found, sizeof found) != (ssize_t) sizeof found) _exit(1);
            _exit(0);
        }
        close(fds[1]);
        if (read(fds[0], &max_alloc, sizeof max_alloc) != (ssize_t) sizeof max_alloc) max_alloc = 0;
        close(fds[0]);
        waitpid(pid, NULL, 0);
    }
    if (max_alloc == 0) {
        fprintf(stderr, "fuzz_api: no PoCL device (opencl:pocl) to fuzz\n");
        return 1;
    }
    printf("fuzz_api: seed %llu (NK_FUZZ_SEED), up to %llu cases (NK_FUZZ_CASES) in %llu s (NK_FUZZ_SECONDS); device's largest allocation %llu bytes\n",
           (unsigned long long) seed, (unsigned long long) cases, (unsigned long long) seconds, (unsigned long long) max_alloc);
    double start = now();
    uint64_t ran = 0, failed = 0;
    for (uint64_t i = 0; i < cases; i++) {
        if (i > 0 && now() - start > (double) seconds) break;
        failed += (uint64_t) run_child(seed + i, argv[0]);
        ran++;
    }
    printf("fuzz_api: %llu case(s) from seed %llu in %.1f s, %llu failed\n", (unsigned long long) ran, (unsigned long long) seed, now() - start,
           (unsigned long long) failed);
    return failed != 0;
}

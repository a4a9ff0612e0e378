/* Bad arguments and selectors return error codes with a message, never a crash; a small GEMM is right; threads may share a device;
 * stale and garbage handles, allocations beyond the device's limits and hostile parameters are refused. */
#define CL_TARGET_OPENCL_VERSION 120
#include "neurokernels.h"

#include <CL/cl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures = 0;

#define EXPECT(cond, what)                                                           \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, what, nk_last_error()); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

#define EXPECT_STATUS(call, status) EXPECT((call) == (status), #call " should return " #status)
/* the call fails with status and its message contains text */
static void expect_error(nk_status got, nk_status want, const char* text, const char* call, int line) {
    if (got != want) {
        fprintf(stderr, "FAIL %s:%d: %s returned %d, expected %d (last error: %s)\n", __FILE__, line, call, got, want, nk_last_error());
        failures++;
    } else if (!strstr(nk_last_error(), text)) {
        fprintf(stderr, "FAIL %s:%d: %s: the message should contain '%s' (last error: %s)\n", __FILE__, line, call, text, nk_last_error());
        failures++;
    }
}
#define EXPECT_ERROR(call, status, text) expect_error((call), (status), (text), #call, __LINE__)

static nk_device* dev;

static void* worker(void* arg) {
    float v = (float) (long) arg;
    nk_buffer *a, *c;
    if (nk_alloc(dev, 17, 9, &a) != NK_OK || nk_alloc(dev, 17, 17, &c) != NK_OK) return (void*) 1;
    float host[17 * 9], out[17 * 17];
    for (int i = 0; i < 17 * 9; i++) host[i] = v;
    long bad = 0;
    for (int it = 0; it < 50; it++) {
        nk_upload(a, host, 17 * 9);
        nk_gemm(dev, 0, 1, 1.0f, a, a, 0.0f, c);
        nk_download(c, out, 17 * 17);
        for (int i = 0; i < 17 * 17; i++) bad += out[i] != 9 * v * v;
    }
    nk_free(a);
    nk_free(c);
    return (void*) bad;
}

/* Handles of a closed device and of freed buffers: refused with what happened, never a crash, also after
 * a new device is opened (which may reuse the memory of the closed one). */
static void stale_handles(int platform, int device) {
    nk_device* d2 = NULL;
    nk_buffer *x = NULL, *y = NULL, *freed = NULL, *live_a = NULL, *live_b = NULL, *live_c = NULL;
    float host[6] = {1, 2, 3, 4, 5, 6};
    EXPECT_STATUS(nk_open_opencl(platform, device, &d2), NK_OK);
    EXPECT_STATUS(nk_alloc(d2, 2, 3, &x), NK_OK);
    EXPECT_STATUS(nk_alloc(d2, 3, 2, &y), NK_OK);
    EXPECT_STATUS(nk_alloc(d2, 1, 1, &freed), NK_OK);
    EXPECT_STATUS(nk_free(freed), NK_OK);
    EXPECT_STATUS(nk_close(d2), NK_OK);

    nk_buffer* out = (nk_buffer*) (uintptr_t) 1;
    EXPECT_ERROR(nk_alloc(d2, 2, 2, &out), NK_ERR_ARGUMENT, "device was closed");
    EXPECT(out == NULL, "a failed nk_alloc leaves *out NULL");
    EXPECT_ERROR(nk_download(x, host, 6), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_ERROR(nk_upload(x, host, 6), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_ERROR(nk_free(x), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_ERROR(nk_free(freed), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_ERROR(nk_finish(d2), NK_ERR_ARGUMENT, "device was closed");
    EXPECT_ERROR(nk_close(d2), NK_ERR_ARGUMENT, "device was closed");              /* a second close */
    char name[64];
    EXPECT_ERROR(nk_device_name(d2, name, sizeof name), NK_ERR_ARGUMENT, "device was closed");
    EXPECT_ERROR(nk_device_selector(d2, name, sizeof name), NK_ERR_ARGUMENT, "device was closed");
    EXPECT_ERROR(nk_gemm(d2, 0, 0, 1.0f, x, y, 0.0f, x), NK_ERR_ARGUMENT, "device was closed");
    /* the buffers of a closed device on a live one: not "another device" */
    EXPECT_STATUS(nk_alloc(dev, 2, 3, &live_a), NK_OK);
    EXPECT_STATUS(nk_alloc(dev, 2, 2, &live_c), NK_OK);
    EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, live_a, y, 0.0f, live_c), NK_ERR_ARGUMENT, "buffer 'b' belongs to a closed device");

    /* a new device, perhaps where the old one lay: the old handles stay stale */
    nk_device* d3 = NULL;
    EXPECT_STATUS(nk_open_opencl(platform, device, &d3), NK_OK);
    EXPECT(d3 != d2, "a new device gets a new handle");
    EXPECT_STATUS(nk_alloc(d3, 3, 2, &live_b), NK_OK);
    EXPECT(live_b != x && live_b != y, "a new buffer gets a new handle");
    EXPECT_ERROR(nk_free(y), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_ERROR(nk_free(freed), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_ERROR(nk_finish(d2), NK_ERR_ARGUMENT, "device was closed");
    EXPECT_ERROR(nk_gemm(d3, 0, 0, 1.0f, x, live_b, 0.0f, live_c), NK_ERR_ARGUMENT, "buffer 'a' belongs to a closed device");
    EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, live_a, live_b, 0.0f, live_c), NK_ERR_ARGUMENT, "buffer 'b' belongs to another device");
    EXPECT_STATUS(nk_upload(live_b, host, 6), NK_OK);
    float back[6];
    EXPECT_STATUS(nk_download(live_b, back, 6), NK_OK);
    EXPECT(memcmp(back, host, sizeof host) == 0, "the new device's buffer holds what was uploaded");
    EXPECT_STATUS(nk_close(d3), NK_OK);
    EXPECT_ERROR(nk_download(live_b, back, 6), NK_ERR_ARGUMENT, "buffer belongs to a closed device");
    EXPECT_STATUS(nk_free(live_a), NK_OK);
    EXPECT_STATUS(nk_free(live_c), NK_OK);
}

/* Values that were never handles: addresses, small integers, one kind of handle for the other. */
static void garbage_handles(nk_buffer* live) {
    int on_stack = 0;
    void* on_heap = malloc(64);
    void* values[] = {&on_stack, on_heap, (void*) (uintptr_t) 0xdeadbeef, (void*) (uintptr_t) 1, (void*) (uintptr_t) 0x10,
                      (void*) (uintptr_t) UINTPTR_MAX};
    float host[4];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        nk_device* d = (nk_device*) values[i];
        nk_buffer* b = (nk_buffer*) values[i];
        nk_buffer* out;
        EXPECT_ERROR(nk_finish(d), NK_ERR_ARGUMENT, "not a device handle");
        EXPECT_ERROR(nk_close(d), NK_ERR_ARGUMENT, "not a device handle");
        EXPECT_ERROR(nk_alloc(d, 1, 1, &out), NK_ERR_ARGUMENT, "not a device handle");
        EXPECT_ERROR(nk_free(b), NK_ERR_ARGUMENT, "not a buffer handle");
        EXPECT_ERROR(nk_download(b, host, 4), NK_ERR_ARGUMENT, "not a buffer handle");
        EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, b, live, 0.0f, live), NK_ERR_ARGUMENT, "not a buffer handle");
    }
    free(on_heap);
    /* white-box, after the library's encoding (device serial, buffer number, tag): a buffer handle whose
     * device serial or buffer number was never issued */
    if (sizeof(void*) == 8) {
        nk_buffer* no_device = (nk_buffer*) ((uintptr_t) live ^ ((uintptr_t) 1 << 62));
        nk_buffer* no_number = (nk_buffer*) ((uintptr_t) live ^ ((uintptr_t) 1 << 38));
        EXPECT_ERROR(nk_free(no_device), NK_ERR_ARGUMENT, "not a buffer handle");
        EXPECT_ERROR(nk_free(no_number), NK_ERR_ARGUMENT, "not a buffer handle");
        EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, no_number, live, 0.0f, live), NK_ERR_ARGUMENT, "not a buffer handle");
        EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, no_device, live, 0.0f, live), NK_ERR_ARGUMENT, "not a buffer handle");
    }
    /* a buffer where a device goes and the other way round */
    nk_buffer* out;
    EXPECT_ERROR(nk_finish((nk_device*) live), NK_ERR_ARGUMENT, "buffer handle");
    EXPECT_ERROR(nk_alloc((nk_device*) live, 1, 1, &out), NK_ERR_ARGUMENT, "buffer handle");
    EXPECT_ERROR(nk_free((nk_buffer*) dev), NK_ERR_ARGUMENT, "device handle");
    EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, (nk_buffer*) dev, live, 0.0f, live), NK_ERR_ARGUMENT, "device handle");
}

/* A buffer larger than the device allows in one allocation is refused with the sizes, not created. */
static void allocation_limits(int platform, int device) {
    cl_uint np = 0, nd = 0;
    cl_platform_id ps[16];
    cl_device_id ds[16];
    cl_ulong max_alloc = 0;
    if (clGetPlatformIDs(16, ps, &np) != CL_SUCCESS || (cl_uint) platform >= np
        || clGetDeviceIDs(ps[platform], CL_DEVICE_TYPE_ALL, 16, ds, &nd) != CL_SUCCESS || (cl_uint) device >= nd
        || clGetDeviceInfo(ds[device], CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc, NULL) != CL_SUCCESS) {
        EXPECT(0, "CL_DEVICE_MAX_MEM_ALLOC_SIZE of the test device");
        return;
    }
    nk_buffer* big = NULL;
    /* 32768 x 65535 floats = 8589803520 bytes: the largest shape nk_alloc takes is 2^31 - 1 floats */
    if (max_alloc < UINT64_C(8589803520)) {
        char sizes[64];
        EXPECT_ERROR(nk_alloc(dev, 32768, 65535, &big), NK_ERR_MEMORY, "8589803520 bytes");
        snprintf(sizes, sizeof sizes, "%llu bytes", (unsigned long long) max_alloc);
        EXPECT(strstr(nk_last_error(), sizes) != NULL, "the message names the device's largest allocation");
        EXPECT(big == NULL, "no buffer for a refused allocation");
        /* one float beyond the limit is refused, the limit itself is not checked here (it would allocate it) */
        if (max_alloc % 4 == 0 && max_alloc / 4 + 1 <= 0x7fffffffULL) {
            EXPECT_ERROR(nk_alloc(dev, 1, (int) (max_alloc / 4 + 1), &big), NK_ERR_MEMORY, "CL_DEVICE_MAX_MEM_ALLOC_SIZE");
        }
    } else {
        printf("allocation limit not checked: this device allows %llu bytes in one allocation\n", (unsigned long long) max_alloc);
    }
    EXPECT_ERROR(nk_alloc(dev, 65536, 65536, &big), NK_ERR_ARGUMENT, "2^31 - 1");  /* rows * cols beyond int */
    EXPECT_ERROR(nk_alloc(dev, -5, 3, &big), NK_ERR_ARGUMENT, "shape -5x3");
}

/* Parameters that used to pass unchecked: refused with the parameter named, the refractory limit exact. */
static void hostile_parameters(void) {
    nk_buffer* s[7];
    for (int k = 0; k < 7; k++) EXPECT_STATUS(nk_alloc(dev, 1, 1, &s[k]), NK_OK);
    nk_buffer *v = s[0], *ie = s[1], *ii = s[2], *refr = s[3], *spk = s[4], *rate = s[5], *cnt = s[6];
#define LIF(p, dt, tau_rate) nk_lif_step(dev, &(p), dt, tau_rate, v, ie, ii, refr, NULL, NULL, NULL, spk, rate, cnt)
    const nk_lif_params good = {20, 1, -65, -65, -50, 2, 5, 5, 0};
    nk_lif_params p = good;
    EXPECT_STATUS(LIF(p, 0.1, 100), NK_OK);
    /* 3e8 ms at dt 0.1 used to wrap to a negative step count, Infinity to none at all */
    p.tau_refrac = 3e8;
    EXPECT_ERROR(LIF(p, 0.1, 100), NK_ERR_ARGUMENT, "tau_refrac = 300000000 ms is 3000000000 steps of dt = 0.1 ms");
    EXPECT(strstr(nk_last_error(), "at most 16777216 steps") != NULL, "the message names the limit");
    p.tau_refrac = INFINITY;
    EXPECT_ERROR(LIF(p, 0.1, 100), NK_ERR_ARGUMENT, "tau_refrac = Infinity ms");
    p.tau_refrac = NAN;
    EXPECT_ERROR(LIF(p, 0.1, 100), NK_ERR_ARGUMENT, "tau_refrac = NaN ms");
    p.tau_refrac = -1;
    EXPECT_ERROR(LIF(p, 0.1, 100), NK_ERR_ARGUMENT, "tau_refrac = -1 ms");
    /* the limit: 2^24 steps pass and the counter holds them exactly, one more step is refused */
    p.tau_refrac = 0.5 * NK_MAX_REFRACTORY_STEPS;
    float zero = 0.0f, back = -1.0f;
    EXPECT_STATUS(nk_upload(v, &zero, 1), NK_OK);                                   /* 0 mV > v_thresh: a spike */
    EXPECT_STATUS(nk_upload(refr, &zero, 1), NK_OK);
    EXPECT_STATUS(LIF(p, 0.5, 100), NK_OK);
    EXPECT_STATUS(nk_download(refr, &back, 1), NK_OK);
    EXPECT(back == 16777216.0f, "the refractory counter starts at 2^24 steps");
    EXPECT_STATUS(nk_download(spk, &back, 1), NK_OK);
    EXPECT(back == 1.0f, "the neuron spiked");
    p.tau_refrac = 0.5 * (NK_MAX_REFRACTORY_STEPS + 1);
    EXPECT_ERROR(LIF(p, 0.5, 100), NK_ERR_ARGUMENT, "is 16777217 steps");
    /* every other parameter: finite, in float range, positive where a time constant */
    struct { size_t offset; double value; const char* text; } bad[] = {
        {offsetof(nk_lif_params, tau_m), INFINITY, "tau_m = Infinity ms: need a finite value > 0"},
        {offsetof(nk_lif_params, tau_m), 0, "tau_m = 0 ms"},
        {offsetof(nk_lif_params, cm), INFINITY, "cm = Infinity nF"},
        {offsetof(nk_lif_params, cm), NAN, "cm = NaN nF"},
        {offsetof(nk_lif_params, tau_syn_e), INFINITY, "tau_syn_E = Infinity ms"},
        {offsetof(nk_lif_params, tau_syn_i), -5, "tau_syn_I = -5 ms"},
        {offsetof(nk_lif_params, v_rest), 1e39, "v_rest = 1e+39 mV: need a finite value within float range"},
        {offsetof(nk_lif_params, v_rest), NAN, "v_rest = NaN mV"},
        {offsetof(nk_lif_params, v_reset), -INFINITY, "v_reset = -Infinity mV"},
        {offsetof(nk_lif_params, v_thresh), 1e300, "v_thresh = 1e+300 mV"},
        {offsetof(nk_lif_params, i_offset), NAN, "i_offset = NaN nA"},
        {offsetof(nk_lif_params, i_offset), -1e39, "i_offset = -1e+39 nA"},
        {offsetof(nk_lif_params, v_thresh), -70, "v_thresh = -70 mV must exceed v_reset = -65 mV"},
        {offsetof(nk_lif_params, cm), 1e-300, "P21_E overflows float"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = good;
        *(double*) ((char*) &p + bad[i].offset) = bad[i].value;
        EXPECT_ERROR(LIF(p, 0.1, 100), NK_ERR_ARGUMENT, bad[i].text);
    }
    p = good;
    EXPECT_ERROR(LIF(p, INFINITY, 100), NK_ERR_ARGUMENT, "dt = Infinity ms");
    EXPECT_ERROR(LIF(p, NAN, 100), NK_ERR_ARGUMENT, "dt = NaN ms");
    EXPECT_ERROR(LIF(p, 0, 100), NK_ERR_ARGUMENT, "dt = 0 ms");
    EXPECT_ERROR(LIF(p, 0.1, INFINITY), NK_ERR_ARGUMENT, "tau_rate = Infinity ms");
    EXPECT_ERROR(LIF(p, 0.1, 1e-300), NK_ERR_ARGUMENT, "1 / tau_rate overflows float");
    EXPECT_ERROR(nk_lif_step(dev, NULL, 0.1, 100, v, ie, ii, refr, NULL, NULL, NULL, spk, rate, cnt), NK_ERR_ARGUMENT, "parameters are NULL");
#undef LIF

    /* Poisson: dt must be a finite step > 0 */
    float bad_dt[] = {NAN, 0.0f, -0.1f, INFINITY};
    const char* bad_dt_text[] = {"dt=NaN is not a finite float", "dt must be a step > 0 ms", "dt must be a step > 0 ms", "dt=Infinity is not a finite float"};
    for (int i = 0; i < 4; i++) {
        EXPECT_ERROR(nk_poisson(dev, bad_dt[i], rate, 1, 0, 0, spk, cnt), NK_ERR_ARGUMENT, bad_dt_text[i]);
        EXPECT_ERROR(nk_izhikevich_step(dev, bad_dt[i], v, ie, ii, NULL, NULL, spk, cnt), NK_ERR_ARGUMENT, bad_dt_text[i]);
    }
    float one = 1.0f, counted = -1.0f;
    EXPECT_STATUS(nk_upload(rate, &one, 1), NK_OK);                                  /* 1 per ms over 1 ms: always a spike */
    EXPECT_STATUS(nk_upload(cnt, &zero, 1), NK_OK);
    EXPECT_STATUS(nk_poisson(dev, 1.0f, rate, 1, 0, 0, spk, cnt), NK_OK);
    EXPECT_STATUS(nk_download(cnt, &counted, 1), NK_OK);
    EXPECT(counted == 1.0f, "rate dt = 1 spikes every step");

    /* rate step: noise_scale must be finite */
    EXPECT_ERROR(nk_rate_step(dev, NK_TANH, 1, v, ie, ii, refr, NAN, 1, 0, 0), NK_ERR_ARGUMENT, "noise_scale=NaN is not a finite float");
    EXPECT_ERROR(nk_rate_step(dev, NK_TANH, 1, v, ie, ii, refr, INFINITY, 1, 0, 0), NK_ERR_ARGUMENT, "noise_scale=Infinity is not a finite float");
    EXPECT_STATUS(nk_rate_step(dev, NK_TANH, 1, v, ie, ii, refr, 0.5f, 1, 0, 0), NK_OK);
    /* uniform numbers: hi - lo must not overflow float */
    EXPECT_ERROR(nk_random_uniform(dev, 1, 0, 0, -3e38f, 3e38f, v), NK_ERR_ARGUMENT, "hi - lo overflows float");
    EXPECT_STATUS(nk_random_uniform(dev, 1, 0, 0, -1e38f, 1e38f, v), NK_OK);
    for (int k = 0; k < 7; k++) EXPECT_STATUS(nk_free(s[k]), NK_OK);
}

/* nk_close on one thread while another keeps using the device and its buffers: every call of the other
 * thread succeeds (it ran before the close) or reports the closed device; nothing crashes. */
typedef struct {
    nk_device* dev;
    nk_buffer *a, *c;
    atomic_int ran;   /* iterations done, so that the close comes while the worker is busy */
    int ok, refused, wrong;
} race_t;

static void* race_worker(void* arg) {
    race_t* r = arg;
    float host[16 * 16];
    for (int it = 0; it < 400; it++, atomic_fetch_add(&r->ran, 1)) {
        nk_status s1 = nk_gemm(r->dev, 0, 1, 1.0f, r->a, r->a, 0.0f, r->c);
        nk_status s2 = nk_download(r->c, host, 16 * 16);
        nk_buffer* tmp = NULL;
        nk_status s3 = nk_alloc(r->dev, 4, 4, &tmp);
        nk_status s4 = s3 == NK_OK ? nk_free(tmp) : NK_ERR_ARGUMENT;
        nk_status all[] = {s1, s2, s3, s4};
        for (int k = 0; k < 4; k++) {
            if (all[k] == NK_OK) r->ok++;
            else if (all[k] == NK_ERR_ARGUMENT && (strstr(nk_last_error(), "closed") != NULL || k == 3)) r->refused++;
            else r->wrong++;
        }
    }
    return NULL;
}

static void close_racing_with_use(int platform, int device) {
    for (int round = 0; round < 3; round++) {
        race_t r = {0};
        atomic_init(&r.ran, 0);
        EXPECT_STATUS(nk_open_opencl(platform, device, &r.dev), NK_OK);
        EXPECT_STATUS(nk_alloc(r.dev, 16, 16, &r.a), NK_OK);
        EXPECT_STATUS(nk_alloc(r.dev, 16, 16, &r.c), NK_OK);
        pthread_t t;
        pthread_create(&t, NULL, race_worker, &r);
        for (int wait = 0; wait < 10000 && atomic_load(&r.ran) < 4 * (round + 1); wait++) {
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        EXPECT_STATUS(nk_close(r.dev), NK_OK);
        pthread_join(t, NULL);
        EXPECT(r.wrong == 0, "calls racing with nk_close succeed or report the closed device");
        EXPECT(r.refused > 0, "calls after nk_close are refused");
        EXPECT_ERROR(nk_gemm(r.dev, 0, 1, 1.0f, r.a, r.a, 0.0f, r.c), NK_ERR_ARGUMENT, "device was closed");
        printf("close racing with use, round %d: %d calls ran, %d refused\n", round, r.ok, r.refused);
    }
}

int main(void) {
    EXPECT(nk_version() == NK_API_VERSION, "version");
    nk_device* none = NULL;
    EXPECT_STATUS(nk_open_opencl(99, 0, &none), NK_ERR_DEVICE);
    EXPECT(strstr(nk_last_error(), "opencl:99:0") != NULL, "the message names the device");
    EXPECT_STATUS(nk_open_opencl(0, 0, NULL), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open_cuda(0, NULL), NK_ERR_ARGUMENT);
    nk_device* gpu = NULL;
    if (nk_open_cuda(0, &gpu) == NK_OK) {
        /* a machine with an NVIDIA GPU: the same small GEMM as below, on CUDA */
        nk_buffer *ga, *gb, *gc;
        float xa[6] = {1, 2, 3, 4, 5, 6}, xb[6] = {7, 8, 9, 10, 11, 12}, xc[4];
        EXPECT_STATUS(nk_alloc(gpu, 2, 3, &ga), NK_OK);
        EXPECT_STATUS(nk_alloc(gpu, 3, 2, &gb), NK_OK);
        EXPECT_STATUS(nk_alloc(gpu, 2, 2, &gc), NK_OK);
        nk_upload(ga, xa, 6);
        nk_upload(gb, xb, 6);
        EXPECT_STATUS(nk_gemm(gpu, 0, 0, 1.0f, ga, gb, 0.0f, gc), NK_OK);
        EXPECT_STATUS(nk_download(gc, xc, 4), NK_OK);
        EXPECT(xc[0] == 58 && xc[1] == 64 && xc[2] == 139 && xc[3] == 154, "GEMM on cuda:0");
        EXPECT_STATUS(nk_close(gpu), NK_OK);
    } else {
        /* no GPU here: a clear reason (no driver, no device, or no kernels in this build), not a crash */
        EXPECT(strstr(nk_last_error(), "cuda:0") != NULL, "the CUDA error names the device");
        printf("cuda:0 unavailable: %s\n", nk_last_error());
    }
    /* PoCL by name, whatever order the ICD loader lists the platforms in; NK_TEST_DEVICE names another
     * OpenCL device (ctest api_oclgrind: opencl:oclgrind, the GPU kernel families under Oclgrind's checks) */
    const char* tested = getenv("NK_TEST_DEVICE") && *getenv("NK_TEST_DEVICE") ? getenv("NK_TEST_DEVICE") : "opencl:pocl";
    if (strncmp(tested, "opencl:", 7) != 0 || strlen(tested) > 60) {
        fprintf(stderr, "NK_TEST_DEVICE must name an OpenCL device by name (opencl:NAME), got '%s'\n", tested);
        return 1;
    }
    if (nk_open(tested, &dev) != NK_OK) {
        fprintf(stderr, "no OpenCL device %s: %s\n", tested, nk_last_error());
        return 1;
    }
    char name[256], id[NK_SELECTOR_CAPACITY], other_id[NK_SELECTOR_CAPACITY];
    EXPECT_STATUS(nk_device_name(dev, name, sizeof name), NK_OK);
    EXPECT_STATUS(nk_device_selector(dev, id, sizeof id), NK_OK);
    EXPECT(strncmp(id, "opencl:", 7) == 0, "an OpenCL device's id is opencl:P:D");
    printf("device: %s = %s\n", id, name);
    EXPECT_STATUS(nk_device_selector(dev, id, 4), NK_ERR_ARGUMENT);              /* too small for the id */
    EXPECT_STATUS(nk_device_selector(NULL, id, sizeof id), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_device_selector(dev, id, sizeof id), NK_OK);

    /* selectors: case-insensitive, by name, by index, auto; malformed ones are argument errors */
    nk_device* sel = NULL;
    char shouted[72];
    snprintf(shouted, sizeof shouted, " %s ", tested);
    for (char* c = shouted; *c; c++) *c = (char)toupper((unsigned char)*c);
    EXPECT_STATUS(nk_open(shouted, &sel), NK_OK);
    if (sel) {
        EXPECT_STATUS(nk_device_selector(sel, other_id, sizeof other_id), NK_OK);
        EXPECT(strcmp(other_id, id) == 0, "the selector in capitals, padded with spaces, is the same device");
        EXPECT_STATUS(nk_close(sel), NK_OK);
    }
    EXPECT_STATUS(nk_open(id, &sel), NK_OK);                                      /* the id opens the same device */
    if (sel) {
        EXPECT_STATUS(nk_device_selector(sel, other_id, sizeof other_id), NK_OK);
        EXPECT(strcmp(other_id, id) == 0, "the canonical id reopens its device");
        EXPECT_STATUS(nk_close(sel), NK_OK);
    }
    EXPECT_STATUS(nk_open("auto", &sel), NK_OK);
    if (sel) {
        EXPECT_STATUS(nk_device_selector(sel, other_id, sizeof other_id), NK_OK);
        EXPECT(strncmp(other_id, "opencl:", 7) == 0 || strncmp(other_id, "cuda:", 5) == 0, "auto reports opencl:P:D or cuda:N");
        EXPECT_STATUS(nk_device_name(sel, name, sizeof name), NK_OK);
        printf("auto: %s = %s\n", other_id, name);
        EXPECT_STATUS(nk_close(sel), NK_OK);
    }
    EXPECT_STATUS(nk_open("opencl", &sel), NK_OK);                               /* the best OpenCL device */
    if (sel) EXPECT_STATUS(nk_close(sel), NK_OK);
    EXPECT_STATUS(nk_open("opencl:no-such-device-anywhere", &sel), NK_ERR_DEVICE);
    EXPECT(sel == NULL, "a failed open leaves no device");
    EXPECT(strstr(nk_last_error(), "0 OpenCL devices match 'no-such-device-anywhere'") != NULL, "the message says nothing matched");
    EXPECT(strstr(nk_last_error(), id) != NULL, "the message lists the devices");
    EXPECT_STATUS(nk_open("opencl:99:0", &sel), NK_ERR_DEVICE);
    EXPECT(strstr(nk_last_error(), "opencl:99:0") != NULL, "the message names the device");
    EXPECT_STATUS(nk_open(NULL, &sel), NK_ERR_ARGUMENT);
    EXPECT(strstr(nk_last_error(), "opencl:NAME") != NULL, "the message names the accepted forms");
    EXPECT_STATUS(nk_open("", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("  ", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("vulkan:0", &sel), NK_ERR_ARGUMENT);
    EXPECT(strstr(nk_last_error(), "vulkan:0") != NULL && strstr(nk_last_error(), "auto") != NULL, "unknown selectors are named");
    EXPECT_STATUS(nk_open("autox", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("java", &sel), NK_ERR_ARGUMENT);                       /* the Java library's reference only */
    EXPECT_STATUS(nk_open("cuda:x", &sel), NK_ERR_ARGUMENT);
    EXPECT(strstr(nk_last_error(), "cuda:N") != NULL, "the message shows the CUDA form");
    EXPECT_STATUS(nk_open("cuda:", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("cuda:-1", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("opencl:", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("opencl:0:99999999999", &sel), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_open("auto", NULL), NK_ERR_ARGUMENT);
    nk_status cuda_status = nk_open("CUDA", &sel);                                /* cuda:0: opens, or says why not */
    EXPECT(cuda_status == NK_OK || cuda_status == NK_ERR_DEVICE || cuda_status == NK_ERR_BUILD, "cuda opens or reports why");
    if (cuda_status == NK_OK) EXPECT_STATUS(nk_close(sel), NK_OK);
    else EXPECT(strstr(nk_last_error(), "cuda:0") != NULL, "the CUDA error names the device");

    nk_buffer *a, *b, *c, *w;
    EXPECT_STATUS(nk_alloc(dev, 0, 3, &a), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_alloc(dev, 3, -1, &a), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_alloc(NULL, 3, 3, &a), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_alloc(dev, 2, 3, &a), NK_OK);
    EXPECT_STATUS(nk_alloc(dev, 3, 2, &b), NK_OK);
    EXPECT_STATUS(nk_alloc(dev, 2, 2, &c), NK_OK);
    EXPECT_STATUS(nk_alloc(dev, 5, 5, &w), NK_OK);

    float ha[6] = {1, 2, 3, 4, 5, 6}, hb[6] = {7, 8, 9, 10, 11, 12}, hc[4];
    EXPECT_STATUS(nk_upload(a, ha, 5), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_upload(a, NULL, 6), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_upload(a, ha, 6), NK_OK);
    EXPECT_STATUS(nk_upload(b, hb, 6), NK_OK);
    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, a, b, 0.0f, c), NK_OK);
    EXPECT_STATUS(nk_download(c, hc, 4), NK_OK);
    EXPECT(hc[0] == 58 && hc[1] == 64 && hc[2] == 139 && hc[3] == 154, "[1 2 3; 4 5 6] [7 8; 9 10; 11 12] = [58 64; 139 154]");

    /* independent GEMMs inside nk_independent_begin/end (paired into one launch on CPU devices): the same
       bits as one at a time; a dependent second GEMM still sees the first's result; a download in between
       sees every GEMM before it; an unmatched end is refused */
    {
        enum { M = 24, K = 40, N = 33 };
        static float x0[M * K], y0[K * N], x1[M * K], y1[K * N], r0[M * N], r1[M * N], s0[M * N], s1[M * N], t1[M * N];
        unsigned st = 7;
        for (int i = 0; i < M * K; i++) { st = st * 1664525u + 1013904223u; x0[i] = (float) (st >> 8) / 16777216.0f - 0.5f; x1[i] = x0[i] * 0.5f + 0.25f; }
        for (int i = 0; i < K * N; i++) { st = st * 1664525u + 1013904223u; y0[i] = (float) (st >> 8) / 16777216.0f - 0.5f; y1[i] = -y0[i]; }
        nk_buffer *A0, *B0, *A1, *B1, *C0, *C1, *D1;
        EXPECT_STATUS(nk_alloc(dev, M, K, &A0), NK_OK); EXPECT_STATUS(nk_alloc(dev, K, N, &B0), NK_OK);
        EXPECT_STATUS(nk_alloc(dev, M, K, &A1), NK_OK); EXPECT_STATUS(nk_alloc(dev, K, N, &B1), NK_OK);
        EXPECT_STATUS(nk_alloc(dev, M, N, &C0), NK_OK); EXPECT_STATUS(nk_alloc(dev, M, N, &C1), NK_OK);
        EXPECT_STATUS(nk_alloc(dev, M, N, &D1), NK_OK);
        EXPECT_STATUS(nk_upload(A0, x0, M * K), NK_OK); EXPECT_STATUS(nk_upload(B0, y0, K * N), NK_OK);
        EXPECT_STATUS(nk_upload(A1, x1, M * K), NK_OK); EXPECT_STATUS(nk_upload(B1, y1, K * N), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, A0, B0, 0.0f, C0), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, A1, B1, 0.0f, C1), NK_OK);
        EXPECT_STATUS(nk_download(C0, r0, M * N), NK_OK);
        EXPECT_STATUS(nk_download(C1, r1, M * N), NK_OK);
        EXPECT_STATUS(nk_independent_begin(dev), NK_OK);
        EXPECT_STATUS(nk_independent_begin(dev), NK_OK);   /* nests */
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, A0, B0, 0.0f, C0), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, A1, B1, 0.0f, C1), NK_OK);
        EXPECT_STATUS(nk_independent_end(dev), NK_OK);
        EXPECT_STATUS(nk_download(C0, s0, M * N), NK_OK);  /* inside the outer group: launches what is held first */
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 2.0f, A1, B1, 0.0f, C1), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 1, 0, 1.0f, A0, C1, 0.0f, D1), NK_ERR_ARGUMENT); /* shapes: refused, nothing held is lost */
        EXPECT_STATUS(nk_independent_end(dev), NK_OK);
        EXPECT_STATUS(nk_download(C1, s1, M * N), NK_OK);
        EXPECT(memcmp(r0, s0, sizeof r0) == 0, "a paired GEMM gives the bits it gives alone");
        int doubled = 1;
        for (int i = 0; i < M * N; i++) doubled &= s1[i] == 2.0f * r1[i];
        EXPECT(doubled, "the GEMM after a download in the group ran, in order");
        /* dependent: the second GEMM accumulates into what the first writes, so it must see the first result */
        EXPECT_STATUS(nk_independent_begin(dev), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, A1, B1, 0.0f, C1), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, A1, B1, 1.0f, C1), NK_OK);   /* reads what the first writes: not paired */
        EXPECT_STATUS(nk_independent_end(dev), NK_OK);
        EXPECT_STATUS(nk_download(C1, t1, M * N), NK_OK);
        int twice = 1;
        for (int i = 0; i < M * N; i++) twice &= t1[i] == 2.0f * r1[i];
        EXPECT(twice, "a GEMM that reads the one before it is not paired with it");
        EXPECT_STATUS(nk_independent_end(dev), NK_ERR_ARGUMENT);
        nk_buffer* all[] = {A0, B0, A1, B1, C0, C1, D1};
        for (int i = 0; i < 7; i++) EXPECT_STATUS(nk_free(all[i]), NK_OK);
    }

    {
        /* nk_run reaches the ops the library composes itself too: gemm by name is nk_gemm */
        float ha[6] = {1, 2, 3, 4, 5, 6}, hb[6] = {1, -1, 2, 0.5f, 3, -2}, by_run[4], typed[4];
        nk_buffer *ra, *rb, *rc;
        EXPECT_STATUS(nk_alloc(dev, 2, 3, &ra), NK_OK);
        EXPECT_STATUS(nk_alloc(dev, 2, 3, &rb), NK_OK);
        EXPECT_STATUS(nk_alloc(dev, 2, 2, &rc), NK_OK);
        nk_upload(ra, ha, 6);
        nk_upload(rb, hb, 6);
        const char* names[] = {"a", "b", "c"};
        nk_buffer* bufs[] = {ra, rb, rc};
        EXPECT_STATUS(nk_run(dev, "gemm", 3, names, bufs, "trans_b=true alpha=2"), NK_OK);
        EXPECT_STATUS(nk_download(rc, by_run, 4), NK_OK);
        EXPECT_STATUS(nk_gemm(dev, 0, 1, 2.0f, ra, rb, 0.0f, rc), NK_OK);
        EXPECT_STATUS(nk_download(rc, typed, 4), NK_OK);
        EXPECT(memcmp(by_run, typed, sizeof typed) == 0 && typed[0] == 2 * (1 - 2 + 6), "nk_run(\"gemm\") is nk_gemm");
        EXPECT_STATUS(nk_run(dev, "gemm", 3, names, bufs, "alpha=2"), NK_ERR_ARGUMENT);   /* a 2x3 times a 2x3 */
        EXPECT(strstr(nk_last_error(), "gemm: b is 2x3, expected 3x") != NULL, "nk_run(gemm) checks with the spec");
        char text[256];
        EXPECT_STATUS(nk_op_plan(dev, "gemm", 3, names, bufs, "trans_b=true", text, sizeof text), NK_ERR_ARGUMENT);
        EXPECT(strstr(nk_last_error(), "nk_gemm_plan") != NULL, "nk_op_plan points a composed op at its own plan function");
        nk_buffer* all[] = {ra, rb, rc};
        for (int i = 0; i < 3; i++) EXPECT_STATUS(nk_free(all[i]), NK_OK);
    }
    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, a, a, 0.0f, c), NK_ERR_ARGUMENT);     /* inner dimensions */
    EXPECT(strstr(nk_last_error(), "gemm: b is 2x3, expected 3x") != NULL, "the message explains the shapes (the spec's, as Java's)");
    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, a, b, 0.0f, w), NK_ERR_ARGUMENT);     /* wrong C */
    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, NULL, b, 0.0f, c), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_gemm(NULL, 0, 0, 1.0f, a, b, 0.0f, c), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_dense_forward(dev, a, b, NULL, 9, c, NULL), NK_ERR_ARGUMENT); /* activation code */
    EXPECT_STATUS(nk_sgd_update(dev, 0.1f, 0.0f, 0.9f, a, a, NULL), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_output_layer(dev, a, b, NULL, c, NULL, 1, c, c, c, NULL), NK_ERR_ARGUMENT); /* w is not classes x h.cols */
    EXPECT_STATUS(nk_output_layer(dev, a, a, NULL, c, a, 1, c, c, c, NULL), NK_ERR_ARGUMENT); /* m without delta */
    EXPECT_STATUS(nk_output_layer(NULL, a, a, NULL, c, NULL, 1, c, c, c, NULL), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_philox(dev, a, b, c), NK_ERR_ARGUMENT);
    EXPECT_STATUS(nk_random_uniform(dev, 1, 0, 0, 1.0f, 0.0f, c), NK_ERR_ARGUMENT);
    nk_lif_params p = {20, 1, -65, -65, -50, 2, 5, 5, 0};
    EXPECT_STATUS(nk_lif_step(dev, &p, 0.1, 100, c, c, c, c, NULL, NULL, NULL, c, c, c), NK_ERR_ARGUMENT);
    p.tau_m = -1;
    EXPECT_STATUS(nk_lif_step(dev, &p, 0.1, 100, c, c, c, c, NULL, NULL, NULL, c, c, c), NK_ERR_ARGUMENT);

    nk_device* other;
    int platform = -1, device = -1;
    EXPECT(sscanf(id, "opencl:%d:%d", &platform, &device) == 2, "the id has the form opencl:P:D");
    EXPECT_STATUS(nk_open_opencl(platform, device, &other), NK_OK);              /* by index, as before nk_open */
    nk_buffer* foreign;
    EXPECT_STATUS(nk_alloc(other, 2, 2, &foreign), NK_OK);
    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, a, b, 0.0f, foreign), NK_ERR_ARGUMENT);
    EXPECT(strstr(nk_last_error(), "another device") != NULL, "foreign buffers are named");
    EXPECT_STATUS(nk_close(other), NK_OK);

    EXPECT_STATUS(nk_free(c), NK_OK);
    EXPECT_ERROR(nk_free(c), NK_ERR_FREED, "buffer was freed");                  /* a second free is reported */
    EXPECT_ERROR(nk_gemm(dev, 0, 0, 1.0f, a, b, 0.0f, c), NK_ERR_FREED, "buffer 'c' was freed");
    EXPECT_ERROR(nk_download(c, hc, 4), NK_ERR_FREED, "buffer was freed");
    EXPECT_ERROR(nk_upload(c, hc, 4), NK_ERR_FREED, "buffer was freed");

    stale_handles(platform, device);
    garbage_handles(a);
    allocation_limits(platform, device);
    hostile_parameters();
    close_racing_with_use(platform, device);

    pthread_t threads[4];
    for (long t = 0; t < 4; t++) pthread_create(&threads[t], NULL, worker, (void*) (t + 1));
    for (int t = 0; t < 4; t++) {
        void* bad;
        pthread_join(threads[t], &bad);
        EXPECT(bad == NULL, "every thread's GEMM results are right");
    }

    EXPECT_STATUS(nk_close(dev), NK_OK);
    EXPECT_STATUS(nk_close(NULL), NK_ERR_ARGUMENT);
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("all API checks passed\n");
    return failures != 0;
}

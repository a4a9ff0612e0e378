/* Bad arguments and selectors return error codes with a message, never a crash; a small GEMM is right; threads may share a device. */
#include "neurokernels.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

#define EXPECT(cond, what)                                                           \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "FAIL %s:%d: %s (last error: %s)\n", __FILE__, __LINE__, what, nk_last_error()); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

#define EXPECT_STATUS(call, status) EXPECT((call) == (status), #call " should return " #status)

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
    /* PoCL by name, whatever order the ICD loader lists the platforms in */
    if (nk_open("opencl:pocl", &dev) != NK_OK) {
        fprintf(stderr, "no OpenCL device opencl:pocl: %s\n", nk_last_error());
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
    EXPECT_STATUS(nk_open(" OPENCL:POCL ", &sel), NK_OK);
    if (sel) {
        EXPECT_STATUS(nk_device_selector(sel, other_id, sizeof other_id), NK_OK);
        EXPECT(strcmp(other_id, id) == 0, "OPENCL:POCL is opencl:pocl");
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

    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, a, a, 0.0f, c), NK_ERR_ARGUMENT);     /* inner dimensions */
    EXPECT(strstr(nk_last_error(), "op(a)") != NULL, "the message explains the shapes");
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
    EXPECT_STATUS(nk_free(c), NK_OK);                                             /* idempotent */
    EXPECT_STATUS(nk_gemm(dev, 0, 0, 1.0f, a, b, 0.0f, c), NK_ERR_FREED);
    EXPECT_STATUS(nk_download(c, hc, 4), NK_ERR_FREED);

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

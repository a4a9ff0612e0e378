/* One feedback-alignment training step through the C ABI, as bench/'s TrainStepBenchmark.step times it
 * through the Java API (rule fa): the 784-256-256-10 tanh MLP at batch 64, SGD with learning rate 0.05;
 * per step the batch is uploaded, the forward pass runs (two nk_dense_forward and nk_output_layer, whose
 * fixed random matrix B3 gives the last hidden layer's delta), the hidden delta goes back through the fixed
 * random B2 (nk_backward_delta), the three layers update (nk_dense_update), and the per-row losses are
 * downloaded. The deltas and updates run between nk_independent_begin/end, in Mlp's order, so the
 * library may pair them as the Java API does. Warms up for about a second, then reports the mean over
 * about three seconds of steps.
 *
 *   fa_step SELECTOR          prints "fa_step us_per_step"
 */
#define _POSIX_C_SOURCE 199309L
#include <neurokernels.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

#define CHECK(call) do { if ((call) != NK_OK) { fprintf(stderr, "fa_step: %s: %s\n", #call, nk_last_error()); exit(1); } } while (0)

static unsigned state = 3u;
static float uniform(float scale) { return scale * ((float) ((state = state * 1664525u + 1013904223u) >> 8) / 16777216.0f * 2.0f - 1.0f); }

static nk_buffer* filled(nk_device* dev, int rows, int cols, float scale) {
    nk_buffer* b;
    float* h = malloc(sizeof(float) * (size_t) rows * (size_t) cols);
    if (!h) exit(1);
    for (int i = 0; i < rows * cols; i++) h[i] = uniform(scale);
    CHECK(nk_alloc(dev, rows, cols, &b));
    CHECK(nk_upload(b, h, (size_t) rows * (size_t) cols));
    free(h);
    return b;
}

enum { BATCH = 64, D0 = 784, D1 = 256, D2 = 256, D3 = 10 };

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fa_step SELECTOR\n");
        return 2;
    }
    nk_device* dev;
    CHECK(nk_open(argv[1], &dev));
    /* weights as Mlp initializes them in scale (uniform +-1/sqrt(fan-in)); B2, B3 the fixed random feedback */
    nk_buffer *w1 = filled(dev, D1, D0, 0.0357f), *b1 = filled(dev, 1, D1, 0.0f), *w2 = filled(dev, D2, D1, 0.0625f), *b2 = filled(dev, 1, D2, 0.0f);
    nk_buffer *w3 = filled(dev, D3, D2, 0.0625f), *b3 = filled(dev, 1, D3, 0.0f), *fb2 = filled(dev, D2, D1, 0.0625f), *fb3 = filled(dev, D3, D2, 0.0625f);
    nk_buffer *x, *t, *h1, *h2, *probs, *grad, *loss, *delta2, *delta1;
    CHECK(nk_alloc(dev, BATCH, D0, &x));
    CHECK(nk_alloc(dev, BATCH, D3, &t));
    CHECK(nk_alloc(dev, BATCH, D1, &h1));
    CHECK(nk_alloc(dev, BATCH, D2, &h2));
    CHECK(nk_alloc(dev, BATCH, D3, &probs));
    CHECK(nk_alloc(dev, BATCH, D3, &grad));
    CHECK(nk_alloc(dev, BATCH, 1, &loss));
    CHECK(nk_alloc(dev, BATCH, D2, &delta2));
    CHECK(nk_alloc(dev, BATCH, D1, &delta1));
    static float hx[BATCH * D0], ht[BATCH * D3], hl[BATCH];
    for (int i = 0; i < BATCH * D0; i++) hx[i] = 0.5f + 0.5f * uniform(1.0f);
    for (int i = 0; i < BATCH; i++) ht[i * D3 + (int) ((state = state * 1664525u + 1013904223u) >> 8) % D3] = 1.0f;
    const float lr = 0.05f;
    double sum = 0;
    long steps = 0;
    double t0 = now(), start = 0;
    for (;;) {
        CHECK(nk_upload(x, hx, BATCH * D0));
        CHECK(nk_upload(t, ht, BATCH * D3));
        CHECK(nk_dense_forward(dev, x, w1, b1, NK_TANH, h1, NULL));
        CHECK(nk_dense_forward(dev, h1, w2, b2, NK_TANH, h2, NULL));
        CHECK(nk_output_layer(dev, h2, w3, b3, t, fb3, NK_TANH, probs, grad, loss, delta2));
        CHECK(nk_independent_begin(dev));
        CHECK(nk_backward_delta(dev, delta2, 0, fb2, h1, NK_TANH, 1, delta1));
        CHECK(nk_dense_update(dev, lr, 0.0f, 0.0f, grad, h2, w3, b3, NULL, NULL, NULL));
        CHECK(nk_dense_update(dev, lr, 0.0f, 0.0f, delta2, h1, w2, b2, NULL, NULL, NULL));
        CHECK(nk_dense_update(dev, lr, 0.0f, 0.0f, delta1, x, w1, b1, NULL, NULL, NULL));
        CHECK(nk_independent_end(dev));
        CHECK(nk_download(loss, hl, BATCH));
        for (int i = 0; i < BATCH; i++) sum += hl[i];
        double t1 = now();
        if (start == 0 && t1 - t0 >= 1.0) {
            start = t1;
            steps = 0;
        } else if (start != 0) {
            steps++;
            if (t1 - start >= 3.0) {
                printf("fa_step %.1f\n", 1e6 * (t1 - start) / (double) steps);
                break;
            }
        }
    }
    if (sum != sum) fprintf(stderr, "fa_step: the loss is NaN\n");
    CHECK(nk_close(dev));
    return 0;
}

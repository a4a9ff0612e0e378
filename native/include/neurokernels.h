/*
 * neurokernels C API, version 1: the library's OpenCL kernels (the same files as kernels-opencl/, embedded
 * at build time) and, when the CUDA toolkit was present at build time, its CUDA kernels (kernels-cuda/,
 * compiled by nvcc into an embedded fatbin), for simulators written in C, C++ or Python (ctypes).
 *
 * Within a version, functions are only added, never changed: nk_open and nk_device_selector came after
 * the first release of version 1, so a binding that loads the library at run time should look for their
 * symbols rather than rely on nk_version().
 *
 * Conventions
 *  - Buffers are float32 row-major matrices (rows x cols) on one device; uint32 data (Philox counters,
 *    keys and outputs) travel in the same buffers as raw 32-bit words.
 *  - Every call returns an nk_status; NK_OK is 0. On failure nk_last_error() returns a message for the
 *    calling thread (thread-local), describing the last failed call.
 *  - Arguments are checked before anything is enqueued: null handles, mismatched shapes, buffers of
 *    another device and freed buffers give NK_ERR_ARGUMENT or NK_ERR_FREED, never a crash.
 *  - Handles are opaque values the library looks up, never pointers it follows: every nk_device* and
 *    nk_buffer* argument is checked against the live handles before use. A freed buffer (a second
 *    nk_free too) gives NK_ERR_FREED ("buffer was freed"); a closed device (a second nk_close too) gives
 *    NK_ERR_ARGUMENT ("device was closed"), and so does a buffer of a closed device ("buffer belongs to a
 *    closed device"), also after other devices are opened; a value that was never a handle, or a buffer
 *    handle where a device goes and the other way round, gives NK_ERR_ARGUMENT. Handles are not reused.
 *    Every non-NULL buffer argument is checked, also one the call would not use.
 *  - Ops are enqueued in order on the device's one queue; nk_download and nk_finish wait for them.
 *  - Threads: a device may be used from several threads; calls on one device are serialized by its
 *    mutex. nk_close may race with calls on the same device from other threads: a call that started
 *    first completes (nk_close waits for it), one that comes after it fails with NK_ERR_ARGUMENT
 *    ("device was closed"); which of the two a racing call gets is a matter of timing.
 *  - Handles are owned by the device: nk_free releases a buffer's device memory at once; nk_close
 *    releases everything the device owns.
 *  - nk_alloc refuses a buffer larger than the device allows in one allocation (OpenCL
 *    CL_DEVICE_MAX_MEM_ALLOC_SIZE, CUDA its total memory), or one that would take the device's live
 *    buffers beyond its global memory, with NK_ERR_MEMORY and the sizes in the message.
 *  - The parameters of nk_lif_step, nk_poisson, nk_izhikevich_step, nk_rate_step and nk_random_uniform
 *    are checked before they are converted for the kernels: NaN, infinities and values that do not fit
 *    the kernel's float or int arguments are refused (NK_ERR_ARGUMENT), never wrapped or clamped. Data
 *    in buffers and the scalars of the learning ops (alpha, beta, lr, ...) are used as given.
 *  - What no check can catch: a host array shorter than the count passed to nk_upload / nk_download,
 *    or a name or selector buffer shorter than the capacity passed.
 *  - Results agree with the Java library's kernels; the GEMM-based ops use the tiled kernel (nk_gemm).
 */
#ifndef NEUROKERNELS_H
#define NEUROKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NK_API_VERSION 1

typedef enum {
    NK_OK = 0,
    NK_ERR_ARGUMENT = 1,   /* a null handle, a bad shape or value */
    NK_ERR_DEVICE = 2,     /* no such device, no device matches a name (or several do), or it cannot be opened */
    NK_ERR_BUILD = 3,      /* the kernels failed to compile (the build log is in nk_last_error) */
    NK_ERR_FREED = 4,      /* a buffer already freed */
    NK_ERR_OPENCL = 5,     /* an OpenCL call failed */
    NK_ERR_MEMORY = 6      /* host allocation failed, or a buffer beyond the device's memory (nk_alloc) */
} nk_status;

/* Activation codes, as org.neurokernels.Activation. */
enum { NK_IDENTITY = 0, NK_TANH = 1, NK_LOGISTIC = 2, NK_RELU = 3, NK_SOFTPLUS = 4 };

typedef struct nk_device nk_device;
typedef struct nk_buffer nk_buffer;

int nk_version(void);
const char* nk_last_error(void);

/*
 * Opens the device a selector names: the selectors of the Java library (org.neurokernels.Devices) less
 * its java reference device. Case-insensitive; blanks around the selector are ignored.
 *   opencl:NAME   the one OpenCL device for which NAME is part of its device name, platform name,
 *                 platform vendor or platform version: "opencl:pocl" is PoCL's CPU device whatever order
 *                 the ICD loader lists the platforms in. No match, or several, is NK_ERR_DEVICE with a
 *                 message that lists every device as "opencl:P:D  <device name> (<platform name>)".
 *   opencl:P:D    platform P, device D in the ICD loader's order (as nk_open_opencl), which changes when
 *                 another OpenCL runtime is installed.
 *   opencl        the best OpenCL device: GPUs and accelerators, then CPUs, then other types, simulators
 *                 (Oclgrind) last; ties go by device name, then platform name, never by the loader's order.
 *   cuda:N, cuda  CUDA device N (cuda is cuda:0), as nk_open_cuda.
 *   auto          cuda:0 when nk_open_cuda(0) succeeds, otherwise the best OpenCL device as for "opencl".
 * NULL, empty or malformed selectors ("cuda:x", "vulkan", "java") are NK_ERR_ARGUMENT and the message
 * names the accepted forms. A device that is named but cannot be opened is an error, never replaced by
 * another. nk_device_selector and nk_device_name tell which device a selector such as auto chose.
 */
nk_status nk_open(const char* selector, nk_device** out);
/* OpenCL platform P, device D, counted from 0 in the ICD loader's order ("opencl:P:D"). */
nk_status nk_open_opencl(int platform, int device, nk_device** out);
/* A CUDA device through the driver API, loaded at run time (libcuda.so.1); its kernels are the fatbin nvcc
 * built from kernels-cuda/ when the toolkit was present at build time. NK_ERR_DEVICE says why it cannot open. */
nk_status nk_open_cuda(int ordinal, nk_device** out);
/* The device's name (CL_DEVICE_NAME, or the CUDA device name), cut to fit capacity. */
nk_status nk_device_name(nk_device* dev, char* name, size_t capacity);
/* The canonical selector of an open device, "opencl:P:D" or "cuda:N", which nk_open accepts;
 * NK_SELECTOR_CAPACITY bytes always suffice, a smaller buffer too small for it gives NK_ERR_ARGUMENT. */
#define NK_SELECTOR_CAPACITY 32
nk_status nk_device_selector(const nk_device* dev, char* selector, size_t capacity);

/* The GEMM configuration the device was opened with and where it came from, e.g. "PACKED mr=8 nr=32 ts=64
 * (default for CPU devices)" or "... (tuned, FILE)"; its compiler defines; and (OpenCL) its key in the
 * tuning store that `neurokernels tune` writes (empty on CUDA). The configuration is chosen as the Java
 * library chooses it: the store's entry under the key, else the device type's default; an unusable store
 * is ignored and the source says why. Any of the three buffers may be NULL. */
nk_status nk_device_gemm(const nk_device* dev, char* config, size_t config_capacity, char* defines, size_t defines_capacity,
                         char* tuning_key, size_t key_capacity);

/* The launches the device plans for an m x n x k product of the GEMM family (nk_gemm, nk_dense_forward,
 * nk_backward_delta, nk_dense_update), one per line: "KERNEL GLOBAL_X GLOBAL_Y LOCAL_X LOCAL_Y". The plan is
 * the Java library's (generated from it), so both hosts launch the same kernels with the same sizes;
 * `neurokernels plan gemm` prints the Java side's. */
nk_status nk_gemm_plan(const nk_device* dev, int m, int n, int k, int trans_a, int trans_b, char* text, size_t capacity);

/* The launches besides its GEMMs that nk_output_layer plans for rows x width activations and `classes`
 * classes, in the same form: one nk_output_layer16 launch where the device runs the CPU kernel families
 * and classes <= 16, else the nk_softmax_xent launch between the logits' and the delta's GEMMs. */
nk_status nk_output_layer_plan(const nk_device* dev, int rows, int classes, int width, char* text, size_t capacity);

/* result = sum of x * y over every element (x, y the same shape); the norm sqrt(sum x^2). Partial sums per
 * work-group on the device, added in double on the host, as the Java API's Device.dot and frobeniusNorm. */
nk_status nk_dot(nk_device* dev, nk_buffer* x, nk_buffer* y, double* result);
nk_status nk_frobenius_norm(nk_device* dev, nk_buffer* x, double* result);

/* Between nk_independent_begin and nk_independent_end (nestable), the caller promises that the ops it
 * enqueues do not depend on each other's results, as Device.independently in Java: the library may then
 * run two small GEMM-family ops (nk_gemm, nk_dense_forward, nk_backward_delta, nk_dense_update) as one
 * launch where the device profits (CPU devices; it still checks that neither writes what the other touches).
 * Any other call in between launches what is held first; nk_independent_end launches the rest. */
nk_status nk_independent_begin(nk_device* dev);
nk_status nk_independent_end(nk_device* dev);

/* Every op with a launch plan, by name (generated from the Java op files; `neurokernels ops` lists them):
 * tensors by name (an optional one left out; an in-place output under its input's name), parameters as
 * "name=value" items separated by spaces or commas, defaults for the rest (activations by name, booleans
 * true/false). The same checks and messages as the Java API, before anything is launched. */
nk_status nk_run(nk_device* dev, const char* op, int count, const char* const* names, nk_buffer* const* buffers, const char* params);
/* The launches nk_run would make, as text (one per line: kernel, global/local sizes, arguments), launching nothing. */
nk_status nk_op_plan(nk_device* dev, const char* op, int count, const char* const* names, nk_buffer* const* buffers, const char* params,
                     char* text, size_t capacity);
/* The ops nk_run knows, and each as "name tensor:role[?] ... param=type:default ..." (role in, out or inout; ? optional). */
int nk_op_count(void);
nk_status nk_op_describe(int index, char* text, size_t capacity);
nk_status nk_close(nk_device* dev);
nk_status nk_finish(nk_device* dev);

/* Zero-filled; rows, cols >= 1 and rows * cols <= 2^31 - 1 (NK_ERR_ARGUMENT), within the device's limits
 * (NK_ERR_MEMORY). *out is NULL after a failure. */
nk_status nk_alloc(nk_device* dev, int rows, int cols, nk_buffer** out);
nk_status nk_free(nk_buffer* buf);
nk_status nk_upload(nk_buffer* buf, const float* host, size_t count);      /* count = rows * cols */
nk_status nk_download(nk_buffer* buf, float* host, size_t count);

/* C = alpha op(A) op(B) + beta C (C not read when beta = 0). */
nk_status nk_gemm(nk_device* dev, int trans_a, int trans_b, float alpha, nk_buffer* a, nk_buffer* b, float beta, nk_buffer* c);
/* out = f(x w^T + bias); bias (1 x out) and pre may be NULL. */
nk_status nk_dense_forward(nk_device* dev, nk_buffer* x, nk_buffer* w, nk_buffer* bias, int activation, nk_buffer* out, nk_buffer* pre);
/* out = (delta op(m)) * f'(a), a = z, or h = f(z) when from_output: BP (m = W), FA (m = B), DFA (m = D). */
nk_status nk_backward_delta(nk_device* dev, nk_buffer* delta, int trans_m, nk_buffer* m, nk_buffer* a, int activation, int from_output, nk_buffer* out);
/* v = mu v + g (velocity not NULL); w -= lr (t + decay w), t = v or g. */
nk_status nk_sgd_update(nk_device* dev, float lr, float decay, float mu, nk_buffer* w, nk_buffer* grad, nk_buffer* velocity);
/* The weight and bias gradients of a dense layer and their step in one GEMM launch: G = delta^T h
   (delta batch x out, h batch x in, w out x in); t = G, or v = mu v + G (vw required when mu != 0);
   w -= lr (t + decay w); b (1 x out, may be NULL) -= lr t_b with t_b the column sums of delta, or
   vb = mu vb + those (vb required with b when mu != 0); feedback (Kolen-Pollack, out x in, may be NULL)
   takes the same step as w. */
nk_status nk_dense_update(nk_device* dev, float lr, float decay, float mu, nk_buffer* delta, nk_buffer* h,
                          nk_buffer* w, nk_buffer* b, nk_buffer* vw, nk_buffer* vb, nk_buffer* feedback);
/* Kolen-Pollack: w and b both step with the same t. */
nk_status nk_kp_update(nk_device* dev, float lr, float decay, float mu, nk_buffer* w, nk_buffer* b, nk_buffer* grad, nk_buffer* velocity);
/* probs, grad = (probs - targets) / rows, loss (rows x 1) of a row-wise softmax cross-entropy. */
nk_status nk_softmax_xent(nk_device* dev, nk_buffer* logits, nk_buffer* targets, nk_buffer* probs, nk_buffer* grad, nk_buffer* loss);
/* The output layer of a softmax classifier and the error it sends below, in one call: z = h w^T + b
   (h batch x q, w c x q, b 1 x c or NULL; z not stored); probs, grad = (probs - targets) / rows and loss
   (batch x 1) as nk_softmax_xent; with m (c x q: W, B or D; NULL for none) delta = (grad m) * f'(h)
   (batch x q, NULL exactly when m is), f' from the output h of the layer below (activation). One launch
   on OpenCL up to 16 classes, three otherwise. */
nk_status nk_output_layer(nk_device* dev, nk_buffer* h, nk_buffer* w, nk_buffer* b, nk_buffer* targets, nk_buffer* m, int activation,
                          nk_buffer* probs, nk_buffer* grad, nk_buffer* loss, nk_buffer* delta);
/* U[lo, hi) from Philox4x32-10: element e uses counter (e / 4, stream, draw, 0) and the seed as key; lo < hi
 * finite, and hi - lo within float range. */
nk_status nk_random_uniform(nk_device* dev, uint64_t seed, int stream, int draw, float lo, float hi, nk_buffer* out);
/* Raw Philox4x32-10: out row r (n x 4) = Philox(counter row r (n x 4), key row r (n x 2)), uint32 words. */
nk_status nk_philox(nk_device* dev, nk_buffer* counter, nk_buffer* key, nk_buffer* out);

/* The longest refractory period nk_lif_step takes, in steps of dt: 2^24, the largest count its float
 * counter counts down exactly (org.neurokernels.dynamics.LifStep.MAX_REFRACTORY_STEPS). */
#define NK_MAX_REFRACTORY_STEPS 16777216

/* LIF (iaf_psc_exp) with PyNN IF_curr_exp parameters (ms, nF, mV, nA). */
typedef struct {
    double tau_m, cm, v_rest, v_reset, v_thresh, tau_refrac, tau_syn_e, tau_syn_i, i_offset;
} nk_lif_params;
/* One exact-integration step; all buffers batch x n; i_ext, syn_e, syn_i may be NULL; dt and tau_rate in ms.
 * The rules of the Java library's LifParameters: every value finite; tau_m, cm, tau_syn_e, tau_syn_i, dt and
 * tau_rate > 0; v_rest, v_reset, v_thresh and i_offset within float range; tau_refrac >= 0 and at most
 * NK_MAX_REFRACTORY_STEPS steps (round(tau_refrac / dt)); v_thresh > v_reset; no propagator (P21, P20,
 * 1 / tau_rate) beyond float range. Anything else is NK_ERR_ARGUMENT naming the parameter. */
nk_status nk_lif_step(nk_device* dev, const nk_lif_params* p, double dt, double tau_rate,
                      nk_buffer* v, nk_buffer* i_e, nk_buffer* i_i, nk_buffer* refractory,
                      nk_buffer* i_ext, nk_buffer* syn_e, nk_buffer* syn_i,
                      nk_buffer* spikes, nk_buffer* rate, nk_buffer* count);

/* Rate population step: x (batch x n) holds W_rec r + W_in u + b; c (1 x n) holds dt/tau (forward Euler)
 * or exp(-dt/tau) (exponential Euler); with noise_scale = sigma sqrt(dt) != 0, noise_scale / tau N(0, 1)
 * from Philox (counter (element, stream, step, 0), key seed) is added; tau (1 x n) may be NULL without noise.
 * noise_scale must be finite. */
nk_status nk_rate_step(nk_device* dev, int activation, int exponential_euler, nk_buffer* r, nk_buffer* x, nk_buffer* c, nk_buffer* tau,
                       float noise_scale, uint64_t seed, int stream, int step);
/* Izhikevich (2003 convention): spike check and reset, then two half-steps for v and one for u.
 * abcd (4 x n): a, b, c, d per neuron; i_ext and syn may be NULL; dt a finite step > 0 (ms). */
nk_status nk_izhikevich_step(nk_device* dev, float dt, nk_buffer* v, nk_buffer* u, nk_buffer* abcd, nk_buffer* i_ext, nk_buffer* syn,
                             nk_buffer* spikes, nk_buffer* count);
/* Poisson sources: spikes = [Philox uniform(element, stream, step) < rate dt], rate (1 x n) per ms; count += spikes.
 * dt a finite step > 0 (ms). */
nk_status nk_poisson(nk_device* dev, float dt, nk_buffer* rate, uint64_t seed, int stream, int step, nk_buffer* spikes, nk_buffer* count);

#ifdef __cplusplus
}
#endif
#endif

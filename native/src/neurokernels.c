/*
 * neurokernels C API over OpenCL: the kernels of kernels-opencl/ (embedded by CMake from those same files,
 * in the order org.neurokernels.opencl.OpenClDevice builds them) and the argument checks of the Java
 * facade, so a C or Python simulator gets the same results as the Java library.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include "neurokernels.h"
#include "nk_plans.h"
#include "tuning.h"

#include <CL/cl.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char* const nk_kernel_sources[];
extern const size_t nk_kernel_source_count;
/* the fatbin nvcc built from kernels-cuda/ (empty when the build had no CUDA toolkit) */
extern const unsigned char nk_cuda_fatbin[];
extern const size_t nk_cuda_fatbin_size;

/*
 * The CUDA driver API, loaded at run time with dlopen("libcuda.so.1"), so the library links and runs on
 * machines without an NVIDIA driver (nk_open_cuda then reports why). Handles are opaque pointers here.
 */
typedef unsigned long long nk_cu_ptr;
static struct {
    int loaded;
    char why[256];
    int (*init)(unsigned);
    int (*device_get_count)(int*);
    int (*device_get)(int*, int);
    int (*device_get_name)(char*, int, int);
    int (*device_total_mem)(size_t*, int);
    int (*primary_ctx_retain)(void**, int);
    int (*primary_ctx_release)(int);
    int (*ctx_set_current)(void*);
    int (*ctx_synchronize)(void);
    int (*module_load_data)(void**, const void*);
    int (*module_unload)(void*);
    int (*module_get_function)(void**, void*, const char*);
    int (*mem_alloc)(nk_cu_ptr*, size_t);
    int (*mem_free)(nk_cu_ptr);
    int (*memcpy_htod)(nk_cu_ptr, const void*, size_t);
    int (*memcpy_dtoh)(void*, nk_cu_ptr, size_t);
    int (*memset_d32)(nk_cu_ptr, unsigned, size_t);
    int (*launch_kernel)(void*, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void*, void**, void**);
} cu;
static pthread_once_t cu_once = PTHREAD_ONCE_INIT;

static void cu_load(void) {
    void* h = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(cu.why, sizeof cu.why, "libcuda.so.1 (the NVIDIA driver) could not be loaded: %s", dlerror());
        return;
    }
#define SYM(field, name)                                                                   \
    do {                                                                                   \
        *(void**) &cu.field = dlsym(h, name);                                              \
        if (!cu.field) {                                                                   \
            snprintf(cu.why, sizeof cu.why, "libcuda.so.1 has no %s", name);               \
            return;                                                                        \
        }                                                                                  \
    } while (0)
    SYM(init, "cuInit");
    SYM(device_get_count, "cuDeviceGetCount");
    SYM(device_get, "cuDeviceGet");
    SYM(device_get_name, "cuDeviceGetName");
    SYM(device_total_mem, "cuDeviceTotalMem_v2");
    SYM(primary_ctx_retain, "cuDevicePrimaryCtxRetain");
    SYM(primary_ctx_release, "cuDevicePrimaryCtxRelease_v2");
    SYM(ctx_set_current, "cuCtxSetCurrent");
    SYM(ctx_synchronize, "cuCtxSynchronize");
    SYM(module_load_data, "cuModuleLoadData");
    SYM(module_unload, "cuModuleUnload");
    SYM(module_get_function, "cuModuleGetFunction");
    SYM(mem_alloc, "cuMemAlloc_v2");
    SYM(mem_free, "cuMemFree_v2");
    SYM(memcpy_htod, "cuMemcpyHtoD_v2");
    SYM(memcpy_dtoh, "cuMemcpyDtoH_v2");
    SYM(memset_d32, "cuMemsetD32_v2");
    SYM(launch_kernel, "cuLaunchKernel");
#undef SYM
    cu.loaded = 1;
}

static _Thread_local char last_error[4096];   /* room for nk_open's list of devices */

static nk_status fail(nk_status s, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

int nk_version(void) { return NK_API_VERSION; }
const char* nk_last_error(void) { return last_error; }

/* A number for a message, written as the Java library writes it (Infinity, NaN) and otherwise with the
 * fewest digits that read back as the same double. Eight per thread may be in use at once. */
static const char* num(double v) {
    static _Thread_local char ring[8][32];
    static _Thread_local int next;
    char* out = ring[next++ & 7];
    if (isnan(v)) return "NaN";
    if (isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    /* no exponent for 1e-4 <= |v| < 1e15: -70, not -7e+01 */
    int whole = fabs(v) >= 1 && fabs(v) < 1e15 ? (int) floor(log10(fabs(v))) + 1 : 1;
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(out, sizeof ring[0], "%.*g", digits < whole ? whole : digits, v);
        if (strtod(out, NULL) == v) break;
    }
    return out;
}

/*
 * Handles. An nk_device* or nk_buffer* given to a caller is not the address of anything: it is a number,
 *     [ device serial : SERIAL_BITS ][ buffer number : NUMBER_BITS ][ tag : 4 ]
 * with tag TAG_DEVICE (buffer number 0) or TAG_BUFFER. Device serials count the devices this process
 * has opened (1, 2, ...) and buffer numbers the buffers of one device; neither is ever reused. A call
 * looks the handle up before it touches anything:
 *  - the registry (registry_lock) lists the open devices; a serial below next_serial that is not listed
 *    was closed, one at or above it was never issued;
 *  - each device keeps its live buffers in a table keyed by number (under the device's lock); a number
 *    below the device's next_number that is not in the table was freed.
 * So a stale handle (freed buffer, closed device, buffer of a closed device, a second free or close) is
 * reported for what it is, and a value that was never a handle (an address, garbage) is refused: no
 * handle is ever dereferenced. Memory of closed devices and freed buffers is released; a device record
 * lives on only while calls that looked it up before nk_close are still running (refs).
 *
 * Locks: registry_lock is only ever taken last (a call may hold its device's lock and then take the
 * registry lock, never the other way round).
 */
#if UINTPTR_MAX > 0xffffffffu
#define SERIAL_BITS 24
#define NUMBER_BITS 36
#else
#define SERIAL_BITS 8
#define NUMBER_BITS 20
#endif
#define TAG_BITS 4
#define TAG_DEVICE 0xDu
#define TAG_BUFFER 0xBu
#define MAX_SERIAL ((UINT64_C(1) << SERIAL_BITS) - 1)
#define MAX_NUMBER ((UINT64_C(1) << NUMBER_BITS) - 1)

typedef struct dev_rec dev_rec;

/* the most arguments one launch takes (nk_gemm_pair: two GEMM problems) */
#define MAX_ARGS 80
struct held_gemm;

typedef struct {
    dev_rec* dev;
    cl_mem mem;         /* OpenCL devices */
    nk_cu_ptr dptr;     /* CUDA devices */
    int rows, cols;
    uint64_t number;    /* the handle's buffer number; 0 for the device's own buffers */
} buf_rec;

struct dev_rec {
    uint64_t serial;          /* 0 until registered */
    int refs;                 /* registry_lock: 1 while open, plus 1 for each call in progress */
    int closed;               /* lock: set by nk_close before it releases the device */
    dev_rec* next_open;       /* registry_lock: the list of open devices */
    int cuda;                 /* 0: OpenCL (context, queue, program); 1: CUDA (primary context, module) */
    int cu_device;
    void* cu_context;
    void* cu_module;
    cl_context context;
    cl_command_queue queue;
    cl_program program;
    cl_device_id device;
    pthread_mutex_t lock;
    buf_rec** slots;          /* live buffers by number: open addressing, linear probing */
    size_t capacity, count;
    uint64_t next_number;     /* the number the next nk_alloc gets */
    size_t live_bytes;        /* device memory of every live buffer, internal ones included */
    size_t max_alloc;         /* CL_DEVICE_MAX_MEM_ALLOC_SIZE (CUDA: total memory) */
    size_t global_mem;        /* CL_DEVICE_GLOBAL_MEM_SIZE (CUDA: total memory) */
    size_t max_wg;            /* CL_DEVICE_MAX_WORK_GROUP_SIZE (CUDA: 1024 threads per block), the plans' maxwg */
    int independent;          /* nk_independent_begin depth: one-launch GEMMs may be paired while > 0 */
    struct held_gemm* held;   /* a one-launch GEMM held back to pair with the next (NULL: none) */
    buf_rec* placeholder;     /* bound to absent optional arguments (a flag tells the kernel) */
    buf_rec* logits;          /* nk_output_layer's logits where it takes three launches (NULL until then) */
    buf_rec* partials;        /* nk_dot's per-work-group partial sums (NULL until then) */
    buf_rec* pack_a;          /* the packed GEMM's panels of op(A) and op(B), grown on demand (NULL until then) */
    buf_rec* pack_b;
    nk_gemm_config gemm;      /* the GEMM configuration: the tuning store's entry for this device or its type's default */
    char gemm_source[640];    /* where the configuration came from, as the Java library says it */
    char defines[128];        /* the configuration's compiler defines */
    char tuning_key[512];     /* the device's key in the tuning store (OpenCL) */
    struct {
        const char* name;
        cl_kernel kernel;
        int last_n;                /* the arguments set last (kind and bits), to skip setting them again; */
        unsigned char last_kind[MAX_ARGS];  /* forgotten (last_n = 0) whenever a buffer is released, since a new */
        uint64_t last_bits[MAX_ARGS];    /* buffer may get a released one's handle */
    } kernels[48];                 /* kernel objects by name, made on first use */
    int kernel_count;
    char name[256];
    char selector[32];        /* the canonical id: opencl:P:D or cuda:N */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static dev_rec* open_devices;
static uint64_t next_serial = 1;

/* The name of the API function the calling thread is in, for messages. */
static _Thread_local const char* call_name = "";

typedef struct {
    uint64_t serial, number;
    unsigned tag;
} handle_bits;

static void* encode(uint64_t serial, uint64_t number, unsigned tag) {
    return (void*) (uintptr_t) ((serial << (NUMBER_BITS + TAG_BITS)) | (number << TAG_BITS) | tag);
}

static handle_bits decode(const void* h) {
    uint64_t v = (uint64_t) (uintptr_t) h;
    handle_bits k = {v >> (NUMBER_BITS + TAG_BITS), (v >> TAG_BITS) & MAX_NUMBER, (unsigned) (v & 0xFu)};
    return k;
}

/* ---- a device's table of live buffers ---- */

static size_t home_slot(const dev_rec* d, uint64_t number) {
    return (size_t) ((number * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & (d->capacity - 1);
}

static buf_rec* table_find(const dev_rec* d, uint64_t number) {
    if (d->capacity == 0) return NULL;
    for (size_t i = home_slot(d, number);; i = (i + 1) & (d->capacity - 1)) {
        if (!d->slots[i]) return NULL;
        if (d->slots[i]->number == number) return d->slots[i];
    }
}

static int table_put(dev_rec* d, buf_rec* b) {
    if ((d->count + 1) * 2 > d->capacity) {
        size_t old_capacity = d->capacity, capacity = old_capacity ? old_capacity * 2 : 16;
        buf_rec** old = d->slots;
        buf_rec** slots = calloc(capacity, sizeof *slots);
        if (!slots) return 0;
        d->slots = slots;
        d->capacity = capacity;
        d->count = 0;
        for (size_t i = 0; i < old_capacity; i++) {
            if (old[i]) table_put(d, old[i]);
        }
        free(old);
    }
    size_t i = home_slot(d, b->number);
    while (d->slots[i]) i = (i + 1) & (d->capacity - 1);
    d->slots[i] = b;
    d->count++;
    return 1;
}

static void table_remove(dev_rec* d, uint64_t number) {
    size_t mask = d->capacity - 1, i = home_slot(d, number);
    while (d->slots[i] && d->slots[i]->number != number) i = (i + 1) & mask;
    if (!d->slots[i]) return;
    d->slots[i] = NULL;
    d->count--;
    /* backward shift: move later entries of the probe run up when the hole lies between them and their home */
    for (size_t j = (i + 1) & mask; d->slots[j]; j = (j + 1) & mask) {
        size_t k = home_slot(d, d->slots[j]->number);
        int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            d->slots[i] = d->slots[j];
            d->slots[j] = NULL;
            i = j;
        }
    }
}

/* ---- the registry ---- */

/* 1 and a reference on *out when the device is open, 0 when it was closed, -1 when serial was never issued. */
static int acquire_serial(uint64_t serial, dev_rec** out) {
    int state = -1;
    pthread_mutex_lock(&registry_lock);
    if (serial >= 1 && serial < next_serial) {
        state = 0;
        for (dev_rec* d = open_devices; d; d = d->next_open) {
            if (d->serial == serial) {
                d->refs++;
                *out = d;
                state = 1;
                break;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return state;
}

/* acquire_serial without the reference: only the answer. */
static int serial_state(uint64_t serial) {
    int state = -1;
    pthread_mutex_lock(&registry_lock);
    if (serial >= 1 && serial < next_serial) {
        state = 0;
        for (dev_rec* d = open_devices; d; d = d->next_open) {
            if (d->serial == serial) state = 1;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    return state;
}

static void destroy_record(dev_rec* d) {
    pthread_mutex_destroy(&d->lock);
    free(d->slots);
    free(d);
}

static void release_ref(dev_rec* d) {
    pthread_mutex_lock(&registry_lock);
    int last = --d->refs == 0;
    pthread_mutex_unlock(&registry_lock);
    if (last) destroy_record(d);
}

/* The start of every call on a device: the handle checked, a reference taken and the device locked. */
static nk_status flush_held(dev_rec* dev);

/* the functions whose one-launch GEMMs may pair inside nk_independent_begin/end; any other call first
   launches a GEMM held back (so launches keep their call order and a download sees every result) */
static int pairs_gemms(const char* fn) {
    return strcmp(fn, "nk_gemm") == 0 || strcmp(fn, "nk_dense_forward") == 0 || strcmp(fn, "nk_backward_delta") == 0
        || strcmp(fn, "nk_dense_update") == 0 || strcmp(fn, "nk_independent_begin") == 0 || strcmp(fn, "nk_independent_end") == 0;
}

static nk_status begin(const nk_device* h, const char* fn, dev_rec** out) {
    call_name = fn;
    if (!h) return fail(NK_ERR_ARGUMENT, "%s: device is NULL", fn);
    handle_bits k = decode(h);
    if (k.tag == TAG_BUFFER) return fail(NK_ERR_ARGUMENT, "%s: the device argument is a buffer handle", fn);
    dev_rec* d = NULL;
    int state = k.tag == TAG_DEVICE && k.number == 0 ? acquire_serial(k.serial, &d) : -1;
    if (state < 0) return fail(NK_ERR_ARGUMENT, "%s: %p is not a device handle (nk_open gives them)", fn, (const void*) h);
    if (state == 0) return fail(NK_ERR_ARGUMENT, "%s: device was closed (nk_close)", fn);
    pthread_mutex_lock(&d->lock);
    if (d->closed) {   /* nk_close took the device between the look-up and the lock */
        pthread_mutex_unlock(&d->lock);
        release_ref(d);
        return fail(NK_ERR_ARGUMENT, "%s: device was closed (nk_close)", fn);
    }
    if (d->held && !pairs_gemms(fn)) {
        nk_status s = flush_held(d);
        call_name = fn;
        if (s != NK_OK) {
            pthread_mutex_unlock(&d->lock);
            release_ref(d);
            return s;
        }
    }
    *out = d;
    return NK_OK;
}

static void end(dev_rec* d) {
    pthread_mutex_unlock(&d->lock);
    release_ref(d);
}

/* A buffer argument of a call on dev (locked): live, on this device. */
static nk_status use(dev_rec* dev, const nk_buffer* h, const char* name, buf_rec** out) {
    *out = NULL;
    if (!h) return fail(NK_ERR_ARGUMENT, "%s: buffer '%s' is NULL", call_name, name);
    handle_bits k = decode(h);
    if (k.tag != TAG_BUFFER || k.number == 0) {
        return fail(NK_ERR_ARGUMENT, "%s: '%s' (%p) is not a buffer handle%s", call_name, name, (const void*) h,
                    k.tag == TAG_DEVICE ? " but a device handle" : "");
    }
    if (k.serial != dev->serial) {
        int state = serial_state(k.serial);
        if (state > 0) return fail(NK_ERR_ARGUMENT, "%s: buffer '%s' belongs to another device", call_name, name);
        if (state == 0) return fail(NK_ERR_ARGUMENT, "%s: buffer '%s' belongs to a closed device", call_name, name);
        return fail(NK_ERR_ARGUMENT, "%s: '%s' (%p) is not a buffer handle", call_name, name, (const void*) h);
    }
    buf_rec* b = table_find(dev, k.number);
    if (!b) {
        if (k.number < dev->next_number) return fail(NK_ERR_FREED, "%s: buffer '%s' was freed (nk_free)", call_name, name);
        return fail(NK_ERR_ARGUMENT, "%s: '%s' (%p) is not a buffer handle", call_name, name, (const void*) h);
    }
    *out = b;
    return NK_OK;
}

/* An optional buffer argument: NULL stays NULL. */
static nk_status use_opt(dev_rec* dev, const nk_buffer* h, const char* name, buf_rec** out) {
    *out = NULL;
    return h ? use(dev, h, name, out) : NK_OK;
}

/* The start of nk_upload, nk_download and nk_free: the buffer's device, referenced and locked, and the buffer. */
static nk_status begin_buffer(const nk_buffer* h, const char* fn, dev_rec** dev, buf_rec** out) {
    call_name = fn;
    if (!h) return fail(NK_ERR_ARGUMENT, "%s: buffer is NULL", fn);
    handle_bits k = decode(h);
    if (k.tag == TAG_DEVICE) return fail(NK_ERR_ARGUMENT, "%s: the buffer argument is a device handle", fn);
    dev_rec* d = NULL;
    int state = k.tag == TAG_BUFFER && k.number != 0 ? acquire_serial(k.serial, &d) : -1;
    if (state < 0) return fail(NK_ERR_ARGUMENT, "%s: %p is not a buffer handle (nk_alloc gives them)", fn, (const void*) h);
    if (state == 0) return fail(NK_ERR_ARGUMENT, "%s: buffer belongs to a closed device", fn);
    pthread_mutex_lock(&d->lock);
    if (d->closed) {
        pthread_mutex_unlock(&d->lock);
        release_ref(d);
        return fail(NK_ERR_ARGUMENT, "%s: buffer belongs to a closed device", fn);
    }
    buf_rec* b = table_find(d, k.number);
    if (!b) {
        int freed = k.number < d->next_number;
        end(d);
        if (freed) return fail(NK_ERR_FREED, "%s: buffer was freed (nk_free)", fn);
        return fail(NK_ERR_ARGUMENT, "%s: %p is not a buffer handle (nk_alloc gives them)", fn, (const void*) h);
    }
    *dev = d;
    *out = b;
    return NK_OK;
}

#define REQUIRE(expr)                       \
    do {                                    \
        nk_status s_ = (expr);              \
        if (s_ != NK_OK) return s_;         \
    } while (0)

/* ---- device memory ---- */

/* A zero-filled buffer of dev (locked, or not yet registered), within the device's limits. */
static nk_status buffer_create(dev_rec* dev, int rows, int cols, buf_rec** out) {
    *out = NULL;
    if (rows < 1 || cols < 1 || (long long) rows * cols > 0x7fffffffLL) {
        return fail(NK_ERR_ARGUMENT, "%s: shape %dx%d: rows and cols must be at least 1 and rows * cols at most 2^31 - 1", call_name, rows, cols);
    }
    size_t bytes = (size_t) rows * (size_t) cols * sizeof(float);
    if (bytes > dev->max_alloc) {
        return fail(NK_ERR_MEMORY, "%s: a %dx%d buffer is %zu bytes, more than the %zu bytes the device allows in one allocation (%s)",
                    call_name, rows, cols, bytes, dev->max_alloc, dev->cuda ? "its total memory" : "CL_DEVICE_MAX_MEM_ALLOC_SIZE");
    }
    if (bytes > dev->global_mem - dev->live_bytes) {
        return fail(NK_ERR_MEMORY, "%s: a %dx%d buffer is %zu bytes; with the %zu bytes of the device's live buffers that exceeds its memory of %zu bytes (%s)",
                    call_name, rows, cols, bytes, dev->live_bytes, dev->global_mem, dev->cuda ? "total memory" : "CL_DEVICE_GLOBAL_MEM_SIZE");
    }
    buf_rec* b = calloc(1, sizeof *b);
    if (!b) return fail(NK_ERR_MEMORY, "%s: out of host memory", call_name);
    if (dev->cuda) {
        cu.ctx_set_current(dev->cu_context);
        int r = cu.mem_alloc(&b->dptr, bytes);
        if (r == 0) r = cu.memset_d32(b->dptr, 0u, (size_t) rows * cols);
        if (r != 0) {
            if (b->dptr) cu.mem_free(b->dptr);
            free(b);
            return fail(r == 2 ? NK_ERR_MEMORY : NK_ERR_OPENCL, "%s: cuMemAlloc/cuMemsetD32 of %zu bytes failed (CUresult %d)", call_name, bytes, r);
        }
    } else {
        cl_int err;
        b->mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
        if (err != CL_SUCCESS) {
            free(b);
            return fail(NK_ERR_OPENCL, "%s: clCreateBuffer of %zu bytes failed: %d", call_name, bytes, err);
        }
        float zero = 0.0f;
        err = clEnqueueFillBuffer(dev->queue, b->mem, &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
        if (err != CL_SUCCESS) {
            clReleaseMemObject(b->mem);
            free(b);
            return fail(NK_ERR_OPENCL, "%s: clEnqueueFillBuffer failed: %d", call_name, err);
        }
    }
    b->dev = dev;
    b->rows = rows;
    b->cols = cols;
    dev->live_bytes += bytes;
    *out = b;
    return NK_OK;
}

/* Releases b's device memory after the work queued before, and its record. Device locked. */
static void buffer_destroy(dev_rec* dev, buf_rec* b) {
    if (dev->cuda) {
        cu.ctx_set_current(dev->cu_context);
        cu.ctx_synchronize();
        cu.mem_free(b->dptr);
    } else {
        clFinish(dev->queue);
        clReleaseMemObject(b->mem);
    }
    dev->live_bytes -= (size_t) b->rows * (size_t) b->cols * sizeof(float);
    for (int i = 0; i < dev->kernel_count; i++) dev->kernels[i].last_n = 0;
    free(b);
}

/* Everything a device holds on the device side: its buffers, module or program, queue, context. */
static void shutdown_device(dev_rec* dev) {
    if (dev->cuda) {
        cu.ctx_set_current(dev->cu_context);
        cu.ctx_synchronize();
    } else {
        clFinish(dev->queue);
    }
    for (size_t i = 0; i < dev->capacity; i++) {
        if (dev->slots[i]) buffer_destroy(dev, dev->slots[i]);
        dev->slots[i] = NULL;
    }
    dev->count = 0;
    free(dev->held);   /* a GEMM held back to pair: its buffers are gone with the device */
    dev->held = NULL;
    if (dev->placeholder) buffer_destroy(dev, dev->placeholder);
    if (dev->logits) buffer_destroy(dev, dev->logits);
    if (dev->partials) buffer_destroy(dev, dev->partials);
    dev->partials = NULL;
    if (dev->pack_a) buffer_destroy(dev, dev->pack_a);
    if (dev->pack_b) buffer_destroy(dev, dev->pack_b);
    dev->placeholder = dev->logits = dev->pack_a = dev->pack_b = NULL;
    for (int i = 0; i < dev->kernel_count; i++) clReleaseKernel(dev->kernels[i].kernel);
    dev->kernel_count = 0;
    if (dev->cuda) {
        cu.module_unload(dev->cu_module);
        cu.primary_ctx_release(dev->cu_device);
    } else {
        clReleaseProgram(dev->program);
        clReleaseCommandQueue(dev->queue);
        clReleaseContext(dev->context);
    }
}

/* The last part of opening either kind of device: its lock, the placeholder buffer and a serial. */
static nk_status finish_open(dev_rec* dev, nk_device** out) {
    pthread_mutex_init(&dev->lock, NULL);
    dev->next_number = 1;
    dev->refs = 1;
    if (dev->max_alloc == 0) dev->max_alloc = SIZE_MAX;
    if (dev->global_mem == 0) dev->global_mem = SIZE_MAX;
    nk_status s = buffer_create(dev, 1, 1, &dev->placeholder);
    if (s == NK_OK) {
        pthread_mutex_lock(&registry_lock);
        if (next_serial > MAX_SERIAL) {
            s = fail(NK_ERR_DEVICE, "this process has opened %llu devices, as many as one process may open", (unsigned long long) MAX_SERIAL);
        } else {
            dev->serial = next_serial++;
            dev->next_open = open_devices;
            open_devices = dev;
        }
        pthread_mutex_unlock(&registry_lock);
    }
    if (s != NK_OK) {
        shutdown_device(dev);
        destroy_record(dev);
        return s;
    }
    *out = encode(dev->serial, 0, TAG_DEVICE);
    return NK_OK;
}

static size_t device_ulong(cl_device_id d, cl_device_info what) {
    cl_ulong v = 0;
    if (clGetDeviceInfo(d, what, sizeof v, &v, NULL) != CL_SUCCESS) return 0;
    return v > (cl_ulong) SIZE_MAX ? SIZE_MAX : (size_t) v;
}

static void platform_string(cl_platform_id p, cl_platform_info what, char* out, size_t capacity);
static void device_string(cl_device_id d, cl_device_info what, char* out, size_t capacity);

/* s without leading and trailing white space, in place (the Java library trims what OpenCL reports) */
static void trim(char* s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') i++;
    if (i > 0) memmove(s, s + i, n - i + 1);
}

/* The device's GEMM configuration, as OpenClDevice chooses it: the tuning store's entry under the device's
   key (platform name | device name | driver version), else the default for its type; an unusable store is
   ignored, and gemm_source says so. */
static void opencl_gemm_config(dev_rec* dev, cl_platform_id p) {
    char platform[256], driver[256], name[256];
    cl_device_type type = 0;
    platform_string(p, CL_PLATFORM_NAME, platform, sizeof platform);
    device_string(dev->device, CL_DRIVER_VERSION, driver, sizeof driver);
    device_string(dev->device, CL_DEVICE_NAME, name, sizeof name);
    clGetDeviceInfo(dev->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    trim(platform);
    trim(driver);
    trim(name);
    /* OpenClDevice's device type: GPU wins over CPU where a device reports both */
    int cpu = !(type & CL_DEVICE_TYPE_GPU) && (type & CL_DEVICE_TYPE_CPU);
    nk_tuning_key(platform, name, driver, dev->tuning_key, sizeof dev->tuning_key);
    char file[512] = "", why[512] = "";
    int found = nk_tuning_lookup(dev->tuning_key, &dev->gemm, file, sizeof file, why, sizeof why);
    if (found == 1) {
        snprintf(dev->gemm_source, sizeof dev->gemm_source, "tuned, %s", file);
    } else {
        nk_gemm_default(cpu, &dev->gemm);
        if (found < 0) snprintf(dev->gemm_source, sizeof dev->gemm_source, "default for %s devices; tuning store %s ignored: %s", cpu ? "CPU" : "GPU", file, why);
        else snprintf(dev->gemm_source, sizeof dev->gemm_source, "default for %s devices", cpu ? "CPU" : "GPU");
    }
    nk_gemm_defines(&dev->gemm, dev->defines, sizeof dev->defines);
}

nk_status nk_open_opencl(int platform, int device, nk_device** out) {
    call_name = "nk_open_opencl";
    if (!out) return fail(NK_ERR_ARGUMENT, "nk_open_opencl: out is NULL");
    *out = NULL;
    cl_uint np = 0;
    if (clGetPlatformIDs(0, NULL, &np) != CL_SUCCESS || np == 0) return fail(NK_ERR_DEVICE, "no OpenCL platform (install an ICD, e.g. pocl-opencl-icd)");
    if (platform < 0 || (cl_uint) platform >= np) return fail(NK_ERR_DEVICE, "opencl:%d:%d: there are %u platform(s)", platform, device, np);
    cl_platform_id* ps = calloc(np, sizeof *ps);
    if (!ps) return fail(NK_ERR_MEMORY, "out of host memory");
    clGetPlatformIDs(np, ps, NULL);
    cl_platform_id p = ps[platform];
    free(ps);
    cl_uint nd = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || device < 0 || (cl_uint) device >= nd) {
        return fail(NK_ERR_DEVICE, "opencl:%d:%d: platform %d has %u device(s)", platform, device, platform, nd);
    }
    cl_device_id* ds = calloc(nd, sizeof *ds);
    if (!ds) return fail(NK_ERR_MEMORY, "out of host memory");
    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, ds, NULL);
    dev_rec* dev = calloc(1, sizeof *dev);
    if (!dev) {
        free(ds);
        return fail(NK_ERR_MEMORY, "out of host memory");
    }
    dev->device = ds[device];
    free(ds);
    snprintf(dev->selector, sizeof dev->selector, "opencl:%d:%d", platform, device);
    clGetDeviceInfo(dev->device, CL_DEVICE_NAME, sizeof dev->name - 1, dev->name, NULL);
    dev->max_alloc = device_ulong(dev->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
    dev->global_mem = device_ulong(dev->device, CL_DEVICE_GLOBAL_MEM_SIZE);
    dev->max_wg = device_ulong(dev->device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties) p, 0};
    dev->context = clCreateContext(props, 1, &dev->device, NULL, NULL, &err);
    if (err != CL_SUCCESS) {
        free(dev);
        return fail(NK_ERR_DEVICE, "opencl:%d:%d: cannot create a context (error %d)", platform, device, err);
    }
    dev->queue = clCreateCommandQueue(dev->context, dev->device, 0, &err);
    if (err != CL_SUCCESS) {
        clReleaseContext(dev->context);
        free(dev);
        return fail(NK_ERR_DEVICE, "cannot create a command queue (error %d)", err);
    }
    opencl_gemm_config(dev, p);
    dev->program = clCreateProgramWithSource(dev->context, (cl_uint) nk_kernel_source_count, (const char**) nk_kernel_sources, NULL, &err);
    if (err == CL_SUCCESS) err = clBuildProgram(dev->program, 1, &dev->device, dev->defines, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[768] = "";
        if (dev->program) clGetProgramBuildInfo(dev->program, dev->device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        if (dev->program) clReleaseProgram(dev->program);
        clReleaseCommandQueue(dev->queue);
        clReleaseContext(dev->context);
        free(dev);
        return fail(NK_ERR_BUILD, "the OpenCL kernels failed to build (error %d): %s", err, log);
    }
    return finish_open(dev, out);
}

static int equals_nocase(const char* a, const char* b);
static int gemm_plan(const dev_rec* dev, int m, int n, int k, int ta, int tb, nk_planned* out);

nk_status nk_open_cuda(int ordinal, nk_device** out) {
    call_name = "nk_open_cuda";
    if (!out) return fail(NK_ERR_ARGUMENT, "nk_open_cuda: out is NULL");
    *out = NULL;
    if (nk_cuda_fatbin_size == 0) return fail(NK_ERR_DEVICE, "cuda:%d: this build has no CUDA kernels (the CUDA toolkit was not found when it was built)", ordinal);
    pthread_once(&cu_once, cu_load);
    if (!cu.loaded) return fail(NK_ERR_DEVICE, "cuda:%d: %s", ordinal, cu.why);
    int r = cu.init(0), count = 0;
    if (r != 0) return fail(NK_ERR_DEVICE, "cuda:%d: cuInit failed (CUresult %d)", ordinal, r);
    if ((r = cu.device_get_count(&count)) != 0) return fail(NK_ERR_DEVICE, "cuda:%d: cuDeviceGetCount failed (CUresult %d)", ordinal, r);
    if (ordinal < 0 || ordinal >= count) return fail(NK_ERR_DEVICE, "cuda:%d: there are %d CUDA device(s)", ordinal, count);
    dev_rec* dev = calloc(1, sizeof *dev);
    if (!dev) return fail(NK_ERR_MEMORY, "out of host memory");
    dev->cuda = 1;
    snprintf(dev->selector, sizeof dev->selector, "cuda:%d", ordinal);
    if ((r = cu.device_get(&dev->cu_device, ordinal)) != 0 || (r = cu.primary_ctx_retain(&dev->cu_context, dev->cu_device)) != 0) {
        free(dev);
        return fail(NK_ERR_DEVICE, "cuda:%d: cannot retain the primary context (CUresult %d)", ordinal, r);
    }
    cu.device_get_name(dev->name, (int) sizeof dev->name - 1, dev->cu_device);
    size_t total = 0;
    if (cu.device_total_mem(&total, dev->cu_device) == 0) dev->max_alloc = dev->global_mem = total;
    dev->max_wg = 1024;   /* as CudaDevice.maxWorkGroupSize */
    cu.ctx_set_current(dev->cu_context);
    if ((r = cu.module_load_data(&dev->cu_module, nk_cuda_fatbin)) != 0) {
        cu.primary_ctx_release(dev->cu_device);
        free(dev);
        return fail(NK_ERR_BUILD, "cuda:%d: cannot load the kernel fatbin (CUresult %d; is the driver older than the toolkit?)", ordinal, r);
    }
    /* as CudaDevice: the GPU default (the tiles build.sh compiled), or the warp-tiled kernel under NK_CUDA_GEMM=warp */
    nk_gemm_default(0, &dev->gemm);
    const char* which = getenv("NK_CUDA_GEMM");
    if (which && equals_nocase(which, "warp")) dev->gemm.kernel = NK_GEMM_WARP;
    snprintf(dev->gemm_source, sizeof dev->gemm_source, "%s", dev->gemm.kernel == NK_GEMM_WARP ? "NK_CUDA_GEMM=warp" : "default for CUDA devices");
    nk_gemm_defines(&dev->gemm, dev->defines, sizeof dev->defines);
    return finish_open(dev, out);
}

nk_status nk_device_name(nk_device* h, char* name, size_t capacity) {
    if (!name || capacity == 0) return fail(NK_ERR_ARGUMENT, "nk_device_name: NULL name buffer or capacity 0");
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_device_name", &dev));
    snprintf(name, capacity, "%s", dev->name);
    end(dev);
    return NK_OK;
}

nk_status nk_device_selector(const nk_device* h, char* buf, size_t capacity) {
    if (!buf || capacity == 0) return fail(NK_ERR_ARGUMENT, "nk_device_selector: NULL selector buffer or capacity 0");
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_device_selector", &dev));
    char selector[sizeof dev->selector];
    memcpy(selector, dev->selector, sizeof selector);
    end(dev);
    int n = snprintf(buf, capacity, "%s", selector);
    if (n < 0 || (size_t) n >= capacity) {
        return fail(NK_ERR_ARGUMENT, "nk_device_selector: '%s' needs %d bytes, the buffer has %zu", selector, n + 1, capacity);
    }
    return NK_OK;
}

/* text into buf, or an error naming fn when it does not fit */
static nk_status copy_out(const char* fn, const char* text, char* buf, size_t capacity) {
    if (!buf || capacity == 0) return fail(NK_ERR_ARGUMENT, "%s: NULL buffer or capacity 0", fn);
    int n = snprintf(buf, capacity, "%s", text);
    if (n < 0 || (size_t) n >= capacity) return fail(NK_ERR_ARGUMENT, "%s: the text needs %d bytes, the buffer has %zu", fn, n + 1, capacity);
    return NK_OK;
}

/* planned launches as text, one per line: "KERNEL GLOBAL_X GLOBAL_Y LOCAL_X LOCAL_Y" */
static nk_status plan_out(const char* fn, const nk_planned* plan, int steps, char* text, size_t capacity) {
    char out[512] = "";
    size_t used = 0;
    for (int i = 0; i < steps && used < sizeof out; i++) {
        used += (size_t) snprintf(out + used, sizeof out - used, "%s %ld %ld %d %d\n", plan[i].kernel, plan[i].global_x, plan[i].global_y,
                                  plan[i].local_x, plan[i].local_y);
    }
    return copy_out(fn, out, text, capacity);
}

nk_status nk_device_gemm(const nk_device* h, char* config, size_t config_capacity, char* defines, size_t defines_capacity,
                         char* tuning_key, size_t key_capacity) {
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_device_gemm", &dev));
    char cfg[sizeof dev->gemm_source + 64], defs[sizeof dev->defines], key[sizeof dev->tuning_key];
    snprintf(cfg, sizeof cfg, "%s mr=%d nr=%d ts=%d (%s)", nk_gemm_kernel_name(dev->gemm.kernel), dev->gemm.mr, dev->gemm.nr, dev->gemm.ts, dev->gemm_source);
    memcpy(defs, dev->defines, sizeof defs);
    memcpy(key, dev->tuning_key, sizeof key);
    end(dev);
    if (config) REQUIRE(copy_out("nk_device_gemm", cfg, config, config_capacity));
    if (defines) REQUIRE(copy_out("nk_device_gemm", defs, defines, defines_capacity));
    if (tuning_key) REQUIRE(copy_out("nk_device_gemm", key, tuning_key, key_capacity));
    return NK_OK;
}

nk_status nk_gemm_plan(const nk_device* h, int m, int n, int k, int trans_a, int trans_b, char* text, size_t capacity) {
    if (m < 1 || n < 1 || k < 1) return fail(NK_ERR_ARGUMENT, "nk_gemm_plan: m, n and k must be at least 1 (%d, %d, %d)", m, n, k);
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_gemm_plan", &dev));
    nk_planned plan[NK_PLAN_GEMM_STEPS];
    int steps = gemm_plan(dev, m, n, k, trans_a, trans_b, plan);
    end(dev);
    return plan_out("nk_gemm_plan", plan, steps, text, capacity);
}

nk_status nk_output_layer_plan(const nk_device* h, int rows, int classes, int width, char* text, size_t capacity) {
    if (rows < 1 || classes < 1 || width < 1) {
        return fail(NK_ERR_ARGUMENT, "nk_output_layer_plan: rows, classes and width must be at least 1 (%d, %d, %d)", rows, classes, width);
    }
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_output_layer_plan", &dev));
    nk_planned plan[NK_PLAN_OUTPUT_LAYER_STEPS];
    int steps = nk_plan_output_layer(rows, classes, width, dev->gemm.kernel, !dev->cuda, plan);
    end(dev);
    return plan_out("nk_output_layer_plan", plan, steps, text, capacity);
}

/* ---- nk_open: the selectors of org.neurokernels.Devices ---- */

/* The calling thread's message, cut to fit, so that a new message can wrap it. */
static void copy_error(char* to, size_t capacity) {
    size_t n = strnlen(last_error, capacity - 1);
    memcpy(to, last_error, n);
    to[n] = '\0';
}

#define SELECTOR_FORMS "opencl:P:D, opencl:NAME (e.g. opencl:pocl), opencl, cuda:N, cuda or auto"

/* One OpenCL device as the selectors see it. */
typedef struct {
    int platform, device;
    cl_device_type type;
    char name[256], platform_name[256], vendor[256], version[256];
} cl_entry;

static void platform_string(cl_platform_id p, cl_platform_info what, char* out, size_t capacity) {
    size_t n = 0;
    out[0] = '\0';
    if (clGetPlatformInfo(p, what, 0, NULL, &n) != CL_SUCCESS || n == 0) return;
    char* tmp = malloc(n + 1);
    if (!tmp) return;
    if (clGetPlatformInfo(p, what, n, tmp, NULL) == CL_SUCCESS) {
        tmp[n] = '\0';
        snprintf(out, capacity, "%s", tmp);
    }
    free(tmp);
}

static void device_string(cl_device_id d, cl_device_info what, char* out, size_t capacity) {
    size_t n = 0;
    out[0] = '\0';
    if (clGetDeviceInfo(d, what, 0, NULL, &n) != CL_SUCCESS || n == 0) return;
    char* tmp = malloc(n + 1);
    if (!tmp) return;
    if (clGetDeviceInfo(d, what, n, tmp, NULL) == CL_SUCCESS) {
        tmp[n] = '\0';
        snprintf(out, capacity, "%s", tmp);
    }
    free(tmp);
}

/* ASCII case folding: selectors and device names are compared without regard to the C locale. */
static int fold(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int contains_nocase(const char* hay, const char* needle) {
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && fold((unsigned char) hay[i]) == fold((unsigned char) needle[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

static int equals_nocase(const char* a, const char* b) {
    for (; *a && *b; a++, b++) {
        if (fold((unsigned char) *a) != fold((unsigned char) *b)) return 0;
    }
    return *a == *b;
}

static int starts_nocase(const char* s, const char* prefix) {
    for (; *prefix; s++, prefix++) {
        if (!*s || fold((unsigned char) *s) != fold((unsigned char) *prefix)) return 0;
    }
    return 1;
}

/* A decimal index: 1 and *value when text is digits only and fits an int, -1 when it is digits but too
 * large, 0 otherwise. */
static int parse_index(const char* text, size_t len, int* value) {
    if (len == 0) return 0;
    long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') return 0;
        if (v <= 0x7fffffffLL) v = v * 10 + (text[i] - '0');
    }
    if (v > 0x7fffffffLL) return -1;
    *value = (int) v;
    return 1;
}

/* Every device of every OpenCL platform, in the ICD loader's order; NK_ERR_DEVICE when there is none. */
static nk_status list_opencl(cl_entry** out, int* count) {
    *out = NULL;
    *count = 0;
    cl_uint np = 0;
    if (clGetPlatformIDs(0, NULL, &np) != CL_SUCCESS || np == 0) return fail(NK_ERR_DEVICE, "no OpenCL platform (install an ICD, e.g. pocl-opencl-icd)");
    cl_platform_id* ps = calloc(np, sizeof *ps);
    if (!ps) return fail(NK_ERR_MEMORY, "out of host memory");
    clGetPlatformIDs(np, ps, NULL);
    cl_entry* list = NULL;
    int n = 0;
    for (cl_uint p = 0; p < np; p++) {
        cl_uint nd = 0;
        if (clGetDeviceIDs(ps[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0) continue;
        cl_entry* grown = realloc(list, ((size_t) n + nd) * sizeof *list);
        if (grown) list = grown;
        cl_device_id* ds = calloc(nd, sizeof *ds);
        if (!grown || !ds) {
            free(ds);
            free(list);
            free(ps);
            return fail(NK_ERR_MEMORY, "out of host memory");
        }
        clGetDeviceIDs(ps[p], CL_DEVICE_TYPE_ALL, nd, ds, NULL);
        for (cl_uint d = 0; d < nd; d++) {
            cl_entry* e = &list[n++];
            memset(e, 0, sizeof *e);
            e->platform = (int) p;
            e->device = (int) d;
            clGetDeviceInfo(ds[d], CL_DEVICE_TYPE, sizeof e->type, &e->type, NULL);
            device_string(ds[d], CL_DEVICE_NAME, e->name, sizeof e->name);
            platform_string(ps[p], CL_PLATFORM_NAME, e->platform_name, sizeof e->platform_name);
            platform_string(ps[p], CL_PLATFORM_VENDOR, e->vendor, sizeof e->vendor);
            platform_string(ps[p], CL_PLATFORM_VERSION, e->version, sizeof e->version);
        }
        free(ds);
    }
    free(ps);
    if (n == 0) {
        free(list);
        return fail(NK_ERR_DEVICE, "no OpenCL device: the %u OpenCL platform(s) report none", np);
    }
    *out = list;
    *count = n;
    return NK_OK;
}

/* 0 GPUs and accelerators, 1 CPUs, 2 other types, 3 simulators (Oclgrind), as Devices.bestOpenCl ranks. */
static int opencl_rank(const cl_entry* e) {
    if (contains_nocase(e->platform_name, "oclgrind") || contains_nocase(e->name, "oclgrind")) return 3;
    if (e->type & CL_DEVICE_TYPE_GPU) return 0;
    if (e->type & CL_DEVICE_TYPE_CPU) return 1;
    if (e->type & CL_DEVICE_TYPE_ACCELERATOR) return 0;
    return 2;
}

/* Negative when a is preferred to b. Enumeration order decides only between devices that agree on type,
 * name, platform name, vendor and version (identical boards), where any choice is as good. */
static int opencl_compare(const cl_entry* a, const cl_entry* b) {
    int c = opencl_rank(a) - opencl_rank(b);
    if (c == 0) c = strcmp(a->name, b->name);
    if (c == 0) c = strcmp(a->platform_name, b->platform_name);
    if (c == 0) c = strcmp(a->vendor, b->vendor);
    if (c == 0) c = strcmp(a->version, b->version);
    if (c == 0) c = a->platform != b->platform ? a->platform - b->platform : a->device - b->device;
    return c;
}

/* "\n  opencl:P:D  name (platform)" for every device, appended to msg. */
static void append_devices(char* msg, size_t capacity, const cl_entry* list, int n) {
    size_t used = strlen(msg);
    for (int i = 0; i < n && used + 1 < capacity; i++) {
        int w = snprintf(msg + used, capacity - used, "\n  opencl:%d:%d  %s (%s)", list[i].platform, list[i].device, list[i].name,
                         list[i].platform_name);
        if (w < 0) break;
        used += (size_t) w;
    }
}

/* Opens list entry e; a failure keeps its message, prefixed with the selector that chose e. */
static nk_status open_entry(const char* selector, const cl_entry* e, nk_device** out) {
    nk_status s = nk_open_opencl(e->platform, e->device, out);
    if (s != NK_OK) {
        char why[sizeof last_error];
        copy_error(why, sizeof why);
        return fail(s, "%s chose opencl:%d:%d (%s, %s): %s", selector, e->platform, e->device, e->name, e->platform_name, why);
    }
    return NK_OK;
}

/* list_opencl with the selector in front of its message. */
static nk_status list_for(const char* selector, cl_entry** list, int* n) {
    nk_status s = list_opencl(list, n);
    if (s != NK_OK) {
        char why[sizeof last_error];
        copy_error(why, sizeof why);
        return fail(s, "%s: %s", selector, why);
    }
    return NK_OK;
}

static nk_status open_best_opencl(const char* selector, nk_device** out) {
    cl_entry* list;
    int n;
    nk_status s = list_for(selector, &list, &n);
    if (s != NK_OK) return s;
    int best = 0;
    for (int i = 1; i < n; i++) {
        if (opencl_compare(&list[i], &list[best]) < 0) best = i;
    }
    s = open_entry(selector, &list[best], out);
    free(list);
    return s;
}

static nk_status open_named_opencl(const char* selector, const char* name, nk_device** out) {
    cl_entry* list;
    int n;
    nk_status s = list_for(selector, &list, &n);
    if (s != NK_OK) return s;
    int matches = 0, match = -1;
    for (int i = 0; i < n; i++) {
        const cl_entry* e = &list[i];
        if (contains_nocase(e->name, name) || contains_nocase(e->platform_name, name) || contains_nocase(e->vendor, name)
            || contains_nocase(e->version, name)) {
            matches++;
            match = i;
        }
    }
    if (matches != 1) {
        char msg[sizeof last_error];
        snprintf(msg, sizeof msg, "%s: %d OpenCL devices match '%s' (by device name, platform name, vendor or version)%s; devices:",
                 selector, matches, name, matches > 1 ? ": name one by opencl:P:D or a longer name" : "");
        append_devices(msg, sizeof msg, list, n);
        free(list);
        return fail(NK_ERR_DEVICE, "%s", msg);
    }
    s = open_entry(selector, &list[match], out);
    free(list);
    return s;
}

static nk_status open_auto(nk_device** out) {
    char cuda_why[sizeof last_error / 2];
    if (nk_open_cuda(0, out) == NK_OK) {
        char name[256] = "";
        nk_device_name(*out, name, sizeof name);
        if (!strstr(name, "stand-in")) return NK_OK;
        /* the CPU stand-in for the CUDA driver (native/cuda-standin, for tests) only when named */
        nk_close(*out);
        *out = NULL;
        snprintf(cuda_why, sizeof cuda_why, "cuda:0 is %s, chosen only by name", name);
    } else {
        copy_error(cuda_why, sizeof cuda_why);
    }
    nk_status s = open_best_opencl("auto", out);
    if (s != NK_OK) {
        char cl_why[sizeof last_error / 2];
        copy_error(cl_why, sizeof cl_why);
        return fail(s, "auto: no device could be opened: %s; %s", cuda_why, cl_why);
    }
    return NK_OK;
}

nk_status nk_open(const char* selector, nk_device** out) {
    if (!out) return fail(NK_ERR_ARGUMENT, "nk_open: out is NULL");
    *out = NULL;
    if (!selector) return fail(NK_ERR_ARGUMENT, "nk_open: the device selector is NULL; use " SELECTOR_FORMS);
    while (*selector == ' ' || *selector == '\t' || *selector == '\n' || *selector == '\r') selector++;
    size_t len = strlen(selector);
    while (len > 0 && (selector[len - 1] == ' ' || selector[len - 1] == '\t' || selector[len - 1] == '\n' || selector[len - 1] == '\r')) len--;
    if (len == 0) return fail(NK_ERR_ARGUMENT, "nk_open: the device selector is empty; use " SELECTOR_FORMS);
    char s[256];
    if (len >= sizeof s) return fail(NK_ERR_ARGUMENT, "nk_open: the device selector is %zu characters long; use " SELECTOR_FORMS, len);
    memcpy(s, selector, len);
    s[len] = '\0';

    if (equals_nocase(s, "auto")) return open_auto(out);
    if (equals_nocase(s, "opencl")) return open_best_opencl(s, out);
    if (starts_nocase(s, "opencl:")) {
        const char* rest = s + 7;
        const char* colon = strchr(rest, ':');
        int p, d;
        if (colon) {
            int rp = parse_index(rest, (size_t) (colon - rest), &p), rd = parse_index(colon + 1, strlen(colon + 1), &d);
            if (rp == 1 && rd == 1) return nk_open_opencl(p, d, out);
            if (rp != 0 && rd != 0) return fail(NK_ERR_ARGUMENT, "nk_open: '%s': platform or device index out of range", s);
        }
        if (*rest == '\0') return fail(NK_ERR_ARGUMENT, "nk_open: '%s' names no device; use opencl:P:D, opencl:NAME or opencl", s);
        return open_named_opencl(s, rest, out);
    }
    if (equals_nocase(s, "cuda")) return nk_open_cuda(0, out);
    if (starts_nocase(s, "cuda:")) {
        int n;
        int r = parse_index(s + 5, strlen(s + 5), &n);
        if (r == 1) return nk_open_cuda(n, out);
        return fail(NK_ERR_ARGUMENT, "nk_open: bad CUDA selector '%s': expected cuda:N with N = 0, 1, ... (or cuda for cuda:0)", s);
    }
    if (equals_nocase(s, "java")) {
        return fail(NK_ERR_ARGUMENT, "nk_open: 'java' is the Java library's reference device, which the C library does not have; use " SELECTOR_FORMS);
    }
    return fail(NK_ERR_ARGUMENT, "nk_open: unknown device selector '%s'; use " SELECTOR_FORMS, s);
}


/* ---- closing, waiting, buffers ---- */

nk_status nk_close(nk_device* h) {
    call_name = "nk_close";
    if (!h) return fail(NK_ERR_ARGUMENT, "nk_close: device is NULL");
    handle_bits k = decode(h);
    if (k.tag == TAG_BUFFER) return fail(NK_ERR_ARGUMENT, "nk_close: the device argument is a buffer handle (nk_free frees buffers)");
    dev_rec* dev = NULL;
    int state = -1;
    pthread_mutex_lock(&registry_lock);
    if (k.tag == TAG_DEVICE && k.number == 0 && k.serial >= 1 && k.serial < next_serial) {
        state = 0;
        for (dev_rec** link = &open_devices; *link; link = &(*link)->next_open) {
            if ((*link)->serial == k.serial) {
                dev = *link;
                *link = dev->next_open;   /* from now on the handle reads as closed */
                state = 1;
                break;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    if (state < 0) return fail(NK_ERR_ARGUMENT, "nk_close: %p is not a device handle (nk_open gives them)", (const void*) h);
    if (state == 0) return fail(NK_ERR_ARGUMENT, "nk_close: device was closed (nk_close)");
    /* calls that looked the device up before hold references: they finish first (this waits for the lock)
       or, if they lock it after this, find it closed */
    pthread_mutex_lock(&dev->lock);
    dev->closed = 1;
    shutdown_device(dev);
    pthread_mutex_unlock(&dev->lock);
    release_ref(dev);   /* the open reference; the record goes with the last call still holding one */
    return NK_OK;
}

nk_status nk_finish(nk_device* h) {
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_finish", &dev));
    int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.ctx_synchronize()) : clFinish(dev->queue);
    end(dev);
    return err == 0 ? NK_OK : fail(NK_ERR_OPENCL, "nk_finish: waiting for the device failed: %d", err);
}

nk_status nk_alloc(nk_device* h, int rows, int cols, nk_buffer** out) {
    if (!out) return fail(NK_ERR_ARGUMENT, "nk_alloc: out is NULL");
    *out = NULL;
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_alloc", &dev));
    buf_rec* b = NULL;
    nk_status s = NK_OK;
    if (dev->next_number > MAX_NUMBER) {
        s = fail(NK_ERR_MEMORY, "nk_alloc: this device has handed out %llu buffers, as many as one device may", (unsigned long long) MAX_NUMBER);
    }
    if (s == NK_OK) s = buffer_create(dev, rows, cols, &b);
    if (s == NK_OK) {
        b->number = dev->next_number;
        if (table_put(dev, b)) {
            dev->next_number++;
            *out = encode(dev->serial, b->number, TAG_BUFFER);
        } else {
            buffer_destroy(dev, b);
            s = fail(NK_ERR_MEMORY, "nk_alloc: out of host memory");
        }
    }
    end(dev);
    return s;
}

nk_status nk_free(nk_buffer* h) {
    dev_rec* dev = NULL;
    buf_rec* b = NULL;
    REQUIRE(begin_buffer(h, "nk_free", &dev, &b));
    table_remove(dev, b->number);
    buffer_destroy(dev, b);
    end(dev);
    return NK_OK;
}

nk_status nk_upload(nk_buffer* h, const float* host, size_t count) {
    if (!host) return fail(NK_ERR_ARGUMENT, "nk_upload: host is NULL");
    dev_rec* dev = NULL;
    buf_rec* b = NULL;
    REQUIRE(begin_buffer(h, "nk_upload", &dev, &b));
    nk_status s = NK_OK;
    if (count != (size_t) b->rows * b->cols) {
        s = fail(NK_ERR_ARGUMENT, "nk_upload: %zu values for a %dx%d buffer", count, b->rows, b->cols);
    } else {
        int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.memcpy_htod(b->dptr, host, count * sizeof(float)))
                            : clEnqueueWriteBuffer(dev->queue, b->mem, CL_TRUE, 0, count * sizeof(float), host, 0, NULL, NULL);
        if (err != 0) s = fail(NK_ERR_OPENCL, "nk_upload: the copy failed: %d", err);
    }
    end(dev);
    return s;
}

nk_status nk_download(nk_buffer* h, float* host, size_t count) {
    if (!host) return fail(NK_ERR_ARGUMENT, "nk_download: host is NULL");
    dev_rec* dev = NULL;
    buf_rec* b = NULL;
    REQUIRE(begin_buffer(h, "nk_download", &dev, &b));
    nk_status s = NK_OK;
    if (count != (size_t) b->rows * b->cols) {
        s = fail(NK_ERR_ARGUMENT, "nk_download: %zu values for a %dx%d buffer", count, b->rows, b->cols);
    } else {
        int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.memcpy_dtoh(host, b->dptr, count * sizeof(float)))
                            : clEnqueueReadBuffer(dev->queue, b->mem, CL_TRUE, 0, count * sizeof(float), host, 0, NULL, NULL);
        if (err != 0) s = fail(NK_ERR_OPENCL, "nk_download: the copy failed: %d", err);
    }
    end(dev);
    return s;
}

/* The ops look every buffer argument up first (use_opt: NULL stays NULL), then check them. */
static nk_status usable(dev_rec* dev, const buf_rec* b, const char* name) {
    (void) dev;
    if (!b) return fail(NK_ERR_ARGUMENT, "%s: buffer '%s' is NULL", call_name, name);
    return NK_OK;
}

static nk_status same_shape(const buf_rec* a, const buf_rec* b, const char* an, const char* bn) {
    if (a->rows != b->rows || a->cols != b->cols) {
        return fail(NK_ERR_ARGUMENT, "%s: '%s' is %dx%d but '%s' is %dx%d", call_name, an, a->rows, a->cols, bn, b->rows, b->cols);
    }
    return NK_OK;
}

/* begin, then each buffer argument looked up: a stale or foreign handle is refused before any op checks. */
static nk_status begin_op(const nk_device* h, const char* fn, dev_rec** dev, int n, nk_buffer* const* handles, const char* const* names,
                          buf_rec** recs) {
    REQUIRE(begin(h, fn, dev));
    for (int i = 0; i < n; i++) {
        nk_status s = use_opt(*dev, handles[i], names[i], &recs[i]);
        if (s != NK_OK) {
            end(*dev);
            return s;
        }
    }
    return NK_OK;
}

static nk_status end_op(dev_rec* dev, nk_status s) {
    end(dev);
    return s;
}

/* ---- launching: arguments follow the kernels' convention, a matrix is (pointer, offset, ld); they are
 * collected first, then set on an OpenCL kernel or passed to cuLaunchKernel ---- */

enum { ARG_INT, ARG_FLOAT, ARG_BUFFER, ARG_LOCAL };

typedef struct {
    const char* name;
    int n;
    struct {
        int kind;
        union {
            int i;
            float f;
            cl_mem mem;
            nk_cu_ptr ptr;
        } v;
    } arg[MAX_ARGS];
} args_t;

static void push(args_t* a, int kind) {
    if (a->n < MAX_ARGS) a->arg[a->n].kind = kind;
    a->n++;
}
static void arg_int(args_t* a, int v) { push(a, ARG_INT); if (a->n <= MAX_ARGS) a->arg[a->n - 1].v.i = v; }
static void arg_float(args_t* a, float v) { push(a, ARG_FLOAT); if (a->n <= MAX_ARGS) a->arg[a->n - 1].v.f = v; }
/* work-group local memory of floats floats: an OpenCL __local argument, CUDA dynamic shared memory (no parameter) */
static void arg_local(args_t* a, int floats) { push(a, ARG_LOCAL); if (a->n <= MAX_ARGS) a->arg[a->n - 1].v.i = floats; }
static void arg_raw(args_t* a, const buf_rec* b) {
    push(a, ARG_BUFFER);
    if (a->n > MAX_ARGS) return;
    if (b->dev->cuda) a->arg[a->n - 1].v.ptr = b->dptr;
    else a->arg[a->n - 1].v.mem = b->mem;
}
static void arg_matrix(args_t* a, const buf_rec* b) {
    arg_raw(a, b);
    arg_int(a, 0);
    arg_int(a, b->cols);
}

static nk_status launch(dev_rec* dev, args_t* a, size_t gx, size_t gy, size_t lx, size_t ly, const char* name) {
    if (dev->held) REQUIRE(flush_held(dev));   /* launches keep their call order */
    if (a->n > MAX_ARGS) return fail(NK_ERR_ARGUMENT, "%s: too many kernel arguments", name);
    if (dev->cuda) {
        void* fn = NULL;
        void* params[MAX_ARGS];
        unsigned shared = 0;
        int np = 0;
        cu.ctx_set_current(dev->cu_context);
        int r = cu.module_get_function(&fn, dev->cu_module, a->name);
        if (r != 0) return fail(NK_ERR_OPENCL, "%s: cuModuleGetFunction failed (CUresult %d)", name, r);
        for (int i = 0; i < a->n; i++) {
            if (a->arg[i].kind == ARG_LOCAL) shared += 4u * (unsigned) a->arg[i].v.i;
            else params[np++] = &a->arg[i].v;
        }
        r = cu.launch_kernel(fn, (unsigned) ((gx + lx - 1) / lx), (unsigned) ((gy + ly - 1) / ly), 1, (unsigned) lx, (unsigned) ly, 1, shared, NULL, params, NULL);
        return r == 0 ? NK_OK : fail(NK_ERR_OPENCL, "%s: cuLaunchKernel failed (CUresult %d)", name, r);
    }
    cl_int err = CL_SUCCESS;
    /* kernel objects are made once per name and reused: calls on a device are serialized by its lock, and
       OpenCL takes the arguments' values at the enqueue */
    cl_kernel k = NULL;
    int slot = -1;
    for (int i = 0; i < dev->kernel_count && !k; i++) {
        if (strcmp(dev->kernels[i].name, a->name) == 0) {
            k = dev->kernels[i].kernel;
            slot = i;
        }
    }
    if (!k) {
        if (dev->kernel_count == (int) (sizeof dev->kernels / sizeof dev->kernels[0])) return fail(NK_ERR_OPENCL, "%s: too many kernels", name);
        k = clCreateKernel(dev->program, a->name, &err);
        if (err != CL_SUCCESS) return fail(NK_ERR_OPENCL, "clCreateKernel(%s) failed: %d", a->name, err);
        slot = dev->kernel_count++;
        dev->kernels[slot].name = a->name;
        dev->kernels[slot].kernel = k;
        dev->kernels[slot].last_n = 0;
    }
    /* as the Java backend does, an argument equal to the one set last on this kernel is not set again */
    int known = dev->kernels[slot].last_n;
    dev->kernels[slot].last_n = 0;  /* until every argument below is set */
    for (int i = 0; i < a->n && err == CL_SUCCESS; i++) {
        uint64_t bits = 0;
        if (a->arg[i].kind == ARG_INT || a->arg[i].kind == ARG_LOCAL) bits = (uint32_t) a->arg[i].v.i;
        else if (a->arg[i].kind == ARG_FLOAT) memcpy(&bits, &a->arg[i].v.f, sizeof(float));
        else bits = (uint64_t) (uintptr_t) a->arg[i].v.mem;
        if (i < known && dev->kernels[slot].last_kind[i] == a->arg[i].kind && dev->kernels[slot].last_bits[i] == bits) continue;
        dev->kernels[slot].last_kind[i] = (unsigned char) a->arg[i].kind;
        dev->kernels[slot].last_bits[i] = bits;
        switch (a->arg[i].kind) {
            case ARG_INT: err = clSetKernelArg(k, (cl_uint) i, sizeof(int), &a->arg[i].v.i); break;
            case ARG_FLOAT: err = clSetKernelArg(k, (cl_uint) i, sizeof(float), &a->arg[i].v.f); break;
            case ARG_LOCAL: err = clSetKernelArg(k, (cl_uint) i, 4 * (size_t) a->arg[i].v.i, NULL); break;
            default: err = clSetKernelArg(k, (cl_uint) i, sizeof(cl_mem), &a->arg[i].v.mem);
        }
        if (err != CL_SUCCESS) return fail(NK_ERR_OPENCL, "%s: clSetKernelArg %d failed: %d", name, i, err);
    }
    dev->kernels[slot].last_n = a->n;
    size_t global[2] = {(gx + lx - 1) / lx * lx, (gy + ly - 1) / ly * ly}, local[2] = {lx, ly};
    err = clEnqueueNDRangeKernel(dev->queue, k, 2, NULL, global, local, 0, NULL, NULL);
    return err == CL_SUCCESS ? NK_OK : fail(NK_ERR_OPENCL, "%s: clEnqueueNDRangeKernel failed: %d", name, err);
}

static nk_status kernel(dev_rec* dev, const char* name, args_t* a) {
    (void) dev;
    a->name = name;
    a->n = 0;
    return NK_OK;
}

/* dev's GEMM launches for an m x n x k product: nk_plans.h's plan (ops/Gemm.java's, generated) with the
   device's configuration. Returns the number of launches (0: none applies, which the plan rules out). */
static int gemm_plan(const dev_rec* dev, int m, int n, int k, int ta, int tb, nk_planned* out) {
    return nk_plan_gemm(m, n, k, ta != 0, tb != 0, dev->gemm.kernel, dev->gemm.mr, dev->gemm.nr, dev->gemm.ts, out);
}

/* a workspace of at least floats floats (one row), kept between calls as the Java backends keep theirs */
static nk_status workspace(dev_rec* dev, buf_rec** ws, double floats) {
    if (floats > 2147483647.0) return fail(NK_ERR_ARGUMENT, "%s: the GEMM workspace of %.0f floats exceeds 2^31-1", call_name, floats);
    int want = floats < 1024 ? 1024 : (int) floats;
    if (*ws && (*ws)->cols >= want) return NK_OK;
    if (*ws) {
        buffer_destroy(dev, *ws);
        *ws = NULL;
    }
    return buffer_create(dev, 1, want, ws);
}

static void gemm_epilogue_args(args_t* g, const dev_rec* dev, const buf_rec* c, float alpha, float beta, int epilogue, const buf_rec* bias, int act,
                               const buf_rec* pre, const buf_rec* deriv, int from_output, const buf_rec* vb, float mu) {
    arg_matrix(g, c); arg_float(g, alpha); arg_float(g, beta); arg_int(g, epilogue);
    arg_matrix(g, bias ? bias : dev->placeholder); arg_int(g, bias != NULL);
    arg_int(g, act);
    arg_matrix(g, pre ? pre : dev->placeholder); arg_int(g, pre != NULL);
    arg_matrix(g, deriv ? deriv : dev->placeholder); arg_int(g, from_output);
    arg_matrix(g, vb ? vb : dev->placeholder); arg_float(g, mu);
}

/* ---- pairing independent one-launch GEMMs (nk_independent_begin/end; kernels-opencl/gemm_packed.cl's
 * nk_gemm_pair), as KernelDevice does inside Device.independently ---- */

/* the one-launch GEMM kernels by their variant number in nk_gemm_pair */
static const char* const one_launch_kernels[] = {"nk_gemm_dot", "nk_gemm_direct", "nk_gemm_direct1"};

struct held_gemm {
    int variant;
    long rows, cols;                /* the grid of work-items */
    args_t args;                    /* the problem's arguments: m, n, k, a, ta, b, tb, then the epilogue's */
    const buf_rec* written[5];      /* what the epilogue writes */
    const buf_rec* touched[9];      /* and everything it reads */
    int nw, nt;
};

/* neither writes a buffer the other touches (the C library's buffers are whole allocations) */
static int independent_of(const struct held_gemm* x, const struct held_gemm* y) {
    for (int i = 0; i < x->nw; i++) for (int j = 0; j < y->nt; j++) if (x->written[i] == y->touched[j]) return 0;
    for (int i = 0; i < y->nw; i++) for (int j = 0; j < x->nt; j++) if (y->written[i] == x->touched[j]) return 0;
    return 1;
}

static nk_status flush_held(dev_rec* dev) {
    struct held_gemm* g = dev->held;
    if (!g) return NK_OK;
    dev->held = NULL;
    nk_status s = launch(dev, &g->args, (size_t) g->rows, (size_t) g->cols, 1, 1, g->args.name);
    free(g);
    return s;
}

/* g (malloc'd; taken over): launched with the held one as a pair when they are independent, else held */
static nk_status hold_or_pair(dev_rec* dev, struct held_gemm* g) {
    struct held_gemm* h = dev->held;
    if (h && independent_of(h, g)) {
        dev->held = NULL;
        args_t p;
        kernel(dev, "nk_gemm_pair", &p);
        arg_int(&p, h->variant); arg_int(&p, (int) h->rows); arg_int(&p, (int) h->cols);
        for (int i = 0; i < h->args.n; i++) { push(&p, h->args.arg[i].kind); p.arg[p.n - 1].v = h->args.arg[i].v; }
        arg_int(&p, g->variant); arg_int(&p, (int) g->cols);
        for (int i = 0; i < g->args.n; i++) { push(&p, g->args.arg[i].kind); p.arg[p.n - 1].v = g->args.arg[i].v; }
        long cols = h->cols > g->cols ? h->cols : g->cols;
        nk_status s = launch(dev, &p, (size_t) (h->rows + g->rows), (size_t) cols, 1, 1, "nk_gemm_pair");
        free(h);
        free(g);
        return s;
    }
    REQUIRE(flush_held(dev));
    dev->held = g;
    return NK_OK;
}

static nk_status independent_begin(dev_rec* dev) {
    dev->independent++;
    return NK_OK;
}

static nk_status independent_end(dev_rec* dev) {
    if (dev->independent == 0) return fail(NK_ERR_ARGUMENT, "nk_independent_end: no nk_independent_begin is open on this device");
    if (--dev->independent == 0) return flush_held(dev);
    return NK_OK;
}

nk_status nk_independent_begin(nk_device* h) {
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_independent_begin", &dev));
    return end_op(dev, independent_begin(dev));
}

nk_status nk_independent_end(nk_device* h) {
    dev_rec* dev = NULL;
    REQUIRE(begin(h, "nk_independent_end", &dev));
    return end_op(dev, independent_end(dev));
}

static nk_status gemm_launch(dev_rec* dev, int m, int n, int k, const buf_rec* a, int ta, const buf_rec* b, int tb, const buf_rec* c,
                             float alpha, float beta, int epilogue, const buf_rec* bias, int act, const buf_rec* pre,
                             const buf_rec* deriv, int from_output, const buf_rec* vb, float mu) {
    nk_planned plan[NK_PLAN_GEMM_STEPS];
    int steps = gemm_plan(dev, m, n, k, ta, tb, plan);
    if (steps < 1) return fail(NK_ERR_ARGUMENT, "%s: no GEMM plan for %dx%dx%d", call_name, m, n, k);
    args_t g;
    if (strcmp(plan[0].kernel, "nk_pack_a") == 0) {
        /* packing: op(A) as MR-row panels, op(B) as NR-column panels, k deep; then the register-tile kernel */
        REQUIRE(workspace(dev, &dev->pack_a, (double) plan[0].global_y * k));
        REQUIRE(workspace(dev, &dev->pack_b, (double) plan[1].global_x * k));
        REQUIRE(kernel(dev, plan[0].kernel, &g));
        arg_int(&g, m); arg_int(&g, k); arg_matrix(&g, a); arg_int(&g, ta); arg_raw(&g, dev->pack_a);
        REQUIRE(launch(dev, &g, (size_t) plan[0].global_x, (size_t) plan[0].global_y, (size_t) plan[0].local_x, (size_t) plan[0].local_y, plan[0].kernel));
        REQUIRE(kernel(dev, plan[1].kernel, &g));
        arg_int(&g, k); arg_int(&g, n); arg_matrix(&g, b); arg_int(&g, tb); arg_raw(&g, dev->pack_b);
        REQUIRE(launch(dev, &g, (size_t) plan[1].global_x, (size_t) plan[1].global_y, (size_t) plan[1].local_x, (size_t) plan[1].local_y, plan[1].kernel));
        REQUIRE(kernel(dev, plan[2].kernel, &g));
        arg_int(&g, m); arg_int(&g, n); arg_int(&g, k); arg_raw(&g, dev->pack_a); arg_raw(&g, dev->pack_b);
        gemm_epilogue_args(&g, dev, c, alpha, beta, epilogue, bias, act, pre, deriv, from_output, vb, mu);
        return launch(dev, &g, (size_t) plan[2].global_x, (size_t) plan[2].global_y, (size_t) plan[2].local_x, (size_t) plan[2].local_y, plan[2].kernel);
    }
    int variant = -1;
    for (int v = 0; v < 3; v++) if (strcmp(plan[0].kernel, one_launch_kernels[v]) == 0) variant = v;
    if (variant >= 0 && dev->independent > 0) {
        /* inside nk_independent_begin/end: held, to pair with the next independent one-launch GEMM */
        struct held_gemm* hg = calloc(1, sizeof *hg);
        if (!hg) return fail(NK_ERR_MEMORY, "%s: out of host memory", call_name);
        hg->variant = variant;
        hg->rows = plan[0].global_x;
        hg->cols = plan[0].global_y;
        kernel(dev, plan[0].kernel, &hg->args);
        arg_int(&hg->args, m); arg_int(&hg->args, n); arg_int(&hg->args, k);
        arg_matrix(&hg->args, a); arg_int(&hg->args, ta);
        arg_matrix(&hg->args, b); arg_int(&hg->args, tb);
        gemm_epilogue_args(&hg->args, dev, c, alpha, beta, epilogue, bias, act, pre, deriv, from_output, vb, mu);
        hg->written[hg->nw++] = c;
        if (epilogue == 1 && pre) hg->written[hg->nw++] = pre;
        if (epilogue == 3) {
            const buf_rec* w3[] = {bias, pre, deriv, vb};
            for (int i = 0; i < 4; i++) if (w3[i]) hg->written[hg->nw++] = w3[i];
        }
        for (int i = 0; i < hg->nw; i++) hg->touched[hg->nt++] = hg->written[i];
        const buf_rec* read[] = {a, b, bias, deriv};
        for (int i = 0; i < 4; i++) {
            int seen = !read[i];
            for (int j = 0; j < hg->nt && !seen; j++) seen = hg->touched[j] == read[i];
            if (!seen) hg->touched[hg->nt++] = read[i];
        }
        return hold_or_pair(dev, hg);
    }
    /* the one-launch kernels, nk_gemm_warp and nk_gemm: the operands in place */
    REQUIRE(kernel(dev, plan[0].kernel, &g));
    arg_int(&g, m); arg_int(&g, n); arg_int(&g, k);
    arg_matrix(&g, a); arg_int(&g, ta);
    arg_matrix(&g, b); arg_int(&g, tb);
    gemm_epilogue_args(&g, dev, c, alpha, beta, epilogue, bias, act, pre, deriv, from_output, vb, mu);
    return launch(dev, &g, (size_t) plan[0].global_x, (size_t) plan[0].global_y, (size_t) plan[0].local_x, (size_t) plan[0].local_y, plan[0].kernel);
}

/* The spec's checks of a table op (defined with the op table's interpreter below). */
static nk_status check_named(dev_rec* dev, const char* op_name, buf_rec* const* t, const double* p);

static nk_status gemm_op(dev_rec* dev, int trans_a, int trans_b, float alpha, buf_rec* a, buf_rec* b, float beta, buf_rec* c) {
    buf_rec* t[] = {a, b, c};
    const double p[] = {trans_a != 0, trans_b != 0, alpha, beta};
    REQUIRE(check_named(dev, "gemm", t, p));    /* ops/Gemm.java's spec */
    int m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols, n = trans_b ? b->rows : b->cols;
    return gemm_launch(dev, m, n, k, a, trans_a != 0, b, trans_b != 0, c, alpha, beta, 0, NULL, 0, NULL, NULL, 0, NULL, 0.0f);
}

static nk_status dense_forward_op(dev_rec* dev, buf_rec* x, buf_rec* w, buf_rec* bias, int activation, buf_rec* out, buf_rec* pre) {
    buf_rec* t[] = {x, w, bias, out, pre};
    const double p[] = {activation};
    REQUIRE(check_named(dev, "dense_forward", t, p));    /* ops/DenseForward.java's spec */
    return gemm_launch(dev, x->rows, w->rows, x->cols, x, 0, w, 1, out, 1.0f, 0.0f, 1, bias, activation, pre, NULL, 0, NULL, 0.0f);
}

static nk_status backward_delta_op(dev_rec* dev, buf_rec* delta, int trans_m, buf_rec* m, buf_rec* a, int activation, int from_output, buf_rec* out) {
    buf_rec* t[] = {delta, m, a, out};
    const double p[] = {activation, from_output != 0, trans_m != 0};
    REQUIRE(check_named(dev, "backward_delta", t, p));    /* ops/BackwardDelta.java's spec */
    return gemm_launch(dev, out->rows, out->cols, delta->cols, delta, 0, m, trans_m != 0, out, 1.0f, 0.0f, 2, NULL, activation, NULL, a, from_output != 0, NULL, 0.0f);
}

static nk_status dense_update_op(dev_rec* dev, float lr, float decay, float mu, buf_rec* delta, buf_rec* h,
                          buf_rec* w, buf_rec* b, buf_rec* vw, buf_rec* vb, buf_rec* feedback) {
    /* without momentum the velocities are not used (nor checked); vb only with a bias: Device.denseUpdate */
    if (mu == 0.0f) vw = vb = NULL;
    if (!b) vb = NULL;
    buf_rec* t[] = {delta, h, w, b, vw, vb, feedback};
    const double p[] = {lr, decay, mu};
    REQUIRE(check_named(dev, "dense_update", t, p));    /* ops/DenseUpdate.java's spec */
    return gemm_launch(dev, w->rows, w->cols, delta->rows, delta, 1, h, 0, w, lr, decay, 3, b, NK_IDENTITY, vw, feedback, feedback != NULL, vb, mu);
}

/* The device's logits scratch shaped rows x cols (a new one when the shape changes; the old one is freed
   after the work queued before, as nk_free does). Called with the device locked. */
static nk_status logits_scratch(dev_rec* dev, int rows, int cols, buf_rec** out) {
    buf_rec* old = dev->logits;
    if (old && old->rows == rows && old->cols == cols) {
        *out = old;
        return NK_OK;
    }
    if (old) {
        buffer_destroy(dev, old);
        dev->logits = NULL;
    }
    REQUIRE(buffer_create(dev, rows, cols, &dev->logits));
    *out = dev->logits;
    return NK_OK;
}

static nk_status output_layer_locked(dev_rec* dev, buf_rec* h, buf_rec* w, buf_rec* b, buf_rec* targets, buf_rec* m, int activation,
                                     buf_rec* probs, buf_rec* grad, buf_rec* loss, buf_rec* delta) {
    int rows = h->rows, c = w->rows, q = h->cols;
    nk_planned plan[NK_PLAN_OUTPUT_LAYER_STEPS];
    if (nk_plan_output_layer(rows, c, q, dev->gemm.kernel, !dev->cuda, plan) < 1) return fail(NK_ERR_ARGUMENT, "%s: no plan", call_name);
    if (strcmp(plan[0].kernel, "nk_output_layer16") == 0) {
        /* one launch: nk_output_layer16 (kernels-opencl/gemm_packed.cl), four rows per work-item */
        args_t g;
        REQUIRE(kernel(dev, "nk_output_layer16", &g));
        arg_int(&g, rows); arg_int(&g, c); arg_int(&g, q); arg_int(&g, activation);
        arg_matrix(&g, h); arg_matrix(&g, w);
        arg_matrix(&g, b ? b : dev->placeholder); arg_int(&g, b != NULL);
        arg_matrix(&g, targets);
        arg_matrix(&g, m ? m : dev->placeholder); arg_int(&g, m != NULL);
        arg_matrix(&g, probs); arg_matrix(&g, grad); arg_matrix(&g, loss);
        arg_matrix(&g, delta ? delta : dev->placeholder);
        return launch(dev, &g, (size_t) plan[0].global_x, (size_t) plan[0].global_y, (size_t) plan[0].local_x, (size_t) plan[0].local_y,
                      "nk_output_layer16");
    }
    buf_rec* z;
    REQUIRE(logits_scratch(dev, rows, c, &z));
    REQUIRE(gemm_launch(dev, rows, c, q, h, 0, w, 1, z, 1.0f, 0.0f, 1, b, NK_IDENTITY, NULL, NULL, 0, NULL, 0.0f));
    args_t g;
    REQUIRE(kernel(dev, plan[0].kernel, &g));
    arg_int(&g, rows); arg_int(&g, c);
    arg_matrix(&g, z); arg_matrix(&g, targets); arg_matrix(&g, probs); arg_matrix(&g, grad); arg_matrix(&g, loss);
    REQUIRE(launch(dev, &g, (size_t) plan[0].global_x, (size_t) plan[0].global_y, (size_t) plan[0].local_x, (size_t) plan[0].local_y,
                   plan[0].kernel));
    if (!m) return NK_OK;
    return gemm_launch(dev, rows, q, c, grad, 0, m, 0, delta, 1.0f, 0.0f, 2, NULL, activation, NULL, h, 1, NULL, 0.0f);
}

static nk_status output_layer_op(dev_rec* dev, buf_rec* h, buf_rec* w, buf_rec* b, buf_rec* targets, buf_rec* m, int activation,
                          buf_rec* probs, buf_rec* grad, buf_rec* loss, buf_rec* delta) {
    buf_rec* t[] = {h, w, b, targets, m, probs, grad, loss, delta};
    const double p[] = {activation};
    REQUIRE(check_named(dev, "output_layer", t, p));    /* ops/OutputLayer.java's spec */
    return output_layer_locked(dev, h, w, b, targets, m, activation, probs, grad, loss, delta);
}


/* What nk_lif_step's kernel receives (org.neurokernels.dynamics.LifStep). */
typedef struct {
    float p22, p21e, p21i, p20, p11e, p11i, v_rest, v_reset, v_thresh, i_offset;
    int refractory_steps;
    float rate_decay, rate_gain;
} lif_step_t;

/* finite and within float range (the kernel receives a float); LifParameters.finite */
static nk_status lif_finite(const char* name, double v, const char* unit) {
    if (!(fabs(v) <= FLT_MAX)) return fail(NK_ERR_ARGUMENT, "nk_lif_step: %s = %s %s: need a finite value within float range", name, num(v), unit);
    return NK_OK;
}

/* finite and > 0; LifParameters.positive */
static nk_status lif_positive(const char* name, double v, const char* unit) {
    if (!(v > 0 && v < INFINITY)) return fail(NK_ERR_ARGUMENT, "nk_lif_step: %s = %s %s: need a finite value > 0", name, num(v), unit);
    return NK_OK;
}

/* The parameters checked and turned into the kernel's step, with the rules and messages of the Java
 * library's LifParameters and LifParameters.step: every value finite, the voltages and the current
 * within float range, time constants, cm, dt and tau_rate > 0, tau_refrac >= 0, v_thresh > v_reset,
 * round(tau_refrac / dt) at most NK_MAX_REFRACTORY_STEPS, and no propagator that overflows float. */
static nk_status lif_prepare(const nk_lif_params* p, double dt, double tau_rate, lif_step_t* out) {
    if (!p) return fail(NK_ERR_ARGUMENT, "nk_lif_step: parameters are NULL");
    REQUIRE(lif_positive("tau_m", p->tau_m, "ms"));
    REQUIRE(lif_positive("cm", p->cm, "nF"));
    REQUIRE(lif_finite("v_rest", p->v_rest, "mV"));
    REQUIRE(lif_finite("v_reset", p->v_reset, "mV"));
    REQUIRE(lif_finite("v_thresh", p->v_thresh, "mV"));
    if (!(p->tau_refrac >= 0 && p->tau_refrac < INFINITY)) {
        return fail(NK_ERR_ARGUMENT, "nk_lif_step: tau_refrac = %s ms: need a finite refractory period >= 0 ms", num(p->tau_refrac));
    }
    REQUIRE(lif_positive("tau_syn_E", p->tau_syn_e, "ms"));
    REQUIRE(lif_positive("tau_syn_I", p->tau_syn_i, "ms"));
    REQUIRE(lif_finite("i_offset", p->i_offset, "nA"));
    if (!(p->v_thresh > p->v_reset)) {
        return fail(NK_ERR_ARGUMENT, "nk_lif_step: v_thresh = %s mV must exceed v_reset = %s mV", num(p->v_thresh), num(p->v_reset));
    }
    REQUIRE(lif_positive("dt", dt, "ms"));
    REQUIRE(lif_positive("tau_rate", tau_rate, "ms"));
    double h = dt, ratio = p->tau_refrac / h;
    if (!(ratio < NK_MAX_REFRACTORY_STEPS + 0.5)) {
        char steps[48];
        if (ratio < 1e12) snprintf(steps, sizeof steps, "%.0f", floor(ratio + 0.5));
        else snprintf(steps, sizeof steps, "%.3g", ratio);
        return fail(NK_ERR_ARGUMENT,
                    "nk_lif_step: tau_refrac = %s ms is %s steps of dt = %s ms; the refractory counter holds at most %d steps (tau_refrac < %.7g ms at this dt)",
                    num(p->tau_refrac), steps, num(h), NK_MAX_REFRACTORY_STEPS, (NK_MAX_REFRACTORY_STEPS + 0.5) * h);
    }
    /* the propagators from the op's spec (ops/LifStepOp.derived, generated into nk_plans.h), as LifParameters.step */
    const double params[] = {p->tau_m, p->cm, p->v_rest, p->v_reset, p->v_thresh, p->tau_refrac, p->tau_syn_e, p->tau_syn_i, p->i_offset, h, tau_rate};
    double d[sizeof nk_op_extra_lif_step / sizeof nk_op_extra_lif_step[0]];   /* p22, p21e, ... rate_gain: LifStepOp.KERNEL_VARIABLES */
    _Static_assert(sizeof d / sizeof d[0] == 13, "lif_step derives 13 kernel variables");
    nk_op_derive_lif_step(params, d);
    lif_step_t s;
    s.p22 = (float) d[0];
    s.p21e = (float) d[1];
    s.p21i = (float) d[2];
    s.p20 = (float) d[3];
    s.p11e = (float) d[4];
    s.p11i = (float) d[5];
    s.v_rest = (float) d[6];
    s.v_reset = (float) d[7];
    s.v_thresh = (float) d[8];
    s.i_offset = (float) d[9];
    s.refractory_steps = (int) d[10];   /* floor(tau_refrac / dt + 0.5), in [0, 2^24] (checked above) */
    s.rate_decay = (float) d[11];
    s.rate_gain = (float) d[12];
    const float values[] = {s.p21e, s.p21i, s.p20, s.rate_gain};
    const char* names[] = {"P21_E", "P21_I", "P20", "1 / tau_rate"};
    for (int k = 0; k < 4; k++) {
        if (!isfinite(values[k])) {
            return fail(NK_ERR_ARGUMENT,
                        "nk_lif_step: %s overflows float for dt = %s ms, tau_rate = %s ms and tau_m = %s ms, cm = %s nF, v_rest = %s mV, v_reset = %s mV, "
                        "v_thresh = %s mV, tau_refrac = %s ms, tau_syn_E = %s ms, tau_syn_I = %s ms, i_offset = %s nA",
                        names[k], num(h), num(tau_rate), num(p->tau_m), num(p->cm), num(p->v_rest), num(p->v_reset), num(p->v_thresh),
                        num(p->tau_refrac), num(p->tau_syn_e), num(p->tau_syn_i), num(p->i_offset));
        }
    }
    *out = s;
    return NK_OK;
}

/* ---- ops with a launch plan, from the generated op table (nk_plans.h, written from the Java op files by
 * org.neurokernels.plan.OpTables): the spec's shape checks with the Java messages, the parameters' types,
 * then the plan's launches. nk_run reaches every such op by name; the typed functions below use it too. ---- */

static const nk_op_def* find_op(const char* name) {
    for (int i = 0; i < NK_OP_COUNT; i++) if (strcmp(nk_ops[i].name, name) == 0) return &nk_ops[i];
    return NULL;
}

/* Runs op with tensors t (in the op's order, NULL where absent), parameter values p (activations by code,
   booleans 0/1; uint64 ones in seeds), the op's extra variables; with text, writes the plan instead of launching. */
/* The op's checks from its spec, generated (nk_plans.h) with the Java library's rules and messages: each
   required tensor given, the parameters in their types' ranges, the shapes and conditions, and no output
   sharing its buffer with another tensor but in place. Fills v, the plan's variables. any_float: float
   parameters need not be finite (the typed GEMM-family functions). */
static nk_status check_op(dev_rec* dev, const nk_op_def* op, buf_rec* const* t, const double* p, const double* extra, int any_float, double* v) {
    int k = 0;
    for (int i = 0; i < op->ntensors; i++) {
        if (!t[i] && !op->tensors[i].optional) return fail(NK_ERR_ARGUMENT, "%s: tensor '%s' is NULL (it is required)", op->name, op->tensors[i].name);
    }
    for (int i = 0; i < op->ntensors; i++) {
        const buf_rec* b = t[i];
        v[k++] = b ? b->rows : 0;
        v[k++] = b ? b->cols : 0;
        v[k++] = b ? (double) b->rows * b->cols : 0;
        v[k++] = 0;                /* the C library's buffers are whole allocations: no offset, no gaps */
        v[k++] = b != NULL;
    }
    v[k++] = 1;                    /* contig */
    v[k++] = !dev->cuda;           /* opencl */
    v[k++] = dev->gemm.kernel;     /* kernel */
    v[k++] = (double) dev->max_wg; /* maxwg */
    for (int i = 0; i < op->nparams; i++) {
        const nk_op_param* q = &op->params[i];
        if (!p) {   /* parameters already derived into extra (nk_lif_step checks its own, in double) */
            v[k++] = 0;
            continue;
        }
        double x = p[i];
        switch (q->type) {
            case NK_PARAM_FLOAT:
                if (!any_float && (!isfinite(x) || fabs(x) > FLT_MAX)) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not a finite float", op->name, q->name, num(x));
                x = (float) x;
                break;
            case NK_PARAM_INT:
                if (!(x >= INT_MIN && x <= INT_MAX && x == floor(x))) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not a 32-bit integer", op->name, q->name, num(x));
                break;
            case NK_PARAM_BOOL: x = x != 0; break;
            case NK_PARAM_ACTIVATION: {
                int count = 0;
                while (nk_activation_names[count]) count++;
                if (!(x >= 0 && x < count && x == floor(x))) return fail(NK_ERR_ARGUMENT, "op %s: %s = %s is no activation code (0 to %d)", op->name, q->name, num(x), count - 1);
                break;
            }
            default: x = 0;
        }
        v[k++] = x;
    }
    for (int i = 0; i < op->nextra; i++) v[k++] = extra[i];
    char msg[512];
    if (op->check(v, msg, sizeof msg)) return fail(NK_ERR_ARGUMENT, "%s", msg);
    /* an output may not share its buffer with any other tensor (in place means under the same name) */
    for (int i = 0; i < op->ntensors; i++) {
        if (!t[i] || op->tensors[i].role == NK_ROLE_IN) continue;
        for (int j = 0; j < op->ntensors; j++) {
            if (j == i || t[j] != t[i]) continue;
            char pair[128];
            snprintf(pair, sizeof pair, "%s:%s ", op->tensors[i].name, op->tensors[j].name);
            if (strstr(op->aliases, pair) == op->aliases || (strstr(op->aliases, pair) && strstr(op->aliases, pair)[-1] == ' ')) continue;
            return fail(NK_ERR_ARGUMENT, "%s: output '%s' overlaps '%s'", op->name, op->tensors[i].name, op->tensors[j].name);
        }
    }
    return NK_OK;
}

/* The spec's checks of a table op for a typed function that launches on its own (the GEMM family,
   output_layer): t in the op's tensor order, p its parameters in spec order. Float parameters are taken as
   given, NaN and infinities included (as BLAS and Device.gemm take alpha and beta; the results carry them). */
static nk_status check_named(dev_rec* dev, const char* op_name, buf_rec* const* t, const double* p) {
    const nk_op_def* op = find_op(op_name);
    if (!op) return fail(NK_ERR_ARGUMENT, "%s: no op '%s' in the table", call_name, op_name);
    double v[NK_OP_MAX_VARIABLES];
    return check_op(dev, op, t, p, NULL, 1, v);
}

static nk_status run_planned(dev_rec* dev, const nk_op_def* op, buf_rec* const* t, const double* p, const uint64_t* seeds,
                             const double* extra, char* text, size_t capacity) {
    double v[NK_OP_MAX_VARIABLES];
    if (!op->plan) return fail(NK_ERR_ARGUMENT, "%s: %s launches through its own function, nk_%s", call_name, op->name, op->name);
    REQUIRE(check_op(dev, op, t, p, extra, 0, v));
    nk_op_call calls[NK_OP_MAX_STEPS];
    int n = op->plan(v, calls);
    if (n < 1) return fail(NK_ERR_ARGUMENT, "%s: no launch plan applies", op->name);
    for (int c = 0; c < n; c++) {
        double group = (double) calls[c].local_x * calls[c].local_y;
        if (group > (double) dev->max_wg) {
            return fail(NK_ERR_ARGUMENT, "%s: %s needs work-groups of %.0f work-items; %s allows %zu", op->name, calls[c].kernel, group,
                        dev->selector, dev->max_wg);
        }
    }
    if (text) {
        /* as org.neurokernels.plan.OpPlan.Call.text: kernel, sizes, then each argument; launches one per line */
        size_t at = 0;
        text[0] = 0;
        for (int c = 0; c < n; c++) {
            const nk_op_call* l = &calls[c];
            at += (size_t) snprintf(text + at, at < capacity ? capacity - at : 0, "%s%s %ldx%ld/%dx%d", c ? "\n" : "", l->kernel, l->global_x, l->global_y, l->local_x, l->local_y);
            for (int a = 0; a < l->nargs; a++) {
                const nk_op_arg* g = &l->args[a];
                char buf[96];
                float f = (float) g->value;
                uint32_t bits;
                memcpy(&bits, &f, sizeof bits);
                switch (g->kind) {
                    case NK_OPARG_MATRIX: snprintf(buf, sizeof buf, " m:%s", op->tensors[g->ref].name); break;
                    case NK_OPARG_RAW: snprintf(buf, sizeof buf, " raw:%s", op->tensors[g->ref].name); break;
                    case NK_OPARG_SEED_LO: snprintf(buf, sizeof buf, " seedlo:%s", op->params[g->ref].name); break;
                    case NK_OPARG_SEED_HI: snprintf(buf, sizeof buf, " seedhi:%s", op->params[g->ref].name); break;
                    case NK_OPARG_FLOAT: snprintf(buf, sizeof buf, " f:%08x", bits); break;
                    case NK_OPARG_LOCAL: snprintf(buf, sizeof buf, " local:%lld", (long long) g->value); break;
                    default: snprintf(buf, sizeof buf, " i:%lld", (long long) g->value);
                }
                at += (size_t) snprintf(text + at, at < capacity ? capacity - at : 0, "%s", buf);
            }
        }
        if (at >= capacity) return fail(NK_ERR_ARGUMENT, "%s: the plan needs %zu bytes of text, capacity is %zu", op->name, at + 1, capacity);
        return NK_OK;
    }
    for (int c = 0; c < n; c++) {
        const nk_op_call* l = &calls[c];
        args_t g;
        REQUIRE(kernel(dev, l->kernel, &g));
        for (int a = 0; a < l->nargs; a++) {
            const nk_op_arg* x = &l->args[a];
            switch (x->kind) {
                case NK_OPARG_MATRIX: arg_matrix(&g, t[x->ref] ? t[x->ref] : dev->placeholder); break;
                case NK_OPARG_RAW: arg_raw(&g, t[x->ref] ? t[x->ref] : dev->placeholder); break;
                case NK_OPARG_INT: arg_int(&g, (int) x->value); break;
                case NK_OPARG_FLOAT: arg_float(&g, (float) x->value); break;
                case NK_OPARG_SEED_LO: arg_int(&g, (int) (uint32_t) seeds[x->ref]); break;
                case NK_OPARG_SEED_HI: arg_int(&g, (int) (uint32_t) (seeds[x->ref] >> 32)); break;
                default: arg_local(&g, (int) x->value);
            }
        }
        REQUIRE(launch(dev, &g, (size_t) l->global_x, (size_t) l->global_y, (size_t) l->local_x, (size_t) l->local_y, l->kernel));
    }
    return NK_OK;
}

/* a parameter value from text, as org.neurokernels.ops.Params reads it */
static nk_status parse_param(const nk_op_def* op, const nk_op_param* q, const char* text, double* value, uint64_t* seed) {
    char* end = NULL;
    errno = 0;
    switch (q->type) {
        case NK_PARAM_FLOAT: {
            double d = strtod(text, &end);
            if (end == text || *end) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not a number", op->name, q->name, text);
            if (!isfinite(d)) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not finite", op->name, q->name, text);
            float f = strtof(text, NULL);
            if (isinf(f)) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is outside the float range", op->name, q->name, text);
            if (f == 0 && d != 0) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s rounds to zero in float", op->name, q->name, text);
            *value = f;
            return NK_OK;
        }
        case NK_PARAM_INT: {
            long long x = strtoll(text, &end, 10);
            if (end == text || *end || errno || x < INT_MIN || x > INT_MAX) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not a 32-bit integer", op->name, q->name, text);
            *value = (double) x;
            return NK_OK;
        }
        case NK_PARAM_UINT64: {
            if (text[0] == '-' || text[0] == '+' || text[0] == 0) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not an unsigned 64-bit integer", op->name, q->name, text);
            unsigned long long x = strtoull(text, &end, 10);
            if (end == text || *end || errno) return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not an unsigned 64-bit integer", op->name, q->name, text);
            *seed = x;
            *value = 0;
            return NK_OK;
        }
        case NK_PARAM_BOOL: {
            static const char* const yes[] = {"1", "true", "t", "y", "yes"}, * const no[] = {"0", "false", "f", "n", "no"};
            for (int i = 0; i < 5; i++) {
                if (strcasecmp(text, yes[i]) == 0) { *value = 1; return NK_OK; }
                if (strcasecmp(text, no[i]) == 0) { *value = 0; return NK_OK; }
            }
            return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is not a boolean (true or false)", op->name, q->name, text);
        }
        default:
            for (int i = 0; nk_activation_names[i]; i++) {
                if (strcasecmp(text, nk_activation_names[i]) == 0) { *value = i; return NK_OK; }
            }
            return fail(NK_ERR_ARGUMENT, "op %s: parameter %s=%s is no activation (identity, tanh, logistic, relu, softplus)", op->name, q->name, text);
    }
}

/* nk_run of an op the C library launches itself (the GEMM family, output_layer): its typed function's
   work, with the tensors in the table's order and the parameters in spec order (ops/Gemm.java, ...). */
static nk_status run_composed(dev_rec* dev, const nk_op_def* op, buf_rec* const* t, const double* p) {
    REQUIRE(check_named(dev, op->name, t, p));   /* as Device.run: every tensor given is checked, velocities included */
    if (strcmp(op->name, "gemm") == 0) return gemm_op(dev, p[0] != 0, p[1] != 0, (float) p[2], t[0], t[1], (float) p[3], t[2]);
    if (strcmp(op->name, "dense_forward") == 0) return dense_forward_op(dev, t[0], t[1], t[2], (int) p[0], t[3], t[4]);
    if (strcmp(op->name, "backward_delta") == 0) return backward_delta_op(dev, t[0], p[2] != 0, t[1], t[2], (int) p[0], p[1] != 0, t[3]);
    if (strcmp(op->name, "dense_update") == 0) return dense_update_op(dev, (float) p[0], (float) p[1], (float) p[2], t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
    if (strcmp(op->name, "output_layer") == 0) return output_layer_op(dev, t[0], t[1], t[2], t[3], t[4], (int) p[0], t[5], t[6], t[7], t[8]);
    return fail(NK_ERR_ARGUMENT, "%s: op %s has no launch in this library", call_name, op->name);
}

static nk_status run_named(const char* fn, nk_device* h, const char* op_name, int count, const char* const* names, nk_buffer* const* buffers,
                           const char* params, char* text, size_t capacity) {
    call_name = fn;
    if (!op_name) return fail(NK_ERR_ARGUMENT, "%s: op is NULL", fn);
    if (text && capacity == 0) return fail(NK_ERR_ARGUMENT, "%s: no room for the text", fn);
    const nk_op_def* op = find_op(op_name);
    if (!op) {
        char list[1024] = "";
        for (int i = 0; i < NK_OP_COUNT; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", nk_ops[i].name);
        }
        return fail(NK_ERR_ARGUMENT, "%s: unknown op '%s'; ops are %s", fn, op_name, list);
    }
    if (op->nextra) return fail(NK_ERR_ARGUMENT, "%s: %s takes derived parameters; call its own function (nk_%s)", fn, op->name, op->name);
    if (count < 0 || count > op->ntensors || (count > 0 && (!names || !buffers))) {
        return fail(NK_ERR_ARGUMENT, "%s: %s: %d tensors given (at most %d, with names and buffers)", fn, op->name, count, op->ntensors);
    }
    nk_buffer* handles[NK_OP_MAX_TENSORS] = {0};
    const char* tensor_names[NK_OP_MAX_TENSORS];
    for (int i = 0; i < op->ntensors; i++) tensor_names[i] = op->tensors[i].name;
    for (int i = 0; i < count; i++) {
        int found = -1;
        for (int j = 0; j < op->ntensors && names[i]; j++) if (strcmp(names[i], op->tensors[j].name) == 0) found = j;
        if (found < 0) return fail(NK_ERR_ARGUMENT, "%s: no tensor '%s'", op->name, names[i] ? names[i] : "(null)");
        if (handles[found]) return fail(NK_ERR_ARGUMENT, "%s: tensor '%s' given twice", op->name, names[i]);
        if (!buffers[i]) return fail(NK_ERR_ARGUMENT, "%s: tensor '%s' is NULL (leave an optional tensor out instead)", op->name, names[i]);
        handles[found] = buffers[i];
    }
    /* the parameters: defaults, then "name=value" items separated by spaces or commas */
    double p[NK_OP_MAX_VARIABLES];
    uint64_t seeds[NK_OP_MAX_VARIABLES];
    for (int i = 0; i < op->nparams; i++) {
        seeds[i] = 0;
        REQUIRE(parse_param(op, &op->params[i], op->params[i].def, &p[i], &seeds[i]));
    }
    const char* at = params ? params : "";
    while (*at) {
        while (*at == ' ' || *at == ',' || *at == '\t' || *at == '\n') at++;
        if (!*at) break;
        const char* stop = at;
        while (*stop && *stop != ' ' && *stop != ',' && *stop != '\t' && *stop != '\n') stop++;
        char item[256];
        size_t len = (size_t) (stop - at);
        if (len >= sizeof item) return fail(NK_ERR_ARGUMENT, "%s: a parameter item longer than %zu characters", op->name, sizeof item - 1);
        memcpy(item, at, len);
        item[len] = 0;
        at = stop;
        char* eq = strchr(item, '=');
        if (!eq) return fail(NK_ERR_ARGUMENT, "%s: parameter '%s' is not name=value", op->name, item);
        *eq = 0;
        int found = -1;
        for (int j = 0; j < op->nparams; j++) if (strcmp(item, op->params[j].name) == 0) found = j;
        if (found < 0) {
            char list[512] = "";
            for (int j = 0; j < op->nparams; j++) {
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", op->params[j].name);
            }
            return fail(NK_ERR_ARGUMENT, "op %s has no parameter '%s'; it takes [%s]", op->name, item, list);
        }
        REQUIRE(parse_param(op, &op->params[found], eq + 1, &p[found], &seeds[found]));
    }
    buf_rec* recs[NK_OP_MAX_TENSORS];
    dev_rec* dev = NULL;
    if (!op->plan && text) {
        return fail(NK_ERR_ARGUMENT, "%s: %s has no plan of its own in the table; nk_gemm_plan and nk_output_layer_plan give its launches",
                    fn, op->name);
    }
    REQUIRE(begin_op(h, fn, &dev, op->ntensors, handles, tensor_names, recs));
    if (!op->plan) return end_op(dev, run_composed(dev, op, recs, p));
    return end_op(dev, run_planned(dev, op, recs, p, seeds, NULL, text, capacity));
}

nk_status nk_run(nk_device* h, const char* op, int count, const char* const* names, nk_buffer* const* buffers, const char* params) {
    return run_named("nk_run", h, op, count, names, buffers, params, NULL, 0);
}

nk_status nk_op_plan(nk_device* h, const char* op, int count, const char* const* names, nk_buffer* const* buffers, const char* params,
                     char* text, size_t capacity) {
    if (!text) {
        call_name = "nk_op_plan";
        return fail(NK_ERR_ARGUMENT, "nk_op_plan: text is NULL");
    }
    return run_named("nk_op_plan", h, op, count, names, buffers, params, text, capacity);
}

/* A typed function's call: its buffers in the op's tensor order, each looked up (a stale handle is refused
   even where unused), those in the unused mask then left out, then run_planned. */
static nk_status run_typed(const char* fn, nk_device* h, const char* op_name, nk_buffer* const* handles, unsigned unused, const double* p,
                           const uint64_t* seeds, const double* extra) {
    const nk_op_def* op = find_op(op_name);
    if (!op) return fail(NK_ERR_ARGUMENT, "%s: no op '%s' in the table", fn, op_name);
    const char* names[NK_OP_MAX_TENSORS];
    for (int i = 0; i < op->ntensors; i++) names[i] = op->tensors[i].name;
    buf_rec* recs[NK_OP_MAX_TENSORS];
    dev_rec* dev = NULL;
    REQUIRE(begin_op(h, fn, &dev, op->ntensors, handles, names, recs));
    for (int i = 0; i < op->ntensors; i++) if (unused & (1u << i)) recs[i] = NULL;
    return end_op(dev, run_planned(dev, op, recs, p, seeds, extra, NULL, 0));
}

int nk_op_count(void) { return NK_OP_COUNT; }

nk_status nk_op_describe(int index, char* text, size_t capacity) {
    call_name = "nk_op_describe";
    if (index < 0 || index >= NK_OP_COUNT) return fail(NK_ERR_ARGUMENT, "nk_op_describe: index %d is outside [0, %d)", index, NK_OP_COUNT);
    if (!text || capacity == 0) return fail(NK_ERR_ARGUMENT, "nk_op_describe: no room for the text");
    const nk_op_def* op = &nk_ops[index];
    static const char* const roles[] = {"in", "out", "inout"};
    static const char* const types[] = {"float", "int", "bool", "activation", "uint64"};
    size_t at = (size_t) snprintf(text, capacity, "%s", op->name);
    for (int i = 0; i < op->ntensors; i++) {
        at += (size_t) snprintf(text + at, at < capacity ? capacity - at : 0, " %s:%s%s", op->tensors[i].name, roles[op->tensors[i].role],
                                op->tensors[i].optional ? "?" : "");
    }
    for (int i = 0; i < op->nparams; i++) {
        at += (size_t) snprintf(text + at, at < capacity ? capacity - at : 0, " %s=%s:%s", op->params[i].name, types[op->params[i].type], op->params[i].def);
    }
    if (at >= capacity) return fail(NK_ERR_ARGUMENT, "nk_op_describe: %zu bytes needed", at + 1);
    return NK_OK;
}

/* ---- the ops: the device locked and every buffer argument looked up, then the op's own checks ---- */

#define OP_BEGIN(fn, h, ...)                                                      \
    nk_buffer* handles_[] = {__VA_ARGS__};                                        \
    enum { N_ = sizeof handles_ / sizeof handles_[0] };                           \
    buf_rec* r[N_];                                                               \
    dev_rec* dev = NULL;                                                                 \
    REQUIRE(begin_op(h, fn, &dev, N_, handles_, names_, r))

nk_status nk_gemm(nk_device* h, int trans_a, int trans_b, float alpha, nk_buffer* a, nk_buffer* b, float beta, nk_buffer* c) {
    static const char* const names_[] = {"a", "b", "c"};
    OP_BEGIN("nk_gemm", h, a, b, c);
    return end_op(dev, gemm_op(dev, trans_a, trans_b, alpha, r[0], r[1], beta, r[2]));
}

nk_status nk_dense_forward(nk_device* h, nk_buffer* x, nk_buffer* w, nk_buffer* bias, int activation, nk_buffer* out, nk_buffer* pre) {
    static const char* const names_[] = {"x", "w", "bias", "out", "pre"};
    OP_BEGIN("nk_dense_forward", h, x, w, bias, out, pre);
    return end_op(dev, dense_forward_op(dev, r[0], r[1], r[2], activation, r[3], r[4]));
}

nk_status nk_backward_delta(nk_device* h, nk_buffer* delta, int trans_m, nk_buffer* m, nk_buffer* a, int activation, int from_output, nk_buffer* out) {
    static const char* const names_[] = {"delta", "m", "a", "out"};
    OP_BEGIN("nk_backward_delta", h, delta, m, a, out);
    return end_op(dev, backward_delta_op(dev, r[0], trans_m, r[1], r[2], activation, from_output, r[3]));
}

nk_status nk_dense_update(nk_device* hd, float lr, float decay, float mu, nk_buffer* delta, nk_buffer* h,
                          nk_buffer* w, nk_buffer* b, nk_buffer* vw, nk_buffer* vb, nk_buffer* feedback) {
    static const char* const names_[] = {"delta", "h", "w", "b", "vw", "vb", "feedback"};
    OP_BEGIN("nk_dense_update", hd, delta, h, w, b, vw, vb, feedback);
    return end_op(dev, dense_update_op(dev, lr, decay, mu, r[0], r[1], r[2], r[3], r[4], r[5], r[6]));
}

nk_status nk_sgd_update(nk_device* h, float lr, float decay, float mu, nk_buffer* w, nk_buffer* grad, nk_buffer* velocity) {
    nk_buffer* t[] = {w, grad, velocity};
    const double p[] = {lr, decay, mu};
    return run_typed("nk_sgd_update", h, "sgd_update", t, mu != 0.0f ? 0 : 1u << 2, p, NULL, NULL);   /* momentum 0: no velocity, as Device.sgdUpdate */
}

nk_status nk_kp_update(nk_device* h, float lr, float decay, float mu, nk_buffer* w, nk_buffer* b, nk_buffer* grad, nk_buffer* velocity) {
    nk_buffer* t[] = {w, b, grad, velocity};
    const double p[] = {lr, decay, mu};
    return run_typed("nk_kp_update", h, "kp_update", t, mu != 0.0f ? 0 : 1u << 3, p, NULL, NULL);
}

nk_status nk_softmax_xent(nk_device* h, nk_buffer* logits, nk_buffer* targets, nk_buffer* probs, nk_buffer* grad, nk_buffer* loss) {
    nk_buffer* t[] = {logits, targets, probs, grad, loss};
    return run_typed("nk_softmax_xent", h, "softmax_xent", t, 0, NULL, NULL, NULL);
}

nk_status nk_output_layer(nk_device* hd, nk_buffer* h, nk_buffer* w, nk_buffer* b, nk_buffer* targets, nk_buffer* m, int activation,
                          nk_buffer* probs, nk_buffer* grad, nk_buffer* loss, nk_buffer* delta) {
    static const char* const names_[] = {"h", "w", "b", "targets", "m", "probs", "grad", "loss", "delta"};
    OP_BEGIN("nk_output_layer", hd, h, w, b, targets, m, probs, grad, loss, delta);
    return end_op(dev, output_layer_op(dev, r[0], r[1], r[2], r[3], r[4], activation, r[5], r[6], r[7], r[8]));
}

nk_status nk_random_uniform(nk_device* h, uint64_t seed, int stream, int draw, float lo, float hi, nk_buffer* out) {
    static const char* const names_[] = {"out"};
    OP_BEGIN("nk_random_uniform", h, out);
    /* the op's shape comes from its rows and cols parameters: the buffer's own */
    const double p[] = {r[0] ? r[0]->rows : 0, r[0] ? r[0]->cols : 0, 0, stream, draw, lo, hi};
    const uint64_t seeds[] = {0, 0, seed, 0, 0, 0, 0};
    return end_op(dev, run_planned(dev, find_op("random_uniform"), r, p, seeds, NULL, NULL, 0));
}

nk_status nk_philox(nk_device* h, nk_buffer* counter, nk_buffer* key, nk_buffer* out) {
    nk_buffer* t[] = {counter, key, out};
    return run_typed("nk_philox", h, "philox4x32_10", t, 0, NULL, NULL, NULL);
}

nk_status nk_lif_step(nk_device* h, const nk_lif_params* p, double dt, double tau_rate,
                      nk_buffer* v, nk_buffer* i_e, nk_buffer* i_i, nk_buffer* refractory,
                      nk_buffer* i_ext, nk_buffer* syn_e, nk_buffer* syn_i,
                      nk_buffer* spikes, nk_buffer* rate, nk_buffer* count) {
    call_name = "nk_lif_step";
    lif_step_t s = {0};
    REQUIRE(lif_prepare(p, dt, tau_rate, &s));
    nk_buffer* t[] = {v, i_e, i_i, refractory, rate, count, i_ext, syn_e, syn_i, spikes};
    /* the plan's extra variables (ops/LifStepOp.KERNEL_VARIABLES): what lif_prepare derived from p, dt and tau_rate */
    const double extra[] = {s.p22, s.p21e, s.p21i, s.p20, s.p11e, s.p11i, s.v_rest, s.v_reset, s.v_thresh, s.i_offset, s.refractory_steps,
                            s.rate_decay, s.rate_gain};
    return run_typed("nk_lif_step", h, "lif_step", t, 0, NULL, NULL, extra);
}

nk_status nk_rate_step(nk_device* h, int activation, int exponential_euler, nk_buffer* r_, nk_buffer* x, nk_buffer* c, nk_buffer* tau,
                       float noise_scale, uint64_t seed, int stream, int step) {
    nk_buffer* t[] = {r_, x, c, tau};
    const double p[] = {activation, exponential_euler != 0, noise_scale, 0, stream, step};
    const uint64_t seeds[] = {0, 0, 0, seed, 0, 0};
    return run_typed("nk_rate_step", h, "rate_step", t, noise_scale != 0.0f ? 0 : 1u << 3, p, seeds, NULL);   /* tau only for noise */
}

nk_status nk_izhikevich_step(nk_device* h, float dt, nk_buffer* v, nk_buffer* u, nk_buffer* abcd, nk_buffer* i_ext, nk_buffer* syn,
                             nk_buffer* spikes, nk_buffer* count) {
    nk_buffer* t[] = {v, u, count, abcd, i_ext, syn, spikes};
    const double p[] = {dt};
    return run_typed("nk_izhikevich_step", h, "izhikevich_step", t, 0, p, NULL, NULL);
}

nk_status nk_poisson(nk_device* h, float dt, nk_buffer* rate, uint64_t seed, int stream, int step, nk_buffer* spikes, nk_buffer* count) {
    nk_buffer* t[] = {rate, count, spikes};
    const double p[] = {dt, 0, stream, step};
    const uint64_t seeds[] = {0, seed, 0, 0};
    return run_typed("nk_poisson", h, "poisson", t, 0, p, seeds, NULL);
}

/* ---- dot and frobenius_norm: partial sums per work-group (the plan of ops/Dot.java), added in double here ---- */

static nk_status dot_locked(dev_rec* dev, const buf_rec* x, const buf_rec* y, double* out) {
    nk_planned plan[NK_PLAN_DOT_STEPS];
    if (nk_plan_dot((double) x->rows * x->cols, plan) != 1) return fail(NK_ERR_ARGUMENT, "%s: no plan", call_name);
    if (!dev->partials) REQUIRE(buffer_create(dev, 1, 256, &dev->partials));
    int groups = (int) (plan[0].global_x / plan[0].local_x);
    args_t g;
    REQUIRE(kernel(dev, plan[0].kernel, &g));
    arg_int(&g, x->rows); arg_int(&g, x->cols); arg_matrix(&g, x); arg_matrix(&g, y); arg_matrix(&g, dev->partials);
    REQUIRE(launch(dev, &g, (size_t) plan[0].global_x, (size_t) plan[0].global_y, (size_t) plan[0].local_x, (size_t) plan[0].local_y, plan[0].kernel));
    float partial[256];
    int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.memcpy_dtoh(partial, dev->partials->dptr, (size_t) groups * sizeof(float)))
                        : clEnqueueReadBuffer(dev->queue, dev->partials->mem, CL_TRUE, 0, (size_t) groups * sizeof(float), partial, 0, NULL, NULL);
    if (err != 0) return fail(NK_ERR_OPENCL, "%s: reading the partial sums failed: %d", call_name, err);
    double sum = 0;
    for (int i = 0; i < groups; i++) sum += partial[i];
    *out = sum;
    return NK_OK;
}

nk_status nk_dot(nk_device* h, nk_buffer* x, nk_buffer* y, double* result) {
    static const char* const names_[] = {"x", "y"};
    if (!result) {
        call_name = "nk_dot";
        return fail(NK_ERR_ARGUMENT, "nk_dot: result is NULL");
    }
    OP_BEGIN("nk_dot", h, x, y);
    nk_status s = usable(dev, r[0], "x");
    if (s == NK_OK) s = usable(dev, r[1], "y");
    if (s == NK_OK) s = same_shape(r[0], r[1], "x", "y");
    if (s == NK_OK) s = dot_locked(dev, r[0], r[1], result);
    return end_op(dev, s);
}

nk_status nk_frobenius_norm(nk_device* h, nk_buffer* x, double* result) {
    static const char* const names_[] = {"x"};
    if (!result) {
        call_name = "nk_frobenius_norm";
        return fail(NK_ERR_ARGUMENT, "nk_frobenius_norm: result is NULL");
    }
    OP_BEGIN("nk_frobenius_norm", h, x);
    nk_status s = usable(dev, r[0], "x");
    double sq = 0;
    if (s == NK_OK) s = dot_locked(dev, r[0], r[0], &sq);
    if (s == NK_OK) *result = sqrt(sq);
    return end_op(dev, s);
}

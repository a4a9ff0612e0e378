/*
 * neurokernels C API over OpenCL: the kernels of kernels-opencl/ (embedded by CMake from those same files,
 * in the order org.neurokernels.opencl.OpenClDevice builds them) and the argument checks of the Java
 * facade, so a C or Python simulator gets the same results as the Java library.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include "neurokernels.h"

#include <CL/cl.h>
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
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

struct nk_buffer {
    nk_device* dev;
    cl_mem mem;         /* OpenCL devices */
    nk_cu_ptr dptr;     /* CUDA devices */
    int rows, cols;
    int freed;
    nk_buffer* next;
};

struct nk_device {
    int cuda;                 /* 0: OpenCL (context, queue, program); 1: CUDA (primary context, module) */
    int cu_device;
    void* cu_context;
    void* cu_module;
    cl_context context;
    cl_command_queue queue;
    cl_program program;
    cl_device_id device;
    pthread_mutex_t lock;
    nk_buffer* buffers;       /* every buffer ever allocated here (freed ones keep their record) */
    nk_buffer* placeholder;   /* bound to absent optional arguments (a flag tells the kernel) */
    nk_buffer* logits;        /* nk_output_layer's logits where it takes three launches (NULL until then) */
    char name[256];
    char selector[32];        /* the canonical id: opencl:P:D or cuda:N */
};

#define CHECK_CL(call, what)                                                        \
    do {                                                                            \
        cl_int err_ = (call);                                                       \
        if (err_ != CL_SUCCESS) return fail(NK_ERR_OPENCL, "%s failed: OpenCL error %d", what, err_); \
    } while (0)

static nk_status alloc_unlocked(nk_device* dev, int rows, int cols, nk_buffer** out);

/* The last part of opening either kind of device: its lock and the placeholder buffer. */
static nk_status finish_open(nk_device* dev, nk_device** out) {
    pthread_mutex_init(&dev->lock, NULL);
    nk_status s = alloc_unlocked(dev, 1, 1, &dev->placeholder);
    if (s != NK_OK) {
        nk_close(dev);
        return s;
    }
    *out = dev;
    return NK_OK;
}

nk_status nk_open_opencl(int platform, int device, nk_device** out) {
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
    nk_device* dev = calloc(1, sizeof *dev);
    if (!dev) {
        free(ds);
        return fail(NK_ERR_MEMORY, "out of host memory");
    }
    dev->device = ds[device];
    free(ds);
    snprintf(dev->selector, sizeof dev->selector, "opencl:%d:%d", platform, device);
    clGetDeviceInfo(dev->device, CL_DEVICE_NAME, sizeof dev->name - 1, dev->name, NULL);
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
    dev->program = clCreateProgramWithSource(dev->context, (cl_uint) nk_kernel_source_count, (const char**) nk_kernel_sources, NULL, &err);
    if (err == CL_SUCCESS) err = clBuildProgram(dev->program, 1, &dev->device, "", NULL, NULL);
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

nk_status nk_open_cuda(int ordinal, nk_device** out) {
    if (!out) return fail(NK_ERR_ARGUMENT, "nk_open_cuda: out is NULL");
    *out = NULL;
    if (nk_cuda_fatbin_size == 0) return fail(NK_ERR_DEVICE, "cuda:%d: this build has no CUDA kernels (the CUDA toolkit was not found when it was built)", ordinal);
    pthread_once(&cu_once, cu_load);
    if (!cu.loaded) return fail(NK_ERR_DEVICE, "cuda:%d: %s", ordinal, cu.why);
    int r = cu.init(0), count = 0;
    if (r != 0) return fail(NK_ERR_DEVICE, "cuda:%d: cuInit failed (CUresult %d)", ordinal, r);
    if ((r = cu.device_get_count(&count)) != 0) return fail(NK_ERR_DEVICE, "cuda:%d: cuDeviceGetCount failed (CUresult %d)", ordinal, r);
    if (ordinal < 0 || ordinal >= count) return fail(NK_ERR_DEVICE, "cuda:%d: there are %d CUDA device(s)", ordinal, count);
    nk_device* dev = calloc(1, sizeof *dev);
    if (!dev) return fail(NK_ERR_MEMORY, "out of host memory");
    dev->cuda = 1;
    snprintf(dev->selector, sizeof dev->selector, "cuda:%d", ordinal);
    if ((r = cu.device_get(&dev->cu_device, ordinal)) != 0 || (r = cu.primary_ctx_retain(&dev->cu_context, dev->cu_device)) != 0) {
        free(dev);
        return fail(NK_ERR_DEVICE, "cuda:%d: cannot retain the primary context (CUresult %d)", ordinal, r);
    }
    cu.device_get_name(dev->name, (int) sizeof dev->name - 1, dev->cu_device);
    cu.ctx_set_current(dev->cu_context);
    if ((r = cu.module_load_data(&dev->cu_module, nk_cuda_fatbin)) != 0) {
        cu.primary_ctx_release(dev->cu_device);
        free(dev);
        return fail(NK_ERR_BUILD, "cuda:%d: cannot load the kernel fatbin (CUresult %d; is the driver older than the toolkit?)", ordinal, r);
    }
    return finish_open(dev, out);
}

nk_status nk_device_name(nk_device* dev, char* name, size_t capacity) {
    if (!dev || !name || capacity == 0) return fail(NK_ERR_ARGUMENT, "nk_device_name: NULL argument");
    snprintf(name, capacity, "%s", dev->name);
    return NK_OK;
}

nk_status nk_device_selector(const nk_device* dev, char* buf, size_t capacity) {
    if (!dev || !buf || capacity == 0) return fail(NK_ERR_ARGUMENT, "nk_device_selector: NULL argument");
    int n = snprintf(buf, capacity, "%s", dev->selector);
    if (n < 0 || (size_t) n >= capacity) {
        return fail(NK_ERR_ARGUMENT, "nk_device_selector: '%s' needs %d bytes, the buffer has %zu", dev->selector, n + 1, capacity);
    }
    return NK_OK;
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
    if (nk_open_cuda(0, out) == NK_OK) return NK_OK;
    char cuda_why[sizeof last_error / 2];
    copy_error(cuda_why, sizeof cuda_why);
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

nk_status nk_close(nk_device* dev) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_close: device is NULL");
    if (dev->cuda) {
        cu.ctx_set_current(dev->cu_context);
        cu.ctx_synchronize();
    } else {
        clFinish(dev->queue);
    }
    nk_buffer* b = dev->buffers;
    while (b) {
        nk_buffer* next = b->next;
        if (!b->freed) {
            if (dev->cuda) cu.mem_free(b->dptr);
            else clReleaseMemObject(b->mem);
        }
        free(b);
        b = next;
    }
    if (dev->cuda) {
        cu.module_unload(dev->cu_module);
        cu.primary_ctx_release(dev->cu_device);
    } else {
        clReleaseProgram(dev->program);
        clReleaseCommandQueue(dev->queue);
        clReleaseContext(dev->context);
    }
    pthread_mutex_destroy(&dev->lock);
    free(dev);
    return NK_OK;
}

nk_status nk_finish(nk_device* dev) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_finish: device is NULL");
    pthread_mutex_lock(&dev->lock);
    int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.ctx_synchronize()) : clFinish(dev->queue);
    pthread_mutex_unlock(&dev->lock);
    return err == 0 ? NK_OK : fail(NK_ERR_OPENCL, "waiting for the device failed: %d", err);
}

static nk_status alloc_unlocked(nk_device* dev, int rows, int cols, nk_buffer** out) {
    if (rows < 1 || cols < 1 || (long long) rows * cols > 0x7fffffffLL) return fail(NK_ERR_ARGUMENT, "nk_alloc: shape %dx%d", rows, cols);
    nk_buffer* b = calloc(1, sizeof *b);
    if (!b) return fail(NK_ERR_MEMORY, "out of host memory");
    size_t bytes = (size_t) rows * cols * sizeof(float);
    if (dev->cuda) {
        cu.ctx_set_current(dev->cu_context);
        int r = cu.mem_alloc(&b->dptr, bytes);
        if (r == 0) r = cu.memset_d32(b->dptr, 0u, (size_t) rows * cols);
        if (r != 0) {
            if (b->dptr) cu.mem_free(b->dptr);
            free(b);
            return fail(NK_ERR_OPENCL, "cuMemAlloc/cuMemsetD32 of %zu bytes failed (CUresult %d)", bytes, r);
        }
    } else {
        cl_int err;
        b->mem = clCreateBuffer(dev->context, CL_MEM_READ_WRITE, bytes, NULL, &err);
        if (err != CL_SUCCESS) {
            free(b);
            return fail(NK_ERR_OPENCL, "clCreateBuffer of %zu bytes failed: %d", bytes, err);
        }
        float zero = 0.0f;
        err = clEnqueueFillBuffer(dev->queue, b->mem, &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
        if (err != CL_SUCCESS) {
            clReleaseMemObject(b->mem);
            free(b);
            return fail(NK_ERR_OPENCL, "clEnqueueFillBuffer failed: %d", err);
        }
    }
    b->dev = dev;
    b->rows = rows;
    b->cols = cols;
    b->next = dev->buffers;
    dev->buffers = b;
    *out = b;
    return NK_OK;
}

nk_status nk_alloc(nk_device* dev, int rows, int cols, nk_buffer** out) {
    if (!dev || !out) return fail(NK_ERR_ARGUMENT, "nk_alloc: NULL argument");
    pthread_mutex_lock(&dev->lock);
    nk_status s = alloc_unlocked(dev, rows, cols, out);
    pthread_mutex_unlock(&dev->lock);
    return s;
}

/* Frees buf's device memory after the work queued before; its record stays until nk_close. Device locked. */
static void release_unlocked(nk_device* dev, nk_buffer* buf) {
    if (buf->freed) return;
    if (dev->cuda) {
        cu.ctx_set_current(dev->cu_context);
        cu.ctx_synchronize();
        cu.mem_free(buf->dptr);
    } else {
        clFinish(dev->queue);
        clReleaseMemObject(buf->mem);
    }
    buf->freed = 1;
}

nk_status nk_free(nk_buffer* buf) {
    if (!buf) return fail(NK_ERR_ARGUMENT, "nk_free: buffer is NULL");
    nk_device* dev = buf->dev;
    pthread_mutex_lock(&dev->lock);
    release_unlocked(dev, buf);
    pthread_mutex_unlock(&dev->lock);
    return NK_OK;
}

/* Argument checks shared by every op: not NULL, not freed, on this device. */
static nk_status usable(nk_device* dev, const nk_buffer* b, const char* name) {
    if (!b) return fail(NK_ERR_ARGUMENT, "buffer '%s' is NULL", name);
    if (b->dev != dev) return fail(NK_ERR_ARGUMENT, "buffer '%s' belongs to another device", name);
    if (b->freed) return fail(NK_ERR_FREED, "buffer '%s' has been freed", name);
    return NK_OK;
}

static nk_status same_shape(const nk_buffer* a, const nk_buffer* b, const char* an, const char* bn) {
    if (a->rows != b->rows || a->cols != b->cols) {
        return fail(NK_ERR_ARGUMENT, "'%s' is %dx%d but '%s' is %dx%d", an, a->rows, a->cols, bn, b->rows, b->cols);
    }
    return NK_OK;
}

#define REQUIRE(expr)                       \
    do {                                    \
        nk_status s_ = (expr);              \
        if (s_ != NK_OK) return s_;         \
    } while (0)

nk_status nk_upload(nk_buffer* buf, const float* host, size_t count) {
    if (!buf || !host) return fail(NK_ERR_ARGUMENT, "nk_upload: NULL argument");
    if (buf->freed) return fail(NK_ERR_FREED, "nk_upload: buffer has been freed");
    if (count != (size_t) buf->rows * buf->cols) return fail(NK_ERR_ARGUMENT, "nk_upload: %zu values for a %dx%d buffer", count, buf->rows, buf->cols);
    nk_device* dev = buf->dev;
    pthread_mutex_lock(&dev->lock);
    int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.memcpy_htod(buf->dptr, host, count * sizeof(float)))
                        : clEnqueueWriteBuffer(dev->queue, buf->mem, CL_TRUE, 0, count * sizeof(float), host, 0, NULL, NULL);
    pthread_mutex_unlock(&dev->lock);
    return err == 0 ? NK_OK : fail(NK_ERR_OPENCL, "upload failed: %d", err);
}

nk_status nk_download(nk_buffer* buf, float* host, size_t count) {
    if (!buf || !host) return fail(NK_ERR_ARGUMENT, "nk_download: NULL argument");
    if (buf->freed) return fail(NK_ERR_FREED, "nk_download: buffer has been freed");
    if (count != (size_t) buf->rows * buf->cols) return fail(NK_ERR_ARGUMENT, "nk_download: %zu values for a %dx%d buffer", count, buf->rows, buf->cols);
    nk_device* dev = buf->dev;
    pthread_mutex_lock(&dev->lock);
    int err = dev->cuda ? (cu.ctx_set_current(dev->cu_context), cu.memcpy_dtoh(host, buf->dptr, count * sizeof(float)))
                        : clEnqueueReadBuffer(dev->queue, buf->mem, CL_TRUE, 0, count * sizeof(float), host, 0, NULL, NULL);
    pthread_mutex_unlock(&dev->lock);
    return err == 0 ? NK_OK : fail(NK_ERR_OPENCL, "download failed: %d", err);
}

/* ---- launching: arguments follow the kernels' convention, a matrix is (pointer, offset, ld); they are
 * collected first, then set on an OpenCL kernel or passed to cuLaunchKernel ---- */

enum { ARG_INT, ARG_FLOAT, ARG_BUFFER };

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
    } arg[48];
} args_t;

static void push(args_t* a, int kind) {
    if (a->n < 48) a->arg[a->n].kind = kind;
    a->n++;
}
static void arg_int(args_t* a, int v) { push(a, ARG_INT); if (a->n <= 48) a->arg[a->n - 1].v.i = v; }
static void arg_float(args_t* a, float v) { push(a, ARG_FLOAT); if (a->n <= 48) a->arg[a->n - 1].v.f = v; }
static void arg_raw(args_t* a, const nk_buffer* b) {
    push(a, ARG_BUFFER);
    if (a->n > 48) return;
    if (b->dev->cuda) a->arg[a->n - 1].v.ptr = b->dptr;
    else a->arg[a->n - 1].v.mem = b->mem;
}
static void arg_matrix(args_t* a, const nk_buffer* b) {
    arg_raw(a, b);
    arg_int(a, 0);
    arg_int(a, b->cols);
}

static nk_status launch(nk_device* dev, args_t* a, size_t gx, size_t gy, size_t lx, size_t ly, const char* name) {
    if (a->n > 48) return fail(NK_ERR_ARGUMENT, "%s: too many kernel arguments", name);
    if (dev->cuda) {
        void* fn = NULL;
        void* params[48];
        cu.ctx_set_current(dev->cu_context);
        int r = cu.module_get_function(&fn, dev->cu_module, a->name);
        if (r != 0) return fail(NK_ERR_OPENCL, "%s: cuModuleGetFunction failed (CUresult %d)", name, r);
        for (int i = 0; i < a->n; i++) params[i] = &a->arg[i].v;
        r = cu.launch_kernel(fn, (unsigned) ((gx + lx - 1) / lx), (unsigned) ((gy + ly - 1) / ly), 1, (unsigned) lx, (unsigned) ly, 1, 0, NULL, params, NULL);
        return r == 0 ? NK_OK : fail(NK_ERR_OPENCL, "%s: cuLaunchKernel failed (CUresult %d)", name, r);
    }
    cl_int err;
    cl_kernel k = clCreateKernel(dev->program, a->name, &err);
    if (err != CL_SUCCESS) return fail(NK_ERR_OPENCL, "clCreateKernel(%s) failed: %d", a->name, err);
    for (int i = 0; i < a->n && err == CL_SUCCESS; i++) {
        switch (a->arg[i].kind) {
            case ARG_INT: err = clSetKernelArg(k, (cl_uint) i, sizeof(int), &a->arg[i].v.i); break;
            case ARG_FLOAT: err = clSetKernelArg(k, (cl_uint) i, sizeof(float), &a->arg[i].v.f); break;
            default: err = clSetKernelArg(k, (cl_uint) i, sizeof(cl_mem), &a->arg[i].v.mem);
        }
        if (err != CL_SUCCESS) {
            clReleaseKernel(k);
            return fail(NK_ERR_OPENCL, "%s: clSetKernelArg %d failed: %d", name, i, err);
        }
    }
    size_t global[2] = {(gx + lx - 1) / lx * lx, (gy + ly - 1) / ly * ly}, local[2] = {lx, ly};
    err = clEnqueueNDRangeKernel(dev->queue, k, 2, NULL, global, local, 0, NULL, NULL);
    clReleaseKernel(k);
    return err == CL_SUCCESS ? NK_OK : fail(NK_ERR_OPENCL, "%s: clEnqueueNDRangeKernel failed: %d", name, err);
}

static nk_status kernel(nk_device* dev, const char* name, args_t* a) {
    (void) dev;
    a->name = name;
    a->n = 0;
    return NK_OK;
}

static nk_status gemm_launch(nk_device* dev, int m, int n, int k, const nk_buffer* a, int ta, const nk_buffer* b, int tb, const nk_buffer* c,
                             float alpha, float beta, int epilogue, const nk_buffer* bias, int act, const nk_buffer* pre,
                             const nk_buffer* deriv, int from_output, const nk_buffer* vb, float mu) {
    args_t g;
    REQUIRE(kernel(dev, "nk_gemm", &g));
    arg_int(&g, m); arg_int(&g, n); arg_int(&g, k);
    arg_matrix(&g, a); arg_int(&g, ta);
    arg_matrix(&g, b); arg_int(&g, tb);
    arg_matrix(&g, c); arg_float(&g, alpha); arg_float(&g, beta); arg_int(&g, epilogue);
    arg_matrix(&g, bias ? bias : dev->placeholder); arg_int(&g, bias != NULL);
    arg_int(&g, act);
    arg_matrix(&g, pre ? pre : dev->placeholder); arg_int(&g, pre != NULL);
    arg_matrix(&g, deriv ? deriv : dev->placeholder); arg_int(&g, from_output);
    arg_matrix(&g, vb ? vb : dev->placeholder); arg_float(&g, mu);
    return launch(dev, &g, (size_t) (n + 63) / 64 * 16, (size_t) (m + 63) / 64 * 16, 16, 16, "nk_gemm");
}

#define LOCKED(dev, body)                         \
    do {                                          \
        pthread_mutex_lock(&(dev)->lock);         \
        nk_status r_ = (body);                    \
        pthread_mutex_unlock(&(dev)->lock);       \
        return r_;                                \
    } while (0)

static int valid_activation(int act) { return act >= NK_IDENTITY && act <= NK_SOFTPLUS; }

nk_status nk_gemm(nk_device* dev, int trans_a, int trans_b, float alpha, nk_buffer* a, nk_buffer* b, float beta, nk_buffer* c) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_gemm: device is NULL");
    REQUIRE(usable(dev, a, "a"));
    REQUIRE(usable(dev, b, "b"));
    REQUIRE(usable(dev, c, "c"));
    int m = trans_a ? a->cols : a->rows, k = trans_a ? a->rows : a->cols;
    int kb = trans_b ? b->cols : b->rows, n = trans_b ? b->rows : b->cols;
    if (k != kb) return fail(NK_ERR_ARGUMENT, "nk_gemm: op(a) is %dx%d but op(b) is %dx%d", m, k, kb, n);
    if (c->rows != m || c->cols != n) return fail(NK_ERR_ARGUMENT, "nk_gemm: c is %dx%d, expected %dx%d", c->rows, c->cols, m, n);
    if (c == a || c == b) return fail(NK_ERR_ARGUMENT, "nk_gemm: c must not be a or b");
    LOCKED(dev, gemm_launch(dev, m, n, k, a, trans_a != 0, b, trans_b != 0, c, alpha, beta, 0, NULL, 0, NULL, NULL, 0, NULL, 0.0f));
}

nk_status nk_dense_forward(nk_device* dev, nk_buffer* x, nk_buffer* w, nk_buffer* bias, int activation, nk_buffer* out, nk_buffer* pre) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: device is NULL");
    REQUIRE(usable(dev, x, "x"));
    REQUIRE(usable(dev, w, "w"));
    REQUIRE(usable(dev, out, "out"));
    if (!valid_activation(activation)) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: activation %d", activation);
    if (x->cols != w->cols) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: x is %dx%d but w is %dx%d", x->rows, x->cols, w->rows, w->cols);
    if (out->rows != x->rows || out->cols != w->rows) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: out is %dx%d, expected %dx%d", out->rows, out->cols, x->rows, w->rows);
    if (bias) {
        REQUIRE(usable(dev, bias, "bias"));
        if (bias->rows != 1 || bias->cols != w->rows) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: bias is %dx%d, expected 1x%d", bias->rows, bias->cols, w->rows);
    }
    if (pre) {
        REQUIRE(usable(dev, pre, "pre"));
        REQUIRE(same_shape(out, pre, "out", "pre"));
        if (pre == out) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: pre must not be out");
    }
    if (out == x || out == w || out == bias) return fail(NK_ERR_ARGUMENT, "nk_dense_forward: out must not alias an input");
    LOCKED(dev, gemm_launch(dev, x->rows, w->rows, x->cols, x, 0, w, 1, out, 1.0f, 0.0f, 1, bias, activation, pre, NULL, 0, NULL, 0.0f));
}

nk_status nk_backward_delta(nk_device* dev, nk_buffer* delta, int trans_m, nk_buffer* m, nk_buffer* a, int activation, int from_output, nk_buffer* out) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_backward_delta: device is NULL");
    REQUIRE(usable(dev, delta, "delta"));
    REQUIRE(usable(dev, m, "m"));
    REQUIRE(usable(dev, a, "a"));
    REQUIRE(usable(dev, out, "out"));
    if (!valid_activation(activation)) return fail(NK_ERR_ARGUMENT, "nk_backward_delta: activation %d", activation);
    int p = trans_m ? m->cols : m->rows, q = trans_m ? m->rows : m->cols;
    if (delta->cols != p) return fail(NK_ERR_ARGUMENT, "nk_backward_delta: delta is %dx%d but op(m) is %dx%d", delta->rows, delta->cols, p, q);
    if (out->rows != delta->rows || out->cols != q) return fail(NK_ERR_ARGUMENT, "nk_backward_delta: out is %dx%d, expected %dx%d", out->rows, out->cols, delta->rows, q);
    REQUIRE(same_shape(out, a, "out", "a"));
    if (out == delta || out == m || out == a) return fail(NK_ERR_ARGUMENT, "nk_backward_delta: out must not alias an input");
    LOCKED(dev, gemm_launch(dev, out->rows, out->cols, delta->cols, delta, 0, m, trans_m != 0, out, 1.0f, 0.0f, 2, NULL, activation, NULL, a, from_output != 0, NULL, 0.0f));
}

nk_status nk_dense_update(nk_device* dev, float lr, float decay, float mu, nk_buffer* delta, nk_buffer* h,
                          nk_buffer* w, nk_buffer* b, nk_buffer* vw, nk_buffer* vb, nk_buffer* feedback) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_dense_update: device is NULL");
    REQUIRE(usable(dev, delta, "delta"));
    REQUIRE(usable(dev, h, "h"));
    REQUIRE(usable(dev, w, "w"));
    if (delta->rows != h->rows) return fail(NK_ERR_ARGUMENT, "nk_dense_update: delta is %dx%d but h is %dx%d (same batch rows needed)", delta->rows, delta->cols, h->rows, h->cols);
    if (w->rows != delta->cols || w->cols != h->cols) return fail(NK_ERR_ARGUMENT, "nk_dense_update: w is %dx%d, expected %dx%d", w->rows, w->cols, delta->cols, h->cols);
    if (b) {
        REQUIRE(usable(dev, b, "b"));
        if (b->rows != 1 || b->cols != w->rows) return fail(NK_ERR_ARGUMENT, "nk_dense_update: b is %dx%d, expected 1x%d", b->rows, b->cols, w->rows);
    }
    if (mu != 0.0f) {
        if (!vw) return fail(NK_ERR_ARGUMENT, "nk_dense_update: momentum %g needs vw", mu);
        REQUIRE(usable(dev, vw, "vw"));
        REQUIRE(same_shape(w, vw, "w", "vw"));
        if (b) {
            if (!vb) return fail(NK_ERR_ARGUMENT, "nk_dense_update: momentum %g with b needs vb", mu);
            REQUIRE(usable(dev, vb, "vb"));
            REQUIRE(same_shape(b, vb, "b", "vb"));
        }
    } else {
        vw = NULL;
        vb = NULL;
    }
    if (feedback) {
        REQUIRE(usable(dev, feedback, "feedback"));
        REQUIRE(same_shape(w, feedback, "w", "feedback"));
    }
    const nk_buffer* written[] = {w, b, vw, vb, feedback};
    for (int i = 0; i < 5; i++) {
        if (!written[i]) continue;
        if (written[i] == delta || written[i] == h) return fail(NK_ERR_ARGUMENT, "nk_dense_update: an updated buffer aliases delta or h");
        for (int j = i + 1; j < 5; j++) if (written[i] == written[j]) return fail(NK_ERR_ARGUMENT, "nk_dense_update: updated buffers must be distinct");
    }
    LOCKED(dev, gemm_launch(dev, w->rows, w->cols, delta->rows, delta, 1, h, 0, w, lr, decay, 3, b, NK_IDENTITY, vw, feedback, feedback != NULL, vb, mu));
}

static nk_status update(nk_device* dev, const char* name, float lr, float decay, float mu, nk_buffer* w, nk_buffer* b, nk_buffer* grad, nk_buffer* velocity) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "%s: device is NULL", name);
    REQUIRE(usable(dev, w, "w"));
    REQUIRE(usable(dev, grad, "grad"));
    REQUIRE(same_shape(w, grad, "w", "grad"));
    if (b) {
        REQUIRE(usable(dev, b, "b"));
        REQUIRE(same_shape(w, b, "w", "b"));
    }
    if (mu != 0.0f && !velocity) return fail(NK_ERR_ARGUMENT, "%s: momentum %g needs a velocity buffer", name, mu);
    if (velocity) {
        REQUIRE(usable(dev, velocity, "velocity"));
        REQUIRE(same_shape(w, velocity, "w", "velocity"));
    }
    if (w == grad || w == velocity || grad == velocity || (b && (b == w || b == grad || b == velocity))) {
        return fail(NK_ERR_ARGUMENT, "%s: buffers must be distinct", name);
    }
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, name, &g);
    if (s == NK_OK) {
        arg_int(&g, 1); arg_int(&g, w->rows * w->cols);   /* contiguous: one row, as the Java host passes it */
        arg_float(&g, lr); arg_float(&g, decay); arg_float(&g, mu);
        arg_matrix(&g, w);
        if (b) arg_matrix(&g, b);
        arg_matrix(&g, grad);
        arg_matrix(&g, velocity ? velocity : dev->placeholder); arg_int(&g, velocity != NULL);
        s = launch(dev, &g, (size_t) w->rows * w->cols, 1, 256, 1, name);
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

nk_status nk_sgd_update(nk_device* dev, float lr, float decay, float mu, nk_buffer* w, nk_buffer* grad, nk_buffer* velocity) {
    return update(dev, "nk_sgd_update", lr, decay, mu, w, NULL, grad, velocity);
}

nk_status nk_kp_update(nk_device* dev, float lr, float decay, float mu, nk_buffer* w, nk_buffer* b, nk_buffer* grad, nk_buffer* velocity) {
    if (!b) return fail(NK_ERR_ARGUMENT, "nk_kp_update: b is NULL");
    return update(dev, "nk_kp_update", lr, decay, mu, w, b, grad, velocity);
}

nk_status nk_softmax_xent(nk_device* dev, nk_buffer* logits, nk_buffer* targets, nk_buffer* probs, nk_buffer* grad, nk_buffer* loss) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_softmax_xent: device is NULL");
    REQUIRE(usable(dev, logits, "logits"));
    REQUIRE(usable(dev, targets, "targets"));
    REQUIRE(usable(dev, probs, "probs"));
    REQUIRE(usable(dev, grad, "grad"));
    REQUIRE(usable(dev, loss, "loss"));
    REQUIRE(same_shape(logits, targets, "logits", "targets"));
    REQUIRE(same_shape(logits, probs, "logits", "probs"));
    REQUIRE(same_shape(logits, grad, "logits", "grad"));
    if (loss->rows != logits->rows || loss->cols != 1) return fail(NK_ERR_ARGUMENT, "nk_softmax_xent: loss is %dx%d, expected %dx1", loss->rows, loss->cols, logits->rows);
    const nk_buffer* all[] = {logits, targets, probs, grad, loss};
    for (int i = 0; i < 5; i++) for (int j = i + 1; j < 5; j++) if (all[i] == all[j]) return fail(NK_ERR_ARGUMENT, "nk_softmax_xent: buffers must be distinct");
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_softmax_xent", &g);
    if (s == NK_OK) {
        arg_int(&g, logits->rows); arg_int(&g, logits->cols);
        arg_matrix(&g, logits); arg_matrix(&g, targets); arg_matrix(&g, probs); arg_matrix(&g, grad); arg_matrix(&g, loss);
        s = launch(dev, &g, (size_t) logits->rows, 1, 256, 1, "nk_softmax_xent");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

/* The device's logits scratch shaped rows x cols (a new one when the shape changes; the old one is freed
   after the work queued before, as nk_free does). Called with the device locked. */
static nk_status logits_scratch(nk_device* dev, int rows, int cols, nk_buffer** out) {
    nk_buffer* old = dev->logits;
    if (old && old->rows == rows && old->cols == cols) {
        *out = old;
        return NK_OK;
    }
    if (old) {
        release_unlocked(dev, old);
        dev->logits = NULL;
    }
    REQUIRE(alloc_unlocked(dev, rows, cols, &dev->logits));
    *out = dev->logits;
    return NK_OK;
}

static nk_status output_layer_locked(nk_device* dev, nk_buffer* h, nk_buffer* w, nk_buffer* b, nk_buffer* targets, nk_buffer* m, int activation,
                                     nk_buffer* probs, nk_buffer* grad, nk_buffer* loss, nk_buffer* delta) {
    int rows = h->rows, c = w->rows, q = h->cols;
    if (!dev->cuda && c <= 16) {
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
        return launch(dev, &g, (size_t) (rows + 3) / 4, 1, 1, 1, "nk_output_layer16");
    }
    nk_buffer* z;
    REQUIRE(logits_scratch(dev, rows, c, &z));
    REQUIRE(gemm_launch(dev, rows, c, q, h, 0, w, 1, z, 1.0f, 0.0f, 1, b, NK_IDENTITY, NULL, NULL, 0, NULL, 0.0f));
    args_t g;
    REQUIRE(kernel(dev, "nk_softmax_xent", &g));
    arg_int(&g, rows); arg_int(&g, c);
    arg_matrix(&g, z); arg_matrix(&g, targets); arg_matrix(&g, probs); arg_matrix(&g, grad); arg_matrix(&g, loss);
    REQUIRE(launch(dev, &g, (size_t) rows, 1, 256, 1, "nk_softmax_xent"));
    if (!m) return NK_OK;
    return gemm_launch(dev, rows, q, c, grad, 0, m, 0, delta, 1.0f, 0.0f, 2, NULL, activation, NULL, h, 1, NULL, 0.0f);
}

nk_status nk_output_layer(nk_device* dev, nk_buffer* h, nk_buffer* w, nk_buffer* b, nk_buffer* targets, nk_buffer* m, int activation,
                          nk_buffer* probs, nk_buffer* grad, nk_buffer* loss, nk_buffer* delta) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_output_layer: device is NULL");
    REQUIRE(usable(dev, h, "h"));
    REQUIRE(usable(dev, w, "w"));
    REQUIRE(usable(dev, targets, "targets"));
    REQUIRE(usable(dev, probs, "probs"));
    REQUIRE(usable(dev, grad, "grad"));
    REQUIRE(usable(dev, loss, "loss"));
    if (!valid_activation(activation)) return fail(NK_ERR_ARGUMENT, "nk_output_layer: activation %d", activation);
    if (w->cols != h->cols) return fail(NK_ERR_ARGUMENT, "nk_output_layer: w is %dx%d but h is %dx%d", w->rows, w->cols, h->rows, h->cols);
    if (b) {
        REQUIRE(usable(dev, b, "b"));
        if (b->rows != 1 || b->cols != w->rows) return fail(NK_ERR_ARGUMENT, "nk_output_layer: b is %dx%d, expected 1x%d", b->rows, b->cols, w->rows);
    }
    if (targets->rows != h->rows || targets->cols != w->rows) {
        return fail(NK_ERR_ARGUMENT, "nk_output_layer: targets are %dx%d, expected %dx%d", targets->rows, targets->cols, h->rows, w->rows);
    }
    REQUIRE(same_shape(targets, probs, "targets", "probs"));
    REQUIRE(same_shape(targets, grad, "targets", "grad"));
    if (loss->rows != h->rows || loss->cols != 1) return fail(NK_ERR_ARGUMENT, "nk_output_layer: loss is %dx%d, expected %dx1", loss->rows, loss->cols, h->rows);
    if ((m == NULL) != (delta == NULL)) return fail(NK_ERR_ARGUMENT, "nk_output_layer: m and delta go together (both or neither)");
    if (m) {
        REQUIRE(usable(dev, m, "m"));
        REQUIRE(usable(dev, delta, "delta"));
        REQUIRE(same_shape(w, m, "w", "m"));
        REQUIRE(same_shape(h, delta, "h", "delta"));
    }
    const nk_buffer* ins[] = {h, w, b, targets, m};
    const nk_buffer* outs[] = {probs, grad, loss, delta};
    for (int i = 0; i < 4; i++) {
        if (!outs[i]) continue;
        for (int j = 0; j < 5; j++) if (outs[i] == ins[j]) return fail(NK_ERR_ARGUMENT, "nk_output_layer: an output aliases an input");
        for (int j = i + 1; j < 4; j++) if (outs[i] == outs[j]) return fail(NK_ERR_ARGUMENT, "nk_output_layer: outputs must be distinct");
    }
    LOCKED(dev, output_layer_locked(dev, h, w, b, targets, m, activation, probs, grad, loss, delta));
}

nk_status nk_random_uniform(nk_device* dev, uint64_t seed, int stream, int draw, float lo, float hi, nk_buffer* out) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_random_uniform: device is NULL");
    REQUIRE(usable(dev, out, "out"));
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi)) return fail(NK_ERR_ARGUMENT, "nk_random_uniform: need finite lo < hi");
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_random_uniform", &g);
    if (s == NK_OK) {
        arg_int(&g, out->rows); arg_int(&g, out->cols);
        arg_int(&g, (int) (uint32_t) seed); arg_int(&g, (int) (uint32_t) (seed >> 32)); arg_int(&g, stream); arg_int(&g, draw);
        arg_float(&g, lo); arg_float(&g, hi);
        arg_matrix(&g, out);
        s = launch(dev, &g, ((size_t) out->rows * out->cols + 3) / 4, 1, 256, 1, "nk_random_uniform");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

nk_status nk_philox(nk_device* dev, nk_buffer* counter, nk_buffer* key, nk_buffer* out) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_philox: device is NULL");
    REQUIRE(usable(dev, counter, "counter"));
    REQUIRE(usable(dev, key, "key"));
    REQUIRE(usable(dev, out, "out"));
    if (counter->cols != 4 || key->cols != 2 || out->cols != 4 || key->rows != counter->rows || out->rows != counter->rows) {
        return fail(NK_ERR_ARGUMENT, "nk_philox: counter %dx%d, key %dx%d, out %dx%d; expected n x 4, n x 2, n x 4",
                    counter->rows, counter->cols, key->rows, key->cols, out->rows, out->cols);
    }
    if (out == counter || out == key) return fail(NK_ERR_ARGUMENT, "nk_philox: out must not alias an input");
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_philox", &g);
    if (s == NK_OK) {
        arg_int(&g, counter->rows);
        arg_matrix(&g, counter); arg_matrix(&g, key); arg_matrix(&g, out);
        s = launch(dev, &g, (size_t) counter->rows, 1, 256, 1, "nk_philox");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

/* P21 of iaf_psc_exp, stable as tau_s approaches tau_m (org.neurokernels.dynamics.LifParameters.p21). */
static double p21(double h, double tau_m, double tau_s, double cm) {
    double d = 1 / tau_m - 1 / tau_s;
    if (fabs(d) * h < 1e-12) return h / cm * exp(-h / tau_m);
    return tau_m * tau_s / (cm * (tau_s - tau_m)) * exp(-h / tau_m) * expm1(h * d);
}

nk_status nk_lif_step(nk_device* dev, const nk_lif_params* p, double dt, double tau_rate,
                      nk_buffer* v, nk_buffer* i_e, nk_buffer* i_i, nk_buffer* refractory,
                      nk_buffer* i_ext, nk_buffer* syn_e, nk_buffer* syn_i,
                      nk_buffer* spikes, nk_buffer* rate, nk_buffer* count) {
    if (!dev || !p) return fail(NK_ERR_ARGUMENT, "nk_lif_step: device or parameters NULL");
    if (!(p->tau_m > 0 && p->cm > 0 && p->tau_syn_e > 0 && p->tau_syn_i > 0 && p->tau_refrac >= 0 && p->v_thresh > p->v_reset && dt > 0 && tau_rate > 0)) {
        return fail(NK_ERR_ARGUMENT, "nk_lif_step: need tau_m, cm, tau_syn > 0, tau_refrac >= 0, v_thresh > v_reset, dt > 0, tau_rate > 0");
    }
    nk_buffer* state[] = {v, i_e, i_i, refractory, spikes, rate, count};
    const char* names[] = {"v", "i_e", "i_i", "refractory", "spikes", "rate", "count"};
    for (int k = 0; k < 7; k++) {
        REQUIRE(usable(dev, state[k], names[k]));
        REQUIRE(same_shape(v, state[k], "v", names[k]));
        for (int q = 0; q < k; q++) if (state[q] == state[k]) return fail(NK_ERR_ARGUMENT, "nk_lif_step: '%s' and '%s' are the same buffer", names[q], names[k]);
    }
    nk_buffer* inputs[] = {i_ext, syn_e, syn_i};
    const char* in_names[] = {"i_ext", "syn_e", "syn_i"};
    for (int k = 0; k < 3; k++) {
        if (!inputs[k]) continue;
        REQUIRE(usable(dev, inputs[k], in_names[k]));
        REQUIRE(same_shape(v, inputs[k], "v", in_names[k]));
        for (int q = 0; q < 7; q++) if (state[q] == inputs[k]) return fail(NK_ERR_ARGUMENT, "nk_lif_step: '%s' is also '%s'", in_names[k], names[q]);
    }
    double h = dt;
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_lif_step", &g);
    if (s == NK_OK) {
        arg_int(&g, 1); arg_int(&g, v->rows * v->cols);
        arg_float(&g, (float) exp(-h / p->tau_m));
        arg_float(&g, (float) p21(h, p->tau_m, p->tau_syn_e, p->cm));
        arg_float(&g, (float) p21(h, p->tau_m, p->tau_syn_i, p->cm));
        arg_float(&g, (float) (-expm1(-h / p->tau_m) * p->tau_m / p->cm));
        arg_float(&g, (float) exp(-h / p->tau_syn_e));
        arg_float(&g, (float) exp(-h / p->tau_syn_i));
        arg_float(&g, (float) p->v_rest); arg_float(&g, (float) p->v_reset); arg_float(&g, (float) p->v_thresh); arg_float(&g, (float) p->i_offset);
        arg_int(&g, (int) lround(p->tau_refrac / h));
        arg_float(&g, (float) exp(-h / tau_rate)); arg_float(&g, (float) (1 / tau_rate));
        arg_matrix(&g, v); arg_matrix(&g, i_e); arg_matrix(&g, i_i); arg_matrix(&g, refractory);
        arg_matrix(&g, i_ext ? i_ext : dev->placeholder); arg_int(&g, i_ext != NULL);
        arg_matrix(&g, syn_e ? syn_e : dev->placeholder); arg_int(&g, syn_e != NULL);
        arg_matrix(&g, syn_i ? syn_i : dev->placeholder); arg_int(&g, syn_i != NULL);
        arg_matrix(&g, spikes); arg_matrix(&g, rate); arg_matrix(&g, count);
        s = launch(dev, &g, (size_t) v->rows * v->cols, 1, 256, 1, "nk_lif_step");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

nk_status nk_rate_step(nk_device* dev, int activation, int exponential_euler, nk_buffer* r, nk_buffer* x, nk_buffer* c, nk_buffer* tau,
                       float noise_scale, uint64_t seed, int stream, int step) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_rate_step: device is NULL");
    if (!valid_activation(activation)) return fail(NK_ERR_ARGUMENT, "nk_rate_step: activation %d", activation);
    REQUIRE(usable(dev, r, "r"));
    REQUIRE(usable(dev, x, "x"));
    REQUIRE(usable(dev, c, "c"));
    REQUIRE(same_shape(r, x, "r", "x"));
    if (c->rows != 1 || c->cols != r->cols) return fail(NK_ERR_ARGUMENT, "nk_rate_step: c is %dx%d, expected 1x%d", c->rows, c->cols, r->cols);
    if (noise_scale != 0.0f) {
        if (!tau) return fail(NK_ERR_ARGUMENT, "nk_rate_step: noise needs tau");
        REQUIRE(usable(dev, tau, "tau"));
        if (tau->rows != 1 || tau->cols != r->cols) return fail(NK_ERR_ARGUMENT, "nk_rate_step: tau is %dx%d, expected 1x%d", tau->rows, tau->cols, r->cols);
    }
    if (r == x || r == c || r == tau) return fail(NK_ERR_ARGUMENT, "nk_rate_step: r must not alias an input");
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_rate_step", &g);
    if (s == NK_OK) {
        arg_int(&g, r->rows); arg_int(&g, r->cols); arg_int(&g, activation); arg_int(&g, exponential_euler != 0);
        arg_matrix(&g, r); arg_matrix(&g, x); arg_matrix(&g, c); arg_matrix(&g, noise_scale != 0.0f ? tau : dev->placeholder);
        arg_float(&g, noise_scale); arg_int(&g, (int) (uint32_t) seed); arg_int(&g, (int) (uint32_t) (seed >> 32)); arg_int(&g, stream); arg_int(&g, step);
        s = launch(dev, &g, (size_t) r->rows * r->cols, 1, 256, 1, "nk_rate_step");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

nk_status nk_izhikevich_step(nk_device* dev, float dt, nk_buffer* v, nk_buffer* u, nk_buffer* abcd, nk_buffer* i_ext, nk_buffer* syn,
                             nk_buffer* spikes, nk_buffer* count) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_izhikevich_step: device is NULL");
    if (!(dt > 0)) return fail(NK_ERR_ARGUMENT, "nk_izhikevich_step: dt must be positive");
    nk_buffer* state[] = {v, u, spikes, count};
    const char* names[] = {"v", "u", "spikes", "count"};
    for (int k = 0; k < 4; k++) {
        REQUIRE(usable(dev, state[k], names[k]));
        REQUIRE(same_shape(v, state[k], "v", names[k]));
        for (int q = 0; q < k; q++) if (state[q] == state[k]) return fail(NK_ERR_ARGUMENT, "nk_izhikevich_step: '%s' and '%s' are the same buffer", names[q], names[k]);
    }
    REQUIRE(usable(dev, abcd, "abcd"));
    if (abcd->rows != 4 || abcd->cols != v->cols) return fail(NK_ERR_ARGUMENT, "nk_izhikevich_step: abcd is %dx%d, expected 4x%d", abcd->rows, abcd->cols, v->cols);
    nk_buffer* inputs[] = {i_ext, syn};
    for (int k = 0; k < 2; k++) {
        if (!inputs[k]) continue;
        REQUIRE(usable(dev, inputs[k], k ? "syn" : "i_ext"));
        REQUIRE(same_shape(v, inputs[k], "v", k ? "syn" : "i_ext"));
        for (int q = 0; q < 4; q++) if (state[q] == inputs[k]) return fail(NK_ERR_ARGUMENT, "nk_izhikevich_step: an input is also '%s'", names[q]);
    }
    for (int q = 0; q < 4; q++) if (state[q] == abcd) return fail(NK_ERR_ARGUMENT, "nk_izhikevich_step: abcd is also '%s'", names[q]);
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_izhikevich_step", &g);
    if (s == NK_OK) {
        arg_int(&g, v->rows); arg_int(&g, v->cols); arg_float(&g, dt);
        arg_matrix(&g, v); arg_matrix(&g, u); arg_matrix(&g, abcd);
        arg_matrix(&g, i_ext ? i_ext : dev->placeholder); arg_int(&g, i_ext != NULL);
        arg_matrix(&g, syn ? syn : dev->placeholder); arg_int(&g, syn != NULL);
        arg_matrix(&g, spikes); arg_matrix(&g, count);
        s = launch(dev, &g, (size_t) v->rows * v->cols, 1, 256, 1, "nk_izhikevich_step");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

nk_status nk_poisson(nk_device* dev, float dt, nk_buffer* rate, uint64_t seed, int stream, int step, nk_buffer* spikes, nk_buffer* count) {
    if (!dev) return fail(NK_ERR_ARGUMENT, "nk_poisson: device is NULL");
    REQUIRE(usable(dev, rate, "rate"));
    REQUIRE(usable(dev, spikes, "spikes"));
    REQUIRE(usable(dev, count, "count"));
    REQUIRE(same_shape(spikes, count, "spikes", "count"));
    if (rate->rows != 1 || rate->cols != spikes->cols) return fail(NK_ERR_ARGUMENT, "nk_poisson: rate is %dx%d, expected 1x%d", rate->rows, rate->cols, spikes->cols);
    if (spikes == count || rate == spikes || rate == count) return fail(NK_ERR_ARGUMENT, "nk_poisson: buffers must be distinct");
    pthread_mutex_lock(&dev->lock);
    args_t g;
    nk_status s = kernel(dev, "nk_poisson", &g);
    if (s == NK_OK) {
        arg_int(&g, spikes->rows); arg_int(&g, spikes->cols); arg_float(&g, dt);
        arg_matrix(&g, rate);
        arg_int(&g, (int) (uint32_t) seed); arg_int(&g, (int) (uint32_t) (seed >> 32)); arg_int(&g, stream); arg_int(&g, step);
        arg_matrix(&g, spikes); arg_matrix(&g, count);
        s = launch(dev, &g, (size_t) spikes->rows * spikes->cols, 1, 256, 1, "nk_poisson");
    }
    pthread_mutex_unlock(&dev->lock);
    return s;
}

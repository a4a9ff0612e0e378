// The CUDA driver API of the CPU stand-in: the cu* functions the project's two hosts call (JCuda's
// CudaDevice and native/src/neurokernels.c), with the real driver's names (the _v2 ones where the real
// libcuda.so.1 has them), argument conventions and error codes, plus their close neighbours (explicit
// contexts, streams, events, pinned memory). Every other cu* symbol JCuda's JNI library links against is
// a stub in stubs.c that returns CUDA_ERROR_NOT_SUPPORTED.
//
// Device memory is host memory: a CUdeviceptr is the address of a 256-byte aligned heap block, filled with
// NaN bytes when allocated (NK_STANDIN_FILL=nan, the default; zero or none otherwise), so that code that
// reads memory it never wrote shows it. Copies and memsets must lie inside one allocation, and every
// pointer argument of a launch must be 0 or point into one; both are what a real GPU would fault on or
// read garbage from. Launches are synchronous and run on the block scheduler of runtime.cpp.
//
// Environment: NK_STANDIN_THREADS (worker threads), NK_STANDIN_DEVICES (devices, default 1),
// NK_STANDIN_MEMORY_MB (the device's memory), NK_STANDIN_FILL, NK_STANDIN_TRACE=1 (every launch with its
// decoded arguments on stderr), NK_STANDIN_STRICT=1 (suspicious launches fail instead of warning),
// NK_STANDIN_STACK_KB (fiber stack size).
#include "runtime.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#define NK_API extern "C" __attribute__((visibility("default")))

namespace {

// ---- the driver's types and codes (values as in the CUDA headers) ----
typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
struct Context;
struct Module;
struct Function;
struct Stream;
struct Event;
typedef Context* CUcontext;
typedef Module* CUmodule;
typedef Function* CUfunction;
typedef Stream* CUstream;
typedef Event* CUevent;

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_DEINITIALIZED = 4,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_FILE_NOT_FOUND = 301,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE = 708,
    CUDA_ERROR_CONTEXT_IS_DESTROYED = 709,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_PERMITTED = 800,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999,
};

struct ErrorText {
    int code;
    const char* name;
    const char* text;
};
const ErrorText kErrors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_DEINITIALIZED, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_FILE_NOT_FOUND, "CUDA_ERROR_FILE_NOT_FOUND", "file not found"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE, "CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE", "primary context active"},
    {CUDA_ERROR_CONTEXT_IS_DESTROYED, "CUDA_ERROR_CONTEXT_IS_DESTROYED", "context is destroyed"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {CUDA_ERROR_NOT_PERMITTED, "CUDA_ERROR_NOT_PERMITTED", "operation not permitted"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

constexpr int kDriverVersion = 12060;
constexpr char kDeviceName[] = "neurokernels CPU stand-in for CUDA";
constexpr int kDefaultDynamicShared = 48 * 1024;
constexpr std::uintptr_t kStreamLegacy = 0x1, kStreamPerThread = 0x2;

// ---- objects ----
struct Context {
    int device = 0;
    bool primary = false;
    bool alive = false;
    int refs = 0;  // primary contexts: cuDevicePrimaryCtxRetain minus Release
    unsigned flags = 0;
};

struct Module {
    Context* ctx = nullptr;
    std::map<const nk_cpu::KernelDesc*, std::unique_ptr<Function>> functions;  // one per kernel, made on demand
};

struct Function {
    Module* module = nullptr;
    const nk_cpu::KernelDesc* desc = nullptr;
    // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: 48 KiB less the static shared memory unless raised
    int max_dynamic_shared = kDefaultDynamicShared;
};

struct Stream {
    Context* ctx = nullptr;
};

struct Event {
    std::chrono::steady_clock::time_point when{};
    bool recorded = false;
};

struct Allocation {
    std::size_t size = 0;
    std::uint64_t id = 0;
    Context* ctx = nullptr;  // null for page-locked host memory
};

enum class Fill { NaN, Zero, None };

struct Driver {
    std::mutex m;
    bool initialized = false;
    int device_count = 1;
    std::vector<std::unique_ptr<Context>> primaries;
    std::set<Context*> contexts;  // live explicit contexts (cuCtxCreate)
    std::set<Module*> modules;
    std::set<Function*> functions;
    std::set<Stream*> streams;
    std::set<Event*> events;
    std::map<std::uintptr_t, Allocation> allocations;
    std::uint64_t next_id = 1;
    std::size_t bytes_in_use = 0;
    std::size_t total_memory = 0;
    Fill fill = Fill::NaN;
    bool trace = false;
    bool strict = false;
    std::set<std::string> warned;
    std::mutex launch_mutex;  // one kernel at a time, as stream 0 runs them
};

Driver& drv() {
    static Driver* d = new Driver();  // never destroyed: host threads may call in during exit
    return *d;
}

thread_local std::vector<Context*> t_ctx_stack;  // the thread's context stack; the top is current

void note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[cuda-standin] %s\n", buf);
}

// a warning printed once per key (the lock is held)
bool first_time(Driver& d, const std::string& key) { return d.warned.insert(key).second; }

std::size_t env_number(const char* name, std::size_t fallback) {
    const char* v = getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const unsigned long long n = strtoull(v, &end, 10);
    return end && *end == 0 ? (std::size_t) n : fallback;
}

bool env_flag(const char* name) {
    const char* v = getenv(name);
    return v && (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"));
}

void configure(Driver& d) {
    d.device_count = (int) env_number("NK_STANDIN_DEVICES", 1);
    if (d.device_count < 0 || d.device_count > 64) d.device_count = 1;
    const std::size_t host = (std::size_t) sysconf(_SC_PHYS_PAGES) * (std::size_t) sysconf(_SC_PAGESIZE);
    const std::size_t mb = env_number("NK_STANDIN_MEMORY_MB", 0);
    d.total_memory = mb > 0 ? mb << 20 : host / 2;
    const char* fill = getenv("NK_STANDIN_FILL");
    d.fill = !fill || !*fill || !strcasecmp(fill, "nan") ? Fill::NaN : !strcasecmp(fill, "zero") ? Fill::Zero : Fill::None;
    d.trace = env_flag("NK_STANDIN_TRACE");
    d.strict = env_flag("NK_STANDIN_STRICT");
    for (int i = 0; i < d.device_count; i++) {
        auto c = std::make_unique<Context>();
        c->device = i;
        c->primary = true;
        d.primaries.push_back(std::move(c));
    }
}

bool context_alive(Driver& d, Context* c) {
    if (!c) return false;
    if (c->primary) return c->alive;
    return d.contexts.count(c) && c->alive;
}

// the calling thread's current context, or an error (the lock is held)
CUresult current(Driver& d, Context** out) {
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    Context* c = t_ctx_stack.empty() ? nullptr : t_ctx_stack.back();
    if (!context_alive(d, c)) return CUDA_ERROR_INVALID_CONTEXT;
    *out = c;
    return CUDA_SUCCESS;
}

const Allocation* find_allocation(Driver& d, std::uintptr_t p, std::uintptr_t* base) {
    auto it = d.allocations.upper_bound(p);
    if (it == d.allocations.begin()) return nullptr;
    --it;
    if (p - it->first > it->second.size) return nullptr;  // one past the end still belongs to it
    *base = it->first;
    return &it->second;
}

// [p, p + bytes) inside one allocation?
bool inside(Driver& d, std::uintptr_t p, std::size_t bytes) {
    std::uintptr_t base = 0;
    const Allocation* a = find_allocation(d, p, &base);
    return a && bytes <= a->size - (p - base);
}

CUresult range_error(const char* call, std::uintptr_t p, std::size_t bytes) {
    Driver& d = drv();
    std::uintptr_t base = 0;
    const Allocation* a = find_allocation(d, p, &base);
    if (a) {
        note("%s: %zu bytes at byte %zu of buffer #%llu (%zu bytes) run past its end", call, bytes, (std::size_t) (p - base),
             (unsigned long long) a->id, a->size);
    } else {
        note("%s: 0x%llx is not device memory allocated by cuMemAlloc (or it was freed)", call, (unsigned long long) p);
    }
    return CUDA_ERROR_INVALID_VALUE;
}

void free_context_resources(Driver& d, Context* c) {
    for (auto it = d.modules.begin(); it != d.modules.end();) {
        Module* m = *it;
        if (m->ctx != c) {
            ++it;
            continue;
        }
        for (auto& f : m->functions) {
            d.functions.erase(f.second.get());
        }
        it = d.modules.erase(it);
        delete m;
    }
    for (auto it = d.streams.begin(); it != d.streams.end();) {
        if ((*it)->ctx == c) {
            delete *it;
            it = d.streams.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = d.allocations.begin(); it != d.allocations.end();) {
        if (it->second.ctx == c) {
            d.bytes_in_use -= it->second.size;
            free(reinterpret_cast<void*>(it->first));
            it = d.allocations.erase(it);
        } else {
            ++it;
        }
    }
}

bool valid_stream(Driver& d, CUstream s) {
    const auto v = reinterpret_cast<std::uintptr_t>(s);
    return v == 0 || v == kStreamLegacy || v == kStreamPerThread || d.streams.count(s);
}

CUresult allocate(Driver& d, Context* ctx, void** out, std::size_t bytes) {
    if (bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    if (ctx && bytes > d.total_memory - d.bytes_in_use) return CUDA_ERROR_OUT_OF_MEMORY;
    void* p = nullptr;
    if (posix_memalign(&p, 256, bytes) != 0 || !p) return CUDA_ERROR_OUT_OF_MEMORY;
    if (d.fill == Fill::NaN) memset(p, 0xff, bytes);
    else if (d.fill == Fill::Zero) memset(p, 0, bytes);
    Allocation a;
    a.size = bytes;
    a.id = d.next_id++;
    a.ctx = ctx;
    d.allocations[reinterpret_cast<std::uintptr_t>(p)] = a;
    if (ctx) d.bytes_in_use += bytes;
    *out = p;
    return CUDA_SUCCESS;
}

CUresult release(Driver& d, std::uintptr_t p, bool host) {
    auto it = d.allocations.find(p);
    if (it == d.allocations.end() || (it->second.ctx == nullptr) != host) {
        note("%s(0x%llx): not the start of a live %s", host ? "cuMemFreeHost" : "cuMemFree", (unsigned long long) p,
             host ? "cuMemAllocHost block" : "cuMemAlloc allocation (freed twice, or offset?)");
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (!host) d.bytes_in_use -= it->second.size;
    free(reinterpret_cast<void*>(p));
    d.allocations.erase(it);
    return CUDA_SUCCESS;
}

CUresult memset_n(std::uintptr_t dst, const void* value, std::size_t width, std::size_t n, const char* call) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (n == 0) return CUDA_SUCCESS;
    if (dst % width != 0) return CUDA_ERROR_INVALID_VALUE;
    if (n > SIZE_MAX / width || !inside(d, dst, n * width)) return range_error(call, dst, n * width);
    auto* out = reinterpret_cast<unsigned char*>(dst);
    for (std::size_t i = 0; i < n; i++) memcpy(out + i * width, value, width);
    return CUDA_SUCCESS;
}

enum class Dir { HtoD, DtoH, DtoD, Any };

CUresult copy(void* dst, const void* src, std::size_t bytes, Dir dir, const char* call) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (bytes == 0) return CUDA_SUCCESS;
    if (!dst || !src) return CUDA_ERROR_INVALID_VALUE;
    const auto s = reinterpret_cast<std::uintptr_t>(src), t = reinterpret_cast<std::uintptr_t>(dst);
    if ((dir == Dir::DtoH || dir == Dir::DtoD) && !inside(d, s, bytes)) return range_error(call, s, bytes);
    if ((dir == Dir::HtoD || dir == Dir::DtoD) && !inside(d, t, bytes)) return range_error(call, t, bytes);
    memmove(dst, src, bytes);
    return CUDA_SUCCESS;
}

int attribute_value(int attrib, bool* known) {
    *known = true;
    switch (attrib) {
        case 1: return 1024;                                 // MAX_THREADS_PER_BLOCK
        case 2: return 1024;                                 // MAX_BLOCK_DIM_X
        case 3: return 1024;                                 // MAX_BLOCK_DIM_Y
        case 4: return 64;                                   // MAX_BLOCK_DIM_Z
        case 5: return 2147483647;                           // MAX_GRID_DIM_X
        case 6: return 65535;                                // MAX_GRID_DIM_Y
        case 7: return 65535;                                // MAX_GRID_DIM_Z
        case 8: return kDefaultDynamicShared;                // MAX_SHARED_MEMORY_PER_BLOCK
        case 9: return 65536;                                // TOTAL_CONSTANT_MEMORY
        case 10: return 32;                                  // WARP_SIZE
        case 11: return 2147483647;                          // MAX_PITCH
        case 12: return 65536;                               // MAX_REGISTERS_PER_BLOCK
        case 13: return 1000000;                             // CLOCK_RATE (kHz): nominal, this is not a GPU
        case 14: return 512;                                 // TEXTURE_ALIGNMENT
        case 15: return 1;                                   // GPU_OVERLAP
        case 16: return (int) nk_cpu::worker_count();        // MULTIPROCESSOR_COUNT: the worker threads
        case 17: return 0;                                   // KERNEL_EXEC_TIMEOUT
        case 18: return 0;                                   // INTEGRATED
        case 19: return 1;                                   // CAN_MAP_HOST_MEMORY
        case 20: return 0;                                   // COMPUTE_MODE default
        case 30: return 512;                                 // SURFACE_ALIGNMENT
        case 31: return 1;                                   // CONCURRENT_KERNELS
        case 32: return 0;                                   // ECC_ENABLED
        case 36: return 1000000;                             // MEMORY_CLOCK_RATE
        case 37: return 64;                                  // GLOBAL_MEMORY_BUS_WIDTH
        case 38: return 1 << 20;                             // L2_CACHE_SIZE
        case 39: return 2048;                                // MAX_THREADS_PER_MULTIPROCESSOR
        case 40: return 1;                                   // ASYNC_ENGINE_COUNT
        case 41: return 1;                                   // UNIFIED_ADDRESSING
        case 75: return 9;                                   // COMPUTE_CAPABILITY_MAJOR
        case 76: return 0;                                   // COMPUTE_CAPABILITY_MINOR
        case 79: return 1;                                   // GLOBAL_L1_CACHE_SUPPORTED
        case 80: return 1;                                   // LOCAL_L1_CACHE_SUPPORTED
        case 81: return 233472;                              // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
        case 82: return 65536;                               // MAX_REGISTERS_PER_MULTIPROCESSOR
        case 83: return 1;                                   // MANAGED_MEMORY
        case 86: return 1;                                   // HOST_NATIVE_ATOMIC_SUPPORTED
        case 87: return 2;                                   // SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO
        case 95: return 0;                                   // COOPERATIVE_LAUNCH
        case 97: return (int) nk_cpu::kDynamicSharedMax;     // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        case 106: return 32;                                 // MAX_BLOCKS_PER_MULTIPROCESSOR
        case 111: return 1024;                               // RESERVED_SHARED_MEMORY_PER_BLOCK
        default:
            *known = attrib > 0 && attrib <= 144;  // a real attribute the stand-in has no value for: 0
            return 0;
    }
}

// ---- launching ----
std::string describe_pointer(Driver& d, std::uintptr_t p) {
    char buf[96];
    std::uintptr_t base = 0;
    if (p == 0) return "NULL";
    if (const Allocation* a = find_allocation(d, p, &base)) {
        snprintf(buf, sizeof buf, "buf#%llu+%zu", (unsigned long long) a->id, (std::size_t) (p - base));
    } else {
        snprintf(buf, sizeof buf, "0x%llx(not device memory)", (unsigned long long) p);
    }
    return buf;
}

std::string describe_args(Driver& d, const nk_cpu::KernelDesc* k, const unsigned char* args) {
    std::string s;
    for (int i = 0; i < k->arity; i++) {
        const unsigned char* p = args + k->offsets[i];
        char buf[64];
        switch (k->kinds[i]) {
            case nk_cpu::ARG_INT: { int v; memcpy(&v, p, 4); snprintf(buf, sizeof buf, "%d", v); s += buf; break; }
            case nk_cpu::ARG_UINT: { unsigned v; memcpy(&v, p, 4); snprintf(buf, sizeof buf, "%uu", v); s += buf; break; }
            case nk_cpu::ARG_FLOAT: { float v; memcpy(&v, p, 4); snprintf(buf, sizeof buf, "%.9gf", (double) v); s += buf; break; }
            case nk_cpu::ARG_DOUBLE: { double v; memcpy(&v, p, 8); snprintf(buf, sizeof buf, "%.17g", v); s += buf; break; }
            case nk_cpu::ARG_POINTER: { std::uintptr_t v; memcpy(&v, p, sizeof v); s += describe_pointer(d, v); break; }
            default: snprintf(buf, sizeof buf, "<%zu bytes>", k->sizes[i]); s += buf; break;
        }
        if (i + 1 < k->arity) s += ", ";
    }
    return s;
}

// the instruction of a race report, as MODULE+0xOFFSET (for addr2line -f -C -e MODULE 0xOFFSET)
std::string describe_pc(const void* pc) {
    Dl_info info;
    char buf[512];
    if (pc && dladdr(pc, &info) && info.dli_fname) {
        const auto off = reinterpret_cast<std::uintptr_t>(pc) - reinterpret_cast<std::uintptr_t>(info.dli_fbase);
        const char* slash = strrchr(info.dli_fname, '/');
        snprintf(buf, sizeof buf, "%s+0x%llx", slash ? slash + 1 : info.dli_fname, (unsigned long long) off);
        return buf;
    }
    snprintf(buf, sizeof buf, "%p", pc);
    return buf;
}

std::string describe_access(const nk_cpu::RaceAccess& a) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s by thread (%u,%u,%u) of block (%u,%u,%u) in barrier interval %u at %s", a.atomic ? "atomic " : "",
             a.write ? "write" : "read", a.thread[0], a.thread[1], a.thread[2], a.block[0], a.block[1], a.block[2], a.epoch,
             describe_pc(a.pc).c_str());
    return buf;
}

// the findings of the race checker (the lock is held)
void report_races(Driver& d, const nk_cpu::Launch& l, const nk_cpu::LaunchReport& r) {
    const char* name = l.kernel->name;
    note("racecheck: %s (grid (%u,%u,%u), block (%u,%u,%u)): %llu racing accesses; %d distinct pairs of instructions:", name, l.grid[0],
         l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2], r.races, r.sample_count);
    for (int i = 0; i < r.sample_count; i++) {
        const nk_cpu::RaceSample& s = r.samples[i];
        std::string where;
        char buf[128];
        if (s.dynamic_shared) {
            snprintf(buf, sizeof buf, "dynamic shared memory (extern __shared__), byte %zu", s.shared_offset);
            where = buf;
        } else if (s.shared) {
            snprintf(buf, sizeof buf, "static __shared__ memory, byte %zu of the TLS block", s.shared_offset);
            where = buf;
        } else {
            where = "global memory " + describe_pointer(d, s.address);
        }
        const bool same_block = memcmp(s.first.block, s.second.block, sizeof s.first.block) == 0;
        note("racecheck:   %s: %s", where.c_str(), describe_access(s.second).c_str());
        note("racecheck:     conflicts with the %s", describe_access(s.first).c_str());
        note("racecheck:     %s", same_block ? "threads of one block, with no __syncthreads() between the two accesses"
                                              : "threads of two different blocks, which nothing orders");
    }
    Dl_info info;
    if (r.sample_count > 0 && dladdr(r.samples[0].second.pc, &info) && info.dli_fname) {
        note("racecheck:   (source lines: addr2line -f -C -e %s OFFSET)", info.dli_fname);
    }
    note("racecheck: %s: launch failed (CUDA_ERROR_LAUNCH_FAILED)", name);
}

// CU_LAUNCH_PARAM_BUFFER_POINTER (1), CU_LAUNCH_PARAM_BUFFER_SIZE (2), CU_LAUNCH_PARAM_END (0)
CUresult unpack_extra(const nk_cpu::KernelDesc* k, void** extra, unsigned char* args) {
    const void* buffer = nullptr;
    std::size_t size = 0;
    bool has_size = false;
    for (int i = 0; extra[i] != nullptr; i += 2) {
        const auto key = reinterpret_cast<std::uintptr_t>(extra[i]);
        if (key == 1) buffer = extra[i + 1];
        else if (key == 2) { memcpy(&size, extra[i + 1], sizeof size); has_size = true; }
        else return CUDA_ERROR_INVALID_VALUE;
    }
    if (!buffer || !has_size || size < k->args_size) return CUDA_ERROR_INVALID_VALUE;
    memcpy(args, buffer, k->args_size);
    return CUDA_SUCCESS;
}

CUresult launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared,
                CUstream stream, void** params, void** extra) {
    Driver& d = drv();
    nk_cpu::Launch l{};
    std::vector<unsigned char> args;
    std::string warning;
    {
        std::lock_guard<std::mutex> lock(d.m);
        Context* c = nullptr;
        if (CUresult r = current(d, &c)) return r;
        if (!f || !d.functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
        if (f->module->ctx != c) return CUDA_ERROR_INVALID_HANDLE;  // a function of another context's module
        if (!valid_stream(d, stream)) return CUDA_ERROR_INVALID_HANDLE;
        const nk_cpu::KernelDesc* k = f->desc;
        if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) return CUDA_ERROR_INVALID_VALUE;
        if (gx > 2147483647u || gy > 65535u || gz > 65535u || bx > 1024u || by > 1024u || bz > 64u) return CUDA_ERROR_INVALID_VALUE;
        const unsigned long long threads = (unsigned long long) bx * by * bz;
        if (threads > 1024u) return CUDA_ERROR_INVALID_VALUE;
        if (threads > (unsigned long long) k->max_threads) {
            if (first_time(d, std::string("bounds:") + k->name)) {
                note("%s: %llu threads per block exceed its __launch_bounds__ (%d): CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", k->name, threads,
                     k->max_threads);
            }
            return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
        }
        // static + dynamic shared memory: at most 48 KiB per block unless the function's
        // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES was raised (up to the 227 KiB opt-in limit)
        if (shared > (unsigned) f->max_dynamic_shared) {
            if (first_time(d, std::string("shared:") + k->name)) {
                note("%s: %u bytes of dynamic shared memory and %zu of static exceed the function's limit (%d dynamic; %d in all "
                     "unless raised with cuFuncSetAttribute): CUDA_ERROR_INVALID_VALUE", k->name, shared, k->static_shared,
                     f->max_dynamic_shared, kDefaultDynamicShared);
            }
            return CUDA_ERROR_INVALID_VALUE;
        }
        args.resize(k->args_size + 1);
        if (params) {
            for (int i = 0; i < k->arity; i++) {
                if (!params[i]) return CUDA_ERROR_INVALID_VALUE;
                memcpy(args.data() + k->offsets[i], params[i], k->sizes[i]);
            }
        } else if (extra) {
            if (CUresult r = unpack_extra(k, extra, args.data())) return r;
        } else if (k->arity > 0) {
            return CUDA_ERROR_INVALID_VALUE;
        }
        // every pointer must be 0 or inside device memory: anything else is an argument-list mistake
        for (int i = 0; i < k->arity; i++) {
            if (k->kinds[i] != nk_cpu::ARG_POINTER) continue;
            std::uintptr_t p = 0, base = 0;
            memcpy(&p, args.data() + k->offsets[i], sizeof p);
            if (p == 0 || find_allocation(d, p, &base)) continue;
            if (first_time(d, std::string("ptr:") + k->name + ":" + std::to_string(i)) || d.strict) {
                note("%s: argument %d (a pointer) is 0x%llx, which is not in any live cuMemAlloc allocation; arguments: %s%s", k->name, i,
                     (unsigned long long) p, describe_args(d, k, args.data()).c_str(), d.strict ? " (NK_STANDIN_STRICT: launch refused)" : "");
            }
            if (d.strict) return CUDA_ERROR_INVALID_VALUE;
        }
        if (d.trace) {
            note("launch %s grid (%u,%u,%u) block (%u,%u,%u) shared %u B: %s", k->name, gx, gy, gz, bx, by, bz, shared,
                 describe_args(d, k, args.data()).c_str());
        }
        l.kernel = k;
        l.args = args.data();
        l.grid[0] = gx, l.grid[1] = gy, l.grid[2] = gz;
        l.block[0] = bx, l.block[1] = by, l.block[2] = bz;
        l.shared_bytes = shared;
        l.poison_fill = d.fill == Fill::NaN;
    }
    nk_cpu::LaunchReport report;
    {
        std::lock_guard<std::mutex> lock(d.launch_mutex);
        nk_cpu::execute(l, &report);
    }
    if (report.races > 0) {  // the --racecheck build: a race fails the launch, as a sanitizer's finding
        std::lock_guard<std::mutex> lock(d.m);
        report_races(d, l, report);
        return CUDA_ERROR_LAUNCH_FAILED;
    }
    if (report.exited_before_barrier || report.mismatched_barriers) {
        std::lock_guard<std::mutex> lock(d.m);
        const char* name = l.kernel->name;
        if (report.exited_before_barrier && (first_time(d, std::string("exit:") + name) || d.strict)) {
            note("%s: threads of a block exited while others waited at __syncthreads() (undefined behaviour in CUDA)", name);
        }
        if (report.mismatched_barriers && (first_time(d, std::string("sites:") + name) || d.strict)) {
            note("%s: the threads of a block waited at different __syncthreads() calls (undefined behaviour in CUDA)", name);
        }
        if (d.strict) return CUDA_ERROR_LAUNCH_FAILED;
    }
    return CUDA_SUCCESS;
}

CUresult load_module(CUmodule* out, const void* image) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!out || !image) return CUDA_ERROR_INVALID_VALUE;
    // The image (a fatbin, cubin or PTX from nvcc) is not looked at: the kernels are the ones compiled into
    // this library from the same sources.
    auto* m = new Module();
    m->ctx = c;
    d.modules.insert(m);
    *out = m;
    return CUDA_SUCCESS;
}

}  // namespace

// ==== initialization, version, devices ====

NK_API CUresult cuInit(unsigned int flags) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (!d.initialized) {
        configure(d);
        d.initialized = true;
    }
    return d.device_count > 0 ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

NK_API CUresult cuDriverGetVersion(int* version) {
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = kDriverVersion;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceGetCount(int* count) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = d.device_count;
    return CUDA_SUCCESS;
}

namespace {
CUresult check_device(CUdevice dev) {
    Driver& d = drv();
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev < 0 || dev >= d.device_count) return CUDA_ERROR_INVALID_DEVICE;
    return CUDA_SUCCESS;
}
}  // namespace

NK_API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal < 0 || ordinal >= d.device_count) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    std::lock_guard<std::mutex> lock(drv().m);
    if (CUresult r = check_device(dev)) return r;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (std::size_t) len, "%s", kDeviceName);
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceGetAttribute(int* value, int attrib, CUdevice dev) {
    std::lock_guard<std::mutex> lock(drv().m);
    if (CUresult r = check_device(dev)) return r;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    bool known = false;
    const int v = attribute_value(attrib, &known);
    if (!known) return CUDA_ERROR_INVALID_VALUE;
    *value = v;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceTotalMem_v2(std::size_t* bytes, CUdevice dev) {
    std::lock_guard<std::mutex> lock(drv().m);
    if (CUresult r = check_device(dev)) return r;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = drv().total_memory;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice dev) {
    std::lock_guard<std::mutex> lock(drv().m);
    if (CUresult r = check_device(dev)) return r;
    if (!major || !minor) return CUDA_ERROR_INVALID_VALUE;
    *major = 9;
    *minor = 0;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceGetUuid(unsigned char* uuid, CUdevice dev) {
    std::lock_guard<std::mutex> lock(drv().m);
    if (CUresult r = check_device(dev)) return r;
    if (!uuid) return CUDA_ERROR_INVALID_VALUE;
    const char tag[16] = {'n', 'k', '-', 'c', 'p', 'u', '-', 's', 't', 'a', 'n', 'd', 'i', 'n', '-', char('0' + dev % 10)};
    memcpy(uuid, tag, 16);
    return CUDA_SUCCESS;
}

NK_API CUresult cuDeviceCanAccessPeer(int* can, CUdevice dev, CUdevice peer) {
    std::lock_guard<std::mutex> lock(drv().m);
    if (CUresult r = check_device(dev)) return r;
    if (CUresult r = check_device(peer)) return r;
    if (!can) return CUDA_ERROR_INVALID_VALUE;
    *can = 0;
    return CUDA_SUCCESS;
}

// ==== contexts ====

NK_API CUresult cuDevicePrimaryCtxRetain(CUcontext* ctx, CUdevice dev) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (CUresult r = check_device(dev)) return r;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    Context* c = d.primaries[dev].get();
    c->refs++;
    c->alive = true;
    *ctx = c;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (CUresult r = check_device(dev)) return r;
    Context* c = d.primaries[dev].get();
    if (c->refs <= 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (--c->refs == 0) {
        free_context_resources(d, c);
        c->alive = false;
    }
    return CUDA_SUCCESS;
}

NK_API CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (CUresult r = check_device(dev)) return r;
    Context* c = d.primaries[dev].get();
    free_context_resources(d, c);
    c->refs = 0;
    c->alive = false;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int* flags, int* active) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (CUresult r = check_device(dev)) return r;
    if (!flags || !active) return CUDA_ERROR_INVALID_VALUE;
    *flags = d.primaries[dev]->flags;
    *active = d.primaries[dev]->alive ? 1 : 0;
    return CUDA_SUCCESS;
}

NK_API CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (CUresult r = check_device(dev)) return r;
    d.primaries[dev]->flags = flags;
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxCreate_v2(CUcontext* ctx, unsigned int flags, CUdevice dev) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (CUresult r = check_device(dev)) return r;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    auto* c = new Context();
    c->device = dev;
    c->alive = true;
    c->flags = flags;
    d.contexts.insert(c);
    t_ctx_stack.push_back(c);
    *ctx = c;
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxDestroy_v2(CUcontext ctx) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!ctx || ctx->primary || !d.contexts.count(ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    free_context_resources(d, ctx);
    d.contexts.erase(ctx);
    if (!t_ctx_stack.empty() && t_ctx_stack.back() == ctx) t_ctx_stack.pop_back();
    ctx->alive = false;  // other threads that still have it current now get CUDA_ERROR_INVALID_CONTEXT
    // the object is kept (a few bytes) so that a stale handle is recognised rather than read after free
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxSetCurrent(CUcontext ctx) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!ctx) {
        if (!t_ctx_stack.empty()) t_ctx_stack.pop_back();
        return CUDA_SUCCESS;
    }
    if (!context_alive(d, ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    if (t_ctx_stack.empty()) t_ctx_stack.push_back(ctx);
    else t_ctx_stack.back() = ctx;
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxGetCurrent(CUcontext* ctx) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    *ctx = t_ctx_stack.empty() ? nullptr : t_ctx_stack.back();
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxPushCurrent_v2(CUcontext ctx) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!context_alive(d, ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    t_ctx_stack.push_back(ctx);
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxPopCurrent_v2(CUcontext* ctx) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (t_ctx_stack.empty()) return CUDA_ERROR_INVALID_CONTEXT;
    if (ctx) *ctx = t_ctx_stack.back();
    t_ctx_stack.pop_back();
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxGetDevice(CUdevice* dev) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!dev) return CUDA_ERROR_INVALID_VALUE;
    *dev = c->device;
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxGetFlags(unsigned int* flags) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!flags) return CUDA_ERROR_INVALID_VALUE;
    *flags = c->flags;
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxGetApiVersion(CUcontext ctx, unsigned int* version) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    if (ctx && !context_alive(d, ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    *version = 3020;  // the context API version of every CUDA since 3.2
    return CUDA_SUCCESS;
}

NK_API CUresult cuCtxSynchronize(void) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    return current(d, &c);  // launches and copies finish before they return
}

NK_API CUresult cuCtxSetCacheConfig(int) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    return current(d, &c);
}

NK_API CUresult cuCtxGetStreamPriorityRange(int* least, int* greatest) {
    if (least) *least = 0;
    if (greatest) *greatest = 0;
    return CUDA_SUCCESS;
}

// ==== memory ====

NK_API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, std::size_t bytes) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!dptr) return CUDA_ERROR_INVALID_VALUE;
    void* p = nullptr;
    if (CUresult r = allocate(d, c, &p, bytes)) return r;
    *dptr = reinterpret_cast<CUdeviceptr>(p);
    return CUDA_SUCCESS;
}

NK_API CUresult cuMemAllocManaged(CUdeviceptr* dptr, std::size_t bytes, unsigned int) { return cuMemAlloc_v2(dptr, bytes); }

NK_API CUresult cuMemAllocAsync(CUdeviceptr* dptr, std::size_t bytes, CUstream stream) {
    {
        Driver& d = drv();
        std::lock_guard<std::mutex> lock(d.m);
        if (!valid_stream(d, stream)) return CUDA_ERROR_INVALID_HANDLE;
    }
    return cuMemAlloc_v2(dptr, bytes);
}

NK_API CUresult cuMemFree_v2(CUdeviceptr dptr) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (dptr == 0) return CUDA_SUCCESS;
    return release(d, (std::uintptr_t) dptr, false);
}

NK_API CUresult cuMemFreeAsync(CUdeviceptr dptr, CUstream stream) {
    {
        Driver& d = drv();
        std::lock_guard<std::mutex> lock(d.m);
        if (!valid_stream(d, stream)) return CUDA_ERROR_INVALID_HANDLE;
    }
    return cuMemFree_v2(dptr);
}

NK_API CUresult cuMemGetInfo_v2(std::size_t* free_bytes, std::size_t* total) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!free_bytes || !total) return CUDA_ERROR_INVALID_VALUE;
    *total = d.total_memory;
    *free_bytes = d.total_memory - d.bytes_in_use;
    return CUDA_SUCCESS;
}

NK_API CUresult cuMemHostAlloc(void** p, std::size_t bytes, unsigned int) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    return allocate(d, nullptr, p, bytes);
}

NK_API CUresult cuMemAllocHost_v2(void** p, std::size_t bytes) { return cuMemHostAlloc(p, bytes, 0); }

NK_API CUresult cuMemFreeHost(void* p) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    return release(d, reinterpret_cast<std::uintptr_t>(p), true);
}

NK_API CUresult cuMemHostGetDevicePointer_v2(CUdeviceptr* dptr, void* p, unsigned int flags) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!dptr || flags != 0) return CUDA_ERROR_INVALID_VALUE;
    std::uintptr_t base = 0;
    const Allocation* a = find_allocation(d, reinterpret_cast<std::uintptr_t>(p), &base);
    if (!a || a->ctx) return CUDA_ERROR_INVALID_VALUE;
    *dptr = reinterpret_cast<CUdeviceptr>(p);
    return CUDA_SUCCESS;
}

NK_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, std::size_t bytes) {
    return copy(reinterpret_cast<void*>(dst), src, bytes, Dir::HtoD, "cuMemcpyHtoD");
}
NK_API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, std::size_t bytes) {
    return copy(dst, reinterpret_cast<const void*>(src), bytes, Dir::DtoH, "cuMemcpyDtoH");
}
NK_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, std::size_t bytes) {
    return copy(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes, Dir::DtoD, "cuMemcpyDtoD");
}
NK_API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, std::size_t bytes) {
    return copy(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes, Dir::Any, "cuMemcpy");
}

namespace {
CUresult check_stream(CUstream s) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    return valid_stream(d, s) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
}  // namespace

NK_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, std::size_t bytes, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemcpyHtoD_v2(dst, src, bytes);
}
NK_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, std::size_t bytes, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemcpyDtoH_v2(dst, src, bytes);
}
NK_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, std::size_t bytes, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemcpyDtoD_v2(dst, src, bytes);
}
NK_API CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, std::size_t bytes, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemcpy(dst, src, bytes);
}

NK_API CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, std::size_t n) { return memset_n(dst, &v, 1, n, "cuMemsetD8"); }
NK_API CUresult cuMemsetD16_v2(CUdeviceptr dst, unsigned short v, std::size_t n) { return memset_n(dst, &v, 2, n, "cuMemsetD16"); }
NK_API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned int v, std::size_t n) { return memset_n(dst, &v, 4, n, "cuMemsetD32"); }
NK_API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, std::size_t n, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemsetD8_v2(dst, v, n);
}
NK_API CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, std::size_t n, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemsetD16_v2(dst, v, n);
}
NK_API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int v, std::size_t n, CUstream s) {
    if (CUresult r = check_stream(s)) return r;
    return cuMemsetD32_v2(dst, v, n);
}

// ==== modules and functions ====

NK_API CUresult cuModuleLoadData(CUmodule* module, const void* image) { return load_module(module, image); }

NK_API CUresult cuModuleLoadDataEx(CUmodule* module, const void* image, unsigned int, void*, void**) {
    return load_module(module, image);
}

NK_API CUresult cuModuleLoadFatBinary(CUmodule* module, const void* image) { return load_module(module, image); }

NK_API CUresult cuModuleLoad(CUmodule* module, const char* path) {
    if (!path) return CUDA_ERROR_INVALID_VALUE;
    FILE* f = fopen(path, "rb");
    if (!f) return CUDA_ERROR_FILE_NOT_FOUND;
    fclose(f);
    return load_module(module, path);
}

NK_API CUresult cuModuleUnload(CUmodule module) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!d.initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!module || !d.modules.count(module)) return CUDA_ERROR_INVALID_HANDLE;
    for (auto& f : module->functions) {
        d.functions.erase(f.second.get());
    }
    d.modules.erase(module);
    delete module;
    return CUDA_SUCCESS;
}

NK_API CUresult cuModuleGetFunction(CUfunction* out, CUmodule module, const char* name) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!out || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!module || !d.modules.count(module)) return CUDA_ERROR_INVALID_HANDLE;
    const nk_cpu::KernelDesc* desc = nullptr;
    for (int i = 0; i < nk_cpu::kernel_count && !desc; i++) {
        if (strcmp(nk_cpu::kernel_table[i].name, name) == 0) desc = &nk_cpu::kernel_table[i];
    }
    // a test program's own kernels (tests/broken_kernels.cpp), when it links them in
    for (const nk_cpu::KernelDesc* t = nk_cpu::test_kernel_table; t && t->name && !desc; t++) {
        if (strcmp(t->name, name) == 0) desc = t;
    }
    if (!desc) return CUDA_ERROR_NOT_FOUND;
    auto& f = module->functions[desc];
    if (!f) {
        f = std::make_unique<Function>();
        f->module = module;
        f->desc = desc;
        f->max_dynamic_shared = kDefaultDynamicShared - (int) std::min<std::size_t>(desc->static_shared, kDefaultDynamicShared);
        d.functions.insert(f.get());
    }
    *out = f.get();
    return CUDA_SUCCESS;
}

NK_API CUresult cuFuncGetModule(CUmodule* module, CUfunction f) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!module) return CUDA_ERROR_INVALID_VALUE;
    if (!f || !d.functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    *module = f->module;
    return CUDA_SUCCESS;
}

NK_API CUresult cuFuncGetAttribute(int* value, int attrib, CUfunction f) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    if (!f || !d.functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    switch (attrib) {
        case 0: *value = f->desc->max_threads; return CUDA_SUCCESS;  // MAX_THREADS_PER_BLOCK
        case 1: *value = (int) f->desc->static_shared; return CUDA_SUCCESS;  // SHARED_SIZE_BYTES: the static __shared__ arrays
        case 2: *value = 0; return CUDA_SUCCESS;                     // CONST_SIZE_BYTES
        case 3: *value = 0; return CUDA_SUCCESS;                     // LOCAL_SIZE_BYTES
        case 4: *value = 0; return CUDA_SUCCESS;                     // NUM_REGS: no registers on a fiber
        case 5: *value = 90; return CUDA_SUCCESS;                    // PTX_VERSION
        case 6: *value = 90; return CUDA_SUCCESS;                    // BINARY_VERSION
        case 7: *value = 0; return CUDA_SUCCESS;                     // CACHE_MODE_CA
        case 8: *value = f->max_dynamic_shared; return CUDA_SUCCESS; // MAX_DYNAMIC_SHARED_SIZE_BYTES
        case 9: *value = -1; return CUDA_SUCCESS;                    // PREFERRED_SHARED_MEMORY_CARVEOUT
        default: return attrib >= 10 && attrib <= 15 ? (*value = 0, CUDA_SUCCESS) : CUDA_ERROR_INVALID_VALUE;
    }
}

NK_API CUresult cuFuncSetAttribute(CUfunction f, int attrib, int value) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!f || !d.functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    if (attrib == 8) {  // MAX_DYNAMIC_SHARED_SIZE_BYTES: up to the opt-in limit less the static shared memory
        if (value < 0 || (std::size_t) value + f->desc->static_shared > nk_cpu::kDynamicSharedMax) return CUDA_ERROR_INVALID_VALUE;
        f->max_dynamic_shared = value;
        return CUDA_SUCCESS;
    }
    if (attrib == 9) return value >= -1 && value <= 100 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;  // carveout: a hint
    return CUDA_ERROR_INVALID_VALUE;
}

NK_API CUresult cuFuncSetCacheConfig(CUfunction f, int) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    return f && d.functions.count(f) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

// ==== launching ====

NK_API CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
                               unsigned int bz, unsigned int shared, CUstream stream, void** params, void** extra) {
    if (params && extra) return CUDA_ERROR_INVALID_VALUE;
    return launch(f, gx, gy, gz, bx, by, bz, shared, stream, params, extra);
}

NK_API CUresult cuLaunchCooperativeKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                                          unsigned int by, unsigned int bz, unsigned int shared, CUstream stream, void** params) {
    return launch(f, gx, gy, gz, bx, by, bz, shared, stream, params, nullptr);
}

NK_API CUresult cuLaunchHostFunc(CUstream stream, void (*fn)(void*), void* data) {
    if (CUresult r = check_stream(stream)) return r;
    if (!fn) return CUDA_ERROR_INVALID_VALUE;
    fn(data);
    return CUDA_SUCCESS;
}

NK_API CUresult cuStreamAddCallback(CUstream stream, void (*cb)(CUstream, CUresult, void*), void* data, unsigned int flags) {
    if (CUresult r = check_stream(stream)) return r;
    if (!cb || flags != 0) return CUDA_ERROR_INVALID_VALUE;
    cb(stream, CUDA_SUCCESS, data);
    return CUDA_SUCCESS;
}

// ==== streams and events: everything is finished when the call that queued it returns ====

NK_API CUresult cuStreamCreate(CUstream* out, unsigned int) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!out) return CUDA_ERROR_INVALID_VALUE;
    auto* s = new Stream();
    s->ctx = c;
    d.streams.insert(s);
    *out = s;
    return CUDA_SUCCESS;
}

NK_API CUresult cuStreamCreateWithPriority(CUstream* out, unsigned int flags, int) { return cuStreamCreate(out, flags); }

NK_API CUresult cuStreamDestroy_v2(CUstream s) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!s || !d.streams.count(s)) return CUDA_ERROR_INVALID_HANDLE;
    d.streams.erase(s);
    delete s;
    return CUDA_SUCCESS;
}

NK_API CUresult cuStreamSynchronize(CUstream s) { return check_stream(s); }
NK_API CUresult cuStreamQuery(CUstream s) { return check_stream(s); }
NK_API CUresult cuStreamWaitEvent(CUstream s, CUevent, unsigned int) { return check_stream(s); }

NK_API CUresult cuEventCreate(CUevent* out, unsigned int) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    Context* c = nullptr;
    if (CUresult r = current(d, &c)) return r;
    if (!out) return CUDA_ERROR_INVALID_VALUE;
    auto* e = new Event();
    d.events.insert(e);
    *out = e;
    return CUDA_SUCCESS;
}

NK_API CUresult cuEventRecord(CUevent e, CUstream s) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!e || !d.events.count(e) || !valid_stream(d, s)) return CUDA_ERROR_INVALID_HANDLE;
    e->when = std::chrono::steady_clock::now();
    e->recorded = true;
    return CUDA_SUCCESS;
}

NK_API CUresult cuEventRecordWithFlags(CUevent e, CUstream s, unsigned int) { return cuEventRecord(e, s); }

NK_API CUresult cuEventSynchronize(CUevent e) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    return e && d.events.count(e) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

NK_API CUresult cuEventQuery(CUevent e) { return cuEventSynchronize(e); }

NK_API CUresult cuEventElapsedTime(float* ms, CUevent start, CUevent end) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!start || !end || !d.events.count(start) || !d.events.count(end)) return CUDA_ERROR_INVALID_HANDLE;
    if (!start->recorded || !end->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *ms = std::chrono::duration<float, std::milli>(end->when - start->when).count();
    return CUDA_SUCCESS;
}

NK_API CUresult cuEventDestroy_v2(CUevent e) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (!e || !d.events.count(e)) return CUDA_ERROR_INVALID_HANDLE;
    d.events.erase(e);
    delete e;
    return CUDA_SUCCESS;
}

// ==== errors ====

NK_API CUresult cuGetErrorName(CUresult error, const char** out) {
    if (!out) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorText& e : kErrors) {
        if (e.code == error) {
            *out = e.name;
            return CUDA_SUCCESS;
        }
    }
    *out = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

NK_API CUresult cuGetErrorString(CUresult error, const char** out) {
    if (!out) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorText& e : kErrors) {
        if (e.code == error) {
            *out = e.text;
            return CUDA_SUCCESS;
        }
    }
    *out = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

// ==== what stubs.c reports ====

extern "C" __attribute__((visibility("hidden"))) int nk_cpu_stub_called(const char* name) {
    Driver& d = drv();
    std::lock_guard<std::mutex> lock(d.m);
    if (first_time(d, std::string("stub:") + name)) note("%s is not implemented by the stand-in: CUDA_ERROR_NOT_SUPPORTED", name);
    return CUDA_ERROR_NOT_SUPPORTED;
}

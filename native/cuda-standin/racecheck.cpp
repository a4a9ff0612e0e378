// The stand-in's own race checker: the --racecheck build (build.sh OUTDIR --racecheck, or CMake
// -DNK_STANDIN_RACECHECK=ON). Why not ThreadSanitizer alone: the threads of a block are fibers on one OS
// thread, run one after another between barriers, so no tool that watches OS threads can see two threads of
// a block touch the same word without a __syncthreads() between them. This checker knows the CUDA thread,
// the block and the barrier interval of every access instead.
//
// How it sees the accesses: the kernels (kernels.cpp, and a test's own kernels) are compiled with GCC's
// -fsanitize=thread instrumentation, which calls __tsan_read4(addr), __tsan_write8(addr), the
// __tsan_atomic* functions ... around every memory access, but the library does not link ThreadSanitizer's
// runtime: the functions of that name are defined here. runtime.cpp, driver.cpp and this file are not
// instrumented, so only what kernel code itself reads and writes is seen.
//
// What it records: for every 4-byte word a kernel touches, the last write and the reads since (block, thread,
// barrier interval, atomic or not, the instruction). Shared memory (the module's TLS block, where the static
// __shared__ arrays and the dynamic shared buffer live) starts afresh with every block; all other memory
// (device memory, in practice) is tracked for the whole launch. Two accesses to a word race when at least one
// is a write, they are not both atomic, and either they come from two threads of one block in the same
// barrier interval, or from two different blocks (nothing orders the blocks of a launch). Accesses to the
// running fiber's own stack (a CUDA thread's local variables) are ignored. Blocks of a checked launch run one
// after another on the launching thread, so the result does not depend on scheduling.
//
// What it does not see: accesses by code that is not instrumented (memcpy/memset calls made inside a kernel,
// the host); sub-word accesses to different bytes of one word by different threads are taken for a race
// (none of the kernels stores sub-word types); __threadfence() is not a synchronization here, so a kernel
// that orders blocks through a fence and an atomic flag would be reported (none of the kernels does); warps
// are not modelled (a GPU's lockstep warp does not make an unsynchronized access safe either, so nothing is
// lost for the kernels of this project, which use no warp primitives).
#include "racecheck.h"

#include <link.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

extern "C" thread_local unsigned char nk_cpu_dynamic_shared[];

namespace nk_cpu {

bool race_checking() { return true; }

namespace race {
namespace {

struct Access {
    std::uint32_t block = 0, thread = 0, epoch = 0;
    const void* pc = nullptr;
};

enum : std::uint32_t {
    HAS_W = 1,
    W_ATOMIC = 2,
    HAS_R = 4,           // r1 holds a read of block r1.block
    HAS_R2 = 8,          // r2 holds a read by another thread of r1's block in r1's barrier interval
    HAS_OTHER_BLOCK = 16,  // ob holds a read by a block other than r1's
    R_PLAIN = 32,        // some read was not atomic
};

struct Cell {
    std::uint32_t gen = 0;  // shared memory: the block it belongs to (a cell of an older block is empty)
    std::uint32_t flags = 0;
    Access w, r1, r2, ob;
};

struct State {
    bool launch_active = false;
    bool thread_active = false;
    const Launch* launch = nullptr;
    std::uint32_t block = 0, thread = 0, epoch = 0;
    std::uintptr_t stack_lo = 0, stack_hi = 0;
    std::uintptr_t tls_lo = 0, tls_hi = 0;  // the module's TLS block on this thread: shared memory
    std::uintptr_t dyn_lo = 0, dyn_hi = 0;  // the dynamic shared memory of the launch
    std::uint32_t block_gen = 0;
    std::vector<Cell> shared;
    std::unordered_map<std::uintptr_t, Cell> global;
    std::set<std::pair<const void*, const void*>> seen;  // reported pairs of instructions
    LaunchReport report;
    bool warned_tls = false;
    // totals over the process, for NK_STANDIN_RACECHECK_STATS=1
    unsigned long long launches = 0, blocks = 0, accesses = 0, races = 0;
};

State g;

// NK_STANDIN_RACECHECK_STATS=1: how much the checker saw, on stderr at exit (a clean run that checked
// nothing would look the same as a clean run that checked everything)
struct Stats {
    ~Stats() {
        const char* v = getenv("NK_STANDIN_RACECHECK_STATS");
        if (!v || strcmp(v, "1") != 0) return;
        fprintf(stderr, "[cuda-standin] racecheck: %llu launches, %llu blocks, %llu accesses of kernel code checked, %llu racing\n",
                g.launches, g.blocks, g.accesses, g.races);
    }
} stats;

struct TlsSearch {
    std::uintptr_t probe, lo = 0, hi = 0;
};

int find_tls(dl_phdr_info* info, std::size_t, void* data) {
    auto* s = static_cast<TlsSearch*>(data);
    if (!info->dlpi_tls_data) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_TLS) continue;
        const auto lo = reinterpret_cast<std::uintptr_t>(info->dlpi_tls_data);
        const std::uintptr_t hi = lo + info->dlpi_phdr[i].p_memsz;
        if (s->probe >= lo && s->probe < hi) {
            s->lo = lo;
            s->hi = hi;
            return 1;
        }
    }
    return 0;
}

void to3(std::uint32_t linear, const unsigned dim[3], unsigned out[3]) {
    out[0] = linear % dim[0];
    out[1] = (linear / dim[0]) % dim[1];
    out[2] = linear / (dim[0] * dim[1]);
}

RaceAccess describe(const Access& a, bool write, bool atomic) {
    RaceAccess r{};
    to3(a.block, g.launch->grid, r.block);
    to3(a.thread, g.launch->block, r.thread);
    r.epoch = a.epoch;
    r.write = write;
    r.atomic = atomic;
    r.pc = a.pc;
    return r;
}

void race(std::uintptr_t word, bool shared, const Access& prior, bool prior_write, bool prior_atomic, const Access& now, bool write,
          bool atomic) {
    g.report.races++;
    if (g.report.sample_count >= LaunchReport::kMaxSamples) return;
    if (!g.seen.insert({prior.pc, now.pc}).second) return;
    RaceSample& s = g.report.samples[g.report.sample_count++];
    s.shared = shared;
    s.address = word;
    s.dynamic_shared = shared && word >= g.dyn_lo && word < g.dyn_hi;
    s.shared_offset = !shared ? 0 : s.dynamic_shared ? word - g.dyn_lo : word - g.tls_lo;
    s.first = describe(prior, prior_write, prior_atomic);
    s.second = describe(now, write, atomic);
}

void word_access(std::uintptr_t w, bool write, bool atomic, const void* pc) {
    Cell* c;
    const bool shared = w >= g.tls_lo && w < g.tls_hi;
    if (shared) {
        c = &g.shared[(w - g.tls_lo) >> 2];
        if (c->gen != g.block_gen) {
            *c = Cell();
            c->gen = g.block_gen;
        }
    } else {
        c = &g.global[w];
    }
    const Access now{g.block, g.thread, g.epoch, pc};
    const auto ordered = [&](const Access& a) {  // a is ordered before `now`: same thread, or an earlier interval of its block
        return a.block == now.block && (a.thread == now.thread || a.epoch != now.epoch);
    };
    if ((c->flags & HAS_W) && !(atomic && (c->flags & W_ATOMIC)) && !ordered(c->w)) {
        race(w, shared, c->w, true, (c->flags & W_ATOMIC) != 0, now, write, atomic);
    }
    if (write && (c->flags & HAS_R) && !(atomic && !(c->flags & R_PLAIN))) {
        const Access* other = nullptr;
        if (!ordered(c->r1)) other = &c->r1;
        else if ((c->flags & HAS_R2) && !ordered(c->r2)) other = &c->r2;
        else if ((c->flags & HAS_OTHER_BLOCK) && !ordered(c->ob)) other = &c->ob;
        if (other) race(w, shared, *other, false, !(c->flags & R_PLAIN), now, write, atomic);
    }
    if (write) {
        c->w = now;
        c->flags = (c->flags | HAS_W) & ~W_ATOMIC;
        if (atomic) c->flags |= W_ATOMIC;
        return;
    }
    if (!atomic) c->flags |= R_PLAIN;
    if (!(c->flags & HAS_R)) {
        c->r1 = now;
        c->flags |= HAS_R;
    } else if (c->r1.block != now.block) {
        c->ob = c->r1;
        c->r1 = now;
        c->flags = (c->flags | HAS_OTHER_BLOCK) & ~HAS_R2;
    } else if (c->r1.epoch != now.epoch) {
        c->r1 = now;
        c->flags &= ~HAS_R2;
    } else if (c->r1.thread != now.thread && !(c->flags & HAS_R2)) {
        c->r2 = now;
        c->flags |= HAS_R2;
    }
}

inline void access(const void* addr, std::size_t size, bool write, bool atomic, const void* pc) {
    if (!g.thread_active || size == 0) return;
    const auto a = reinterpret_cast<std::uintptr_t>(addr);
    if (a >= g.stack_lo && a < g.stack_hi) return;  // the CUDA thread's own local variables
    g.accesses++;
    const std::uintptr_t last = (a + size - 1) & ~std::uintptr_t(3);
    for (std::uintptr_t w = a & ~std::uintptr_t(3); w <= last; w += 4) word_access(w, write, atomic, pc);
}

}  // namespace

void launch_begin(const Launch& launch) {
    g.launch = &launch;
    g.launch_active = true;
    g.thread_active = false;
    g.report = LaunchReport();
    g.global.clear();
    g.seen.clear();
    g.dyn_lo = reinterpret_cast<std::uintptr_t>(nk_cpu_dynamic_shared);
    g.dyn_hi = g.dyn_lo + launch.shared_bytes;
    TlsSearch s;
    s.probe = g.dyn_lo;
    dl_iterate_phdr(find_tls, &s);
    if (s.lo == 0) {  // not found: only the dynamic buffer is known to be shared memory
        if (!g.warned_tls) fprintf(stderr, "[cuda-standin] racecheck: no TLS segment holds the shared memory; static __shared__ arrays are checked as global memory\n");
        g.warned_tls = true;
        s.lo = g.dyn_lo;
        s.hi = g.dyn_lo + kDynamicSharedMax;
    }
    g.tls_lo = s.lo & ~std::uintptr_t(3);
    g.tls_hi = s.hi;
    const std::size_t cells = (g.tls_hi - g.tls_lo + 3) / 4;
    if (g.shared.size() < cells) g.shared.resize(cells);
}

void launch_end(LaunchReport* report) {
    g.launches++;
    g.races += g.report.races;
    report->races = g.report.races;
    report->sample_count = g.report.sample_count;
    for (int i = 0; i < g.report.sample_count; i++) report->samples[i] = g.report.samples[i];
    g.launch_active = false;
    g.thread_active = false;
    g.launch = nullptr;
    g.global.clear();
    g.seen.clear();
}

void block_begin(unsigned linear_block) {
    g.blocks++;
    g.block = linear_block;
    g.epoch = 1;
    if (++g.block_gen == 0) {  // after 2^32 blocks: forget every cell rather than mistake an old one for new
        for (Cell& c : g.shared) c = Cell();
        g.block_gen = 1;
    }
}

void barrier_opened() { g.epoch++; }

void thread_enter(unsigned linear_thread, const void* stack, std::size_t stack_size) {
    if (!g.launch_active) return;
    g.thread = linear_thread;
    g.stack_lo = reinterpret_cast<std::uintptr_t>(stack);
    g.stack_hi = g.stack_lo + stack_size;
    g.thread_active = true;
}

void thread_leave() { g.thread_active = false; }

}  // namespace race
}  // namespace nk_cpu

// ---- the instrumentation's entry points (GCC -fsanitize=thread; see the top of this file) ----
#define NK_HIDDEN extern "C" __attribute__((visibility("hidden")))
// the call instruction in the kernel (one byte before the return address is inside it, which is what
// addr2line needs to name the right line)
#define NK_PC (static_cast<const char*>(__builtin_extract_return_addr(__builtin_return_address(0))) - 1)
using nk_cpu::race::access;

NK_HIDDEN void __tsan_init() { }
NK_HIDDEN void __tsan_func_entry(void*) { }
NK_HIDDEN void __tsan_func_exit() { }
NK_HIDDEN void __tsan_vptr_update(void**, void*) { }
NK_HIDDEN void __tsan_vptr_read(void**) { }
NK_HIDDEN void __tsan_read_range(void* a, unsigned long n) { access(a, n, false, false, NK_PC); }
NK_HIDDEN void __tsan_write_range(void* a, unsigned long n) { access(a, n, true, false, NK_PC); }

#define NK_PLAIN(N)                                                                                  \
    NK_HIDDEN void __tsan_read##N(void* a) { access(a, N, false, false, NK_PC); }                    \
    NK_HIDDEN void __tsan_write##N(void* a) { access(a, N, true, false, NK_PC); }                    \
    NK_HIDDEN void __tsan_unaligned_read##N(void* a) { access(a, N, false, false, NK_PC); }          \
    NK_HIDDEN void __tsan_unaligned_write##N(void* a) { access(a, N, true, false, NK_PC); }          \
    NK_HIDDEN void __tsan_volatile_read##N(void* a) { access(a, N, false, false, NK_PC); }           \
    NK_HIDDEN void __tsan_volatile_write##N(void* a) { access(a, N, true, false, NK_PC); }           \
    NK_HIDDEN void __tsan_unaligned_volatile_read##N(void* a) { access(a, N, false, false, NK_PC); } \
    NK_HIDDEN void __tsan_unaligned_volatile_write##N(void* a) { access(a, N, true, false, NK_PC); }
NK_PLAIN(1)
NK_PLAIN(2)
NK_PLAIN(4)
NK_PLAIN(8)
NK_PLAIN(16)
#undef NK_PLAIN

// Atomics: done for real (sequentially consistent, whatever order was asked: stronger is allowed) and
// recorded as atomic accesses, which do not race with each other.
#define NK_ATOMICS(BITS, T)                                                                                      \
    NK_HIDDEN T __tsan_atomic##BITS##_load(const volatile T* a, int) {                                        \
        access((const void*) a, sizeof(T), false, true, NK_PC);                                                \
        return __atomic_load_n(a, __ATOMIC_SEQ_CST);                                                             \
    }                                                                                                            \
    NK_HIDDEN void __tsan_atomic##BITS##_store(volatile T* a, T v, int) {                                     \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        __atomic_store_n(a, v, __ATOMIC_SEQ_CST);                                                                \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_exchange(volatile T* a, T v, int) {                                     \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST);                                                      \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_fetch_add(volatile T* a, T v, int) {                                    \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST);                                                       \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_fetch_sub(volatile T* a, T v, int) {                                    \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST);                                                       \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_fetch_and(volatile T* a, T v, int) {                                    \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST);                                                       \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_fetch_or(volatile T* a, T v, int) {                                     \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST);                                                        \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_fetch_xor(volatile T* a, T v, int) {                                    \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST);                                                       \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_fetch_nand(volatile T* a, T v, int) {                                   \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST);                                                      \
    }                                                                                                            \
    NK_HIDDEN int __tsan_atomic##BITS##_compare_exchange_strong(volatile T* a, T* expected, T v, int, int) {  \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_compare_exchange_n(a, expected, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);          \
    }                                                                                                            \
    NK_HIDDEN int __tsan_atomic##BITS##_compare_exchange_weak(volatile T* a, T* expected, T v, int, int) {    \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        return __atomic_compare_exchange_n(a, expected, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);          \
    }                                                                                                            \
    NK_HIDDEN T __tsan_atomic##BITS##_compare_exchange_val(volatile T* a, T expected, T v, int, int) {        \
        access((const void*) a, sizeof(T), true, true, NK_PC);                                                 \
        __atomic_compare_exchange_n(a, &expected, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);                \
        return expected;                                                                                         \
    }
NK_ATOMICS(8, unsigned char)
NK_ATOMICS(16, unsigned short)
NK_ATOMICS(32, unsigned int)
NK_ATOMICS(64, unsigned long long)
#undef NK_ATOMICS
NK_HIDDEN void __tsan_atomic_thread_fence(int) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
NK_HIDDEN void __tsan_atomic_signal_fence(int) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

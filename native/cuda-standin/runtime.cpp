// The execution model of the CPU stand-in: fibers for the CUDA threads of a block, a barrier that is a
// round of the block's scheduler, and a pool of OS threads that take blocks from a shared counter.
//
// A block runs on one OS thread (a "worker"). Its threads are started in order, each on a fiber with
// its own stack; a fiber runs until it calls __syncthreads() or returns. When every thread of the block
// has either arrived at the barrier or exited, the round is over and the waiting fibers are resumed one
// after another until their next barrier, and so on. A thread that returns gives its stack back at once,
// so a kernel without barriers runs its threads one after another on a single stack.
// Fibers switch with a few instructions of assembly on x86-64 (callee-saved registers, MXCSR and the x87
// control word) and with ucontext elsewhere; under AddressSanitizer every switch is announced to it.
//
// Under ThreadSanitizer (build.sh --tsan) every fiber is a TSan fiber and every switch is announced with
// synchronization: the CUDA threads that one worker runs form a single happens-before chain, so TSan
// sees no race between threads of a block, nor between two blocks that ran on the same worker (the static
// __shared__ arrays, one per worker, are reused by its next block without a race); it does see conflicting
// accesses by blocks that ran on different workers, which nothing orders (global memory written by two
// blocks), and anything racy in the pool and the driver themselves. Races within a block are the business
// of the race checker of the --racecheck build (racecheck.cpp), which runs a launch's blocks one after
// another on the launching thread instead of the pool and tells the checker which CUDA thread runs, when
// each block begins and when each barrier opens.
#define NK_CUDA_CPU_RUNTIME 1
#include "runtime.h"

#include "cuda_cpu.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define NK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NK_ASAN 1
#endif
#endif
#ifdef NK_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if defined(__SANITIZE_THREAD__) && !defined(NK_RACECHECK)
#define NK_TSAN 1
#include <sanitizer/tsan_interface.h>
#endif
#ifdef NK_RACECHECK
#include "racecheck.h"
#endif

namespace nk_cpu {

thread_local ThreadState t_state;

namespace {

#if defined(__x86_64__)
extern "C" void nk_cpu_switch(void** save_sp, void* to_sp);
extern "C" void nk_cpu_fiber_start();
// nk_cpu_switch(save, to): pushes the callee-saved registers and the floating-point control state on the
// current stack, stores the stack pointer in *save, switches to `to` and pops the same from there.
// nk_cpu_fiber_start: where a new fiber's first switch returns to; calls r12(rbx) and never returns.
asm(R"(
    .text
    .globl nk_cpu_switch
    .hidden nk_cpu_switch
    .type nk_cpu_switch, @function
nk_cpu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size nk_cpu_switch, .-nk_cpu_switch

    .globl nk_cpu_fiber_start
    .hidden nk_cpu_fiber_start
    .type nk_cpu_fiber_start, @function
nk_cpu_fiber_start:
    movq %rbx, %rdi
    callq *%r12
    ud2
    .size nk_cpu_fiber_start, .-nk_cpu_fiber_start
)");
#endif

enum FiberState { RUNNING, AT_BARRIER, DONE };

struct Fiber {
    unsigned char* stack = nullptr;  // the usable stack, above a guard page
    std::size_t stack_size = 0;
    void* sp = nullptr;
#if !defined(__x86_64__)
    ucontext_t uc;
#endif
    void* asan_fake = nullptr;
    void* tsan_fiber = nullptr;  // ThreadSanitizer's record of this fiber (NK_TSAN)
    uint3 tid{};
    unsigned linear_tid = 0;
    FiberState state = DONE;
    int line = 0;  // the __syncthreads call it waits at
    const char* file = nullptr;
};

std::size_t page_size() {
    static const std::size_t p = (std::size_t) sysconf(_SC_PAGESIZE);
    return p;
}

std::size_t env_size(const char* name, std::size_t fallback) {
    const char* v = getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const unsigned long long n = strtoull(v, &end, 10);
    return end && *end == 0 && n > 0 ? (std::size_t) n : fallback;
}

std::size_t stack_bytes() {
#ifdef NK_ASAN
    static const std::size_t kb = env_size("NK_STANDIN_STACK_KB", 512);
#else
    static const std::size_t kb = env_size("NK_STANDIN_STACK_KB", 64);
#endif
    const std::size_t p = page_size();
    return (kb * 1024 + p - 1) / p * p;
}

void fiber_main(void* arg);

struct Worker {
    void* sched_sp = nullptr;
#if !defined(__x86_64__)
    ucontext_t sched_uc;
#endif
    const void* sched_bottom = nullptr;  // the scheduler's stack, for AddressSanitizer
    std::size_t sched_size = 0;
    void* sched_fake = nullptr;
    void* sched_tsan = nullptr;  // ThreadSanitizer's record of the scheduler (the OS thread itself)
    std::vector<Fiber*> fibers;  // every fiber this worker made
    std::vector<Fiber*> idle;    // fibers whose thread has exited
    std::vector<Fiber*> waiting;
    Fiber* current = nullptr;
    const Launch* launch = nullptr;
    int round_count = 0;  // predicates of __syncthreads_count in the current round
    int barrier_result = 0;

    ~Worker() {
        for (Fiber* f : fibers) {
#ifdef NK_TSAN
            __tsan_destroy_fiber(f->tsan_fiber);
#endif
            munmap(f->stack - page_size(), f->stack_size + page_size());
            delete f;
        }
    }

    Fiber* take() {
        if (!idle.empty()) {
            Fiber* f = idle.back();
            idle.pop_back();
            return f;
        }
        auto* f = new Fiber();
        const std::size_t size = stack_bytes(), guard = page_size();
        void* m = mmap(nullptr, size + guard, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (m == MAP_FAILED) {
            fprintf(stderr, "[cuda-standin] cannot map a %zu KiB fiber stack (thread %zu of a block)\n", size / 1024, fibers.size());
            abort();
        }
        mprotect(m, guard, PROT_NONE);  // a stack overflow faults instead of corrupting the next stack
        f->stack = static_cast<unsigned char*>(m) + guard;
        f->stack_size = size;
#ifdef NK_TSAN
        f->tsan_fiber = __tsan_create_fiber(0);
        __tsan_set_fiber_name(f->tsan_fiber, "cuda-standin CUDA thread");
#endif
        fibers.push_back(f);
        return f;
    }
};

thread_local std::unique_ptr<Worker> t_worker_owner;
thread_local Worker* t_worker = nullptr;

Worker* worker() {
    if (!t_worker) {
        t_worker_owner.reset(new Worker());
        t_worker = t_worker_owner.get();
    }
    return t_worker;
}

inline void asan_start(void** fake, const void* bottom, std::size_t size) {
#ifdef NK_ASAN
    __sanitizer_start_switch_fiber(fake, bottom, size);
#else
    (void) fake, (void) bottom, (void) size;
#endif
}

inline void asan_finish(void* fake, const void** bottom, std::size_t* size) {
#ifdef NK_ASAN
    __sanitizer_finish_switch_fiber(fake, bottom, size);
#else
    (void) fake, (void) bottom, (void) size;
#endif
}

void init_fiber(Fiber* f) {
#ifdef NK_ASAN
    ASAN_UNPOISON_MEMORY_REGION(f->stack, f->stack_size);  // frames abandoned by the previous thread
#endif
    f->state = RUNNING;
    f->line = 0;
    f->file = nullptr;
    f->asan_fake = nullptr;
#if defined(__x86_64__)
    // the frame nk_cpu_switch pops: FP control, r15, r14, r13, r12 = entry, rbx = argument, rbp, return address
    auto* top = reinterpret_cast<std::uint64_t*>(reinterpret_cast<std::uintptr_t>(f->stack + f->stack_size) & ~std::uintptr_t(15));
    std::uint64_t* frame = top - 8;
    std::uint32_t mxcsr = 0;
    std::uint16_t fpucw = 0;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(fpucw));
    frame[0] = mxcsr | (std::uint64_t(fpucw) << 32);
    frame[1] = frame[2] = frame[3] = 0;
    frame[4] = reinterpret_cast<std::uint64_t>(&fiber_main);
    frame[5] = reinterpret_cast<std::uint64_t>(f);
    frame[6] = 0;
    frame[7] = reinterpret_cast<std::uint64_t>(&nk_cpu_fiber_start);
    f->sp = frame;
#else
    getcontext(&f->uc);
    f->uc.uc_stack.ss_sp = f->stack;
    f->uc.uc_stack.ss_size = f->stack_size;
    f->uc.uc_link = nullptr;
    // makecontext passes int arguments: the pointer goes in two halves
    const auto p = reinterpret_cast<std::uintptr_t>(f);
    makecontext(&f->uc, reinterpret_cast<void (*)()>(+[](unsigned lo, unsigned hi) {
                    fiber_main(reinterpret_cast<void*>((std::uintptr_t(hi) << 32) | lo));
                }),
                2, unsigned(p & 0xffffffffu), unsigned(std::uint64_t(p) >> 32));
#endif
}

// scheduler -> fiber f, until f arrives at a barrier or exits
void resume(Worker* w, Fiber* f) {
    t_state.threadIdx = f->tid;
    w->current = f;
#ifdef NK_RACECHECK
    race::thread_enter(f->linear_tid, f->stack, f->stack_size);
#endif
    asan_start(&w->sched_fake, f->stack, f->stack_size);
#ifdef NK_TSAN
    w->sched_tsan = __tsan_get_current_fiber();
    __tsan_switch_to_fiber(f->tsan_fiber, 0);  // 0: with synchronization (see the top of this file)
#endif
#if defined(__x86_64__)
    nk_cpu_switch(&w->sched_sp, f->sp);
#else
    swapcontext(&w->sched_uc, &f->uc);
#endif
    asan_finish(w->sched_fake, nullptr, nullptr);
#ifdef NK_RACECHECK
    race::thread_leave();
#endif
    w->current = nullptr;
}

// fiber f -> its scheduler; returns when the scheduler resumes f
void suspend(Worker* w, Fiber* f) {
    asan_start(&f->asan_fake, w->sched_bottom, w->sched_size);
#ifdef NK_TSAN
    __tsan_switch_to_fiber(w->sched_tsan, 0);
#endif
#if defined(__x86_64__)
    nk_cpu_switch(&f->sp, w->sched_sp);
#else
    swapcontext(&f->uc, &w->sched_uc);
#endif
    asan_finish(f->asan_fake, &w->sched_bottom, &w->sched_size);
}

// Not instrumented by ThreadSanitizer: it never returns, so its entry would pile up on the fiber's shadow
// call stack every time the fiber is reused.
__attribute__((no_sanitize_thread)) void fiber_main(void* arg) {
    auto* f = static_cast<Fiber*>(arg);
    Worker* w = t_worker;
    asan_finish(nullptr, &w->sched_bottom, &w->sched_size);
    const Launch* l = w->launch;
    l->kernel->run(l->kernel->fn, l->args);
    f->state = DONE;
    asan_start(nullptr, w->sched_bottom, w->sched_size);  // this fiber's frames are finished with
#ifdef NK_TSAN
    __tsan_switch_to_fiber(w->sched_tsan, 0);
#endif
#if defined(__x86_64__)
    nk_cpu_switch(&f->sp, w->sched_sp);
#else
    setcontext(&w->sched_uc);
#endif
    __builtin_unreachable();
}

void run_block(Worker* w, const Launch& l, uint3 bid, std::uint64_t linear_bid, LaunchReport* report) {
#ifdef NK_RACECHECK
    race::block_begin((unsigned) linear_bid);
#else
    (void) linear_bid;
#endif
    t_state.blockIdx = bid;
    t_state.blockDim = dim3(l.block[0], l.block[1], l.block[2]);
    t_state.gridDim = dim3(l.grid[0], l.grid[1], l.grid[2]);
    if (l.poison_fill && l.shared_bytes > 0) memset(nk_cpu_dynamic_shared, 0xff, l.shared_bytes);  // NaN floats
    const unsigned bx = l.block[0], by = l.block[1];
    const unsigned n = l.block[0] * l.block[1] * l.block[2];
    w->waiting.clear();
    w->round_count = 0;
    unsigned exited = 0;
    for (unsigned i = 0; i < n; i++) {
        Fiber* f = w->take();
        f->tid = uint3{i % bx, (i / bx) % by, i / (bx * by)};
        f->linear_tid = i;
        init_fiber(f);
        resume(w, f);
        if (f->state == DONE) {
            w->idle.push_back(f);
            exited++;
        } else {
            w->waiting.push_back(f);
        }
    }
    while (!w->waiting.empty()) {
        // every thread has arrived or exited: the barrier opens
        if (exited > 0) report->exited_before_barrier = true;
        const Fiber* first = w->waiting[0];
        for (Fiber* f : w->waiting) {
            if (f->line != first->line || (f->file != first->file && strcmp(f->file, first->file) != 0)) report->mismatched_barriers = true;
        }
        w->barrier_result = w->round_count;
        w->round_count = 0;
#ifdef NK_RACECHECK
        race::barrier_opened();
#endif
        std::size_t keep = 0;
        for (std::size_t i = 0; i < w->waiting.size(); i++) {
            Fiber* f = w->waiting[i];
            f->state = RUNNING;
            resume(w, f);
            if (f->state == DONE) {
                w->idle.push_back(f);
                exited++;
            } else {
                w->waiting[keep++] = f;
            }
        }
        w->waiting.resize(keep);
    }
}

// ---- the pool of worker threads ----

struct Job {
    const Launch* launch;
    std::uint64_t total;
    std::atomic<std::uint64_t> next{0};
    std::atomic<bool> exited_before_barrier{false};
    std::atomic<bool> mismatched_barriers{false};
};

void run_blocks(Job* job) {
    Worker* w = worker();
    const Launch& l = *job->launch;
    w->launch = &l;
#ifdef NK_ASAN
    ASAN_POISON_MEMORY_REGION(nk_cpu_dynamic_shared + l.shared_bytes, kDynamicSharedMax - l.shared_bytes);
#endif
    LaunchReport report;
    const std::uint64_t gx = l.grid[0], gy = l.grid[1];
    for (std::uint64_t b; (b = job->next.fetch_add(1, std::memory_order_relaxed)) < job->total;) {
        run_block(w, l, uint3{unsigned(b % gx), unsigned((b / gx) % gy), unsigned(b / (gx * gy))}, b, &report);
    }
#ifdef NK_ASAN
    ASAN_UNPOISON_MEMORY_REGION(nk_cpu_dynamic_shared, kDynamicSharedMax);
#endif
    w->launch = nullptr;
    if (report.exited_before_barrier) job->exited_before_barrier = true;
    if (report.mismatched_barriers) job->mismatched_barriers = true;
}

unsigned count_workers() {
    const char* v = getenv("NK_STANDIN_THREADS");
    if (v && *v) {
        const long n = strtol(v, nullptr, 10);
        if (n >= 1 && n <= 1024) return (unsigned) n;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return (unsigned) CPU_COUNT(&set);
    const unsigned h = std::thread::hardware_concurrency();
    return h > 0 ? h : 1;
}

class Pool {
public:
    explicit Pool(unsigned workers) : workers_(workers) { }

    void run(Job* job) {
        const std::uint64_t helpers = std::min<std::uint64_t>(workers_ - 1, job->total - 1);
        if (helpers > 0) {
            std::lock_guard<std::mutex> lock(m_);
            start_helpers();
            job_ = job;
            generation_++;
            wake_ = (unsigned) helpers;
            busy_ = (unsigned) helpers;
            work_.notify_all();
        }
        run_blocks(job);  // the calling thread works too
        if (helpers > 0) {
            std::unique_lock<std::mutex> lock(m_);
            done_.wait(lock, [&] { return busy_ == 0; });
            job_ = nullptr;
        }
    }

private:
    void start_helpers() {
        if (!threads_.empty() || workers_ <= 1) return;
        // helpers take no asynchronous signals: those stay with the host's threads (a JVM's, say)
        sigset_t all, old;
        sigfillset(&all);
        for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&all, s);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        for (unsigned i = 1; i < workers_; i++) threads_.emplace_back([this] { loop(); });
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
        for (auto& t : threads_) t.detach();  // they live as long as the process (the library is never unloaded)
    }

    void loop() {
        std::uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(m_);
        for (;;) {
            work_.wait(lock, [&] { return generation_ != seen && wake_ > 0; });
            seen = generation_;
            wake_--;
            Job* job = job_;
            lock.unlock();
            run_blocks(job);
            lock.lock();
            if (--busy_ == 0) done_.notify_all();
        }
    }

    const unsigned workers_;
    std::mutex m_;
    std::condition_variable work_, done_;
    std::vector<std::thread> threads_;
    Job* job_ = nullptr;
    std::uint64_t generation_ = 0;
    unsigned wake_ = 0, busy_ = 0;
};

[[maybe_unused]] Pool& pool() {
    static Pool* p = new Pool(worker_count());  // never destroyed: helpers may still wait on it at exit
    return *p;
}

#ifdef NK_ASAN
// When AddressSanitizer (or UBSan) ends the process from inside a kernel, say which CUDA thread it was.
void on_sanitizer_death() {
    Worker* w = t_worker;
    if (!w || !w->launch || !w->current) return;
    const ThreadState& s = t_state;
    fprintf(stderr, "[cuda-standin] the error above happened in kernel %s, blockIdx (%u,%u,%u), threadIdx (%u,%u,%u)\n",
            w->launch->kernel->name, s.blockIdx.x, s.blockIdx.y, s.blockIdx.z, s.threadIdx.x, s.threadIdx.y, s.threadIdx.z);
}
const bool death_callback_set = (__sanitizer_set_death_callback(on_sanitizer_death), true);
#endif

}  // namespace

int block_barrier(int predicate, int line, const char* file) {
    Worker* w = t_worker;
    Fiber* f = w ? w->current : nullptr;
    if (!f) {
        fprintf(stderr, "[cuda-standin] __syncthreads() called outside a kernel\n");
        abort();
    }
    f->state = AT_BARRIER;
    f->line = line;
    f->file = file;
    w->round_count += predicate;
    suspend(w, f);
    return w->barrier_result;
}

unsigned worker_count() {
    static const unsigned n = count_workers();
    return n;
}

#ifndef NK_RACECHECK
bool race_checking() { return false; }
#endif

void execute(const Launch& launch, LaunchReport* report) {
    Job job;
    job.launch = &launch;
    job.total = std::uint64_t(launch.grid[0]) * launch.grid[1] * launch.grid[2];
#ifdef NK_RACECHECK
    // the checker follows one thread: the blocks run one after another here, the pool stays idle
    race::launch_begin(launch);
    run_blocks(&job);
    race::launch_end(report);
#else
    pool().run(&job);
#endif
    report->exited_before_barrier = job.exited_before_barrier;
    report->mismatched_barriers = job.mismatched_barriers;
}

}  // namespace nk_cpu

long long nk_cpu_clock64() {
    return (long long) std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

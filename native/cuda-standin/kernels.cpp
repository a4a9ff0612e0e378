// The kernels of kernels-cuda/ compiled for the host: neurokernels.cu exactly as nvcc sees it (the build
// puts kernels-cuda/ on the include path), with cuda_cpu.h in front, followed by the table of its kernels
// that tools/gen_kernel_table.pl generated from the same file (nk_kernels.inc, in the build directory).
#include "cuda_cpu.h"

#include "neurokernels.cu"

#include "runtime.h"

// The buffer every `extern __shared__` array of the kernels names: one per worker thread, in TLS like the
// static __shared__ arrays. Each such array becomes a local alias of it (assembler .set), so all of them
// start at the same address, as in CUDA.
extern "C" {
alignas(64) thread_local unsigned char nk_cpu_dynamic_shared[nk_cpu::kDynamicSharedMax];
}

#define NK_KERNEL(name, bounds, static_shared)
#define NK_DYNAMIC_SHARED(name) \
    asm(".globl " #name "\n\t.hidden " #name "\n\t.type " #name ", STT_TLS\n\t.set " #name ", nk_cpu_dynamic_shared\n");
#include "nk_kernels.inc"
#undef NK_KERNEL
#undef NK_DYNAMIC_SHARED

namespace nk_cpu {

#define NK_KERNEL(name, bounds, static_shared) make_kernel(#name, &name, bounds, static_shared),
#define NK_DYNAMIC_SHARED(name)
const KernelDesc kernel_table[] = {
#include "nk_kernels.inc"
    KernelDesc{},
};
#undef NK_KERNEL
#undef NK_DYNAMIC_SHARED

const int kernel_count = (int) (sizeof kernel_table / sizeof kernel_table[0]) - 1;

}  // namespace nk_cpu

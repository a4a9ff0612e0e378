/* Weak stand-ins for every cu* symbol in jcuda_driver_symbols.txt (the ones JCuda's JNI library links
 * against): each returns CUDA_ERROR_NOT_SUPPORTED (801) and says once on stderr that it was called. The
 * functions driver.cpp implements are strong definitions in the same library and take precedence, so
 * nothing here needs to know which those are. nk_stubs.inc (NK_STUB(name) lines) is generated from the
 * list by build.sh or CMakeLists.txt. Callers pass arguments; a function without parameters ignores them,
 * which the x86-64 and AArch64 calling conventions allow. */
int nk_cpu_stub_called(const char* name);

#define NK_STUB(name) \
    __attribute__((weak, visibility("default"))) int name(void) { return nk_cpu_stub_called(#name); }
#include "nk_stubs.inc"

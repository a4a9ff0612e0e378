/* The GEMM configuration of an OpenCL device: the default for its type, or the entry of the tuning store
 * under its key (the store and key of the Java library; see tuning.c). Internal to libneurokernels. */
#ifndef NK_TUNING_H
#define NK_TUNING_H

#include <stddef.h>

#include "nk_plans.h"

typedef struct { int kernel, mr, nr, ts; } nk_gemm_config;

/* platform|device|driver with every byte outside NK_TUNING_KEY_CHARS as '_' */
void nk_tuning_key(const char* platform, const char* device, const char* driver, char* out, size_t cap);
/* the store's path: 0, or -1 when no path can be formed */
int nk_tuning_file(char* out, size_t cap);
/* the default configuration of a CPU (cpu != 0) or other device */
void nk_gemm_default(int cpu, nk_gemm_config* c);
/* the compiler defines of a configuration */
void nk_gemm_defines(const nk_gemm_config* c, char* out, size_t cap);
/* 1 with *out set when the store has key, 0 when it has not (or there is no store), -1 when the store is
 * unusable: why says why, file names it */
int nk_tuning_lookup(const char* key, nk_gemm_config* out, char* file, size_t file_cap, char* why, size_t why_cap);
/* "TILED", "PACKED", "DIRECT" or "WARP" */
const char* nk_gemm_kernel_name(int kernel);

#endif

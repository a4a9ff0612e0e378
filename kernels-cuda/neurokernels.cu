// The one translation unit nvcc compiles into neurokernels.fatbin (see build.sh): every kernel family.
#include "gemm.cu"
#include "gemm_warp.cu"
#include "elementwise.cu"
#include "reduce.cu"
#include "softmax.cu"
#include "probes.cu"
#include "learning.cu"
#include "dynamics.cu"

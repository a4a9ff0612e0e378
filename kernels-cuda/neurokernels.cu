// The one translation unit nvcc compiles into neurokernels.fatbin (see build.sh); the CPU stand-in for the
// CUDA driver (native/cuda-standin/) compiles it too, with g++.
//
// The kernels are written once, in OpenCL C, in kernels-opencl/: opencl_c.cuh maps OpenCL C onto CUDA C++
// (and defines NK_CUDA, which leaves out the float16 kernels of CPU OpenCL devices), then the portable
// .cl files follow in the order of kernels-opencl/sources.txt, without gemm_packed.cl (CPU devices only).
// gemm_warp.cu is the one kernel written for CUDA alone: it needs the epilogue of gemm.cl and the
// definitions of common.cl, so it comes after them.
#include "opencl_c.cuh"
#include "../kernels-opencl/common.cl"
#include "../kernels-opencl/gemm.cl"
#include "gemm_warp.cu"
#include "../kernels-opencl/elementwise.cl"
#include "../kernels-opencl/reduce.cl"
#include "../kernels-opencl/softmax.cl"
#include "../kernels-opencl/probes.cl"
#include "../kernels-opencl/learning.cl"
#include "../kernels-opencl/dynamics.cl"

// Reductions; same arguments as kernels-opencl/reduce.cl.
// nk_column_sums: out[0, j] = Σ_i X[i, j]; one thread per column, walking down it (coalesced across threads).
// nk_dot_partial: partial[b] = Σ over the elements assigned to block b of X ⊙ Y; block 256, at most 256
//   blocks, grid-stride loop, shared-memory tree. The host adds the partials in double.
#include "common.cuh"

#define REDUCE_LOCAL 256

extern "C" __global__ void nk_column_sums(const int rows, const int cols,
                                          const float* X, const int offX, const int ldX,
                                          float* S, const int offS, const int ldS) {
    const int j = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    if (j >= cols) return;
    float s = 0.0f;
    for (int i = 0; i < rows; i++) s += AT(X, offX, ldX, i, j);
    AT(S, offS, ldS, 0, j) = s;
}

extern "C" __global__ void __launch_bounds__(REDUCE_LOCAL)
nk_dot_partial(const int rows, const int cols,
               const float* X, const int offX, const int ldX,
               const float* Y, const int offY, const int ldY,
               float* partial, const int offPartial, const int ldPartial) {
    __shared__ float sums[REDUCE_LOCAL];
    const int n = rows * cols;
    const int lid = threadIdx.x;
    const int stride = gridDim.x * blockDim.x;
    float s = 0.0f;
    for (int g = blockIdx.x * blockDim.x + threadIdx.x; g < n; g += stride) {
        const int i = g / cols, j = g - (g / cols) * cols;
        s = fmaf(AT(X, offX, ldX, i, j), AT(Y, offY, ldY, i, j), s);
    }
    sums[lid] = s;
    __syncthreads();
    for (int h = REDUCE_LOCAL / 2; h > 0; h >>= 1) {
        if (lid < h) sums[lid] += sums[lid + h];
        __syncthreads();
    }
    if (lid == 0) partial[offPartial + blockIdx.x] = sums[0];
    (void) ldPartial;
}

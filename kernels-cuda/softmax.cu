// nk_softmax_xent: row-wise softmax with cross-entropy, numerically stable; math and NaN behaviour as
// in kernels-opencl/softmax.cl (same arguments). One thread per row, block 256.
#include "common.cuh"

extern "C" __global__ void nk_softmax_xent(const int rows, const int cols,
                                           const float* Z, const int offZ, const int ldZ,
                                           const float* T, const int offT, const int ldT,
                                           float* P, const int offP, const int ldP,
                                           float* G, const int offG, const int ldG,
                                           float* L, const int offL, const int ldL) {
    const int i = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= rows) return;
    float m = -INFINITY;
    bool nan = false;
    for (int j = 0; j < cols; j++) {
        const float z = AT(Z, offZ, ldZ, i, j);
        nan |= isnan(z);
        m = fmaxf(m, z);
    }
    if (nan) m = nanf("");
    float sum = 0.0f;
    for (int j = 0; j < cols; j++) sum += expf(AT(Z, offZ, ldZ, i, j) - m);
    const float lse = logf(sum);
    const float invRows = 1.0f / (float) rows;
    float loss = 0.0f;
    for (int j = 0; j < cols; j++) {
        const float logp = (AT(Z, offZ, ldZ, i, j) - m) - lse;
        const float p = expf(logp);
        const float t = AT(T, offT, ldT, i, j);
        if (t != 0.0f) loss -= t * logp;
        AT(P, offP, ldP, i, j) = p;
        AT(G, offG, ldG, i, j) = (p - t) * invRows;
    }
    AT(L, offL, ldL, i, 0) = loss;
}

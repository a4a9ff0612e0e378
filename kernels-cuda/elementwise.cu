// Elementwise kernels over a rows x cols matrix (possibly a view with ld > cols).
// Launch: 1-D, block 256, grid = ceil(rows * cols / 256); thread g handles element (g / cols, g % cols).
// Memory-bound: bytes = 4 * (inputs read + outputs written) per element. Same arguments as
// kernels-opencl/elementwise.cl.
#include "common.cuh"


extern "C" __global__ void nk_fill(const int rows, const int cols, float* Y, const int offY, const int ldY, const float value) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = value;
}

extern "C" __global__ void nk_copy(const int rows, const int cols,
                                   const float* X, const int offX, const int ldX,
                                   float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = AT(X, offX, ldX, i, j);
}

// nk_gather_rows: Y[i, :] = X[index[i], :], index a row of float-valued row numbers (exact integers below
// 2^24); an index that is not an integer in [0, xRows) gives a NaN row (never a read outside X).
extern "C" __global__ void nk_gather_rows(const int rows, const int cols, const int xRows,
                                          const float* X, const int offX, const int ldX,
                                          const float* I, const int offI, const int ldI,
                                          float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    const float r = AT(I, offI, ldI, 0, i);
    const bool valid = r >= 0.0f && r < (float) xRows && r == floorf(r);
    AT(Y, offY, ldY, i, j) = valid ? AT(X, offX, ldX, (int) r, j) : __int_as_float(0x7fc00000);
}

extern "C" __global__ void nk_activation(const int rows, const int cols, const int act,
                                         const float* X, const int offX, const int ldX,
                                         float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = nk_activate(act, AT(X, offX, ldX, i, j));
}

extern "C" __global__ void nk_activation_grad(const int rows, const int cols, const int act, const int fromPost,
                                              const float* X, const int offX, const int ldX,
                                              float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    const float x = AT(X, offX, ldX, i, j);
    AT(Y, offY, ldY, i, j) = fromPost ? nk_derivative_post(act, x) : nk_derivative_pre(act, x);
}

extern "C" __global__ void nk_hadamard(const int rows, const int cols,
                                       const float* X, const int offX, const int ldX,
                                       const float* Y, const int offY, const int ldY,
                                       float* Z, const int offZ, const int ldZ) {
    ELEMENT_INDEX
    AT(Z, offZ, ldZ, i, j) = AT(X, offX, ldX, i, j) * AT(Y, offY, ldY, i, j);
}

extern "C" __global__ void nk_axpy(const int rows, const int cols, const float alpha,
                                   const float* X, const int offX, const int ldX,
                                   float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = fmaf(alpha, AT(X, offX, ldX, i, j), AT(Y, offY, ldY, i, j));
}

extern "C" __global__ void nk_scale(const int rows, const int cols, const float alpha,
                                    const float* X, const int offX, const int ldX,
                                    float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = alpha * AT(X, offX, ldX, i, j);
}

// y = min(max(x, lo), hi); a NaN fails both comparisons and stays NaN (ops/Clamp.java)
extern "C" __global__ void nk_clamp(const int rows, const int cols, const float lo, const float hi,
                                    const float* X, const int offX, const int ldX,
                                    float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    const float x = AT(X, offX, ldX, i, j);
    AT(Y, offY, ldY, i, j) = x < lo ? lo : (x > hi ? hi : x);
}

// Elementwise kernels over a rows x cols matrix (possibly a view with ld > cols).
// Launch: 1-D, local 256, global = rows * cols rounded up; work-item g handles element (g / cols, g % cols)
// (ELEMENT_INDEX in common.cl; the host passes contiguous matrices as one row, which skips the division).
// Each is memory-bound: bytes = 4 * (inputs read + outputs written) per element.
// Compiled for CUDA too (see common.cl), except the CPU-device variants at the end.

__kernel void nk_fill(const int rows, const int cols, __global float* Y, const int offY, const int ldY, const float value) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = value;
}

__kernel void nk_copy(const int rows, const int cols,
                      __global const float* X, const int offX, const int ldX,
                      __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = AT(X, offX, ldX, i, j);
}

// nk_gather_rows: Y[i, :] = X[index[i], :] for the rows x cols output, index a row of float-valued row
// numbers (exact integers below 2^24); an index that is not an integer in [0, xRows) gives a NaN row, so
// device-resident indices never read outside X.
__kernel void nk_gather_rows(const int rows, const int cols, const int xRows,
                             __global const float* X, const int offX, const int ldX,
                             __global const float* I, const int offI, const int ldI,
                             __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    const float r = AT(I, offI, ldI, 0, i);
    const int valid = r >= 0.0f && r < (float) xRows && r == floor(r);
    AT(Y, offY, ldY, i, j) = valid ? AT(X, offX, ldX, (int) r, j) : NAN;
}

// Y = f(X)
__kernel void nk_activation(const int rows, const int cols, const int act,
                            __global const float* X, const int offX, const int ldX,
                            __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = nk_activate(act, AT(X, offX, ldX, i, j));
}

// Y = f'(z), X holding z (fromPost = 0) or h = f(z) (fromPost = 1)
__kernel void nk_activation_grad(const int rows, const int cols, const int act, const int fromPost,
                                 __global const float* X, const int offX, const int ldX,
                                 __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    const float x = AT(X, offX, ldX, i, j);
    AT(Y, offY, ldY, i, j) = fromPost ? nk_derivative_post(act, x) : nk_derivative_pre(act, x);
}

// Z = X ⊙ Y
__kernel void nk_hadamard(const int rows, const int cols,
                          __global const float* X, const int offX, const int ldX,
                          __global const float* Y, const int offY, const int ldY,
                          __global float* Z, const int offZ, const int ldZ) {
    ELEMENT_INDEX
    AT(Z, offZ, ldZ, i, j) = AT(X, offX, ldX, i, j) * AT(Y, offY, ldY, i, j);
}

// Y = alpha * X + Y
__kernel void nk_axpy(const int rows, const int cols, const float alpha,
                      __global const float* X, const int offX, const int ldX,
                      __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = fma(alpha, AT(X, offX, ldX, i, j), AT(Y, offY, ldY, i, j));
}

// Y = alpha * X
__kernel void nk_scale(const int rows, const int cols, const float alpha,
                       __global const float* X, const int offX, const int ldX,
                       __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    AT(Y, offY, ldY, i, j) = alpha * AT(X, offX, ldX, i, j);
}

// y = min(max(x, lo), hi); a NaN fails both comparisons and stays NaN (ops/Clamp.java)
__kernel void nk_clamp(const int rows, const int cols, const float lo, const float hi,
                       __global const float* X, const int offX, const int ldX,
                       __global float* Y, const int offY, const int ldY) {
    ELEMENT_INDEX
    const float x = AT(X, offX, ldX, i, j);
    AT(Y, offY, ldY, i, j) = x < lo ? lo : (x > hi ? hi : x);
}

#ifndef NK_CUDA
// ---- CPU-device variants (OpenCL only) ----

// nk_gather_rows16: nk_gather_rows for CPU devices, one row per work-item, sixteen columns at a time
// (vload16 / vstore16 while all sixteen lie inside the row). Launch global (rows), local (1).
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_gather_rows16(const int rows, const int cols, const int xRows,
                      __global const float* X, const int offX, const int ldX,
                      __global const float* I, const int offI, const int ldI,
                      __global float* Y, const int offY, const int ldY) {
    const int i = (int) get_global_id(0);
    const float r = AT(I, offI, ldI, 0, i);
    const int valid = r >= 0.0f && r < (float) xRows && r == floor(r);
    __global const float* x = X + offX + (size_t) (valid ? (int) r : 0) * ldX;
    __global float* y = Y + offY + (size_t) i * ldY;
    int j = 0;
    for (; j + 16 <= cols; j += 16) vstore16(valid ? vload16(0, x + j) : (float16) NAN, 0, y + j);
    for (; j < cols; j++) y[j] = valid ? x[j] : NAN;
}

// nk_activation16: Y = f(X) for CPU devices, sixteen elements per work-item with the float16 activations of
// the GEMM epilogues (nk_activate16), for contiguous X and Y flattened to one row; a partial last block
// runs the scalar formulas. Launch: 1-D over ceil(n / 16), local 64.
__kernel void nk_activation16(const int n, const int act,
                              __global const float* X, const int offX,
                              __global float* Y, const int offY) {
    const int j0 = (int) get_global_id(0) * 16;
    if (j0 >= n) return;
    if (j0 + 16 <= n) {
        vstore16(nk_activate16(act, vload16(0, X + offX + j0)), 0, Y + offY + j0);
    } else {
        for (int j = j0; j < n; j++) Y[offY + j] = nk_activate(act, X[offX + j]);
    }
}
#endif  // NK_CUDA

// Reductions.
//
// nk_column_sums: out[0, j] = Σ_i X[i, j]. Launch: 1-D over columns (local 256); work-item j walks down
//   its column, so neighbouring work-items read neighbouring addresses. Float accumulation in row order.
// nk_dot_partial: partial[g] = Σ over the elements assigned to work-group g of X ⊙ Y. Launch: 1-D,
//   local 256 (REDUCE_LOCAL), at most 256 groups; each work-item strides through the flattened matrix,
//   then the group reduces in local memory. The host adds the partials in double.
// Both are compiled for CUDA too (see common.cl).

#define REDUCE_LOCAL 256

__kernel void nk_column_sums(const int rows, const int cols,
                             __global const float* X, const int offX, const int ldX,
                             __global float* S, const int offS, const int ldS) {
    const int j = (int) get_global_id(0);
    if (j >= cols) return;
    float s = 0.0f;
    for (int i = 0; i < rows; i++) s += AT(X, offX, ldX, i, j);
    AT(S, offS, ldS, 0, j) = s;
}

__kernel void NK_WORK_GROUP_SIZE(REDUCE_LOCAL, 1)
nk_dot_partial(const int rows, const int cols,
               __global const float* X, const int offX, const int ldX,
               __global const float* Y, const int offY, const int ldY,
               __global float* partial, const int offPartial, const int ldPartial) {
    __local float sums[REDUCE_LOCAL];
    const int n = rows * cols;
    const int lid = (int) get_local_id(0);
    const int stride = (int) get_global_size(0);
    float s = 0.0f;
    for (int g = (int) get_global_id(0); g < n; g += stride) {
        const int i = g / cols, j = g - (g / cols) * cols;
        s = fma(AT(X, offX, ldX, i, j), AT(Y, offY, ldY, i, j), s);
    }
    sums[lid] = s;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = REDUCE_LOCAL / 2; h > 0; h >>= 1) {
        if (lid < h) sums[lid] += sums[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) partial[offPartial + get_group_id(0)] = sums[0];
    (void) ldPartial;  // partial is one row
}

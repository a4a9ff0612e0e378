// nk_softmax_xent: row-wise softmax with cross-entropy, numerically stable.
//   m = max_j z_ij; lse = log Σ_j exp(z_ij - m); log p_ij = z_ij - m - lse;
//   probs = exp(log p); loss_i = -Σ_j t_ij log p_ij (terms with t_ij = 0 skipped, so p = 0 costs nothing);
//   grad = (p - t) / rows   (gradient of the mean loss over the rows).
// Launch: 1-D over rows, local 256; one work-item per row (rows are batch entries, cols are classes).
// NaN in a row makes the whole row NaN, as +Inf does (exp(Inf - Inf)); the reference does the same.
// Compiled for CUDA too (see common.cl).

__kernel void nk_softmax_xent(const int rows, const int cols,
                              __global const float* Z, const int offZ, const int ldZ,
                              __global const float* T, const int offT, const int ldT,
                              __global float* P, const int offP, const int ldP,
                              __global float* G, const int offG, const int ldG,
                              __global float* L, const int offL, const int ldL) {
    const int i = (int) get_global_id(0);
    if (i >= rows) return;
    float m = -INFINITY;
    int nan = 0;
    for (int j = 0; j < cols; j++) {
        const float z = AT(Z, offZ, ldZ, i, j);
        nan |= isnan(z);
        m = fmax(m, z);
    }
    if (nan) m = NAN;
    float sum = 0.0f;
    for (int j = 0; j < cols; j++) sum += exp(AT(Z, offZ, ldZ, i, j) - m);
    const float lse = log(sum);
    const float invRows = 1.0f / (float) rows;
    float loss = 0.0f;
    for (int j = 0; j < cols; j++) {
        const float logp = (AT(Z, offZ, ldZ, i, j) - m) - lse;
        const float p = exp(logp);
        const float t = AT(T, offT, ldT, i, j);
        if (t != 0.0f) loss -= t * logp;
        AT(P, offP, ldP, i, j) = p;
        AT(G, offG, ldG, i, j) = (p - t) * invRows;
    }
    AT(L, offL, ldL, i, 0) = loss;
}

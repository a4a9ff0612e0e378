// nk_gemm: C = alpha * op(A) * op(B) + beta * C, and the fused dense-layer forward
//          out = f(X * W^T + bias) (optionally also writing pre = X * W^T + bias).
//
// Math: op(A) is M x K, op(B) is K x N, C is M x N; transA / transB select op = transpose. As in BLAS,
//       C is not read when beta == 0. Accumulation is float with explicit fma, in k order per element.
// Launch: 2-D, local (GEMM_LOCAL, GEMM_LOCAL) = (16, 16); global (ceil(N/TS_N)*16, ceil(M/TS_M)*16)
//       (CUDA: block (16, 16), grid (ceil(N/TS_N), ceil(M/TS_M)); the CUDA build keeps TS_M = TS_N = 64).
//       Each work-group computes a TS_M x TS_N tile of C; each work-item WPT x WPT elements strided by 16
//       so neighbouring work-items touch neighbouring columns. Tiles of op(A) and op(B) are staged in
//       local memory TS_K deep; loads outside the matrix read 0, so any M, N, K works.
// Epilogue: 0 = gemm (alpha, beta); 1 = dense (bias if hasBias, activation act, pre if hasPre);
//       2 = backward delta: C = acc * f'(D), D holding z (fromPost = 0) or h = f(z) (fromPost = 1);
//       3 = dense update (op(A) = delta^T, op(B) = H, acc = the weight gradient G): an SGD step in place,
//           t = G, or t = P = mu P + G with a velocity P (hasPre); C (= W) <- C - alpha (t + beta C) with
//           alpha = lr, beta = weight decay; D (= the Kolen-Pollack feedback, fromPost) gets the same step;
//           with hasBias the first column tile also sums its rows of op(A) over k (the bias gradient) and
//           steps bias (velocity VB when hasPre, no decay).
// The epilogue arguments (EPILOGUE_ARGS in gemm_packed.cl) are the same for every GEMM kernel, including
// the CUDA-only nk_gemm_warp (kernels-cuda/gemm_warp.cu), which calls nk_epilogue1 and nk_bias_step below.
// Limits: M, N, K >= 1; the host checks shapes and aliasing.

#ifndef TS_M
#define TS_M 64
#endif
#ifndef TS_N
#define TS_N 64
#endif
#ifndef TS_K
#define TS_K 16
#endif
#define GEMM_LOCAL 16
#define WPT_M (TS_M / GEMM_LOCAL)
#define WPT_N (TS_N / GEMM_LOCAL)

// The epilogue of element (i, j) for every GEMM kernel; the caller guards i < M, j < N.
NK_ALWAYS_INLINE void nk_epilogue1(const float acc, const int i, const int j,
                  __global float* C, const int offC, const int ldc, const float alpha, const float beta, const int epilogue,
                  __global float* bias, const int offBias, const int ldBias, const int hasBias, const int act,
                  __global float* P, const int offP, const int ldp, const int hasPre,
                  __global float* D, const int offD, const int ldD, const int fromPost, const float mu) {
    if (epilogue == 0) {
        float x = alpha * acc;
        if (beta != 0.0f) x = fma(beta, AT(C, offC, ldc, i, j), x);
        AT(C, offC, ldc, i, j) = x;
    } else if (epilogue == 1) {
        float z = acc;
        if (hasBias) z += AT(bias, offBias, ldBias, 0, j);
        if (hasPre) AT(P, offP, ldp, i, j) = z;
        AT(C, offC, ldc, i, j) = nk_activate(act, z);
    } else if (epilogue == 2) {
        const float x = AT(D, offD, ldD, i, j);
        AT(C, offC, ldc, i, j) = acc * (fromPost ? nk_derivative_post(act, x) : nk_derivative_pre(act, x));
    } else {
        float t = acc;
        if (hasPre) {
            t = fma(mu, AT(P, offP, ldp, i, j), acc);
            AT(P, offP, ldp, i, j) = t;
        }
        AT(C, offC, ldc, i, j) = nk_decayed_step(AT(C, offC, ldc, i, j), t, alpha, beta);
        if (fromPost) AT(D, offD, ldD, i, j) = nk_decayed_step(AT(D, offD, ldD, i, j), t, alpha, beta);
    }
}

// The bias step of epilogue 3 for output i from its gradient sum (sum over k of op(A)[i][k]): t = sum, or
// t = VB = mu VB + sum with a velocity; bias <- bias - lr t (biases take no weight decay).
NK_ALWAYS_INLINE void nk_bias_step(const float sum, const int i, const float lr, __global float* bias, const int offBias, const int ldBias,
                  const int hasV, __global float* VB, const int offVB, const int ldVB, const float mu) {
    float t = sum;
    if (hasV) {
        t = fma(mu, AT(VB, offVB, ldVB, 0, i), sum);
        AT(VB, offVB, ldVB, 0, i) = t;
    }
    AT(bias, offBias, ldBias, 0, i) = fma(-lr, t, AT(bias, offBias, ldBias, 0, i));
}

__kernel void NK_WORK_GROUP_SIZE(GEMM_LOCAL, GEMM_LOCAL)
nk_gemm(const int M, const int N, const int K,
        __global const float* NK_RESTRICT A, const int offA, const int lda, const int transA,
        __global const float* NK_RESTRICT B, const int offB, const int ldb, const int transB,
        __global float* C, const int offC, const int ldc,
        const float alpha, const float beta,
        const int epilogue,
        __global float* bias, const int offBias, const int ldBias, const int hasBias,
        const int act,
        __global float* P, const int offP, const int ldp, const int hasPre,
        __global float* D, const int offD, const int ldD, const int fromPost,
        __global float* VB, const int offVB, const int ldVB, const float mu)
{
    __local float As[TS_K][TS_M];
    __local float Bs[TS_K][TS_N];

    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * GEMM_LOCAL + tx;
    const int n0 = get_group_id(0) * TS_N;

    // row tiles: the host launches at most 65535 of them (CUDA's limit on the grid's y dimension; ops/Gemm.java)
    // and each work-group strides over the rest, the same trip count for all its work-items
    for (int m0 = get_group_id(1) * TS_M; m0 < M; m0 += get_num_groups(1) * TS_M) {
        float acc[WPT_M][WPT_N];
        NK_UNROLL
        for (int i = 0; i < WPT_M; i++)
            NK_UNROLL
            for (int j = 0; j < WPT_N; j++) acc[i][j] = 0.0f;

        for (int k0 = 0; k0 < K; k0 += TS_K) {
            // stage op(A)[m0.., k0..] and op(B)[k0.., n0..]; the fastest-moving index follows memory order
            for (int l = tid; l < TS_M * TS_K; l += GEMM_LOCAL * GEMM_LOCAL) {
                int mm, kk;
                if (transA) { mm = l % TS_M; kk = l / TS_M; } else { kk = l % TS_K; mm = l / TS_K; }
                const int gm = m0 + mm, gk = k0 + kk;
                float v = 0.0f;
                if (gm < M && gk < K) v = transA ? AT(A, offA, lda, gk, gm) : AT(A, offA, lda, gm, gk);
                As[kk][mm] = v;
            }
            for (int l = tid; l < TS_N * TS_K; l += GEMM_LOCAL * GEMM_LOCAL) {
                int nn, kk;
                if (transB) { kk = l % TS_K; nn = l / TS_K; } else { nn = l % TS_N; kk = l / TS_N; }
                const int gn = n0 + nn, gk = k0 + kk;
                float v = 0.0f;
                if (gn < N && gk < K) v = transB ? AT(B, offB, ldb, gn, gk) : AT(B, offB, ldb, gk, gn);
                Bs[kk][nn] = v;
            }
            barrier(CLK_LOCAL_MEM_FENCE);

            NK_UNROLL
            for (int kk = 0; kk < TS_K; kk++) {
                float a[WPT_M], b[WPT_N];
                NK_UNROLL
                for (int i = 0; i < WPT_M; i++) a[i] = As[kk][ty + i * GEMM_LOCAL];
                NK_UNROLL
                for (int j = 0; j < WPT_N; j++) b[j] = Bs[kk][tx + j * GEMM_LOCAL];
                NK_UNROLL
                for (int i = 0; i < WPT_M; i++)
                    NK_UNROLL
                    for (int j = 0; j < WPT_N; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }

        NK_UNROLL
        for (int i = 0; i < WPT_M; i++) {
            const int gm = m0 + ty + i * GEMM_LOCAL;
            if (gm >= M) continue;
            NK_UNROLL
            for (int j = 0; j < WPT_N; j++) {
                const int gn = n0 + tx + j * GEMM_LOCAL;
                if (gn >= N) continue;
                nk_epilogue1(acc[i][j], gm, gn, C, offC, ldc, alpha, beta, epilogue, bias, offBias, ldBias, hasBias, act,
                             P, offP, ldp, hasPre, D, offD, ldD, fromPost, mu);
            }
            if (epilogue == 3 && hasBias && n0 == 0 && tx == 0) {
                float sum = 0.0f;
                for (int k = 0; k < K; k++) sum += transA ? AT(A, offA, lda, k, gm) : AT(A, offA, lda, gm, k);
                nk_bias_step(sum, gm, alpha, bias, offBias, ldBias, hasPre, VB, offVB, ldVB, mu);
            }
        }
    }
}

// nk_gemm_packed: the CPU path of gemm and of the fused dense-forward and backward-delta ops. Same math,
// arguments and epilogues (0 gemm, 1 dense, 2 backward delta) as nk_gemm in gemm.cl.
//
// Idea (GotoBLAS-style packing, one register tile per work-item):
//   nk_pack_a copies op(A) (M x K, any transpose, any ld) into Ap = [ceil(M/MR)][K][MR]: the MR values of
//     a row block for one k lie next to each other; rows past M are zero.
//   nk_pack_b copies op(B) (K x N) into Bp = [ceil(N/NR)][K][NR]; columns past N are zero.
//   nk_gemm_packed: work-item (ib, jb) computes rows ib*MR.., columns jb*NR.. of C from one contiguous
//     stream of Ap and one of Bp: per k one MR-vector load of A, NR/16 float16 loads of B and MR*NR/16
//     float16 fmas into MR*NR/16 float16 accumulators that stay in vector registers (AVX-512: zmm).
//   No bounds checks in the k loop; the epilogue guards the edges, so every size runs the fast loop.
// Launch: nk_gemm_packed global (ceil(M/MR), ceil(N/NR)), local (1, 1): one work-item per work-group,
//   so PoCL runs each as straight-line vector code and spreads work-groups over its threads; row blocks
//   vary fastest, so consecutive work-groups reuse the same B panel from cache.
// Tunables (compile-time defines, defaults below): MR and NR (a multiple of 16); DMR for nk_gemm_direct.
// Small problems (below about a million flops) use nk_gemm_direct at the end of this file instead.
// Limits: workspace of (ceil(M/MR)*MR + ceil(N/NR)*NR) * K floats, kept by the device between calls.

#ifndef MR
#define MR 8
#endif
#ifndef NR
#define NR 32
#endif
#define NV (NR / 16)

__kernel void nk_pack_a(const int M, const int K,
                        __global const float* A, const int offA, const int lda, const int transA,
                        __global float* Ap) {
    const int k = (int) get_global_id(0);
    const int i = (int) get_global_id(1);
    if (k >= K) return;
    const int Mp = ((M + MR - 1) / MR) * MR;
    if (i >= Mp) return;
    float v = 0.0f;
    if (i < M) v = transA ? AT(A, offA, lda, k, i) : AT(A, offA, lda, i, k);
    Ap[((size_t) (i / MR) * K + k) * MR + (i % MR)] = v;
}

__kernel void nk_pack_b(const int K, const int N,
                        __global const float* B, const int offB, const int ldb, const int transB,
                        __global float* Bp) {
    const int j = (int) get_global_id(0);
    const int k = (int) get_global_id(1);
    if (k >= K) return;
    const int Np = ((N + NR - 1) / NR) * NR;
    if (j >= Np) return;
    float v = 0.0f;
    if (j < N) v = transB ? AT(B, offB, ldb, j, k) : AT(B, offB, ldb, k, j);
    Bp[((size_t) (j / NR) * K + k) * NR + (j % NR)] = v;
}

// The epilogue of both CPU kernels for 16 consecutive columns col0.. of row i: a vector path when all 16
// lie inside C, the scalar formulas of nk_gemm otherwise. Epilogue codes as in gemm.cl.
#define EPILOGUE_ARGS __global float* C, const int offC, const int ldc, const float alpha, const float beta, \
    const int epilogue, __global const float* bias, const int offBias, const int ldBias, const int hasBias, const int act, \
    __global float* P, const int offP, const int ldp, const int hasPre, \
    __global const float* D, const int offD, const int ldD, const int fromPost
#define EPILOGUE_PASS C, offC, ldc, alpha, beta, epilogue, bias, offBias, ldBias, hasBias, act, P, offP, ldp, hasPre, D, offD, ldD, fromPost

void nk_store16(const float16 acc, const int i, const int col0, const int N, EPILOGUE_ARGS) {
    if (col0 + 16 <= N) {
        __global float* c = C + offC + (size_t) i * ldc + col0;
        if (epilogue == 0) {
            float16 x = alpha * acc;
            if (beta != 0.0f) x = fma((float16) beta, vload16(0, c), x);
            vstore16(x, 0, c);
        } else if (epilogue == 1) {
            float16 z = acc;
            if (hasBias) z += vload16(0, bias + offBias + col0);
            if (hasPre) vstore16(z, 0, P + offP + (size_t) i * ldp + col0);
            vstore16(nk_activate16(act, z), 0, c);
        } else {
            vstore16(acc * nk_derivative16(act, fromPost, vload16(0, D + offD + (size_t) i * ldD + col0)), 0, c);
        }
        return;
    }
    float out[16];
    vstore16(acc, 0, out);
    for (int e = 0; e < 16 && col0 + e < N; e++) {
        const int j = col0 + e;
        if (epilogue == 0) {
            float x = alpha * out[e];
            if (beta != 0.0f) x = fma(beta, AT(C, offC, ldc, i, j), x);
            AT(C, offC, ldc, i, j) = x;
        } else if (epilogue == 1) {
            float z = out[e];
            if (hasBias) z += AT(bias, offBias, ldBias, 0, j);
            if (hasPre) AT(P, offP, ldp, i, j) = z;
            AT(C, offC, ldc, i, j) = nk_activate(act, z);
        } else {
            const float x = AT(D, offD, ldD, i, j);
            AT(C, offC, ldc, i, j) = out[e] * (fromPost ? nk_derivative_post(act, x) : nk_derivative_pre(act, x));
        }
    }
}

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_gemm_packed(const int M, const int N, const int K,
                    __global const float* restrict Ap, __global const float* restrict Bp,
                    EPILOGUE_ARGS)
{
    const int ib = (int) get_global_id(0);
    const int jb = (int) get_global_id(1);
    const __global float* a = Ap + (size_t) ib * K * MR;
    const __global float* b = Bp + (size_t) jb * K * NR;

    float16 acc[MR][NV];
#pragma unroll
    for (int r = 0; r < MR; r++)
#pragma unroll
        for (int v = 0; v < NV; v++) acc[r][v] = (float16) 0.0f;

    for (int k = 0; k < K; k++) {
        float16 bv[NV];
#pragma unroll
        for (int v = 0; v < NV; v++) bv[v] = vload16(v, b + (size_t) k * NR);
        const __global float* ak = a + (size_t) k * MR;
#pragma unroll
        for (int r = 0; r < MR; r++) {
            const float16 ar = (float16) ak[r];
#pragma unroll
            for (int v = 0; v < NV; v++) acc[r][v] = fma(ar, bv[v], acc[r][v]);
        }
    }

    const int row0 = ib * MR, col0 = jb * NR;
    for (int r = 0; r < MR && row0 + r < M; r++)
        for (int v = 0; v < NV && col0 + 16 * v < N; v++) nk_store16(acc[r][v], row0 + r, col0 + 16 * v, N, EPILOGUE_PASS);
}

// nk_gemm_direct: the small-problem CPU kernel (one launch, no packing): work-item (ib, jb) computes a
// DMR x 16 tile reading op(A) and op(B) in place; a row of op(B) is one vload16 when B is not transposed
// and the 16 columns lie inside it, a gather otherwise. Launch global (ceil(M/DMR), ceil(N/16)), local (1, 1).
// Used below about a million flops, where the two packing launches would cost more than they save.
#ifndef DMR
#define DMR 4
#endif

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_gemm_direct(const int M, const int N, const int K,
                    __global const float* A, const int offA, const int lda, const int transA,
                    __global const float* B, const int offB, const int ldb, const int transB,
                    EPILOGUE_ARGS)
{
    const int row0 = (int) get_global_id(0) * DMR;
    const int col0 = (int) get_global_id(1) * 16;
    const int contiguous = !transB && col0 + 16 <= N;
    float16 acc[DMR];
    for (int r = 0; r < DMR; r++) acc[r] = (float16) 0.0f;
    for (int k = 0; k < K; k++) {
        float16 b;
        if (contiguous) {
            b = vload16(0, B + offB + (size_t) k * ldb + col0);
        } else {
            float g[16];
            for (int e = 0; e < 16; e++) {
                const int j = col0 + e;
                g[e] = j < N ? (transB ? AT(B, offB, ldb, j, k) : AT(B, offB, ldb, k, j)) : 0.0f;
            }
            b = vload16(0, g);
        }
        for (int r = 0; r < DMR; r++) {
            const int i = row0 + r;
            const float a = i < M ? (transA ? AT(A, offA, lda, k, i) : AT(A, offA, lda, i, k)) : 0.0f;
            acc[r] = fma((float16) a, b, acc[r]);
        }
    }
    for (int r = 0; r < DMR && row0 + r < M; r++) nk_store16(acc[r], row0 + r, col0, N, EPILOGUE_PASS);
}

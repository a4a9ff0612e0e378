// nk_gemm_packed: the CPU path of gemm and of the fused dense-forward, backward-delta and dense-update ops. Same math,
// arguments and epilogues (0 gemm, 1 dense, 2 backward delta, 3 dense update) as nk_gemm in gemm.cl.
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
// Tunables (compile-time defines, defaults below): MR and NR (a multiple of 16); DMR, DNV, DR, DC, DJ for
// the one-launch kernels.
// Operands that fit in cache use the one-launch kernels at the end of this file instead.
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
    const int epilogue, __global float* bias, const int offBias, const int ldBias, const int hasBias, const int act, \
    __global float* P, const int offP, const int ldp, const int hasPre, \
    __global float* D, const int offD, const int ldD, const int fromPost, \
    __global float* VB, const int offVB, const int ldVB, const float mu
#define EPILOGUE_PASS C, offC, ldc, alpha, beta, epilogue, bias, offBias, ldBias, hasBias, act, P, offP, ldp, hasPre, D, offD, ldD, fromPost, \
    VB, offVB, ldVB, mu
// One GEMM problem's arguments as the one-launch kernels take them (nk_gemm_dot ignores the transposes).
#define GEMM_PROBLEM_ARGS const int M, const int N, const int K, \
    __global const float* A, const int offA, const int lda, const int transA, \
    __global const float* B, const int offB, const int ldb, const int transB, EPILOGUE_ARGS
#define GEMM_PROBLEM_PASS M, N, K, A, offA, lda, transA, B, offB, ldb, transB, EPILOGUE_PASS
#define EPILOGUE1_PASS C, offC, ldc, alpha, beta, epilogue, bias, offBias, ldBias, hasBias, act, P, offP, ldp, hasPre, D, offD, ldD, fromPost, mu

__attribute__((always_inline)) void nk_store16(const float16 acc, const int i, const int col0, const int N, EPILOGUE_ARGS) {
    if (col0 + 16 <= N) {
        __global float* c = C + offC + (size_t) i * ldc + col0;
        if (epilogue == 0) {
            float16 x = alpha * acc;
            if (beta != 0.0f) x = fma((float16) beta, vload16(0, c), x);
            NK_STORE16(x, c);
        } else if (epilogue == 1) {
            float16 z = acc;
            if (hasBias) z += vload16(0, bias + offBias + col0);
            if (hasPre) NK_STORE16(z, P + offP + (size_t) i * ldp + col0);
            NK_STORE16(nk_activate16(act, z), c);
        } else if (epilogue == 2) {
            NK_STORE16(acc * nk_derivative16(act, fromPost, vload16(0, D + offD + (size_t) i * ldD + col0)), c);
        } else {
            float16 t = acc;
            if (hasPre) {
                __global float* v = P + offP + (size_t) i * ldp + col0;
                t = fma((float16) mu, vload16(0, v), acc);
                NK_STORE16(t, v);
            }
            const float16 x = vload16(0, c);
            NK_STORE16(fma((float16) (-alpha), fma((float16) beta, x, t), x), c);
            if (fromPost) {
                __global float* fb = D + offD + (size_t) i * ldD + col0;
                const float16 y = vload16(0, fb);
                NK_STORE16(fma((float16) (-alpha), fma((float16) beta, y, t), y), fb);
            }
        }
        return;
    }
    float out[16];
    vstore16(acc, 0, out);
    for (int e = 0; e < 16 && col0 + e < N; e++) nk_epilogue1(out[e], i, col0 + e, EPILOGUE1_PASS);
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
    if (epilogue == 3 && hasBias && jb == 0) {
        // the bias gradient of these rows: op(A) summed over k, in k order
        for (int r = 0; r < MR && row0 + r < M; r++) {
            float sum = 0.0f;
            for (int k = 0; k < K; k++) sum += a[(size_t) k * MR + r];
            nk_bias_step(sum, row0 + r, alpha, bias, offBias, ldBias, hasPre, VB, offVB, ldVB, mu);
        }
    }
}

// The one-launch CPU kernels, which read op(A) and op(B) in place instead of packing them: used when the
// operands fit in cache (the training shapes of a small MLP, where two packing launches cost more than
// they save), below about a million flops, and for a few rows of C (spike propagation, GEMV-like).
//
// nk_gemm_direct: a DMR x 16*DNV tile of C per step, as an outer product per k: DMR broadcasts of op(A)
//   (contiguous when A is transposed, as in the weight gradient delta^T * H) and DNV vload16 of a row of
//   op(B) when B is not transposed. A full block (ROWS rows inside M, 16*DNV columns inside N, B not
//   transposed) runs a loop whose loads sit at fixed offsets from one pointer per operand (the compiler
//   otherwise computed sixteen 64-bit row addresses per k in vector registers and extracted them: a
//   tenth of the update's time); an edge block or a transposed B takes a general loop that reads rows
//   past M as row M-1 (not stored) and gathers columns, reading those past N as 0. Each
//   work-item walks DJ column tiles (fewer, longer work-groups: PoCL's cost per work-group is not free).
//   Launch global (ceil(M/DMR), ceil(N/(16*DNV*DJ))), local (1, 1).
// nk_gemm_direct1: the same with one row and 64 columns per tile, for M < DMR (a GEMV-like product should
//   not compute DMR - M clamped rows). Launch global (M, ceil(N/(64*DJ))), local (1, 1).
// nk_gemm_dot: for op(A) = A and op(B) = B^T (the dense forward X * W^T), where rows of A and of B are
//   both contiguous in k: DR rows x 16 columns of C per work-item, computed DC columns at a time as dot
//   products, sixteen k at a time in float16 accumulators summed across lanes at the end (a K % 16 tail
//   in scalar); the 16 columns of a row then go through the float16 epilogue together.
//   Launch global (ceil(M/DR), ceil(N/16)), local (1, 1).
// Every loop over a tile is unrolled and the epilogue inlined: otherwise the accumulators live on the
// stack (measured: 50 instead of 175 GFLOP/s at 64 x 256 x 784).
#ifndef DMR
#define DMR 16
#endif
#ifndef DNV
#define DNV 1
#endif
#ifndef DR
#define DR 4
#endif
#ifndef DC
#define DC 4
#endif
#ifndef DJ
#define DJ 2
#endif

#define NK_DIRECT_STEP(ROWS, NVEC, AR)                                                                      \
    {                                                                                                       \
        _Pragma("unroll")                                                                                   \
        for (int r = 0; r < ROWS; r++) {                                                                    \
            const float16 ar = (float16) (AR);                                                              \
            _Pragma("unroll")                                                                               \
            for (int v = 0; v < NVEC; v++) acc[r][v] = fma(ar, bv[v], acc[r][v]);                           \
        }                                                                                                   \
    }

#define NK_GEMM_DIRECT(NAME, ROWS, NVEC)                                                                      \
void NAME##_tile(const int g0, const int g1, GEMM_PROBLEM_ARGS)                                             \
{                                                                                                           \
    const int row0 = g0 * ROWS;                                                                             \
    /* op(A)[row0 + r][k] = A[k * sk + rowOff[r]], rows past M clamped to M - 1 */                          \
    int rowOff[ROWS];                                                                                       \
    _Pragma("unroll")                                                                                       \
    for (int r = 0; r < ROWS; r++) rowOff[r] = offA + min(row0 + r, M - 1) * (transA ? 1 : lda);           \
    const int sk = transA ? lda : 1;                                                                        \
    const int fullRows = row0 + ROWS <= M;                                                                  \
    for (int t = 0; t < DJ; t++) {                                                                          \
        const int col0 = (g1 * DJ + t) * 16 * NVEC;                                                         \
        if (col0 >= N) break;                                                                               \
        float16 acc[ROWS][NVEC];                                                                            \
        _Pragma("unroll")                                                                                   \
        for (int r = 0; r < ROWS; r++)                                                                      \
            _Pragma("unroll")                                                                               \
            for (int v = 0; v < NVEC; v++) acc[r][v] = (float16) 0.0f;                                      \
        if (!transB && col0 + 16 * NVEC <= N && fullRows) {                                                 \
            const __global float* b = B + offB + col0;                                                      \
            if (transA) {                                                                                   \
                /* the ROWS values of op(A) for one k are contiguous: constant offsets from one pointer */  \
                const __global float* a = A + offA + row0;                                                  \
                for (int k = 0; k < K; k++, a += lda, b += ldb) {                                           \
                    float16 bv[NVEC];                                                                       \
                    _Pragma("unroll")                                                                       \
                    for (int v = 0; v < NVEC; v++) bv[v] = vload16(v, b);                                   \
                    NK_DIRECT_STEP(ROWS, NVEC, a[r])                                                        \
                }                                                                                           \
            } else {                                                                                        \
                /* row r of op(A) at a fixed distance r * lda from one pointer */                           \
                const __global float* a = A + offA + (size_t) row0 * lda;                                   \
                for (int k = 0; k < K; k++) {                                                               \
                    float16 bv[NVEC];                                                                       \
                    _Pragma("unroll")                                                                       \
                    for (int v = 0; v < NVEC; v++) bv[v] = vload16(v, b + (size_t) k * ldb);                \
                    NK_DIRECT_STEP(ROWS, NVEC, a[(size_t) r * lda + k])                                     \
                }                                                                                           \
            }                                                                                               \
        } else {                                                                                            \
            /* an edge block, or a transposed B: gathered, columns past N read as 0, rows clamped */        \
            for (int k = 0; k < K; k++) {                                                                   \
                float16 bv[NVEC];                                                                           \
                _Pragma("unroll")                                                                           \
                for (int v = 0; v < NVEC; v++) {                                                            \
                    float g[16];                                                                            \
                    _Pragma("unroll")                                                                       \
                    for (int e = 0; e < 16; e++) {                                                          \
                        const int j = col0 + 16 * v + e;                                                    \
                        g[e] = j < N ? (transB ? AT(B, offB, ldb, j, k) : AT(B, offB, ldb, k, j)) : 0.0f;   \
                    }                                                                                       \
                    bv[v] = vload16(0, g);                                                                  \
                }                                                                                           \
                NK_DIRECT_STEP(ROWS, NVEC, A[(size_t) k * sk + rowOff[r]])                                  \
            }                                                                                               \
        }                                                                                                   \
        for (int r = 0; r < ROWS && row0 + r < M; r++)                                                      \
            for (int v = 0; v < NVEC && col0 + 16 * v < N; v++)                                             \
                nk_store16(acc[r][v], row0 + r, col0 + 16 * v, N, EPILOGUE_PASS);                           \
    }                                                                                                       \
    if (epilogue == 3 && hasBias && g1 == 0) {                                                              \
        for (int r = 0; r < ROWS && row0 + r < M; r++) {                                                    \
            float sum = 0.0f;                                                                               \
            for (int k = 0; k < K; k++) sum += A[(size_t) k * sk + rowOff[r]];                              \
            nk_bias_step(sum, row0 + r, alpha, bias, offBias, ldBias, hasPre, VB, offVB, ldVB, mu);         \
        }                                                                                                   \
    }                                                                                                       \
}                                                                                                           \
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))                                                     \
void NAME(GEMM_PROBLEM_ARGS) { NAME##_tile((int) get_global_id(0), (int) get_global_id(1), GEMM_PROBLEM_PASS); }

NK_GEMM_DIRECT(nk_gemm_direct, DMR, DNV)
NK_GEMM_DIRECT(nk_gemm_direct1, 1, 4)

float nk_sum16(const float16 x) {
    const float8 h = x.lo + x.hi;
    const float4 q = h.lo + h.hi;
    const float2 d = q.lo + q.hi;
    return d.x + d.y;
}

// The sums of four float16 accumulators as one float4, by transpose-and-add: 8 vector adds for four dot
// products instead of 16 (the lane reductions cost a quarter of the fmas when K is 256).
float4 nk_sum4x16(const float16 a, const float16 b, const float16 c, const float16 d) {
    const float8 ha = a.lo + a.hi, hb = b.lo + b.hi, hc = c.lo + c.hi, hd = d.lo + d.hi;
    const float8 qab = (float8) (ha.lo + ha.hi, hb.lo + hb.hi);
    const float8 qcd = (float8) (hc.lo + hc.hi, hd.lo + hd.hi);
    const float8 w = (float8) (qab.even + qab.odd, qcd.even + qcd.odd);
    return w.even + w.odd;
}

// s[r][j] = sum_k A[row r][k] * B[row col0 + j][k] for DR rows from row0 (rows past M read row M - 1) and
// the 16 columns from col0 that lie below N (others left unset): the dot-product tile of nk_gemm_dot.
__attribute__((always_inline))
void nk_dot_tile(const int M, const int N, const int K, const int row0, const int col0,
                 __global const float* A, const int offA, const int lda,
                 __global const float* B, const int offB, const int ldb, float s[DR][16])
{
    const __global float* a[DR];
#pragma unroll
    for (int r = 0; r < DR; r++) a[r] = A + offA + (size_t) min(row0 + r, M - 1) * lda;
    for (int t = 0; t < 16 / DC; t++) {
        const int c0 = col0 + t * DC;
        if (c0 >= N) break;
        const __global float* b[DC];
#pragma unroll
        for (int c = 0; c < DC; c++) b[c] = B + offB + (size_t) min(c0 + c, N - 1) * ldb;
        float16 acc[DR][DC];
#pragma unroll
        for (int r = 0; r < DR; r++)
#pragma unroll
            for (int c = 0; c < DC; c++) acc[r][c] = (float16) 0.0f;
        int k = 0;
        for (; k + 16 <= K; k += 16) {
            float16 av[DR], bv[DC];
#pragma unroll
            for (int r = 0; r < DR; r++) av[r] = vload16(0, a[r] + k);
#pragma unroll
            for (int c = 0; c < DC; c++) bv[c] = vload16(0, b[c] + k);
#pragma unroll
            for (int r = 0; r < DR; r++)
#pragma unroll
                for (int c = 0; c < DC; c++) acc[r][c] = fma(av[r], bv[c], acc[r][c]);
        }
#if DC == 4
#pragma unroll
        for (int r = 0; r < DR; r++) {
            const float4 q = nk_sum4x16(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
            s[r][t * 4] = q.x;
            s[r][t * 4 + 1] = q.y;
            s[r][t * 4 + 2] = q.z;
            s[r][t * 4 + 3] = q.w;
        }
#else
#pragma unroll
        for (int r = 0; r < DR; r++)
#pragma unroll
            for (int c = 0; c < DC; c++) s[r][t * DC + c] = nk_sum16(acc[r][c]);
#endif
        for (; k < K; k++)
#pragma unroll
            for (int r = 0; r < DR; r++)
#pragma unroll
                for (int c = 0; c < DC; c++) s[r][t * DC + c] = fma(a[r][k], b[c][k], s[r][t * DC + c]);
    }
}

void nk_gemm_dot_tile(const int g0, const int g1, GEMM_PROBLEM_ARGS)
{
    const int row0 = g0 * DR;
    const int col0 = g1 * 16;
    float s[DR][16];
    nk_dot_tile(M, N, K, row0, col0, A, offA, lda, B, offB, ldb, s);
    // one vector epilogue per row of the 16 columns (the activation in float16, not per element)
    for (int r = 0; r < DR && row0 + r < M; r++) nk_store16(vload16(0, s[r]), row0 + r, col0, N, EPILOGUE_PASS);
    if (epilogue == 3 && hasBias && col0 == 0) {
        for (int r = 0; r < DR && row0 + r < M; r++) {
            const __global float* ar = A + offA + (size_t) (row0 + r) * lda;
            float sum = 0.0f;
            for (int k = 0; k < K; k++) sum += ar[k];
            nk_bias_step(sum, row0 + r, alpha, bias, offBias, ldBias, hasPre, VB, offVB, ldVB, mu);
        }
    }
}

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_gemm_dot(GEMM_PROBLEM_ARGS) { nk_gemm_dot_tile((int) get_global_id(0), (int) get_global_id(1), GEMM_PROBLEM_PASS); }

// nk_gemm_pair: two independent GEMM problems (neither writes what the other reads or writes; the host
// checks) in one launch, so the device's threads go from one to the other without the idle gap and the
// wake-up between two launches. Each problem runs the tile function of the kernel it would get on its own
// (variant 0 nk_gemm_dot, 1 nk_gemm_direct, 2 nk_gemm_direct1) over its own grid: work-groups
// [0, rows0) x [0, cols0) are the first problem's, [rows0, rows0 + rows1) x [0, cols1) the second's, and
// the rest of the launch's (rows0 + rows1) x max(cols0, cols1) grid does nothing. Results are bit for bit
// those of the two launches.
void __attribute__((noinline)) nk_gemm_tile(const int variant, const int g0, const int g1, GEMM_PROBLEM_ARGS) {
    if (variant == 0) nk_gemm_dot_tile(g0, g1, GEMM_PROBLEM_PASS);
    else if (variant == 1) nk_gemm_direct_tile(g0, g1, GEMM_PROBLEM_PASS);
    else nk_gemm_direct1_tile(g0, g1, GEMM_PROBLEM_PASS);
}

#define GEMM_PROBLEM_ARGS_S(s) const int M##s, const int N##s, const int K##s, \
    __global const float* A##s, const int offA##s, const int lda##s, const int transA##s, \
    __global const float* B##s, const int offB##s, const int ldb##s, const int transB##s, \
    __global float* C##s, const int offC##s, const int ldc##s, const float alpha##s, const float beta##s, \
    const int epilogue##s, __global float* bias##s, const int offBias##s, const int ldBias##s, const int hasBias##s, const int act##s, \
    __global float* P##s, const int offP##s, const int ldp##s, const int hasPre##s, \
    __global float* D##s, const int offD##s, const int ldD##s, const int fromPost##s, \
    __global float* VB##s, const int offVB##s, const int ldVB##s, const float mu##s
#define GEMM_PROBLEM_PASS_S(s) M##s, N##s, K##s, A##s, offA##s, lda##s, transA##s, B##s, offB##s, ldb##s, transB##s, \
    C##s, offC##s, ldc##s, alpha##s, beta##s, epilogue##s, bias##s, offBias##s, ldBias##s, hasBias##s, act##s, \
    P##s, offP##s, ldp##s, hasPre##s, D##s, offD##s, ldD##s, fromPost##s, VB##s, offVB##s, ldVB##s, mu##s

__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_gemm_pair(const int variant0, const int rows0, const int cols0, GEMM_PROBLEM_ARGS_S(0),
                  const int variant1, const int cols1, GEMM_PROBLEM_ARGS_S(1))
{
    const int g0 = (int) get_global_id(0), g1 = (int) get_global_id(1);
    if (g0 < rows0) {
        if (g1 < cols0) nk_gemm_tile(variant0, g0, g1, GEMM_PROBLEM_PASS_S(0));
    } else if (g1 < cols1) {
        nk_gemm_tile(variant1, g0 - rows0, g1, GEMM_PROBLEM_PASS_S(1));
    }
}

// nk_output_layer16: the output_layer op for at most 16 classes on CPU devices, DR rows per work-item:
//   logits z = h w^T + b (the dot-product tile of nk_gemm_dot, all c classes of a row in one tile);
//   the row's softmax cross-entropy exactly as nk_softmax_xent computes it (probs, loss, grad = (p - t)/rows);
//   with m (hasM): delta = (grad m) ⊙ f'(h), 16 columns at a time (grad's c values broadcast over rows of m,
//   in class order; f' from the output h as nk_derivative16), a scalar tail past the last 16.
// One launch instead of three (dense forward, softmax, backward delta), and no logits in memory.
// Launch global (ceil(rows / DR)), local (1).
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_output_layer16(const int rows, const int c, const int q, const int act,
                       __global const float* H, const int offH, const int ldH,
                       __global const float* W, const int offW, const int ldW,
                       __global const float* Bias, const int offBias, const int ldBias, const int hasBias,
                       __global const float* T, const int offT, const int ldT,
                       __global const float* Mf, const int offM, const int ldM, const int hasM,
                       __global float* P, const int offP, const int ldP,
                       __global float* G, const int offG, const int ldG,
                       __global float* L, const int offL, const int ldL,
                       __global float* Dl, const int offDl, const int ldDl)
{
    const int row0 = (int) get_global_id(0) * DR;
    float s[DR][16];
    nk_dot_tile(rows, c, q, row0, 0, H, offH, ldH, W, offW, ldW, s);
    const float invRows = 1.0f / (float) rows;
    for (int r = 0; r < DR && row0 + r < rows; r++) {
        const int i = row0 + r;
        float z[16], e[16];
        float m = -INFINITY;
        int nan = 0;
        for (int j = 0; j < c; j++) {
            z[j] = hasBias ? s[r][j] + AT(Bias, offBias, ldBias, 0, j) : s[r][j];
            nan |= isnan(z[j]);
            m = fmax(m, z[j]);
        }
        if (nan) m = NAN;
        float sum = 0.0f;
        for (int j = 0; j < c; j++) sum += exp(z[j] - m);
        const float lse = log(sum);
        float loss = 0.0f;
        for (int j = 0; j < c; j++) {
            const float logp = (z[j] - m) - lse;
            const float p = exp(logp);
            const float t = AT(T, offT, ldT, i, j);
            if (t != 0.0f) loss -= t * logp;
            AT(P, offP, ldP, i, j) = p;
            e[j] = (p - t) * invRows;
            AT(G, offG, ldG, i, j) = e[j];
        }
        AT(L, offL, ldL, i, 0) = loss;
        if (!hasM) continue;
        const __global float* h = H + offH + (size_t) i * ldH;
        __global float* d = Dl + offDl + (size_t) i * ldDl;
        int k = 0;
        for (; k + 16 <= q; k += 16) {
            float16 acc = (float16) 0.0f;
            for (int j = 0; j < c; j++) acc = fma((float16) e[j], vload16(0, Mf + offM + (size_t) j * ldM + k), acc);
            NK_STORE16(acc * nk_derivative16(act, 1, vload16(0, h + k)), d + k);
        }
        for (; k < q; k++) {
            float acc = 0.0f;
            for (int j = 0; j < c; j++) acc = fma(e[j], AT(Mf, offM, ldM, j, k), acc);
            d[k] = acc * nk_derivative_post(act, h[k]);
        }
    }
}

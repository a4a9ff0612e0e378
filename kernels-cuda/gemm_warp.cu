// nk_gemm_warp: the warp-tiled SGEMM of the CUDA backend, same arguments, math and epilogues (0 gemm,
// 1 dense, 2 backward delta, 3 dense update) as nk_gemm in kernels-opencl/gemm.cl. NOT YET RUN ON A GPU: the CUDA backend
// uses it only when asked (setGemmKernel(WARP), or NK_CUDA_GEMM=warp); the conformance and GEMM-kernel
// tests run it on every CUDA device they find, which no session has had so far.
//
// Tiling (FP32 accumulate in fmaf):
//   block: 256 threads = 8 warps, a 128 x 128 tile of C, staged WK = 8 deep in shared memory as
//          As[k][m] and Bs[k][n] (both k-major, so the inner loop reads float4 along m and along n);
//   warp:  a 64 x 32 sub-tile, warps arranged 2 (m) x 4 (n);
//   thread: an 8 x 8 register tile: rows wm + 4 tm + {0..3} and wm + 32 + 4 tm + {0..3}, columns
//          wn + 4 tn + {0..3} and wn + 16 + 4 tn + {0..3}, with lane = 4 tm + tn (tm 0..7, tn 0..3):
//          per k, four 128-bit shared loads feed 64 fmas, and a warp's loads are broadcast-free of
//          bank conflicts (8 distinct float4 of As, 4 of Bs).
// Global -> shared: each thread moves one float4 of op(A) and one of op(B) per WK step when the tile lies
//   inside the matrix and the addresses are 16-byte aligned (leading dimension and offset multiples of
//   4), with the float4 running along the operand's contiguous dimension (k for A, m for A^T, n for B,
//   k for B^T); otherwise the same elements one by one with bounds checks (zeros outside), so any shape,
//   transpose, offset and leading dimension works. Register prefetch of the next WK step overlaps the
//   global loads with the fmas of the current one.
// The bias gradient of epilogue 3 (first column tile only): threads 0..127 sum one row of op(A) over k.
//
// Written for CUDA alone, not in OpenCL C like the other kernels: it is built around what the portable
// subset leaves out (float4 loads reinterpreted from float pointers, 16-byte aligned shared arrays, a
// layout tuned to 32-thread warps and sm_90's shared-memory banks), and OpenCL devices have nk_gemm and
// the CPU kernels of gemm_packed.cl instead. neurokernels.cu includes it after common.cl (AT, the
// activations) and gemm.cl (nk_epilogue1, nk_bias_step), which it shares with nk_gemm.

#define WG_BM 128
#define WG_BN 128
#define WG_BK 8
#define WG_THREADS 256

__device__ __forceinline__ float nk_ld_a(const float* A, int offA, int lda, int transA, int M, int K, int m, int k) {
    if (m >= M || k >= K) return 0.0f;
    return transA ? A[offA + (size_t) k * lda + m] : A[offA + (size_t) m * lda + k];
}

__device__ __forceinline__ float nk_ld_b(const float* B, int offB, int ldb, int transB, int K, int N, int k, int n) {
    if (k >= K || n >= N) return 0.0f;
    return transB ? B[offB + (size_t) n * ldb + k] : B[offB + (size_t) k * ldb + n];
}

// The four elements of op(A) this thread stages for step k0: as a float4 along the contiguous dimension.
// Without transA: row m0 + (tid / 2), k0 + 4 (tid % 2) .. +3. With transA: k0 + (tid / 32), m0 + 4 (tid % 32) .. +3.
__device__ __forceinline__ float4 nk_fetch_a(const float* A, int offA, int lda, int transA, int M, int K, int m0, int k0, int tid, bool vec) {
    if (!transA) {
        const int m = m0 + (tid >> 1), k = k0 + ((tid & 1) << 2);
        if (vec && m < M && k + 3 < K) return *reinterpret_cast<const float4*>(A + offA + (size_t) m * lda + k);
        return make_float4(nk_ld_a(A, offA, lda, 0, M, K, m, k), nk_ld_a(A, offA, lda, 0, M, K, m, k + 1),
                           nk_ld_a(A, offA, lda, 0, M, K, m, k + 2), nk_ld_a(A, offA, lda, 0, M, K, m, k + 3));
    }
    const int k = k0 + (tid >> 5), m = m0 + ((tid & 31) << 2);
    if (vec && k < K && m + 3 < M) return *reinterpret_cast<const float4*>(A + offA + (size_t) k * lda + m);
    return make_float4(nk_ld_a(A, offA, lda, 1, M, K, m, k), nk_ld_a(A, offA, lda, 1, M, K, m + 1, k),
                       nk_ld_a(A, offA, lda, 1, M, K, m + 2, k), nk_ld_a(A, offA, lda, 1, M, K, m + 3, k));
}

// The four elements of op(B): without transB k0 + (tid / 32), n0 + 4 (tid % 32) .. +3; with transB
// column n0 + (tid / 2), k0 + 4 (tid % 2) .. +3.
__device__ __forceinline__ float4 nk_fetch_b(const float* B, int offB, int ldb, int transB, int K, int N, int n0, int k0, int tid, bool vec) {
    if (!transB) {
        const int k = k0 + (tid >> 5), n = n0 + ((tid & 31) << 2);
        if (vec && k < K && n + 3 < N) return *reinterpret_cast<const float4*>(B + offB + (size_t) k * ldb + n);
        return make_float4(nk_ld_b(B, offB, ldb, 0, K, N, k, n), nk_ld_b(B, offB, ldb, 0, K, N, k, n + 1),
                           nk_ld_b(B, offB, ldb, 0, K, N, k, n + 2), nk_ld_b(B, offB, ldb, 0, K, N, k, n + 3));
    }
    const int n = n0 + (tid >> 1), k = k0 + ((tid & 1) << 2);
    if (vec && n < N && k + 3 < K) return *reinterpret_cast<const float4*>(B + offB + (size_t) n * ldb + k);
    return make_float4(nk_ld_b(B, offB, ldb, 1, K, N, k, n), nk_ld_b(B, offB, ldb, 1, K, N, k + 1, n),
                       nk_ld_b(B, offB, ldb, 1, K, N, k + 2, n), nk_ld_b(B, offB, ldb, 1, K, N, k + 3, n));
}

__device__ __forceinline__ void nk_stage_a(float As[WG_BK][WG_BM], float4 v, int transA, int tid) {
    if (!transA) {
        const int m = tid >> 1, k = (tid & 1) << 2;
        As[k][m] = v.x; As[k + 1][m] = v.y; As[k + 2][m] = v.z; As[k + 3][m] = v.w;
    } else {
        *reinterpret_cast<float4*>(&As[tid >> 5][(tid & 31) << 2]) = v;
    }
}

__device__ __forceinline__ void nk_stage_b(float Bs[WG_BK][WG_BN], float4 v, int transB, int tid) {
    if (!transB) {
        *reinterpret_cast<float4*>(&Bs[tid >> 5][(tid & 31) << 2]) = v;
    } else {
        const int n = tid >> 1, k = (tid & 1) << 2;
        Bs[k][n] = v.x; Bs[k + 1][n] = v.y; Bs[k + 2][n] = v.z; Bs[k + 3][n] = v.w;
    }
}

extern "C" __global__ void __launch_bounds__(WG_THREADS)
nk_gemm_warp(const int M, const int N, const int K,
             const float* __restrict__ A, const int offA, const int lda, const int transA,
             const float* __restrict__ B, const int offB, const int ldb, const int transB,
             float* C, const int offC, const int ldc,
             const float alpha, const float beta,
             const int epilogue,
             float* bias, const int offBias, const int ldBias, const int hasBias,
             const int act,
             float* P, const int offP, const int ldp, const int hasPre,
             float* D, const int offD, const int ldD, const int fromPost,
             float* VB, const int offVB, const int ldVB, const float mu)
{
    __shared__ __align__(16) float As[WG_BK][WG_BM];
    __shared__ __align__(16) float Bs[WG_BK][WG_BN];

    const int tid = threadIdx.x;
    const int warp = tid >> 5, lane = tid & 31;
    const int wm = (warp >> 2) * 64, wn = (warp & 3) * 32;   // the warp's sub-tile in the block tile
    const int tm = lane >> 2, tn = lane & 3;
    const int n0 = blockIdx.x * WG_BN;

    // float4 global loads need 16-byte aligned rows: offsets and leading dimensions multiples of 4
    const bool vecA = ((offA | lda) & 3) == 0 && ((reinterpret_cast<size_t>(A)) & 15) == 0;
    const bool vecB = ((offB | ldb) & 3) == 0 && ((reinterpret_cast<size_t>(B)) & 15) == 0;

    // row tiles: at most 65535 blocks in y (the grid's limit; ops/Gemm.java plans that many at most), each
    // block striding over the rest
    for (int m0 = blockIdx.y * WG_BM; m0 < M; m0 += gridDim.y * WG_BM) {

        float acc[8][8];
    #pragma unroll
        for (int i = 0; i < 8; i++)
    #pragma unroll
            for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;

        float4 pa = nk_fetch_a(A, offA, lda, transA, M, K, m0, 0, tid, vecA);
        float4 pb = nk_fetch_b(B, offB, ldb, transB, K, N, n0, 0, tid, vecB);
        for (int k0 = 0; k0 < K; k0 += WG_BK) {
            nk_stage_a(As, pa, transA, tid);
            nk_stage_b(Bs, pb, transB, tid);
            __syncthreads();
            if (k0 + WG_BK < K) {  // the next step's loads overlap this step's fmas
                pa = nk_fetch_a(A, offA, lda, transA, M, K, m0, k0 + WG_BK, tid, vecA);
                pb = nk_fetch_b(B, offB, ldb, transB, K, N, n0, k0 + WG_BK, tid, vecB);
            }
    #pragma unroll
            for (int kk = 0; kk < WG_BK; kk++) {
                const float4 a0 = *reinterpret_cast<const float4*>(&As[kk][wm + 4 * tm]);
                const float4 a1 = *reinterpret_cast<const float4*>(&As[kk][wm + 32 + 4 * tm]);
                const float4 b0 = *reinterpret_cast<const float4*>(&Bs[kk][wn + 4 * tn]);
                const float4 b1 = *reinterpret_cast<const float4*>(&Bs[kk][wn + 16 + 4 * tn]);
                const float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
                const float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
    #pragma unroll
                for (int i = 0; i < 8; i++)
    #pragma unroll
                    for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
            __syncthreads();
        }

    #pragma unroll
        for (int i = 0; i < 8; i++) {
            const int gm = m0 + wm + (i < 4 ? 4 * tm + i : 32 + 4 * tm + i - 4);
            if (gm >= M) continue;
    #pragma unroll
            for (int j = 0; j < 8; j++) {
                const int gn = n0 + wn + (j < 4 ? 4 * tn + j : 16 + 4 * tn + j - 4);
                if (gn >= N) continue;
                nk_epilogue1(acc[i][j], gm, gn, C, offC, ldc, alpha, beta, epilogue, bias, offBias, ldBias, hasBias, act,
                             P, offP, ldp, hasPre, D, offD, ldD, fromPost, mu);
            }
        }
        if (epilogue == 3 && hasBias && n0 == 0 && tid < WG_BM && m0 + tid < M) {
            const int gm = m0 + tid;
            float t = 0.0f;
            for (int k = 0; k < K; k++) t += transA ? AT(A, offA, lda, k, gm) : AT(A, offA, lda, gm, k);
            nk_bias_step(t, gm, alpha, bias, offBias, ldBias, hasPre, VB, offVB, ldVB, mu);
        }
    }
}

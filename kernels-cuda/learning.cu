// Kernels of the learning rules and the shared random generator; same arguments and math as
// kernels-opencl/learning.cl (see its header). Elementwise launch as in elementwise.cu.
#include "common.cuh"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u


__device__ __forceinline__ uint4 nk_philox4x32_10(uint4 c, uint2 k) {
#pragma unroll
    for (int r = 0; r < 10; r++) {
        const unsigned hi0 = __umulhi(PHILOX_M0, c.x), lo0 = PHILOX_M0 * c.x;
        const unsigned hi1 = __umulhi(PHILOX_M1, c.z), lo1 = PHILOX_M1 * c.z;
        c = make_uint4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k.x += PHILOX_W0;
        k.y += PHILOX_W1;
    }
    return c;
}

// A standard normal for element g: Box-Muller on lanes 0 and 1 of Philox((g, stream, step, 0), key);
// see kernels-opencl/learning.cl.
__device__ __forceinline__ float nk_normal(const unsigned g, const int stream, const int step, const int key0, const int key1) {
    const uint4 w = nk_philox4x32_10(make_uint4(g, (unsigned) stream, (unsigned) step, 0u), make_uint2((unsigned) key0, (unsigned) key1));
    const float u1 = 1.0f - (float) (w.x >> 8) * 0x1.0p-24f, u2 = (float) (w.y >> 8) * 0x1.0p-24f;
    return sqrtf(-2.0f * logf(u1)) * cosf(6.2831853071795865f * u2);
}

__device__ __forceinline__ float nk_sign(float x) {
    return x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : x;  // sign(+-0) = +-0 and, unlike OpenCL's sign(), sign(NaN) = NaN
}

// The step direction t = g, or t = v = mu v + g (written back) with a velocity.
__device__ __forceinline__ float nk_direction(const float g, float* v, const float mu, const int hasV) {
    if (!hasV) return g;
    const float t = fmaf(mu, *v, g);
    *v = t;
    return t;
}

extern "C" __global__ void nk_sgd_update(const int rows, const int cols, const float lr, const float decay, const float mu,
                                         float* W, const int offW, const int ldW,
                                         const float* G, const int offG, const int ldG,
                                         float* V, const int offV, const int ldV, const int hasV) {
    ELEMENT_INDEX
    const float t = nk_direction(AT(G, offG, ldG, i, j), &AT(V, offV, ldV, i, j), mu, hasV);
    AT(W, offW, ldW, i, j) = nk_decayed_step(AT(W, offW, ldW, i, j), t, lr, decay);
}

extern "C" __global__ void nk_kp_update(const int rows, const int cols, const float lr, const float decay, const float mu,
                                        float* W, const int offW, const int ldW,
                                        float* B, const int offB, const int ldB,
                                        const float* G, const int offG, const int ldG,
                                        float* V, const int offV, const int ldV, const int hasV) {
    ELEMENT_INDEX
    const float t = nk_direction(AT(G, offG, ldG, i, j), &AT(V, offV, ldV, i, j), mu, hasV);
    AT(W, offW, ldW, i, j) = nk_decayed_step(AT(W, offW, ldW, i, j), t, lr, decay);
    AT(B, offB, ldB, i, j) = nk_decayed_step(AT(B, offB, ldB, i, j), t, lr, decay);
}

extern "C" __global__ void nk_sign_feedback(const int rows, const int cols, const float scale,
                                            const float* W, const int offW, const int ldW,
                                            const float* R, const int offR, const int ldR, const int hasR,
                                            float* B, const int offB, const int ldB) {
    ELEMENT_INDEX
    const float m = hasR ? fabsf(AT(R, offR, ldR, i, j)) : scale;
    AT(B, offB, ldB, i, j) = m * nk_sign(AT(W, offW, ldW, i, j));
}

extern "C" __global__ void nk_mse(const int rows, const int cols,
                                  const float* Y, const int offY, const int ldY,
                                  const float* T, const int offT, const int ldT,
                                  float* G, const int offG, const int ldG,
                                  float* L, const int offL, const int ldL) {
    const int i = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    if (i >= rows) return;
    float loss = 0.0f;
    for (int j = 0; j < cols; j++) {
        const float d = AT(Y, offY, ldY, i, j) - AT(T, offT, ldT, i, j);
        loss = fmaf(d, d, loss);
        AT(G, offG, ldG, i, j) = d / (float) rows;
    }
    AT(L, offL, ldL, i, 0) = 0.5f * loss;
}

extern "C" __global__ void nk_random_uniform(const int rows, const int cols, const int key0, const int key1,
                                             const int stream, const int draw, const float lo, const float hi,
                                             float* Y, const int offY, const int ldY) {
    const int c = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    const int n = rows * cols;
    if (c * 4 >= n) return;
    const uint4 x = nk_philox4x32_10(make_uint4((unsigned) c, (unsigned) stream, (unsigned) draw, 0u),
                                     make_uint2((unsigned) key0, (unsigned) key1));
    const unsigned lanes[4] = {x.x, x.y, x.z, x.w};
    const float span = hi - lo, top = nextafterf(hi, lo);  // the range is [lo, hi): see learning.cl
    for (int l = 0; l < 4; l++) {
        const int e = c * 4 + l;
        if (e >= n) break;
        const float u = (float) (lanes[l] >> 8) * 0x1.0p-24f;
        AT(Y, offY, ldY, e / cols, e - (e / cols) * cols) = fminf(fmaf(span, u, lo), top);
    }
}

// nk_philox: the raw generator for the registry op philox4x32_10; see kernels-opencl/learning.cl.
extern "C" __global__ void nk_philox(const int n, const unsigned* ctr, const int offC, const int ldC,
                                     const unsigned* key, const int offK, const int ldK,
                                     unsigned* out, const int offO, const int ldO) {
    const int r = (int) (blockIdx.x * blockDim.x + threadIdx.x);
    if (r >= n) return;
    const unsigned* c = ctr + offC + r * ldC;
    const unsigned* k = key + offK + r * ldK;
    const uint4 x = nk_philox4x32_10(make_uint4(c[0], c[1], c[2], c[3]), make_uint2(k[0], k[1]));
    unsigned* o = out + offO + r * ldO;
    o[0] = x.x;
    o[1] = x.y;
    o[2] = x.z;
    o[3] = x.w;
}

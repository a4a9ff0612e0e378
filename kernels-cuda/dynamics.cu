// Neuron dynamics; same arguments and math as kernels-opencl/dynamics.cl (see its header).
#include "common.cuh"

extern "C" __global__ void nk_lif_step(const int rows, const int cols,
                                       const float p22, const float p21e, const float p21i, const float p20,
                                       const float p11e, const float p11i,
                                       const float v_rest, const float v_reset, const float v_thresh, const float i_offset,
                                       const int refractory_steps, const float rate_decay, const float rate_gain,
                                       float* V, const int offV, const int ldV,
                                       float* IE, const int offIE, const int ldIE,
                                       float* II, const int offII, const int ldII,
                                       float* R, const int offR, const int ldR,
                                       const float* X, const int offX, const int ldX, const int hasX,
                                       const float* SE, const int offSE, const int ldSE, const int hasSE,
                                       const float* SI, const int offSI, const int ldSI, const int hasSI,
                                       float* S, const int offS, const int ldS,
                                       float* RATE, const int offRATE, const int ldRATE,
                                       float* COUNT, const int offCOUNT, const int ldCOUNT) {
    ELEMENT_INDEX
    float v = AT(V, offV, ldV, i, j);
    const float ie = AT(IE, offIE, ldIE, i, j), ii = AT(II, offII, ldII, i, j);
    float r = AT(R, offR, ldR, i, j);
    if (r > 0.0f) {
        v = v_reset;
        r -= 1.0f;
    } else {
        const float current = i_offset + (hasX ? AT(X, offX, ldX, i, j) : 0.0f);
        v = v_rest + fmaf(p22, v - v_rest, fmaf(p21e, ie, fmaf(p21i, ii, p20 * current)));
    }
    AT(IE, offIE, ldIE, i, j) = fmaf(p11e, ie, hasSE ? AT(SE, offSE, ldSE, i, j) : 0.0f);
    AT(II, offII, ldII, i, j) = fmaf(p11i, ii, hasSI ? AT(SI, offSI, ldSI, i, j) : 0.0f);
    float s = 0.0f;
    if (v >= v_thresh) {
        s = 1.0f;
        v = v_reset;
        r = (float) refractory_steps;
    }
    AT(V, offV, ldV, i, j) = v;
    AT(R, offR, ldR, i, j) = r;
    AT(S, offS, ldS, i, j) = s;
    AT(RATE, offRATE, ldRATE, i, j) = fmaf(rate_decay, AT(RATE, offRATE, ldRATE, i, j), rate_gain * s);
    AT(COUNT, offCOUNT, ldCOUNT, i, j) += s;
}

// nk_rate_step: see kernels-opencl/dynamics.cl; same arguments and math (Philox from learning.cu).
extern "C" __global__ void nk_rate_step(const int rows, const int cols, const int act, const int method,
                                        float* R, const int offR, const int ldR,
                                        const float* X, const int offX, const int ldX,
                                        const float* C, const int offC, const int ldC,
                                        const float* TAU, const int offTAU, const int ldTAU,
                                        const float noise_scale, const int key0, const int key1, const int stream, const int step) {
    ELEMENT_INDEX
    const float r = AT(R, offR, ldR, i, j), fx = nk_activate(act, AT(X, offX, ldX, i, j)), c = AT(C, offC, ldC, 0, j);
    float next = method == 0 ? fmaf(c, fx - r, r) : fmaf(c, r, (1.0f - c) * fx);
    if (noise_scale != 0.0f) next = fmaf(noise_scale / AT(TAU, offTAU, ldTAU, 0, j), nk_normal((unsigned) g, stream, step, key0, key1), next);
    AT(R, offR, ldR, i, j) = next;
}

// nk_izhikevich_step, nk_poisson: see kernels-opencl/dynamics.cl; same arguments and math.
extern "C" __global__ void nk_izhikevich_step(const int rows, const int cols, const float dt,
                                              float* V, const int offV, const int ldV,
                                              float* U, const int offU, const int ldU,
                                              const float* P, const int offP, const int ldP,
                                              const float* X, const int offX, const int ldX, const int hasX,
                                              const float* SYN, const int offSYN, const int ldSYN, const int hasSYN,
                                              float* S, const int offS, const int ldS,
                                              float* COUNT, const int offCOUNT, const int ldCOUNT) {
    ELEMENT_INDEX
    const float a = AT(P, offP, ldP, 0, j), b = AT(P, offP, ldP, 1, j), c = AT(P, offP, ldP, 2, j), d = AT(P, offP, ldP, 3, j);
    float v = AT(V, offV, ldV, i, j), u = AT(U, offU, ldU, i, j), s = 0.0f;
    if (v >= 30.0f) {
        s = 1.0f;
        v = c;
        u += d;
    }
    const float current = (hasX ? AT(X, offX, ldX, i, j) : 0.0f) + (hasSYN ? AT(SYN, offSYN, ldSYN, i, j) : 0.0f);
    const float h = 0.5f * dt;
    v = fmaf(h, fmaf(fmaf(0.04f, v, 5.0f), v, 140.0f - u + current), v);
    v = fmaf(h, fmaf(fmaf(0.04f, v, 5.0f), v, 140.0f - u + current), v);
    u = fmaf(dt * a, fmaf(b, v, -u), u);
    AT(V, offV, ldV, i, j) = v;
    AT(U, offU, ldU, i, j) = u;
    AT(S, offS, ldS, i, j) = s;
    AT(COUNT, offCOUNT, ldCOUNT, i, j) += s;
}

extern "C" __global__ void nk_poisson(const int rows, const int cols, const float dt,
                                      const float* RATE, const int offRATE, const int ldRATE,
                                      const int key0, const int key1, const int stream, const int step,
                                      float* S, const int offS, const int ldS,
                                      float* COUNT, const int offCOUNT, const int ldCOUNT) {
    ELEMENT_INDEX
    const uint4 x = nk_philox4x32_10(make_uint4((unsigned) g, (unsigned) stream, (unsigned) step, 0u),
                                     make_uint2((unsigned) key0, (unsigned) key1));
    const float s = (float) (x.x >> 8) * 0x1.0p-24f < AT(RATE, offRATE, ldRATE, 0, j) * dt ? 1.0f : 0.0f;
    AT(S, offS, ldS, i, j) = s;
    AT(COUNT, offCOUNT, ldCOUNT, i, j) += s;
}

// nk_rate_multistep: see kernels-opencl/dynamics.cl; same arguments, the rates in dynamic shared memory.
extern "C" __global__ void nk_rate_multistep(const int batch, const int n, const int m, const int steps, const int act, const int method,
                                             float* R, const int offR, const int ldR,
                                             const float* WT, const int offWT, const int ldWT,
                                             const float* WINT, const int offWINT, const int ldWINT,
                                             const float* U, const int offU, const int ldU, const int hasU,
                                             const float* BIAS, const int offBIAS, const int ldBIAS,
                                             const float* C, const int offC, const int ldC,
                                             const float* TAU, const int offTAU, const int ldTAU,
                                             const float noise_scale, const int key0, const int key1, const int stream, const int step0,
                                             float* REC, const int offREC, const int ldREC, const int recordEvery) {
    extern __shared__ float r[];
    const int b = blockIdx.x, j = threadIdx.x;
    const bool live = j < n;
    const int g = b * n + j;
    const float c = live ? AT(C, offC, ldC, 0, j) : 0.0f, bias = live ? AT(BIAS, offBIAS, ldBIAS, 0, j) : 0.0f;
    const float tau = live && noise_scale != 0.0f ? AT(TAU, offTAU, ldTAU, 0, j) : 1.0f;
    if (live) r[j] = AT(R, offR, ldR, b, j);
    __syncthreads();
    for (int t = 0; t < steps; t++) {
        float next = 0.0f;
        if (live) {
            float x = bias;
            for (int k = 0; k < n; k++) x = fmaf(AT(WT, offWT, ldWT, k, j), r[k], x);
            if (hasU) for (int q = 0; q < m; q++) x = fmaf(AT(WINT, offWINT, ldWINT, q, j), AT(U, offU, ldU, t * batch + b, q), x);
            const float ri = r[j], fx = nk_activate(act, x);
            next = method == 0 ? fmaf(c, fx - ri, ri) : fmaf(c, ri, (1.0f - c) * fx);
            if (noise_scale != 0.0f) next = fmaf(noise_scale / tau, nk_normal((unsigned) g, stream, step0 + t, key0, key1), next);
        }
        __syncthreads();
        if (live) {
            r[j] = next;
            if (recordEvery > 0 && (t + 1) % recordEvery == 0) AT(REC, offREC, ldREC, ((t + 1) / recordEvery - 1) * batch + b, j) = next;
        }
        __syncthreads();
    }
    if (live) AT(R, offR, ldR, b, j) = r[j];
}

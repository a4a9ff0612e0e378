// Neuron dynamics (equations: docs/dynamics.md). One work-item per neuron of a batch x N state.
//
// nk_lif_step: leaky integrate-and-fire with exponential current synapses, exact integration
//   (NEST's iaf_psc_exp; the propagators are computed in double on the host and passed as floats):
//     not refractory:  V <- v_rest + p22 (V - v_rest) + p21e I_E + p21i I_I + p20 (i_offset + I_ext)
//     refractory:      V stays at v_reset, the counter counts down
//     I_E <- p11e I_E + syn_e,  I_I <- p11i I_I + syn_i   (syn_*: this step's weighted spikes, or absent)
//     V >= v_thresh:   spike (s = 1), V <- v_reset, counter <- refractory steps
//     readout:         rate <- rate_decay * rate + rate_gain * s;  count <- count + s
//   Units as PyNN's IF_curr_exp: mV, nA, nF, ms. Launch 1-D over batch * N, local 256.
// Compiled for CUDA too (see common.cl), except the CPU-device variants at the end (nk_rate_multistep_cpu and
// the kernels named ...16).

// One neuron's LIF step, shared by nk_lif_step and the scalar tail of nk_lif_step16; x, se and si are this
// neuron's external current and synaptic inputs (0 when absent). Written without branches (selects), so
// PoCL vectorizes the work-item loop.
NK_INLINE void nk_lif_element(const float p22, const float p21e, const float p21i, const float p20, const float p11e, const float p11i,
                              const float v_rest, const float v_reset, const float v_thresh, const float i_offset,
                              const int refractory_steps, const float rate_decay, const float rate_gain,
                              __global float* v, __global float* ie, __global float* ii, __global float* r,
                              const float x, const float se, const float si,
                              __global float* s, __global float* rate, __global float* count) {
    const float v0 = *v, e0 = *ie, i0 = *ii, r0 = *r;
    const float integrated = v_rest + fma(p22, v0 - v_rest, fma(p21e, e0, fma(p21i, i0, p20 * (i_offset + x))));
    const int refractory = r0 > 0.0f;
    const float vn = refractory ? v_reset : integrated, rn = refractory ? r0 - 1.0f : r0;
    *ie = fma(p11e, e0, se);
    *ii = fma(p11i, i0, si);
    const int fire = vn >= v_thresh;
    const float spike = fire ? 1.0f : 0.0f;
    *v = fire ? v_reset : vn;
    *r = fire ? (float) refractory_steps : rn;
    *s = spike;
    *rate = fma(rate_decay, *rate, rate_gain * spike);
    *count += spike;
}

// The rate update of nk_rate_step and the multi-step kernels: forward Euler (method 0) or exponential Euler.
NK_INLINE float nk_rate_update(const int method, const float c, const float r, const float fx) {
    return method == 0 ? fma(c, fx - r, r) : fma(c, r, (1.0f - c) * fx);
}

// One Izhikevich neuron's step (2003 convention), shared by nk_izhikevich_step and nk_izhikevich_step16's tail.
NK_INLINE void nk_izhikevich_element(const float dt, const float a, const float b, const float c, const float d, const float current,
                                     __global float* vp, __global float* up, __global float* sp, __global float* countp) {
    float v = *vp, u = *up, s = 0.0f;
    if (v >= 30.0f) {
        s = 1.0f;
        v = c;
        u += d;
    }
    const float h = 0.5f * dt;
    v = fma(h, fma(fma(0.04f, v, 5.0f), v, 140.0f - u + current), v);
    v = fma(h, fma(fma(0.04f, v, 5.0f), v, 140.0f - u + current), v);
    u = fma(dt * a, fma(b, v, -u), u);
    *vp = v;
    *up = u;
    *sp = s;
    *countp += s;
}

__kernel void nk_lif_step(const int rows, const int cols,
                          const float p22, const float p21e, const float p21i, const float p20,
                          const float p11e, const float p11i,
                          const float v_rest, const float v_reset, const float v_thresh, const float i_offset,
                          const int refractory_steps, const float rate_decay, const float rate_gain,
                          __global float* V, const int offV, const int ldV,
                          __global float* IE, const int offIE, const int ldIE,
                          __global float* II, const int offII, const int ldII,
                          __global float* R, const int offR, const int ldR,
                          __global const float* X, const int offX, const int ldX, const int hasX,
                          __global const float* SE, const int offSE, const int ldSE, const int hasSE,
                          __global const float* SI, const int offSI, const int ldSI, const int hasSI,
                          __global float* S, const int offS, const int ldS,
                          __global float* RATE, const int offRATE, const int ldRATE,
                          __global float* COUNT, const int offCOUNT, const int ldCOUNT) {
    ELEMENT_INDEX
    nk_lif_element(p22, p21e, p21i, p20, p11e, p11i, v_rest, v_reset, v_thresh, i_offset, refractory_steps, rate_decay, rate_gain,
                   &AT(V, offV, ldV, i, j), &AT(IE, offIE, ldIE, i, j), &AT(II, offII, ldII, i, j), &AT(R, offR, ldR, i, j),
                   hasX ? AT(X, offX, ldX, i, j) : 0.0f, hasSE ? AT(SE, offSE, ldSE, i, j) : 0.0f, hasSI ? AT(SI, offSI, ldSI, i, j) : 0.0f,
                   &AT(S, offS, ldS, i, j), &AT(RATE, offRATE, ldRATE, i, j), &AT(COUNT, offCOUNT, ldCOUNT, i, j));
}

// nk_rate_step: a batch x n firing-rate population, tau dr/dt = -r + f(x) + sigma xi, x already holding
//   W_rec r + W_in u + b (computed by GEMMs). c (1 x n) holds per neuron dt/tau (forward Euler,
//   method 0: r <- r + c (f(x) - r)) or e^{-dt/tau} (exponential Euler, method 1: r <- c r + (1 - c) f(x)).
//   With noise_scale = sigma sqrt(dt) != 0 it adds noise_scale / tau_j * N(0, 1) (Euler-Maruyama), tau_j in
//   TAU (1 x n); the normal comes from Philox (counter (element, stream, step, 0), key = seed) by Box-Muller.
__kernel void nk_rate_step(const int rows, const int cols, const int act, const int method,
                           __global float* R, const int offR, const int ldR,
                           __global const float* X, const int offX, const int ldX,
                           __global const float* C, const int offC, const int ldC,
                           __global const float* TAU, const int offTAU, const int ldTAU,
                           const float noise_scale, const int key0, const int key1, const int stream, const int step) {
    ELEMENT_INDEX
    const float r = AT(R, offR, ldR, i, j), fx = nk_activate(act, AT(X, offX, ldX, i, j)), c = AT(C, offC, ldC, 0, j);
    float next = nk_rate_update(method, c, r, fx);
    if (noise_scale != 0.0f) next = fma(noise_scale / AT(TAU, offTAU, ldTAU, 0, j), nk_normal((uint) g, stream, step, key0, key1), next);
    AT(R, offR, ldR, i, j) = next;
}

// nk_izhikevich_step: Izhikevich (2003) neurons in that paper's own convention (GeNN follows it):
//   first the spike check on the state entering the step: v >= 30 mV -> spike, v <- c, u <- u + d;
//   then v advances in two half-steps of dt/2, v += dt/2 (0.04 v^2 + 5 v + 140 - u + I), and u by one
//   step, u += dt a (b v - u), with the new v. I = i_ext + syn (either may be absent).
//   ABCD (4 x n): rows a, b, c, d per neuron. count += s. Launch 1-D over batch * n.
__kernel void nk_izhikevich_step(const int rows, const int cols, const float dt,
                                 __global float* V, const int offV, const int ldV,
                                 __global float* U, const int offU, const int ldU,
                                 __global const float* P, const int offP, const int ldP,
                                 __global const float* X, const int offX, const int ldX, const int hasX,
                                 __global const float* SYN, const int offSYN, const int ldSYN, const int hasSYN,
                                 __global float* S, const int offS, const int ldS,
                                 __global float* COUNT, const int offCOUNT, const int ldCOUNT) {
    ELEMENT_INDEX
    nk_izhikevich_element(dt, AT(P, offP, ldP, 0, j), AT(P, offP, ldP, 1, j), AT(P, offP, ldP, 2, j), AT(P, offP, ldP, 3, j),
                          (hasX ? AT(X, offX, ldX, i, j) : 0.0f) + (hasSYN ? AT(SYN, offSYN, ldSYN, i, j) : 0.0f),
                          &AT(V, offV, ldV, i, j), &AT(U, offU, ldU, i, j), &AT(S, offS, ldS, i, j), &AT(COUNT, offCOUNT, ldCOUNT, i, j));
}

// nk_poisson: Poisson spike sources, s = 1 when Philox's uniform u < rate dt (rate per ms in RATE, 1 x n),
//   element e drawing from counter (e, stream, step, 0), key = seed; count += s.
__kernel void nk_poisson(const int rows, const int cols, const float dt,
                         __global const float* RATE, const int offRATE, const int ldRATE,
                         const int key0, const int key1, const int stream, const int step,
                         __global float* S, const int offS, const int ldS,
                         __global float* COUNT, const int offCOUNT, const int ldCOUNT) {
    ELEMENT_INDEX
    const uint4 x = nk_philox4x32_10(NK_UINT4((uint) g, (uint) stream, (uint) step, 0u), NK_UINT2((uint) key0, (uint) key1));
    const float s = (float) (x.x >> 8) * 0x1.0p-24f < AT(RATE, offRATE, ldRATE, 0, j) * dt ? 1.0f : 0.0f;
    AT(S, offS, ldS, i, j) = s;
    AT(COUNT, offCOUNT, ldCOUNT, i, j) += s;
}

// nk_rate_multistep: T steps of nk_rate_step's update in one launch, for many trials of a small network
//   (one work-group per batch row, one work-item per neuron, n <= local size): the rates live in local
//   memory, the drive x_j = b_j + sum_k W_rec[j][k] r_k + sum_m W_in[j][m] u_t[m] is summed by each
//   work-item from the transposed weights WT (pre x post: neighbouring work-items read neighbouring
//   addresses), noise uses the counter (element, stream, step0 + t, 0) as nk_rate_step does. REC, when
//   recordEvery > 0, receives the rates after every recordEvery-th step (row (t / recordEvery) * batch + b).
//   Launch: global (batch * L), local L >= n; the host sizes r (n floats) as local memory (NK_LOCAL_ARG: on
//   OpenCL the last argument, on CUDA the launch's dynamic shared memory).
__kernel void nk_rate_multistep(const int batch, const int n, const int m, const int steps, const int act, const int method,
                                __global float* R, const int offR, const int ldR,
                                __global const float* WT, const int offWT, const int ldWT,
                                __global const float* WINT, const int offWINT, const int ldWINT,
                                __global const float* U, const int offU, const int ldU, const int hasU,
                                __global const float* BIAS, const int offBIAS, const int ldBIAS,
                                __global const float* C, const int offC, const int ldC,
                                __global const float* TAU, const int offTAU, const int ldTAU,
                                const float noise_scale, const int key0, const int key1, const int stream, const int step0,
                                __global float* REC, const int offREC, const int ldREC, const int recordEvery
                                NK_LOCAL_ARG(float, r)) {
    NK_LOCAL_ARG_DECL(float, r)
    const int b = (int) get_group_id(0), j = (int) get_local_id(0);
    const int live = j < n;
    const int g = b * n + j;
    const float c = live ? AT(C, offC, ldC, 0, j) : 0.0f, bias = live ? AT(BIAS, offBIAS, ldBIAS, 0, j) : 0.0f;
    const float tau = live && noise_scale != 0.0f ? AT(TAU, offTAU, ldTAU, 0, j) : 1.0f;
    if (live) r[j] = AT(R, offR, ldR, b, j);
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int t = 0; t < steps; t++) {
        float next = 0.0f;
        if (live) {
            float x = bias;
            for (int k = 0; k < n; k++) x = fma(AT(WT, offWT, ldWT, k, j), r[k], x);
            if (hasU) for (int q = 0; q < m; q++) x = fma(AT(WINT, offWINT, ldWINT, q, j), AT(U, offU, ldU, t * batch + b, q), x);
            const float ri = r[j], fx = nk_activate(act, x);
            next = nk_rate_update(method, c, ri, fx);
            if (noise_scale != 0.0f) next = fma(noise_scale / tau, nk_normal((uint) g, stream, step0 + t, key0, key1), next);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (live) {
            r[j] = next;
            if (recordEvery > 0 && (t + 1) % recordEvery == 0) AT(REC, offREC, ldREC, ((t + 1) / recordEvery - 1) * batch + b, j) = next;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (live) AT(R, offR, ldR, b, j) = r[j];
}

// nk_lif_network: `steps` steps of a network of n LIF neurons with sparse connections, in one launch of
//   one work-group (NET_LOCAL work-items), nothing read back in between (ops/LifNetworkOp.java). Each step:
//   every work-item advances its contiguous chunk of neurons (nk_net_update): nk_lif_element, the synaptic
//   input taken from (and cleared in) slot (step0 + t) % d of the ring buffers RING_E / RING_I (d x n),
//   plus, when w_bg != 0, for a neuron of population p = POPID[j], a Poisson background: X events of weight
//   w_bg (nA, excitatory), X = the number of entries of BG's row p (the cumulative distribution of X) that
//   the uniform u = (lane >> 8) 2^-24 of Philox((j / 4, step0 + t, stream, 2), key), lane j % 4, is not
//   below (inversion, for a nondecreasing row; a row of ones gives none). The spike flags are left in S.
//   After a barrier, the spikes are taken in neuron order: each is appended as (step, neuron) to REC while
//   there is room, counted for its population in POP (steps x npop; a population id outside 0 .. npop-1
//   gets no background and is not counted), and delivered along its row of the padded connection table
//   (TARGETS n x k: post index as float, -1 ends the row, a target past the network is skipped; W n x k:
//   weight in nA, negative = inhibitory, added to the I_I input as lif_step's syn_i; DELAYS n x k: its delay
//   in steps) into slot (step0 + t + delay) % d (1 <= delay <= d; a synapse with another delay delivers
//   nothing) (nk_net_deliver). NREC = (spikes recorded, spikes in all). Every post receives its inputs in
//   neuron and synapse order, so every sum is the same on every device and in the reference; event
//   delivery costs only the synapses of neurons that fired. Two kernels share these steps:
//   - nk_lif_network (GPU families): work-item 0 lists the step's spikes in local memory (LIST_CAP at a
//     time) while it records and counts them; then every work-item walks the list and delivers the synapses
//     whose post lies in its own chunk, so the deliveries run in parallel and no two work-items write the
//     same slot (no atomics);
//   - nk_lif_network_cpu (CPU devices, below): work-item 0 delivers every synapse, which on a CPU costs
//     one pass over the rows instead of one per work-item.
#define NET_LOCAL 256
#define NET_LIST_CAP 1024

// nvcc spilled registers in nk_lif_network with these loops unrolled (NK_CUDA_NO_UNROLL, common.cl); PoCL runs them faster unrolled.

// One step's update of neurons j0 .. j1 - 1. Two loops on the uniform w_bg: without a background the update
// loop holds nothing else, which PoCL vectorizes (the draws' code in the same loop, even untaken, made it 3
// times slower). Not unrolled for CUDA (NK_CUDA_NO_UNROLL).
NK_INLINE void nk_net_update(const int j0, const int j1, const int slot, const int step, const int npop, const int m,
                             const float p22, const float p21e, const float p21i, const float p20, const float p11e, const float p11i,
                             const float v_rest, const float v_reset, const float v_thresh, const float i_offset,
                             const int refractory_steps, const float rate_decay, const float rate_gain,
                             const float w_bg, const uint2 key, const int stream,
                             __global float* V, const int offV, const int ldV, __global float* IE, const int offIE, const int ldIE,
                             __global float* II, const int offII, const int ldII, __global float* R, const int offR, const int ldR,
                             __global float* RATE, const int offRATE, const int ldRATE, __global float* COUNT, const int offCOUNT, const int ldCOUNT,
                             __global float* RING_E, const int offRE, const int ldRE, __global float* RING_I, const int offRI, const int ldRI,
                             __global const float* POPID, const int offP, const int ldP, __global const float* BG, const int offBG, const int ldBG,
                             __global float* S, const int offS, const int ldS) {
    if (w_bg != 0.0f) {
        uint4 x = NK_UINT4(0u, 0u, 0u, 0u);
NK_CUDA_NO_UNROLL
        for (int j = j0; j < j1; j++) {
            const float pid = AT(POPID, offP, ldP, 0, j);
            const int ok = pid >= 0.0f && pid < (float) npop;
            const int row = ok ? (int) pid : 0;
            if (j == j0 || (j & 3) == 0) x = nk_philox4x32_10(NK_UINT4((uint) (j >> 2), (uint) step, (uint) stream, 2u), key);
            const float u = (float) (nk_lane(x, j & 3) >> 8) * 5.9604644775390625e-8f;
            int events = 0;
NK_CUDA_NO_UNROLL
            for (int c = 0; c < m; c++) events += u >= AT(BG, offBG, ldBG, row, c) ? 1 : 0;
            const float se = fma((float) (ok ? events : 0), w_bg, AT(RING_E, offRE, ldRE, slot, j)), si = AT(RING_I, offRI, ldRI, slot, j);
            AT(RING_E, offRE, ldRE, slot, j) = 0.0f;
            AT(RING_I, offRI, ldRI, slot, j) = 0.0f;
            nk_lif_element(p22, p21e, p21i, p20, p11e, p11i, v_rest, v_reset, v_thresh, i_offset, refractory_steps, rate_decay, rate_gain,
                           &AT(V, offV, ldV, 0, j), &AT(IE, offIE, ldIE, 0, j), &AT(II, offII, ldII, 0, j), &AT(R, offR, ldR, 0, j),
                           0.0f, se, si, &AT(S, offS, ldS, 0, j), &AT(RATE, offRATE, ldRATE, 0, j), &AT(COUNT, offCOUNT, ldCOUNT, 0, j));
        }
    } else {
NK_CUDA_NO_UNROLL
        for (int j = j0; j < j1; j++) {
            const float se = AT(RING_E, offRE, ldRE, slot, j), si = AT(RING_I, offRI, ldRI, slot, j);
            AT(RING_E, offRE, ldRE, slot, j) = 0.0f;
            AT(RING_I, offRI, ldRI, slot, j) = 0.0f;
            nk_lif_element(p22, p21e, p21i, p20, p11e, p11i, v_rest, v_reset, v_thresh, i_offset, refractory_steps, rate_decay, rate_gain,
                           &AT(V, offV, ldV, 0, j), &AT(IE, offIE, ldIE, 0, j), &AT(II, offII, ldII, 0, j), &AT(R, offR, ldR, 0, j),
                           0.0f, se, si, &AT(S, offS, ldS, 0, j), &AT(RATE, offRATE, ldRATE, 0, j), &AT(COUNT, offCOUNT, ldCOUNT, 0, j));
        }
    }
}

// The synapses of neuron j's row whose post lies in lo .. hi - 1, delivered in row order.
NK_INLINE void nk_net_deliver(const int j, const int lo, const int hi, const int n, const int k, const int delay, const int slot,
                              __global float* RING_E, const int offRE, const int ldRE, __global float* RING_I, const int offRI, const int ldRI,
                              __global const float* TARGETS, const int offT, const int ldT, __global const float* W, const int offW, const int ldW,
                              __global const float* DELAYS, const int offD, const int ldD) {
    for (int q = 0; q < k; q++) {
        const float target = AT(TARGETS, offT, ldT, j, q);
        if (!(target >= 0.0f)) break;                              // -1 (or NaN) ends the row
        if (target >= (float) n) continue;                          // a target past the network is skipped, never written
        const int post = (int) target;
        if (post < lo || post >= hi) continue;
        const float dq = AT(DELAYS, offD, ldD, j, q);
        if (!(dq >= 1.0f && dq <= (float) delay)) continue;         // a delay outside 1 .. d delivers nothing
        int out = slot + (int) dq;
        if (out >= delay) out -= delay;
        const float w = AT(W, offW, ldW, j, q);
        if (w >= 0.0f) AT(RING_E, offRE, ldRE, out, post) += w;
        else AT(RING_I, offRI, ldRI, out, post) += w;
    }
}

// Spike j of step t, given recorded (rows written) and total (spikes): counted for its population, recorded
// while REC has room. A macro, not a function: pointers to the counters would put them in local memory.
#define NK_NET_RECORD(j, t) do { \
        const float pid_ = AT(POPID, offP, ldP, 0, (j)); \
        if (pid_ >= 0.0f && pid_ < (float) npop) AT(POP, offPOP, ldPOP, (t), (int) pid_) += 1.0f; \
        if (recorded < rec_cap) { \
            AT(REC, offREC, ldREC, recorded, 0) = (float) (step0 + (t)); \
            AT(REC, offREC, ldREC, recorded, 1) = (float) (j); \
            recorded++; \
        } \
        total++; \
    } while (0)

#define NK_NET_PARAMS const int n, const int k, const int delay, const int steps, const int step0, const int rec_cap, const int npop, const int m, \
               const float p22, const float p21e, const float p21i, const float p20, const float p11e, const float p11i, \
               const float v_rest, const float v_reset, const float v_thresh, const float i_offset, \
               const int refractory_steps, const float rate_decay, const float rate_gain, \
               const float w_bg, const int key0, const int key1, const int stream, \
               __global float* V, const int offV, const int ldV, __global float* IE, const int offIE, const int ldIE, \
               __global float* II, const int offII, const int ldII, __global float* R, const int offR, const int ldR, \
               __global float* RATE, const int offRATE, const int ldRATE, __global float* COUNT, const int offCOUNT, const int ldCOUNT, \
               __global float* RING_E, const int offRE, const int ldRE, __global float* RING_I, const int offRI, const int ldRI, \
               __global const float* TARGETS, const int offT, const int ldT, __global const float* W, const int offW, const int ldW, \
               __global const float* DELAYS, const int offD, const int ldD, __global const float* POPID, const int offP, const int ldP, \
               __global const float* BG, const int offBG, const int ldBG, __global float* S, const int offS, const int ldS, \
               __global float* REC, const int offREC, const int ldREC, __global float* POP, const int offPOP, const int ldPOP, \
               __global float* NREC, const int offNREC, const int ldNREC
#define NK_NET_UPDATE(j0, j1, slot, step) nk_net_update(j0, j1, slot, step, npop, m, p22, p21e, p21i, p20, p11e, p11i, v_rest, v_reset, \
               v_thresh, i_offset, refractory_steps, rate_decay, rate_gain, w_bg, key, stream, V, offV, ldV, IE, offIE, ldIE, II, offII, ldII, \
               R, offR, ldR, RATE, offRATE, ldRATE, COUNT, offCOUNT, ldCOUNT, RING_E, offRE, ldRE, RING_I, offRI, ldRI, POPID, offP, ldP, \
               BG, offBG, ldBG, S, offS, ldS)
#define NK_NET_DELIVER(j, lo, hi, slot) nk_net_deliver(j, lo, hi, n, k, delay, slot, RING_E, offRE, ldRE, RING_I, offRI, ldRI, \
               TARGETS, offT, ldT, W, offW, ldW, DELAYS, offD, ldD)

__kernel void NK_WORK_GROUP_SIZE(NET_LOCAL, 1)
nk_lif_network(NK_NET_PARAMS) {
    __local int list[NET_LIST_CAP];
    // work-item 0's counters live in local memory, not in every work-item's registers
    __local int listed;
    __local int scanned;
    __local int recorded;
    __local int total;
    const int lid = (int) get_local_id(0);
    const int chunk = (n + NET_LOCAL - 1) / NET_LOCAL, j0 = min(n, lid * chunk), j1 = min(n, j0 + chunk);
    const uint2 key = NK_UINT2((uint) key0, (uint) key1);
    if (lid == 0) {
        recorded = (int) AT(NREC, offNREC, ldNREC, 0, 0);
        total = (int) AT(NREC, offNREC, ldNREC, 0, 1);
    }
    for (int t = 0; t < steps; t++) {
        const int slot = (step0 + t) % delay;
        NK_NET_UPDATE(j0, j1, slot, step0 + t);
        if (lid == 0) {
            for (int p = 0; p < npop; p++) AT(POP, offPOP, ldPOP, t, p) = 0.0f;
            scanned = 0;
        }
        barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
        // the spikes in neuron order, NET_LIST_CAP at a time: work-item 0 lists, records and counts them,
        // then every work-item delivers the listed spikes' synapses onto its own chunk of posts
        for (int more = 1; more; ) {
            if (lid == 0) {
                int j = scanned, c = 0;
                for (; j < n && c < NET_LIST_CAP; j++) {
                    if (AT(S, offS, ldS, 0, j) == 0.0f) continue;
                    NK_NET_RECORD(j, t);
                    list[c++] = j;
                }
                listed = c;
                scanned = j;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int e = 0; e < listed; e++) NK_NET_DELIVER(list[e], j0, j1, slot);
            more = scanned < n;
            barrier(CLK_GLOBAL_MEM_FENCE | CLK_LOCAL_MEM_FENCE);
        }
    }
    if (lid == 0) {
        AT(NREC, offNREC, ldNREC, 0, 0) = (float) recorded;
        AT(NREC, offNREC, ldNREC, 0, 1) = (float) total;
    }
}

#ifndef NK_CUDA
// ---- CPU-device variants (OpenCL only) ----

// nk_lif_network_cpu: nk_lif_network for CPU devices (same arguments and result): work-item 0 delivers every
//   spike's whole row in neuron order after the update, one pass over the rows per step.
__kernel void NK_WORK_GROUP_SIZE(NET_LOCAL, 1)
nk_lif_network_cpu(NK_NET_PARAMS) {
    const int lid = (int) get_local_id(0);
    const int chunk = (n + NET_LOCAL - 1) / NET_LOCAL, j0 = min(n, lid * chunk), j1 = min(n, j0 + chunk);
    const uint2 key = NK_UINT2((uint) key0, (uint) key1);
    int recorded = (int) AT(NREC, offNREC, ldNREC, 0, 0), total = (int) AT(NREC, offNREC, ldNREC, 0, 1);
    for (int t = 0; t < steps; t++) {
        const int slot = (step0 + t) % delay;
        NK_NET_UPDATE(j0, j1, slot, step0 + t);
        barrier(CLK_GLOBAL_MEM_FENCE);
        if (lid == 0) {
            for (int p = 0; p < npop; p++) AT(POP, offPOP, ldPOP, t, p) = 0.0f;
            for (int j = 0; j < n; j++) {
                if (AT(S, offS, ldS, 0, j) == 0.0f) continue;
                NK_NET_RECORD(j, t);
                NK_NET_DELIVER(j, 0, n, slot);
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    if (lid == 0) {
        AT(NREC, offNREC, ldNREC, 0, 0) = (float) recorded;
        AT(NREC, offNREC, ldNREC, 0, 1) = (float) total;
    }
}

// nk_rate_multistep_cpu: the same function as nk_rate_multistep for CPU devices: one work-item runs MS_TB
//   trials (batch rows) together, their rates in private arrays; the drive streams each row of WT once for
//   all MS_TB trials, 64 neurons at a time in float16 fmas (MS_TB x 4 accumulators: each load of W feeds
//   MS_TB fmas, where one trial per work-item was bound by loading W from L2), and the update uses the
//   float16 activations of the GEMM epilogues, so PoCL runs straight vector code without work-group
//   barriers. Trials past the batch repeat the last one and are not stored. n <= MS_CPU_MAX_N.
//   Launch: global ceil(batch / MS_TB), local 1.
#ifndef MS_CPU_MAX_N
#define MS_CPU_MAX_N 512
#endif
#ifndef MS_TB
#define MS_TB 8
#endif
#ifndef MS_NV
#define MS_NV 2
#endif
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_rate_multistep_cpu(const int batch, const int n, const int m, const int steps, const int act, const int method,
                           __global float* R, const int offR, const int ldR,
                           __global const float* WT, const int offWT, const int ldWT,
                           __global const float* WINT, const int offWINT, const int ldWINT,
                           __global const float* U, const int offU, const int ldU, const int hasU,
                           __global const float* BIAS, const int offBIAS, const int ldBIAS,
                           __global const float* C, const int offC, const int ldC,
                           __global const float* TAU, const int offTAU, const int ldTAU,
                           const float noise_scale, const int key0, const int key1, const int stream, const int step0,
                           __global float* REC, const int offREC, const int ldREC, const int recordEvery) {
    const int b0 = (int) get_global_id(0) * MS_TB;
    if (b0 >= batch) return;
    int bs[MS_TB];
#pragma unroll
    for (int q = 0; q < MS_TB; q++) bs[q] = min(b0 + q, batch - 1);
    // rows padded by one cache line: unpadded, the eight trials' r[q][k] of one k fell into two L1 sets
    float r[MS_TB][MS_CPU_MAX_N + 16], x[MS_TB][MS_CPU_MAX_N + 16];
    for (int q = 0; q < MS_TB; q++)
        for (int j = 0; j < n; j++) r[q][j] = AT(R, offR, ldR, bs[q], j);
    const int nv = n / 16 * 16, nblk = n / (16 * MS_NV) * (16 * MS_NV);
    for (int t = 0; t < steps; t++) {
        // drive: x = bias + sum_k r_k WT[k][.] + sum_q u_q WINT[q][.]; 64 neurons of every trial at a time in
        // float16 registers over all k, then the rest sixteen at a time (through x) and one at a time
        for (int j0 = 0; j0 < nblk; j0 += 16 * MS_NV) {
            float16 a[MS_TB][MS_NV];
#pragma unroll
            for (int v = 0; v < MS_NV; v++) {
                const float16 bias = vload16(v, BIAS + offBIAS + j0);
#pragma unroll
                for (int q = 0; q < MS_TB; q++) a[q][v] = bias;
            }
            for (int k = 0; k < n; k++) {
                const __global float* row = WT + offWT + k * ldWT + j0;
                float16 w[MS_NV];
#pragma unroll
                for (int v = 0; v < MS_NV; v++) w[v] = vload16(v, row);
#pragma unroll
                for (int q = 0; q < MS_TB; q++) {
                    const float16 rk = (float16) (r[q][k]);
#pragma unroll
                    for (int v = 0; v < MS_NV; v++) a[q][v] = fma(w[v], rk, a[q][v]);
                }
            }
#pragma unroll
            for (int q = 0; q < MS_TB; q++)
#pragma unroll
                for (int v = 0; v < MS_NV; v++) vstore16(a[q][v], v, x[q] + j0);
        }
        for (int q = 0; q < MS_TB; q++) {
            const int b = bs[q];
            if (nblk < n) {  // neurons past the last full block (none when n is a multiple of 16 MS_NV)
                for (int j = nblk; j < n; j++) x[q][j] = AT(BIAS, offBIAS, ldBIAS, 0, j);
                for (int k = 0; k < n; k++) {
                    const float rk = r[q][k];
                    const __global float* row = WT + offWT + k * ldWT;
                    for (int j0 = nblk; j0 < nv; j0 += 16) vstore16(fma(vload16(0, row + j0), (float16) (rk), vload16(0, x[q] + j0)), 0, x[q] + j0);
                    for (int j = nv; j < n; j++) x[q][j] = fma(row[j], rk, x[q][j]);
                }
            }
            if (hasU) {
                for (int p = 0; p < m; p++) {
                    const float uq = AT(U, offU, ldU, t * batch + b, p);
                    const __global float* row = WINT + offWINT + p * ldWINT;
                    for (int j0 = 0; j0 < nv; j0 += 16) vstore16(fma(vload16(0, row + j0), (float16) (uq), vload16(0, x[q] + j0)), 0, x[q] + j0);
                    for (int j = nv; j < n; j++) x[q][j] = fma(row[j], uq, x[q][j]);
                }
            }
            // update, sixteen neurons at a time where possible
            for (int j0 = 0; j0 < nv; j0 += 16) {
                const float16 c = vload16(0, C + offC + j0), ri = vload16(0, r[q] + j0), fx = nk_activate16(act, vload16(0, x[q] + j0));
                vstore16(method == 0 ? fma(c, fx - ri, ri) : fma(c, ri, (1.0f - c) * fx), 0, r[q] + j0);
            }
            for (int j = nv; j < n; j++) {
                const float c = AT(C, offC, ldC, 0, j), ri = r[q][j], fx = nk_activate(act, x[q][j]);
                r[q][j] = nk_rate_update(method, c, ri, fx);
            }
            const int record = recordEvery > 0 && (t + 1) % recordEvery == 0;
            if (b0 + q >= batch || (noise_scale == 0.0f && !record)) continue;  // a repeated trial is not recorded
            for (int j = 0; j < n; j++) {
                if (noise_scale != 0.0f) r[q][j] = fma(noise_scale / AT(TAU, offTAU, ldTAU, 0, j), nk_normal((uint) (b * n + j), stream, step0 + t, key0, key1), r[q][j]);
                if (record) AT(REC, offREC, ldREC, ((t + 1) / recordEvery - 1) * batch + b, j) = r[q][j];
            }
        }
    }
    for (int q = 0; q < MS_TB && b0 + q < batch; q++)
        for (int j = 0; j < n; j++) AT(R, offR, ldR, bs[q], j) = r[q][j];
}

// nk_rate_step16: nk_rate_step for CPU devices, sixteen neurons of a row per work-item with the float16
//   activations of the GEMM epilogues (PoCL does not vectorize the scalar kernel's tanh), noise added
//   element by element from the same Philox counters. Launch: 1-D over rows * ceil(cols / 16), local 64.
__kernel void nk_rate_step16(const int rows, const int cols, const int act, const int method,
                             __global float* R, const int offR, const int ldR,
                             __global const float* X, const int offX, const int ldX,
                             __global const float* C, const int offC, const int ldC,
                             __global const float* TAU, const int offTAU, const int ldTAU,
                             const float noise_scale, const int key0, const int key1, const int stream, const int step) {
    const int blocks = (cols + 15) / 16;
    const int g = (int) get_global_id(0);
    if (g >= rows * blocks) return;
    const int i = g / blocks, j0 = (g - i * blocks) * 16;
    __global float* r = R + offR + i * ldR + j0;
    if (j0 + 16 <= cols) {
        const float16 ri = vload16(0, r), c = vload16(0, C + offC + j0), fx = nk_activate16(act, vload16(0, X + offX + i * ldX + j0));
        vstore16(method == 0 ? fma(c, fx - ri, ri) : fma(c, ri, (1.0f - c) * fx), 0, r);
    } else {
        for (int j = j0; j < cols; j++) {
            const float ri = AT(R, offR, ldR, i, j), c = AT(C, offC, ldC, 0, j), fx = nk_activate(act, AT(X, offX, ldX, i, j));
            AT(R, offR, ldR, i, j) = nk_rate_update(method, c, ri, fx);
        }
    }
    if (noise_scale != 0.0f) {
        for (int j = j0; j < min(j0 + 16, cols); j++) {
            AT(R, offR, ldR, i, j) = fma(noise_scale / AT(TAU, offTAU, ldTAU, 0, j), nk_normal((uint) (i * cols + j), stream, step, key0, key1),
                                         AT(R, offR, ldR, i, j));
        }
    }
}

// nk_lif_step16: nk_lif_step for CPU devices, sixteen neurons per work-item in float16 (same update,
//   selects for the refractory and threshold branches); rows must be 1 (the host passes contiguous
//   state flattened into one row) and a partial last block falls back to scalar code. Launch: 1-D over
//   ceil(cols / 16), local 64.
__kernel void nk_lif_step16(const int rows, const int cols,
                            const float p22, const float p21e, const float p21i, const float p20,
                            const float p11e, const float p11i,
                            const float v_rest, const float v_reset, const float v_thresh, const float i_offset,
                            const int refractory_steps, const float rate_decay, const float rate_gain,
                            __global float* V, const int offV, const int ldV,
                            __global float* IE, const int offIE, const int ldIE,
                            __global float* II, const int offII, const int ldII,
                            __global float* R, const int offR, const int ldR,
                            __global const float* X, const int offX, const int ldX, const int hasX,
                            __global const float* SE, const int offSE, const int ldSE, const int hasSE,
                            __global const float* SI, const int offSI, const int ldSI, const int hasSI,
                            __global float* S, const int offS, const int ldS,
                            __global float* RATE, const int offRATE, const int ldRATE,
                            __global float* COUNT, const int offCOUNT, const int ldCOUNT) {
    const int j0 = (int) get_global_id(0) * 16;
    if (j0 >= cols) return;
    if (j0 + 16 > cols) {
        for (int j = j0; j < cols; j++) {
            nk_lif_element(p22, p21e, p21i, p20, p11e, p11i, v_rest, v_reset, v_thresh, i_offset, refractory_steps, rate_decay, rate_gain,
                           V + offV + j, IE + offIE + j, II + offII + j, R + offR + j,
                           hasX ? X[offX + j] : 0.0f, hasSE ? SE[offSE + j] : 0.0f, hasSI ? SI[offSI + j] : 0.0f,
                           S + offS + j, RATE + offRATE + j, COUNT + offCOUNT + j);
        }
        return;
    }
    const float16 v0 = vload16(0, V + offV + j0), r0 = vload16(0, R + offR + j0);
    const float16 ie = vload16(0, IE + offIE + j0), ii = vload16(0, II + offII + j0);
    const float16 current = (float16) (i_offset) + (hasX ? vload16(0, X + offX + j0) : (float16) (0.0f));
    const float16 integrated = v_rest + fma((float16) (p22), v0 - v_rest, fma((float16) (p21e), ie, fma((float16) (p21i), ii, p20 * current)));
    const int16 refractory = r0 > 0.0f;
    float16 v = select(integrated, (float16) (v_reset), refractory);
    float16 r = select(r0, r0 - 1.0f, refractory);
    vstore16(fma((float16) (p11e), ie, hasSE ? vload16(0, SE + offSE + j0) : (float16) (0.0f)), 0, IE + offIE + j0);
    vstore16(fma((float16) (p11i), ii, hasSI ? vload16(0, SI + offSI + j0) : (float16) (0.0f)), 0, II + offII + j0);
    const int16 fire = v >= v_thresh;
    const float16 s = select((float16) (0.0f), (float16) (1.0f), fire);
    vstore16(select(v, (float16) (v_reset), fire), 0, V + offV + j0);
    vstore16(select(r, (float16) ((float) refractory_steps), fire), 0, R + offR + j0);
    vstore16(s, 0, S + offS + j0);
    vstore16(fma((float16) (rate_decay), vload16(0, RATE + offRATE + j0), rate_gain * s), 0, RATE + offRATE + j0);
    vstore16(vload16(0, COUNT + offCOUNT + j0) + s, 0, COUNT + offCOUNT + j0);
}

// nk_izhikevich_step16: nk_izhikevich_step for CPU devices, sixteen neurons of a row per work-item in
//   float16 (same update and order; selects for the reset); a partial last block falls back to scalar code.
//   Launch: 1-D over rows * ceil(cols / 16), local 64.
__kernel void nk_izhikevich_step16(const int rows, const int cols, const float dt,
                                   __global float* V, const int offV, const int ldV,
                                   __global float* U, const int offU, const int ldU,
                                   __global const float* P, const int offP, const int ldP,
                                   __global const float* X, const int offX, const int ldX, const int hasX,
                                   __global const float* SYN, const int offSYN, const int ldSYN, const int hasSYN,
                                   __global float* S, const int offS, const int ldS,
                                   __global float* COUNT, const int offCOUNT, const int ldCOUNT) {
    const int blocks = (cols + 15) / 16;
    const int g = (int) get_global_id(0);
    if (g >= rows * blocks) return;
    const int i = g / blocks, j0 = (g - i * blocks) * 16;
    const float h = 0.5f * dt;
    if (j0 + 16 > cols) {
        for (int j = j0; j < cols; j++) {
            nk_izhikevich_element(dt, AT(P, offP, ldP, 0, j), AT(P, offP, ldP, 1, j), AT(P, offP, ldP, 2, j), AT(P, offP, ldP, 3, j),
                                  (hasX ? AT(X, offX, ldX, i, j) : 0.0f) + (hasSYN ? AT(SYN, offSYN, ldSYN, i, j) : 0.0f),
                                  &AT(V, offV, ldV, i, j), &AT(U, offU, ldU, i, j), &AT(S, offS, ldS, i, j), &AT(COUNT, offCOUNT, ldCOUNT, i, j));
        }
        return;
    }
    const float16 a = vload16(0, P + offP + j0), b = vload16(0, P + offP + ldP + j0);
    const float16 c = vload16(0, P + offP + 2 * ldP + j0), d = vload16(0, P + offP + 3 * ldP + j0);
    float16 v = vload16(0, V + offV + i * ldV + j0), u = vload16(0, U + offU + i * ldU + j0);
    const int16 fire = v >= 30.0f;
    const float16 s = select((float16) (0.0f), (float16) (1.0f), fire);
    v = select(v, c, fire);
    u = select(u, u + d, fire);
    const float16 current = (hasX ? vload16(0, X + offX + i * ldX + j0) : (float16) (0.0f)) + (hasSYN ? vload16(0, SYN + offSYN + i * ldSYN + j0) : (float16) (0.0f));
    v = fma((float16) (h), fma(fma((float16) (0.04f), v, (float16) (5.0f)), v, 140.0f - u + current), v);
    v = fma((float16) (h), fma(fma((float16) (0.04f), v, (float16) (5.0f)), v, 140.0f - u + current), v);
    u = fma(dt * a, fma(b, v, -u), u);
    vstore16(v, 0, V + offV + i * ldV + j0);
    vstore16(u, 0, U + offU + i * ldU + j0);
    vstore16(s, 0, S + offS + i * ldS + j0);
    vstore16(vload16(0, COUNT + offCOUNT + i * ldCOUNT + j0) + s, 0, COUNT + offCOUNT + i * ldCOUNT + j0);
}
#endif  // NK_CUDA

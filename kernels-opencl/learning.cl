// Kernels of the learning rules (equations: docs/learning.md) and the shared random generator.
// Elementwise kernels use the 1-D launch of elementwise.cl (ELEMENT_INDEX). Explicit fma everywhere a
// product meets a sum, so no backend's contraction choice changes the bits.
//
// nk_sgd_update:   v <- mu v + g (when hasV); W <- W - lr (t + decay W), t = v or g.
// nk_kp_update:    Kolen-Pollack: the same t updates W and the feedback B in one pass:
//                  W <- W - lr (t + decay W), B <- B - lr (t + decay B).
// nk_sign_feedback: B = m * sign(W), m = scale (uSF) or |R| (frSF, brSF; hasR).
// nk_mse:          per row (one work-item): loss = sum_j (y - t)^2 / 2, grad = (y - t) / rows.
// nk_random_uniform: Philox4x32-10 (Salmon et al. 2011): element e of the rows x cols output takes lane
//                  e % 4 of Philox(counter = (e / 4, stream, draw, 0), key = (key0, key1)); u = (x >> 8) 2^-24,
//                  value = fma(hi - lo, u, lo), then at most the float below hi (where the range is narrow for its
//                  magnitude the product can round up to hi; the range is [lo, hi)). One work-item per counter
//                  (4 elements). Same bits on every backend.
// Compiled for CUDA too (see common.cl), except nk_random_uniform16 at the end.

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

NK_INLINE uint4 nk_philox4x32_10(uint4 c, uint2 k) {
    for (int r = 0; r < 10; r++) {
        const uint hi0 = mul_hi(PHILOX_M0, c.x), lo0 = PHILOX_M0 * c.x;
        const uint hi1 = mul_hi(PHILOX_M1, c.z), lo1 = PHILOX_M1 * c.z;
        c = NK_UINT4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k.x += PHILOX_W0;
        k.y += PHILOX_W1;
    }
    return c;
}

// Lane i (0..3) of x, picked by the bits of i: two selects on bit 0, one on bit 1. Not a chain of conditionals
// on i & 3, which clang makes a switch (misexecuted by Oclgrind 21.10), nor an indexed array (nvcc puts an
// array indexed in a loop in local memory).
NK_INLINE uint nk_lane(const uint4 x, const int i) {
    const uint lo = (i & 1) ? x.y : x.x, hi = (i & 1) ? x.w : x.z;
    return (i & 2) ? hi : lo;
}

// An approximately standard normal from one Philox block (Irwin-Hall): z = (S 2^-24 - 2) sqrt(3), S the sum of
// the four lanes' 24 high bits; mean 0, variance 1, |z| < 3.47. Integer sums and one rounding: the same bits
// everywhere (ops/ConnectOp.irwinHall is the reference).
NK_INLINE float nk_irwin_hall(const uint4 counter, const uint2 key) {
    const uint4 z4 = nk_philox4x32_10(counter, key);
    const int sum = (int) (z4.x >> 8) + (int) (z4.y >> 8) + (int) (z4.z >> 8) + (int) (z4.w >> 8);
    return ((float) sum * 5.9604644775390625e-8f - 2.0f) * 1.7320508f;
}

// nk_connect: appends one projection's synapses to the rows of a padded table (ops/ConnectOp.java), one
//   work-item per presynaptic neuron: row j = row0 + r of the table for r < rows, posts post0 .. post0 +
//   n_post - 1, every choice from Philox so every device builds the same table. Neuron j itself (post j) is
//   left out unless self_ok.
//   rule 0, fixed out-degree: `degree` targets, each uniform over the n_post posts, or over the n_post - 1
//     others when j is among them and excluded, from lane q % 4 of Philox((j, stream, q / 4, 0), key); an
//     index among m choices is mul_hi(lane, m), exact in integers;
//   rule 1, fixed probability: each post in order with probability p, when the lane's 24 high bits of
//     Philox((j, stream, i / 4, 1), key), lane i % 4 (i = post - post0), are below p 2^24;
//   rule 2, one-to-one: post post0 + r;
//   rule 3, fixed in-degree: each post i draws `degree` sources uniformly from the rows (or from the rows - 1
//     others when i is among them and excluded), lane d % 4 of Philox((post0 + i, stream, d / 4, 5), key),
//     index mul_hi(lane, choices); row r gains post i once for each draw that picked it (multapses). Every
//     row replays every post's draws, so the cost is rows x n_post x degree: for networks of some 10^4
//     neurons, not for the microcircuit.
//   Synapse c of the row (counting from the row's existing COUNT[j], read as 0 .. k) goes to slot c while
//   c < k; its weight is w, or with w_sd != 0, w + w_sd z (clipped at 0 to keep w's sign), z = (S 2^-24 - 2)
//   sqrt(3) an Irwin-Hall approximation of a standard normal (mean 0, variance 1, |z| < 3.47), S the sum of
//   the 24 high bits of the four lanes of Philox((j, stream, c, 3), key): integer sums and one rounding, the
//   same bits everywhere. Its delay (steps) is floor(dl + 0.5), dl = delay, or with delay_sd != 0, delay +
//   delay_sd z' (z' the same from Philox((j, stream, c, 4), key)), clipped to 1 .. max_delay. Slot c after
//   the last synapse, when c < k, gets target -1 (the row's end) and
//   weight 0; COUNT[j] becomes c, which may exceed k (the row then holds the first k and the host sees it).
__kernel void nk_connect(const int rows, const int k, const int rule, const int row0, const int post0, const int n_post, const int degree,
                         const float p, const int self_ok, const int key0, const int key1, const int stream, const float w, const float w_sd,
                         const float delay, const float delay_sd, const int max_delay,
                         __global float* T, const int offT, const int ldT,
                         __global float* WT, const int offW, const int ldW,
                         __global float* DL, const int offDL, const int ldDL,
                         __global float* COUNT, const int offC, const int ldC) {
    const int r = (int) get_global_id(0);
    if (r >= rows) return;
    const int j = row0 + r;
    const uint2 key = NK_UINT2((uint) key0, (uint) key1);
    const float c0 = AT(COUNT, offC, ldC, j, 0);
    int count = c0 >= 0.0f ? (c0 < (float) k ? (int) c0 : k) : 0;    // NaN and negative: an empty row
    const int self = j - post0;                                      // neuron j's index among the posts
    const int n_new = rule == 2 ? 1 : rule == 0 ? degree : rule == 3 ? n_post * degree : n_post;
    const int excluded = !self_ok && self >= 0 && self < n_post;
    const uint choices = (uint) (excluded ? n_post - 1 : n_post);
    uint4 x = NK_UINT4(0u, 0u, 0u, 0u);
    for (int q = 0; q < n_new; q++) {
        int t;
        if (rule == 2) {
            t = r;
        } else if (rule == 0) {
            if ((q & 3) == 0) x = nk_philox4x32_10(NK_UINT4((uint) j, (uint) stream, (uint) (q >> 2), 0u), key);
            t = (int) mul_hi(nk_lane(x, q & 3), choices);
            if (excluded && t >= self) t++;
        } else if (rule == 3) {
            const int post = q / degree, d = q - post * degree;
            if ((d & 3) == 0) x = nk_philox4x32_10(NK_UINT4((uint) (post0 + post), (uint) stream, (uint) (d >> 2), 5u), key);
            const int self_post = post0 + post - row0;                 // post's own index among the rows
            const int excl = !self_ok && self_post >= 0 && self_post < rows;
            int source = (int) mul_hi(nk_lane(x, d & 3), (uint) (excl ? rows - 1 : rows));
            if (excl && source >= self_post) source++;
            if (source != r) continue;
            t = post;
        } else {
            if ((q & 3) == 0) x = nk_philox4x32_10(NK_UINT4((uint) j, (uint) stream, (uint) (q >> 2), 1u), key);
            if ((nk_lane(x, q & 3) >> 8) >= (uint) (p * 16777216.0f) || (!self_ok && q == self)) continue;
            t = q;
        }
        if (count < k) {
            float wq = w;
            if (w_sd != 0.0f) {
                wq = fma(w_sd, nk_irwin_hall(NK_UINT4((uint) j, (uint) stream, (uint) count, 3u), key), w);
                if (w >= 0.0f ? wq < 0.0f : wq > 0.0f) wq = 0.0f;
            }
            float dl = delay;
            if (delay_sd != 0.0f) dl = fma(delay_sd, nk_irwin_hall(NK_UINT4((uint) j, (uint) stream, (uint) count, 4u), key), delay);
            dl = floor(dl + 0.5f);
            dl = dl < 1.0f ? 1.0f : dl > (float) max_delay ? (float) max_delay : dl;
            AT(T, offT, ldT, j, count) = (float) (post0 + t);
            AT(WT, offW, ldW, j, count) = wq;
            AT(DL, offDL, ldDL, j, count) = dl;
        }
        count++;
    }
    if (count < k) {
        AT(T, offT, ldT, j, count) = -1.0f;
        AT(WT, offW, ldW, j, count) = 0.0f;
        AT(DL, offDL, ldDL, j, count) = 0.0f;
    }
    AT(COUNT, offC, ldC, j, 0) = (float) count;
}

// The step direction t = g, or t = v = mu v + g (written back) with a velocity.
NK_INLINE float nk_direction(const float g, __global float* v, const float mu, const int hasV) {
    if (!hasV) return g;
    const float t = fma(mu, *v, g);
    *v = t;
    return t;
}

// A standard normal for element g: Box-Muller on lanes 0 and 1 of Philox((g, stream, step, 0), key), from
// 24-bit uniforms u1 = 1 - x0 2^-24 in (0, 1] and u2 = x1 2^-24 (org.neurokernels.random.Philox.normal).
NK_INLINE float nk_normal(const uint g, const int stream, const int step, const int key0, const int key1) {
    const uint4 w = nk_philox4x32_10(NK_UINT4(g, (uint) stream, (uint) step, 0u), NK_UINT2((uint) key0, (uint) key1));
    const float u1 = 1.0f - (float) (w.x >> 8) * 0x1.0p-24f, u2 = (float) (w.y >> 8) * 0x1.0p-24f;
    return sqrt(-2.0f * log(u1)) * cos(6.2831853071795865f * u2);
}

__kernel void nk_sgd_update(const int rows, const int cols, const float lr, const float decay, const float mu,
                            __global float* W, const int offW, const int ldW,
                            __global const float* G, const int offG, const int ldG,
                            __global float* V, const int offV, const int ldV, const int hasV) {
    ELEMENT_INDEX
    const float t = nk_direction(AT(G, offG, ldG, i, j), &AT(V, offV, ldV, i, j), mu, hasV);
    AT(W, offW, ldW, i, j) = nk_decayed_step(AT(W, offW, ldW, i, j), t, lr, decay);
}

__kernel void nk_kp_update(const int rows, const int cols, const float lr, const float decay, const float mu,
                           __global float* W, const int offW, const int ldW,
                           __global float* B, const int offB, const int ldB,
                           __global const float* G, const int offG, const int ldG,
                           __global float* V, const int offV, const int ldV, const int hasV) {
    ELEMENT_INDEX
    const float t = nk_direction(AT(G, offG, ldG, i, j), &AT(V, offV, ldV, i, j), mu, hasV);
    AT(W, offW, ldW, i, j) = nk_decayed_step(AT(W, offW, ldW, i, j), t, lr, decay);
    AT(B, offB, ldB, i, j) = nk_decayed_step(AT(B, offB, ldB, i, j), t, lr, decay);
}

__kernel void nk_sign_feedback(const int rows, const int cols, const float scale,
                               __global const float* W, const int offW, const int ldW,
                               __global const float* R, const int offR, const int ldR, const int hasR,
                               __global float* B, const int offB, const int ldB) {
    ELEMENT_INDEX
    const float m = hasR ? fabs(AT(R, offR, ldR, i, j)) : scale;
    const float w = AT(W, offW, ldW, i, j);
    // not OpenCL's sign(), which maps NaN to 0: NaN must propagate (and sign(+-0) = +-0 as in sign())
    AT(B, offB, ldB, i, j) = m * (w > 0.0f ? 1.0f : w < 0.0f ? -1.0f : w);
}

__kernel void nk_mse(const int rows, const int cols,
                     __global const float* Y, const int offY, const int ldY,
                     __global const float* T, const int offT, const int ldT,
                     __global float* G, const int offG, const int ldG,
                     __global float* L, const int offL, const int ldL) {
    const int i = (int) get_global_id(0);
    if (i >= rows) return;
    float loss = 0.0f;
    for (int j = 0; j < cols; j++) {
        const float d = AT(Y, offY, ldY, i, j) - AT(T, offT, ldT, i, j);
        loss = fma(d, d, loss);
        AT(G, offG, ldG, i, j) = d / (float) rows;
    }
    AT(L, offL, ldL, i, 0) = 0.5f * loss;
}

__kernel void nk_random_uniform(const int rows, const int cols, const int key0, const int key1,
                                const int stream, const int draw, const float lo, const float hi,
                                __global float* Y, const int offY, const int ldY) {
    const int c = (int) get_global_id(0);
    const int n = rows * cols;
    if (c * 4 >= n) return;
    const uint4 x = nk_philox4x32_10(NK_UINT4((uint) c, (uint) stream, (uint) draw, 0u), NK_UINT2((uint) key0, (uint) key1));
    const uint lanes[4] = {x.x, x.y, x.z, x.w};
    const float span = hi - lo, top = nextafter(hi, lo);
    for (int l = 0; l < 4; l++) {
        const int e = c * 4 + l;
        if (e >= n) break;
        const float u = (float) (lanes[l] >> 8) * 0x1.0p-24f;
        AT(Y, offY, ldY, e / cols, e - (e / cols) * cols) = fmin(fma(span, u, lo), top);
    }
}

// nk_philox: the raw generator, for the registry op philox4x32_10 (bit-for-bit comparisons across
// vendors): row r of OUT is Philox(counter row r, key row r). The float buffers carry uint32 bits.
__kernel void nk_philox(const int n, __global const uint* ctr, const int offC, const int ldC,
                        __global const uint* key, const int offK, const int ldK,
                        __global uint* out, const int offO, const int ldO) {
    const int r = (int) get_global_id(0);
    if (r >= n) return;
    const uint4 x = nk_philox4x32_10(vload4(0, ctr + offC + r * ldC), vload2(0, key + offK + r * ldK));
    vstore4(x, 0, out + offO + r * ldO);
}

// ---- rnn_grad: a recurrent rate or LIF network and its gradient for a batch of sequences, one launch ----
// One work-group of RNN_LOCAL work-items per sequence b; work-item l owns units l, l + RNN_LOCAL, ... and
// their rows of every weight and gradient, so no two work-items write the same element. Forward over the
// steps t: the units (rate: h = alpha h + (1 - alpha)(W_rec r + W_in x + b), r = f(h), d = f'(h); LIF:
// v = alpha v + W_rec z (no diagonal) + W_in x + b - v_th z, z = H(v - v_th), d = psi), the leaky readout
// y = kappa y + W_out z + b_out and dE/dy (squared error every step, or softmax cross-entropy at the last
// step). Online rules (e-prop, RFLO) update the eligibility traces of each unit's row every step and
// accumulate G += L F_kappa(e) + R e, L = B dE/dy, never storing a trace's history; the readout gets its
// exact gradient online. BPTT stores y, z and d (outputs anyway) and runs the backward pass after the
// forward one. Rule 3 runs the forward pass alone (gradient 0). Local memory (sh): z^{t-1} and z^t (swapped each step; dv^{t+1} and dv^t in the backward
// pass), the presynaptic traces of the recurrent and the input weights, h or v, refractory counters, the
// readout's filtered z, y and dE/dy (dy backward), the loss, the readout's filtered 1, the bias's presynaptic
// trace, and the step's lists of active presynaptic units and inputs (7 n + 2 m + 2 k + 5 floats).
#define RNN_LOCAL 64

// dE/dy_q: squared error (kind 0) or softmax cross-entropy at the last step (kind 1, lse = log sum exp y).
NK_INLINE float nk_rnn_err(const int kind, const int last, const float y, const float target, const float lse) {
    return kind == 0 ? y - target : (last ? exp(y - lse) - target : 0.0f);
}

NK_INLINE float nk_rnn_loss(const int kind, const int last, const float y, const float target, const float lse) {
    const float e = y - target;
    return kind == 0 ? 0.5f * e * e : (last ? -target * (y - lse) : 0.0f);
}

// One row segment of the online rules: for col < count, element ge = base + col with presynaptic factor U
// (an expression of col): e = d U (RFLO: P = alpha P + (1 - alpha) e, e = P), F = kappa F + e, G += L F + R e.
#define NK_RNN_TRACE_LOOP(count, base, U) \
    if (rflo) { \
        NK_CUDA_NO_UNROLL for (int col = 0; col < (count); col++) { \
            const int ge = (base) + col; \
            const float e = fma(alpha, AT(E, offE, ldE, b, eCols + ge), c * (d * (U))); \
            AT(E, offE, ldE, b, eCols + ge) = e; \
            const float f = fma(kappa, AT(E, offE, ldE, b, ge), e); \
            AT(E, offE, ldE, b, ge) = f; \
            AT(G, offG, ldG, b, ge) = fma(rj, e, fma(lj, f, AT(G, offG, ldG, b, ge))); \
        } \
    } else { \
        NK_CUDA_NO_UNROLL for (int col = 0; col < (count); col++) { \
            const int ge = (base) + col; \
            const float e = d * (U); \
            const float f = fma(kappa, AT(E, offE, ldE, b, ge), e); \
            AT(E, offE, ldE, b, ge) = f; \
            AT(G, offG, ldG, b, ge) = fma(rj, e, fma(lj, f, AT(G, offG, ldG, b, ge))); \
        } \
    }

__kernel void NK_WORK_GROUP_SIZE(RNN_LOCAL, 1)
nk_rnn_grad(const int n, const int m, const int k, const int steps, const int network, const int act,
            const float alpha, const float kappa, const float v_th, const float gamma, const int refractory_steps,
            const int rule, const int stop_reset, const int kind, const int has_rs,
            __global const float* WIN, const int offWIN, const int ldWIN, __global const float* WREC, const int offWREC, const int ldWREC,
            __global const float* BIAS, const int offBIAS, const int ldBIAS, __global const float* WOUT, const int offWOUT, const int ldWOUT,
            __global const float* BOUT, const int offBOUT, const int ldBOUT, __global const float* FB, const int offFB, const int ldFB,
            __global const float* X, const int offX, const int ldX, __global const float* TGT, const int offTGT, const int ldTGT,
            __global const float* RS, const int offRS, const int ldRS,
            __global float* NK_NOALIAS Y, const int offY, const int ldY, __global float* NK_NOALIAS Z, const int offZ, const int ldZ,
            __global float* NK_NOALIAS D, const int offD, const int ldD, __global float* NK_NOALIAS G, const int offG, const int ldG,
            __global float* NK_NOALIAS LOSS, const int offL, const int ldL, __global float* NK_NOALIAS E, const int offE, const int ldE
            NK_LOCAL_ARG(float, sh)) {
    NK_LOCAL_ARG_DECL(float, sh)
    const int b = (int) get_group_id(0), lid = (int) get_local_id(0);
    const int lif = network == 1, online = rule == 1 || rule == 2, rflo = rule == 2;
    const float c = lif ? 1.0f : 1.0f - alpha;          // d(input to h or v)/d(drive): the rate unit's 1 - alpha
    const int gRec = n * m, gB = gRec + n * n, gOut = gB + n, gBout = gOut + k * n, eCols = gOut;
    const int oQ = 2 * n, oQin = 3 * n, oH = 3 * n + m, oRef = oH + n, oZf = oRef + n, oY = oZf + n, oErr = oY + k, oS = oErr + k;
    const int oCnt = oS + 3, oList = oS + 5;   // this step's active presynaptic units and inputs: counts, then indices
    int oPrev = 0, oCur = n;
    for (int e = lid; e < gBout + k; e += RNN_LOCAL) AT(G, offG, ldG, b, e) = 0.0f;
    for (int e = lid; e < 2 * eCols; e += RNN_LOCAL) AT(E, offE, ldE, b, e) = 0.0f;
    for (int i = lid; i < n; i += RNN_LOCAL) sh[i] = sh[oQ + i] = sh[oH + i] = sh[oRef + i] = sh[oZf + i] = 0.0f;
    for (int i = lid; i < m; i += RNN_LOCAL) sh[oQin + i] = 0.0f;
    for (int q = lid; q < k; q += RNN_LOCAL) sh[oY + q] = 0.0f;
    if (lid == 0) sh[oS] = sh[oS + 1] = sh[oS + 2] = 0.0f;   // loss, filtered 1 of the readout, presynaptic trace of b
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
    for (int t = 0; t < steps; t++) {
        const int xr = t * m;
        if (online) {    // presynaptic traces from z^{t-1} and x^t: LIF ubar = alpha ubar + u, rate q = alpha q + (1 - alpha) u, RFLO u
            for (int i = lid; i < n; i += RNN_LOCAL) sh[oQ + i] = rflo ? sh[oPrev + i] : fma(alpha, sh[oQ + i], c * sh[oPrev + i]);
            for (int i = lid; i < m; i += RNN_LOCAL) sh[oQin + i] = rflo ? AT(X, offX, ldX, b, xr + i) : fma(alpha, sh[oQin + i], c * AT(X, offX, ldX, b, xr + i));
        }
        if (lid == 0) {  // event-driven: list the units and inputs that are not 0 (a silent one contributes nothing, its weight unread)
            int cr = 0, ci = 0;
            for (int i = 0; i < n; i++) if (sh[oPrev + i] != 0.0f) sh[oList + cr++] = (float) i;
            for (int i = 0; i < m; i++) if (AT(X, offX, ldX, b, xr + i) != 0.0f) sh[oList + n + ci++] = (float) i;
            sh[oCnt] = (float) cr;
            sh[oCnt + 1] = (float) ci;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int activeRec = (int) sh[oCnt], activeIn = (int) sh[oCnt + 1];
        for (int j = lid; j < n; j += RNN_LOCAL) {
            // four partial sums, so that the fmas do not wait on one another
            float a0 = AT(BIAS, offBIAS, ldBIAS, 0, j), a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
            int q = 0;
            NK_CUDA_NO_UNROLL for (; q + 4 <= activeRec; q += 4) {
                const int i0 = (int) sh[oList + q], i1 = (int) sh[oList + q + 1], i2 = (int) sh[oList + q + 2], i3 = (int) sh[oList + q + 3];
                a0 = fma(lif && i0 == j ? 0.0f : AT(WREC, offWREC, ldWREC, j, i0), sh[oPrev + i0], a0);
                a1 = fma(lif && i1 == j ? 0.0f : AT(WREC, offWREC, ldWREC, j, i1), sh[oPrev + i1], a1);
                a2 = fma(lif && i2 == j ? 0.0f : AT(WREC, offWREC, ldWREC, j, i2), sh[oPrev + i2], a2);
                a3 = fma(lif && i3 == j ? 0.0f : AT(WREC, offWREC, ldWREC, j, i3), sh[oPrev + i3], a3);
            }
            for (; q < activeRec; q++) {
                const int i = (int) sh[oList + q];
                a0 = fma(lif && i == j ? 0.0f : AT(WREC, offWREC, ldWREC, j, i), sh[oPrev + i], a0);
            }
            NK_CUDA_NO_UNROLL for (q = 0; q + 4 <= activeIn; q += 4) {
                const int i0 = (int) sh[oList + n + q], i1 = (int) sh[oList + n + q + 1], i2 = (int) sh[oList + n + q + 2], i3 = (int) sh[oList + n + q + 3];
                a0 = fma(AT(WIN, offWIN, ldWIN, j, i0), AT(X, offX, ldX, b, xr + i0), a0);
                a1 = fma(AT(WIN, offWIN, ldWIN, j, i1), AT(X, offX, ldX, b, xr + i1), a1);
                a2 = fma(AT(WIN, offWIN, ldWIN, j, i2), AT(X, offX, ldX, b, xr + i2), a2);
                a3 = fma(AT(WIN, offWIN, ldWIN, j, i3), AT(X, offX, ldX, b, xr + i3), a3);
            }
            for (; q < activeIn; q++) {
                const int i = (int) sh[oList + n + q];
                a0 = fma(AT(WIN, offWIN, ldWIN, j, i), AT(X, offX, ldX, b, xr + i), a0);
            }
            const float a = (a0 + a1) + (a2 + a3);
            float z = 0.0f, d = 0.0f;
            if (lif) {
                const float v = fma(alpha, sh[oH + j], fma(-v_th, sh[oPrev + j], a));
                sh[oH + j] = v;
                if (sh[oRef + j] > 0.0f) {
                    sh[oRef + j] -= 1.0f;
                } else {
                    z = v > v_th ? 1.0f : 0.0f;
                    d = gamma / v_th * fmax(0.0f, 1.0f - fabs(v - v_th) / v_th);
                    if (z != 0.0f) sh[oRef + j] = (float) refractory_steps;
                }
            } else {
                const float h = fma(alpha, sh[oH + j], c * a);
                sh[oH + j] = h;
                z = nk_activate(act, h);
                d = nk_derivative_pre(act, h);
            }
            sh[oCur + j] = z;
            AT(Z, offZ, ldZ, b, t * n + j) = z;
            AT(D, offD, ldD, b, t * n + j) = d;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = lid; q < k; q += RNN_LOCAL) {
            float y = fma(kappa, sh[oY + q], AT(BOUT, offBOUT, ldBOUT, 0, q));
            for (int j = 0; j < n; j++) y = fma(AT(WOUT, offWOUT, ldWOUT, q, j), sh[oCur + j], y);
            sh[oY + q] = y;
            AT(Y, offY, ldY, b, t * k + q) = y;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid == 0) {
            const int last = t == steps - 1;
            float mx = -INFINITY, se = 0.0f, l = 0.0f;
            if (kind == 1 && last) {
                for (int q = 0; q < k; q++) mx = fmax(mx, sh[oY + q]);
                for (int q = 0; q < k; q++) se += exp(sh[oY + q] - mx);
            }
            const float lse = mx + log(se);
            for (int q = 0; q < k; q++) {
                const float tq = AT(TGT, offTGT, ldTGT, b, t * k + q);
                sh[oErr + q] = nk_rnn_err(kind, last, sh[oY + q], tq, lse);
                l += nk_rnn_loss(kind, last, sh[oY + q], tq, lse);
            }
            sh[oS] += l;
            if (online) {
                sh[oS + 1] = fma(kappa, sh[oS + 1], 1.0f);
                for (int q = 0; q < k; q++) AT(G, offG, ldG, b, gBout + q) = fma(sh[oErr + q], sh[oS + 1], AT(G, offG, ldG, b, gBout + q));
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (online) {
            const float qone = rflo ? 1.0f : fma(alpha, sh[oS + 2], c);   // every work-item computes it; work-item 0 stores it below
            for (int j = lid; j < n; j += RNN_LOCAL) {
                float lj = 0.0f;
                for (int q = 0; q < k; q++) lj = fma(AT(FB, offFB, ldFB, j, q), sh[oErr + q], lj);
                const float zf = fma(kappa, sh[oZf + j], sh[oCur + j]), d = AT(D, offD, ldD, b, t * n + j);
                const float rj = has_rs ? AT(RS, offRS, ldRS, 0, j) : 0.0f;
                sh[oZf + j] = zf;
                for (int q = 0; q < k; q++) AT(G, offG, ldG, b, gOut + q * n + j) = fma(sh[oErr + q], zf, AT(G, offG, ldG, b, gOut + q * n + j));
                // the row of unit j in W_in, W_rec and b: three loops free of branches (LLVM vectorizes them); the LIF
                // W_rec diagonal is computed with the rest and then cleared, as it has no weight
                const int rowIn = j * m, rowRec = gRec + j * n;
                NK_RNN_TRACE_LOOP(m, rowIn, sh[oQin + col]);
                NK_RNN_TRACE_LOOP(n, rowRec, sh[oQ + col]);
                NK_RNN_TRACE_LOOP(1, gB + j, qone);
                if (lif) AT(E, offE, ldE, b, rowRec + j) = AT(G, offG, ldG, b, rowRec + j) = 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            if (lid == 0) sh[oS + 2] = qone;
        }
        oPrev = oCur;
        oCur = n - oCur;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (rule == 0) {
        // backward: dv^{t+1} in sh[oPrev..], dv^t in sh[oCur..], dy in sh[oErr..]
        for (int i = lid; i < n; i += RNN_LOCAL) sh[oPrev + i] = 0.0f;
        for (int q = lid; q < k; q += RNN_LOCAL) sh[oErr + q] = 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
        for (int t = steps - 1; t >= 0; t--) {
            if (lid == 0) {
                const int last = t == steps - 1;
                float mx = -INFINITY, se = 0.0f;
                if (kind == 1 && last) {
                    for (int q = 0; q < k; q++) mx = fmax(mx, AT(Y, offY, ldY, b, t * k + q));
                    for (int q = 0; q < k; q++) se += exp(AT(Y, offY, ldY, b, t * k + q) - mx);
                }
                const float lse = mx + log(se);
                for (int q = 0; q < k; q++) {
                    const float e = nk_rnn_err(kind, last, AT(Y, offY, ldY, b, t * k + q), AT(TGT, offTGT, ldTGT, b, t * k + q), lse);
                    sh[oErr + q] = fma(kappa, sh[oErr + q], e);
                    AT(G, offG, ldG, b, gBout + q) += sh[oErr + q];
                }
                int cr = 0, ci = 0;   // the presynaptic units of step t-1 and inputs of step t that are not 0, as forward
                if (t > 0) for (int i = 0; i < n; i++) if (AT(Z, offZ, ldZ, b, (t - 1) * n + i) != 0.0f) sh[oList + cr++] = (float) i;
                for (int i = 0; i < m; i++) if (AT(X, offX, ldX, b, t * m + i) != 0.0f) sh[oList + n + ci++] = (float) i;
                sh[oCnt] = (float) cr;
                sh[oCnt + 1] = (float) ci;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int j = lid; j < n; j += RNN_LOCAL) {
                float dz = has_rs ? AT(RS, offRS, ldRS, 0, j) : 0.0f;
                const float zj = AT(Z, offZ, ldZ, b, t * n + j);
                for (int q = 0; q < k; q++) {
                    dz = fma(AT(WOUT, offWOUT, ldWOUT, q, j), sh[oErr + q], dz);
                    AT(G, offG, ldG, b, gOut + q * n + j) = fma(sh[oErr + q], zj, AT(G, offG, ldG, b, gOut + q * n + j));
                }
                // W_rec^T dv^{t+1} in four partial sums (LIF: no self-connection, its term left out)
                float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
                int i = 0;
                NK_CUDA_NO_UNROLL for (; i + 4 <= n; i += 4) {
                    s0 = fma(lif && i == j ? 0.0f : AT(WREC, offWREC, ldWREC, i, j), sh[oPrev + i], s0);
                    s1 = fma(lif && i + 1 == j ? 0.0f : AT(WREC, offWREC, ldWREC, i + 1, j), sh[oPrev + i + 1], s1);
                    s2 = fma(lif && i + 2 == j ? 0.0f : AT(WREC, offWREC, ldWREC, i + 2, j), sh[oPrev + i + 2], s2);
                    s3 = fma(lif && i + 3 == j ? 0.0f : AT(WREC, offWREC, ldWREC, i + 3, j), sh[oPrev + i + 3], s3);
                }
                for (; i < n; i++) s0 = fma(lif && i == j ? 0.0f : AT(WREC, offWREC, ldWREC, i, j), sh[oPrev + i], s0);
                dz = fma(c, (s0 + s1) + (s2 + s3), dz);
                if (lif && !stop_reset) dz = fma(-v_th, sh[oPrev + j], dz);
                sh[oCur + j] = fma(AT(D, offD, ldD, b, t * n + j), dz, alpha * sh[oPrev + j]);
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            const int activeRec = (int) sh[oCnt], activeIn = (int) sh[oCnt + 1];
            for (int j = lid; j < n; j += RNN_LOCAL) {
                const float da = c * sh[oCur + j];
                AT(G, offG, ldG, b, gB + j) += da;
                for (int q = 0; q < activeIn; q++) {
                    const int i = (int) sh[oList + n + q];
                    AT(G, offG, ldG, b, j * m + i) = fma(da, AT(X, offX, ldX, b, t * m + i), AT(G, offG, ldG, b, j * m + i));
                }
                for (int q = 0; q < activeRec; q++) {
                    const int i = (int) sh[oList + q];
                    if (!lif || i != j) AT(G, offG, ldG, b, gRec + j * n + i) = fma(da, AT(Z, offZ, ldZ, b, (t - 1) * n + i), AT(G, offG, ldG, b, gRec + j * n + i));
                }
            }
            oPrev = oCur;
            oCur = n - oCur;
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
    if (lid == 0) AT(LOSS, offL, ldL, b, 0) = sh[oS];
}

#ifndef NK_CUDA
// ---- CPU-device variant (OpenCL only) ----

// nk_random_uniform16: nk_random_uniform's numbers for CPU devices, sixteen counters (64 elements) per work-item:
// the ten Philox rounds in uint16 vectors, and the row and column of the first element found with one
// division and then stepped (the per-element divisions and the scalar rounds of nk_random_uniform ran at
// a fifth of this speed on PoCL). Launch global (ceil(rows * cols / 64)), local (1).
__kernel __attribute__((reqd_work_group_size(1, 1, 1)))
void nk_random_uniform16(const int rows, const int cols, const int key0, const int key1,
                         const int stream, const int draw, const float lo, const float hi,
                         __global float* Y, const int offY, const int ldY) {
    const int c0 = (int) get_global_id(0) * 16;
    const int n = rows * cols;
    uint16 x = (uint16) ((uint) c0) + (uint16) (0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
    uint16 y = (uint16) ((uint) stream), z = (uint16) ((uint) draw), w = (uint16) (0u);
    uint kx = (uint) key0, ky = (uint) key1;
    for (int r = 0; r < 10; r++) {
        const uint16 hi0 = mul_hi((uint16) PHILOX_M0, x), lo0 = (uint16) PHILOX_M0 * x;
        const uint16 hi1 = mul_hi((uint16) PHILOX_M1, z), lo1 = (uint16) PHILOX_M1 * z;
        x = hi1 ^ y ^ (uint16) kx;
        y = lo1;
        z = hi0 ^ w ^ (uint16) ky;
        w = lo0;
        kx += PHILOX_W0;
        ky += PHILOX_W1;
    }
    uint lanes[4][16];
    vstore16(x, 0, lanes[0]);
    vstore16(y, 0, lanes[1]);
    vstore16(z, 0, lanes[2]);
    vstore16(w, 0, lanes[3]);
    const float span = hi - lo, top = nextafter(hi, lo);
    int e = c0 * 4, row = e / cols, col = e - row * cols;
    for (int j = 0; j < 64 && e < n; j++, e++) {
        const float u = (float) (lanes[j & 3][j >> 2] >> 8) * 0x1.0p-24f;
        AT(Y, offY, ldY, row, col) = fmin(fma(span, u, lo), top);
        if (++col == cols) {
            col = 0;
            row++;
        }
    }
}
#endif  // NK_CUDA

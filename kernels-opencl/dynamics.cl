// Neuron dynamics (../shared/guide/dynamics.md). One work-item per neuron of a batch x N state.
//
// nk_lif_step: leaky integrate-and-fire with exponential current synapses, exact integration
//   (NEST's iaf_psc_exp; the propagators are computed in double on the host and passed as floats):
//     not refractory:  V <- v_rest + p22 (V - v_rest) + p21e I_E + p21i I_I + p20 (i_offset + I_ext)
//     refractory:      V stays at v_reset, the counter counts down
//     I_E <- p11e I_E + syn_e,  I_I <- p11i I_I + syn_i   (syn_*: this step's weighted spikes, or absent)
//     V >= v_thresh:   spike (s = 1), V <- v_reset, counter <- refractory steps
//     readout:         rate <- rate_decay * rate + rate_gain * s;  count <- count + s
//   Units as PyNN's IF_curr_exp: mV, nA, nF, ms. Launch 1-D over batch * N, local 256.

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
    float v = AT(V, offV, ldV, i, j);
    const float ie = AT(IE, offIE, ldIE, i, j), ii = AT(II, offII, ldII, i, j);
    float r = AT(R, offR, ldR, i, j);
    if (r > 0.0f) {
        v = v_reset;
        r -= 1.0f;
    } else {
        const float current = i_offset + (hasX ? AT(X, offX, ldX, i, j) : 0.0f);
        v = v_rest + fma(p22, v - v_rest, fma(p21e, ie, fma(p21i, ii, p20 * current)));
    }
    AT(IE, offIE, ldIE, i, j) = fma(p11e, ie, hasSE ? AT(SE, offSE, ldSE, i, j) : 0.0f);
    AT(II, offII, ldII, i, j) = fma(p11i, ii, hasSI ? AT(SI, offSI, ldSI, i, j) : 0.0f);
    float s = 0.0f;
    if (v >= v_thresh) {
        s = 1.0f;
        v = v_reset;
        r = (float) refractory_steps;
    }
    AT(V, offV, ldV, i, j) = v;
    AT(R, offR, ldR, i, j) = r;
    AT(S, offS, ldS, i, j) = s;
    AT(RATE, offRATE, ldRATE, i, j) = fma(rate_decay, AT(RATE, offRATE, ldRATE, i, j), rate_gain * s);
    AT(COUNT, offCOUNT, ldCOUNT, i, j) += s;
}

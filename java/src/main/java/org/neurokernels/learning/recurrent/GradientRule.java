package org.neurokernels.learning.recurrent;

/** How a recurrent network's gradient is computed; {@link #code} is the fused op's {@code rule} parameter. */
public enum GradientRule {
    /** Backpropagation through time: the exact gradient (through the pseudo-derivative for LIF). */
    BPTT(0),
    /** e-prop (Bellec et al. 2020): eligibility traces times a learning signal through feedback weights B. */
    EPROP(1),
    /** RFLO (Murray 2019), rate networks only: e-prop's trace low-pass filtered with the units' own decay. */
    RFLO(2),
    /** No gradient: the forward pass alone (readout, activity and loss), for evaluation. */
    FORWARD(3);

    public final int code;

    GradientRule(int code) { this.code = code; }
}

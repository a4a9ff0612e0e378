package org.neurokernels.learning;

import java.util.Locale;

/**
 * How a hidden layer receives credit (docs/learning.md). For every rule the layer's
 * delta is one fused GEMM with f' in its epilogue (Device.backwardDelta); the rules differ only in the
 * matrix the error travels through:
 * <ul>
 * <li>BP: the next layer's forward weights W (weight transport);</li>
 * <li>FA: a fixed random B of W's shape (Lillicrap et al. 2016);</li>
 * <li>DFA: a fixed random D (classes x width) carrying the output error straight to the layer (Nøkland 2016);</li>
 * <li>USF: s · sign(W), s the init scale of W; FRSF: |R| ⊙ sign(W), R drawn once; BRSF: R redrawn every
 *     batch (Liao, Leibo, Poggio 2016);</li>
 * <li>KP: B updated with the same gradient as W (Kolen-Pollack; Akrout et al. 2019).</li>
 * </ul>
 */
public enum FeedbackRule {
    BP, FA, DFA, USF, FRSF, BRSF, KP;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    public static FeedbackRule parse(String s) {
        for (FeedbackRule r : values()) if (r.id().equalsIgnoreCase(s.trim())) return r;
        throw new IllegalArgumentException("unknown rule '" + s + "'; expected one of bp, fa, dfa, usf, frsf, brsf, kp");
    }

    /** True when the rule keeps a feedback matrix shaped like the next layer's W. */
    public boolean hasFeedbackMatrix() { return this == FA || this == USF || this == FRSF || this == BRSF || this == KP; }

    /** True when the feedback matrix is rebuilt from sign(W) before every backward pass. */
    public boolean signConcordant() { return this == USF || this == FRSF || this == BRSF; }
}

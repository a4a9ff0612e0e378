package org.neurokernels.learning.recurrent;

/**
 * What a network and rule compute for one sequence, as the fused op {@code rnn_grad} returns it: the readout
 * y (steps x K), the units' activity z (steps x N: spikes, or rates r = f(h)), the postsynaptic factor d
 * (steps x N: the pseudo-derivative psi, or f'(h)), the gradient of this sequence's task loss (its
 * {@link Gradients#loss} is that loss; a batch-level rate penalty is the caller's), and the eligibility
 * traces at the last step: F_kappa(e) for W_in, W_rec and b (N x M, N x N, N), then RFLO's P in the same
 * layout; zeros where the rule keeps none (BPTT; P outside RFLO).
 */
public record SequenceResult(double[][] y, double[][] z, double[][] d, Gradients gradient, double[] traces) { }

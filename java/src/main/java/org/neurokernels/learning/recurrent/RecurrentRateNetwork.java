package org.neurokernels.learning.recurrent;

import org.neurokernels.Activation;

/**
 * A recurrent rate network of N leaky units with a leaky linear readout, and three ways to get its gradient:
 * BPTT (exact), e-prop and RFLO (online approximations). Per sequence, for t = 1 .. T, from h^0 = 0, r^0 = 0, y^0 = 0:
 * <pre>
 *   h^t = alpha h^{t-1} + (1 - alpha) (W_rec r^{t-1} + W_in x^t + b),   r^t = f(h^t)
 *   y^t = kappa y^{t-1} + W_out r^t + b_out
 *   E   = 1/2 sum_batch sum_t sum_q (y_q^t - y*_q^t)^2
 * </pre>
 * The sums are event-driven: a silent presynaptic unit or input (value 0) contributes nothing, and its weight is
 * not read (a NaN weight from a silent unit does not reach the sum), as in the fused kernel.
 * with alpha = exp(-dt / tau), kappa = exp(-dt / tau_out) ({@link #decay}); self-connections are allowed.
 * The equations of the rules are in docs/recurrent-learning.md.
 */
public record RecurrentRateNetwork(int n, int m, int k, Activation f, double alpha, double kappa) {

    /** exp(-dt / tau): the per-step decay of a leaky variable with time constant tau. */
    public static double decay(double dt, double tau) { return Math.exp(-dt / tau); }

    /** One sequence's trajectory, steps x units: h (pre-activations), r = f(h), y (readout). */
    record Trajectory(double[][] h, double[][] r, double[][] y) { }

    Trajectory run(RecurrentParameters p, Sequences s, int b) {
        check(p, s);
        int steps = s.steps();
        double[][] h = new double[steps][], r = new double[steps][], y = new double[steps][];
        double[] hPrev = new double[n], rPrev = new double[n], yPrev = new double[k];
        for (int t = 0; t < steps; t++) {
            double[] ht = new double[n], rt = new double[n];
            for (int i = 0; i < n; i++) {
                double a = p.b[i];
                for (int j = 0; j < n; j++) if (rPrev[j] != 0) a += p.wRec[i * n + j] * rPrev[j];
                for (int j = 0; j < m; j++) if (s.x(b, t, j) != 0) a += p.wIn[i * m + j] * s.x(b, t, j);
                ht[i] = alpha * hPrev[i] + (1 - alpha) * a;
                rt[i] = f.apply(ht[i]);
            }
            h[t] = ht;
            r[t] = rt;
            y[t] = Readout.step(p, kappa, rt, yPrev);
            hPrev = ht;
            rPrev = rt;
            yPrev = y[t];
        }
        return new Trajectory(h, r, y);
    }

    /** The readout of sequence b, steps x K. */
    public double[][] outputs(RecurrentParameters p, Sequences s, int b) { return run(p, s, b).y(); }

    /** E over the batch. */
    public double loss(RecurrentParameters p, Sequences s) {
        double e = 0;
        for (int b = 0; b < s.batch(); b++) {
            double[][] y = run(p, s, b).y();
            for (int t = 0; t < s.steps(); t++) e += Readout.stepLoss(s, b, t, y[t]);
        }
        return e;
    }

    /**
     * The exact gradient by backpropagation through time. With dy^{T+1} = 0, dh^{T+1} = 0, for t = T .. 1:
     * dy^t = dE/dy^t + kappa dy^{t+1}; dr^t = W_out^T dy^t + (1 - alpha) W_rec^T dh^{t+1};
     * dh^t = f'(h^t) dr^t + alpha dh^{t+1}; and with da^t = (1 - alpha) dh^t: dW_rec += da^t r^{t-1 T},
     * dW_in += da^t x^{t T}, db += da^t, dW_out += dy^t r^{t T}, db_out += dy^t.
     */
    public Gradients bptt(RecurrentParameters p, Sequences s) { return batch(p, s, GradientRule.BPTT, null); }

    /**
     * e-prop, forward in time: e_ij^t = f'(h_i^t) q_j^t with the presynaptic trace q^t = alpha q^{t-1} + (1 - alpha) u^t
     * (u^t = r^{t-1} for W_rec, x^t for W_in, 1 for b), learning signal L^t = B dE/dy^t, gradient
     * sum_t L_i^t F_kappa(e_ij)^t; W_out and b_out get their exact gradient. feedback: B (N x K), e.g.
     * {@link RecurrentParameters#symmetricFeedback()} or {@link RecurrentParameters#randomFeedback}.
     */
    public Gradients eprop(RecurrentParameters p, Sequences s, float[] feedback) { return batch(p, s, GradientRule.EPROP, feedback); }

    /**
     * RFLO (Murray 2019), forward in time: e_ij^t = P_ij^t = alpha P_ij^{t-1} + (1 - alpha) f'(h_i^t) u_j^t
     * (u as for {@link #eprop}), filtered with the readout's kappa like e-prop's trace:
     * gradient sum_t L_i^t F_kappa(P_ij)^t, L^t = B dE/dy^t; W_out and b_out get their exact gradient.
     */
    public Gradients rflo(RecurrentParameters p, Sequences s, float[] feedback) { return batch(p, s, GradientRule.RFLO, feedback); }

    /** The rule's gradient summed over the batch. */
    public Gradients batch(RecurrentParameters p, Sequences s, GradientRule rule, float[] feedback) {
        Gradients g = new Gradients(p);
        for (int b = 0; b < s.batch(); b++) g.add(sequence(p, s, b, rule, feedback).gradient());
        return g;
    }

    /** Sequence b under the rule: what the fused op rnn_grad computes for it (feedback: B, unused by BPTT). */
    public SequenceResult sequence(RecurrentParameters p, Sequences s, int b, GradientRule rule, float[] feedback) {
        Trajectory tr = run(p, s, b);
        int steps = s.steps(), eCols = n * (n + m + 1);
        double[][] d = new double[steps][n];
        for (int t = 0; t < steps; t++) for (int i = 0; i < n; i++) d[t][i] = f.derivativeFromPre(tr.h()[t][i]);
        Gradients g = new Gradients(p);
        double[] traces = new double[2 * eCols];
        if (rule == GradientRule.FORWARD) {
            for (int t = 0; t < steps; t++) g.loss += Readout.stepLoss(s, b, t, tr.y()[t]);
            return new SequenceResult(tr.y(), tr.r(), d, g, traces);
        }
        if (rule == GradientRule.BPTT) {
            double[] dy = new double[k], dhNext = new double[n];
            for (int t = steps - 1; t >= 0; t--) {
                double[] r = tr.r()[t], rPrev = t > 0 ? tr.r()[t - 1] : new double[n];
                double[] err = Readout.error(s, b, t, tr.y()[t]);
                g.loss += Readout.stepLoss(s, b, t, tr.y()[t]);
                Readout.backward(dy, err, kappa, r, g);
                double[] dh = new double[n];
                for (int i = 0; i < n; i++) {
                    double dr = 0;
                    for (int q = 0; q < k; q++) dr += p.wOut[q * n + i] * dy[q];
                    for (int l = 0; l < n; l++) dr += p.wRec[l * n + i] * (1 - alpha) * dhNext[l];
                    dh[i] = d[t][i] * dr + alpha * dhNext[i];
                }
                for (int i = 0; i < n; i++) {
                    double da = (1 - alpha) * dh[i];
                    g.b[i] += da;
                    for (int j = 0; j < m; j++) if (s.x(b, t, j) != 0) g.wIn[i * m + j] += da * s.x(b, t, j);
                    for (int j = 0; j < n; j++) if (rPrev[j] != 0) g.wRec[i * n + j] += da * rPrev[j];
                }
                dhNext = dh;
            }
            return new SequenceResult(tr.y(), tr.r(), d, g, traces);
        }
        boolean rflo = rule == GradientRule.RFLO;
        double rfloAlpha = rflo ? alpha : Double.NaN;
        Eligibility in = new Eligibility(n, m, false, kappa, rfloAlpha);
        Eligibility rec = new Eligibility(n, n, false, kappa, rfloAlpha);
        Eligibility bias = new Eligibility(n, 1, false, kappa, rfloAlpha);
        Readout.OnlineGradient out = new Readout.OnlineGradient(n, kappa);
        double[] qRec = new double[n], qIn = new double[m], qOne = new double[1];
        for (int t = 0; t < steps; t++) {
            double[] rPrev = t > 0 ? tr.r()[t - 1] : new double[n], x = new double[m];
            for (int j = 0; j < m; j++) x[j] = s.x(b, t, j);
            if (rflo) {
                qRec = rPrev;
                qIn = x;
                qOne[0] = 1;
            } else {
                for (int j = 0; j < n; j++) qRec[j] = alpha * qRec[j] + (1 - alpha) * rPrev[j];
                for (int j = 0; j < m; j++) qIn[j] = alpha * qIn[j] + (1 - alpha) * x[j];
                qOne[0] = alpha * qOne[0] + (1 - alpha);
            }
            double[] err = Readout.error(s, b, t, tr.y()[t]);
            double[] learning = Readout.learningSignal(feedback, err, n);
            g.loss += Readout.stepLoss(s, b, t, tr.y()[t]);
            in.step(d[t], qIn, learning, null, g.wIn);
            rec.step(d[t], qRec, learning, null, g.wRec);
            bias.step(d[t], qOne, learning, null, g.b);
            out.step(tr.r()[t], err, g);
        }
        in.copyTo(traces, 0, eCols);
        rec.copyTo(traces, n * m, eCols + n * m);
        bias.copyTo(traces, n * m + n * n, eCols + n * m + n * n);
        return new SequenceResult(tr.y(), tr.r(), d, g, traces);
    }

    private void check(RecurrentParameters p, Sequences s) {
        if (p.n != n || p.m != m || p.k != k) throw new IllegalArgumentException("parameters are N=" + p.n + " M=" + p.m + " K=" + p.k + ", network N=" + n + " M=" + m + " K=" + k);
        if (s.inputs() != m || s.outputs() != k) throw new IllegalArgumentException("sequences have " + s.inputs() + " inputs and " + s.outputs() + " outputs, network M=" + m + " K=" + k);
    }
}

package org.neurokernels.learning.recurrent;

/**
 * A recurrent network of N leaky integrate-and-fire neurons as e-prop defines it (Bellec et al. 2020), with a
 * leaky linear readout of the spikes, and two ways to get its gradient: BPTT through the pseudo-derivative and
 * e-prop. Per sequence, for t = 1 .. T, from v^0 = 0, z^0 = 0, y^0 = 0:
 * <pre>
 *   v_j^t   = alpha v_j^{t-1} + sum_{i != j} W_rec_ji z_i^{t-1} + sum_i W_in_ji x_i^t + b_j - v_th z_j^{t-1}
 *   z_j^t   = H(v_j^t - v_th)  (H(u) = 1 for u &gt; 0, else 0), or 0 while refractory
 *   psi_j^t = (gamma / v_th) max(0, 1 - |v_j^t - v_th| / v_th), or 0 while refractory
 *   y^t     = kappa y^{t-1} + W_out z^t + b_out
 *   E       = 1/2 sum_batch sum_t sum_q (y_q^t - y*_q^t)^2 + (c_reg / 2) sum_j (fbar_j - f_target)^2
 * </pre>
 * The sums are event-driven: a silent presynaptic unit or input (value 0) contributes nothing, and its weight is
 * not read (a NaN weight from a silent unit does not reach the sum), as in the fused kernel.
 * alpha = exp(-dt / tau_m), kappa = exp(-dt / tau_out). A neuron that spikes at step t is refractory at steps
 * t+1 .. t+refractorySteps: its z and psi are 0 there but its membrane keeps integrating (as the e-prop
 * paper's code does). W_rec's diagonal is never read (no self-connections) and its gradient is 0. b is a
 * constant input current (0 in the paper's model). fbar_j = sum_batch sum_t z_j^t / (batch T) is the firing
 * rate in spikes per step; c_reg = regularization = 0 turns the rate term off.
 */
public record RecurrentLifNetwork(int n, int m, int k, double alpha, double kappa, double vTh, double gamma, int refractorySteps,
                                  double regularization, double targetRate) {

    public RecurrentLifNetwork {
        if (vTh <= 0) throw new IllegalArgumentException("v_th must be positive");
        if (refractorySteps < 0) throw new IllegalArgumentException("refractory steps must be >= 0");
    }

    /** Without the firing-rate regularizer. */
    public RecurrentLifNetwork(int n, int m, int k, double alpha, double kappa, double vTh, double gamma, int refractorySteps) {
        this(n, m, k, alpha, kappa, vTh, gamma, refractorySteps, 0, 0);
    }

    /** One sequence's trajectory, steps x units: v, z, psi, and the readout y (steps x K). */
    record Trajectory(double[][] v, double[][] z, double[][] psi, double[][] y) { }

    Trajectory run(RecurrentParameters p, Sequences s, int b) {
        check(p, s);
        int steps = s.steps();
        double[][] v = new double[steps][], z = new double[steps][], psi = new double[steps][], y = new double[steps][];
        double[] vPrev = new double[n], zPrev = new double[n], yPrev = new double[k];
        int[] refractory = new int[n];
        for (int t = 0; t < steps; t++) {
            double[] vt = new double[n], zt = new double[n], pt = new double[n];
            for (int j = 0; j < n; j++) {
                double a = alpha * vPrev[j] + p.b[j] - vTh * zPrev[j];
                for (int i = 0; i < n; i++) if (i != j && zPrev[i] != 0) a += p.wRec[j * n + i] * zPrev[i];
                for (int i = 0; i < m; i++) if (s.x(b, t, i) != 0) a += p.wIn[j * m + i] * s.x(b, t, i);
                vt[j] = a;
                if (refractory[j] > 0) {
                    refractory[j]--;
                } else {
                    zt[j] = a > vTh ? 1 : 0;
                    pt[j] = gamma / vTh * Math.max(0, 1 - Math.abs(a - vTh) / vTh);
                    if (zt[j] != 0) refractory[j] = refractorySteps;
                }
            }
            v[t] = vt;
            z[t] = zt;
            psi[t] = pt;
            y[t] = Readout.step(p, kappa, zt, yPrev);
            vPrev = vt;
            zPrev = zt;
            yPrev = y[t];
        }
        return new Trajectory(v, z, psi, y);
    }

    /** The readout of sequence b, steps x K. */
    public double[][] outputs(RecurrentParameters p, Sequences s, int b) { return run(p, s, b).y(); }

    /** The spikes of sequence b, steps x N. */
    public double[][] spikes(RecurrentParameters p, Sequences s, int b) { return run(p, s, b).z(); }

    /** E over the batch, the rate term included. */
    public double loss(RecurrentParameters p, Sequences s) {
        Trajectory[] tr = runAll(p, s);
        double e = 0;
        for (int b = 0; b < tr.length; b++) for (int t = 0; t < s.steps(); t++) e += Readout.stepLoss(s, b, t, tr[b].y()[t]);
        return e + rateLoss(rates(s, tr));
    }

    /**
     * BPTT with the pseudo-derivative as dz/dv. With dy^{T+1} = 0, dv^{T+1} = 0, for t = T .. 1:
     * dy^t = dE/dy^t + kappa dy^{t+1};
     * dz_j^t = sum_q W_out_qj dy_q^t + sum_{i != j} W_rec_ij dv_i^{t+1} - v_th dv_j^{t+1} + R_j;
     * dv_j^t = psi_j^t dz_j^t + alpha dv_j^{t+1}; then dW_rec_ji += dv_j^t z_i^{t-1} (i != j), dW_in_ji += dv_j^t x_i^t,
     * db_j += dv_j^t, dW_out += dy^t z^{t T}, db_out += dy^t. R_j = c_reg (fbar_j - f_target) / (batch T) is the
     * rate term's dE/dz_j^t. stopResetGradient drops the - v_th dv_j^{t+1} term (e-prop ignores the reset's
     * dependence on v).
     */
    public Gradients bptt(RecurrentParameters p, Sequences s, boolean stopResetGradient) {
        return batch(p, s, GradientRule.BPTT, null, stopResetGradient);
    }

    /**
     * e-prop, forward in time: e_ji^t = psi_j^t zbar_i^{t-1} for W_rec, psi_j^t xbar_i^t for W_in, psi_j^t 1bar^t for b,
     * where ubar^t = alpha ubar^{t-1} + u^t (zbar^0 = 0); learning signal L^t = B dE/dy^t; gradient
     * sum_t (L_j^t F_kappa(e_ji)^t + R_j e_ji^t) with R_j the rate term's dE/dz_j^t (as in {@link #bptt});
     * W_out and b_out get their exact gradient. feedback: B (N x K), {@link RecurrentParameters#symmetricFeedback()}
     * or {@link RecurrentParameters#randomFeedback}.
     */
    public Gradients eprop(RecurrentParameters p, Sequences s, float[] feedback) {
        return batch(p, s, GradientRule.EPROP, feedback, false);
    }

    /** The rule's gradient summed over the batch, the rate term's included (its R from the batch's rates). */
    public Gradients batch(RecurrentParameters p, Sequences s, GradientRule rule, float[] feedback, boolean stopResetGradient) {
        // the batch's rates need a forward pass of their own, so only with the rate term
        double[] rate = regularization != 0 ? rates(s, runAll(p, s)) : null;
        double[] reg = rate != null ? rateSignal(s, rate) : null;
        Gradients g = new Gradients(p);
        for (int b = 0; b < s.batch(); b++) g.add(sequence(p, s, b, rule, feedback, reg, stopResetGradient).gradient());
        if (rate != null) g.loss += rateLoss(rate);
        return g;
    }

    /**
     * R_j = c_reg (fbar_j - f_target) / (batch T) for these sequences at these parameters: the rate term's
     * dE/dz_j^t, which {@link #sequence} takes as given. Null without regularization.
     */
    public double[] rateSignal(RecurrentParameters p, Sequences s) {
        return regularization != 0 ? rateSignal(s, rates(s, runAll(p, s))) : null;
    }

    /**
     * Sequence b under the rule (BPTT or e-prop): what the fused op rnn_grad computes for it. feedback: B (unused
     * by BPTT); reg: R_j, each unit's rate-term dE/dz_j^t (null: none); stopResetGradient: BPTT without the
     * reset's - v_th dv^{t+1} term.
     */
    public SequenceResult sequence(RecurrentParameters p, Sequences s, int b, GradientRule rule, float[] feedback, double[] reg,
                                   boolean stopResetGradient) {
        if (rule == GradientRule.RFLO) throw new IllegalArgumentException("RFLO is a rule of the rate network");
        Trajectory tr = run(p, s, b);
        int steps = s.steps(), eCols = n * (n + m + 1);
        double[] r = reg != null ? reg : new double[n], traces = new double[2 * eCols];
        Gradients g = new Gradients(p);
        for (int t = 0; t < steps; t++) g.loss += Readout.stepLoss(s, b, t, tr.y()[t]);
        if (rule == GradientRule.FORWARD) return new SequenceResult(tr.y(), tr.z(), tr.psi(), g, traces);
        if (rule == GradientRule.BPTT) {
            double[] dy = new double[k], dvNext = new double[n];
            for (int t = steps - 1; t >= 0; t--) {
                double[] z = tr.z()[t], zPrev = t > 0 ? tr.z()[t - 1] : new double[n];
                Readout.backward(dy, Readout.error(s, b, t, tr.y()[t]), kappa, z, g);
                double[] dv = new double[n];
                for (int j = 0; j < n; j++) {
                    double dz = r[j];
                    for (int q = 0; q < k; q++) dz += p.wOut[q * n + j] * dy[q];
                    for (int i = 0; i < n; i++) if (i != j) dz += p.wRec[i * n + j] * dvNext[i];
                    if (!stopResetGradient) dz -= vTh * dvNext[j];
                    dv[j] = tr.psi()[t][j] * dz + alpha * dvNext[j];
                }
                for (int j = 0; j < n; j++) {
                    g.b[j] += dv[j];
                    for (int i = 0; i < m; i++) if (s.x(b, t, i) != 0) g.wIn[j * m + i] += dv[j] * s.x(b, t, i);
                    for (int i = 0; i < n; i++) if (i != j && zPrev[i] != 0) g.wRec[j * n + i] += dv[j] * zPrev[i];
                }
                dvNext = dv;
            }
            return new SequenceResult(tr.y(), tr.z(), tr.psi(), g, traces);
        }
        Eligibility in = new Eligibility(n, m, false, kappa, Double.NaN);
        Eligibility rec = new Eligibility(n, n, true, kappa, Double.NaN);
        Eligibility bias = new Eligibility(n, 1, false, kappa, Double.NaN);
        Readout.OnlineGradient out = new Readout.OnlineGradient(n, kappa);
        double[] zBar = new double[n], xBar = new double[m], oneBar = new double[1];
        for (int t = 0; t < steps; t++) {
            double[] zPrev = t > 0 ? tr.z()[t - 1] : new double[n];
            for (int i = 0; i < n; i++) zBar[i] = alpha * zBar[i] + zPrev[i];
            for (int i = 0; i < m; i++) xBar[i] = alpha * xBar[i] + s.x(b, t, i);
            oneBar[0] = alpha * oneBar[0] + 1;
            double[] err = Readout.error(s, b, t, tr.y()[t]);
            double[] learning = Readout.learningSignal(feedback, err, n);
            in.step(tr.psi()[t], xBar, learning, reg, g.wIn);
            rec.step(tr.psi()[t], zBar, learning, reg, g.wRec);
            bias.step(tr.psi()[t], oneBar, learning, reg, g.b);
            out.step(tr.z()[t], err, g);
        }
        in.copyTo(traces, 0, eCols);
        rec.copyTo(traces, n * m, eCols + n * m);
        bias.copyTo(traces, n * m + n * n, eCols + n * m + n * n);
        return new SequenceResult(tr.y(), tr.z(), tr.psi(), g, traces);
    }

    private Trajectory[] runAll(RecurrentParameters p, Sequences s) {
        Trajectory[] trs = new Trajectory[s.batch()];
        for (int b = 0; b < s.batch(); b++) trs[b] = run(p, s, b);
        return trs;
    }

    /** fbar_j: spikes per step, averaged over the batch and the steps. */
    private double[] rates(Sequences s, Trajectory[] trs) {
        double[] f = new double[n];
        for (Trajectory tr : trs) for (double[] z : tr.z()) for (int j = 0; j < n; j++) f[j] += z[j];
        for (int j = 0; j < n; j++) f[j] /= (double) s.batch() * s.steps();
        return f;
    }

    private double rateLoss(double[] rate) {
        double e = 0;
        for (double f : rate) e += (f - targetRate) * (f - targetRate);
        return 0.5 * regularization * e;
    }

    /** R_j = dE_reg/dz_j^t = c_reg (fbar_j - f_target) / (batch T), the same for every sequence and step. */
    private double[] rateSignal(Sequences s, double[] rate) {
        double[] r = new double[n];
        for (int j = 0; j < n; j++) r[j] = regularization * (rate[j] - targetRate) / ((double) s.batch() * s.steps());
        return r;
    }

    private void check(RecurrentParameters p, Sequences s) {
        if (p.n != n || p.m != m || p.k != k) throw new IllegalArgumentException("parameters are N=" + p.n + " M=" + p.m + " K=" + p.k + ", network N=" + n + " M=" + m + " K=" + k);
        if (s.inputs() != m || s.outputs() != k) throw new IllegalArgumentException("sequences have " + s.inputs() + " inputs and " + s.outputs() + " outputs, network M=" + m + " K=" + k);
    }
}

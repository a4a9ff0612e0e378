package org.neurokernels.learning.recurrent;

import java.util.LinkedHashMap;
import java.util.Map;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;

/**
 * Trains a recurrent rate or LIF network on a {@link Device} through the fused op {@code rnn_grad}: per
 * iteration one launch computes every sequence's gradient (BPTT, e-prop or RFLO) on the device, the host
 * sums the rows in double and takes an optimizer step (Adam or SGD, moments in double). With the LIF rate
 * penalty a forward launch first gives the batch's rates and so R_j, which the gradient launch takes. On the
 * {@code java} device the op's reference runs, so the same loop is the reference.
 */
public final class RecurrentTrainer implements AutoCloseable {
    /** The two networks of {@link RecurrentRateNetwork} and {@link RecurrentLifNetwork}. */
    public enum Network { RATE, LIF }

    /**
     * The network and rule. alpha: the units' exp(-dt/tau) (tau_m for LIF); kappa: the readout's; f: the rate
     * network's activation; vTh, gamma, refractorySteps, regularization (c_reg) and targetRate (spikes per
     * step): the LIF network's. feedback: B for e-prop and RFLO, null for symmetric feedback (W_out^T, taken
     * afresh every iteration); stopResetGradient: LIF BPTT without the reset's gradient.
     */
    public record Config(Network network, Activation f, double alpha, double kappa, double vTh, double gamma, int refractorySteps,
                         double regularization, double targetRate, GradientRule rule, float[] feedback, boolean stopResetGradient) {
        public Config {
            if (rule == GradientRule.RFLO && network != Network.RATE) throw new IllegalArgumentException("RFLO is a rule of the rate network");
            if (regularization != 0 && network != Network.LIF) throw new IllegalArgumentException("the rate penalty is the LIF network's");
        }
    }

    /**
     * One launch's outcome: the batch's loss (task loss summed over the batch, plus the rate penalty), y
     * (batch x steps*K) and z (batch x steps*N; null from {@link #step}, which does not read it back).
     */
    public record Result(double loss, float[] y, float[] z) { }

    private final Device device;
    private final Config config;
    private final RecurrentParameters params;
    private final Optimizer optimizer;
    private final Op op = OpRegistry.get("rnn_grad");
    private Sequences uploadedFor;
    private Matrix x, target;

    /** Trains {@code params} in place. */
    public RecurrentTrainer(Device device, Config config, RecurrentParameters params, Optimizer optimizer) {
        this.device = device;
        this.config = config;
        this.params = params;
        this.optimizer = optimizer;
        if (config.feedback() != null && config.feedback().length != params.n * params.k) {
            throw new IllegalArgumentException("feedback has " + config.feedback().length + " values, expected N x K = " + params.n * params.k);
        }
    }

    public RecurrentParameters params() { return params; }

    /** One training iteration on this batch: the gradient at the current parameters, then the optimizer's step. Returns the forward pass before the step (its loss and y). */
    public Result step(Sequences s) {
        double[] reg = null;
        double penalty = 0;
        if (config.regularization() != 0) {
            Result f = launch(s, GradientRule.FORWARD, null, null, true);
            double[] rate = new double[params.n];
            for (int e = 0; e < f.z().length; e++) rate[e % params.n] += f.z()[e];
            reg = new double[params.n];
            double scale = (double) s.batch() * s.steps();
            for (int j = 0; j < params.n; j++) {
                rate[j] /= scale;
                reg[j] = config.regularization() * (rate[j] - config.targetRate()) / scale;
                penalty += 0.5 * config.regularization() * (rate[j] - config.targetRate()) * (rate[j] - config.targetRate());
            }
        }
        Gradients g = new Gradients(params);
        Result r = launch(s, config.rule(), reg, g, false);
        optimizer.step(params.arrays(), g.arrays());
        return new Result(r.loss() + penalty, r.y(), r.z());
    }

    /** The forward pass alone at the current parameters (loss without the rate penalty). */
    public Result evaluate(Sequences s) { return launch(s, GradientRule.FORWARD, null, null, true); }

    private Result launch(Sequences s, GradientRule rule, double[] reg, Gradients into, boolean readZ) {
        int n = params.n, m = params.m, k = params.k, b = s.batch(), steps = s.steps();
        if (s.inputs() != m || s.outputs() != k) throw new IllegalArgumentException("sequences have " + s.inputs() + " inputs and " + s.outputs() + " outputs, network M=" + m + " K=" + k);
        if (uploadedFor != s) {   // a batch used again (the frozen input of pattern generation) is uploaded once
            closeInputs();
            x = device.upload(s.x(), b, steps * m);
            target = device.upload(s.target(), b, steps * k);
            uploadedFor = s;
        }
        boolean needsFeedback = rule == GradientRule.EPROP || rule == GradientRule.RFLO;
        float[] fb = needsFeedback ? (config.feedback() != null ? config.feedback() : params.symmetricFeedback()) : null;
        int pCols = n * m + n * n + n + k * n + k;
        Map<String, Matrix> t = new LinkedHashMap<>();
        try {
            t.put("w_in", device.upload(params.wIn, n, m));
            t.put("w_rec", device.upload(params.wRec, n, n));
            t.put("bias", device.upload(params.b, 1, n));
            t.put("w_out", device.upload(params.wOut, k, n));
            t.put("b_out", device.upload(params.bOut, 1, k));
            if (fb != null) t.put("feedback", device.upload(fb, n, k));
            if (reg != null) {
                float[] r = new float[n];
                for (int j = 0; j < n; j++) r[j] = (float) reg[j];
                t.put("rate_signal", device.upload(r, 1, n));
            }
            t.put("y", device.allocate(b, steps * k));
            t.put("z", device.allocate(b, steps * n));
            t.put("d", device.allocate(b, steps * n));
            t.put("grad", device.allocate(b, pCols));
            t.put("loss", device.allocate(b, 1));
            t.put("traces", device.allocate(b, 2 * n * (n + m + 1)));
            Map<String, Matrix> all = new LinkedHashMap<>(t);
            all.put("x", x);
            all.put("target", target);
            Map<String, String> pm = new LinkedHashMap<>();
            pm.put("network", config.network() == Network.LIF ? "1" : "0");
            pm.put("steps", Integer.toString(steps));
            pm.put("activation", (config.f() != null ? config.f() : Activation.TANH).id());
            pm.put("alpha", Float.toString((float) config.alpha()));
            pm.put("kappa", Float.toString((float) config.kappa()));
            pm.put("v_th", Float.toString((float) config.vTh()));
            pm.put("gamma", Float.toString((float) config.gamma()));
            pm.put("refractory_steps", Integer.toString(config.refractorySteps()));
            pm.put("rule", Integer.toString(rule.code));
            pm.put("stop_reset", Boolean.toString(config.stopResetGradient()));
            pm.put("objective", Integer.toString(s.lossCode()));
            device.run(op, all, op.params(pm));
            double loss = 0;
            for (float l : device.download(t.get("loss"))) loss += l;
            if (into != null) {
                float[] g = device.download(t.get("grad"));
                double[][] to = into.arrays();
                for (int row = 0; row < b; row++) {
                    int at = row * pCols;
                    for (double[] a : to) for (int e = 0; e < a.length; e++) a[e] += g[at++];
                }
                into.loss = loss;
            }
            return new Result(loss, device.download(t.get("y")), readZ ? device.download(t.get("z")) : null);
        } finally {
            for (Matrix mx : t.values()) mx.close();
        }
    }

    private void closeInputs() {
        if (x != null) x.close();
        if (target != null) target.close();
        x = target = null;
        uploadedFor = null;
    }

    @Override public void close() { closeInputs(); }
}

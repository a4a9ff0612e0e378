package org.neurokernels.learning;

import java.util.ArrayList;
import java.util.List;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * A multilayer perceptron of dense layers on one device, trained with a feedback rule per hidden layer
 * (docs/learning.md). Parameters, feedback matrices, activations and deltas live on the
 * device; a training step moves only the batch in and its loss out.
 *
 * <p>Conventions: layer l has W_l (d_l x d_{l-1}) and b_l (1 x d_l); A_l = H_{l-1} W_l^T + b_l, H_l = f_l(A_l);
 * the output layer is linear (logits). Init (stated, from the shared Philox generator so every backend
 * starts from the same numbers): W_l, and FA/KP feedback B, ~ U(-s, s), s = sqrt(6 / (fan_in + fan_out))
 * (Glorot uniform); biases 0; DFA's D_l ~ U(-1/sqrt(d_l), 1/sqrt(d_l)) (Nøkland's code); frSF/brSF
 * magnitudes |R| with R ~ U(-s, s). The rule of hidden layer l decides the matrix its delta comes through:
 * W_{l+1} (BP), B_l shaped like W_{l+1} (FA, uSF, frSF, brSF, KP), or D_l from the output error (DFA).
 * The derivative f'(A_l) in a delta is evaluated from H_l with {@link Activation}'s post-activation formulas
 * (tanh' = (1 - H)(1 + H), as NumPy code writes it), so the pre-activations A_l are never stored.
 */
public final class Mlp implements AutoCloseable {
    /** Philox streams: layer l's W uses stream l, its feedback 1000 + l, frSF/brSF magnitudes 2000 + l. */
    static final int FEEDBACK_STREAM = 1000, MAGNITUDE_STREAM = 2000;

    final Device device;
    final int[] sizes;              // d_0 .. d_L
    final Activation[] activations; // f_1 .. f_L: the hidden activation, identity for the output (logits)
    final FeedbackRule[] rules;     // rule of hidden layer 1 .. L-1
    final long seed;
    final int maxBatch;
    final float[] initScale;        // s_l of W_l
    final List<Matrix> owned = new ArrayList<>();

    final Matrix[] w, b, gw, gb, vw, vb;     // per layer 1..L (index l)
    final Matrix[] feedback, magnitude;      // per hidden layer 1..L-1: B_l (d_{l+1} x d_l) or D_l (d_L x d_l); R_l
    final Matrix[] h, delta;                 // per layer: batch x d_l (h[0] is the input batch of the current step)
    final Matrix hostInput, hostTargets;     // the batch as uploaded from the host (contiguous)
    private Matrix targets;                  // the current step's targets: hostTargets, or a view of a gathered batch
    final Matrix probs, loss;
    int step;

    public Mlp(Device device, int[] sizes, Activation hidden, FeedbackRule[] rules, int maxBatch, boolean momentum, long seed) {
        if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least an input and an output size");
        for (int s : sizes) if (s < 1) throw new IllegalArgumentException("layer sizes must be positive: " + java.util.Arrays.toString(sizes));
        int layers = sizes.length - 1;
        if (rules.length != layers - 1) {
            throw new IllegalArgumentException(layers - 1 + " hidden layer(s) need " + (layers - 1) + " rule(s), got " + rules.length);
        }
        if (maxBatch < 1) throw new IllegalArgumentException("batch must be positive");
        this.device = device;
        this.sizes = sizes.clone();
        this.rules = rules.clone();
        this.seed = seed;
        this.maxBatch = maxBatch;
        this.activations = new Activation[layers + 1];
        for (int l = 1; l < layers; l++) activations[l] = hidden;
        activations[layers] = Activation.IDENTITY;
        int n = layers + 1;
        w = new Matrix[n]; b = new Matrix[n]; gw = new Matrix[n]; gb = new Matrix[n]; vw = new Matrix[n]; vb = new Matrix[n];
        feedback = new Matrix[n]; magnitude = new Matrix[n]; h = new Matrix[n]; delta = new Matrix[n];
        initScale = new float[n];
        try {
            hostInput = own(device.allocate(maxBatch, sizes[0]));
            h[0] = hostInput;
            for (int l = 1; l <= layers; l++) {
                int out = sizes[l], in = sizes[l - 1];
                initScale[l] = (float) Math.sqrt(6.0 / (in + out));
                w[l] = own(device.allocate(out, in));
                device.randomUniform(seed, l, 0, -initScale[l], initScale[l], w[l]);
                b[l] = own(device.allocate(1, out));
                gw[l] = own(device.allocate(out, in));
                gb[l] = own(device.allocate(1, out));
                if (momentum) {
                    vw[l] = own(device.allocate(out, in));
                    vb[l] = own(device.allocate(1, out));
                }
                h[l] = own(device.allocate(maxBatch, out));
                delta[l] = own(device.allocate(maxBatch, out));
            }
            for (int l = 1; l < layers; l++) {
                FeedbackRule r = rules[l - 1];
                int next = sizes[l + 1], width = sizes[l];
                if (r == FeedbackRule.DFA) {
                    float s = (float) (1 / Math.sqrt(width));
                    feedback[l] = own(device.allocate(sizes[layers], width));
                    device.randomUniform(seed, FEEDBACK_STREAM + l, 0, -s, s, feedback[l]);
                } else if (r.hasFeedbackMatrix()) {
                    feedback[l] = own(device.allocate(next, width));
                    float s = initScale[l + 1];
                    if (r == FeedbackRule.FA || r == FeedbackRule.KP) device.randomUniform(seed, FEEDBACK_STREAM + l, 0, -s, s, feedback[l]);
                    if (r == FeedbackRule.FRSF || r == FeedbackRule.BRSF) {
                        magnitude[l] = own(device.allocate(next, width));
                        device.randomUniform(seed, MAGNITUDE_STREAM + l, 0, -s, s, magnitude[l]);
                    }
                    if (r.signConcordant()) refreshSignFeedback(l);
                }
            }
            hostTargets = own(device.allocate(maxBatch, sizes[layers]));
            targets = hostTargets;
            probs = own(device.allocate(maxBatch, sizes[layers]));
            loss = own(device.allocate(maxBatch, 1));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Matrix own(Matrix m) {
        owned.add(m);
        return m;
    }

    public int layers() { return sizes.length - 1; }

    public Device device() { return device; }

    public FeedbackRule rule(int hiddenLayer) { return rules[hiddenLayer - 1]; }

    /** W_l (d_l x d_{l-1}), for inspection. */
    public Matrix weights(int l) { return w[l]; }

    /** The feedback matrix of hidden layer l (B_l or D_l), or null under BP. */
    public Matrix feedback(int l) { return feedback[l]; }

    private void refreshSignFeedback(int l) {
        FeedbackRule r = rules[l - 1];
        if (r == FeedbackRule.BRSF && step > 0) device.randomUniform(seed, MAGNITUDE_STREAM + l, step, -initScale[l + 1], initScale[l + 1], magnitude[l]);
        device.signFeedback(initScale[l + 1], w[l + 1], r == FeedbackRule.USF ? null : magnitude[l], feedback[l]);
    }

    private static Matrix rows(Matrix m, int n) { return n == m.rows() ? m : m.view(0, 0, n, m.cols()); }

    /** Uploads n x d_0 inputs and runs the forward pass; returns the logits view. */
    Matrix forward(float[] x, int n) {
        h[0] = hostInput;
        device.upload(rows(h[0], n), x);
        return forwardLoaded(n);
    }

    /** The forward pass of the batch in h[0]; returns the logits view. */
    private Matrix forwardLoaded(int n) {
        return forwardLoaded(n, layers());
    }

    /** Layers 1..upTo of the forward pass of the batch in h[0]; returns h[upTo]'s batch rows. */
    private Matrix forwardLoaded(int n, int upTo) {
        for (int l = 1; l <= upTo; l++) {
            device.denseForward(rows(h[l - 1], n), w[l], b[l], activations[l], rows(h[l], n), null);
        }
        return rows(h[upTo], n);
    }

    /**
     * One training step on a batch: forward, softmax cross-entropy (or MSE) loss, the rule's deltas,
     * gradients and the SGD (or Kolen-Pollack) update. Returns the mean loss of the batch.
     */
    public double trainStep(float[] x, float[] y, int n, float lr, float momentum, float decay, boolean mse) {
        load(x, y, n);
        Matrix rowLoss = rows(loss, n);
        step(n, lr, momentum, decay, mse, rowLoss);
        return meanLoss(device.download(rowLoss), n);
    }

    /** Uploads a batch: n x d_0 inputs into h[0], n x d_L targets. */
    private void load(float[] x, float[] y, int n) {
        if (n < 1 || n > maxBatch) throw new IllegalArgumentException("batch of " + n + " rows; this MLP takes 1.." + maxBatch);
        h[0] = hostInput;
        targets = hostTargets;
        device.upload(rows(h[0], n), x);
        device.upload(rows(targets, n), y);
    }

    /**
     * Floats per example row of a device-resident training set for {@link #trainStepOnDevice}: d_0 inputs,
     * then d_L targets, then zeros up to a multiple of 16 (so every gathered row starts 64-byte aligned for
     * the vector kernels).
     */
    public int exampleWidth() {
        return (sizes[0] + sizes[layers()] + 15) / 16 * 16;
    }

    /** Rows of {@link #exampleWidth()} floats, one per example: x_i, then t_i, then zeros (host side, for upload). */
    public float[] packExamples(float[] x, float[] t, int count) {
        int d0 = sizes[0], dL = sizes[layers()], w = exampleWidth();
        if (x.length != (long) count * d0 || t.length != (long) count * dL) {
            throw new IllegalArgumentException("need " + count + " x " + d0 + " inputs and " + count + " x " + dL + " targets, got " + x.length + " and " + t.length + " floats");
        }
        float[] out = new float[Math.multiplyExact(count, w)];
        for (int i = 0; i < count; i++) {
            System.arraycopy(x, i * d0, out, i * w, d0);
            System.arraycopy(t, i * dL, out, i * w + d0, dL);
        }
        return out;
    }

    /**
     * A training step on rows of a dataset that stays on the device: {@code examples} (N x
     * {@link #exampleWidth()}, each row an input and its target as {@link #packExamples} lays them out),
     * the batch's rows picked by {@code index}, a 1 x n row of row numbers (a view into an epoch's
     * shuffled order; see {@link Device#gatherRows}). One gather brings inputs and targets together.
     * Nothing crosses to the host: the per-row losses go to the device's loss log and come back with
     * {@link #drainLoss()}, so the host can queue steps while the device runs.
     */
    public void trainStepOnDevice(Matrix examples, Matrix index, float lr, float momentum, float decay, boolean mse) {
        int n = index.cols();
        if (n < 1 || n > maxBatch) throw new IllegalArgumentException("batch of " + n + " rows; this MLP takes 1.." + maxBatch);
        if (examples.cols() != exampleWidth()) {
            throw new IllegalArgumentException("examples are " + examples.shape() + "; this MLP needs rows of " + exampleWidth() + " floats (see packExamples)");
        }
        if (lossLog == null) lossLog = own(device.allocate(LOSS_LOG_ROWS, 1));
        if (gathered == null) {
            gathered = own(device.allocate(maxBatch, exampleWidth()));
            gatheredInput = gathered.view(0, 0, maxBatch, sizes[0]);
            gatheredTargets = gathered.view(0, sizes[0], maxBatch, sizes[layers()]);
        }
        if (lossLogUsed + n > LOSS_LOG_ROWS) {
            lossLogSum += sumLogged();
            lossLogUsed = 0;
        }
        device.gatherRows(examples, index, rows(gathered, n));
        h[0] = gatheredInput;
        targets = gatheredTargets;
        step(n, lr, momentum, decay, mse, lossLog.view(lossLogUsed, 0, n, 1));
        lossLogUsed += n;
    }

    /** The sum of the per-row losses of every deferred step since the last drain; resets the log. */
    public double drainLoss() {
        double s = lossLogSum + sumLogged();
        lossLogSum = 0;
        lossLogUsed = 0;
        return s;
    }

    private double sumLogged() {
        if (lossLogUsed == 0) return 0;
        double s = 0;
        for (float v : device.download(lossLog.view(0, 0, lossLogUsed, 1))) s += v;
        return s;
    }

    private static double meanLoss(float[] losses, int n) {
        double sum = 0;
        for (float v : losses) sum += v;
        return sum / n;
    }

    /** Rows of per-example loss the device keeps between drains (then one download empties it). */
    static final int LOSS_LOG_ROWS = 1 << 16;
    private Matrix lossLog;
    private Matrix gathered, gatheredInput, gatheredTargets;  // maxBatch x exampleWidth(): a device-side step's rows
    private int lossLogUsed;
    private double lossLogSum;

    /** One step on the loaded batch (h[0], targets). */
    private void step(int n, float lr, float momentum, float decay, boolean mse, Matrix rowLoss) {
        int L = layers();
        int top = lossAndTopDelta(n, mse, rowLoss);
        // Deltas top-down, each followed by the update of the layer two above it, then the updates of
        // layers 2 and 1: a call order in which neighbours are often independent (a delta never reads the
        // weights an update next to it writes), so the device may merge them into one launch. Every update
        // comes after the deltas that read its W (BP) or its Kolen-Pollack B.
        device.independently(() -> {
            for (int l = top; l >= 1; l--) {
                backwardDelta(l, n);
                if (l + 2 <= L) update(l + 2, n, lr, momentum, decay);
            }
            for (int l = Math.min(L, 2); l >= 1; l--) update(l, n, lr, momentum, decay);
        });
        step++;
    }

    /** One launch: G = delta^T h, g_b = column sums, and the SGD (or Kolen-Pollack) step of layer l. */
    private void update(int l, int n, float lr, float momentum, float decay) {
        boolean kp = l >= 2 && rules[l - 2] == FeedbackRule.KP;
        device.denseUpdate(lr, decay, momentum, rows(delta[l], n), rows(h[l - 1], n), w[l], b[l], vw[l], vb[l], kp ? feedback[l - 1] : null);
    }

    private void refreshFeedback() {
        for (int l = 1; l < layers(); l++) if (rules[l - 1].signConcordant()) refreshSignFeedback(l);
    }

    /** Forward pass, loss and every layer's delta for the loaded batch, sign-concordant feedback rebuilt first. */
    private void deltas(int n, boolean mse, Matrix rowLoss) {
        for (int l = lossAndTopDelta(n, mse, rowLoss); l >= 1; l--) backwardDelta(l, n);
    }

    /**
     * Sign-concordant feedback rebuilt from the current W, the forward pass, the loss and the output error
     * (delta[L]); with softmax cross-entropy also the last hidden layer's delta, in the same output_layer
     * call (the logits are never stored). Returns the highest layer whose delta is still to compute.
     */
    private int lossAndTopDelta(int n, boolean mse, Matrix rowLoss) {
        int L = layers();
        refreshFeedback();
        if (mse) {
            outputError(n, true, rowLoss);
            return L - 1;
        }
        forwardLoaded(n, L - 1);
        Matrix m = null, below = null;
        if (L >= 2) {
            m = rules[L - 2] == FeedbackRule.BP ? w[L] : feedback[L - 1];
            below = rows(delta[L - 1], n);
        }
        device.outputLayer(rows(h[L - 1], n), w[L], b[L], rows(targets, n), m, activations[L - 1] == null ? Activation.IDENTITY : activations[L - 1],
                rows(probs, n), rows(delta[L], n), rowLoss, below);
        return L - 2;
    }

    /** Forward pass and loss of the loaded batch: delta[L] holds the output error, rowLoss the per-row losses. */
    private void outputError(int n, boolean mse, Matrix rowLoss) {
        int L = layers();
        Matrix logits = forwardLoaded(n);
        Matrix t = rows(targets, n);
        if (mse) device.mseLoss(logits, t, rows(delta[L], n), rowLoss);
        else device.softmaxCrossEntropy(logits, t, rows(probs, n), rows(delta[L], n), rowLoss);
    }

    /**
     * The gradients of a batch without a step (for inspection and cross-device checks): forward, loss,
     * the rules' deltas, then G_l = delta_l^T h_{l-1} into {@link #gradient(int)} and the bias gradients.
     * Returns the mean loss. Sign-concordant feedback is rebuilt from the current W as a step would.
     */
    public double gradients(float[] x, float[] y, int n, boolean mse) {
        load(x, y, n);
        Matrix rowLoss = rows(loss, n);
        deltas(n, mse, rowLoss);
        for (int l = 1; l <= layers(); l++) {
            device.gemm(Trans.T, Trans.N, 1f, rows(delta[l], n), rows(h[l - 1], n), 0f, gw[l]);
            device.columnSums(rows(delta[l], n), gb[l]);
        }
        return meanLoss(device.download(rowLoss), n);
    }

    /** G_l from the last {@link #gradients} call (d_l x d_{l-1}). */
    public Matrix gradient(int l) { return gw[l]; }

    /** The rule's deltas for hidden layers, from delta[L] already set; the batch's forward state must be current. */
    void backward(int n) {
        for (int l = layers() - 1; l >= 1; l--) backwardDelta(l, n);
    }

    /** delta_l from the delta above (or the output error, DFA) through the rule's matrix, times f'(A_l). */
    private void backwardDelta(int l, int n) {
        FeedbackRule r = rules[l - 1];
        Matrix src = r == FeedbackRule.DFA ? rows(delta[layers()], n) : rows(delta[l + 1], n);
        Matrix m = r == FeedbackRule.BP ? w[l + 1] : feedback[l];
        device.backwardDelta(src, Trans.N, m, rows(h[l], n), activations[l], true, rows(delta[l], n));
    }

    /** Per hidden layer l (index l - 1): the alignment metrics of docs/learning.md, in degrees and as a ratio. */
    public record Alignment(double[] weightAngle, double[] updateAngle, double[] normRatio) { }

    private double angle(Matrix a, Matrix c) {
        double na = device.frobeniusNorm(a), nc = device.frobeniusNorm(c);
        if (na == 0 || nc == 0) return Double.NaN;
        double cos = Math.max(-1, Math.min(1, device.dot(a, c) / (na * nc)));
        return Math.toDegrees(Math.acos(cos));
    }

    /**
     * Alignment on a probe batch (n rows, no update): the angle between each hidden layer's feedback matrix
     * and the forward weights it stands in for (0 under BP; for DFA only where D_l has W_{l+1}'s shape), the
     * angle between the rule's delta and backprop's delta for the same batch, and ||B|| / ||W||.
     */
    public Alignment alignment(float[] x, float[] y, int n) {
        int L = layers();
        load(x, y, n);
        outputError(n, false, rows(loss, n));
        backward(n);
        double[] wa = new double[L - 1], ua = new double[L - 1], nr = new double[L - 1];
        List<Matrix> bp = new ArrayList<>();
        try {
            Matrix above = rows(delta[L], n);
            Matrix[] bpDelta = new Matrix[L];
            for (int l = L - 1; l >= 1; l--) {
                Matrix d = device.allocate(n, sizes[l]);
                bp.add(d);
                device.backwardDelta(above, Trans.N, w[l + 1], rows(h[l], n), activations[l], true, d);
                bpDelta[l] = d;
                above = d;
            }
            for (int l = 1; l < L; l++) {
                Matrix fb = rules[l - 1] == FeedbackRule.BP ? w[l + 1] : feedback[l];
                boolean comparable = fb.rows() == w[l + 1].rows() && fb.cols() == w[l + 1].cols();
                wa[l - 1] = comparable ? (rules[l - 1] == FeedbackRule.BP ? 0.0 : angle(fb, w[l + 1])) : Double.NaN;
                nr[l - 1] = comparable ? device.frobeniusNorm(fb) / device.frobeniusNorm(w[l + 1]) : Double.NaN;
                ua[l - 1] = angle(rows(delta[l], n), bpDelta[l]);
            }
        } finally {
            for (Matrix m : bp) m.close();
        }
        return new Alignment(wa, ua, nr);
    }

    /** Class scores for n inputs (n ≤ maxBatch), downloaded. */
    public float[] predict(float[] x, int n) {
        return device.download(forward(x, n));
    }

    @Override public void close() {
        for (Matrix m : owned) m.close();
        owned.clear();
    }
}

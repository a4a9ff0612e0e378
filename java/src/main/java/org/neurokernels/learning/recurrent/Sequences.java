package org.neurokernels.learning.recurrent;

/**
 * A batch of sequences, batch x time, float32 and row-major: inputs x (batch x steps x inputs) and targets
 * y* (batch x steps x outputs). Step t = 0 .. steps-1 of the arrays is step t+1 of the equations in
 * docs/recurrent-learning.md. The loss is the squared error at every step (regression), or with
 * {@code classify} the softmax cross-entropy of the readout at the last step against y* there (a one-hot
 * row); the targets of the other steps are then unused.
 */
public record Sequences(int batch, int steps, int inputs, int outputs, float[] x, float[] target, boolean classify) {
    public Sequences {
        if (batch < 1 || steps < 1 || inputs < 1 || outputs < 1) throw new IllegalArgumentException("sizes must be positive");
        if (x.length != batch * steps * inputs) throw new IllegalArgumentException("x has " + x.length + " values, expected batch*steps*inputs = " + batch * steps * inputs);
        if (target.length != batch * steps * outputs) throw new IllegalArgumentException("target has " + target.length + " values, expected batch*steps*outputs = " + batch * steps * outputs);
    }

    /** Regression: the squared error at every step. */
    public Sequences(int batch, int steps, int inputs, int outputs, float[] x, float[] target) {
        this(batch, steps, inputs, outputs, x, target, false);
    }

    /** Input i of sequence b at step t. */
    public double x(int b, int t, int i) { return x[(b * steps + t) * inputs + i]; }

    /** Target q of sequence b at step t. */
    public double target(int b, int t, int q) { return target[(b * steps + t) * outputs + q]; }

    /** The fused op's loss code: 0 squared error at every step, 1 softmax cross-entropy at the last step. */
    public int lossCode() { return classify ? 1 : 0; }
}

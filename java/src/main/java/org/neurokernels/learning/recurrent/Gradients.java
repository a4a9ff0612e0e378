package org.neurokernels.learning.recurrent;

/**
 * What a rule computes for one batch, in double: the loss E at the parameters and its gradient (exact for
 * BPTT, e-prop's or RFLO's approximation otherwise) with respect to W_in, W_rec, b, W_out and b_out,
 * shaped and ordered as {@link RecurrentParameters}.
 */
public final class Gradients {
    public final double[] wIn, wRec, b, wOut, bOut;
    /** E at the parameters the gradient was taken at. */
    public double loss;

    public Gradients(RecurrentParameters p) {
        wIn = new double[p.wIn.length];
        wRec = new double[p.wRec.length];
        b = new double[p.b.length];
        wOut = new double[p.wOut.length];
        bOut = new double[p.bOut.length];
    }

    /** Adds another gradient (and its loss) to this one, element by element. */
    public void add(Gradients o) {
        double[][] a = arrays(), b = o.arrays();
        for (int i = 0; i < a.length; i++) for (int e = 0; e < a[i].length; e++) a[i][e] += b[i][e];
        loss += o.loss;
    }

    /** W_in, W_rec, b, W_out, b_out: the order of {@link RecurrentParameters#arrays()}. */
    public double[][] arrays() { return new double[][] {wIn, wRec, b, wOut, bOut}; }

    /** The names of {@link #arrays()}, for messages. */
    public static final String[] NAMES = {"W_in", "W_rec", "b", "W_out", "b_out"};
}

package org.neurokernels.learning.recurrent;

/**
 * The online state of one parameter matrix (rows x cols) for e-prop and RFLO, for one sequence: only the
 * current eligibility trace e_ij^t and its readout-filtered version F_kappa(e_ij)^t, never their history.
 *
 * <p>e-prop: e_ij^t = post_i^t pre_j^t, the caller passing the postsynaptic factor (f'(h_i^t) or psi_i^t)
 * and the already low-pass-filtered presynaptic activity. RFLO: e_ij^t = P_ij^t with
 * P_ij^t = alpha P_ij^{t-1} + (1 - alpha) post_i^t pre_j^t, the caller passing the raw presynaptic activity.
 * Each step adds L_i^t F_kappa(e_ij)^t + R_i e_ij^t to the gradient, F_kappa(e)^t = kappa F_kappa(e)^{t-1} + e^t,
 * R_i being a rate regularizer's dE/dz_i (or none). With noDiagonal (LIF W_rec) the diagonal is skipped.
 */
final class Eligibility {
    private final int rows, cols;
    private final boolean noDiagonal;
    private final double kappa, rfloAlpha;
    private final double[] filtered, rflo;

    /** rfloAlpha: NaN for e-prop's factored trace, the units' alpha for RFLO's P. */
    Eligibility(int rows, int cols, boolean noDiagonal, double kappa, double rfloAlpha) {
        this.rows = rows;
        this.cols = cols;
        this.noDiagonal = noDiagonal;
        this.kappa = kappa;
        this.rfloAlpha = rfloAlpha;
        this.filtered = new double[rows * cols];
        this.rflo = Double.isNaN(rfloAlpha) ? null : new double[rows * cols];
    }

    /** One step: update the trace and its filtered version, g += L F_kappa(e) + R e (reg: R, or null for none). */
    void step(double[] post, double[] pre, double[] learning, double[] reg, double[] g) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (noDiagonal && i == j) continue;
                int ij = i * cols + j;
                double e = post[i] * pre[j];
                if (rflo != null) e = rflo[ij] = rfloAlpha * rflo[ij] + (1 - rfloAlpha) * e;
                filtered[ij] = kappa * filtered[ij] + e;
                g[ij] += learning[i] * filtered[ij];
                if (reg != null) g[ij] += reg[i] * e;
            }
        }
    }

    /** Copies F_kappa(e) to dst from fAt and RFLO's P (if kept) from pAt. */
    void copyTo(double[] dst, int fAt, int pAt) {
        System.arraycopy(filtered, 0, dst, fAt, filtered.length);
        if (rflo != null) System.arraycopy(rflo, 0, dst, pAt, rflo.length);
    }
}

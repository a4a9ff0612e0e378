package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * gemm: C = alpha * op(A) * op(B) + beta * C. Kernels: kernels-opencl/gemm.cl, compiled for CUDA too
 * (nk_gemm, epilogue 0); reference: {@link #reference}.
 *
 * <p>Error bound: |c - ref| ≤ (k + 5) u (|α| Σ_p |op(A)_ip||op(B)_pj| + |β||c_ij|), u = 2^-24: the
 * classical worst case γ_k for a length-k float sum in any order, plus the α, β and final roundings and
 * the rounding of the reference itself.
 */
public final class Gemm extends Op {
    /**
     * The launch plan of every GEMM-based op (gemm, dense_forward, backward_delta, dense_update: one kernel
     * family, four epilogues), read by the Java backends and generated into the C library. Inputs: the
     * product's m, n, k and transposes; {@code kernel}, the device's GEMM family (see {@link #KERNEL_CODES});
     * its tile defines MR, NR (packed register tile) and TS (tiled work-group tile).
     * <ul>
     * <li>DIRECT, or PACKED for a small product (under 2^20 flops, fewer than two register tiles of rows,
     *     or op(A) and op(B) within 2 MiB, where packing's two launches and copy of op(B) cost more than
     *     they save): the one-launch kernels of gemm_packed.cl, dot-product tiles (4 x 16 per work-item)
     *     when rows of both operands are contiguous in k (X * W^T), one row per work-item for fewer than
     *     16 rows, else 16 x 32 outer-product tiles;</li>
     * <li>PACKED: pack op(A) and op(B) into panels, then one MR x NR register tile per work-item;</li>
     * <li>WARP (CUDA): 128 x 128 block tiles of 256 threads;</li>
     * <li>TILED: 16 x 16 work-groups, each a TS x TS tile of C through local memory.</li>
     * </ul>
     */
    public static final org.neurokernels.plan.PlanTable PLAN = new org.neurokernels.plan.PlanTable("gemm",
            List.of("m", "n", "k", "ta", "tb", "kernel", "MR", "NR", "TS"),
            List.of(org.neurokernels.plan.PlanTable.Rule.of(
                            "(kernel == 2 || (kernel == 1 && (2 * m * n * k < 1048576 || m < 2 * MR || 4 * (m * k + k * n) <= 2097152))) && !ta && tb",
                            org.neurokernels.plan.PlanTable.Step.of("nk_gemm_dot", "cdiv(m, 4)", "cdiv(n, 16)", "1", "1")),
                    org.neurokernels.plan.PlanTable.Rule.of(
                            "(kernel == 2 || (kernel == 1 && (2 * m * n * k < 1048576 || m < 2 * MR || 4 * (m * k + k * n) <= 2097152))) && m < 16",
                            org.neurokernels.plan.PlanTable.Step.of("nk_gemm_direct1", "m", "cdiv(n, 128)", "1", "1")),
                    org.neurokernels.plan.PlanTable.Rule.of(
                            "kernel == 2 || (kernel == 1 && (2 * m * n * k < 1048576 || m < 2 * MR || 4 * (m * k + k * n) <= 2097152))",
                            org.neurokernels.plan.PlanTable.Step.of("nk_gemm_direct", "cdiv(m, 16)", "cdiv(n, 32)", "1", "1")),
                    org.neurokernels.plan.PlanTable.Rule.of("kernel == 1",
                            org.neurokernels.plan.PlanTable.Step.of("nk_pack_a", "rup(k, 16)", "cdiv(m, MR) * MR", "16", "1"),
                            org.neurokernels.plan.PlanTable.Step.of("nk_pack_b", "cdiv(n, NR) * NR", "rup(k, 16)", "16", "16"),
                            org.neurokernels.plan.PlanTable.Step.of("nk_gemm_packed", "cdiv(m, MR)", "cdiv(n, NR)", "1", "1")),
                    org.neurokernels.plan.PlanTable.Rule.of("kernel == 3",
                            org.neurokernels.plan.PlanTable.Step.of("nk_gemm_warp", "cdiv(n, 128) * 256", "min(cdiv(m, 128), 65535)", "256", "1")),
                    org.neurokernels.plan.PlanTable.Rule.of("1",
                            org.neurokernels.plan.PlanTable.Step.of("nk_gemm", "cdiv(n, TS) * 16", "min(cdiv(m, TS), 65535) * 16", "16", "16"))));

    /** The {@code kernel} input of {@link #PLAN}: the GEMM family's code. */
    public static final Map<String, Integer> KERNEL_CODES = Map.of("TILED", 0, "PACKED", 1, "DIRECT", 2, "WARP", 3);

    public Gemm() {
        super("gemm", "C = alpha * op(A) * op(B) + beta * C (C not read when beta = 0)",
                List.of(Spec.Tensor.of("a", "m x k (k x m if trans_a)", "left operand"),
                        Spec.Tensor.of("b", "k x n (n x k if trans_b)", "right operand"),
                        Spec.Tensor.optional("c", "m x n", "initial C, required when beta != 0")),
                List.of(Spec.Tensor.of("c", "m x n", "result")),
                List.of(new Spec.Param("trans_a", "bool", "false", "use A transposed"),
                        new Spec.Param("trans_b", "bool", "false", "use B transposed"),
                        new Spec.Param("alpha", "float", "1", "scale of op(A) op(B)"),
                        new Spec.Param("beta", "float", "0", "scale of the initial C")));
    }

    private static int[] mnk(Map<String, int[]> in, Params p) {
        int[] a = in.get("a"), b = in.get("b");
        boolean ta = p.getBool("trans_a"), tb = p.getBool("trans_b");
        return new int[] {ta ? a[1] : a[0], tb ? b[0] : b[1], ta ? a[0] : a[1], tb ? b[1] : b[0]};
    }

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("beta == 0 || has_c", "beta != 0 needs input c"));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] d = mnk(in, p);
        return 2.0 * d[0] * d[1] * d[2];
    }

    @Override public java.util.Set<String> inPlace() { return java.util.Set.of("c"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.gemm(Trans.of(p.getBool("trans_a")), Trans.of(p.getBool("trans_b")), p.getFloat("alpha"),
                in.get("a"), in.get("b"), p.getFloat("beta"), out.get("c"));
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] d : Shapes.pick(Shapes.GEMM, quick)) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                for (boolean withC : new boolean[] {false, true}) {
                    int[] a = ta ? shape(d[2], d[0]) : shape(d[0], d[2]);
                    int[] b = tb ? shape(d[1], d[2]) : shape(d[2], d[1]);
                    Map<String, int[]> s = withC ? shapes("a", a, "b", b, "c", shape(d[0], d[1])) : shapes("a", a, "b", b);
                    cases.add(new Case(s, Map.of("trans_a", Boolean.toString(ta), "trans_b", Boolean.toString(tb),
                            "alpha", withC ? "-1.5" : "1", "beta", withC ? "0.75" : "0")));
                }
            }
        }
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        HostMatrix a = in.get("a"), b = in.get("b"), c = in.get("c");
        boolean ta = p.getBool("trans_a"), tb = p.getBool("trans_b");
        double alpha = Math.abs(p.getFloat("alpha")), beta = Math.abs(p.getFloat("beta"));
        int m = ta ? a.cols() : a.rows(), k = ta ? a.rows() : a.cols(), n = tb ? b.rows() : b.cols();
        double[] scale = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) s += Math.abs((double) (ta ? a.get(q, i) : a.get(i, q)) * (tb ? b.get(j, q) : b.get(q, j)));
                scale[i * n + j] = alpha * s + (c != null && beta != 0 ? beta * Math.abs(c.get(i, j)) : 0) + Float.MIN_NORMAL;
            }
        }
        return new ErrorModel(scale, (k + 5) * ErrorModel.U, "|c - ref| <= (k+5) u (|alpha| sum|a||b| + |beta||c|), k = " + k);
    }

    /**
     * The reference, on row-major arrays: c (m x n) = alpha op(a) op(b) + beta c, a with aCols columns,
     * b with bCols; each element's product accumulated in double in k order; c not read when beta = 0.
     */
    public static void reference(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aCols, float[] b, int bCols,
                                 float beta, float[] c) {
        double[] acc = new double[n];
        for (int i = 0; i < m; i++) {
            productRow(a, aCols, ta, b, bCols, tb, i, n, k, acc);
            for (int j = 0; j < n; j++) {
                double v = (double) alpha * acc[j];
                if (beta != 0f) v += (double) beta * c[i * n + j];
                c[i * n + j] = (float) v;
            }
        }
    }

    /** Element (i, j) of op(x), x row-major with {@code cols} columns, in double. */
    static double opGet(float[] x, int cols, boolean trans, int i, int j) { return trans ? x[j * cols + i] : x[i * cols + j]; }

    /**
     * Row i of op(a) op(b) into acc (n values), accumulated in double in k order for every element. The loop
     * order only follows memory (j innermost when op(b)'s rows are contiguous, k innermost when b is used
     * transposed).
     */
    static void productRow(float[] a, int aCols, boolean ta, float[] b, int bCols, boolean tb, int i, int n, int k, double[] acc) {
        java.util.Arrays.fill(acc, 0.0);
        if (tb) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += opGet(a, aCols, ta, i, p) * (double) b[j * bCols + p];
                acc[j] = s;
            }
        } else {
            for (int p = 0; p < k; p++) {
                double aip = opGet(a, aCols, ta, i, p);
                for (int j = 0; j < n; j++) acc[j] += aip * (double) b[p * bCols + j];
            }
        }
    }
}

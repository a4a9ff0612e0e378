package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * izhikevich_step: one step of Izhikevich (2003) neurons in the paper's convention (spike check and reset
 * first, then two half-steps for v and one for u; nk_izhikevich_step in kernels-opencl/dynamics.cl,
 * compiled for CUDA too; reference {@link #reference}). Spikes depend only on the entering
 * v, so they and the counts are exact. Bounds: v within 64 u of S_v = |v| + h (F(v0) + F(v1)) with
 * F(x) = 0.04 x² + 5|x| + 140 + |u| + |I| at the two half-steps; u within 64 u (|u| + dt |a| (|b| S_v + |u|)).
 */
public final class IzhikevichStepOp extends Op {
    private static final String[] ARGS = {"i:v_rows", "i:v_cols", "f:dt", "m:v", "m:u", "m:abcd", "m:i_ext", "i:has_i_ext", "m:syn", "i:has_syn",
        "m:spikes", "m:count"};
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("izhikevich_step",
            Rule.of("cpu", Step.of("nk_izhikevich_step16", "rup(v_rows * cdiv(v_cols, 16), 64)", "1", "64", "1", ARGS)),
            Rule.of("1", Step.of1d("nk_izhikevich_step", "v_size", ARGS)));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("dt > 0", "dt must be a step > 0 ms"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public IzhikevichStepOp() {
        super("izhikevich_step", "Izhikevich (2003): spike check/reset, then v in two half-steps, u in one; v, u, count in place",
                List.of(Spec.Tensor.of("v", "b x n", "membrane potential (mV)"), Spec.Tensor.of("u", "b x n", "recovery variable"),
                        Spec.Tensor.of("count", "b x n", "spike count"), Spec.Tensor.of("abcd", "4 x n", "a, b, c, d per neuron"),
                        Spec.Tensor.optional("i_ext", "b x n", "external current"), Spec.Tensor.optional("syn", "b x n", "synaptic input")),
                List.of(Spec.Tensor.of("v", "b x n", ""), Spec.Tensor.of("u", "b x n", ""), Spec.Tensor.of("spikes", "b x n", "1 where v entered >= 30 mV"),
                        Spec.Tensor.of("count", "b x n", "")),
                List.of(new Spec.Param("dt", "float", "1", "ms (the paper's step: 1 ms, as two 0.5 ms half-steps for v)")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] v = in.get("v");
        return 20.0 * v[0] * v[1];
    }

    @Override public Set<String> inPlace() { return Set.of("v", "u", "count"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.izhikevichStep(p.getFloat("dt"), out.get("v"), out.get("u"), in.get("abcd"), in.get("i_ext"), in.get("syn"), out.get("spikes"), out.get("count"));
    }

    /** The reference: one step of rows x cols neurons (row-major; abcd 4 x cols; iExt, syn may be null), the state updated in place, in double. */
    public static void reference(float dt, float[] v, float[] u, float[] abcd, float[] iExt, float[] syn, float[] spikes, float[] count, int rows, int cols) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                int e = i * cols + j;
                double a = abcd[j], b = abcd[cols + j], c = abcd[2 * cols + j], d = abcd[3 * cols + j];
                double x = v[e], y = u[e], s = 0;
                if (x >= 30) {
                    s = 1;
                    x = c;
                    y += d;
                }
                double current = (iExt == null ? 0 : (double) iExt[e]) + (syn == null ? 0 : (double) syn[e]);
                double h = 0.5 * dt;
                x += h * (0.04 * x * x + 5 * x + 140 - y + current);
                x += h * (0.04 * x * x + 5 * x + 140 - y + current);
                y += dt * a * (b * x - y);
                v[e] = (float) x;
                u[e] = (float) y;
                spikes[e] = (float) s;
                count[e] = (float) ((double) count[e] + s);
            }
        }
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        int k = 0;
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            Map<String, int[]> sh = new LinkedHashMap<>(shapes("v", s, "u", s, "count", s, "abcd", shape(4, s[1])));
            if (k % 2 == 0) sh.put("i_ext", s);
            if (k % 3 != 1) sh.put("syn", s);
            cases.add(new Case(sh, Map.of("dt", k % 2 == 0 ? "1" : "0.5")));
            k++;
        }
        return cases;
    }

    /** v from -80 to 35 mV (so some enter above threshold), u near b v, the 2003 paper's parameter ranges. */
    @Override public float[] generate(String input, int rows, int cols, Params p, Random rnd) {
        float[] d = new float[rows * cols];
        for (int e = 0; e < d.length; e++) {
            switch (input) {
                case "v": d[e] = (float) (-80 + 115 * rnd.nextDouble()); break;
                case "u": d[e] = (float) (-16 + 12 * rnd.nextDouble()); break;
                case "count": d[e] = rnd.nextInt(20); break;
                case "abcd": {
                    int row = e / cols;
                    double q = rnd.nextDouble();
                    d[e] = (float) (row == 0 ? 0.02 + 0.08 * q : row == 1 ? 0.2 + 0.05 * q : row == 2 ? -65 + 15 * q * q : 2 + 6 * q);
                    break;
                }
                default: d[e] = (float) (10 * rnd.nextDouble() - 2);
            }
        }
        return d;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        if (output.equals("spikes") || output.equals("count")) return ErrorModel.exact(ref.get(output).data().length);
        HostMatrix v = in.get("v"), u = in.get("u"), abcd = in.get("abcd");
        HostMatrix x = in.get("i_ext"), syn = in.get("syn");
        double dt = p.getFloat("dt"), h = dt / 2;
        int cols = v.cols();
        double[] s = new double[v.data().length];
        for (int e = 0; e < s.length; e++) {
            int j = e % cols;
            double v0 = v.data()[e], u0 = u.data()[e];
            if (v0 >= 30) {
                v0 = abcd.get(2, j);
                u0 += abcd.get(3, j);
            }
            double current = Math.abs(x == null ? 0 : x.data()[e]) + Math.abs(syn == null ? 0 : syn.data()[e]);
            double f0 = 0.04 * v0 * v0 + 5 * Math.abs(v0) + 140 + Math.abs(u0) + current;
            double v1 = v0 + h * (0.04 * v0 * v0 + 5 * v0 + 140 - u0 + (x == null ? 0 : x.data()[e]) + (syn == null ? 0 : syn.data()[e]));
            double sv = Math.abs(v0) + h * (f0 + 0.04 * v1 * v1 + 5 * Math.abs(v1) + 140 + Math.abs(u0) + current);
            s[e] = output.equals("v") ? sv : Math.abs(u0) + dt * Math.abs(abcd.get(0, j)) * (Math.abs(abcd.get(1, j)) * sv + Math.abs(u0));
            s[e] += Float.MIN_NORMAL;
        }
        return new ErrorModel(s, 64 * ErrorModel.U, output.equals("v") ? "|v - ref| <= 64 u S_v" : "|u - ref| <= 64 u (|u| + dt |a| (|b| S_v + |u|))");
    }
}

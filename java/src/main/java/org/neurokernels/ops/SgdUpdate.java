package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neurokernels.Device;
import org.neurokernels.plan.OpPlan.Rule;
import org.neurokernels.plan.OpPlan.Step;
import org.neurokernels.Matrix;

/**
 * sgd_update: v = mu v + g (with a velocity), W = W - lr (t + decay W), t = v or g; in place, one pass
 * (nk_sgd_update in kernels-opencl/learning.cl, compiled for CUDA too; reference
 * {@link #reference}). Bounds: w within 4 u (|w| + |lr| (|t| + |decay w|)); v within 2 u (|mu v| + |g|).
 */
public final class SgdUpdate extends Op {
    /** The launch plan (both hosts; see {@link org.neurokernels.plan.OpPlan}). */
    public static final org.neurokernels.plan.OpPlan PLAN = org.neurokernels.plan.OpPlan.of("sgd_update",
            Rule.of("1", Step.elementwise("nk_sgd_update", "w", "f:lr", "f:weight_decay", "f:momentum", "m:w", "m:grad", "m:velocity", "i:has_velocity")));

    @Override public List<Spec.Require> requires() {
        return List.of(new Spec.Require("momentum == 0 || has_velocity", "momentum != 0 needs input velocity"));
    }

    @Override public org.neurokernels.plan.OpPlan plan() { return PLAN; }

    public SgdUpdate() {
        super("sgd_update", "W = W - lr (t + decay W), t = g, or t = v = mu v + g with a velocity (in place)",
                List.of(Spec.Tensor.of("w", "m x n", "weights"), Spec.Tensor.of("grad", "m x n", "gradient"),
                        Spec.Tensor.optional("velocity", "m x n", "momentum buffer (required when momentum != 0)")),
                List.of(Spec.Tensor.of("w", "m x n", "updated weights"), Spec.Tensor.optional("velocity", "m x n", "updated velocity")),
                List.of(new Spec.Param("lr", "float", "0.05", "learning rate"),
                        new Spec.Param("weight_decay", "float", "0", "L2 coefficient"),
                        new Spec.Param("momentum", "float", "0", "momentum coefficient")));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] w = in.get("w");
        return (in.containsKey("velocity") ? 6.0 : 4.0) * w[0] * w[1];
    }

    @Override public Set<String> inPlace() { return Set.of("w", "velocity"); }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.sgdUpdate(p.getFloat("lr"), p.getFloat("weight_decay"), p.getFloat("momentum"), out.get("w"), in.get("grad"), out.get("velocity"));
    }

    /** The reference: w (and velocity, when not null) updated in place over n row-major elements, in double. */
    public static void reference(float lr, float decay, float mu, float[] w, float[] grad, float[] velocity, int n) {
        for (int e = 0; e < n; e++) decayedStep(w, e, direction(grad, velocity, mu, e), lr, decay);
    }

    /** t = g, or t = v = mu v + g (stored, and used as the stored float) with a velocity; element e. */
    static double direction(float[] grad, float[] velocity, float mu, int e) {
        double t = grad[e];
        if (velocity == null) return t;
        velocity[e] = (float) (mu * (double) velocity[e] + t);
        return velocity[e];
    }

    /** x[e] = x[e] - lr (t + decay x[e]), in double. */
    static void decayedStep(float[] x, int e, double t, float lr, float decay) {
        double v = x[e];
        x[e] = (float) (v - lr * (t + decay * v));
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            cases.add(new Case(shapes("w", s, "grad", s), Map.of("lr", "0.05", "weight_decay", "0.001")));
            cases.add(new Case(shapes("w", s, "grad", s, "velocity", s), Map.of("lr", "0.1", "weight_decay", "0.0005", "momentum", "0.9")));
        }
        return cases;
    }

    /** Scales shared with kp_update: t = mu v + g (or g), and the update's size for a weight x. */
    static double[] stepScale(Map<String, HostMatrix> in, Params p, float[] x) {
        float[] g = in.get("grad").data();
        HostMatrix v = in.get("velocity");
        double lr = Math.abs(p.getFloat("lr")), decay = Math.abs(p.getFloat("weight_decay")), mu = Math.abs(p.getFloat("momentum"));
        double[] s = new double[g.length];
        for (int i = 0; i < s.length; i++) {
            double t = Math.abs(g[i]) + (v == null ? 0 : mu * Math.abs(v.data()[i]));
            s[i] = Math.abs(x[i]) + lr * (t + decay * Math.abs(x[i])) + Float.MIN_NORMAL;
        }
        return s;
    }

    static ErrorModel velocityError(Map<String, HostMatrix> in, Params p) {
        float[] g = in.get("grad").data(), v = in.get("velocity").data();
        double mu = Math.abs(p.getFloat("momentum"));
        double[] s = new double[g.length];
        for (int i = 0; i < s.length; i++) s[i] = mu * Math.abs(v[i]) + Math.abs(g[i]) + Float.MIN_NORMAL;
        return new ErrorModel(s, 2 * ErrorModel.U, "|v - ref| <= 2 u (|mu v| + |g|)");
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        if (output.equals("velocity")) return velocityError(in, p);
        return new ErrorModel(stepScale(in, p, in.get("w").data()), 4 * ErrorModel.U, "|w - ref| <= 4 u (|w| + |lr| (|t| + |decay w|))");
    }
}

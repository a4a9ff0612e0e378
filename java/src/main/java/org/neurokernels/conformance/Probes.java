package org.neurokernels.conformance;

import java.util.LinkedHashMap;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * Targeted probes of the differences between vendors that are not errors, for the conformance report:
 * whether the device flushes denormal results or inputs, whether it contracts a*b+c into an fma, how
 * accurate its exp, tanh, log1p, expm1 and log are (maximum ulp against double over a fixed sweep), and
 * the value its reduction gives for a sum whose float result depends on the order of additions.
 */
public final class Probes {
    private Probes() { }

    static final String[] MATH = {"exp", "tanh", "log1p", "expm1", "log"};

    public static Map<String, Object> run(Device d) {
        Map<String, Object> out = new LinkedHashMap<>();
        float tiny = Math.scalb(1f, -125), eighth = 0.125f, denormal = Math.scalb(1f, -140);
        float a = 1f + Math.scalb(1f, -13), c = -(1f + Math.scalb(1f, -12));
        float[] r = d.probeArithmetic(new float[] {tiny, eighth, denormal, a, a, c});
        out.put("flushes_denormal_results", r[0] == 0f);
        out.put("flushes_denormal_inputs", r[1] == 0f);
        out.put("contracts_a_times_b_plus_c", r[2] != 0f);
        out.put("a_times_b_plus_c", r[2] + (r[2] == Math.scalb(1f, -26) ? " (= 2^-26: fused)" : r[2] == 0f ? " (two roundings)" : ""));
        for (int fn = 0; fn < MATH.length; fn++) {
            float[] x = sweep(fn);
            float[] y = d.probeMath(fn, x);
            double worst = 0;
            float at = Float.NaN;
            for (int i = 0; i < x.length; i++) {
                double ref = reference(fn, x[i]);
                if (!Double.isFinite(ref) || Math.abs(ref) > Float.MAX_VALUE) continue;
                float rf = (float) ref;
                double ulp = Math.ulp(rf == 0f ? Float.MIN_NORMAL : rf);
                double e = Float.isFinite(y[i]) ? Math.abs(y[i] - ref) / ulp : Double.POSITIVE_INFINITY;
                if (e > worst) {
                    worst = e;
                    at = x[i];
                }
            }
            out.put(MATH[fn] + "_max_ulp", Math.round(worst * 100) / 100.0);
            out.put(MATH[fn] + "_worst_at", at);
        }
        out.put("order_probe_sum", orderProbe(d));
        out.put("order_probe_note", "sum of 2^24, 4094 ones, -2^24: exact 4094; sequential float addition gives 0");
        return out;
    }

    /** 4096 arguments per function over the range where its float result is finite and normal. */
    static float[] sweep(int fn) {
        int n = 4096;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double t = (i + 0.5) / n;
            switch (fn) {
                case 0: x[i] = (float) (-87 + 175 * t); break;
                case 1: x[i] = (float) (-10 + 20 * t); break;
                case 2: x[i] = (float) (-0.999 + 100 * t * t); break;
                case 3: x[i] = (float) (-20 + 100 * t); break;
                default: x[i] = (float) Math.pow(10, -30 + 60 * t); break;
            }
        }
        return x;
    }

    static double reference(int fn, float x) {
        switch (fn) {
            case 0: return Math.exp(x);
            case 1: return Math.tanh(x);
            case 2: return Math.log1p(x);
            case 3: return Math.expm1(x);
            default: return Math.log(x);
        }
    }

    private static double orderProbe(Device d) {
        int n = 4096;
        float[] x = new float[n], ones = new float[n];
        java.util.Arrays.fill(x, 1f);
        java.util.Arrays.fill(ones, 1f);
        x[0] = Math.scalb(1f, 24);
        x[n - 1] = -Math.scalb(1f, 24);
        try (Matrix mx = d.upload(x, 1, n); Matrix my = d.upload(ones, 1, n)) {
            return d.dot(mx, my);
        }
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares an output with the reference under an {@link ErrorModel}. NaN never passes unless the
 * reference is NaN at the same place; an infinity must match the reference's exactly; where the scale
 * itself is not finite (non-finite inputs) only that pattern is checked.
 */
public final class Check {
    private Check() { }

    /** The verdict: the largest normalized error (|out-ref|/scale), the bound, and the first mismatches. */
    /** {@code maxUlp}: the largest |out - ref| in units in the last place of the (float) reference, over finite elements. */
    public record Result(boolean pass, double maxError, double bound, int failures, List<String> firstFailures, String rule, double maxUlp) {
        public String summary() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: max normalized error %.3g, bound %.3g (%s)",
                    pass ? "PASS" : "FAIL", maxError, bound, rule));
            if (!pass) {
                sb.append(", ").append(failures).append(" element(s) fail:");
                for (String f : firstFailures) sb.append("\n    ").append(f);
            }
            return sb.toString();
        }
    }

    public static Result compare(HostMatrix out, HostMatrix ref, ErrorModel model) {
        if (out.rows() != ref.rows() || out.cols() != ref.cols()) {
            return new Result(false, Double.POSITIVE_INFINITY, model.bound(), out.data().length,
                    List.of("shape " + out.shapeString() + " != reference " + ref.shapeString()), model.rule(), Double.POSITIVE_INFINITY);
        }
        float[] o = out.data(), r = ref.data();
        double[] scale = model.scale();
        double max = 0, maxUlp = 0;
        int failures = 0;
        List<String> first = new ArrayList<>();
        boolean integer = ref.dtype() != HostMatrix.DType.FLOAT32;
        for (int e = 0; e < o.length; e++) {
            String why = null;
            if (integer) {
                if (out.bits(e) != ref.bits(e)) {
                    failures++;
                    if (first.size() < 5) {
                        first.add(String.format(Locale.ROOT, "(%d, %d): got 0x%08x, expected 0x%08x", e / out.cols(), e % out.cols(), out.bits(e), ref.bits(e)));
                    }
                    max = Double.POSITIVE_INFINITY;
                }
                continue;
            }
            double err = 0;
            if (Float.isNaN(r[e]) || Float.isInfinite(r[e])) {
                if (Float.compare(o[e], r[e]) != 0) why = "reference is " + r[e];
            } else if (Float.isNaN(o[e]) || Float.isInfinite(o[e])) {
                why = "reference is finite";
                err = Double.POSITIVE_INFINITY;
            } else if (Double.isFinite(scale[e])) {
                err = Math.abs((double) o[e] - r[e]) / scale[e];
                if (!(err <= model.bound())) why = String.format(Locale.ROOT, "normalized error %.3g", err);
            }
            if (!Double.isNaN(err)) max = Math.max(max, err);
            if (Float.isFinite(r[e]) && Float.isFinite(o[e])) {
                maxUlp = Math.max(maxUlp, Math.abs((double) o[e] - r[e]) / Math.ulp(r[e] == 0f ? Float.MIN_NORMAL : r[e]));
            }
            if (why != null) {
                failures++;
                if (first.size() < 5) {
                    first.add(String.format(Locale.ROOT, "(%d, %d): got %s, expected %s: %s", e / out.cols(), e % out.cols(), o[e], r[e], why));
                }
            }
        }
        return new Result(failures == 0, max, model.bound(), failures, first, model.rule(), maxUlp);
    }
}

package org.neurokernels.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The launch plan of an op family as data: named inputs (sizes, flags, the device's configuration),
 * then rules tried in order, the first whose condition holds giving the launches. Both hosts read this:
 * the Java backends evaluate it ({@link #plan}); {@link CGenerator} writes it as C for the C library, where
 * the same expression texts are compiled. So a decision (which kernel, which work sizes) is written once.
 *
 * @param family  the name, e.g. {@code gemm}
 * @param inputs  the variables the expressions may read, in the order the generated C function takes them
 * @param rules   tried in order; the last one's condition should be {@code 1}
 */
public record PlanTable(String family, List<String> inputs, List<Rule> rules) {
    /** One kernel launch: a kernel name and its global and local work sizes (work-items, 2-D). */
    public record Step(String kernel, Expr globalX, Expr globalY, Expr localX, Expr localY) {
        public static Step of(String kernel, String gx, String gy, String lx, String ly) {
            return new Step(kernel, Expr.parse(gx), Expr.parse(gy), Expr.parse(lx), Expr.parse(ly));
        }
    }

    /** When {@code when} holds, these launches in order. */
    public record Rule(Expr when, List<Step> steps) {
        public static Rule of(String when, Step... steps) { return new Rule(Expr.parse(when), List.of(steps)); }
    }

    /** A planned launch with its sizes evaluated. */
    public record Launch(String kernel, long globalX, long globalY, int localX, int localY) {
        @Override public String toString() { return kernel + " " + globalX + "x" + globalY + " / " + localX + "x" + localY; }
    }

    public PlanTable {
        inputs = List.copyOf(inputs);
        rules = List.copyOf(rules);
        Set<String> known = new TreeSet<>(inputs);
        for (Rule r : rules) {
            Set<String> used = new TreeSet<>(r.when().variables());
            for (Step s : r.steps()) {
                for (Expr e : List.of(s.globalX(), s.globalY(), s.localX(), s.localY())) used.addAll(e.variables());
            }
            used.removeAll(known);
            if (!used.isEmpty()) throw new IllegalArgumentException("plan " + family + ": rule '" + r.when() + "' reads undeclared " + used);
        }
    }

    /** The launches for these inputs (every declared input must have a value). */
    public List<Launch> plan(Map<String, Double> values) {
        for (String in : inputs) {
            if (!values.containsKey(in)) throw new IllegalArgumentException("plan " + family + ": no value for " + in);
        }
        for (Rule r : rules) {
            if (r.when().eval(values) == 0) continue;
            List<Launch> out = new ArrayList<>(r.steps().size());
            for (Step s : r.steps()) {
                out.add(new Launch(s.kernel(), (long) s.globalX().eval(values), (long) s.globalY().eval(values),
                        (int) s.localX().eval(values), (int) s.localY().eval(values)));
            }
            return out;
        }
        throw new IllegalStateException("plan " + family + ": no rule applies to " + values);
    }

    /** {@link #plan} with the inputs given in declaration order. */
    public List<Launch> plan(double... values) {
        if (values.length != inputs.size()) throw new IllegalArgumentException("plan " + family + " takes " + inputs);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) m.put(inputs.get(i), values[i]);
        return plan(m);
    }
}

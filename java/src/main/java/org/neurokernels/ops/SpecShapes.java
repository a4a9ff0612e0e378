package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.neurokernels.plan.Expr;

/**
 * An op's shape rules read from its spec, for both hosts: each tensor's shape text ({@code "b x n"},
 * {@code "1 x n"}, {@code "steps * b x m"}) is two expressions, rows and columns. Going through the inputs
 * in order, a dimension that is a bare name not yet known (not a parameter, not bound before) binds that
 * name to the input's size; every other dimension is compared with its value. Then each
 * {@link Op#requires()} condition must hold, and the outputs' shapes are their expressions' values.
 * Variables: the bound names, the parameters ({@link Op#paramVariables}) and {@code has_T} for each tensor.
 *
 * <p>The Java side evaluates {@link #rules}; {@code plan.CGenerator} writes the same rules as C, so both
 * hosts refuse the same calls with the same messages: {@code "OP: T is RxC, expected AxB"}.
 */
public final class SpecShapes {
    private SpecShapes() { }

    /** A tensor's two dimensions as expressions, and which of them bind a name (null where none). */
    public record Dims(String tensor, boolean optional, Expr rows, Expr cols, String bindRows, String bindCols) { }

    /** The compiled rules: the inputs' dimensions in order, then the outputs' (required ones and in-place optional ones). */
    public record Rules(List<Dims> inputs, List<Dims> outputs, List<Spec.Require> requires, List<Spec.Require> early, List<String> bound) {
        /** A condition parsed once, with its spec. */
        Expr when(Spec.Require r) { return CONDITIONS.computeIfAbsent(r.when(), Expr::parse); }
    }

    private static final Map<String, Expr> CONDITIONS = new java.util.concurrent.ConcurrentHashMap<>();

    private static final Map<Op, Rules> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** The op's rules; an error names the op and tensor whose shape text cannot be read. */
    public static Rules rules(Op op) {
        return CACHE.computeIfAbsent(op, SpecShapes::compile);
    }

    private static Rules compile(Op op) {
        Set<String> known = new LinkedHashSet<>();
        for (Spec.Param p : op.params()) known.add(p.name());
        List<Dims> ins = new ArrayList<>();
        for (Spec.Tensor t : op.inputs()) {
            Expr[] d = parse(op, t);
            String[] bind = new String[2];
            for (int i = 0; i < 2; i++) {
                String bare = bare(d[i]);
                if (bare != null && !known.contains(bare)) {
                    // bound by an optional input: NaN while it is absent, so a later use fails its comparison
                    bind[i] = bare;
                    known.add(bare);
                }
            }
            ins.add(new Dims(t.name(), t.optional(), d[0], d[1], bind[0], bind[1]));
        }
        for (Spec.Tensor t : op.tensorNames().stream().map(n -> tensor(op, n)).toList()) known.add("has_" + t.name());
        List<Dims> outs = new ArrayList<>();
        for (Spec.Tensor t : op.outputs()) {
            Expr[] d = parse(op, t);
            for (Expr e : d) {
                Set<String> unknown = new LinkedHashSet<>(e.variables());
                unknown.removeAll(known);
                if (!unknown.isEmpty()) throw new IllegalStateException("op " + op.name() + ": output '" + t.name() + "' reads unbound " + unknown);
            }
            outs.add(new Dims(t.name(), t.optional(), d[0], d[1], null, null));
        }
        List<String> bound = new ArrayList<>();
        for (Dims d : ins) for (String b : new String[] {d.bindRows(), d.bindCols()}) if (b != null) bound.add(b);
        List<Spec.Require> early = new ArrayList<>(), late = new ArrayList<>();
        for (Spec.Require r : op.requires()) {
            Set<String> vars = Expr.parse(r.when()).variables();
            Set<String> unknown = new LinkedHashSet<>(vars);
            unknown.removeAll(known);
            if (!unknown.isEmpty()) throw new IllegalStateException("op " + op.name() + ": condition '" + r.when() + "' reads unbound " + unknown);
            // conditions on parameters and presence alone come before the shapes
            (vars.stream().anyMatch(bound::contains) ? late : early).add(r);
        }
        return new Rules(List.copyOf(ins), List.copyOf(outs), List.copyOf(late), List.copyOf(early), List.copyOf(bound));
    }

    private static Spec.Tensor tensor(Op op, String name) {
        for (Spec.Tensor t : op.inputs()) if (t.name().equals(name)) return t;
        for (Spec.Tensor t : op.outputs()) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException(name);
    }

    private static Expr[] parse(Op op, Spec.Tensor t) {
        String[] parts = t.shape().trim().split("\\s+x\\s+");
        if (parts.length != 2) {
            throw new IllegalStateException("op " + op.name() + ": the shape '" + t.shape() + "' of '" + t.name() + "' is not 'ROWS x COLS'");
        }
        return new Expr[] {Expr.parse(parts[0]), Expr.parse(parts[1])};
    }

    /** The name when the expression is a bare variable, else null. */
    static String bare(Expr e) {
        String s = e.text().trim();
        return e.variables().size() == 1 && e.variables().contains(s) ? s : null;
    }

    /** Output shapes for these input shapes (present inputs only), or IllegalArgumentException. */
    public static Map<String, int[]> outputShapes(Op op, Map<String, int[]> in, Params p) {
        return outputShapes(op, in, op.paramVariables(p));
    }

    /** {@link #outputShapes(Op, Map, Params)} with the parameters as plan variables (the typed Device methods' values). */
    public static Map<String, int[]> outputShapes(Op op, Map<String, int[]> in, Map<String, Double> params) {
        Rules r = rules(op);
        Map<String, Double> v = new LinkedHashMap<>(params);
        for (String t : op.tensorNames()) v.put("has_" + t, in.containsKey(t) ? 1.0 : 0.0);
        for (String b : r.bound()) v.put(b, Double.NaN);
        for (Spec.Require q : r.early()) {
            if (r.when(q).eval(v) == 0) throw new IllegalArgumentException(op.name() + ": " + message(q.message(), v));
        }
        for (Dims d : r.inputs()) {
            int[] s = in.get(d.tensor());
            if (s == null) {
                if (!d.optional()) throw new IllegalArgumentException("op " + op.name() + ": input '" + d.tensor() + "' is missing");
                continue;
            }
            if (d.bindRows() != null) v.put(d.bindRows(), (double) s[0]);
            if (d.bindCols() != null) v.put(d.bindCols(), (double) s[1]);
            double er = d.rows().eval(v), ec = d.cols().eval(v);
            if (s[0] != er || s[1] != ec) {
                throw new IllegalArgumentException(op.name() + ": " + d.tensor() + " is " + s[0] + "x" + s[1] + ", expected " + dim(er) + "x" + dim(ec));
            }
        }
        for (Spec.Require q : r.requires()) {
            if (r.when(q).eval(v) == 0) throw new IllegalArgumentException(op.name() + ": " + message(q.message(), v));
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        for (Dims d : r.outputs()) {
            if (d.optional() && !in.containsKey(d.tensor())) continue;
            double er = d.rows().eval(v), ec = d.cols().eval(v);
            if (!(er >= 1 && ec >= 1 && er * ec <= Integer.MAX_VALUE && er == Math.rint(er) && ec == Math.rint(ec))) {
                throw new IllegalArgumentException(op.name() + ": output " + d.tensor() + " would be " + dim(er) + "x" + dim(ec));
            }
            out.put(d.tensor(), new int[] {(int) er, (int) ec});
        }
        return out;
    }

    /** A condition's message with each {NAME} replaced by that variable's value. */
    static String message(String text, Map<String, Double> v) {
        java.util.regex.Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(dim(v.getOrDefault(m.group(1), Double.NaN))));
        m.appendTail(sb);
        return sb.toString();
    }

    /** {NAME} in a condition's message. */
    public static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

    static String dim(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }
}

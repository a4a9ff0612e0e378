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

    /**
     * A tensor's two dimensions as expressions, and which of them bind a name (null where none). For a
     * shape "A x B (C x D if COND)", {@code cond} is COND, rows is {@code COND ? C : A} and cols
     * {@code COND ? D : B}; {@code bindIf} and {@code bindElse} are the names C, D (COND holds) or A, B
     * (it does not) bind there, each null where that dimension binds nothing.
     */
    public record Dims(String tensor, boolean optional, Expr rows, Expr cols, String bindRows, String bindCols,
                       Expr cond, String[] bindIf, String[] bindElse) {
        Dims(String tensor, boolean optional, Expr rows, Expr cols, String bindRows, String bindCols) {
            this(tensor, optional, rows, cols, bindRows, bindCols, null, null, null);
        }

        /** The names this tensor's rows and cols bind, given the variables so far (null entries bind nothing). */
        String[] binds(Map<String, Double> v) {
            if (cond == null) return new String[] {bindRows, bindCols};
            return cond.eval(v) != 0 ? bindIf : bindElse;
        }
    }

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
            if (d.length == 7) {
                // "A x B (C x D if COND)": each branch binds its own bare names not known before this tensor
                String[] bindIf = new String[2], bindElse = new String[2];
                Set<String> before = new LinkedHashSet<>(known);
                for (int i = 0; i < 2; i++) {
                    String a = bare(d[3 + i]), c = bare(d[5 + i]);
                    if (a != null && !before.contains(a)) bindIf[i] = a;
                    if (c != null && !before.contains(c)) bindElse[i] = c;
                }
                for (String b : bindIf) if (b != null) known.add(b);
                for (String b : bindElse) if (b != null) known.add(b);
                ins.add(new Dims(t.name(), t.optional(), d[0], d[1], null, null, d[2], bindIf, bindElse));
                continue;
            }
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
        for (Spec.Tensor t : op.outputs()) {
            if (t.producedWhen() == null) continue;
            Set<String> unknown = new LinkedHashSet<>(Expr.parse(t.producedWhen()).variables());
            unknown.removeAll(known);
            if (!unknown.isEmpty()) throw new IllegalStateException("op " + op.name() + ": output '" + t.name() + "' is produced when '" + t.producedWhen() + "', which reads unbound " + unknown);
        }
        List<String> bound = new ArrayList<>();
        for (Dims d : ins) {
            List<String> names = new ArrayList<>(java.util.Arrays.asList(d.bindRows(), d.bindCols()));
            if (d.cond() != null) {
                names.addAll(java.util.Arrays.asList(d.bindIf()));
                names.addAll(java.util.Arrays.asList(d.bindElse()));
            }
            for (String b : names) if (b != null && !bound.contains(b)) bound.add(b);
        }
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

    /** "A x B (C x D if COND)": a shape a flag transposes. */
    private static final java.util.regex.Pattern FLIPPED = java.util.regex.Pattern.compile("(.+?)\\s+x\\s+(.+?)\\s*\\((.+?)\\s+x\\s+(.+?)\\s+if\\s+(.+)\\)");

    /**
     * rows, cols; or for "A x B (C x D if COND)" rows, cols, COND, C, D, A, B with rows = COND ? C : A and
     * cols = COND ? D : B.
     */
    private static Expr[] parse(Op op, Spec.Tensor t) {
        java.util.regex.Matcher m = FLIPPED.matcher(t.shape().trim());
        if (m.matches()) {
            String a = m.group(1), b = m.group(2), c = m.group(3), d = m.group(4), cond = m.group(5);
            return new Expr[] {Expr.parse("(" + cond + ") ? (" + c + ") : (" + a + ")"), Expr.parse("(" + cond + ") ? (" + d + ") : (" + b + ")"),
                    Expr.parse(cond), Expr.parse(c), Expr.parse(d), Expr.parse(a), Expr.parse(b)};
        }
        String[] parts = t.shape().trim().split("\\s+x\\s+");
        if (parts.length != 2) {
            throw new IllegalStateException("op " + op.name() + ": the shape '" + t.shape() + "' of '" + t.name() + "' is not 'ROWS x COLS' nor 'ROWS x COLS (ROWS x COLS if COND)'");
        }
        return new Expr[] {Expr.parse(parts[0]), Expr.parse(parts[1])};
    }

    /** The name when the expression is a bare variable, else null. */
    static String bare(Expr e) {
        String s = e.text().trim();
        return e.variables().size() == 1 && e.variables().contains(s) ? s : null;
    }

    /**
     * Output shapes for these input shapes (present inputs only), or IllegalArgumentException: the op run on
     * its own, which produces an optional output that is not an input where its {@link Spec.Tensor#producedWhen} holds.
     */
    public static Map<String, int[]> outputShapes(Op op, Map<String, int[]> in, Params p) {
        return outputShapes(op, in, op.paramVariables(p), false);
    }

    /**
     * The same rules for a call that names every tensor it passes, outputs included (a typed Device method,
     * {@link org.neurokernels.Device#run}, the C library): {@code has_T} is whether T is given, and an optional
     * output is produced exactly when given.
     */
    public static Map<String, int[]> outputShapes(Op op, Map<String, int[]> given, Map<String, Double> params) {
        return outputShapes(op, given, params, true);
    }

    private static Map<String, int[]> outputShapes(Op op, Map<String, int[]> in, Map<String, Double> params, boolean allGiven) {
        Rules r = rules(op);
        Map<String, Double> v = new LinkedHashMap<>(params);
        for (String t : op.tensorNames()) v.put("has_" + t, in.containsKey(t) ? 1.0 : 0.0);
        if (!allGiven) {
            for (Spec.Tensor t : op.outputs()) {
                if (t.producedWhen() != null && !in.containsKey(t.name())) v.put("has_" + t.name(), CONDITIONS.computeIfAbsent(t.producedWhen(), Expr::parse).eval(v) != 0 ? 1.0 : 0.0);
            }
        }
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
            String[] bind = d.binds(v);
            if (bind[0] != null) v.put(bind[0], (double) s[0]);
            if (bind[1] != null) v.put(bind[1], (double) s[1]);
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
            if (d.optional() && v.get("has_" + d.tensor()) == 0) continue;
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

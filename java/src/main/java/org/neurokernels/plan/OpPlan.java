package org.neurokernels.plan;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The launch plan of one op as data: rules tried in order, the first whose condition holds giving the
 * launches, each with its kernel, work sizes and argument list. The Java backends interpret it
 * ({@code KernelDevice.runPlan}); {@link CGenerator} writes it as C for the C library, where the same
 * expression texts are compiled. So which kernel runs, with which arguments and work sizes, is written
 * once, in the op's own file.
 *
 * <p>Variables an expression may read: for every tensor {@code T} of the op {@code T_rows}, {@code T_cols},
 * {@code T_size} (rows x cols), {@code T_off} (element offset) and {@code has_T} (1 when given);
 * {@code contig} (1 when every given tensor is one row or has no gap between rows); the device's
 * {@code opencl} (1 on OpenCL), {@code kernel} (its GEMM kernel code, {@code ops.Gemm.KERNEL_CODES}),
 * {@code maxwg} (largest work-group) and {@code cpu} ({@link #CPU}: the CPU-style kernel families);
 * and every parameter that is not {@code uint64}, by name (activations by code, booleans as 0 or 1).
 *
 * <p>Arguments, in kernel order: {@code m:T} a matrix (pointer, element offset, leading dimension; an
 * absent optional tensor binds a 1 x 1 placeholder), {@code raw:T} its pointer alone, {@code i:EXPR} an
 * int, {@code f:EXPR} a float, {@code seedlo:P} and {@code seedhi:P} the low and high 32 bits of the
 * {@code uint64} parameter P, and {@code local:EXPR} work-group local memory of EXPR floats.
 */
public record OpPlan(String op, List<Rule> rules) {
    /** Where the CPU-style kernel families run: OpenCL devices whose GEMM is not the tiled one. */
    public static final String CPU = "opencl && kernel != 0";
    private static final Expr CPU_EXPR = Expr.parse(CPU);
    /** The device variables, in the order the generated C reads them after the tensors'. */
    public static final List<String> DEVICE_VARIABLES = List.of("contig", "opencl", "kernel", "maxwg");
    /** The per-tensor variables, in order. */
    public static final List<String> TENSOR_VARIABLES = List.of("rows", "cols", "size", "off", "has");

    public enum Kind {
        MATRIX("m"), RAW("raw"), INT("i"), FLOAT("f"), SEED_LO("seedlo"), SEED_HI("seedhi"), LOCAL("local");

        public final String prefix;

        Kind(String prefix) { this.prefix = prefix; }
    }

    /** One kernel argument: a tensor (MATRIX, RAW), a uint64 parameter (SEED_*) or an expression. */
    public record Arg(Kind kind, String name, Expr expr) {
        public static Arg parse(String text) {
            int colon = text.indexOf(':');
            if (colon < 0) throw new IllegalArgumentException("plan argument '" + text + "' has no kind (m:, raw:, i:, f:, seedlo:, seedhi:, local:)");
            String prefix = text.substring(0, colon).trim(), rest = text.substring(colon + 1).trim();
            for (Kind k : Kind.values()) {
                if (!k.prefix.equals(prefix)) continue;
                return switch (k) {
                    case MATRIX, RAW, SEED_LO, SEED_HI -> new Arg(k, rest, null);
                    default -> new Arg(k, null, Expr.parse(rest));
                };
            }
            throw new IllegalArgumentException("plan argument '" + text + "': unknown kind '" + prefix + "'");
        }

        @Override public String toString() { return kind.prefix + ":" + (expr != null ? expr.text() : name); }
    }

    /** One launch: kernel, global and local work sizes (2-D), arguments. */
    public record Step(String kernel, Expr globalX, Expr globalY, Expr localX, Expr localY, List<Arg> args) {
        public static Step of(String kernel, String gx, String gy, String lx, String ly, String... args) {
            List<Arg> a = new ArrayList<>();
            for (String s : args) a.add(Arg.parse(s));
            return new Step(kernel, Expr.parse(gx), Expr.parse(gy), Expr.parse(lx), Expr.parse(ly), List.copyOf(a));
        }

        /**
         * An elementwise kernel over tensor {@code t}'s shape (its first two arguments rows and cols, then
         * {@code args}): where every tensor is contiguous it runs over one row of rows * cols, so the
         * kernel's ELEMENT_INDEX needs no division per element.
         */
        public static Step elementwise(String kernel, String t, String... args) {
            String[] all = new String[args.length + 2];
            all[0] = "i:contig ? 1 : " + t + "_rows";
            all[1] = "i:contig ? " + t + "_size : " + t + "_cols";
            System.arraycopy(args, 0, all, 2, args.length);
            return of1d(kernel, t + "_size", all);
        }

        /** A 1-D launch over {@code n} work-items in groups of 256 (rounded up). */
        public static Step of1d(String kernel, String n, String... args) {
            return of(kernel, "rup(" + n + ", 256)", "1", "256", "1", args);
        }
    }

    public record Rule(Expr when, List<Step> steps) {
        public static Rule of(String when, Step... steps) { return new Rule(Expr.parse(when), List.of(steps)); }
    }

    /** A planned launch: sizes evaluated, and each argument's value (expressions) or NaN (tensors, seeds). */
    public record Call(String kernel, long globalX, long globalY, int localX, int localY, List<Arg> args, double[] values) {
        /** The launch as text, identical to the C library's nk_op_plan: kernel, sizes, then each argument. */
        public String text() {
            StringBuilder sb = new StringBuilder(kernel).append(' ').append(globalX).append('x').append(globalY)
                    .append('/').append(localX).append('x').append(localY);
            for (int i = 0; i < args.size(); i++) {
                Arg a = args.get(i);
                sb.append(' ');
                switch (a.kind()) {
                    case MATRIX, RAW, SEED_LO, SEED_HI -> sb.append(a.kind().prefix).append(':').append(a.name());
                    case INT, LOCAL -> sb.append(a.kind().prefix).append(':').append((long) values[i]);
                    case FLOAT -> sb.append("f:").append(String.format(java.util.Locale.ROOT, "%08x", Float.floatToRawIntBits((float) values[i])));
                }
            }
            return sb.toString();
        }
    }

    public OpPlan {
        rules = List.copyOf(rules);
    }

    public static OpPlan of(String op, Rule... rules) { return new OpPlan(op, List.of(rules)); }

    /** Every variable the plan reads (tensor, device and parameter names), for checks against the op's spec. */
    public Set<String> variables() {
        Set<String> used = new LinkedHashSet<>(CPU_EXPR.variables());
        for (Rule r : rules) {
            used.addAll(r.when().variables());
            for (Step s : r.steps()) {
                for (Expr e : List.of(s.globalX(), s.globalY(), s.localX(), s.localY())) used.addAll(e.variables());
                for (Arg a : s.args()) if (a.expr() != null) used.addAll(a.expr().variables());
            }
        }
        used.remove("cpu");
        return used;
    }

    /** Tensor names the arguments bind. */
    public Set<String> tensors() {
        Set<String> out = new LinkedHashSet<>();
        for (Rule r : rules) for (Step s : r.steps()) for (Arg a : s.args()) if (a.kind() == Kind.MATRIX || a.kind() == Kind.RAW) out.add(a.name());
        return out;
    }

    /** The launches for these variables ({@code cpu} is derived here from {@link #CPU}). */
    public List<Call> plan(Map<String, Double> vars) {
        Map<String, Double> v = new java.util.HashMap<>(vars);
        v.put("cpu", CPU_EXPR.eval(v));
        for (Rule r : rules) {
            if (r.when().eval(v) == 0) continue;
            List<Call> out = new ArrayList<>(r.steps().size());
            for (Step s : r.steps()) {
                double[] values = new double[s.args().size()];
                for (int i = 0; i < values.length; i++) {
                    Arg a = s.args().get(i);
                    values[i] = a.expr() != null ? a.expr().eval(v) : Double.NaN;
                }
                out.add(new Call(s.kernel(), (long) s.globalX().eval(v), (long) s.globalY().eval(v),
                        (int) s.localX().eval(v), (int) s.localY().eval(v), s.args(), values));
            }
            return out;
        }
        throw new IllegalStateException("plan " + op + ": no rule applies");
    }
}

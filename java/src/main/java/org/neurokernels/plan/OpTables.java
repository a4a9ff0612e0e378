package org.neurokernels.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.neurokernels.Activation;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Spec;
import org.neurokernels.ops.SpecShapes;

/**
 * The C library's op table, generated from the registry: for every op with a launch plan, its tensors
 * (name, role, optional), parameters (name, type, default), its shape rules ({@link SpecShapes}, as a
 * check function with the Java messages) and its plan ({@link OpPlan}, as a function filling launches).
 * The C library's generic {@code nk_run} and its typed functions read only this, so an op added in Java
 * with a plan is in the C library, and its Python package, with no C written by hand.
 *
 * <p>Both generated functions read one vector of doubles: for each tensor (inputs, then outputs that are
 * not inputs) rows, cols, size, off, has; then {@link OpPlan#DEVICE_VARIABLES}; then the parameters in
 * spec order (uint64 ones as 0: seeds travel apart); then the op's extra variables ({@link #extras}).
 */
public final class OpTables {
    private OpTables() { }

    /** The registry ops with a plan, in registry order. */
    public static List<Op> ops() {
        List<Op> out = new ArrayList<>();
        for (Op op : OpRegistry.all()) if (op.plan() != null) out.add(op);
        return out;
    }

    /**
     * The ops of the C table: those with a plan, then those whose shapes are the spec's alone (no
     * {@code outputShapes} of their own) but whose launches the C library composes itself (the GEMM family,
     * output_layer): their entries carry the spec's check and no plan (NULL), and their typed functions
     * call that check before they launch.
     */
    public static List<Op> tableOps() {
        List<Op> out = new ArrayList<>(ops());
        for (Op op : OpRegistry.all()) if (op.plan() == null && op.shapesFromSpec()) out.add(op);
        return out;
    }


    /** Plan variables beyond tensors, device and parameters: the op's derived ones ({@link Op#derived}, lif_step's propagators). */
    public static List<String> extras(Op op) {
        return op.derived().stream().map(Map.Entry::getKey).toList();
    }

    /** The variable names in vector order. */
    public static List<String> variables(Op op) {
        List<String> v = new ArrayList<>();
        for (String t : op.tensorNames()) for (String k : OpPlan.TENSOR_VARIABLES) v.add(k.equals("has") ? "has_" + t : t + "_" + k);
        v.addAll(OpPlan.DEVICE_VARIABLES);
        for (Spec.Param p : op.params()) v.add(p.name());
        v.addAll(extras(op));
        return v;
    }

    static String c(Expr e) {
        String s = e.text();
        for (String fn : Expr.FUNCTIONS.keySet()) s = s.replaceAll("\\b" + fn + "\\s*\\(", "nk_plan_" + fn + "(");
        return "(" + s + ")";
    }

    private static String str(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String id(Op op) { return op.name().replaceAll("[^A-Za-z0-9_]", "_"); }

    static void write(StringBuilder sb) {
        sb.append("/* ---- the op table (org.neurokernels.plan.OpTables): ops with a launch plan ---- */\n\n");
        sb.append("enum { NK_ROLE_IN = 0, NK_ROLE_OUT = 1, NK_ROLE_INOUT = 2 };\n");
        sb.append("enum { NK_PARAM_FLOAT = 0, NK_PARAM_INT = 1, NK_PARAM_BOOL = 2, NK_PARAM_ACTIVATION = 3, NK_PARAM_UINT64 = 4 };\n");
        sb.append("enum { NK_OPARG_MATRIX = 0, NK_OPARG_RAW, NK_OPARG_INT, NK_OPARG_FLOAT, NK_OPARG_SEED_LO, NK_OPARG_SEED_HI, NK_OPARG_LOCAL };\n");
        sb.append("/* activation names by code (org.neurokernels.Activation) */\n");
        sb.append("static const char* const nk_activation_names[] = {");
        for (Activation a : Activation.values()) sb.append(str(a.id())).append(", ");
        sb.append("NULL};\n");
        sb.append("#define NK_TENSOR_VARIABLES ").append(OpPlan.TENSOR_VARIABLES.size()).append('\n');
        sb.append("#define NK_DEVICE_VARIABLES ").append(OpPlan.DEVICE_VARIABLES.size()).append('\n');
        int maxArgs = 1, maxSteps = 1, maxTensors = 1, maxVars = 1;
        for (Op op : tableOps()) {
            maxTensors = Math.max(maxTensors, op.tensorNames().size());
            maxVars = Math.max(maxVars, variables(op).size());
            if (op.plan() == null) continue;
            for (OpPlan.Rule r : op.plan().rules()) {
                maxSteps = Math.max(maxSteps, r.steps().size());
                for (OpPlan.Step st : r.steps()) maxArgs = Math.max(maxArgs, st.args().size());
            }
        }
        sb.append("#define NK_OP_MAX_ARGS ").append(maxArgs).append('\n')
          .append("#define NK_OP_MAX_STEPS ").append(maxSteps).append('\n')
          .append("#define NK_OP_MAX_TENSORS ").append(maxTensors).append('\n')
          .append("#define NK_OP_MAX_VARIABLES ").append(maxVars).append("\n\n");
        sb.append("typedef struct { const char* name; int role; int optional; } nk_op_tensor;\n")
          .append("typedef struct { const char* name; int type; const char* def; } nk_op_param;\n")
          .append("typedef struct { int kind; int ref; double value; } nk_op_arg;  /* ref: tensor (m, raw) or parameter (seeds) */\n")
          .append("typedef struct { const char* kernel; long global_x, global_y; int local_x, local_y; int nargs; nk_op_arg args[NK_OP_MAX_ARGS]; } nk_op_call;\n")
          .append("typedef struct {\n    const char* name;\n    int ntensors, nparams, nextra, nvars;\n    const nk_op_tensor* tensors;\n")
          .append("    const nk_op_param* params;\n    const char* const* extra;\n")
          .append("    const char* aliases;  /* \"out:in \" pairs: the output may be that input's very buffer (in place) */\n")
          .append("    int (*check)(const double* v, char* msg, size_t cap);  /* 0, or 1 with the message */\n")
          .append("    int (*plan)(const double* v, nk_op_call* out);         /* launches written; 0: no rule. NULL: the op has its own function */\n} nk_op_def;\n\n")
          .append("/* a dimension as the Java messages print it */\n")
          .append("static inline const char* nk_op_dim(double x, char* buf, size_t cap) {\n")
          .append("    if (x == floor(x) && fabs(x) < 1e15) snprintf(buf, cap, \"%.0f\", x); else if (x != x) snprintf(buf, cap, \"NaN\"); else snprintf(buf, cap, \"%g\", x);\n")
          .append("    return buf;\n}\n\n");
        List<String> defs = new ArrayList<>();
        for (Op op : tableOps()) {
            opCode(sb, op);
            defs.add(id(op));
        }
        sb.append("static const nk_op_def nk_ops[] = {\n");
        for (Op op : tableOps()) {
            String i = id(op);
            sb.append("    {").append(str(op.name())).append(", ").append(op.tensorNames().size()).append(", ").append(op.params().size())
              .append(", ").append(extras(op).size()).append(", ").append(variables(op).size())
              .append(", nk_op_tensors_").append(i).append(", ").append(op.params().isEmpty() ? "NULL" : "nk_op_params_" + i)
              .append(", ").append(extras(op).isEmpty() ? "NULL" : "nk_op_extra_" + i)
              .append(", ").append(str(op.aliases().stream().sorted().map(a -> a + " ").reduce("", String::concat)))
              .append(", nk_op_check_").append(i).append(", ").append(op.plan() == null ? "NULL" : "nk_op_plan_" + i).append("},\n");
        }
        sb.append("};\n#define NK_OP_COUNT ").append(tableOps().size()).append("\n\n");
    }

    /** Assigns the names a tensor's rows and cols bind (null: none). */
    private static void binds(StringBuilder sb, SpecShapes.Dims d, String[] names, String indent) {
        if (names[0] != null) sb.append(indent).append(names[0]).append(" = ").append(d.tensor()).append("_rows;\n");
        if (names[1] != null) sb.append(indent).append(names[1]).append(" = ").append(d.tensor()).append("_cols;\n");
    }

    /** Declares the variables {@code body} reads (whole words), from the vector, then appends the body. */
    private static void bindUsed(StringBuilder sb, Op op, StringBuilder body) {
        List<String> vars = variables(op);
        String text = body.toString().replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");   // names in string literals do not count
        for (int i = 0; i < vars.size(); i++) {
            if (java.util.regex.Pattern.compile("\\b" + vars.get(i) + "\\b").matcher(text).find()) {
                sb.append("    const double ").append(vars.get(i)).append(" = v[").append(i).append("];\n");
            }
        }
        sb.append(body);
    }

    private static void opCode(StringBuilder sb, Op op) {
        String i = id(op);
        List<String> tensors = op.tensorNames();
        sb.append("/* op ").append(op.name()).append(" */\n");
        sb.append("static const nk_op_tensor nk_op_tensors_").append(i).append("[] = {");
        for (String t : tensors) {
            boolean in = op.inputs().stream().anyMatch(x -> x.name().equals(t)), out = op.outputs().stream().anyMatch(x -> x.name().equals(t));
            // optional where every role of the name is (gemm's c: an optional input, but always the output)
            boolean optional = op.inputs().stream().allMatch(x -> !x.name().equals(t) || x.optional())
                    && op.outputs().stream().allMatch(x -> !x.name().equals(t) || x.optional());
            sb.append("{").append(str(t)).append(", ").append(in && out ? "NK_ROLE_INOUT" : in ? "NK_ROLE_IN" : "NK_ROLE_OUT").append(", ")
              .append(optional ? 1 : 0).append("}, ");
        }
        sb.append("};\n");
        if (!op.params().isEmpty()) {
            sb.append("static const nk_op_param nk_op_params_").append(i).append("[] = {");
            for (Spec.Param p : op.params()) {
                sb.append("{").append(str(p.name())).append(", NK_PARAM_").append(p.type().toUpperCase(Locale.ROOT)).append(", ").append(str(p.defaultValue())).append("}, ");
            }
            sb.append("};\n");
        }
        if (!extras(op).isEmpty()) {
            sb.append("static const char* const nk_op_extra_").append(i).append("[] = {");
            for (String e : extras(op)) sb.append(str(e)).append(", ");
            sb.append("};\n");
            // the derived variables from the parameters (doubles in spec order), as Op.derive evaluates them
            sb.append("static inline void nk_op_derive_").append(i).append("(const double* p, double* out) {\n");
            for (int k = 0; k < op.params().size(); k++) {
                sb.append("    const double ").append(op.params().get(k).name()).append(" = p[").append(k).append("]; (void) ")
                  .append(op.params().get(k).name()).append(";\n");
            }
            int k = 0;
            for (Map.Entry<String, String> d : op.derived()) {
                sb.append("    const double ").append(d.getKey()).append(" = ").append(c(Expr.parse(d.getValue()))).append(";\n");
                sb.append("    out[").append(k++).append("] = ").append(d.getKey()).append(";\n");
            }
            sb.append("}\n");
        }
        // the shape check
        SpecShapes.Rules rules = SpecShapes.rules(op);
        sb.append("static int nk_op_check_").append(i).append("(const double* v, char* msg, size_t cap) {\n");
        StringBuilder all = sb;
        sb = new StringBuilder();
        sb.append("    char d0[32], d1[32];\n    (void) d0; (void) d1;\n");
        for (String b : rules.bound()) sb.append("    double ").append(b).append(" = NAN;\n");
        for (Spec.Require q : rules.early()) require(sb, op, q);
        for (SpecShapes.Dims d : rules.inputs()) {
            sb.append("    if (has_").append(d.tensor()).append(") {\n");
            if (d.cond() != null) {
                // "A x B (C x D if COND)": the names of the branch COND picks
                sb.append("        if ").append(c(d.cond())).append(" {\n");
                binds(sb, d, d.bindIf(), "            ");
                sb.append("        } else {\n");
                binds(sb, d, d.bindElse(), "            ");
                sb.append("        }\n");
            } else {
                binds(sb, d, new String[] {d.bindRows(), d.bindCols()}, "        ");
            }
            shapeCheck(sb, op, d, "        ");
            sb.append("    }");
            if (!d.optional()) {
                sb.append(" else {\n        snprintf(msg, cap, \"op %s: input '%s' is missing\", ").append(str(op.name())).append(", ")
                  .append(str(d.tensor())).append(");\n        return 1;\n    }");
            }
            sb.append('\n');
        }
        for (Spec.Require q : rules.requires()) require(sb, op, q);
        for (SpecShapes.Dims d : rules.outputs()) {
            boolean input = op.inputs().stream().anyMatch(x -> x.name().equals(d.tensor()));
            if (input) continue;   // in place: checked as an input
            sb.append("    if (has_").append(d.tensor()).append(") {\n");
            shapeCheck(sb, op, d, "        ");
            sb.append("    }");
            if (!d.optional()) {
                sb.append(" else {\n        snprintf(msg, cap, \"%s: output '%s' is missing\", ").append(str(op.name())).append(", ")
                  .append(str(d.tensor())).append(");\n        return 1;\n    }");
            }
            sb.append('\n');
        }
        for (String b : rules.bound()) sb.append("    (void) ").append(b).append(";\n");
        sb.append("    (void) v; (void) msg; (void) cap;\n    return 0;\n}\n");
        bindUsed(all, op, sb);
        if (op.plan() == null) return;   // launched by the C library's own function (nk_gemm, ...)
        // the plan
        sb = all;
        sb.append("static int nk_op_plan_").append(i).append("(const double* v, nk_op_call* out) {\n");
        sb = new StringBuilder();
        sb.append("    const double cpu = ").append(c(Expr.parse(OpPlan.CPU))).append("; (void) cpu;\n    (void) v;\n");
        for (OpPlan.Rule r : op.plan().rules()) {
            sb.append("    if ").append(c(r.when())).append(" {\n");
            for (int s = 0; s < r.steps().size(); s++) {
                OpPlan.Step st = r.steps().get(s);
                sb.append("        out[").append(s).append("].kernel = ").append(str(st.kernel())).append(";\n")
                  .append("        out[").append(s).append("].global_x = (long) ").append(c(st.globalX())).append(";\n")
                  .append("        out[").append(s).append("].global_y = (long) ").append(c(st.globalY())).append(";\n")
                  .append("        out[").append(s).append("].local_x = (int) ").append(c(st.localX())).append(";\n")
                  .append("        out[").append(s).append("].local_y = (int) ").append(c(st.localY())).append(";\n")
                  .append("        out[").append(s).append("].nargs = ").append(st.args().size()).append(";\n");
                for (int a = 0; a < st.args().size(); a++) {
                    OpPlan.Arg arg = st.args().get(a);
                    String kind = "NK_OPARG_" + arg.kind().name(), ref = "0", value = "0";
                    switch (arg.kind()) {
                        case MATRIX, RAW -> ref = Integer.toString(tensors.indexOf(arg.name()));
                        case SEED_LO, SEED_HI -> ref = Integer.toString(paramIndex(op, arg.name()));
                        default -> value = c(arg.expr());
                    }
                    sb.append("        out[").append(s).append("].args[").append(a).append("] = (nk_op_arg) {").append(kind).append(", ")
                      .append(ref).append(", ").append(value).append("};\n");
                }
            }
            sb.append("        return ").append(r.steps().size()).append(";\n    }\n");
        }
        sb.append("    (void) out;\n    return 0;\n}\n\n");
        StringBuilder body = sb;
        sb = all;
        bindUsed(sb, op, body);
    }

    private static int paramIndex(Op op, String name) {
        for (int k = 0; k < op.params().size(); k++) if (op.params().get(k).name().equals(name)) return k;
        throw new IllegalStateException("op " + op.name() + ": plan reads seed '" + name + "', which is no uint64 parameter");
    }

    /** A condition: its message with each {NAME} printed from that variable, as SpecShapes.message. */
    private static void require(StringBuilder sb, Op op, Spec.Require q) {
        java.util.regex.Matcher m = SpecShapes.PLACEHOLDER.matcher(q.message());
        List<String> names = new ArrayList<>();
        StringBuilder fmt = new StringBuilder();
        int at = 0;
        while (m.find()) {
            fmt.append(q.message(), at, m.start()).append("%s");
            names.add(m.group(1));
            at = m.end();
        }
        fmt.append(q.message().substring(at));
        if (names.size() > 2) throw new IllegalStateException("op " + op.name() + ": a condition's message prints at most two values");
        sb.append("    if (!").append(c(Expr.parse(q.when()))).append(") {\n        snprintf(msg, cap, ")
          .append(str((op.name() + ": " + fmt).replace("%", "%%").replace("%%s", "%s")));
        for (int k = 0; k < names.size(); k++) sb.append(", nk_op_dim(").append(names.get(k)).append(", d").append(k).append(", sizeof d").append(k).append(")");
        sb.append(");\n        return 1;\n    }\n");
    }

    private static void shapeCheck(StringBuilder sb, Op op, SpecShapes.Dims d, String ind) {
        String t = d.tensor();
        sb.append(ind).append("if (").append(t).append("_rows != ").append(c(d.rows())).append(" || ").append(t).append("_cols != ").append(c(d.cols())).append(") {\n")
          .append(ind).append("    snprintf(msg, cap, \"%s: %s is %.0fx%.0f, expected %sx%s\", ").append(str(op.name())).append(", ").append(str(t))
          .append(", ").append(t).append("_rows, ").append(t).append("_cols, nk_op_dim(").append(c(d.rows())).append(", d0, sizeof d0), nk_op_dim(")
          .append(c(d.cols())).append(", d1, sizeof d1));\n").append(ind).append("    return 1;\n").append(ind).append("}\n");
    }

    /** For tests: the variables as a name-ordered map, to compare a vector with the Java plan's. */
    static Map<String, Integer> index(Op op) {
        Map<String, Integer> m = new LinkedHashMap<>();
        List<String> v = variables(op);
        for (int k = 0; k < v.size(); k++) m.put(v.get(k), k);
        return m;
    }
}

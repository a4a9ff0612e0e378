package org.neurokernels.plan;

import java.util.List;
import java.util.Locale;

import org.neurokernels.GemmConfig;
import org.neurokernels.GemmTuning;
import org.neurokernels.ops.Gemm;

/**
 * Writes the host decisions that live in the Java op files as C, for the C library
 * ({@code native/src/nk_plans.h}): each {@link PlanTable} becomes a function returning its launches, with
 * the same expression texts compiled as C doubles, and the GEMM configuration's defaults, define format
 * and tuning-store key rule become constants. The committed header is checked against this output by the
 * test suite ({@code GeneratedCTest}), which rewrites it under {@code -Dneurokernels.regenerate=true}.
 */
public final class CGenerator {
    private CGenerator() { }

    /** The plan tables the C library uses. */
    public static List<PlanTable> tables() {
        return List.of(Gemm.PLAN, org.neurokernels.ops.OutputLayer.PLAN, org.neurokernels.ops.Dot.PLAN);
    }

    /** The whole generated header. */
    public static String header() {
        StringBuilder sb = new StringBuilder();
        sb.append("/* Generated from the Java op files by org.neurokernels.plan.CGenerator: do not edit.\n")
          .append(" * Regenerate: mvn -pl java test -Dtest=GeneratedCTest -Dneurokernels.regenerate=true\n")
          .append(" * The launch plans are the Java backends' own (org.neurokernels.ops.*.PLAN): the same conditions and\n")
          .append(" * work-size expressions, evaluated in double in both languages. */\n")
          .append("#ifndef NK_PLANS_H\n#define NK_PLANS_H\n\n#include <math.h>\n#include <stdio.h>\n\n")
          .append("/* one planned launch: a kernel and its global and local work sizes (2-D) */\n")
          .append("typedef struct { const char* kernel; long global_x, global_y; int local_x, local_y; } nk_planned;\n\n")
          .append("static inline double nk_plan_cdiv(double a, double b) { return ceil(a / b); }\n")
          .append("static inline double nk_plan_rup(double a, double b) { return ceil(a / b) * b; }\n")
          .append("static inline double nk_plan_min(double a, double b) { return a < b ? a : b; }\n")
          .append("static inline double nk_plan_max(double a, double b) { return a > b ? a : b; }\n")
          .append("static inline double nk_plan_floor(double a) { return floor(a); }\n")
          .append("static inline double nk_plan_exp(double a) { return exp(a); }\n")
          .append("static inline double nk_plan_expm1(double a) { return expm1(a); }\n")
          .append("static inline double nk_plan_fabs(double a) { return fabs(a); }\n\n");
        for (PlanTable t : tables()) function(sb, t);
        gemmConfig(sb);
        OpTables.write(sb);
        sb.append("#endif\n");
        return sb.toString();
    }

    private static String c(Expr e) {
        String s = e.text();
        for (String fn : Expr.FUNCTIONS.keySet()) s = s.replaceAll("\\b" + fn + "\\s*\\(", "nk_plan_" + fn + "(");
        return "(" + s + ")";
    }

    private static void function(StringBuilder sb, PlanTable t) {
        int most = t.rules().stream().mapToInt(r -> r.steps().size()).max().orElse(0);
        sb.append("/* plan ").append(t.family()).append(": writes at most NK_PLAN_").append(t.family().toUpperCase(Locale.ROOT))
          .append("_STEPS launches to out and returns how many (0: no rule applies) */\n");
        sb.append("#define NK_PLAN_").append(t.family().toUpperCase(Locale.ROOT)).append("_STEPS ").append(most).append('\n');
        sb.append("static inline int nk_plan_").append(t.family()).append('(');
        for (String in : t.inputs()) sb.append("double ").append(in).append(", ");
        sb.append("nk_planned* out) {\n");
        for (String in : t.inputs()) sb.append("    (void) ").append(in).append(";\n");
        for (PlanTable.Rule r : t.rules()) {
            sb.append("    if ").append(c(r.when())).append(" {\n");
            for (int i = 0; i < r.steps().size(); i++) {
                PlanTable.Step s = r.steps().get(i);
                sb.append("        out[").append(i).append("] = (nk_planned) {\"").append(s.kernel()).append("\", (long) ")
                  .append(c(s.globalX())).append(", (long) ").append(c(s.globalY())).append(", (int) ").append(c(s.localX()))
                  .append(", (int) ").append(c(s.localY())).append("};\n");
            }
            sb.append("        return ").append(r.steps().size()).append(";\n    }\n");
        }
        sb.append("    return 0;\n}\n\n");
    }

    private static void gemmConfig(StringBuilder sb) {
        GemmConfig cpu = GemmConfig.defaultFor(true), gpu = GemmConfig.defaultFor(false);
        sb.append("/* GEMM configurations (GemmConfig): kernel codes of the plan, the defaults per device type, the\n")
          .append(" * compiler defines, and the tuning store's key rule (GemmTuning.key) */\n");
        for (String k : List.of("TILED", "PACKED", "DIRECT", "WARP")) {
            sb.append("#define NK_GEMM_").append(k).append(' ').append(Gemm.KERNEL_CODES.get(k)).append('\n');
        }
        sb.append("#define NK_GEMM_DEFAULT_CPU_KERNEL NK_GEMM_").append(cpu.kernel()).append('\n')
          .append("#define NK_GEMM_DEFAULT_CPU_MR ").append(cpu.mr()).append('\n')
          .append("#define NK_GEMM_DEFAULT_CPU_NR ").append(cpu.nr()).append('\n')
          .append("#define NK_GEMM_DEFAULT_CPU_TS ").append(cpu.ts()).append('\n')
          .append("#define NK_GEMM_DEFAULT_GPU_KERNEL NK_GEMM_").append(gpu.kernel()).append('\n')
          .append("#define NK_GEMM_DEFAULT_GPU_MR ").append(gpu.mr()).append('\n')
          .append("#define NK_GEMM_DEFAULT_GPU_NR ").append(gpu.nr()).append('\n')
          .append("#define NK_GEMM_DEFAULT_GPU_TS ").append(gpu.ts()).append('\n')
          .append("/* a configuration's valid ranges: 1 <= MR <= MR_MAX, NR_MIN <= NR <= NR_MAX in steps of NR_STEP, TS one of TS_VALUES */\n")
          .append("#define NK_GEMM_MR_MAX ").append(GemmConfig.MR_MAX).append('\n')
          .append("#define NK_GEMM_NR_MIN ").append(GemmConfig.NR_MIN).append('\n')
          .append("#define NK_GEMM_NR_MAX ").append(GemmConfig.NR_MAX).append('\n')
          .append("#define NK_GEMM_NR_STEP ").append(GemmConfig.NR_STEP).append('\n')
          .append("#define NK_GEMM_TS_VALUES {").append(String.join(", ", GemmConfig.TS_VALUES.stream().map(String::valueOf).toList())).append("}\n")
          .append("/* printf format of the defines, arguments MR, NR, TS, TS */\n")
          .append("#define NK_GEMM_DEFINES_FORMAT \"").append(GemmConfig.DEFINES_FORMAT).append("\"\n")
          .append("/* characters a tuning key keeps; any other becomes '_' (key: platform|device|driver) */\n")
          .append("#define NK_TUNING_KEY_CHARS \"").append(GemmTuning.KEY_CHARS).append("\"\n\n");
    }
}

/* Generated from the Java op files by org.neurokernels.plan.CGenerator: do not edit.
 * Regenerate: mvn -pl java test -Dtest=GeneratedCTest -Dneurokernels.regenerate=true
 * The launch plans are the Java backends' own (org.neurokernels.ops.*.PLAN): the same conditions and
 * work-size expressions, evaluated in double in both languages. */
#ifndef NK_PLANS_H
#define NK_PLANS_H

#include <math.h>

/* one planned launch: a kernel and its global and local work sizes (2-D) */
typedef struct { const char* kernel; long global_x, global_y; int local_x, local_y; } nk_planned;

static inline double nk_plan_cdiv(double a, double b) { return ceil(a / b); }
static inline double nk_plan_rup(double a, double b) { return ceil(a / b) * b; }
static inline double nk_plan_min(double a, double b) { return a < b ? a : b; }
static inline double nk_plan_max(double a, double b) { return a > b ? a : b; }

/* plan gemm: writes at most NK_PLAN_GEMM_STEPS launches to out and returns how many (0: no rule applies) */
#define NK_PLAN_GEMM_STEPS 3
static inline int nk_plan_gemm(double m, double n, double k, double ta, double tb, double kernel, double MR, double NR, double TS, nk_planned* out) {
    (void) m;
    (void) n;
    (void) k;
    (void) ta;
    (void) tb;
    (void) kernel;
    (void) MR;
    (void) NR;
    (void) TS;
    if ((kernel == 2 || (kernel == 1 && (2 * m * n * k < 1048576 || m < 2 * MR || 4 * (m * k + k * n) <= 2097152))) && !ta && tb) {
        out[0] = (nk_planned) {"nk_gemm_dot", (long) (nk_plan_cdiv(m, 4)), (long) (nk_plan_cdiv(n, 16)), (int) (1), (int) (1)};
        return 1;
    }
    if ((kernel == 2 || (kernel == 1 && (2 * m * n * k < 1048576 || m < 2 * MR || 4 * (m * k + k * n) <= 2097152))) && m < 16) {
        out[0] = (nk_planned) {"nk_gemm_direct1", (long) (m), (long) (nk_plan_cdiv(n, 128)), (int) (1), (int) (1)};
        return 1;
    }
    if (kernel == 2 || (kernel == 1 && (2 * m * n * k < 1048576 || m < 2 * MR || 4 * (m * k + k * n) <= 2097152))) {
        out[0] = (nk_planned) {"nk_gemm_direct", (long) (nk_plan_cdiv(m, 16)), (long) (nk_plan_cdiv(n, 32)), (int) (1), (int) (1)};
        return 1;
    }
    if (kernel == 1) {
        out[0] = (nk_planned) {"nk_pack_a", (long) (nk_plan_rup(k, 16)), (long) (nk_plan_cdiv(m, MR) * MR), (int) (16), (int) (1)};
        out[1] = (nk_planned) {"nk_pack_b", (long) (nk_plan_cdiv(n, NR) * NR), (long) (nk_plan_rup(k, 16)), (int) (16), (int) (16)};
        out[2] = (nk_planned) {"nk_gemm_packed", (long) (nk_plan_cdiv(m, MR)), (long) (nk_plan_cdiv(n, NR)), (int) (1), (int) (1)};
        return 3;
    }
    if (kernel == 3) {
        out[0] = (nk_planned) {"nk_gemm_warp", (long) (nk_plan_cdiv(n, 128) * 256), (long) (nk_plan_cdiv(m, 128)), (int) (256), (int) (1)};
        return 1;
    }
    if (1) {
        out[0] = (nk_planned) {"nk_gemm", (long) (nk_plan_cdiv(n, TS) * 16), (long) (nk_plan_cdiv(m, TS) * 16), (int) (16), (int) (16)};
        return 1;
    }
    return 0;
}

/* plan output_layer: writes at most NK_PLAN_OUTPUT_LAYER_STEPS launches to out and returns how many (0: no rule applies) */
#define NK_PLAN_OUTPUT_LAYER_STEPS 1
static inline int nk_plan_output_layer(double rows, double c, double q, double kernel, double opencl, nk_planned* out) {
    (void) rows;
    (void) c;
    (void) q;
    (void) kernel;
    (void) opencl;
    if (opencl && kernel != 0 && c <= 16) {
        out[0] = (nk_planned) {"nk_output_layer16", (long) (nk_plan_cdiv(rows, 4)), (long) (1), (int) (1), (int) (1)};
        return 1;
    }
    if (1) {
        out[0] = (nk_planned) {"nk_softmax_xent", (long) (nk_plan_rup(rows, 256)), (long) (1), (int) (256), (int) (1)};
        return 1;
    }
    return 0;
}

/* GEMM configurations (GemmConfig): kernel codes of the plan, the defaults per device type, the
 * compiler defines, and the tuning store's key rule (GemmTuning.key) */
#define NK_GEMM_TILED 0
#define NK_GEMM_PACKED 1
#define NK_GEMM_DIRECT 2
#define NK_GEMM_WARP 3
#define NK_GEMM_DEFAULT_CPU_KERNEL NK_GEMM_PACKED
#define NK_GEMM_DEFAULT_CPU_MR 8
#define NK_GEMM_DEFAULT_CPU_NR 32
#define NK_GEMM_DEFAULT_CPU_TS 64
#define NK_GEMM_DEFAULT_GPU_KERNEL NK_GEMM_TILED
#define NK_GEMM_DEFAULT_GPU_MR 8
#define NK_GEMM_DEFAULT_GPU_NR 32
#define NK_GEMM_DEFAULT_GPU_TS 64
/* a configuration's valid ranges: 1 <= MR <= MR_MAX, NR_MIN <= NR <= NR_MAX in steps of NR_STEP, TS one of TS_VALUES */
#define NK_GEMM_MR_MAX 16
#define NK_GEMM_NR_MIN 16
#define NK_GEMM_NR_MAX 64
#define NK_GEMM_NR_STEP 16
#define NK_GEMM_TS_VALUES {16, 32, 64}
/* printf format of the defines, arguments MR, NR, TS, TS */
#define NK_GEMM_DEFINES_FORMAT "-DMR=%d -DNR=%d -DTS_M=%d -DTS_N=%d"
/* characters a tuning key keeps; any other becomes '_' (key: platform|device|driver) */
#define NK_TUNING_KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._|+-"

#endif

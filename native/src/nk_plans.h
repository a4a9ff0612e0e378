/* Generated from the Java op files by org.neurokernels.plan.CGenerator: do not edit.
 * Regenerate: mvn -pl java test -Dtest=GeneratedCTest -Dneurokernels.regenerate=true
 * The launch plans are the Java backends' own (org.neurokernels.ops.*.PLAN): the same conditions and
 * work-size expressions, evaluated in double in both languages. */
#ifndef NK_PLANS_H
#define NK_PLANS_H

#include <math.h>
#include <stdio.h>

/* one planned launch: a kernel and its global and local work sizes (2-D) */
typedef struct { const char* kernel; long global_x, global_y; int local_x, local_y; } nk_planned;

static inline double nk_plan_cdiv(double a, double b) { return ceil(a / b); }
static inline double nk_plan_rup(double a, double b) { return ceil(a / b) * b; }
static inline double nk_plan_min(double a, double b) { return a < b ? a : b; }
static inline double nk_plan_max(double a, double b) { return a > b ? a : b; }
static inline double nk_plan_floor(double a) { return floor(a); }
static inline double nk_plan_exp(double a) { return exp(a); }
static inline double nk_plan_expm1(double a) { return expm1(a); }
static inline double nk_plan_fabs(double a) { return fabs(a); }

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
        out[0] = (nk_planned) {"nk_gemm_warp", (long) (nk_plan_cdiv(n, 128) * 256), (long) (nk_plan_min(nk_plan_cdiv(m, 128), 65535)), (int) (256), (int) (1)};
        return 1;
    }
    if (1) {
        out[0] = (nk_planned) {"nk_gemm", (long) (nk_plan_cdiv(n, TS) * 16), (long) (nk_plan_min(nk_plan_cdiv(m, TS), 65535) * 16), (int) (16), (int) (16)};
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

/* plan dot: writes at most NK_PLAN_DOT_STEPS launches to out and returns how many (0: no rule applies) */
#define NK_PLAN_DOT_STEPS 1
static inline int nk_plan_dot(double n, nk_planned* out) {
    (void) n;
    if (1) {
        out[0] = (nk_planned) {"nk_dot_partial", (long) (nk_plan_min(nk_plan_cdiv(n, 256), 256) * 256), (long) (1), (int) (256), (int) (1)};
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

/* ---- the op table (org.neurokernels.plan.OpTables): ops with a launch plan ---- */

enum { NK_ROLE_IN = 0, NK_ROLE_OUT = 1, NK_ROLE_INOUT = 2 };
enum { NK_PARAM_FLOAT = 0, NK_PARAM_INT = 1, NK_PARAM_BOOL = 2, NK_PARAM_ACTIVATION = 3, NK_PARAM_UINT64 = 4 };
enum { NK_OPARG_MATRIX = 0, NK_OPARG_RAW, NK_OPARG_INT, NK_OPARG_FLOAT, NK_OPARG_SEED_LO, NK_OPARG_SEED_HI, NK_OPARG_LOCAL };
/* activation names by code (org.neurokernels.Activation) */
static const char* const nk_activation_names[] = {"identity", "tanh", "logistic", "relu", "softplus", NULL};
#define NK_TENSOR_VARIABLES 5
#define NK_DEVICE_VARIABLES 4
#define NK_OP_MAX_ARGS 42
#define NK_OP_MAX_STEPS 1
#define NK_OP_MAX_TENSORS 17
#define NK_OP_MAX_VARIABLES 108

typedef struct { const char* name; int role; int optional; } nk_op_tensor;
typedef struct { const char* name; int type; const char* def; } nk_op_param;
typedef struct { int kind; int ref; double value; } nk_op_arg;  /* ref: tensor (m, raw) or parameter (seeds) */
typedef struct { const char* kernel; long global_x, global_y; int local_x, local_y; int nargs; nk_op_arg args[NK_OP_MAX_ARGS]; } nk_op_call;
typedef struct {
    const char* name;
    int ntensors, nparams, nextra, nvars;
    const nk_op_tensor* tensors;
    const nk_op_param* params;
    const char* const* extra;
    const char* aliases;  /* "out:in " pairs: the output may be that input's very buffer (in place) */
    int (*check)(const double* v, char* msg, size_t cap);  /* 0, or 1 with the message */
    int (*plan)(const double* v, nk_op_call* out);         /* launches written; 0: no rule. NULL: the op has its own function */
} nk_op_def;

/* a dimension as the Java messages print it */
static inline const char* nk_op_dim(double x, char* buf, size_t cap) {
    if (x == floor(x) && fabs(x) < 1e15) snprintf(buf, cap, "%.0f", x); else if (x != x) snprintf(buf, cap, "NaN"); else snprintf(buf, cap, "%g", x);
    return buf;
}

/* op activation */
static const nk_op_tensor nk_op_tensors_activation[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_activation[] = {{"activation", NK_PARAM_ACTIVATION, "tanh"}, };
static int nk_op_check_activation(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "activation", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "activation", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "activation", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "activation", "y");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_activation(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double x_off = v[3];
    const double y_off = v[8];
    const double contig = v[10];
    const double opencl = v[11];
    const double kernel = v[12];
    const double activation = v[14];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu && contig) {
        out[0].kernel = "nk_activation16";
        out[0].global_x = (long) (nk_plan_rup(nk_plan_cdiv(x_size, 16), 64));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (64);
        out[0].local_y = (int) (1);
        out[0].nargs = 6;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (x_size)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_RAW, 0, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (x_off)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_RAW, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (y_off)};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_activation";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 5;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op activation_grad */
static const nk_op_tensor nk_op_tensors_activation_grad[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_activation_grad[] = {{"activation", NK_PARAM_ACTIVATION, "tanh"}, {"from_output", NK_PARAM_BOOL, "false"}, };
static int nk_op_check_activation_grad(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "activation_grad", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "activation_grad", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "activation_grad", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "activation_grad", "y");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_activation_grad(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double contig = v[10];
    const double opencl = v[11];
    const double kernel = v[12];
    const double activation = v[14];
    const double from_output = v[15];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_activation_grad";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 6;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (from_output)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op hadamard */
static const nk_op_tensor nk_op_tensors_hadamard[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_IN, 0}, {"z", NK_ROLE_OUT, 0}, };
static int nk_op_check_hadamard(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    const double z_rows = v[10];
    const double z_cols = v[11];
    const double has_z = v[14];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "hadamard", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "hadamard", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "hadamard", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "hadamard", "y");
        return 1;
    }
    if (has_z) {
        if (z_rows != (m) || z_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "hadamard", "z", z_rows, z_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "hadamard", "z");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_hadamard(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double contig = v[15];
    const double opencl = v[16];
    const double kernel = v[17];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_hadamard";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 5;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op axpy */
static const nk_op_tensor nk_op_tensors_axpy[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_INOUT, 0}, };
static const nk_op_param nk_op_params_axpy[] = {{"alpha", NK_PARAM_FLOAT, "1"}, };
static int nk_op_check_axpy(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "axpy", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "axpy", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "axpy", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "axpy", "y");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_axpy(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double contig = v[10];
    const double opencl = v[11];
    const double kernel = v[12];
    const double alpha = v[14];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_axpy";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 5;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (alpha)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op scale */
static const nk_op_tensor nk_op_tensors_scale[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_scale[] = {{"alpha", NK_PARAM_FLOAT, "1"}, };
static int nk_op_check_scale(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "scale", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "scale", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "scale", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "scale", "y");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_scale(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double contig = v[10];
    const double opencl = v[11];
    const double kernel = v[12];
    const double alpha = v[14];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_scale";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 5;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (alpha)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op copy */
static const nk_op_tensor nk_op_tensors_copy[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_OUT, 0}, };
static int nk_op_check_copy(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "copy", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "copy", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "copy", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "copy", "y");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_copy(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double contig = v[10];
    const double opencl = v[11];
    const double kernel = v[12];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_copy";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 4;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op column_sums */
static const nk_op_tensor nk_op_tensors_column_sums[] = {{"x", NK_ROLE_IN, 0}, {"s", NK_ROLE_OUT, 0}, };
static int nk_op_check_column_sums(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double s_rows = v[5];
    const double s_cols = v[6];
    const double has_s = v[9];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "column_sums", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "column_sums", "x");
        return 1;
    }
    if (has_s) {
        if (s_rows != (1) || s_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "column_sums", "s", s_rows, s_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "column_sums", "s");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_column_sums(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double opencl = v[11];
    const double kernel = v[12];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_column_sums";
        out[0].global_x = (long) (nk_plan_rup(x_cols, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 4;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op softmax_xent */
static const nk_op_tensor nk_op_tensors_softmax_xent[] = {{"logits", NK_ROLE_IN, 0}, {"targets", NK_ROLE_IN, 0}, {"probs", NK_ROLE_OUT, 0}, {"grad", NK_ROLE_OUT, 0}, {"loss", NK_ROLE_OUT, 0}, };
static int nk_op_check_softmax_xent(const double* v, char* msg, size_t cap) {
    const double logits_rows = v[0];
    const double logits_cols = v[1];
    const double has_logits = v[4];
    const double targets_rows = v[5];
    const double targets_cols = v[6];
    const double has_targets = v[9];
    const double probs_rows = v[10];
    const double probs_cols = v[11];
    const double has_probs = v[14];
    const double grad_rows = v[15];
    const double grad_cols = v[16];
    const double has_grad = v[19];
    const double loss_rows = v[20];
    const double loss_cols = v[21];
    const double has_loss = v[24];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double c = NAN;
    if (has_logits) {
        m = logits_rows;
        c = logits_cols;
        if (logits_rows != (m) || logits_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "softmax_xent", "logits", logits_rows, logits_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "softmax_xent", "logits");
        return 1;
    }
    if (has_targets) {
        if (targets_rows != (m) || targets_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "softmax_xent", "targets", targets_rows, targets_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "softmax_xent", "targets");
        return 1;
    }
    if (has_probs) {
        if (probs_rows != (m) || probs_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "softmax_xent", "probs", probs_rows, probs_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "softmax_xent", "probs");
        return 1;
    }
    if (has_grad) {
        if (grad_rows != (m) || grad_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "softmax_xent", "grad", grad_rows, grad_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "softmax_xent", "grad");
        return 1;
    }
    if (has_loss) {
        if (loss_rows != (m) || loss_cols != (1)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "softmax_xent", "loss", loss_rows, loss_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((1), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "softmax_xent", "loss");
        return 1;
    }
    (void) m;
    (void) c;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_softmax_xent(const double* v, nk_op_call* out) {
    const double logits_rows = v[0];
    const double logits_cols = v[1];
    const double opencl = v[26];
    const double kernel = v[27];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_softmax_xent";
        out[0].global_x = (long) (nk_plan_rup(logits_rows, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 7;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (logits_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (logits_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op sgd_update */
static const nk_op_tensor nk_op_tensors_sgd_update[] = {{"w", NK_ROLE_INOUT, 0}, {"grad", NK_ROLE_IN, 0}, {"velocity", NK_ROLE_INOUT, 1}, };
static const nk_op_param nk_op_params_sgd_update[] = {{"lr", NK_PARAM_FLOAT, "0.05"}, {"weight_decay", NK_PARAM_FLOAT, "0"}, {"momentum", NK_PARAM_FLOAT, "0"}, };
static int nk_op_check_sgd_update(const double* v, char* msg, size_t cap) {
    const double w_rows = v[0];
    const double w_cols = v[1];
    const double has_w = v[4];
    const double grad_rows = v[5];
    const double grad_cols = v[6];
    const double has_grad = v[9];
    const double velocity_rows = v[10];
    const double velocity_cols = v[11];
    const double has_velocity = v[14];
    const double momentum = v[21];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (!(momentum == 0 || has_velocity)) {
        snprintf(msg, cap, "sgd_update: momentum != 0 needs input velocity");
        return 1;
    }
    if (has_w) {
        m = w_rows;
        n = w_cols;
        if (w_rows != (m) || w_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "sgd_update", "w", w_rows, w_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "sgd_update", "w");
        return 1;
    }
    if (has_grad) {
        if (grad_rows != (m) || grad_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "sgd_update", "grad", grad_rows, grad_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "sgd_update", "grad");
        return 1;
    }
    if (has_velocity) {
        if (velocity_rows != (m) || velocity_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "sgd_update", "velocity", velocity_rows, velocity_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_sgd_update(const double* v, nk_op_call* out) {
    const double w_rows = v[0];
    const double w_cols = v[1];
    const double w_size = v[2];
    const double has_velocity = v[14];
    const double contig = v[15];
    const double opencl = v[16];
    const double kernel = v[17];
    const double lr = v[19];
    const double weight_decay = v[20];
    const double momentum = v[21];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_sgd_update";
        out[0].global_x = (long) (nk_plan_rup(w_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 9;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : w_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? w_size : w_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (lr)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (weight_decay)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (momentum)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_INT, 0, (has_velocity)};
        return 1;
    }
    (void) out;
    return 0;
}

/* op kp_update */
static const nk_op_tensor nk_op_tensors_kp_update[] = {{"w", NK_ROLE_INOUT, 0}, {"b", NK_ROLE_INOUT, 0}, {"grad", NK_ROLE_IN, 0}, {"velocity", NK_ROLE_INOUT, 1}, };
static const nk_op_param nk_op_params_kp_update[] = {{"lr", NK_PARAM_FLOAT, "0.05"}, {"weight_decay", NK_PARAM_FLOAT, "0"}, {"momentum", NK_PARAM_FLOAT, "0"}, };
static int nk_op_check_kp_update(const double* v, char* msg, size_t cap) {
    const double w_rows = v[0];
    const double w_cols = v[1];
    const double has_w = v[4];
    const double b_rows = v[5];
    const double b_cols = v[6];
    const double has_b = v[9];
    const double grad_rows = v[10];
    const double grad_cols = v[11];
    const double has_grad = v[14];
    const double velocity_rows = v[15];
    const double velocity_cols = v[16];
    const double has_velocity = v[19];
    const double momentum = v[26];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (!(momentum == 0 || has_velocity)) {
        snprintf(msg, cap, "kp_update: momentum != 0 needs input velocity");
        return 1;
    }
    if (has_w) {
        m = w_rows;
        n = w_cols;
        if (w_rows != (m) || w_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "kp_update", "w", w_rows, w_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "kp_update", "w");
        return 1;
    }
    if (has_b) {
        if (b_rows != (m) || b_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "kp_update", "b", b_rows, b_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "kp_update", "b");
        return 1;
    }
    if (has_grad) {
        if (grad_rows != (m) || grad_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "kp_update", "grad", grad_rows, grad_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "kp_update", "grad");
        return 1;
    }
    if (has_velocity) {
        if (velocity_rows != (m) || velocity_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "kp_update", "velocity", velocity_rows, velocity_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_kp_update(const double* v, nk_op_call* out) {
    const double w_rows = v[0];
    const double w_cols = v[1];
    const double w_size = v[2];
    const double has_velocity = v[19];
    const double contig = v[20];
    const double opencl = v[21];
    const double kernel = v[22];
    const double lr = v[24];
    const double weight_decay = v[25];
    const double momentum = v[26];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_kp_update";
        out[0].global_x = (long) (nk_plan_rup(w_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 10;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : w_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? w_size : w_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (lr)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (weight_decay)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (momentum)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_INT, 0, (has_velocity)};
        return 1;
    }
    (void) out;
    return 0;
}

/* op gather_rows */
static const nk_op_tensor nk_op_tensors_gather_rows[] = {{"x", NK_ROLE_IN, 0}, {"index", NK_ROLE_IN, 0}, {"out", NK_ROLE_OUT, 0}, };
static int nk_op_check_gather_rows(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double index_rows = v[5];
    const double index_cols = v[6];
    const double has_index = v[9];
    const double out_rows = v[10];
    const double out_cols = v[11];
    const double has_out = v[14];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    double r = NAN;
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "gather_rows", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "gather_rows", "x");
        return 1;
    }
    if (has_index) {
        r = index_cols;
        if (index_rows != (1) || index_cols != (r)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "gather_rows", "index", index_rows, index_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((r), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "gather_rows", "index");
        return 1;
    }
    if (!(m <= 16777216)) {
        snprintf(msg, cap, "gather_rows: x has more than 2^24 rows, which float row numbers cannot address");
        return 1;
    }
    if (has_out) {
        if (out_rows != (r) || out_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "gather_rows", "out", out_rows, out_cols, nk_op_dim((r), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "gather_rows", "out");
        return 1;
    }
    (void) m;
    (void) n;
    (void) r;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_gather_rows(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double out_rows = v[10];
    const double out_cols = v[11];
    const double out_size = v[12];
    const double opencl = v[16];
    const double kernel = v[17];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu) {
        out[0].kernel = "nk_gather_rows16";
        out[0].global_x = (long) (out_rows);
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (1);
        out[0].local_y = (int) (1);
        out[0].nargs = 6;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (out_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (out_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (x_rows)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_gather_rows";
        out[0].global_x = (long) (nk_plan_rup(out_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 6;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (out_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (out_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (x_rows)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op sign_feedback */
static const nk_op_tensor nk_op_tensors_sign_feedback[] = {{"w", NK_ROLE_IN, 0}, {"r", NK_ROLE_IN, 1}, {"b", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_sign_feedback[] = {{"scale", NK_PARAM_FLOAT, "1"}, };
static int nk_op_check_sign_feedback(const double* v, char* msg, size_t cap) {
    const double w_rows = v[0];
    const double w_cols = v[1];
    const double has_w = v[4];
    const double r_rows = v[5];
    const double r_cols = v[6];
    const double has_r = v[9];
    const double b_rows = v[10];
    const double b_cols = v[11];
    const double has_b = v[14];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (has_w) {
        m = w_rows;
        n = w_cols;
        if (w_rows != (m) || w_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "sign_feedback", "w", w_rows, w_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "sign_feedback", "w");
        return 1;
    }
    if (has_r) {
        if (r_rows != (m) || r_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "sign_feedback", "r", r_rows, r_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_b) {
        if (b_rows != (m) || b_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "sign_feedback", "b", b_rows, b_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "sign_feedback", "b");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_sign_feedback(const double* v, nk_op_call* out) {
    const double w_rows = v[0];
    const double w_cols = v[1];
    const double w_size = v[2];
    const double has_r = v[9];
    const double contig = v[15];
    const double opencl = v[16];
    const double kernel = v[17];
    const double scale = v[19];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_sign_feedback";
        out[0].global_x = (long) (nk_plan_rup(w_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 7;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : w_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? w_size : w_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (scale)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (has_r)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op mse */
static const nk_op_tensor nk_op_tensors_mse[] = {{"y", NK_ROLE_IN, 0}, {"targets", NK_ROLE_IN, 0}, {"grad", NK_ROLE_OUT, 0}, {"loss", NK_ROLE_OUT, 0}, };
static int nk_op_check_mse(const double* v, char* msg, size_t cap) {
    const double y_rows = v[0];
    const double y_cols = v[1];
    const double has_y = v[4];
    const double targets_rows = v[5];
    const double targets_cols = v[6];
    const double has_targets = v[9];
    const double grad_rows = v[10];
    const double grad_cols = v[11];
    const double has_grad = v[14];
    const double loss_rows = v[15];
    const double loss_cols = v[16];
    const double has_loss = v[19];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double c = NAN;
    if (has_y) {
        m = y_rows;
        c = y_cols;
        if (y_rows != (m) || y_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "mse", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "mse", "y");
        return 1;
    }
    if (has_targets) {
        if (targets_rows != (m) || targets_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "mse", "targets", targets_rows, targets_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "mse", "targets");
        return 1;
    }
    if (has_grad) {
        if (grad_rows != (m) || grad_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "mse", "grad", grad_rows, grad_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "mse", "grad");
        return 1;
    }
    if (has_loss) {
        if (loss_rows != (m) || loss_cols != (1)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "mse", "loss", loss_rows, loss_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((1), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "mse", "loss");
        return 1;
    }
    (void) m;
    (void) c;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_mse(const double* v, nk_op_call* out) {
    const double y_rows = v[0];
    const double y_cols = v[1];
    const double opencl = v[21];
    const double kernel = v[22];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_mse";
        out[0].global_x = (long) (nk_plan_rup(y_rows, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 6;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (y_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (y_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op random_uniform */
static const nk_op_tensor nk_op_tensors_random_uniform[] = {{"out", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_random_uniform[] = {{"rows", NK_PARAM_INT, "1"}, {"cols", NK_PARAM_INT, "1"}, {"seed", NK_PARAM_UINT64, "0"}, {"stream", NK_PARAM_INT, "0"}, {"draw", NK_PARAM_INT, "0"}, {"lo", NK_PARAM_FLOAT, "0"}, {"hi", NK_PARAM_FLOAT, "1"}, };
static int nk_op_check_random_uniform(const double* v, char* msg, size_t cap) {
    const double out_rows = v[0];
    const double out_cols = v[1];
    const double has_out = v[4];
    const double rows = v[9];
    const double cols = v[10];
    const double lo = v[14];
    const double hi = v[15];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    if (!(lo < hi)) {
        snprintf(msg, cap, "random_uniform: need lo < hi");
        return 1;
    }
    if (!(hi - lo <= 3.4028234663852886e38)) {
        snprintf(msg, cap, "random_uniform: hi - lo overflows float: the kernel draws lo + u (hi - lo)");
        return 1;
    }
    if (!(rows >= 1 && cols >= 1)) {
        snprintf(msg, cap, "random_uniform: rows and cols must be at least 1");
        return 1;
    }
    if (!(rows * cols <= 2147483647)) {
        snprintf(msg, cap, "random_uniform: rows=%s x cols=%s exceeds 2^31 - 1 = 2147483647 elements", nk_op_dim(rows, d0, sizeof d0), nk_op_dim(cols, d1, sizeof d1));
        return 1;
    }
    if (has_out) {
        if (out_rows != (rows) || out_cols != (cols)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "random_uniform", "out", out_rows, out_cols, nk_op_dim((rows), d0, sizeof d0), nk_op_dim((cols), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "random_uniform", "out");
        return 1;
    }
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_random_uniform(const double* v, nk_op_call* out) {
    const double out_rows = v[0];
    const double out_cols = v[1];
    const double out_size = v[2];
    const double opencl = v[6];
    const double kernel = v[7];
    const double stream = v[12];
    const double draw = v[13];
    const double lo = v[14];
    const double hi = v[15];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu) {
        out[0].kernel = "nk_random_uniform16";
        out[0].global_x = (long) (nk_plan_cdiv(out_size, 64));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (1);
        out[0].local_y = (int) (1);
        out[0].nargs = 9;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (out_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (out_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_SEED_LO, 2, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_SEED_HI, 2, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (draw)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (lo)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (hi)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_random_uniform";
        out[0].global_x = (long) (nk_plan_rup(nk_plan_cdiv(out_size, 4), 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 9;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (out_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (out_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_SEED_LO, 2, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_SEED_HI, 2, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (draw)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (lo)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (hi)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op lif_step */
static const nk_op_tensor nk_op_tensors_lif_step[] = {{"v", NK_ROLE_INOUT, 0}, {"i_e", NK_ROLE_INOUT, 0}, {"i_i", NK_ROLE_INOUT, 0}, {"refractory", NK_ROLE_INOUT, 0}, {"rate", NK_ROLE_INOUT, 0}, {"count", NK_ROLE_INOUT, 0}, {"i_ext", NK_ROLE_IN, 1}, {"syn_e", NK_ROLE_IN, 1}, {"syn_i", NK_ROLE_IN, 1}, {"spikes", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_lif_step[] = {{"tau_m", NK_PARAM_FLOAT, "20"}, {"cm", NK_PARAM_FLOAT, "1"}, {"v_rest", NK_PARAM_FLOAT, "-65"}, {"v_reset", NK_PARAM_FLOAT, "-65"}, {"v_thresh", NK_PARAM_FLOAT, "-50"}, {"tau_refrac", NK_PARAM_FLOAT, "0.1"}, {"tau_syn_E", NK_PARAM_FLOAT, "5"}, {"tau_syn_I", NK_PARAM_FLOAT, "5"}, {"i_offset", NK_PARAM_FLOAT, "0"}, {"dt", NK_PARAM_FLOAT, "0.1"}, {"tau_rate", NK_PARAM_FLOAT, "100"}, };
static const char* const nk_op_extra_lif_step[] = {"p22", "p21e", "p21i", "p20", "p11e", "p11i", "v_rest_k", "v_reset_k", "v_thresh_k", "i_offset_k", "refractory_steps", "rate_decay", "rate_gain", };
static inline void nk_op_derive_lif_step(const double* p, double* out) {
    const double tau_m = p[0]; (void) tau_m;
    const double cm = p[1]; (void) cm;
    const double v_rest = p[2]; (void) v_rest;
    const double v_reset = p[3]; (void) v_reset;
    const double v_thresh = p[4]; (void) v_thresh;
    const double tau_refrac = p[5]; (void) tau_refrac;
    const double tau_syn_E = p[6]; (void) tau_syn_E;
    const double tau_syn_I = p[7]; (void) tau_syn_I;
    const double i_offset = p[8]; (void) i_offset;
    const double dt = p[9]; (void) dt;
    const double tau_rate = p[10]; (void) tau_rate;
    const double p22 = (nk_plan_exp(-dt / tau_m));
    out[0] = p22;
    const double p21e = (nk_plan_fabs(1 / tau_m - 1 / tau_syn_E) * dt < 1e-12 ? dt / cm * nk_plan_exp(-dt / tau_m) : tau_m * tau_syn_E / (cm * (tau_syn_E - tau_m)) * nk_plan_exp(-dt / tau_m) * nk_plan_expm1(dt * (1 / tau_m - 1 / tau_syn_E)));
    out[1] = p21e;
    const double p21i = (nk_plan_fabs(1 / tau_m - 1 / tau_syn_I) * dt < 1e-12 ? dt / cm * nk_plan_exp(-dt / tau_m) : tau_m * tau_syn_I / (cm * (tau_syn_I - tau_m)) * nk_plan_exp(-dt / tau_m) * nk_plan_expm1(dt * (1 / tau_m - 1 / tau_syn_I)));
    out[2] = p21i;
    const double p20 = (-nk_plan_expm1(-dt / tau_m) * (tau_m / cm));
    out[3] = p20;
    const double p11e = (nk_plan_exp(-dt / tau_syn_E));
    out[4] = p11e;
    const double p11i = (nk_plan_exp(-dt / tau_syn_I));
    out[5] = p11i;
    const double v_rest_k = (v_rest);
    out[6] = v_rest_k;
    const double v_reset_k = (v_reset);
    out[7] = v_reset_k;
    const double v_thresh_k = (v_thresh);
    out[8] = v_thresh_k;
    const double i_offset_k = (i_offset);
    out[9] = i_offset_k;
    const double refractory_steps = (nk_plan_floor(tau_refrac / dt + 0.5));
    out[10] = refractory_steps;
    const double rate_decay = (nk_plan_exp(-dt / tau_rate));
    out[11] = rate_decay;
    const double rate_gain = (1 / tau_rate);
    out[12] = rate_gain;
}
static int nk_op_check_lif_step(const double* v, char* msg, size_t cap) {
    const double v_rows = v[0];
    const double v_cols = v[1];
    const double has_v = v[4];
    const double i_e_rows = v[5];
    const double i_e_cols = v[6];
    const double has_i_e = v[9];
    const double i_i_rows = v[10];
    const double i_i_cols = v[11];
    const double has_i_i = v[14];
    const double refractory_rows = v[15];
    const double refractory_cols = v[16];
    const double has_refractory = v[19];
    const double rate_rows = v[20];
    const double rate_cols = v[21];
    const double has_rate = v[24];
    const double count_rows = v[25];
    const double count_cols = v[26];
    const double has_count = v[29];
    const double i_ext_rows = v[30];
    const double i_ext_cols = v[31];
    const double has_i_ext = v[34];
    const double syn_e_rows = v[35];
    const double syn_e_cols = v[36];
    const double has_syn_e = v[39];
    const double syn_i_rows = v[40];
    const double syn_i_cols = v[41];
    const double has_syn_i = v[44];
    const double spikes_rows = v[45];
    const double spikes_cols = v[46];
    const double has_spikes = v[49];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double b = NAN;
    double n = NAN;
    if (has_v) {
        b = v_rows;
        n = v_cols;
        if (v_rows != (b) || v_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "v", v_rows, v_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_step", "v");
        return 1;
    }
    if (has_i_e) {
        if (i_e_rows != (b) || i_e_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "i_e", i_e_rows, i_e_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_step", "i_e");
        return 1;
    }
    if (has_i_i) {
        if (i_i_rows != (b) || i_i_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "i_i", i_i_rows, i_i_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_step", "i_i");
        return 1;
    }
    if (has_refractory) {
        if (refractory_rows != (b) || refractory_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "refractory", refractory_rows, refractory_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_step", "refractory");
        return 1;
    }
    if (has_rate) {
        if (rate_rows != (b) || rate_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "rate", rate_rows, rate_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_step", "rate");
        return 1;
    }
    if (has_count) {
        if (count_rows != (b) || count_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "count", count_rows, count_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_step", "count");
        return 1;
    }
    if (has_i_ext) {
        if (i_ext_rows != (b) || i_ext_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "i_ext", i_ext_rows, i_ext_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_syn_e) {
        if (syn_e_rows != (b) || syn_e_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "syn_e", syn_e_rows, syn_e_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_syn_i) {
        if (syn_i_rows != (b) || syn_i_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "syn_i", syn_i_rows, syn_i_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_spikes) {
        if (spikes_rows != (b) || spikes_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_step", "spikes", spikes_rows, spikes_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "lif_step", "spikes");
        return 1;
    }
    (void) b;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_lif_step(const double* v, nk_op_call* out) {
    const double v_rows = v[0];
    const double v_cols = v[1];
    const double v_size = v[2];
    const double has_i_ext = v[34];
    const double has_syn_e = v[39];
    const double has_syn_i = v[44];
    const double contig = v[50];
    const double opencl = v[51];
    const double kernel = v[52];
    const double p22 = v[65];
    const double p21e = v[66];
    const double p21i = v[67];
    const double p20 = v[68];
    const double p11e = v[69];
    const double p11i = v[70];
    const double v_rest_k = v[71];
    const double v_reset_k = v[72];
    const double v_thresh_k = v[73];
    const double i_offset_k = v[74];
    const double refractory_steps = v[75];
    const double rate_decay = v[76];
    const double rate_gain = v[77];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu && contig) {
        out[0].kernel = "nk_lif_step16";
        out[0].global_x = (long) (nk_plan_rup(nk_plan_cdiv(v_size, 16), 64));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (64);
        out[0].local_y = (int) (1);
        out[0].nargs = 28;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (1)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (v_size)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p22)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21e)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21i)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p20)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11e)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11i)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_rest_k)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_reset_k)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_thresh_k)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (i_offset_k)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_INT, 0, (refractory_steps)};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_decay)};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_gain)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_INT, 0, (has_i_ext)};
        out[0].args[21] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[22] = (nk_op_arg) {NK_OPARG_INT, 0, (has_syn_e)};
        out[0].args[23] = (nk_op_arg) {NK_OPARG_MATRIX, 8, 0};
        out[0].args[24] = (nk_op_arg) {NK_OPARG_INT, 0, (has_syn_i)};
        out[0].args[25] = (nk_op_arg) {NK_OPARG_MATRIX, 9, 0};
        out[0].args[26] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[27] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_lif_step";
        out[0].global_x = (long) (nk_plan_rup(v_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 28;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : v_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? v_size : v_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p22)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21e)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21i)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p20)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11e)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11i)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_rest_k)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_reset_k)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_thresh_k)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (i_offset_k)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_INT, 0, (refractory_steps)};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_decay)};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_gain)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_INT, 0, (has_i_ext)};
        out[0].args[21] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[22] = (nk_op_arg) {NK_OPARG_INT, 0, (has_syn_e)};
        out[0].args[23] = (nk_op_arg) {NK_OPARG_MATRIX, 8, 0};
        out[0].args[24] = (nk_op_arg) {NK_OPARG_INT, 0, (has_syn_i)};
        out[0].args[25] = (nk_op_arg) {NK_OPARG_MATRIX, 9, 0};
        out[0].args[26] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[27] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op rate_step */
static const nk_op_tensor nk_op_tensors_rate_step[] = {{"r", NK_ROLE_INOUT, 0}, {"x", NK_ROLE_IN, 0}, {"c", NK_ROLE_IN, 0}, {"tau", NK_ROLE_IN, 1}, };
static const nk_op_param nk_op_params_rate_step[] = {{"activation", NK_PARAM_ACTIVATION, "tanh"}, {"exp_euler", NK_PARAM_BOOL, "true"}, {"noise_scale", NK_PARAM_FLOAT, "0"}, {"seed", NK_PARAM_UINT64, "0"}, {"stream", NK_PARAM_INT, "0"}, {"step", NK_PARAM_INT, "0"}, };
static int nk_op_check_rate_step(const double* v, char* msg, size_t cap) {
    const double r_rows = v[0];
    const double r_cols = v[1];
    const double has_r = v[4];
    const double x_rows = v[5];
    const double x_cols = v[6];
    const double has_x = v[9];
    const double c_rows = v[10];
    const double c_cols = v[11];
    const double has_c = v[14];
    const double tau_rows = v[15];
    const double tau_cols = v[16];
    const double has_tau = v[19];
    const double noise_scale = v[26];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double b = NAN;
    double n = NAN;
    if (!(noise_scale == 0 || has_tau)) {
        snprintf(msg, cap, "rate_step: noise needs tau (1 x n)");
        return 1;
    }
    if (has_r) {
        b = r_rows;
        n = r_cols;
        if (r_rows != (b) || r_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_step", "r", r_rows, r_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_step", "r");
        return 1;
    }
    if (has_x) {
        if (x_rows != (b) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_step", "x", x_rows, x_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_step", "x");
        return 1;
    }
    if (has_c) {
        if (c_rows != (1) || c_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_step", "c", c_rows, c_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_step", "c");
        return 1;
    }
    if (has_tau) {
        if (tau_rows != (1) || tau_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_step", "tau", tau_rows, tau_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    (void) b;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_rate_step(const double* v, nk_op_call* out) {
    const double r_rows = v[0];
    const double r_cols = v[1];
    const double r_size = v[2];
    const double opencl = v[21];
    const double kernel = v[22];
    const double activation = v[24];
    const double exp_euler = v[25];
    const double noise_scale = v[26];
    const double stream = v[28];
    const double step = v[29];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu) {
        out[0].kernel = "nk_rate_step16";
        out[0].global_x = (long) (nk_plan_rup(r_rows * nk_plan_cdiv(r_cols, 16), 64));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (64);
        out[0].local_y = (int) (1);
        out[0].nargs = 13;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (r_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (r_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (exp_euler)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (noise_scale)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_SEED_LO, 3, 0};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_SEED_HI, 3, 0};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_INT, 0, (step)};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_rate_step";
        out[0].global_x = (long) (nk_plan_rup(r_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 13;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (r_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (r_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (exp_euler)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (noise_scale)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_SEED_LO, 3, 0};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_SEED_HI, 3, 0};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_INT, 0, (step)};
        return 1;
    }
    (void) out;
    return 0;
}

/* op rate_multistep */
static const nk_op_tensor nk_op_tensors_rate_multistep[] = {{"r", NK_ROLE_INOUT, 0}, {"w_rec_t", NK_ROLE_IN, 0}, {"bias", NK_ROLE_IN, 0}, {"c", NK_ROLE_IN, 0}, {"tau", NK_ROLE_IN, 1}, {"w_in_t", NK_ROLE_IN, 1}, {"u", NK_ROLE_IN, 1}, {"rec", NK_ROLE_OUT, 1}, };
static const nk_op_param nk_op_params_rate_multistep[] = {{"steps", NK_PARAM_INT, "1"}, {"activation", NK_PARAM_ACTIVATION, "tanh"}, {"exp_euler", NK_PARAM_BOOL, "true"}, {"noise_scale", NK_PARAM_FLOAT, "0"}, {"seed", NK_PARAM_UINT64, "0"}, {"stream", NK_PARAM_INT, "0"}, {"step0", NK_PARAM_INT, "0"}, {"record_every", NK_PARAM_INT, "1"}, };
static int nk_op_check_rate_multistep(const double* v, char* msg, size_t cap) {
    const double r_rows = v[0];
    const double r_cols = v[1];
    const double has_r = v[4];
    const double w_rec_t_rows = v[5];
    const double w_rec_t_cols = v[6];
    const double has_w_rec_t = v[9];
    const double bias_rows = v[10];
    const double bias_cols = v[11];
    const double has_bias = v[14];
    const double c_rows = v[15];
    const double c_cols = v[16];
    const double has_c = v[19];
    const double tau_rows = v[20];
    const double tau_cols = v[21];
    const double has_tau = v[24];
    const double w_in_t_rows = v[25];
    const double w_in_t_cols = v[26];
    const double has_w_in_t = v[29];
    const double u_rows = v[30];
    const double u_cols = v[31];
    const double has_u = v[34];
    const double rec_rows = v[35];
    const double rec_cols = v[36];
    const double has_rec = v[39];
    const double steps = v[44];
    const double noise_scale = v[47];
    const double record_every = v[51];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double b = NAN;
    double n = NAN;
    double m = NAN;
    if (!(has_u == has_w_in_t)) {
        snprintf(msg, cap, "rate_multistep: give both u and w_in_t, or neither");
        return 1;
    }
    if (!(noise_scale == 0 || has_tau)) {
        snprintf(msg, cap, "rate_multistep: noise needs tau");
        return 1;
    }
    if (!(steps >= 1)) {
        snprintf(msg, cap, "rate_multistep: steps must be positive");
        return 1;
    }
    if (!(!has_rec || (record_every >= 1 && record_every <= steps))) {
        snprintf(msg, cap, "rate_multistep: rec needs 1 <= record_every <= steps");
        return 1;
    }
    if (has_r) {
        b = r_rows;
        n = r_cols;
        if (r_rows != (b) || r_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "r", r_rows, r_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_multistep", "r");
        return 1;
    }
    if (has_w_rec_t) {
        if (w_rec_t_rows != (n) || w_rec_t_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "w_rec_t", w_rec_t_rows, w_rec_t_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_multistep", "w_rec_t");
        return 1;
    }
    if (has_bias) {
        if (bias_rows != (1) || bias_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "bias", bias_rows, bias_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_multistep", "bias");
        return 1;
    }
    if (has_c) {
        if (c_rows != (1) || c_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "c", c_rows, c_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rate_multistep", "c");
        return 1;
    }
    if (has_tau) {
        if (tau_rows != (1) || tau_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "tau", tau_rows, tau_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_w_in_t) {
        m = w_in_t_rows;
        if (w_in_t_rows != (m) || w_in_t_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "w_in_t", w_in_t_rows, w_in_t_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_u) {
        if (u_rows != (steps * b) || u_cols != (m)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "u", u_rows, u_cols, nk_op_dim((steps * b), d0, sizeof d0), nk_op_dim((m), d1, sizeof d1));
            return 1;
        }
    }
    if (has_rec) {
        if (rec_rows != (nk_plan_floor(steps / record_every) * b) || rec_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rate_multistep", "rec", rec_rows, rec_cols, nk_op_dim((nk_plan_floor(steps / record_every) * b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    (void) b;
    (void) n;
    (void) m;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_rate_multistep(const double* v, nk_op_call* out) {
    const double r_rows = v[0];
    const double r_cols = v[1];
    const double w_in_t_rows = v[25];
    const double has_w_in_t = v[29];
    const double has_u = v[34];
    const double has_rec = v[39];
    const double opencl = v[41];
    const double kernel = v[42];
    const double maxwg = v[43];
    const double steps = v[44];
    const double activation = v[45];
    const double exp_euler = v[46];
    const double noise_scale = v[47];
    const double stream = v[49];
    const double step0 = v[50];
    const double record_every = v[51];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu && r_cols <= 512) {
        out[0].kernel = "nk_rate_multistep_cpu";
        out[0].global_x = (long) (nk_plan_cdiv(r_rows, 8));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (1);
        out[0].local_y = (int) (1);
        out[0].nargs = 21;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (r_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (r_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (has_w_in_t ? w_in_t_rows : 0)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (steps)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (exp_euler)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_INT, 0, (has_u)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (noise_scale)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_SEED_LO, 4, 0};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_SEED_HI, 4, 0};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_INT, 0, (step0)};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_INT, 0, (has_rec ? record_every : 0)};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_rate_multistep";
        out[0].global_x = (long) (r_rows * (nk_plan_rup(r_cols, 16) > maxwg ? r_cols : nk_plan_rup(r_cols, 16)));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (nk_plan_rup(r_cols, 16) > maxwg ? r_cols : nk_plan_rup(r_cols, 16));
        out[0].local_y = (int) (1);
        out[0].nargs = 22;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (r_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (r_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (has_w_in_t ? w_in_t_rows : 0)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (steps)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (exp_euler)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_INT, 0, (has_u)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (noise_scale)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_SEED_LO, 4, 0};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_SEED_HI, 4, 0};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_INT, 0, (step0)};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_INT, 0, (has_rec ? record_every : 0)};
        out[0].args[21] = (nk_op_arg) {NK_OPARG_LOCAL, 0, (r_cols)};
        return 1;
    }
    (void) out;
    return 0;
}

/* op izhikevich_step */
static const nk_op_tensor nk_op_tensors_izhikevich_step[] = {{"v", NK_ROLE_INOUT, 0}, {"u", NK_ROLE_INOUT, 0}, {"count", NK_ROLE_INOUT, 0}, {"abcd", NK_ROLE_IN, 0}, {"i_ext", NK_ROLE_IN, 1}, {"syn", NK_ROLE_IN, 1}, {"spikes", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_izhikevich_step[] = {{"dt", NK_PARAM_FLOAT, "1"}, };
static int nk_op_check_izhikevich_step(const double* v, char* msg, size_t cap) {
    const double v_rows = v[0];
    const double v_cols = v[1];
    const double has_v = v[4];
    const double u_rows = v[5];
    const double u_cols = v[6];
    const double has_u = v[9];
    const double count_rows = v[10];
    const double count_cols = v[11];
    const double has_count = v[14];
    const double abcd_rows = v[15];
    const double abcd_cols = v[16];
    const double has_abcd = v[19];
    const double i_ext_rows = v[20];
    const double i_ext_cols = v[21];
    const double has_i_ext = v[24];
    const double syn_rows = v[25];
    const double syn_cols = v[26];
    const double has_syn = v[29];
    const double spikes_rows = v[30];
    const double spikes_cols = v[31];
    const double has_spikes = v[34];
    const double dt = v[39];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double b = NAN;
    double n = NAN;
    if (!(dt > 0)) {
        snprintf(msg, cap, "izhikevich_step: dt must be a step > 0 ms");
        return 1;
    }
    if (has_v) {
        b = v_rows;
        n = v_cols;
        if (v_rows != (b) || v_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "v", v_rows, v_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "izhikevich_step", "v");
        return 1;
    }
    if (has_u) {
        if (u_rows != (b) || u_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "u", u_rows, u_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "izhikevich_step", "u");
        return 1;
    }
    if (has_count) {
        if (count_rows != (b) || count_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "count", count_rows, count_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "izhikevich_step", "count");
        return 1;
    }
    if (has_abcd) {
        if (abcd_rows != (4) || abcd_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "abcd", abcd_rows, abcd_cols, nk_op_dim((4), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "izhikevich_step", "abcd");
        return 1;
    }
    if (has_i_ext) {
        if (i_ext_rows != (b) || i_ext_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "i_ext", i_ext_rows, i_ext_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_syn) {
        if (syn_rows != (b) || syn_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "syn", syn_rows, syn_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (has_spikes) {
        if (spikes_rows != (b) || spikes_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "izhikevich_step", "spikes", spikes_rows, spikes_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "izhikevich_step", "spikes");
        return 1;
    }
    (void) b;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_izhikevich_step(const double* v, nk_op_call* out) {
    const double v_rows = v[0];
    const double v_cols = v[1];
    const double v_size = v[2];
    const double has_i_ext = v[24];
    const double has_syn = v[29];
    const double opencl = v[36];
    const double kernel = v[37];
    const double dt = v[39];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu) {
        out[0].kernel = "nk_izhikevich_step16";
        out[0].global_x = (long) (nk_plan_rup(v_rows * nk_plan_cdiv(v_cols, 16), 64));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (64);
        out[0].local_y = (int) (1);
        out[0].nargs = 12;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (v_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (v_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (dt)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_INT, 0, (has_i_ext)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_INT, 0, (has_syn)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_izhikevich_step";
        out[0].global_x = (long) (nk_plan_rup(v_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 12;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (v_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (v_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (dt)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_INT, 0, (has_i_ext)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_INT, 0, (has_syn)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op poisson */
static const nk_op_tensor nk_op_tensors_poisson[] = {{"rate", NK_ROLE_IN, 0}, {"count", NK_ROLE_INOUT, 0}, {"spikes", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_poisson[] = {{"dt", NK_PARAM_FLOAT, "0.1"}, {"seed", NK_PARAM_UINT64, "0"}, {"stream", NK_PARAM_INT, "0"}, {"step", NK_PARAM_INT, "0"}, };
static int nk_op_check_poisson(const double* v, char* msg, size_t cap) {
    const double rate_rows = v[0];
    const double rate_cols = v[1];
    const double has_rate = v[4];
    const double count_rows = v[5];
    const double count_cols = v[6];
    const double has_count = v[9];
    const double spikes_rows = v[10];
    const double spikes_cols = v[11];
    const double has_spikes = v[14];
    const double dt = v[19];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double n = NAN;
    double b = NAN;
    if (!(dt > 0)) {
        snprintf(msg, cap, "poisson: dt must be a step > 0 ms");
        return 1;
    }
    if (has_rate) {
        n = rate_cols;
        if (rate_rows != (1) || rate_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "poisson", "rate", rate_rows, rate_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "poisson", "rate");
        return 1;
    }
    if (has_count) {
        b = count_rows;
        if (count_rows != (b) || count_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "poisson", "count", count_rows, count_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "poisson", "count");
        return 1;
    }
    if (has_spikes) {
        if (spikes_rows != (b) || spikes_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "poisson", "spikes", spikes_rows, spikes_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "poisson", "spikes");
        return 1;
    }
    (void) n;
    (void) b;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_poisson(const double* v, nk_op_call* out) {
    const double spikes_rows = v[10];
    const double spikes_cols = v[11];
    const double spikes_size = v[12];
    const double opencl = v[16];
    const double kernel = v[17];
    const double dt = v[19];
    const double stream = v[21];
    const double step = v[22];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_poisson";
        out[0].global_x = (long) (nk_plan_rup(spikes_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 10;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (spikes_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (spikes_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (dt)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_SEED_LO, 1, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_SEED_HI, 1, 0};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_INT, 0, (step)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op philox4x32_10 */
static const nk_op_tensor nk_op_tensors_philox4x32_10[] = {{"counter", NK_ROLE_IN, 0}, {"key", NK_ROLE_IN, 0}, {"out", NK_ROLE_OUT, 0}, };
static int nk_op_check_philox4x32_10(const double* v, char* msg, size_t cap) {
    const double counter_rows = v[0];
    const double counter_cols = v[1];
    const double has_counter = v[4];
    const double key_rows = v[5];
    const double key_cols = v[6];
    const double has_key = v[9];
    const double out_rows = v[10];
    const double out_cols = v[11];
    const double has_out = v[14];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double n = NAN;
    if (has_counter) {
        n = counter_rows;
        if (counter_rows != (n) || counter_cols != (4)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "philox4x32_10", "counter", counter_rows, counter_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((4), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "philox4x32_10", "counter");
        return 1;
    }
    if (has_key) {
        if (key_rows != (n) || key_cols != (2)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "philox4x32_10", "key", key_rows, key_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((2), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "philox4x32_10", "key");
        return 1;
    }
    if (has_out) {
        if (out_rows != (n) || out_cols != (4)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "philox4x32_10", "out", out_rows, out_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((4), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "philox4x32_10", "out");
        return 1;
    }
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_philox4x32_10(const double* v, nk_op_call* out) {
    const double counter_rows = v[0];
    const double opencl = v[16];
    const double kernel = v[17];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_philox";
        out[0].global_x = (long) (nk_plan_rup(counter_rows, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 4;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (counter_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op clamp */
static const nk_op_tensor nk_op_tensors_clamp[] = {{"x", NK_ROLE_IN, 0}, {"y", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_clamp[] = {{"lo", NK_PARAM_FLOAT, "-1"}, {"hi", NK_PARAM_FLOAT, "1"}, };
static int nk_op_check_clamp(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double y_rows = v[5];
    const double y_cols = v[6];
    const double has_y = v[9];
    const double lo = v[14];
    const double hi = v[15];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double m = NAN;
    double n = NAN;
    if (!(lo <= hi)) {
        snprintf(msg, cap, "clamp: need lo <= hi");
        return 1;
    }
    if (has_x) {
        m = x_rows;
        n = x_cols;
        if (x_rows != (m) || x_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "clamp", "x", x_rows, x_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "clamp", "x");
        return 1;
    }
    if (has_y) {
        if (y_rows != (m) || y_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "clamp", "y", y_rows, y_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "clamp", "y");
        return 1;
    }
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_clamp(const double* v, nk_op_call* out) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double x_size = v[2];
    const double contig = v[10];
    const double opencl = v[11];
    const double kernel = v[12];
    const double lo = v[14];
    const double hi = v[15];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_clamp";
        out[0].global_x = (long) (nk_plan_rup(x_size, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 6;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? 1 : x_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (contig ? x_size : x_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (lo)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (hi)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op lif_network */
static const nk_op_tensor nk_op_tensors_lif_network[] = {{"v", NK_ROLE_INOUT, 0}, {"i_e", NK_ROLE_INOUT, 0}, {"i_i", NK_ROLE_INOUT, 0}, {"refractory", NK_ROLE_INOUT, 0}, {"rate", NK_ROLE_INOUT, 0}, {"count", NK_ROLE_INOUT, 0}, {"ring_e", NK_ROLE_INOUT, 0}, {"ring_i", NK_ROLE_INOUT, 0}, {"targets", NK_ROLE_IN, 0}, {"weights", NK_ROLE_IN, 0}, {"delays", NK_ROLE_IN, 0}, {"pop_id", NK_ROLE_IN, 0}, {"bg", NK_ROLE_IN, 0}, {"rec", NK_ROLE_INOUT, 0}, {"nrec", NK_ROLE_INOUT, 0}, {"spikes", NK_ROLE_OUT, 0}, {"pop", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_lif_network[] = {{"steps", NK_PARAM_INT, "1"}, {"step0", NK_PARAM_INT, "0"}, {"rec_capacity", NK_PARAM_INT, "1"}, {"p22", NK_PARAM_FLOAT, "0.995"}, {"p21e", NK_PARAM_FLOAT, "0"}, {"p21i", NK_PARAM_FLOAT, "0"}, {"p20", NK_PARAM_FLOAT, "0"}, {"p11e", NK_PARAM_FLOAT, "0.98"}, {"p11i", NK_PARAM_FLOAT, "0.98"}, {"v_rest", NK_PARAM_FLOAT, "-65"}, {"v_reset", NK_PARAM_FLOAT, "-65"}, {"v_thresh", NK_PARAM_FLOAT, "-50"}, {"i_offset", NK_PARAM_FLOAT, "0"}, {"refractory_steps", NK_PARAM_INT, "0"}, {"rate_decay", NK_PARAM_FLOAT, "0.999"}, {"rate_gain", NK_PARAM_FLOAT, "0.01"}, {"w_bg", NK_PARAM_FLOAT, "0"}, {"seed", NK_PARAM_UINT64, "0"}, {"stream", NK_PARAM_INT, "0"}, };
static int nk_op_check_lif_network(const double* v, char* msg, size_t cap) {
    const double v_rows = v[0];
    const double v_cols = v[1];
    const double has_v = v[4];
    const double i_e_rows = v[5];
    const double i_e_cols = v[6];
    const double has_i_e = v[9];
    const double i_i_rows = v[10];
    const double i_i_cols = v[11];
    const double has_i_i = v[14];
    const double refractory_rows = v[15];
    const double refractory_cols = v[16];
    const double has_refractory = v[19];
    const double rate_rows = v[20];
    const double rate_cols = v[21];
    const double has_rate = v[24];
    const double count_rows = v[25];
    const double count_cols = v[26];
    const double has_count = v[29];
    const double ring_e_rows = v[30];
    const double ring_e_cols = v[31];
    const double has_ring_e = v[34];
    const double ring_i_rows = v[35];
    const double ring_i_cols = v[36];
    const double has_ring_i = v[39];
    const double targets_rows = v[40];
    const double targets_cols = v[41];
    const double has_targets = v[44];
    const double weights_rows = v[45];
    const double weights_cols = v[46];
    const double has_weights = v[49];
    const double delays_rows = v[50];
    const double delays_cols = v[51];
    const double has_delays = v[54];
    const double pop_id_rows = v[55];
    const double pop_id_cols = v[56];
    const double has_pop_id = v[59];
    const double bg_rows = v[60];
    const double bg_cols = v[61];
    const double has_bg = v[64];
    const double rec_rows = v[65];
    const double rec_cols = v[66];
    const double has_rec = v[69];
    const double nrec_rows = v[70];
    const double nrec_cols = v[71];
    const double has_nrec = v[74];
    const double spikes_rows = v[75];
    const double spikes_cols = v[76];
    const double has_spikes = v[79];
    const double pop_rows = v[80];
    const double pop_cols = v[81];
    const double has_pop = v[84];
    const double steps = v[89];
    const double step0 = v[90];
    const double rec_capacity = v[91];
    const double refractory_steps = v[102];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double n = NAN;
    double d = NAN;
    double k = NAN;
    double npop = NAN;
    double m = NAN;
    if (!(steps >= 1)) {
        snprintf(msg, cap, "lif_network: steps must be at least 1");
        return 1;
    }
    if (!(rec_capacity >= 1)) {
        snprintf(msg, cap, "lif_network: rec_capacity must be at least 1");
        return 1;
    }
    if (!(step0 >= 0 && step0 + steps <= 16777216)) {
        snprintf(msg, cap, "lif_network: steps %s + %s pass 2^24 (recorded as exact floats)", nk_op_dim(step0, d0, sizeof d0), nk_op_dim(steps, d1, sizeof d1));
        return 1;
    }
    if (!(refractory_steps >= 0 && refractory_steps <= 16777216)) {
        snprintf(msg, cap, "lif_network: refractory_steps must lie in [0, 2^24]");
        return 1;
    }
    if (has_v) {
        n = v_cols;
        if (v_rows != (1) || v_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "v", v_rows, v_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "v");
        return 1;
    }
    if (has_i_e) {
        if (i_e_rows != (1) || i_e_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "i_e", i_e_rows, i_e_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "i_e");
        return 1;
    }
    if (has_i_i) {
        if (i_i_rows != (1) || i_i_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "i_i", i_i_rows, i_i_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "i_i");
        return 1;
    }
    if (has_refractory) {
        if (refractory_rows != (1) || refractory_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "refractory", refractory_rows, refractory_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "refractory");
        return 1;
    }
    if (has_rate) {
        if (rate_rows != (1) || rate_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "rate", rate_rows, rate_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "rate");
        return 1;
    }
    if (has_count) {
        if (count_rows != (1) || count_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "count", count_rows, count_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "count");
        return 1;
    }
    if (has_ring_e) {
        d = ring_e_rows;
        if (ring_e_rows != (d) || ring_e_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "ring_e", ring_e_rows, ring_e_cols, nk_op_dim((d), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "ring_e");
        return 1;
    }
    if (has_ring_i) {
        if (ring_i_rows != (d) || ring_i_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "ring_i", ring_i_rows, ring_i_cols, nk_op_dim((d), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "ring_i");
        return 1;
    }
    if (has_targets) {
        k = targets_cols;
        if (targets_rows != (n) || targets_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "targets", targets_rows, targets_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "targets");
        return 1;
    }
    if (has_weights) {
        if (weights_rows != (n) || weights_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "weights", weights_rows, weights_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "weights");
        return 1;
    }
    if (has_delays) {
        if (delays_rows != (n) || delays_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "delays", delays_rows, delays_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "delays");
        return 1;
    }
    if (has_pop_id) {
        if (pop_id_rows != (1) || pop_id_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "pop_id", pop_id_rows, pop_id_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "pop_id");
        return 1;
    }
    if (has_bg) {
        npop = bg_rows;
        m = bg_cols;
        if (bg_rows != (npop) || bg_cols != (m)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "bg", bg_rows, bg_cols, nk_op_dim((npop), d0, sizeof d0), nk_op_dim((m), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "bg");
        return 1;
    }
    if (has_rec) {
        if (rec_rows != (rec_capacity) || rec_cols != (2)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "rec", rec_rows, rec_cols, nk_op_dim((rec_capacity), d0, sizeof d0), nk_op_dim((2), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "rec");
        return 1;
    }
    if (has_nrec) {
        if (nrec_rows != (1) || nrec_cols != (2)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "nrec", nrec_rows, nrec_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((2), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "lif_network", "nrec");
        return 1;
    }
    if (!(n <= 16777216)) {
        snprintf(msg, cap, "lif_network: at most 2^24 neurons (indices are exact floats)");
        return 1;
    }
    if (!(d <= 16777216)) {
        snprintf(msg, cap, "lif_network: at most 2^24 delay slots");
        return 1;
    }
    if (has_spikes) {
        if (spikes_rows != (1) || spikes_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "spikes", spikes_rows, spikes_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "lif_network", "spikes");
        return 1;
    }
    if (has_pop) {
        if (pop_rows != (steps) || pop_cols != (npop)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "lif_network", "pop", pop_rows, pop_cols, nk_op_dim((steps), d0, sizeof d0), nk_op_dim((npop), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "lif_network", "pop");
        return 1;
    }
    (void) n;
    (void) d;
    (void) k;
    (void) npop;
    (void) m;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_lif_network(const double* v, nk_op_call* out) {
    const double v_cols = v[1];
    const double ring_e_rows = v[30];
    const double targets_cols = v[41];
    const double bg_rows = v[60];
    const double bg_cols = v[61];
    const double opencl = v[86];
    const double kernel = v[87];
    const double steps = v[89];
    const double step0 = v[90];
    const double rec_capacity = v[91];
    const double p22 = v[92];
    const double p21e = v[93];
    const double p21i = v[94];
    const double p20 = v[95];
    const double p11e = v[96];
    const double p11i = v[97];
    const double v_rest = v[98];
    const double v_reset = v[99];
    const double v_thresh = v[100];
    const double i_offset = v[101];
    const double refractory_steps = v[102];
    const double rate_decay = v[103];
    const double rate_gain = v[104];
    const double w_bg = v[105];
    const double stream = v[107];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (cpu) {
        out[0].kernel = "nk_lif_network_cpu";
        out[0].global_x = (long) (256);
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 42;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (v_cols)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (targets_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (ring_e_rows)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (steps)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (step0)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (rec_capacity)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_INT, 0, (bg_rows)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_INT, 0, (bg_cols)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p22)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21e)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21i)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p20)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11e)};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11i)};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_rest)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_reset)};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_thresh)};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (i_offset)};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_INT, 0, (refractory_steps)};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_decay)};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_gain)};
        out[0].args[21] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (w_bg)};
        out[0].args[22] = (nk_op_arg) {NK_OPARG_SEED_LO, 17, 0};
        out[0].args[23] = (nk_op_arg) {NK_OPARG_SEED_HI, 17, 0};
        out[0].args[24] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[25] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[26] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[27] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[28] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[29] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[30] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[31] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[32] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[33] = (nk_op_arg) {NK_OPARG_MATRIX, 8, 0};
        out[0].args[34] = (nk_op_arg) {NK_OPARG_MATRIX, 9, 0};
        out[0].args[35] = (nk_op_arg) {NK_OPARG_MATRIX, 10, 0};
        out[0].args[36] = (nk_op_arg) {NK_OPARG_MATRIX, 11, 0};
        out[0].args[37] = (nk_op_arg) {NK_OPARG_MATRIX, 12, 0};
        out[0].args[38] = (nk_op_arg) {NK_OPARG_MATRIX, 15, 0};
        out[0].args[39] = (nk_op_arg) {NK_OPARG_MATRIX, 13, 0};
        out[0].args[40] = (nk_op_arg) {NK_OPARG_MATRIX, 16, 0};
        out[0].args[41] = (nk_op_arg) {NK_OPARG_MATRIX, 14, 0};
        return 1;
    }
    if (1) {
        out[0].kernel = "nk_lif_network";
        out[0].global_x = (long) (256);
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 42;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (v_cols)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (targets_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (ring_e_rows)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (steps)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (step0)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (rec_capacity)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_INT, 0, (bg_rows)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_INT, 0, (bg_cols)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p22)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21e)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p21i)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p20)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11e)};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p11i)};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_rest)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_reset)};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_thresh)};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (i_offset)};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_INT, 0, (refractory_steps)};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_decay)};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (rate_gain)};
        out[0].args[21] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (w_bg)};
        out[0].args[22] = (nk_op_arg) {NK_OPARG_SEED_LO, 17, 0};
        out[0].args[23] = (nk_op_arg) {NK_OPARG_SEED_HI, 17, 0};
        out[0].args[24] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[25] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[26] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[27] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[28] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[29] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[30] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[31] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[32] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[33] = (nk_op_arg) {NK_OPARG_MATRIX, 8, 0};
        out[0].args[34] = (nk_op_arg) {NK_OPARG_MATRIX, 9, 0};
        out[0].args[35] = (nk_op_arg) {NK_OPARG_MATRIX, 10, 0};
        out[0].args[36] = (nk_op_arg) {NK_OPARG_MATRIX, 11, 0};
        out[0].args[37] = (nk_op_arg) {NK_OPARG_MATRIX, 12, 0};
        out[0].args[38] = (nk_op_arg) {NK_OPARG_MATRIX, 15, 0};
        out[0].args[39] = (nk_op_arg) {NK_OPARG_MATRIX, 13, 0};
        out[0].args[40] = (nk_op_arg) {NK_OPARG_MATRIX, 16, 0};
        out[0].args[41] = (nk_op_arg) {NK_OPARG_MATRIX, 14, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op connect */
static const nk_op_tensor nk_op_tensors_connect[] = {{"targets", NK_ROLE_INOUT, 0}, {"weights", NK_ROLE_INOUT, 0}, {"delays", NK_ROLE_INOUT, 0}, {"count", NK_ROLE_INOUT, 0}, };
static const nk_op_param nk_op_params_connect[] = {{"rows", NK_PARAM_INT, "1"}, {"row0", NK_PARAM_INT, "0"}, {"post0", NK_PARAM_INT, "0"}, {"n_post", NK_PARAM_INT, "1"}, {"rule", NK_PARAM_INT, "0"}, {"degree", NK_PARAM_INT, "1"}, {"p", NK_PARAM_FLOAT, "0.1"}, {"autapses", NK_PARAM_BOOL, "false"}, {"seed", NK_PARAM_UINT64, "0"}, {"stream", NK_PARAM_INT, "0"}, {"weight", NK_PARAM_FLOAT, "1"}, {"weight_sd", NK_PARAM_FLOAT, "0"}, {"delay", NK_PARAM_FLOAT, "1"}, {"delay_sd", NK_PARAM_FLOAT, "0"}, {"max_delay", NK_PARAM_INT, "1"}, };
static int nk_op_check_connect(const double* v, char* msg, size_t cap) {
    const double targets_rows = v[0];
    const double targets_cols = v[1];
    const double has_targets = v[4];
    const double weights_rows = v[5];
    const double weights_cols = v[6];
    const double has_weights = v[9];
    const double delays_rows = v[10];
    const double delays_cols = v[11];
    const double has_delays = v[14];
    const double count_rows = v[15];
    const double count_cols = v[16];
    const double has_count = v[19];
    const double rows = v[24];
    const double row0 = v[25];
    const double post0 = v[26];
    const double n_post = v[27];
    const double rule = v[28];
    const double degree = v[29];
    const double p = v[30];
    const double autapses = v[31];
    const double weight_sd = v[35];
    const double delay_sd = v[37];
    const double max_delay = v[38];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double n = NAN;
    double k = NAN;
    if (!(rows >= 1 && n_post >= 1)) {
        snprintf(msg, cap, "connect: rows and n_post must be at least 1");
        return 1;
    }
    if (!(post0 >= 0 && post0 + n_post <= 16777216)) {
        snprintf(msg, cap, "connect: post0=%s + n_post=%s must lie in [0, 2^24] (indices are exact floats)", nk_op_dim(post0, d0, sizeof d0), nk_op_dim(n_post, d1, sizeof d1));
        return 1;
    }
    if (!(rule >= 0 && rule <= 3)) {
        snprintf(msg, cap, "connect: rule=%s: 0 fixed out-degree, 1 fixed probability, 2 one-to-one, 3 fixed in-degree", nk_op_dim(rule, d0, sizeof d0));
        return 1;
    }
    if (!(rule != 3 || (degree >= 0 && n_post * degree <= 2147483647))) {
        snprintf(msg, cap, "connect: rule 3 needs 0 <= degree and n_post=%s x degree=%s below 2^31", nk_op_dim(n_post, d0, sizeof d0), nk_op_dim(degree, d1, sizeof d1));
        return 1;
    }
    if (!(rule != 3 || degree == 0 || autapses || rows >= 2 || post0 + n_post <= row0 || post0 >= row0 + rows)) {
        snprintf(msg, cap, "connect: rule 3 without autapses needs a source other than the neuron itself (rows >= 2)");
        return 1;
    }
    if (!(rule != 0 || (degree >= 0 && degree <= 16777216))) {
        snprintf(msg, cap, "connect: rule 0 needs 0 <= degree <= 2^24 (degree=%s)", nk_op_dim(degree, d0, sizeof d0));
        return 1;
    }
    if (!(rule != 0 || degree == 0 || autapses || n_post >= 2 || row0 + rows <= post0 || row0 >= post0 + n_post)) {
        snprintf(msg, cap, "connect: rule 0 without autapses needs a post other than the neuron itself (n_post >= 2)");
        return 1;
    }
    if (!(rule != 1 || (p >= 0 && p <= 1))) {
        snprintf(msg, cap, "connect: rule 1 needs 0 <= p <= 1");
        return 1;
    }
    if (!(rule != 2 || rows <= n_post)) {
        snprintf(msg, cap, "connect: rule 2 (one-to-one) needs as many posts as rows");
        return 1;
    }
    if (!(weight_sd >= 0)) {
        snprintf(msg, cap, "connect: weight_sd must be at least 0");
        return 1;
    }
    if (!(delay_sd >= 0)) {
        snprintf(msg, cap, "connect: delay_sd must be at least 0");
        return 1;
    }
    if (!(max_delay >= 1 && max_delay <= 16777216)) {
        snprintf(msg, cap, "connect: max_delay must lie in [1, 2^24]");
        return 1;
    }
    if (has_targets) {
        n = targets_rows;
        k = targets_cols;
        if (targets_rows != (n) || targets_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "connect", "targets", targets_rows, targets_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "connect", "targets");
        return 1;
    }
    if (has_weights) {
        if (weights_rows != (n) || weights_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "connect", "weights", weights_rows, weights_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "connect", "weights");
        return 1;
    }
    if (has_delays) {
        if (delays_rows != (n) || delays_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "connect", "delays", delays_rows, delays_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "connect", "delays");
        return 1;
    }
    if (has_count) {
        if (count_rows != (n) || count_cols != (1)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "connect", "count", count_rows, count_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((1), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "connect", "count");
        return 1;
    }
    if (!(row0 >= 0 && row0 + rows <= n)) {
        snprintf(msg, cap, "connect: row0=%s + rows=%s must not pass the table's rows (row0 >= 0)", nk_op_dim(row0, d0, sizeof d0), nk_op_dim(rows, d1, sizeof d1));
        return 1;
    }
    (void) n;
    (void) k;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_connect(const double* v, nk_op_call* out) {
    const double targets_cols = v[1];
    const double opencl = v[21];
    const double kernel = v[22];
    const double rows = v[24];
    const double row0 = v[25];
    const double post0 = v[26];
    const double n_post = v[27];
    const double rule = v[28];
    const double degree = v[29];
    const double p = v[30];
    const double autapses = v[31];
    const double stream = v[33];
    const double weight = v[34];
    const double weight_sd = v[35];
    const double delay = v[36];
    const double delay_sd = v[37];
    const double max_delay = v[38];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_connect";
        out[0].global_x = (long) (nk_plan_rup(rows, 256));
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (256);
        out[0].local_y = (int) (1);
        out[0].nargs = 21;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (targets_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (rule)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (row0)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (post0)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (n_post)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_INT, 0, (degree)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (p)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_INT, 0, (autapses)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_SEED_LO, 8, 0};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_SEED_HI, 8, 0};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_INT, 0, (stream)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (weight)};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (weight_sd)};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (delay)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (delay_sd)};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_INT, 0, (max_delay)};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        return 1;
    }
    (void) out;
    return 0;
}

/* op rnn_grad */
static const nk_op_tensor nk_op_tensors_rnn_grad[] = {{"w_in", NK_ROLE_IN, 0}, {"w_rec", NK_ROLE_IN, 0}, {"bias", NK_ROLE_IN, 0}, {"w_out", NK_ROLE_IN, 0}, {"b_out", NK_ROLE_IN, 0}, {"feedback", NK_ROLE_IN, 1}, {"x", NK_ROLE_IN, 0}, {"target", NK_ROLE_IN, 0}, {"rate_signal", NK_ROLE_IN, 1}, {"y", NK_ROLE_OUT, 0}, {"z", NK_ROLE_OUT, 0}, {"d", NK_ROLE_OUT, 0}, {"grad", NK_ROLE_OUT, 0}, {"loss", NK_ROLE_OUT, 0}, {"traces", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_rnn_grad[] = {{"network", NK_PARAM_INT, "0"}, {"steps", NK_PARAM_INT, "1"}, {"activation", NK_PARAM_ACTIVATION, "tanh"}, {"alpha", NK_PARAM_FLOAT, "0.9"}, {"kappa", NK_PARAM_FLOAT, "0.9"}, {"v_th", NK_PARAM_FLOAT, "0.03"}, {"gamma", NK_PARAM_FLOAT, "0.3"}, {"refractory_steps", NK_PARAM_INT, "0"}, {"rule", NK_PARAM_INT, "0"}, {"stop_reset", NK_PARAM_BOOL, "false"}, {"objective", NK_PARAM_INT, "0"}, };
static int nk_op_check_rnn_grad(const double* v, char* msg, size_t cap) {
    const double w_in_rows = v[0];
    const double w_in_cols = v[1];
    const double has_w_in = v[4];
    const double w_rec_rows = v[5];
    const double w_rec_cols = v[6];
    const double has_w_rec = v[9];
    const double bias_rows = v[10];
    const double bias_cols = v[11];
    const double has_bias = v[14];
    const double w_out_rows = v[15];
    const double w_out_cols = v[16];
    const double has_w_out = v[19];
    const double b_out_rows = v[20];
    const double b_out_cols = v[21];
    const double has_b_out = v[24];
    const double feedback_rows = v[25];
    const double feedback_cols = v[26];
    const double has_feedback = v[29];
    const double x_rows = v[30];
    const double x_cols = v[31];
    const double has_x = v[34];
    const double target_rows = v[35];
    const double target_cols = v[36];
    const double has_target = v[39];
    const double rate_signal_rows = v[40];
    const double rate_signal_cols = v[41];
    const double has_rate_signal = v[44];
    const double y_rows = v[45];
    const double y_cols = v[46];
    const double has_y = v[49];
    const double z_rows = v[50];
    const double z_cols = v[51];
    const double has_z = v[54];
    const double d_rows = v[55];
    const double d_cols = v[56];
    const double has_d = v[59];
    const double grad_rows = v[60];
    const double grad_cols = v[61];
    const double has_grad = v[64];
    const double loss_rows = v[65];
    const double loss_cols = v[66];
    const double has_loss = v[69];
    const double traces_rows = v[70];
    const double traces_cols = v[71];
    const double has_traces = v[74];
    const double network = v[79];
    const double steps = v[80];
    const double v_th = v[84];
    const double refractory_steps = v[86];
    const double rule = v[87];
    const double objective = v[89];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double n = NAN;
    double m = NAN;
    double k = NAN;
    double b = NAN;
    if (!(network == 0 || network == 1)) {
        snprintf(msg, cap, "rnn_grad: network must be 0 (rate) or 1 (LIF)");
        return 1;
    }
    if (!(rule >= 0 && rule <= 3)) {
        snprintf(msg, cap, "rnn_grad: rule must be 0 (BPTT), 1 (e-prop), 2 (RFLO) or 3 (forward only)");
        return 1;
    }
    if (!(rule != 2 || network == 0)) {
        snprintf(msg, cap, "rnn_grad: RFLO is a rule of the rate network");
        return 1;
    }
    if (!(rule == 0 || rule == 3 || has_feedback)) {
        snprintf(msg, cap, "rnn_grad: e-prop and RFLO need feedback");
        return 1;
    }
    if (!(!has_rate_signal || network == 1)) {
        snprintf(msg, cap, "rnn_grad: rate_signal is the LIF network's");
        return 1;
    }
    if (!(objective == 0 || objective == 1)) {
        snprintf(msg, cap, "rnn_grad: objective must be 0 (squared error) or 1 (cross-entropy)");
        return 1;
    }
    if (!(steps >= 1)) {
        snprintf(msg, cap, "rnn_grad: steps must be at least 1");
        return 1;
    }
    if (!(network == 0 || v_th > 0)) {
        snprintf(msg, cap, "rnn_grad: v_th must be positive");
        return 1;
    }
    if (!(refractory_steps >= 0 && refractory_steps <= 16777216)) {
        snprintf(msg, cap, "rnn_grad: refractory_steps must lie in [0, 2^24]");
        return 1;
    }
    if (has_w_in) {
        n = w_in_rows;
        m = w_in_cols;
        if (w_in_rows != (n) || w_in_cols != (m)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "w_in", w_in_rows, w_in_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((m), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "w_in");
        return 1;
    }
    if (has_w_rec) {
        if (w_rec_rows != (n) || w_rec_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "w_rec", w_rec_rows, w_rec_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "w_rec");
        return 1;
    }
    if (has_bias) {
        if (bias_rows != (1) || bias_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "bias", bias_rows, bias_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "bias");
        return 1;
    }
    if (has_w_out) {
        k = w_out_rows;
        if (w_out_rows != (k) || w_out_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "w_out", w_out_rows, w_out_cols, nk_op_dim((k), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "w_out");
        return 1;
    }
    if (has_b_out) {
        if (b_out_rows != (1) || b_out_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "b_out", b_out_rows, b_out_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "b_out");
        return 1;
    }
    if (has_feedback) {
        if (feedback_rows != (n) || feedback_cols != (k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "feedback", feedback_rows, feedback_cols, nk_op_dim((n), d0, sizeof d0), nk_op_dim((k), d1, sizeof d1));
            return 1;
        }
    }
    if (has_x) {
        b = x_rows;
        if (x_rows != (b) || x_cols != (steps * m)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "x", x_rows, x_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((steps * m), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "x");
        return 1;
    }
    if (has_target) {
        if (target_rows != (b) || target_cols != (steps * k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "target", target_rows, target_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((steps * k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "rnn_grad", "target");
        return 1;
    }
    if (has_rate_signal) {
        if (rate_signal_rows != (1) || rate_signal_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "rate_signal", rate_signal_rows, rate_signal_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    if (!(n <= 512 && m <= 1024)) {
        snprintf(msg, cap, "rnn_grad: at most 512 units and 1024 inputs (local memory: 7 n + 2 m + 2 k + 5 floats)");
        return 1;
    }
    if (!(k <= 64)) {
        snprintf(msg, cap, "rnn_grad: at most 64 outputs");
        return 1;
    }
    if (!(steps * (n + m + k) <= 16777216)) {
        snprintf(msg, cap, "rnn_grad: steps x (n + m + k) must stay below 2^24");
        return 1;
    }
    if (has_y) {
        if (y_rows != (b) || y_cols != (steps * k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "y", y_rows, y_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((steps * k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "rnn_grad", "y");
        return 1;
    }
    if (has_z) {
        if (z_rows != (b) || z_cols != (steps * n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "z", z_rows, z_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((steps * n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "rnn_grad", "z");
        return 1;
    }
    if (has_d) {
        if (d_rows != (b) || d_cols != (steps * n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "d", d_rows, d_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((steps * n), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "rnn_grad", "d");
        return 1;
    }
    if (has_grad) {
        if (grad_rows != (b) || grad_cols != (n * m + n * n + n + k * n + k)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "grad", grad_rows, grad_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((n * m + n * n + n + k * n + k), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "rnn_grad", "grad");
        return 1;
    }
    if (has_loss) {
        if (loss_rows != (b) || loss_cols != (1)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "loss", loss_rows, loss_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((1), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "rnn_grad", "loss");
        return 1;
    }
    if (has_traces) {
        if (traces_rows != (b) || traces_cols != (2 * n * (n + m + 1))) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "rnn_grad", "traces", traces_rows, traces_cols, nk_op_dim((b), d0, sizeof d0), nk_op_dim((2 * n * (n + m + 1)), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "rnn_grad", "traces");
        return 1;
    }
    (void) n;
    (void) m;
    (void) k;
    (void) b;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static int nk_op_plan_rnn_grad(const double* v, nk_op_call* out) {
    const double w_in_rows = v[0];
    const double w_in_cols = v[1];
    const double w_out_rows = v[15];
    const double x_rows = v[30];
    const double has_rate_signal = v[44];
    const double opencl = v[76];
    const double kernel = v[77];
    const double network = v[79];
    const double steps = v[80];
    const double activation = v[81];
    const double alpha = v[82];
    const double kappa = v[83];
    const double v_th = v[84];
    const double gamma = v[85];
    const double refractory_steps = v[86];
    const double rule = v[87];
    const double stop_reset = v[88];
    const double objective = v[89];
    const double cpu = (opencl && kernel != 0); (void) cpu;
    (void) v;
    if (1) {
        out[0].kernel = "nk_rnn_grad";
        out[0].global_x = (long) (x_rows * 64);
        out[0].global_y = (long) (1);
        out[0].local_x = (int) (64);
        out[0].local_y = (int) (1);
        out[0].nargs = 31;
        out[0].args[0] = (nk_op_arg) {NK_OPARG_INT, 0, (w_in_rows)};
        out[0].args[1] = (nk_op_arg) {NK_OPARG_INT, 0, (w_in_cols)};
        out[0].args[2] = (nk_op_arg) {NK_OPARG_INT, 0, (w_out_rows)};
        out[0].args[3] = (nk_op_arg) {NK_OPARG_INT, 0, (steps)};
        out[0].args[4] = (nk_op_arg) {NK_OPARG_INT, 0, (network)};
        out[0].args[5] = (nk_op_arg) {NK_OPARG_INT, 0, (activation)};
        out[0].args[6] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (alpha)};
        out[0].args[7] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (kappa)};
        out[0].args[8] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (v_th)};
        out[0].args[9] = (nk_op_arg) {NK_OPARG_FLOAT, 0, (gamma)};
        out[0].args[10] = (nk_op_arg) {NK_OPARG_INT, 0, (refractory_steps)};
        out[0].args[11] = (nk_op_arg) {NK_OPARG_INT, 0, (rule)};
        out[0].args[12] = (nk_op_arg) {NK_OPARG_INT, 0, (stop_reset)};
        out[0].args[13] = (nk_op_arg) {NK_OPARG_INT, 0, (objective)};
        out[0].args[14] = (nk_op_arg) {NK_OPARG_INT, 0, (has_rate_signal)};
        out[0].args[15] = (nk_op_arg) {NK_OPARG_MATRIX, 0, 0};
        out[0].args[16] = (nk_op_arg) {NK_OPARG_MATRIX, 1, 0};
        out[0].args[17] = (nk_op_arg) {NK_OPARG_MATRIX, 2, 0};
        out[0].args[18] = (nk_op_arg) {NK_OPARG_MATRIX, 3, 0};
        out[0].args[19] = (nk_op_arg) {NK_OPARG_MATRIX, 4, 0};
        out[0].args[20] = (nk_op_arg) {NK_OPARG_MATRIX, 5, 0};
        out[0].args[21] = (nk_op_arg) {NK_OPARG_MATRIX, 6, 0};
        out[0].args[22] = (nk_op_arg) {NK_OPARG_MATRIX, 7, 0};
        out[0].args[23] = (nk_op_arg) {NK_OPARG_MATRIX, 8, 0};
        out[0].args[24] = (nk_op_arg) {NK_OPARG_MATRIX, 9, 0};
        out[0].args[25] = (nk_op_arg) {NK_OPARG_MATRIX, 10, 0};
        out[0].args[26] = (nk_op_arg) {NK_OPARG_MATRIX, 11, 0};
        out[0].args[27] = (nk_op_arg) {NK_OPARG_MATRIX, 12, 0};
        out[0].args[28] = (nk_op_arg) {NK_OPARG_MATRIX, 13, 0};
        out[0].args[29] = (nk_op_arg) {NK_OPARG_MATRIX, 14, 0};
        out[0].args[30] = (nk_op_arg) {NK_OPARG_LOCAL, 0, (7 * w_in_rows + 2 * w_in_cols + 2 * w_out_rows + 5)};
        return 1;
    }
    (void) out;
    return 0;
}

/* op gemm */
static const nk_op_tensor nk_op_tensors_gemm[] = {{"a", NK_ROLE_IN, 0}, {"b", NK_ROLE_IN, 0}, {"c", NK_ROLE_INOUT, 0}, };
static const nk_op_param nk_op_params_gemm[] = {{"trans_a", NK_PARAM_BOOL, "false"}, {"trans_b", NK_PARAM_BOOL, "false"}, {"alpha", NK_PARAM_FLOAT, "1"}, {"beta", NK_PARAM_FLOAT, "0"}, };
static int nk_op_check_gemm(const double* v, char* msg, size_t cap) {
    const double a_rows = v[0];
    const double a_cols = v[1];
    const double has_a = v[4];
    const double b_rows = v[5];
    const double b_cols = v[6];
    const double has_b = v[9];
    const double c_rows = v[10];
    const double c_cols = v[11];
    const double has_c = v[14];
    const double trans_a = v[19];
    const double trans_b = v[20];
    const double beta = v[22];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double k = NAN;
    double m = NAN;
    double n = NAN;
    if (!(beta == 0 || has_c)) {
        snprintf(msg, cap, "gemm: beta != 0 needs input c");
        return 1;
    }
    if (has_a) {
        if (trans_a) {
            k = a_rows;
            m = a_cols;
        } else {
            m = a_rows;
            k = a_cols;
        }
        if (a_rows != ((trans_a) ? (k) : (m)) || a_cols != ((trans_a) ? (m) : (k))) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "gemm", "a", a_rows, a_cols, nk_op_dim(((trans_a) ? (k) : (m)), d0, sizeof d0), nk_op_dim(((trans_a) ? (m) : (k)), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "gemm", "a");
        return 1;
    }
    if (has_b) {
        if (trans_b) {
            n = b_rows;
        } else {
            n = b_cols;
        }
        if (b_rows != ((trans_b) ? (n) : (k)) || b_cols != ((trans_b) ? (k) : (n))) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "gemm", "b", b_rows, b_cols, nk_op_dim(((trans_b) ? (n) : (k)), d0, sizeof d0), nk_op_dim(((trans_b) ? (k) : (n)), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "gemm", "b");
        return 1;
    }
    if (has_c) {
        if (c_rows != (m) || c_cols != (n)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "gemm", "c", c_rows, c_cols, nk_op_dim((m), d0, sizeof d0), nk_op_dim((n), d1, sizeof d1));
            return 1;
        }
    }
    (void) k;
    (void) m;
    (void) n;
    (void) v; (void) msg; (void) cap;
    return 0;
}
/* op dense_forward */
static const nk_op_tensor nk_op_tensors_dense_forward[] = {{"x", NK_ROLE_IN, 0}, {"w", NK_ROLE_IN, 0}, {"bias", NK_ROLE_IN, 1}, {"out", NK_ROLE_OUT, 0}, {"pre", NK_ROLE_OUT, 1}, };
static const nk_op_param nk_op_params_dense_forward[] = {{"activation", NK_PARAM_ACTIVATION, "tanh"}, };
static int nk_op_check_dense_forward(const double* v, char* msg, size_t cap) {
    const double x_rows = v[0];
    const double x_cols = v[1];
    const double has_x = v[4];
    const double w_rows = v[5];
    const double w_cols = v[6];
    const double has_w = v[9];
    const double bias_rows = v[10];
    const double bias_cols = v[11];
    const double has_bias = v[14];
    const double out_rows = v[15];
    const double out_cols = v[16];
    const double has_out = v[19];
    const double pre_rows = v[20];
    const double pre_cols = v[21];
    const double has_pre = v[24];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double batch = NAN;
    double in = NAN;
    double out = NAN;
    if (has_x) {
        batch = x_rows;
        in = x_cols;
        if (x_rows != (batch) || x_cols != (in)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_forward", "x", x_rows, x_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((in), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "dense_forward", "x");
        return 1;
    }
    if (has_w) {
        out = w_rows;
        if (w_rows != (out) || w_cols != (in)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_forward", "w", w_rows, w_cols, nk_op_dim((out), d0, sizeof d0), nk_op_dim((in), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "dense_forward", "w");
        return 1;
    }
    if (has_bias) {
        if (bias_rows != (1) || bias_cols != (out)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_forward", "bias", bias_rows, bias_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((out), d1, sizeof d1));
            return 1;
        }
    }
    if (has_out) {
        if (out_rows != (batch) || out_cols != (out)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_forward", "out", out_rows, out_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((out), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "dense_forward", "out");
        return 1;
    }
    if (has_pre) {
        if (pre_rows != (batch) || pre_cols != (out)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_forward", "pre", pre_rows, pre_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((out), d1, sizeof d1));
            return 1;
        }
    }
    (void) batch;
    (void) in;
    (void) out;
    (void) v; (void) msg; (void) cap;
    return 0;
}
/* op backward_delta */
static const nk_op_tensor nk_op_tensors_backward_delta[] = {{"delta", NK_ROLE_IN, 0}, {"m", NK_ROLE_IN, 0}, {"a", NK_ROLE_IN, 0}, {"out", NK_ROLE_OUT, 0}, };
static const nk_op_param nk_op_params_backward_delta[] = {{"activation", NK_PARAM_ACTIVATION, "tanh"}, {"from_output", NK_PARAM_BOOL, "false"}, {"trans_m", NK_PARAM_BOOL, "false"}, };
static int nk_op_check_backward_delta(const double* v, char* msg, size_t cap) {
    const double delta_rows = v[0];
    const double delta_cols = v[1];
    const double has_delta = v[4];
    const double m_rows = v[5];
    const double m_cols = v[6];
    const double has_m = v[9];
    const double a_rows = v[10];
    const double a_cols = v[11];
    const double has_a = v[14];
    const double out_rows = v[15];
    const double out_cols = v[16];
    const double has_out = v[19];
    const double trans_m = v[26];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double batch = NAN;
    double p = NAN;
    double q = NAN;
    if (has_delta) {
        batch = delta_rows;
        p = delta_cols;
        if (delta_rows != (batch) || delta_cols != (p)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "backward_delta", "delta", delta_rows, delta_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((p), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "backward_delta", "delta");
        return 1;
    }
    if (has_m) {
        if (trans_m) {
            q = m_rows;
        } else {
            q = m_cols;
        }
        if (m_rows != ((trans_m) ? (q) : (p)) || m_cols != ((trans_m) ? (p) : (q))) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "backward_delta", "m", m_rows, m_cols, nk_op_dim(((trans_m) ? (q) : (p)), d0, sizeof d0), nk_op_dim(((trans_m) ? (p) : (q)), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "backward_delta", "m");
        return 1;
    }
    if (has_a) {
        if (a_rows != (batch) || a_cols != (q)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "backward_delta", "a", a_rows, a_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((q), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "backward_delta", "a");
        return 1;
    }
    if (has_out) {
        if (out_rows != (batch) || out_cols != (q)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "backward_delta", "out", out_rows, out_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((q), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "backward_delta", "out");
        return 1;
    }
    (void) batch;
    (void) p;
    (void) q;
    (void) v; (void) msg; (void) cap;
    return 0;
}
/* op dense_update */
static const nk_op_tensor nk_op_tensors_dense_update[] = {{"delta", NK_ROLE_IN, 0}, {"h", NK_ROLE_IN, 0}, {"w", NK_ROLE_INOUT, 0}, {"b", NK_ROLE_INOUT, 1}, {"velocity_w", NK_ROLE_INOUT, 1}, {"velocity_b", NK_ROLE_INOUT, 1}, {"feedback", NK_ROLE_INOUT, 1}, };
static const nk_op_param nk_op_params_dense_update[] = {{"lr", NK_PARAM_FLOAT, "0.05"}, {"weight_decay", NK_PARAM_FLOAT, "0"}, {"momentum", NK_PARAM_FLOAT, "0"}, };
static int nk_op_check_dense_update(const double* v, char* msg, size_t cap) {
    const double delta_rows = v[0];
    const double delta_cols = v[1];
    const double has_delta = v[4];
    const double h_rows = v[5];
    const double h_cols = v[6];
    const double has_h = v[9];
    const double w_rows = v[10];
    const double w_cols = v[11];
    const double has_w = v[14];
    const double b_rows = v[15];
    const double b_cols = v[16];
    const double has_b = v[19];
    const double velocity_w_rows = v[20];
    const double velocity_w_cols = v[21];
    const double has_velocity_w = v[24];
    const double velocity_b_rows = v[25];
    const double velocity_b_cols = v[26];
    const double has_velocity_b = v[29];
    const double feedback_rows = v[30];
    const double feedback_cols = v[31];
    const double has_feedback = v[34];
    const double momentum = v[41];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double batch = NAN;
    double out = NAN;
    double in = NAN;
    if (!(momentum == 0 || has_velocity_w)) {
        snprintf(msg, cap, "dense_update: momentum != 0 needs input velocity_w");
        return 1;
    }
    if (!(momentum == 0 || !has_b || has_velocity_b)) {
        snprintf(msg, cap, "dense_update: momentum != 0 with b needs input velocity_b");
        return 1;
    }
    if (!(momentum != 0 || (!has_velocity_w && !has_velocity_b))) {
        snprintf(msg, cap, "dense_update: velocities are only used with momentum != 0");
        return 1;
    }
    if (!(has_b || !has_velocity_b)) {
        snprintf(msg, cap, "dense_update: velocity_b needs b");
        return 1;
    }
    if (has_delta) {
        batch = delta_rows;
        out = delta_cols;
        if (delta_rows != (batch) || delta_cols != (out)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "delta", delta_rows, delta_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((out), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "dense_update", "delta");
        return 1;
    }
    if (has_h) {
        in = h_cols;
        if (h_rows != (batch) || h_cols != (in)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "h", h_rows, h_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((in), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "dense_update", "h");
        return 1;
    }
    if (has_w) {
        if (w_rows != (out) || w_cols != (in)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "w", w_rows, w_cols, nk_op_dim((out), d0, sizeof d0), nk_op_dim((in), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "dense_update", "w");
        return 1;
    }
    if (has_b) {
        if (b_rows != (1) || b_cols != (out)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "b", b_rows, b_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((out), d1, sizeof d1));
            return 1;
        }
    }
    if (has_velocity_w) {
        if (velocity_w_rows != (out) || velocity_w_cols != (in)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "velocity_w", velocity_w_rows, velocity_w_cols, nk_op_dim((out), d0, sizeof d0), nk_op_dim((in), d1, sizeof d1));
            return 1;
        }
    }
    if (has_velocity_b) {
        if (velocity_b_rows != (1) || velocity_b_cols != (out)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "velocity_b", velocity_b_rows, velocity_b_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((out), d1, sizeof d1));
            return 1;
        }
    }
    if (has_feedback) {
        if (feedback_rows != (out) || feedback_cols != (in)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "dense_update", "feedback", feedback_rows, feedback_cols, nk_op_dim((out), d0, sizeof d0), nk_op_dim((in), d1, sizeof d1));
            return 1;
        }
    }
    (void) batch;
    (void) out;
    (void) in;
    (void) v; (void) msg; (void) cap;
    return 0;
}
/* op output_layer */
static const nk_op_tensor nk_op_tensors_output_layer[] = {{"h", NK_ROLE_IN, 0}, {"w", NK_ROLE_IN, 0}, {"b", NK_ROLE_IN, 1}, {"targets", NK_ROLE_IN, 0}, {"m", NK_ROLE_IN, 1}, {"probs", NK_ROLE_OUT, 0}, {"grad", NK_ROLE_OUT, 0}, {"loss", NK_ROLE_OUT, 0}, {"delta", NK_ROLE_OUT, 1}, };
static const nk_op_param nk_op_params_output_layer[] = {{"activation", NK_PARAM_ACTIVATION, "tanh"}, };
static int nk_op_check_output_layer(const double* v, char* msg, size_t cap) {
    const double h_rows = v[0];
    const double h_cols = v[1];
    const double has_h = v[4];
    const double w_rows = v[5];
    const double w_cols = v[6];
    const double has_w = v[9];
    const double b_rows = v[10];
    const double b_cols = v[11];
    const double has_b = v[14];
    const double targets_rows = v[15];
    const double targets_cols = v[16];
    const double has_targets = v[19];
    const double m_rows = v[20];
    const double m_cols = v[21];
    const double has_m = v[24];
    const double probs_rows = v[25];
    const double probs_cols = v[26];
    const double has_probs = v[29];
    const double grad_rows = v[30];
    const double grad_cols = v[31];
    const double has_grad = v[34];
    const double loss_rows = v[35];
    const double loss_cols = v[36];
    const double has_loss = v[39];
    const double delta_rows = v[40];
    const double delta_cols = v[41];
    const double has_delta = v[44];
    char d0[32], d1[32];
    (void) d0; (void) d1;
    double batch = NAN;
    double q = NAN;
    double c = NAN;
    if (!(has_m == has_delta)) {
        snprintf(msg, cap, "output_layer: m and delta go together (both or neither)");
        return 1;
    }
    if (has_h) {
        batch = h_rows;
        q = h_cols;
        if (h_rows != (batch) || h_cols != (q)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "h", h_rows, h_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((q), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "output_layer", "h");
        return 1;
    }
    if (has_w) {
        c = w_rows;
        if (w_rows != (c) || w_cols != (q)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "w", w_rows, w_cols, nk_op_dim((c), d0, sizeof d0), nk_op_dim((q), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "output_layer", "w");
        return 1;
    }
    if (has_b) {
        if (b_rows != (1) || b_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "b", b_rows, b_cols, nk_op_dim((1), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    }
    if (has_targets) {
        if (targets_rows != (batch) || targets_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "targets", targets_rows, targets_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "op %s: input '%s' is missing", "output_layer", "targets");
        return 1;
    }
    if (has_m) {
        if (m_rows != (c) || m_cols != (q)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "m", m_rows, m_cols, nk_op_dim((c), d0, sizeof d0), nk_op_dim((q), d1, sizeof d1));
            return 1;
        }
    }
    if (has_probs) {
        if (probs_rows != (batch) || probs_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "probs", probs_rows, probs_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "output_layer", "probs");
        return 1;
    }
    if (has_grad) {
        if (grad_rows != (batch) || grad_cols != (c)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "grad", grad_rows, grad_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((c), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "output_layer", "grad");
        return 1;
    }
    if (has_loss) {
        if (loss_rows != (batch) || loss_cols != (1)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "loss", loss_rows, loss_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((1), d1, sizeof d1));
            return 1;
        }
    } else {
        snprintf(msg, cap, "%s: output '%s' is missing", "output_layer", "loss");
        return 1;
    }
    if (has_delta) {
        if (delta_rows != (batch) || delta_cols != (q)) {
            snprintf(msg, cap, "%s: %s is %.0fx%.0f, expected %sx%s", "output_layer", "delta", delta_rows, delta_cols, nk_op_dim((batch), d0, sizeof d0), nk_op_dim((q), d1, sizeof d1));
            return 1;
        }
    }
    (void) batch;
    (void) q;
    (void) c;
    (void) v; (void) msg; (void) cap;
    return 0;
}
static const nk_op_def nk_ops[] = {
    {"activation", 2, 1, 0, 15, nk_op_tensors_activation, nk_op_params_activation, NULL, "y:x ", nk_op_check_activation, nk_op_plan_activation},
    {"activation_grad", 2, 2, 0, 16, nk_op_tensors_activation_grad, nk_op_params_activation_grad, NULL, "y:x ", nk_op_check_activation_grad, nk_op_plan_activation_grad},
    {"hadamard", 3, 0, 0, 19, nk_op_tensors_hadamard, NULL, NULL, "z:x z:y ", nk_op_check_hadamard, nk_op_plan_hadamard},
    {"axpy", 2, 1, 0, 15, nk_op_tensors_axpy, nk_op_params_axpy, NULL, "y:x ", nk_op_check_axpy, nk_op_plan_axpy},
    {"scale", 2, 1, 0, 15, nk_op_tensors_scale, nk_op_params_scale, NULL, "y:x ", nk_op_check_scale, nk_op_plan_scale},
    {"copy", 2, 0, 0, 14, nk_op_tensors_copy, NULL, NULL, "y:x ", nk_op_check_copy, nk_op_plan_copy},
    {"column_sums", 2, 0, 0, 14, nk_op_tensors_column_sums, NULL, NULL, "", nk_op_check_column_sums, nk_op_plan_column_sums},
    {"softmax_xent", 5, 0, 0, 29, nk_op_tensors_softmax_xent, NULL, NULL, "", nk_op_check_softmax_xent, nk_op_plan_softmax_xent},
    {"sgd_update", 3, 3, 0, 22, nk_op_tensors_sgd_update, nk_op_params_sgd_update, NULL, "", nk_op_check_sgd_update, nk_op_plan_sgd_update},
    {"kp_update", 4, 3, 0, 27, nk_op_tensors_kp_update, nk_op_params_kp_update, NULL, "", nk_op_check_kp_update, nk_op_plan_kp_update},
    {"gather_rows", 3, 0, 0, 19, nk_op_tensors_gather_rows, NULL, NULL, "", nk_op_check_gather_rows, nk_op_plan_gather_rows},
    {"sign_feedback", 3, 1, 0, 20, nk_op_tensors_sign_feedback, nk_op_params_sign_feedback, NULL, "b:r b:w ", nk_op_check_sign_feedback, nk_op_plan_sign_feedback},
    {"mse", 4, 0, 0, 24, nk_op_tensors_mse, NULL, NULL, "", nk_op_check_mse, nk_op_plan_mse},
    {"random_uniform", 1, 7, 0, 16, nk_op_tensors_random_uniform, nk_op_params_random_uniform, NULL, "", nk_op_check_random_uniform, nk_op_plan_random_uniform},
    {"lif_step", 10, 11, 13, 78, nk_op_tensors_lif_step, nk_op_params_lif_step, nk_op_extra_lif_step, "", nk_op_check_lif_step, nk_op_plan_lif_step},
    {"rate_step", 4, 6, 0, 30, nk_op_tensors_rate_step, nk_op_params_rate_step, NULL, "", nk_op_check_rate_step, nk_op_plan_rate_step},
    {"rate_multistep", 8, 8, 0, 52, nk_op_tensors_rate_multistep, nk_op_params_rate_multistep, NULL, "", nk_op_check_rate_multistep, nk_op_plan_rate_multistep},
    {"izhikevich_step", 7, 1, 0, 40, nk_op_tensors_izhikevich_step, nk_op_params_izhikevich_step, NULL, "", nk_op_check_izhikevich_step, nk_op_plan_izhikevich_step},
    {"poisson", 3, 4, 0, 23, nk_op_tensors_poisson, nk_op_params_poisson, NULL, "", nk_op_check_poisson, nk_op_plan_poisson},
    {"philox4x32_10", 3, 0, 0, 19, nk_op_tensors_philox4x32_10, NULL, NULL, "", nk_op_check_philox4x32_10, nk_op_plan_philox4x32_10},
    {"clamp", 2, 2, 0, 16, nk_op_tensors_clamp, nk_op_params_clamp, NULL, "y:x ", nk_op_check_clamp, nk_op_plan_clamp},
    {"lif_network", 17, 19, 0, 108, nk_op_tensors_lif_network, nk_op_params_lif_network, NULL, "", nk_op_check_lif_network, nk_op_plan_lif_network},
    {"connect", 4, 15, 0, 39, nk_op_tensors_connect, nk_op_params_connect, NULL, "", nk_op_check_connect, nk_op_plan_connect},
    {"rnn_grad", 15, 11, 0, 90, nk_op_tensors_rnn_grad, nk_op_params_rnn_grad, NULL, "", nk_op_check_rnn_grad, nk_op_plan_rnn_grad},
    {"gemm", 3, 4, 0, 23, nk_op_tensors_gemm, nk_op_params_gemm, NULL, "", nk_op_check_gemm, NULL},
    {"dense_forward", 5, 1, 0, 30, nk_op_tensors_dense_forward, nk_op_params_dense_forward, NULL, "", nk_op_check_dense_forward, NULL},
    {"backward_delta", 4, 3, 0, 27, nk_op_tensors_backward_delta, nk_op_params_backward_delta, NULL, "", nk_op_check_backward_delta, NULL},
    {"dense_update", 7, 3, 0, 42, nk_op_tensors_dense_update, nk_op_params_dense_update, NULL, "", nk_op_check_dense_update, NULL},
    {"output_layer", 9, 1, 0, 50, nk_op_tensors_output_layer, nk_op_params_output_layer, NULL, "", nk_op_check_output_layer, NULL},
};
#define NK_OP_COUNT 29

#endif

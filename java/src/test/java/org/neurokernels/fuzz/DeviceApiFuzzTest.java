package org.neurokernels.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.NeurokernelsException;
import org.neurokernels.TestDevices;
import org.neurokernels.Trans;
import org.neurokernels.ops.Check;
import org.neurokernels.ops.ErrorModel;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Params;

/**
 * Fuzzes the Java API ({@link Device}, {@link Matrix}) on every test device (java and PoCL): 24 Device
 * methods called with small random shapes and valid arguments, then up to three mutations: a shape
 * that does not fit, a null, a closed matrix or view, a matrix of another device, padded views (leading
 * dimension above the width), the same matrix or the same window passed twice, windows of one
 * allocation that overlap partly or not at all, optional arguments left out or added, and NaN, infinite,
 * huge and tiny scalars (alpha, beta, lr, momentum, decay, dt, scale, lo/hi, noise). An independent
 * statement of the API's contract says whether each call is valid. Then:
 * <ul>
 * <li>a valid call succeeds, and every matrix it writes equals what the {@code java} reference writes
 *     for the same call within the op's error model (bit for bit on {@code java}); nothing outside the
 *     outputs changes; a NaN scalar shows up as NaN in the results (it propagates, it is not swallowed);</li>
 * <li>an invalid call throws IllegalArgumentException, IllegalStateException, NullPointerException (for
 *     a null matrix, naming it) or a NeurokernelsException with a message, and leaves every matrix as it
 *     was: nothing was enqueued;</li>
 * <li>either way the device still computes a GEMM right afterwards, and its live allocations return
 *     to where they started once the try's matrices are closed.</li>
 * </ul>
 */
@AddLifecycleHook(FuzzSeeds.class)
class DeviceApiFuzzTest {
    static final List<String> DEVICES = TestDevices.selectors();
    /** A second java device: its matrices belong to none of the devices under test, nor to the reference. */
    static final Device FOREIGN = Devices.open("java");

    @AfterContainer
    static void closeForeign() { FOREIGN.close(); }

    // ------------------------------------------------------------------ the methods and their contract

    enum Role { IN, OUT, INOUT }

    /** An argument: its name, the registry op's tensor of the same meaning (null if none), role, whether it may be null. */
    record Arg(String name, String tensor, Role role, boolean optional) {
        boolean writes() { return role != Role.IN; }
    }

    static Arg in(String name, String tensor) { return new Arg(name, tensor, Role.IN, false); }
    static Arg optIn(String name, String tensor) { return new Arg(name, tensor, Role.IN, true); }
    static Arg out(String name, String tensor) { return new Arg(name, tensor, Role.OUT, false); }
    static Arg optOut(String name, String tensor) { return new Arg(name, tensor, Role.OUT, true); }
    static Arg inout(String name, String tensor) { return new Arg(name, tensor, Role.INOUT, false); }
    static Arg optInout(String name, String tensor) { return new Arg(name, tensor, Role.INOUT, true); }

    /** Dimensions, flags and scalars of one call. */
    static final class Ctx {
        final Map<String, Integer> dim = new HashMap<>();
        final Map<String, Float> f = new LinkedHashMap<>();
        final Map<String, Boolean> flag = new HashMap<>();
        final Set<String> absent = new HashSet<>();
        Activation act = Activation.TANH;
        long seed;
        int stream;
        int step;

        float f(String k) { return f.get(k); }
        boolean flag(String k) { return flag.getOrDefault(k, false); }
        boolean has(String arg) { return !absent.contains(arg); }
        int dim(String s) { return Character.isDigit(s.charAt(0)) ? Integer.parseInt(s) : dim.get(s); }
    }

    interface Shapes { String[][] of(Ctx c); }
    interface Defaults { void set(Ctx c, Random rnd); }
    interface Invoke { Object call(Device d, Map<String, Matrix> m, Ctx c); }
    interface Rule { String refusal(Ctx c); }
    interface Checked { boolean of(Ctx c, String arg); }
    interface ParamsOf { Map<String, String> of(Ctx c); }

    /**
     * One Device method: arguments, the symbolic shape of each ({rows, cols}: a letter names a dimension
     * that must agree wherever it appears, a number is fixed), its float scalars, the output/input pairs
     * that may be the exact same window (in place), the rule for scalars and optional arguments, which
     * arguments it checks (an argument it ignores is not), and the registry op whose error model judges it.
     */
    record Method(String name, String op, List<Arg> args, List<String> floats, Set<String> inPlace, Shapes shapes, Defaults defaults,
                  Invoke invoke, Rule rule, Checked checked, ParamsOf params) {
        int index(String arg) {
            for (int i = 0; i < args.size(); i++) if (args.get(i).name().equals(arg)) return i;
            throw new IllegalArgumentException(arg);
        }
        @Override public String toString() { return name; }
    }

    static final Rule NO_RULE = c -> null;
    static final Checked ALL_CHECKED = (c, a) -> true;

    static Map<String, String> params(Object... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], String.valueOf(kv[i + 1]));
        return m;
    }

    static float pick(Random rnd, float... values) { return values[rnd.nextInt(values.length)]; }

    static String[] s(String rows, String cols) { return new String[] {rows, cols}; }

    static Activation anyActivation(Random rnd) { return Activation.values()[rnd.nextInt(Activation.values().length)]; }

    static final List<Method> METHODS = List.of(
            new Method("gemm", "gemm", List.of(in("a", "a"), in("b", "b"), inout("c", "c")), List.of("alpha", "beta"), Set.of(),
                    c -> new String[][] {c.flag("ta") ? s("k", "m") : s("m", "k"), c.flag("tb") ? s("n", "k") : s("k", "n"), s("m", "n")},
                    (c, r) -> {
                        c.flag.put("ta", r.nextBoolean());
                        c.flag.put("tb", r.nextBoolean());
                        c.f.put("alpha", pick(r, 1f, -1.5f, 0.5f, 0f));
                        c.f.put("beta", pick(r, 0f, 0.75f, 1f));
                    },
                    (d, m, c) -> { d.gemm(Trans.of(c.flag("ta")), Trans.of(c.flag("tb")), c.f("alpha"), m.get("a"), m.get("b"), c.f("beta"), m.get("c")); return null; },
                    NO_RULE, ALL_CHECKED,
                    c -> params("trans_a", c.flag("ta"), "trans_b", c.flag("tb"), "alpha", c.f("alpha"), "beta", c.f("beta"))),
            new Method("axpy", "axpy", List.of(in("x", "x"), inout("y", "y")), List.of("alpha"), Set.of("y:x"),
                    c -> new String[][] {s("m", "n"), s("m", "n")}, (c, r) -> c.f.put("alpha", pick(r, -0.625f, 2f, 0f)),
                    (d, m, c) -> { d.axpy(c.f("alpha"), m.get("x"), m.get("y")); return null; }, NO_RULE, ALL_CHECKED, c -> params("alpha", c.f("alpha"))),
            new Method("scale", "scale", List.of(in("x", "x"), out("out", "y")), List.of("alpha"), Set.of("out:x"),
                    c -> new String[][] {s("m", "n"), s("m", "n")}, (c, r) -> c.f.put("alpha", pick(r, 3.3f, -1f, 0f)),
                    (d, m, c) -> { d.scale(c.f("alpha"), m.get("x"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED, c -> params("alpha", c.f("alpha"))),
            new Method("hadamard", "hadamard", List.of(in("x", "x"), in("y", "y"), out("out", "z")), List.of(), Set.of("out:x", "out:y"),
                    c -> new String[][] {s("m", "n"), s("m", "n"), s("m", "n")}, (c, r) -> { },
                    (d, m, c) -> { d.hadamard(m.get("x"), m.get("y"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED, c -> params()),
            new Method("copy", "copy", List.of(in("src", "x"), out("dst", "y")), List.of(), Set.of("dst:src"),
                    c -> new String[][] {s("m", "n"), s("m", "n")}, (c, r) -> { },
                    (d, m, c) -> { d.copy(m.get("src"), m.get("dst")); return null; }, NO_RULE, ALL_CHECKED, c -> params()),
            new Method("activation", "activation", List.of(in("x", "x"), out("out", "y")), List.of(), Set.of("out:x"),
                    c -> new String[][] {s("m", "n"), s("m", "n")}, (c, r) -> c.act = anyActivation(r),
                    (d, m, c) -> { d.activation(c.act, m.get("x"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED, c -> params("activation", c.act.id())),
            new Method("activationGrad", "activation_grad", List.of(in("x", "x"), out("out", "y")), List.of(), Set.of("out:x"),
                    c -> new String[][] {s("m", "n"), s("m", "n")},
                    (c, r) -> {
                        c.act = anyActivation(r);
                        c.flag.put("post", r.nextBoolean());
                    },
                    (d, m, c) -> { d.activationGrad(c.act, m.get("x"), c.flag("post"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED,
                    c -> params("activation", c.act.id(), "from_output", c.flag("post"))),
            new Method("columnSums", "column_sums", List.of(in("x", "x"), out("out", "s")), List.of(), Set.of(),
                    c -> new String[][] {s("m", "n"), s("1", "n")}, (c, r) -> { },
                    (d, m, c) -> { d.columnSums(m.get("x"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED, c -> params()),
            new Method("softmaxCrossEntropy", "softmax_xent",
                    List.of(in("logits", "logits"), in("targets", "targets"), out("probs", "probs"), out("grad", "grad"), out("loss", "loss")), List.of(), Set.of(),
                    c -> new String[][] {s("m", "n"), s("m", "n"), s("m", "n"), s("m", "n"), s("m", "1")}, (c, r) -> { },
                    (d, m, c) -> { d.softmaxCrossEntropy(m.get("logits"), m.get("targets"), m.get("probs"), m.get("grad"), m.get("loss")); return null; },
                    NO_RULE, ALL_CHECKED, c -> params()),
            new Method("mseLoss", "mse", List.of(in("y", "y"), in("targets", "targets"), out("grad", "grad"), out("loss", "loss")), List.of(), Set.of(),
                    c -> new String[][] {s("m", "n"), s("m", "n"), s("m", "n"), s("m", "1")}, (c, r) -> { },
                    (d, m, c) -> { d.mseLoss(m.get("y"), m.get("targets"), m.get("grad"), m.get("loss")); return null; }, NO_RULE, ALL_CHECKED, c -> params()),
            new Method("dot", "dot", List.of(in("x", "x"), in("y", "y")), List.of(), Set.of(),
                    c -> new String[][] {s("m", "n"), s("m", "n")}, (c, r) -> { },
                    (d, m, c) -> d.dot(m.get("x"), m.get("y")), NO_RULE, ALL_CHECKED, c -> params()),
            new Method("frobeniusNorm", "frobenius_norm", List.of(in("x", "x")), List.of(), Set.of(),
                    c -> new String[][] {s("m", "n")}, (c, r) -> { },
                    (d, m, c) -> d.frobeniusNorm(m.get("x")), NO_RULE, ALL_CHECKED, c -> params()),
            new Method("sgdUpdate", "sgd_update", List.of(inout("w", "w"), in("grad", "grad"), optInout("velocity", "velocity")), List.of("lr", "decay", "mu"),
                    Set.of(), c -> new String[][] {s("m", "n"), s("m", "n"), s("m", "n")},
                    (c, r) -> {
                        c.f.put("lr", pick(r, 0.1f, 0.05f));
                        c.f.put("decay", pick(r, 0f, 0.01f));
                        c.f.put("mu", pick(r, 0f, 0.9f));
                        if (c.f("mu") == 0f && r.nextInt(3) > 0) c.absent.add("velocity");
                    },
                    (d, m, c) -> { d.sgdUpdate(c.f("lr"), c.f("decay"), c.f("mu"), m.get("w"), m.get("grad"), m.get("velocity")); return null; },
                    c -> c.f("mu") != 0f && !c.has("velocity") ? "momentum needs a velocity" : null, ALL_CHECKED,
                    c -> params("lr", c.f("lr"), "weight_decay", c.f("decay"), "momentum", c.f("mu"))),
            new Method("kpUpdate", "kp_update", List.of(inout("w", "w"), inout("b", "b"), in("grad", "grad"), optInout("velocity", "velocity")),
                    List.of("lr", "decay", "mu"), Set.of(), c -> new String[][] {s("m", "n"), s("m", "n"), s("m", "n"), s("m", "n")},
                    (c, r) -> {
                        c.f.put("lr", pick(r, 0.1f, 0.05f));
                        c.f.put("decay", pick(r, 0f, 0.01f));
                        c.f.put("mu", pick(r, 0f, 0.9f));
                        if (c.f("mu") == 0f && r.nextInt(3) > 0) c.absent.add("velocity");
                    },
                    (d, m, c) -> { d.kpUpdate(c.f("lr"), c.f("decay"), c.f("mu"), m.get("w"), m.get("b"), m.get("grad"), m.get("velocity")); return null; },
                    c -> c.f("mu") != 0f && !c.has("velocity") ? "momentum needs a velocity" : null, ALL_CHECKED,
                    c -> params("lr", c.f("lr"), "weight_decay", c.f("decay"), "momentum", c.f("mu"))),
            new Method("denseForward", "dense_forward", List.of(in("x", "x"), in("w", "w"), optIn("bias", "bias"), out("out", "out"), optOut("pre", "pre")),
                    List.of(), Set.of(), c -> new String[][] {s("b", "i"), s("o", "i"), s("1", "o"), s("b", "o"), s("b", "o")},
                    (c, r) -> {
                        c.act = anyActivation(r);
                        if (r.nextBoolean()) c.absent.add("bias");
                        if (r.nextBoolean()) c.absent.add("pre");
                    },
                    (d, m, c) -> { d.denseForward(m.get("x"), m.get("w"), m.get("bias"), c.act, m.get("out"), m.get("pre")); return null; },
                    NO_RULE, ALL_CHECKED, c -> params("activation", c.act.id())),
            new Method("backwardDelta", "backward_delta", List.of(in("delta", "delta"), in("m", "m"), in("a", "a"), out("out", "out")), List.of(), Set.of(),
                    c -> new String[][] {s("b", "p"), c.flag("tm") ? s("q", "p") : s("p", "q"), s("b", "q"), s("b", "q")},
                    (c, r) -> {
                        c.act = anyActivation(r);
                        c.flag.put("tm", r.nextBoolean());
                        c.flag.put("post", r.nextBoolean());
                    },
                    (d, m, c) -> { d.backwardDelta(m.get("delta"), Trans.of(c.flag("tm")), m.get("m"), m.get("a"), c.act, c.flag("post"), m.get("out")); return null; },
                    NO_RULE, ALL_CHECKED, c -> params("activation", c.act.id(), "from_output", c.flag("post"), "trans_m", c.flag("tm"))),
            new Method("signFeedback", "sign_feedback", List.of(in("w", "w"), optIn("r", "r"), out("out", "b")), List.of("scale"), Set.of("out:w", "out:r"),
                    c -> new String[][] {s("m", "n"), s("m", "n"), s("m", "n")},
                    (c, r) -> {
                        c.f.put("scale", pick(r, 1f, 0.05f, -2f));
                        if (r.nextBoolean()) c.absent.add("r");
                    },
                    (d, m, c) -> { d.signFeedback(c.f("scale"), m.get("w"), m.get("r"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED,
                    c -> params("scale", c.f("scale"))),
            new Method("randomUniform", "random_uniform", List.of(out("out", "out")), List.of("lo", "hi"), Set.of(),
                    c -> new String[][] {s("m", "n")},
                    (c, r) -> {
                        c.seed = r.nextLong();
                        c.stream = r.nextInt(5);
                        c.step = r.nextInt(1000);
                        c.f.put("lo", pick(r, 0f, -0.25f, -3f));
                        c.f.put("hi", c.f("lo") + pick(r, 1f, 0.5f, 6f));
                    },
                    (d, m, c) -> { d.randomUniform(c.seed, c.stream, c.step, c.f("lo"), c.f("hi"), m.get("out")); return null; },
                    c -> {
                        float lo = c.f("lo"), hi = c.f("hi");
                        return !(hi > lo) || !Float.isFinite(lo) || !Float.isFinite(hi) || Float.isInfinite(hi - lo) ? "needs finite lo < hi with hi - lo finite" : null;
                    },
                    ALL_CHECKED,
                    c -> params("rows", c.dim("m"), "cols", c.dim("n"), "seed", Long.toUnsignedString(c.seed), "stream", c.stream, "draw", c.step,
                            "lo", c.f("lo"), "hi", c.f("hi"))),
            new Method("gatherRows", "gather_rows", List.of(in("x", "x"), in("index", "index"), out("out", "out")), List.of(), Set.of(),
                    c -> new String[][] {s("p", "n"), s("1", "r"), s("r", "n")}, (c, r) -> { },
                    (d, m, c) -> { d.gatherRows(m.get("x"), m.get("index"), m.get("out")); return null; }, NO_RULE, ALL_CHECKED, c -> params()),
            new Method("fill", null, List.of(out("m", null)), List.of("value"), Set.of(),
                    c -> new String[][] {s("m", "n")}, (c, r) -> c.f.put("value", pick(r, 0f, 1.5f, -7f)),
                    (d, m, c) -> { d.fill(m.get("m"), c.f("value")); return null; }, NO_RULE, ALL_CHECKED, c -> params()),
            new Method("denseUpdate", "dense_update",
                    List.of(in("delta", "delta"), in("h", "h"), inout("w", "w"), optInout("b", "b"), optInout("vw", "velocity_w"), optInout("vb", "velocity_b"),
                            optInout("feedback", "feedback")),
                    List.of("lr", "decay", "mu"), Set.of(),
                    c -> new String[][] {s("t", "o"), s("t", "i"), s("o", "i"), s("1", "o"), s("o", "i"), s("1", "o"), s("o", "i")},
                    (c, r) -> {
                        c.f.put("lr", pick(r, 0.1f, 0.05f));
                        c.f.put("decay", pick(r, 0f, 0.01f));
                        c.f.put("mu", pick(r, 0f, 0.9f));
                        if (r.nextBoolean()) c.absent.add("b");
                        if (c.f("mu") == 0f) {
                            c.absent.add("vw");
                            c.absent.add("vb");
                        } else if (!c.has("b")) {
                            c.absent.add("vb");
                        }
                        if (r.nextInt(3) > 0) c.absent.add("feedback");
                    },
                    (d, m, c) -> {
                        d.denseUpdate(c.f("lr"), c.f("decay"), c.f("mu"), m.get("delta"), m.get("h"), m.get("w"), m.get("b"), m.get("vw"), m.get("vb"), m.get("feedback"));
                        return null;
                    },
                    c -> c.f("mu") != 0f && (!c.has("vw") || c.has("b") && !c.has("vb")) ? "momentum needs the velocities" : null,
                    (c, a) -> switch (a) {
                        case "vw" -> c.f("mu") != 0f;
                        case "vb" -> c.f("mu") != 0f && c.has("b");
                        default -> true;
                    },
                    c -> params("lr", c.f("lr"), "weight_decay", c.f("decay"), "momentum", c.f("mu"))),
            new Method("outputLayer", "output_layer",
                    List.of(in("h", "h"), in("w", "w"), optIn("b", "b"), in("targets", "targets"), optIn("m", "m"), out("probs", "probs"), out("grad", "grad"),
                            out("loss", "loss"), optOut("delta", "delta")),
                    List.of(), Set.of(),
                    c -> new String[][] {s("b", "q"), s("c", "q"), s("1", "c"), s("b", "c"), s("c", "q"), s("b", "c"), s("b", "c"), s("b", "1"), s("b", "q")},
                    (c, r) -> {
                        c.act = anyActivation(r);
                        if (r.nextBoolean()) c.absent.add("b");
                        if (r.nextBoolean()) {
                            c.absent.add("m");
                            c.absent.add("delta");
                        }
                    },
                    (d, m, c) -> {
                        d.outputLayer(m.get("h"), m.get("w"), m.get("b"), m.get("targets"), m.get("m"), c.act, m.get("probs"), m.get("grad"), m.get("loss"), m.get("delta"));
                        return null;
                    },
                    c -> c.has("m") != c.has("delta") ? "m and delta go together" : null, ALL_CHECKED, c -> params("activation", c.act.id())),
            new Method("poisson", "poisson", List.of(in("rate", "rate"), out("spikes", "spikes"), inout("count", "count")), List.of("dt"), Set.of(),
                    c -> new String[][] {s("1", "n"), s("m", "n"), s("m", "n")},
                    (c, r) -> {
                        c.f.put("dt", pick(r, 0.1f, 0.5f, 1f));
                        c.seed = r.nextLong();
                        c.stream = r.nextInt(5);
                        c.step = r.nextInt(1000);
                    },
                    (d, m, c) -> { d.poisson(c.f("dt"), m.get("rate"), c.seed, c.stream, c.step, m.get("spikes"), m.get("count")); return null; },
                    c -> !(c.f("dt") > 0 && c.f("dt") < Float.POSITIVE_INFINITY) ? "dt must be finite and > 0" : null, ALL_CHECKED,
                    c -> params("dt", c.f("dt"), "seed", Long.toUnsignedString(c.seed), "stream", c.stream, "step", c.step)),
            new Method("izhikevichStep", "izhikevich_step",
                    List.of(inout("v", "v"), inout("u", "u"), in("abcd", "abcd"), optIn("iExt", "i_ext"), optIn("syn", "syn"), out("spikes", "spikes"),
                            inout("count", "count")),
                    List.of("dt"), Set.of(), c -> new String[][] {s("m", "n"), s("m", "n"), s("4", "n"), s("m", "n"), s("m", "n"), s("m", "n"), s("m", "n")},
                    (c, r) -> {
                        c.f.put("dt", pick(r, 0.5f, 1f));
                        if (r.nextBoolean()) c.absent.add("iExt");
                        if (r.nextBoolean()) c.absent.add("syn");
                    },
                    (d, m, c) -> {
                        d.izhikevichStep(c.f("dt"), m.get("v"), m.get("u"), m.get("abcd"), m.get("iExt"), m.get("syn"), m.get("spikes"), m.get("count"));
                        return null;
                    },
                    c -> !(c.f("dt") > 0 && c.f("dt") < Float.POSITIVE_INFINITY) ? "dt must be finite and > 0" : null, ALL_CHECKED, c -> params("dt", c.f("dt"))),
            new Method("rateStep", "rate_step", List.of(inout("r", "r"), in("x", "x"), in("c", "c"), optIn("tau", "tau")), List.of("noise"), Set.of(),
                    c -> new String[][] {s("m", "n"), s("m", "n"), s("1", "n"), s("1", "n")},
                    (c, r) -> {
                        c.act = anyActivation(r);
                        c.flag.put("exp", r.nextBoolean());
                        c.f.put("noise", pick(r, 0f, 0.3f));
                        if (c.f("noise") == 0f && r.nextBoolean()) c.absent.add("tau");
                        c.seed = r.nextLong();
                        c.stream = r.nextInt(5);
                        c.step = r.nextInt(1000);
                    },
                    (d, m, c) -> {
                        d.rateStep(c.act, c.flag("exp"), m.get("r"), m.get("x"), m.get("c"), m.get("tau"), c.f("noise"), c.seed, c.stream, c.step);
                        return null;
                    },
                    c -> !Float.isFinite(c.f("noise")) ? "noise must be finite" : c.f("noise") != 0f && !c.has("tau") ? "noise needs tau" : null,
                    (c, a) -> !a.equals("tau") || c.f("noise") != 0f,
                    c -> params("activation", c.act.id(), "exp_euler", c.flag("exp"), "noise_scale", c.f("noise"), "seed", Long.toUnsignedString(c.seed),
                            "stream", c.stream, "step", c.step)));

    // ------------------------------------------------------------------ generated calls

    enum Kind { SHAPE, NULL_ARG, CLOSED_VIEW, CLOSED_ROOT, FOREIGN, PADDED_VIEW, SAME_AS, SAME_WINDOW, PARTIAL_OVERLAP, DISJOINT_SHARED, SCALAR, TOGGLE_OPTIONAL }

    record Mutation(Kind kind, int a, int b) {
        @Override public String toString() { return kind + "(" + a + ", " + b + ")"; }
    }

    record Call(int method, int device, List<Mutation> mutations, long seed) { }

    static final float[] HOSTILE = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE,
        0f, -0f, 1e30f, -1e-30f, 1e-38f};

    @Provide
    Arbitrary<Call> calls() {
        List<Tuple.Tuple2<Integer, Kind>> weights = new ArrayList<>();
        Map<Kind, Integer> heavy = Map.of(Kind.SCALAR, 5, Kind.PADDED_VIEW, 4, Kind.SHAPE, 3, Kind.SAME_AS, 3, Kind.SAME_WINDOW, 3, Kind.PARTIAL_OVERLAP, 3,
                Kind.DISJOINT_SHARED, 2, Kind.TOGGLE_OPTIONAL, 2);
        for (Kind k : Kind.values()) weights.add(Tuple.of(heavy.getOrDefault(k, 1), k));
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.frequency(weights), Arbitraries.integers().between(0, 9999),
                Arbitraries.integers().between(0, 9999)).as(Mutation::new);
        Arbitrary<Integer> method = Arbitraries.integers().between(0, METHODS.size() - 1).withDistribution(RandomDistribution.uniform());
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES.size() - 1).withDistribution(RandomDistribution.uniform());
        return Combinators.combine(method, device, mutation.list().ofMaxSize(3), Arbitraries.longs()).as(Call::new);
    }

    @Property(tries = 600, seed = FuzzSeeds.SEED, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void everyCallMatchesTheReferenceOrIsRefusedBeforeAnythingRuns(@ForAll("calls") Call call) {
        String outcome = exercise(call);
        Statistics.label("method").collect(METHODS.get(call.method()).name());
        Statistics.label("device").collect(DEVICES.get(call.device()));
        Statistics.label("outcome").collect(outcome);
    }

    /**
     * Every output of every method placed on every other argument of the call, on every device: partly
     * overlapping it, on the same window (a different view object), as the same matrix, and on a
     * disjoint window of the same allocation. Exhaustive rather than random, so no aliasing rule is left
     * to chance; each case is judged as the fuzzed calls are.
     */
    @Example
    void everyOutputOnEveryOtherArgument() {
        int cases = 0;
        for (int m = 0; m < METHODS.size(); m++) {
            List<Arg> args = METHODS.get(m).args();
            for (int w = 0; w < args.size(); w++) {
                if (!args.get(w).writes()) continue;
                for (int x = 0; x < args.size(); x++) {
                    if (x == w) continue;
                    for (Kind k : List.of(Kind.PARTIAL_OVERLAP, Kind.SAME_WINDOW, Kind.SAME_AS, Kind.DISJOINT_SHARED)) {
                        for (int dev = 0; dev < DEVICES.size(); dev++) {
                            exercise(new Call(m, dev, List.of(new Mutation(k, w + 7 * args.size(), x + 7 * args.size())), 1000L * m + 10L * w + x));
                            cases++;
                        }
                    }
                }
            }
        }
        assertTrue(cases > 500, "cases: " + cases);
    }

    /** One call judged against the contract; returns what happened. */
    String exercise(Call call) {
        Device d = TestDevices.get(DEVICES.get(call.device()));
        Device ref = TestDevices.reference();
        long[] live = {d.liveAllocations(), ref.liveAllocations(), FOREIGN.liveAllocations()};
        Trial t = new Trial(call, d, ref);
        String outcome;
        try {
            t.build();
            outcome = (t.reasons.isEmpty() ? "valid" : "invalid") + " -> " + t.run();
        } finally {
            t.closeAll();
        }
        assertEquals(live[0], d.liveAllocations(), () -> "live allocations on " + d.id() + " after closing everything: " + t.describe());
        assertEquals(live[1], ref.liveAllocations(), () -> "live allocations on the reference after closing everything: " + t.describe());
        assertEquals(live[2], FOREIGN.liveAllocations(), () -> "live allocations on the foreign device: " + t.describe());
        stillComputes(d);
        return outcome;
    }

    /** Every call on a closed device is refused with IllegalStateException, and closing freed every matrix. */
    @Property(tries = 30, seed = FuzzSeeds.SEED, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void aClosedDeviceRefusesEveryCall(@ForAll("calls") Call call) {
        Device d = Devices.open(DEVICES.get(call.device()));
        Trial t = new Trial(new Call(call.method(), call.device(), List.of(), call.seed()), d, null);
        try {
            t.build();
            d.close();
            assertTrue(d.isClosed());
            assertEquals(0, d.liveAllocations(), "closing a device frees its matrices");
            for (Slot s : t.slots) if (s != null) assertTrue(s.m.isClosed(), () -> "a matrix of a closed device reports closed: " + t.describe());
            Throwable e = assertThrows(Throwable.class, () -> t.method.invoke().call(d, t.matrices(false), t.ctx), t::describe);
            assertEquals(IllegalStateException.class, e.getClass(), () -> "a closed device: " + e + "\n" + t.describe());
            assertTrue(e.getMessage() != null && e.getMessage().contains("closed"), () -> e + "\n" + t.describe());
            assertThrows(IllegalStateException.class, () -> d.allocate(1, 1));
            assertThrows(IllegalStateException.class, d::synchronize);
        } finally {
            d.close();
        }
    }

    // ------------------------------------------------------------------ regressions

    /**
     * poisson took a NaN, zero or negative dt and silently fired no spike (the op refused it, the API did
     * not); an infinite dt (poisson, izhikevichStep) and a non-finite noise scale (rateStep) ran, where the
     * C library (nk_poisson, nk_izhikevich_step, nk_rate_step) refuses them.
     */
    @Example
    void timeStepsAndNoiseMustBeFinite() {
        for (String id : DEVICES) {
            Device d = TestDevices.get(id);
            try (Matrix rate = d.upload(new float[] {0.5f, 0.5f}, 1, 2); Matrix spikes = d.allocate(3, 2); Matrix count = d.allocate(3, 2);
                 Matrix v = d.allocate(3, 2); Matrix u = d.allocate(3, 2); Matrix abcd = d.allocate(4, 2); Matrix c = d.allocate(1, 2); Matrix tau = d.allocate(1, 2)) {
                for (float dt : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.izhikevichStep(dt, v, u, abcd, null, null, spikes, count), id)
                            .getMessage().contains("dt"));
                }
                for (float noise : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                    assertTrue(assertThrows(IllegalArgumentException.class, () -> d.rateStep(Activation.TANH, true, v, u, c, tau, noise, 1, 0, 0), id)
                            .getMessage().contains("noiseScale"));
                }
                for (float dt : new float[] {Float.NaN, 0f, -0.1f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY}) {
                    d.fill(count, 7f);
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.poisson(dt, rate, 1, 0, 0, spikes, count), id + " dt " + dt);
                    assertTrue(e.getMessage().contains("dt"), e.getMessage());
                    for (float x : d.download(count)) assertEquals(7f, x, "nothing ran");
                }
                d.poisson(1f, rate, 1, 0, 0, spikes, count);
            }
        }
    }

    /** randomUniform with hi - lo beyond the float range returned Infinity and NaN instead of numbers in [lo, hi). */
    @Example
    void randomUniformRefusesARangeWiderThanFloat() {
        for (String id : DEVICES) {
            Device d = TestDevices.get(id);
            try (Matrix out = d.allocate(2, 8)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.randomUniform(1, 0, 0, -3e38f, 3e38f, out), id);
                assertTrue(e.getMessage().contains("overflows"), e.getMessage());
                d.randomUniform(1, 0, 0, -1.5e38f, 1.5e38f, out);   // 3e38 wide: still a float
                for (float x : d.download(out)) assertTrue(x >= -1.5e38f && x <= 1.5e38f, id + ": " + x);
            }
        }
    }

    // ------------------------------------------------------------------ one try

    /** Where an argument lives: a window (r0, c0, rows, cols) of a root allocation; {@code m} on the device under test, {@code mm} on the reference. */
    static final class Root {
        final int rows, cols;
        final boolean foreign;
        Matrix m, mm;
        boolean closed;
        float[] before;

        Root(int rows, int cols, boolean foreign) {
            this.rows = rows;
            this.cols = cols;
            this.foreign = foreign;
        }
    }

    static final class Slot {
        final Root root;
        final int r0, c0, rows, cols;
        Matrix m, mm;
        boolean closed;

        Slot(Root root, int r0, int c0, int rows, int cols) {
            this.root = root;
            this.r0 = r0;
            this.c0 = c0;
            this.rows = rows;
            this.cols = cols;
        }

        boolean isClosed() { return closed || root.closed; }

        boolean overlaps(Slot o) {
            return root == o.root && r0 < o.r0 + o.rows && o.r0 < r0 + rows && c0 < o.c0 + o.cols && o.c0 < c0 + cols;
        }

        boolean sameWindow(Slot o) { return root == o.root && r0 == o.r0 && c0 == o.c0 && rows == o.rows && cols == o.cols; }

        float[] window(float[] rootData) {
            float[] w = new float[rows * cols];
            for (int i = 0; i < rows; i++) System.arraycopy(rootData, (r0 + i) * root.cols + c0, w, i * cols, cols);
            return w;
        }
    }

    final class Trial {
        final Call call;
        final Method method;
        final Device d, ref;
        final Random rnd;
        final Ctx ctx = new Ctx();
        final Slot[] slots;
        final int[][] shape;
        final boolean[] nulled;
        final boolean[] padded;
        final List<Root> roots = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();
        Map<String, String> validParams;

        Trial(Call call, Device d, Device ref) {
            this.call = call;
            this.method = METHODS.get(call.method());
            this.d = d;
            this.ref = ref;
            this.rnd = new Random(call.seed());
            int n = method.args().size();
            this.slots = new Slot[n];
            this.shape = new int[n][];
            this.nulled = new boolean[n];
            this.padded = new boolean[n];
        }

        String describe() {
            StringBuilder sb = new StringBuilder("  " + method.name() + " on " + d.id() + ", seed " + call.seed() + ", mutations " + call.mutations() + "\n  scalars " + ctx.f
                    + ", flags " + ctx.flag + ", activation " + ctx.act + ", dims " + ctx.dim + "\n  arguments:");
            for (int i = 0; i < slots.length; i++) {
                Arg a = method.args().get(i);
                Slot s = slots[i];
                sb.append("\n    ").append(a.name()).append(": ");
                if (s == null) sb.append(nulled[i] ? "null" : "absent");
                else sb.append(s.rows).append('x').append(s.cols).append(" at (").append(s.r0).append(", ").append(s.c0).append(") of a ").append(s.root.rows)
                        .append('x').append(s.root.cols).append(" allocation #").append(roots.indexOf(s.root)).append(s.root.foreign ? " on another device" : "")
                        .append(s.isClosed() ? ", closed" : "");
            }
            if (!reasons.isEmpty()) sb.append("\n  invalid because: ").append(reasons);
            return sb.toString();
        }

        Op op() { return method.op() == null ? null : OpRegistry.get(method.op()); }

        /** The valid call, then the mutations. */
        void build() {
            int max = rnd.nextInt(5) == 0 ? 40 : 12;
            for (String sym : List.of("m", "n", "k", "p", "q", "b", "o", "i", "t", "c", "r")) ctx.dim.put(sym, 1 + rnd.nextInt(max));
            method.defaults().set(ctx, rnd);
            validParams = method.params().of(ctx);
            String[][] sym = method.shapes().of(ctx);
            for (int i = 0; i < slots.length; i++) shape[i] = new int[] {ctx.dim(sym[i][0]), ctx.dim(sym[i][1])};
            for (int i = 0; i < slots.length; i++) padded[i] = rnd.nextInt(4) == 0;
            Map<Integer, int[]> relation = new HashMap<>();   // member -> {leader, kind, dr, dc}
            Set<Integer> foreign = new HashSet<>(), closeView = new HashSet<>(), closeRoot = new HashSet<>();
            for (Mutation mu : call.mutations()) {
                int n = slots.length, i = Math.floorMod(mu.a(), n), j = Math.floorMod(mu.b(), n);
                Arg a = method.args().get(i);
                switch (mu.kind()) {
                    case SHAPE -> shape[i] = mu.b() % 2 == 0 ? new int[] {shape[i][0] + 1, shape[i][1]} : new int[] {shape[i][0], shape[i][1] + 1};
                    case NULL_ARG -> nulled[i] = true;
                    case CLOSED_VIEW -> closeView.add(i);
                    case CLOSED_ROOT -> closeRoot.add(i);
                    case FOREIGN -> foreign.add(i);
                    case PADDED_VIEW -> padded[i] = true;
                    case SAME_AS, SAME_WINDOW, PARTIAL_OVERLAP, DISJOINT_SHARED -> {
                        // mostly an output placed on another argument: where the aliasing rules matter
                        List<Integer> writers = new ArrayList<>();
                        for (int w = 0; w < n; w++) if (method.args().get(w).writes()) writers.add(w);
                        int member = !a.writes() && !writers.isEmpty() && mu.b() % 4 != 0 ? writers.get(Math.floorMod(mu.a(), writers.size())) : i;
                        if (member == j || relation.containsKey(j) || relation.containsKey(member) || relation.values().stream().anyMatch(v -> v[0] == member)) break;
                        // rate_step's bound holds for c in (0, 1): c sharing tau's or x's values is outside what the op promises
                        if (method.name().equals("rateStep") && method.args().get(member).role() == Role.IN && method.args().get(j).role() == Role.IN) break;
                        relation.put(member, new int[] {j, mu.kind().ordinal(), mu.a() / 7, mu.b() / 7});
                    }
                    case SCALAR -> {
                        if (method.floats().isEmpty()) break;
                        String k = method.floats().get(Math.floorMod(mu.a(), method.floats().size()));
                        ctx.f.put(k, HOSTILE[Math.floorMod(mu.b(), HOSTILE.length)]);
                    }
                    default -> {   // TOGGLE_OPTIONAL
                        if (!a.optional()) break;
                        if (!ctx.absent.remove(a.name())) ctx.absent.add(a.name());
                    }
                }
            }
            // roots: a leader and its members share one allocation (a member of an absent leader gets its own)
            relation.entrySet().removeIf(e -> !ctx.has(method.args().get(e.getValue()[0]).name()));
            for (int i = 0; i < slots.length; i++) {
                Arg a = method.args().get(i);
                if (relation.containsKey(i) || !ctx.has(a.name())) continue;
                List<Integer> members = new ArrayList<>();
                for (Map.Entry<Integer, int[]> e : relation.entrySet()) if (e.getValue()[0] == i && ctx.has(method.args().get(e.getKey()).name())) members.add(e.getKey());
                members.sort(null);
                int r = shape[i][0], c = shape[i][1], pr = padded[i] ? 1 + rnd.nextInt(3) : 0, pc = padded[i] ? 1 + rnd.nextInt(3) : 0;
                int top = pr > 0 ? rnd.nextInt(pr + 1) : 0, left = pc > 0 ? rnd.nextInt(pc + 1) : 0;
                int height = r + pr, width = c + pc;
                Map<Integer, int[]> place = new LinkedHashMap<>();   // member -> {r0, c0, rows, cols}
                place.put(i, new int[] {top, left, r, c});
                int below = height;
                for (int mIdx : members) {
                    int[] rel = relation.get(mIdx);
                    int kind = rel[1];
                    if (kind == Kind.SAME_AS.ordinal() || kind == Kind.SAME_WINDOW.ordinal()) {
                        place.put(mIdx, new int[] {top, left, r, c});
                    } else if (kind == Kind.PARTIAL_OVERLAP.ordinal()) {
                        int dr = Math.floorMod(rel[2], r), dc = Math.floorMod(rel[3], c);
                        int mr = shape[mIdx][0], mc = shape[mIdx][1];
                        place.put(mIdx, new int[] {top + dr, left + dc, mr, mc});
                        height = Math.max(height, top + dr + mr);
                        width = Math.max(width, left + dc + mc);
                    } else {
                        int mr = shape[mIdx][0], mc = shape[mIdx][1];
                        place.put(mIdx, new int[] {below, 0, mr, mc});
                        below += mr;
                        height = Math.max(height, below);
                        width = Math.max(width, mc);
                    }
                }
                boolean isForeign = false;
                for (int k : place.keySet()) isForeign |= foreign.contains(k);
                Root root = new Root(height, width, isForeign);
                roots.add(root);
                root.m = (isForeign ? FOREIGN : d).allocate(height, width);
                if (ref != null) root.mm = (isForeign ? FOREIGN : ref).allocate(height, width);
                float[] junk = new float[height * width];
                for (int e = 0; e < junk.length; e++) junk[e] = (float) ((0.1 + 0.9 * rnd.nextDouble()) * (rnd.nextBoolean() ? 1 : -1));
                upload(root.m, junk);
                if (ref != null) upload(root.mm, junk);
                for (Map.Entry<Integer, int[]> e : place.entrySet()) {
                    int k = e.getKey();
                    int[] p = e.getValue();
                    Integer sameAs = relation.containsKey(k) && relation.get(k)[1] == Kind.SAME_AS.ordinal() ? relation.get(k)[0] : null;
                    if (sameAs != null && slots[sameAs] != null) {
                        slots[k] = slots[sameAs];   // the very same Matrix object
                        continue;
                    }
                    Slot s = new Slot(root, p[0], p[1], p[2], p[3]);
                    boolean whole = p[0] == 0 && p[1] == 0 && p[2] == height && p[3] == width && k == i && !closeView.contains(k);
                    s.m = whole ? root.m : root.m.view(p[0], p[1], p[2], p[3]);
                    if (ref != null) s.mm = whole ? root.mm : root.mm.view(p[0], p[1], p[2], p[3]);
                    slots[k] = s;
                }
            }
            for (int i = 0; i < slots.length; i++) if (nulled[i]) slots[i] = null;
            for (int i = 0; i < slots.length; i++) if (slots[i] != null) shape[i] = new int[] {slots[i].rows, slots[i].cols};
            fillInputs();
            for (int i : closeView) {
                Slot s = slots[i];
                if (s == null) continue;
                s.m.close();
                if (s.mm != null) s.mm.close();
                s.closed = true;
                if (s.m == s.root.m) s.root.closed = true;
            }
            for (int i : closeRoot) {
                Slot s = slots[i];
                if (s == null) continue;
                s.root.m.close();
                if (s.root.mm != null) s.root.mm.close();
                s.root.closed = true;
            }
            judgeValidity();
        }

        private void upload(Matrix m, float[] data) { m.device().upload(m, data); }

        /** Inputs get values from their op's generator (outputs keep the junk), the same on both sides. */
        private void fillInputs() {
            Op op = op();
            Params p0;
            try {
                p0 = op == null ? null : op.params(validParams);
            } catch (IllegalArgumentException e) {
                p0 = null;
            }
            for (int i = 0; i < slots.length; i++) {
                Arg a = method.args().get(i);
                Slot s = slots[i];
                if (s == null || a.role() == Role.OUT || op == null || p0 == null) continue;
                float[] v;
                if (a.name().equals("index")) {   // row numbers of x, a few of them not rows at all
                    int rows = ctx.dim("p");
                    v = new float[s.rows * s.cols];
                    for (int e = 0; e < v.length; e++) v[e] = rnd.nextInt(10) == 0 ? pick(rnd, -1f, rows, 0.5f, Float.NaN) : rnd.nextInt(rows);
                } else {
                    v = op.generate(a.tensor(), s.rows, s.cols, p0, rnd);
                }
                upload(s.m, v);
                if (s.mm != null) upload(s.mm, v);
            }
        }

        /** The contract, stated independently of the code: why this call must be refused (no reason: it must run). */
        private void judgeValidity() {
            List<Arg> args = method.args();
            for (int i = 0; i < slots.length; i++) {
                Arg a = args.get(i);
                if (nulled[i] && !a.optional()) reasons.add(a.name() + " is null");
                if (nulled[i] && a.optional()) ctx.absent.add(a.name());
            }
            String rule = method.rule().refusal(ctx);
            if (rule != null) reasons.add(rule);
            List<Integer> checked = new ArrayList<>();
            for (int i = 0; i < slots.length; i++) if (slots[i] != null && method.checked().of(ctx, args.get(i).name())) checked.add(i);
            Map<String, Integer> value = new HashMap<>();
            String[][] sym = method.shapes().of(ctx);
            for (int i : checked) {
                Slot s = slots[i];
                if (s.isClosed()) reasons.add(args.get(i).name() + " is closed");
                if (s.root.foreign) reasons.add(args.get(i).name() + " belongs to another device");
                int[] actual = {s.rows, s.cols};
                for (int q = 0; q < 2; q++) {
                    String name = sym[i][q];
                    if (Character.isDigit(name.charAt(0))) {
                        if (Integer.parseInt(name) != actual[q]) reasons.add(args.get(i).name() + " has " + actual[q] + (q == 0 ? " rows" : " columns") + ", not " + name);
                    } else {
                        Integer prev = value.putIfAbsent(name, actual[q]);
                        if (prev != null && prev != actual[q]) reasons.add("dimension " + name + " is " + prev + " and " + actual[q]);
                    }
                }
            }
            for (int o : checked) {
                if (!args.get(o).writes()) continue;
                for (int x : checked) {
                    if (x == o || !slots[o].overlaps(slots[x])) continue;
                    boolean inPlace = slots[o].sameWindow(slots[x]) && method.inPlace().contains(args.get(o).name() + ":" + args.get(x).name());
                    if (!inPlace) reasons.add(args.get(o).name() + " overlaps " + args.get(x).name());
                }
            }
        }

        Map<String, Matrix> matrices(boolean reference) {
            Map<String, Matrix> m = new HashMap<>();
            for (int i = 0; i < slots.length; i++) m.put(method.args().get(i).name(), slots[i] == null ? null : reference ? slots[i].mm : slots[i].m);
            return m;
        }

        private float[] read(Matrix m) { return m.device().download(m); }

        private void snapshot() {
            for (Root r : roots) r.before = r.closed ? null : read(r.m);
        }

        /** Runs the call and checks it against the contract; returns what happened, for the statistics. */
        String run() {
            snapshot();
            Object result;
            try {
                result = method.invoke().call(d, matrices(false), ctx);
            } catch (Throwable e) {
                refused(e);
                return "refused (" + e.getClass().getSimpleName() + ")";
            }
            assertTrue(reasons.isEmpty(), () -> "ran although the call is invalid: " + describe());
            Object want;
            try {
                want = method.invoke().call(ref, matrices(true), ctx);
            } catch (RuntimeException e) {
                fail("ran on " + d.id() + " but the java reference refused it (" + e + "): " + describe());
                return "";
            }
            compare(result, want);
            return "ran";
        }

        private boolean anyNulled() {
            for (int i = 0; i < nulled.length; i++) if (nulled[i] && !method.args().get(i).optional()) return true;
            return false;
        }

        private void refused(Throwable e) {
            boolean allowed = e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof NeurokernelsException
                    || (e instanceof NullPointerException && anyNulled());
            if (!allowed) throw new AssertionError("refused with an exception of the wrong kind: " + e + "\n" + describe(), e);
            assertFalse(reasons.isEmpty(), () -> "refused a valid call: " + e + "\n" + describe());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), () -> "an exception without a message: " + e + "\n" + describe());
            if (e instanceof NullPointerException) assertTrue(e.getMessage().contains("'"), () -> "the message names the null argument: " + e);
            for (Root r : roots) {
                if (r.closed) continue;
                assertArrayEquals(bits(r.before), bits(read(r.m)), () -> "a refused call changed a matrix (something was enqueued): " + e + "\n" + describe());
            }
        }

        /** Outputs equal to the reference's within the op's model, everything else untouched. */
        private void compare(Object result, Object want) {
            List<Integer> written = new ArrayList<>();
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] != null && method.args().get(i).writes() && method.checked().of(ctx, method.args().get(i).name())) written.add(i);
            }
            // elements outside every output window are as they were
            for (Root r : roots) {
                if (r.closed) continue;
                float[] now = read(r.m);
                for (int e = 0; e < now.length; e++) {
                    int row = e / r.cols, col = e % r.cols;
                    boolean inOutput = false;
                    for (int i : written) {
                        Slot s = slots[i];
                        inOutput |= s.root == r && row >= s.r0 && row < s.r0 + s.rows && col >= s.c0 && col < s.c0 + s.cols;
                    }
                    int ee = e;
                    if (!inOutput) assertEquals(Float.floatToRawIntBits(r.before[e]), Float.floatToRawIntBits(now[e]),
                            () -> "element " + ee + " outside the outputs changed: " + describe());
                }
            }
            Op op = op();
            Map<String, HostMatrix> in = new LinkedHashMap<>(), got = new LinkedHashMap<>(), exp = new LinkedHashMap<>();
            for (int i = 0; i < slots.length; i++) {
                Arg a = method.args().get(i);
                Slot s = slots[i];
                if (s == null || a.tensor() == null || s.root.closed) continue;
                if (a.role() != Role.OUT) in.put(a.tensor(), new HostMatrix(s.rows, s.cols, s.window(s.root.before)));
            }
            for (int i : written) {
                Arg a = method.args().get(i);
                Slot s = slots[i];
                String name = a.tensor() == null ? a.name() : a.tensor();
                got.put(name, new HostMatrix(s.rows, s.cols, s.window(read(s.root.m))));
                exp.put(name, new HostMatrix(s.rows, s.cols, s.window(read(s.root.mm))));
            }
            if (result != null) {
                got.put("r", new HostMatrix(1, 1, new float[] {(float) (double) (Double) result}));
                exp.put("r", new HostMatrix(1, 1, new float[] {(float) (double) (Double) want}));
            }
            // a NaN, infinite or huge (>= 1e30) scalar is outside every op's validated range: its results need only be
            // finite where the reference's are (the op's error bound assumes ordinary scalars; see rate_step's noise)
            boolean extreme = ctx.f.values().stream().anyMatch(v -> !(Math.abs(v) < 1e30f));
            Params p = op == null || extreme ? null : op.params(method.params().of(ctx));
            boolean anyNaN = false;
            for (String name : got.keySet()) {
                HostMatrix g = got.get(name), x = exp.get(name);
                if (extreme) {
                    for (int e = 0; e < g.data().length; e++) {
                        int ee = e;
                        assertEquals(Float.isFinite(x.data()[e]), Float.isFinite(g.data()[e]),
                                () -> name + " element " + ee + " is " + g.data()[ee] + ", the reference " + x.data()[ee] + ": " + describe());
                    }
                } else {
                    ErrorModel model = op == null ? ErrorModel.exact(g.data().length) : op.error(name, in, exp, p);
                    Check.Result c = Check.compare(g, x, model);
                    assertTrue(c.pass(), () -> name + " differs from the java reference: " + c.summary() + "\n" + describe());
                }
                if (d.id().equals("java")) assertArrayEquals(bits(x.data()), bits(g.data()), () -> name + ": java must give the reference's bits\n" + describe());
                for (float v : g.data()) anyNaN |= Float.isNaN(v);
            }
            Map<String, Float> used = new HashMap<>(ctx.f);
            if (method.name().equals("signFeedback") && ctx.has("r")) used.remove("scale");   // documented: scale is used only without r
            boolean nanScalar = used.values().stream().anyMatch(v -> Float.isNaN(v));
            if (nanScalar) {
                boolean propagates = anyNaN;
                assertTrue(propagates, () -> "a NaN scalar was accepted, so it must propagate, yet no output is NaN: " + describe());
            }
        }

        void closeAll() {
            for (Root r : roots) {
                if (r.m != null) r.m.close();
                if (r.mm != null) r.mm.close();
            }
        }
    }

    static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) b[i] = Float.floatToRawIntBits(x[i]);
        return b;
    }

    /** A GEMM whose exact result is known: the device still works. */
    static void stillComputes(Device d) {
        try (Matrix a = d.upload(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Matrix b = d.upload(new float[] {1, 0, 0, 1, 1, 1}, 3, 2); Matrix c = d.allocate(2, 2)) {
            d.gemm(Trans.N, Trans.N, 1f, a, b, 0f, c);
            assertArrayEquals(new float[] {4, 5, 10, 11}, d.download(c), () -> d.id() + " no longer computes a GEMM correctly");
        }
    }
}

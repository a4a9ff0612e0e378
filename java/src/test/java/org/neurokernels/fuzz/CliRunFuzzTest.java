package org.neurokernels.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

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
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import org.neurokernels.TestDevices;
import org.neurokernels.io.Npy;
import org.neurokernels.ops.Check;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Params;
import org.neurokernels.ops.Spec;

/**
 * Fuzzes {@code neurokernels run} in this JVM: every registry op on every test device (java and PoCL),
 * starting from a valid small case of the op (shapes at most 64) and applying up to three mutations to
 * it: shapes that may not fit, missing, unknown and repeated inputs, .npy files of another dtype, byte
 * order or layout, header variants NumPy writes, damaged files, out-of-range, non-finite, non-numeric,
 * unknown and repeated parameters, bad output names and paths, unknown devices and ops, and malformed
 * options. Whatever the mix, the command must
 * <ul>
 * <li>exit 0 or 2 and never let an exception out of {@code Main.execute};</li>
 * <li>succeed when nothing was mutated (or only into a header NumPy also writes), and fail when a
 *     mutation makes the command wrong for certain;</li>
 * <li>on failure, end stderr with exactly one non-empty {@code error:} line, without a stack trace or a
 *     bare exception name, and leave the directory as it was: no output file, no temporary file, the
 *     inputs untouched;</li>
 * <li>on success, write every named output as a valid .npy of the op's dtype and output shape, equal to
 *     the {@code java} reference within the op's error model (bit for bit on {@code java}).</li>
 * </ul>
 * The seed is fixed ({@link FuzzSeeds}); -Dneurokernels.fuzz.seed=S replays another.
 */
@AddLifecycleHook(FuzzSeeds.class)
class CliRunFuzzTest {
    static final List<Op> OPS = OpRegistry.all();
    static final List<String> DEVICES = TestDevices.selectors();
    private static final Map<String, List<Op.Case>> SMALL = new HashMap<>();

    enum Kind {
        SHAPE, SHAPE_ALL, DROP_INPUT, UNKNOWN_INPUT, DUPLICATE_INPUT, IN_WITHOUT_EQUALS, IN_EMPTY_PATH, IN_MISSING_FILE, IN_DIRECTORY,
        FOREIGN_DTYPE, VARIANT, DAMAGE, PARAM_VALUE, PARAM_UNKNOWN, PARAM_DUPLICATE, PARAM_WITHOUT_EQUALS,
        OUT_UNKNOWN, OUT_DUPLICATE, OUT_EVERY, OUT_NO_DIRECTORY, OUT_IS_DIRECTORY, OUT_EMPTY_PATH, OUT_SAME_FILE, OUT_OVER_INPUT,
        DEVICE_UNKNOWN, OP_UNKNOWN, OPTION_WITHOUT_VALUE, OPTION_UNKNOWN, NO_OP
    }

    /** One change to a valid command; {@code a} and {@code b} pick what it applies to and how. */
    record Mutation(Kind kind, int a, int b) {
        @Override public String toString() { return kind + "(" + a + ", " + b + ")"; }
    }

    /** A command: the op, device and small case by index, the mutations, and the seed of the input values. */
    record Scenario(int op, int device, int kase, List<Mutation> mutations, long dataSeed) { }

    /** What the command must do: succeed, fail, or either (then it is judged by what it wrote). */
    enum Expect { PASS, EITHER, FAIL }

    @Provide
    Arbitrary<Scenario> scenarios() {
        // weighted toward the mutations whose outcome the op decides (shapes, parameter values, header variants)
        List<Tuple.Tuple2<Integer, Kind>> weights = new ArrayList<>();
        Map<Kind, Integer> heavy = Map.of(Kind.SHAPE, 6, Kind.SHAPE_ALL, 3, Kind.PARAM_VALUE, 8, Kind.VARIANT, 4, Kind.OUT_EVERY, 3,
                Kind.OUT_OVER_INPUT, 2, Kind.DROP_INPUT, 3, Kind.FOREIGN_DTYPE, 3, Kind.DAMAGE, 4);
        for (Kind k : Kind.values()) weights.add(Tuple.of(heavy.getOrDefault(k, 1), k));
        Arbitrary<Mutation> mutation = Combinators.combine(Arbitraries.frequency(weights), Arbitraries.integers().between(0, 9999),
                Arbitraries.integers().between(0, 9999)).as(Mutation::new);
        Arbitrary<Integer> op = Arbitraries.integers().between(0, OPS.size() - 1).withDistribution(RandomDistribution.uniform());
        Arbitrary<Integer> device = Arbitraries.integers().between(0, DEVICES.size() - 1).withDistribution(RandomDistribution.uniform());
        return Combinators.combine(op, device, Arbitraries.integers().between(0, 99), mutation.list().ofMaxSize(3), Arbitraries.longs()).as(Scenario::new);
    }

    @Property(tries = 150, seed = FuzzSeeds.SEED, shrinking = ShrinkingMode.BOUNDED, edgeCases = EdgeCasesMode.NONE)
    void runExitsZeroOrTwoWithOneErrorLineAndWritesOnlyCorrectOutputs(@ForAll("scenarios") Scenario s) throws IOException {
        Path dir = Files.createTempDirectory("nk-fuzz-run");
        try {
            Plan plan = new Plan(s, dir);
            Cli.Result r = plan.run();
            Statistics.label("op").collect(plan.op.name());
            Statistics.label("device").collect(plan.device);
            Statistics.label("outcome").collect(plan.expect + " -> " + (r.status() == 0 ? "ran" : "refused"));
            plan.judge(r);
        } finally {
            deleteTree(dir);
        }
    }

    // ------------------------------------------------------------------ regressions (bugs this suite found)

    /** --out naming an output the given inputs do not produce wrote the other outputs, then failed with a NullPointerException's text. */
    @Example
    void anOutputTheInputsDoNotProduceIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path dir = Files.createTempDirectory("nk-fuzz-run");
        try {
            Path w = write(dir, "w.npy", new HostMatrix(2, 3, new float[6])), g = write(dir, "g.npy", new HostMatrix(2, 3, new float[] {1, 2, 3, 4, 5, 6}));
            Path wOut = dir.resolve("w-out.npy"), vOut = dir.resolve("v-out.npy");
            Cli.Result r = Cli.run(List.of("run", "sgd_update", "--device", "java", "--in", "w=" + w, "--in", "grad=" + g,
                    "--out", "w=" + wOut, "--out", "velocity=" + vOut));
            String line = refusedWithOneErrorLine(r);
            assertTrue(line.contains("velocity"), r.describe());
            assertFalse(Files.exists(wOut) || Files.exists(vOut), "nothing may be written: " + r.describe());
        } finally {
            deleteTree(dir);
        }
    }

    /** Two outputs sent to one file: the second silently replaced the first. */
    @Example
    void twoOutputsIntoOneFileAreRefused() throws IOException {
        Path dir = Files.createTempDirectory("nk-fuzz-run");
        try {
            Path y = write(dir, "y.npy", new HostMatrix(2, 2, new float[] {0.5f, 0.25f, 0.125f, 1}));
            Path t = write(dir, "t.npy", new HostMatrix(2, 2, new float[] {1, 0, 0, 1}));
            Path out = dir.resolve("both.npy");
            Cli.Result r = Cli.run(List.of("run", "mse", "--device", "java", "--in", "y=" + y, "--in", "targets=" + t,
                    "--out", "grad=" + out, "--out", "loss=" + dir.resolve(".").resolve("both.npy")));
            String line = refusedWithOneErrorLine(r);
            assertTrue(line.contains("grad") && line.contains("loss"), r.describe());
            assertFalse(Files.exists(out), r.describe());
        } finally {
            deleteTree(dir);
        }
    }

    /** A header that spans lines put its second line on stderr after the error line. */
    @Example
    void aMultiLineHeaderGivesOneErrorLine() throws IOException {
        Path dir = Files.createTempDirectory("nk-fuzz-run");
        try {
            HostMatrix x = new HostMatrix(2, 2, new float[] {1, 2, 3, 4});
            for (NpyBytes.Damage d : List.of(NpyBytes.Damage.MULTILINE_HEADER, NpyBytes.Damage.LONG_HEADER, NpyBytes.Damage.CONTROL_CHARACTERS)) {
                Path f = dir.resolve("x.npy");
                Files.write(f, NpyBytes.damage(x, d, 0));
                Cli.Result r = Cli.run(List.of("run", "copy", "--device", "java", "--in", "x=" + f, "--out", "y=" + dir.resolve("y.npy")));
                String line = refusedWithOneErrorLine(r);
                assertTrue(line.contains("x.npy"), r.describe());
                assertTrue(line.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f), () -> d + ": control characters in " + r.describe());
                assertTrue(line.length() < 1000, () -> d + ": an error line of " + line.length() + " characters");
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** A usage mistake picocli catches (a missing value, an unknown option, no op) printed the usage text, not one error line. */
    @Example
    void usageMistakesAreOneErrorLine() {
        for (List<String> args : List.of(List.of("run", "copy", "--in"), List.of("run", "copy", "--bogus"), List.of("run"),
                List.of("run", "copy", "extra", "words"), List.of("simulate", "--neurons", "x"), List.of("frobnicate"))) {
            Cli.Result r = Cli.run(args);
            String line = refusedWithOneErrorLine(r);
            assertTrue(line.contains("--help"), () -> "the line says where to look: " + r.describe());
        }
    }

    /** An empty file name after NAME= was reported as "input file  is a directory" (the current directory). */
    @Example
    void anEmptyFileNameIsNamedAsSuch() throws IOException {
        Path dir = Files.createTempDirectory("nk-fuzz-run");
        try {
            Path x = write(dir, "x.npy", new HostMatrix(1, 2, new float[] {1, 2}));
            for (List<String> args : List.of(List.of("--in", "x="), List.of("--in", "x=" + x, "--out", "y=  "))) {
                List<String> all = new ArrayList<>(List.of("run", "copy", "--device", "java"));
                all.addAll(args);
                Cli.Result r = Cli.run(all);
                String line = refusedWithOneErrorLine(r);
                assertTrue(line.contains("no file name"), r.describe());
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** bool parameters took "t" and "n" but refused "f" and "y". */
    @Example
    void boolParametersTakeBothShortForms() {
        Op gemm = OpRegistry.get("gemm");
        for (String[] v : new String[][] {{"t", "true"}, {"f", "false"}, {"y", "true"}, {"n", "false"}, {"YES", "true"}, {"No", "false"}}) {
            assertEquals(Boolean.parseBoolean(v[1]), gemm.params(Map.of("trans_a", v[0])).getBool("trans_a"), v[0]);
        }
    }

    /** random_uniform with a range wider than float (hi - lo overflows) gave Infinity and NaN instead of numbers in [lo, hi). */
    @Example
    void aRandomRangeWiderThanFloatIsRefused() {
        Path out = Path.of(System.getProperty("java.io.tmpdir"), "nk-fuzz-never-" + ProcessHandle.current().pid() + ".npy");
        Cli.Result r = Cli.run(List.of("run", "random_uniform", "--device", "java", "--param", "rows=2", "--param", "cols=3",
                "--param", "lo=-3e38", "--param", "hi=3e38", "--out", "out=" + out));
        String line = refusedWithOneErrorLine(r);
        assertTrue(line.contains("lo") && line.contains("hi"), r.describe());
        assertFalse(Files.exists(out));
    }

    // ------------------------------------------------------------------ the command a scenario builds

    /** An input file to be: its name on the command line, the matrix, and the bytes or path that carry it. */
    private static final class InFile {
        final String name;
        HostMatrix value;
        final Spec.Tensor tensor;
        byte[] bytes;
        Path path;          // set by materialize, or a path that is not a readable file

        InFile(String name, HostMatrix value, Spec.Tensor tensor) {
            this.name = name;
            this.value = value;
            this.tensor = tensor;
            this.bytes = Npy.toBytes(value);
        }
    }

    private record Out(String name, Path path) { }

    private static final class Plan {
        final Path dir;
        final Random rnd;
        final Op op;
        final Map<String, String> baseParams;
        String opName;
        String device;
        boolean withOp = true;
        Expect expect = Expect.PASS;
        boolean extreme;
        final List<String> why = new ArrayList<>();
        final List<InFile> ins = new ArrayList<>();
        final List<String> rawIns = new ArrayList<>();
        final List<String> params = new ArrayList<>();
        final List<String> rawParams = new ArrayList<>();
        final List<Out> outs = new ArrayList<>();
        final List<String> rawOuts = new ArrayList<>();
        final List<String> extra = new ArrayList<>();
        final Map<Path, byte[]> before = new LinkedHashMap<>();
        final java.util.Set<Object> broken = new java.util.HashSet<>();   // inputs and parameters already made wrong

        Plan(Scenario s, Path dir) {
            this.dir = dir;
            this.rnd = new Random(s.dataSeed());
            this.op = OPS.get(s.op());
            this.opName = op.name();
            this.device = DEVICES.get(s.device());
            List<Op.Case> cases = small(op);
            Op.Case c = cases.get(s.kase() % cases.size());
            this.baseParams = new TreeMap<>(c.params());
            Map<String, HostMatrix> values = op.randomInputs(c, rnd);
            for (Spec.Tensor t : op.inputs()) if (values.containsKey(t.name())) ins.add(new InFile(t.name(), values.get(t.name()), t));
            baseParams.forEach((k, v) -> params.add(k + "=" + v));
            List<String> produced = new ArrayList<>(op.check(values, op.params(baseParams)).keySet());
            for (String name : produced) if (rnd.nextInt(10) < 6) outs.add(new Out(name, dir.resolve("out-" + name + ".npy")));
            if (outs.isEmpty()) outs.add(new Out(produced.get(0), dir.resolve("out-" + produced.get(0) + ".npy")));
            // mutations that replace values or bytes go first, so none undoes what a later one broke
            List<Mutation> ordered = new ArrayList<>(s.mutations());
            ordered.sort(Comparator.comparingInt(m -> switch (m.kind()) {
                case DROP_INPUT -> 0;
                case SHAPE, SHAPE_ALL -> 1;
                case VARIANT, PARAM_VALUE, OUT_OVER_INPUT -> 2;
                case FOREIGN_DTYPE -> 3;
                case DAMAGE -> 4;
                default -> 5;
            }));
            for (Mutation m : ordered) apply(m);
        }

        void fail(String reason) {
            expect = Expect.FAIL;
            why.add(reason);
        }

        void either(String reason) {
            if (expect == Expect.PASS) expect = Expect.EITHER;
            why.add(reason);
        }

        private static <T> T pick(List<T> list, int k) { return list.get(Math.floorMod(k, list.size())); }

        private HostMatrix fresh(String name, int rows, int cols, HostMatrix.DType dtype) {
            return new HostMatrix(rows, cols, op.generate(name, rows, cols, op.params(baseParams), rnd), dtype);
        }

        private Path unusedOutPath(String name) { return dir.resolve("out-" + name + "-" + outs.size() + ".npy"); }

        void apply(Mutation m) {
            int a = m.a(), b = m.b();
            switch (m.kind()) {
                case SHAPE: {
                    if (ins.isEmpty()) return;
                    InFile f = pick(ins, a);
                    int r = f.value.rows(), c = f.value.cols();
                    int[][] shapes = {{r + 1, c}, {r, c + 1}, {c, r}, {1 + a % 64, 1 + b % 64}};
                    int[] sh = shapes[b % shapes.length];
                    if (sh[0] == r && sh[1] == c) return;
                    f.value = fresh(f.name, sh[0], sh[1], f.value.dtype());
                    f.bytes = Npy.toBytes(f.value);
                    either(f.name + " reshaped to " + sh[0] + "x" + sh[1]);
                    return;
                }
                case SHAPE_ALL: {
                    int r = 1 + a % 64, c = 1 + b % 64;
                    for (InFile f : ins) {
                        f.value = fresh(f.name, r, c, f.value.dtype());
                        f.bytes = Npy.toBytes(f.value);
                    }
                    if (!ins.isEmpty()) either("every input " + r + "x" + c);
                    return;
                }
                case DROP_INPUT: {
                    if (ins.isEmpty()) return;
                    InFile f = ins.remove(Math.floorMod(a, ins.size()));
                    if (f.tensor != null && !f.tensor.optional()) fail("required input " + f.name + " dropped");
                    else either("optional input " + f.name + " dropped");
                    return;
                }
                case UNKNOWN_INPUT: {
                    String name = pick(List.of("q", "A", "X", "x ", "in", "input_0", "\u03b1", "c.npy"), b);
                    if (op.inputs().stream().anyMatch(t -> t.name().equals(name))) return;
                    ins.add(new InFile(name, fresh("x", 2, 2, HostMatrix.DType.FLOAT32), null));
                    fail("unknown input " + name);
                    return;
                }
                case DUPLICATE_INPUT: {
                    if (ins.isEmpty()) return;
                    InFile f = pick(ins, a);
                    InFile again = new InFile(f.name, f.value, f.tensor);
                    again.bytes = f.bytes;
                    ins.add(again);
                    fail("--in " + f.name + " twice");
                    return;
                }
                case IN_WITHOUT_EQUALS:
                    rawIns.add(pick(List.of("x.npy", "x", "", "=x.npy"), b));
                    fail("--in without NAME=");
                    return;
                case IN_EMPTY_PATH: {
                    String name = ins.isEmpty() ? "x" : pick(ins, a).name;
                    ins.removeIf(f -> f.name.equals(name));
                    rawIns.add(name + "=");
                    fail("--in " + name + "= (no file)");
                    return;
                }
                case IN_MISSING_FILE: {
                    if (ins.isEmpty()) return;
                    pick(ins, a).path = dir.resolve(b % 2 == 0 ? "missing.npy" : "no-such-dir/missing.npy");
                    fail("input file missing");
                    return;
                }
                case IN_DIRECTORY: {
                    if (ins.isEmpty()) return;
                    pick(ins, a).path = dir;
                    fail("input is a directory");
                    return;
                }
                case FOREIGN_DTYPE: {
                    if (ins.isEmpty()) return;
                    InFile f = pick(ins, a);
                    NpyBytes.Foreign kind = pick(List.of(NpyBytes.Foreign.values()), b);
                    if (broken.contains(f)) return;
                    f.bytes = NpyBytes.write(f.value, kind);
                    boolean same = (kind == NpyBytes.Foreign.FLOAT32 && f.value.dtype() == HostMatrix.DType.FLOAT32)
                            || (kind == NpyBytes.Foreign.UINT32 && f.value.dtype() == HostMatrix.DType.UINT32);
                    if (!same) {
                        broken.add(f);
                        fail(f.name + " written as " + kind);
                    }
                    return;
                }
                case VARIANT: {
                    if (ins.isEmpty()) return;
                    InFile f = pick(ins, a);
                    f.bytes = NpyBytes.write(f.value, pick(List.of(NpyBytes.Variant.values()), b));
                    return;
                }
                case DAMAGE: {
                    if (ins.isEmpty()) return;
                    InFile f = pick(ins, a);
                    NpyBytes.Damage d = pick(List.of(NpyBytes.Damage.values()), b);
                    f.bytes = NpyBytes.damage(f.value, d, a);
                    broken.add(f);
                    fail(f.name + " damaged: " + d);
                    return;
                }
                case PARAM_VALUE: {
                    if (op.params().isEmpty()) {
                        params.add("alpha=1");
                        fail(op.name() + " takes no parameters");
                        return;
                    }
                    Spec.Param p = pick(op.params(), a);
                    Hostile h = hostile(p, b);
                    if (!broken.add(p.name())) return;   // one value per parameter
                    params.removeIf(x -> x.startsWith(p.name() + "="));
                    params.add(p.name() + "=" + h.text());
                    if (h.refused()) fail(p.name() + "=" + h.text() + " is not a valid " + p.type());
                    else either(p.name() + "=" + h.text());
                    extreme |= h.extreme();
                    return;
                }
                case PARAM_UNKNOWN: {
                    String name = pick(List.of("alpha2", "Alpha", "ALPHA", "lr ", "", "seed.", "--alpha", "trans"), b);
                    if (op.params().stream().anyMatch(p -> p.name().equals(name))) return;
                    params.add(name + "=1");
                    fail("unknown parameter '" + name + "'");
                    return;
                }
                case PARAM_DUPLICATE: {
                    String name = op.params().isEmpty() ? "alpha" : pick(op.params(), a).name();
                    String value = op.params().isEmpty() ? "1" : pick(op.params(), a).defaultValue();
                    params.add(name + "=" + value);
                    params.add(name + "=" + value);
                    fail("--param " + name + " twice");
                    return;
                }
                case PARAM_WITHOUT_EQUALS:
                    rawParams.add(pick(List.of("alpha", "", "=1", "1"), b));
                    fail("--param without KEY=");
                    return;
                case OUT_UNKNOWN: {
                    String name = pick(List.of("z", "C", "out2", "grad ", "", "velocity_x"), b);
                    if (op.outputs().stream().anyMatch(t -> t.name().equals(name))) return;
                    outs.add(new Out(name, unusedOutPath("unknown")));
                    fail("unknown output '" + name + "'");
                    return;
                }
                case OUT_DUPLICATE: {
                    if (outs.isEmpty()) return;
                    Out o = pick(outs, a);
                    outs.add(new Out(o.name(), unusedOutPath(o.name())));
                    fail("--out " + o.name() + " twice");
                    return;
                }
                // outputs are only ever added (a name given twice is refused as such), so no mutation undoes another
                case OUT_EVERY:
                    for (Spec.Tensor t : op.outputs()) {
                        if (outs.stream().noneMatch(o -> o.name().equals(t.name()))) outs.add(new Out(t.name(), unusedOutPath(t.name())));
                    }
                    either("every declared output named");
                    return;
                case OUT_NO_DIRECTORY:
                    outs.add(new Out(pick(op.outputs(), a).name(), dir.resolve("no-such-dir").resolve("o.npy")));
                    fail("output directory missing");
                    return;
                case OUT_IS_DIRECTORY:
                    outs.add(new Out(pick(op.outputs(), a).name(), dir));
                    fail("output is a directory");
                    return;
                case OUT_EMPTY_PATH: {
                    String name = pick(op.outputs(), a).name();
                    rawOuts.add(name + "=");
                    fail("--out " + name + "= (no file)");
                    return;
                }
                case OUT_SAME_FILE: {
                    List<String> names = op.outputs().stream().map(Spec.Tensor::name).toList();
                    String first = pick(names, a), second = pick(names, b);
                    Path same = unusedOutPath("same");
                    outs.add(new Out(first, same));
                    outs.add(new Out(second, same));
                    fail(first.equals(second) ? "--out " + first + " twice" : "--out " + first + " and " + second + " into one file");
                    return;
                }
                case OUT_OVER_INPUT: {
                    if (ins.isEmpty() || outs.isEmpty()) return;
                    int k = Math.floorMod(a, outs.size());
                    InFile f = pick(ins, b);
                    if (f.path != null) return;
                    f.path = dir.resolve("in-" + ins.indexOf(f) + ".npy");
                    outs.set(k, new Out(outs.get(k).name(), f.path));
                    return;   // replacing an input file by an output is allowed: inputs are read before anything runs
                }
                case DEVICE_UNKNOWN:
                    device = pick(List.of("cuda:99", "opencl:no-such-device", "gpu0", "opencl:9:9", "", "cuda:x", "java:1"), b);
                    fail("device '" + device + "'");
                    return;
                case OP_UNKNOWN:
                    opName = pick(List.of("gemmm", "GEMM ", "", "lif-step", "../gemm", "gemm;"), b);
                    fail("op '" + opName + "'");
                    return;
                case OPTION_WITHOUT_VALUE:
                    extra.add(pick(List.of("--in", "--out", "--param", "--device"), b));
                    fail("an option without its value at the end");
                    return;
                case OPTION_UNKNOWN:
                    extra.add(0, pick(List.of("--bogus", "-x", "--in-file=a", "--outs", "---in"), b));
                    fail("an unknown option");
                    return;
                default:
                    withOp = false;
                    fail("no op name");
            }
        }

        List<String> args() {
            List<String> args = new ArrayList<>(List.of("run"));
            if (withOp) args.add(opName);
            args.add("--device");
            args.add(device);
            for (InFile f : ins) {
                args.add("--in");
                args.add(f.name + "=" + f.path);
            }
            for (String s : rawIns) {
                args.add("--in");
                args.add(s);
            }
            for (String p : params) {
                args.add("--param");
                args.add(p);
            }
            for (String p : rawParams) {
                args.add("--param");
                args.add(p);
            }
            for (Out o : outs) {
                args.add("--out");
                args.add(o.name() + "=" + o.path());
            }
            for (String s : rawOuts) {
                args.add("--out");
                args.add(s);
            }
            args.addAll(extra);
            return args;
        }

        Cli.Result run() throws IOException {
            for (int i = 0; i < ins.size(); i++) {
                InFile f = ins.get(i);
                if (f.path == null) f.path = dir.resolve("in-" + i + ".npy");
                if (f.path.getParent().equals(dir) && !f.path.getFileName().toString().equals("missing.npy")) Files.write(f.path, f.bytes);
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) before.put(p.getFileName(), Files.readAllBytes(p));
            }
            return Cli.run(args());
        }

        void judge(Cli.Result r) throws IOException {
            String what = r.describe() + "\n  expected " + expect + (why.isEmpty() ? "" : " " + why);
            assertNull(r.escaped(), () -> "an exception left Main.execute: " + what);
            assertTrue(r.status() == 0 || r.status() == 2, () -> "exit status must be 0 or 2: " + what);
            assertEquals("", r.out(), () -> "run prints nothing on stdout: " + what);
            if (expect == Expect.PASS) assertEquals(0, r.status(), () -> "a valid command must run: " + what);
            if (expect == Expect.FAIL) assertEquals(2, r.status(), () -> "a wrong command must be refused: " + what);
            if (r.status() != 0) {
                refusedWithOneErrorLine(r);
                Map<Path, byte[]> after = new LinkedHashMap<>();
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path p : files.toList()) after.put(p.getFileName(), Files.readAllBytes(p));
                }
                assertEquals(before.keySet(), after.keySet(), () -> "a refused command leaves no file behind: " + what);
                for (Path p : before.keySet()) assertArrayEquals(before.get(p), after.get(p), () -> p + " changed although the command failed: " + what);
                return;
            }
            assertFalse(r.err().lines().anyMatch(l -> l.startsWith("error:")), () -> "no error line on success: " + what);
            // what the command read, from the bytes written before it ran (an output may have replaced an input file)
            Map<String, HostMatrix> in = new LinkedHashMap<>();
            for (InFile f : ins) in.put(f.name, Npy.parse(f.bytes, f.name));
            Map<String, String> given = new LinkedHashMap<>();
            for (String p : params) given.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
            Params p;
            Map<String, int[]> shapes;
            try {
                p = OpRegistry.get(opName).params(given);
                shapes = op.check(in, p);
            } catch (RuntimeException e) {
                fail("the command ran although the op refuses its inputs (" + e.getMessage() + "): " + what);
                return;
            }
            Map<String, HostMatrix> ref = op.execute(TestDevices.reference(), in, p);
            for (Out o : outs) {
                assertTrue(shapes.containsKey(o.name()), () -> "output " + o.name() + " is not produced for these inputs, yet the command ran: " + what);
                assertTrue(Files.isRegularFile(o.path()), () -> o.path() + " was not written: " + what);
                HostMatrix got = Npy.read(o.path());
                Spec.Tensor t = op.outputs().stream().filter(x -> x.name().equals(o.name())).findFirst().orElseThrow();
                assertEquals(t.dtype(), got.dtype(), () -> o.name() + " dtype: " + what);
                assertArrayEquals(shapes.get(o.name()), got.shape(), () -> o.name() + " shape: " + what);
                HostMatrix want = ref.get(o.name());
                if (extreme) {
                    for (int e = 0; e < got.data().length; e++) {
                        int ee = e;
                        assertEquals(Float.isFinite(want.data()[e]), Float.isFinite(got.data()[e]),
                                () -> o.name() + " element " + ee + " is " + got.data()[ee] + ", the reference " + want.data()[ee] + ": " + what);
                    }
                } else {
                    Check.Result c = Check.compare(got, want, op.error(o.name(), in, ref, p));
                    assertTrue(c.pass(), () -> o.name() + " differs from the java reference: " + c.summary() + "\n" + what);
                }
                if (device.equalsIgnoreCase("java")) {
                    for (int e = 0; e < got.data().length; e++) {
                        int ee = e;
                        assertEquals(ref.get(o.name()).bits(e), got.bits(e), () -> o.name() + " element " + ee + " is not the reference's bits: " + what);
                    }
                }
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), () -> "a temporary file was left behind: " + what);
            }
        }
    }

    /** A parameter value and whether it is wrong for certain (else the op decides). */
    record Hostile(String text, boolean refused) {
        /** Far outside the values an op's error bound is stated for: the results need only be finite where the reference's are. */
        boolean extreme() { return !refused && text.matches("\\s*-?(3\\.4028235e38|1e6|65504)\\s*"); }
    }

    static Hostile hostile(Spec.Param p, int k) {
        List<Hostile> pool;
        switch (p.type()) {
            case "float":
                pool = List.of(new Hostile("NaN", true), new Hostile("Infinity", true), new Hostile("-Infinity", true), new Hostile("1e40", true),
                        new Hostile("-1e39", true), new Hostile("1e-50", true), new Hostile("abc", true), new Hostile("", true), new Hostile("1,5", true),
                        new Hostile("3.4028235e38", false), new Hostile("-3.4028235e38", false), new Hostile("1.4e-45", false), new Hostile("0", false),
                        new Hostile("-0", false), new Hostile("1e-30", false), new Hostile("65504", false), new Hostile("-1", false),
                        new Hostile(" 2.5 ", false), new Hostile("1e6", false), new Hostile("0.5", false));
                break;
            case "int":
                pool = p.name().equals("steps") || p.name().equals("rows") || p.name().equals("cols")
                        // sizes: a huge valid count would only make the run long
                        ? List.of(new Hostile("2147483648", true), new Hostile("-2147483649", true), new Hostile("1.5", true), new Hostile("abc", true),
                                new Hostile("", true), new Hostile("0", true), new Hostile("-1", true), new Hostile("1", false),
                                new Hostile("3", false), new Hostile("64", false), new Hostile("1000", false))
                        : List.of(new Hostile("2147483648", true), new Hostile("-2147483649", true), new Hostile("99999999999999999999", true),
                                new Hostile("1.5", true), new Hostile("0x10", true), new Hostile("", true), new Hostile("abc", true), new Hostile("-1", false),
                                new Hostile("0", false), new Hostile("2147483647", false), new Hostile("-2147483648", false), new Hostile("7", false));
                break;
            case "uint64":
                pool = List.of(new Hostile("-1", true), new Hostile("18446744073709551616", true), new Hostile("1e3", true), new Hostile("", true),
                        new Hostile("0x1", true), new Hostile("18446744073709551615", false), new Hostile("0", false),
                        new Hostile("9223372036854775808", false), new Hostile("+5", false));
                break;
            case "bool":
                pool = List.of(new Hostile("maybe", true), new Hostile("", true), new Hostile("2", true), new Hostile("TRUE", false),
                        new Hostile("yes", false), new Hostile("0", false), new Hostile("f", false), new Hostile("y", false));
                break;
            default:   // activation
                pool = List.of(new Hostile("sigmoid", true), new Hostile("", true), new Hostile("tanh2", true), new Hostile("TANH", false),
                        new Hostile(" relu ", false), new Hostile("logistic", false), new Hostile("identity", false), new Hostile("softplus", false));
        }
        return pool.get(Math.floorMod(k, pool.size()));
    }

    /** The op's cases whose matrices are all at most 64 x 64, inputs in declaration order (so data are reproducible). */
    static synchronized List<Op.Case> small(Op op) {
        return SMALL.computeIfAbsent(op.name(), n -> {
            List<Op.Case> out = new ArrayList<>();
            for (Op.Case c : op.cases(false)) {
                boolean fits = c.shapes().values().stream().allMatch(s -> s[0] <= 64 && s[1] <= 64)
                        && Integer.parseInt(c.params().getOrDefault("rows", "1")) <= 64 && Integer.parseInt(c.params().getOrDefault("cols", "1")) <= 64;
                if (!fits) continue;
                Map<String, int[]> ordered = new LinkedHashMap<>();
                for (Spec.Tensor t : op.inputs()) if (c.shapes().containsKey(t.name())) ordered.put(t.name(), c.shapes().get(t.name()));
                out.add(new Op.Case(ordered, new TreeMap<>(c.params())));
            }
            assertFalse(out.isEmpty(), "op " + n + " has no case within 64 x 64");
            return out;
        });
    }

    /**
     * A refused command: exit 2 and, as the last thing on stderr, exactly one "error: " line that says
     * something, with no stack trace, no bare exception name and no control characters; nothing written.
     */
    static String refusedWithOneErrorLine(Cli.Result r) {
        String what = r.describe();
        assertNull(r.escaped(), () -> "an exception left Main.execute: " + what);
        assertEquals(2, r.status(), () -> "must be refused with status 2: " + what);
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.stream().filter(l -> l.startsWith("error:")).count(), () -> "exactly one error line: " + what);
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("error: "), () -> "the error line comes last, on one line: " + what);
        String message = last.substring("error: ".length()).trim();
        assertFalse(message.isEmpty() || message.equals("null"), () -> "an empty message: " + what);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in thread") || r.err().contains("Caused by:"), () -> "a stack trace: " + what);
        assertFalse(message.matches("(?s)[\\w.$]*(Exception|Error)( at .*)?") || message.contains("Cannot invoke") || message.contains("because \""),
                () -> "an internal error leaked out as the message: " + what);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("wrote ")), () -> "a refused command wrote a file: " + what);
        return last;
    }

    static Path write(Path dir, String name, HostMatrix m) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, Npy.toBytes(m));
        return f;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

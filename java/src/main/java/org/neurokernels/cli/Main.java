package org.neurokernels.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.google.gson.GsonBuilder;

import org.neurokernels.Device;
import org.neurokernels.DeviceInfo;
import org.neurokernels.Devices;
import org.neurokernels.conformance.Report;
import org.neurokernels.conformance.Verifier;
import org.neurokernels.io.Npy;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Params;
import org.neurokernels.ops.Spec;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code neurokernels} command line. */
@Command(name = "neurokernels", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "OpenCL and CUDA kernels for learning and neural dynamics, checked against a Java reference.",
        subcommands = {Main.DevicesCommand.class, Main.OpsCommand.class, Main.RunCommand.class, Main.VerifyCommand.class, Main.TuneCommand.class, TrainCommand.class, SimulateCommand.class, PlanCommand.class})
public final class Main implements Runnable {
    static final String VERSION = "neurokernels 0.1.0";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() { spec.commandLine().usage(System.out); }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the CLI and returns its exit status (for tests): 0 on success, 2 for a usage error or a failure
     * printed as one line starting with "error: " (no stack trace), 1 where a command says so (verify).
     */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOverwrittenOptionsAllowed(true);  // a later --option wins: ./neurokernels demo --epochs 2 overrides the demo's default
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("error: " + Checks.oneLine(Checks.describe(ex)));
            return 2;
        });
        // a usage mistake (unknown option, missing value, no op) is one error line too, not the usage text
        cl.setParameterExceptionHandler((ex, rest) -> {
            CommandLine line = ex.getCommandLine();
            String hint = ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()
                    ? "; did you mean " + String.join(" or ", u.getSuggestions()) + "?" : "";
            line.getErr().println("error: " + Checks.oneLine(ex.getMessage()) + hint + " (see: " + line.getCommandSpec().qualifiedName() + " --help)");
            return line.getCommandSpec().exitCodeOnInvalidInput();
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            cl.getErr().println("error: " + Checks.oneLine(Checks.outOfMemory(e)));
            cl.getErr().flush();
            return 2;
        }
    }

    static String json(Object o) {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
    }

    @Command(name = "devices", mixinStandardHelpOptions = true, version = Main.VERSION, description = "List every device, and why any backend is unavailable.")
    static final class DevicesCommand implements Callable<Integer> {
        @Option(names = "--json", description = "print JSON") boolean asJson;

        @Override public Integer call() {
            List<Devices.BackendStatus> backends = Devices.backends();
            Devices.Choice auto = Devices.chooseAuto();
            if (asJson) {
                List<Object> bs = new ArrayList<>();
                for (Devices.BackendStatus b : backends) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("backend", b.backend());
                    m.put("available", b.available());
                    m.put("reason", b.reason());
                    m.put("devices", b.devices().stream().map(DeviceInfo::toMap).toList());
                    bs.add(m);
                }
                System.out.println(json(Map.of("backends", bs, "auto", Map.of("selector", auto.selector(), "reason", auto.reason()))));
                return 0;
            }
            for (Devices.BackendStatus b : backends) {
                System.out.println(b.backend() + ": " + (b.available() ? "available, " : "unavailable: ") + b.reason());
                for (DeviceInfo d : b.devices()) {
                    System.out.printf(Locale.ROOT, "  %-12s %s%n", d.id(), d.name());
                    System.out.printf(Locale.ROOT, "  %-12s vendor %s, driver %s, %.1f GiB, %d compute units%n", "", d.vendor(), d.driverVersion(),
                            d.globalMemoryBytes() / (double) (1L << 30), d.computeUnits());
                    d.details().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-12s %s: %s%n", "", k, v));
                }
            }
            System.out.println("auto -> " + auto.selector() + " (" + auto.reason() + ")");
            return 0;
        }
    }

    @Command(name = "ops", mixinStandardHelpOptions = true, version = Main.VERSION, description = "List the op registry: inputs, outputs, parameters, FLOP/byte model.")
    static final class OpsCommand implements Callable<Integer> {
        @Option(names = "--json", description = "print a JSON list of objects with a name field") boolean asJson;

        @Override public Integer call() {
            List<Object> out = new ArrayList<>();
            for (Op op : OpRegistry.all()) {
                if (asJson) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", op.name());
                    m.put("summary", op.summary());
                    m.put("inputs", op.inputs());
                    m.put("outputs", op.outputs());
                    m.put("params", op.params());
                    m.put("in_place", op.inPlace());
                    out.add(m);
                } else {
                    System.out.println(op.name() + ": " + op.summary());
                    for (Spec.Tensor t : op.inputs()) System.out.println("  in   " + t.name() + " [" + t.shape() + "]" + (t.optional() ? " (optional)" : "") + " " + t.doc());
                    for (Spec.Tensor t : op.outputs()) System.out.println("  out  " + t.name() + " [" + t.shape() + "] " + t.doc());
                    for (Spec.Param p : op.params()) System.out.println("  param " + p.name() + " (" + p.type() + ", default " + p.defaultValue() + ") " + p.doc());
                }
            }
            if (asJson) System.out.println(json(out));
            return 0;
        }
    }

    static Map<String, String> pairs(List<String> items, String what) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : items) {
            int eq = s.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException(what + " '" + s + "' must be NAME=VALUE");
            if (m.put(s.substring(0, eq), s.substring(eq + 1)) != null) throw new IllegalArgumentException(what + " " + s.substring(0, eq) + " is given twice");
        }
        return m;
    }

    /** The largest file Files.readAllBytes can hold (a Java array). */
    static final long MAX_NPY_BYTES = Integer.MAX_VALUE - 8;

    @Command(name = "run", mixinStandardHelpOptions = true, version = Main.VERSION, description = "Run one registry op on one device with .npy files in and out (float32, C order).")
    static final class RunCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "op name (see: neurokernels ops)") String opName;
        @Option(names = "--device", defaultValue = "auto", description = "java, opencl:NAME (e.g. opencl:pocl), opencl:P:D, cuda:N or auto (default)") String device;
        @Option(names = "--in", description = "NAME=FILE.npy") List<String> inputs = new ArrayList<>();
        @Option(names = "--param", description = "KEY=VALUE") List<String> params = new ArrayList<>();
        @Option(names = "--out", description = "NAME=FILE.npy (outputs not named are not written)") List<String> outputs = new ArrayList<>();

        @Override public Integer call() throws Exception {
            // everything that can be checked without a device is checked first: op, parameters, input and
            // output names, files, shapes and memory; nothing runs and nothing is written on a mistake
            Op op = OpRegistry.get(opName);
            Params p = op.params(pairs(params, "--param"));
            Map<String, String> inFiles = pairs(inputs, "--in");
            for (Map.Entry<String, String> e : inFiles.entrySet()) {
                if (e.getValue().isBlank()) throw new IllegalArgumentException("--in " + e.getKey() + ": no file name after '" + e.getKey() + "='");
            }
            op.checkInputNames(inFiles.keySet());
            Map<String, String> outs = pairs(outputs, "--out");
            Map<Path, String> outFiles = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : outs.entrySet()) {
                String name = e.getKey();
                if (op.outputs().stream().noneMatch(t -> t.name().equals(name))) {
                    throw new IllegalArgumentException("op " + op.name() + " has no output '" + name + "'; outputs are " + op.outputs().stream().map(Spec.Tensor::name).toList());
                }
                if (e.getValue().isBlank()) throw new IllegalArgumentException("--out " + name + ": no file name after '" + name + "='");
                Checks.outputFile("--out " + name + ": output file", Path.of(e.getValue()));
                String other = outFiles.put(Path.of(e.getValue()).toAbsolutePath().normalize(), name);
                if (other != null) {
                    throw new IllegalArgumentException("--out " + other + " and --out " + name + " name the same file " + e.getValue() + "; the second would replace the first");
                }
            }
            long held = 0;
            for (Map.Entry<String, String> e : inFiles.entrySet()) {
                Path f = Checks.inputFile("--in " + e.getKey() + ": input file", Path.of(e.getValue()));
                long size = java.nio.file.Files.size(f);
                if (size > MAX_NPY_BYTES) {
                    throw new IllegalArgumentException("--in " + e.getKey() + ": input file " + f + " is " + Checks.size(size) + "; run reads .npy files of at most "
                            + Checks.size(MAX_NPY_BYTES) + " (about " + MAX_NPY_BYTES / 4 / 1_000_000 + " million float32 elements)");
                }
                Checks.heap("--in " + e.getKey() + ": reading " + f + " (" + Checks.size(size) + ")", held + 2 * size);
                held += size;
            }
            Map<String, HostMatrix> in = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : inFiles.entrySet()) in.put(e.getKey(), Npy.read(Path.of(e.getValue())));
            Map<String, int[]> outShapes = op.check(in, p);
            for (String name : outs.keySet()) {
                if (!outShapes.containsKey(name)) {   // e.g. sgd_update's velocity without input velocity
                    throw new IllegalArgumentException("--out " + name + ": op " + op.name() + " does not produce output '" + name + "' with the inputs given; it produces "
                            + outShapes.keySet() + " (see: neurokernels ops)");
                }
            }
            long inElements = 0, outElements = 0, newOutElements = 0;
            for (HostMatrix h : in.values()) inElements += h.data().length;
            for (Map.Entry<String, int[]> e : outShapes.entrySet()) {
                long n = (long) e.getValue()[0] * e.getValue()[1];
                outElements += n;
                if (!op.inPlace().contains(e.getKey()) || !in.containsKey(e.getKey())) newOutElements += n;
            }
            String shapes = outShapes.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "x" + e.getValue()[1]).toList().toString();
            try (Device d = Devices.open(device)) {
                if (d.info().backend().equals("java")) {
                    // the java device keeps its matrices in the heap: inputs and outputs there, outputs again when downloaded
                    Checks.heap("op " + op.name() + " on java with outputs " + shapes, 4 * (2 * inElements + newOutElements + outElements));
                } else {
                    Checks.heap("op " + op.name() + " with outputs " + shapes + " (downloaded)", 4 * (inElements + outElements));
                    long onDevice = 4 * (inElements + newOutElements), global = d.info().globalMemoryBytes();
                    if (global > 0 && onDevice > global) {
                        throw new IllegalArgumentException("op " + op.name() + " with outputs " + shapes + " needs about " + Checks.size(onDevice)
                                + " on " + d.id() + ", which has " + Checks.size(global));
                    }
                }
                System.err.println("device " + d.id() + " (" + d.info().name() + ")");
                Map<String, HostMatrix> result = op.execute(d, in, p);
                for (Map.Entry<String, String> e : outs.entrySet()) {
                    Npy.write(Path.of(e.getValue()), result.get(e.getKey()));
                    System.err.println("wrote " + e.getKey() + " " + result.get(e.getKey()).shapeString() + " to " + e.getValue());
                }
            }
            return 0;
        }
    }

    @Command(name = "tune", mixinStandardHelpOptions = true, version = Main.VERSION, description = "Measure the GEMM kernel candidates on an OpenCL device and store the fastest for later runs.")
    static final class TuneCommand implements Callable<Integer> {
        @Option(names = "--device", required = true, description = "opencl:NAME (e.g. opencl:pocl) or opencl:P:D") String device;
        @Option(names = "--size", defaultValue = "1024", description = "square GEMM size timed besides the 64x784x256 training shape") int size;
        @Option(names = "--reps", defaultValue = "5", description = "timed samples per shape (median)") int reps;
        @Option(names = "--dry-run", description = "measure only; do not store the winner") boolean dryRun;

        @Override public Integer call() throws Exception {
            Checks.range("--size", size, 1, 46340);   // size^2 elements must fit a matrix
            Checks.range("--reps", reps, 1, Integer.MAX_VALUE);
            // an unusable store is refused before anything is measured: storing would overwrite a file someone may want to repair
            try {
                org.neurokernels.GemmTuning.check();
            } catch (org.neurokernels.GemmTuning.CorruptStoreException e) {
                if (!dryRun) {
                    throw new IllegalStateException(e.getMessage() + ". Nothing was measured: delete or fix " + e.file()
                            + " (or name another store with NK_TUNING_FILE), then run tune again");
                }
                System.out.println("note: " + e.getMessage() + " (--dry-run stores nothing)");
            }
            String id;
            try (Device d = Devices.open(device)) {
                if (!d.info().backend().equals("opencl")) throw new IllegalArgumentException("tune works on OpenCL devices; " + d.id() + " is " + d.info().backend());
                id = d.id();
                System.out.println("tuning GEMM on " + id + " (" + d.info().name() + "), now " + d.info().details().get("gemm"));
            }
            String[] pd = id.split(":");
            int p = Integer.parseInt(pd[1]), dv = Integer.parseInt(pd[2]);
            System.out.printf(Locale.ROOT, "%-28s %14s %14s %10s%n", "candidate", "n=" + size, "64x784x256", "geomean");
            List<org.neurokernels.opencl.Tuner.Trial> trials = org.neurokernels.opencl.Tuner.run(p, dv, size, reps, t -> {
                if (t.failure() != null) System.out.printf(Locale.ROOT, "%-28s FAILED: %s%n", t.config(), t.failure());
                else System.out.printf(Locale.ROOT, "%-28s %9.2f GF/s %9.2f GF/s %10.2f%n", t.config(), t.gflops()[0], t.gflops()[1], t.score());
            });
            if (dryRun) return 0;
            org.neurokernels.opencl.Tuner.Trial best = org.neurokernels.opencl.Tuner.storeBest(p, dv, trials);
            System.out.println("stored " + best.config() + " for " + id + " in " + org.neurokernels.GemmTuning.file());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, version = Main.VERSION, description = "Run every op on devices against the java reference; print a table; exit 1 on any failure.")
    static final class VerifyCommand implements Callable<Integer> {
        @Option(names = "--device", description = "one device (default: --all)") String device;
        @Option(names = "--all", description = "every available device (the default)") boolean all;
        @Option(names = "--quick", description = "a smaller set of shapes (--cases quick)") boolean quick;
        @Option(names = "--cases", description = "the case set: full (default), quick, or simulator (small shapes that still cross the tile and work-group edges, every flag once; for Oclgrind)") String cases;
        @Option(names = "--seed", description = "random seed (default: time-based, printed)") Long seed;
        @Option(names = "--op", description = "only these ops (repeatable)") List<String> only = new ArrayList<>();
        @Option(names = "--json", description = "write the JSON report here") Path jsonFile;
        @Option(names = "--markdown", description = "write the Markdown report here") Path markdownFile;
        @Option(names = "--runs", defaultValue = "5", description = "timed runs per case (median reported); 0 checks without timing") int runs;
        @Option(names = "--fast-math", description = "build the kernels with the vendor's fast math and report how far each op moves (information, not failure)") boolean fastMath;
        @Option(names = "--dump-failures", description = "write each failing case's inputs, reference outputs and a replay.sh line here") Path dumpDir;
        @Option(names = "--no-probes", description = "skip the floating-point probes") boolean noProbes;

        @Override public Integer call() throws Exception {
            Checks.range("--runs", runs, 0, Integer.MAX_VALUE);   // 0: check only, no timing
            Checks.outputFile("--json", jsonFile);
            Checks.outputFile("--markdown", markdownFile);
            Checks.outputDirectory("--dump-failures", dumpDir);
            long s = seed != null ? seed : System.nanoTime();
            if (cases != null && quick && !cases.equals("quick")) throw new IllegalArgumentException("--quick and --cases " + cases + " contradict each other");
            String set = cases != null ? cases : quick ? "quick" : "full";
            if (!List.of("full", "quick", "simulator").contains(set)) throw new IllegalArgumentException("--cases: unknown set '" + set + "' (full, quick or simulator)");
            List<String> selectors = new ArrayList<>();
            if (device != null && !all) selectors.add(device);
            else for (DeviceInfo d : Devices.list()) selectors.add(d.id());
            List<Op> ops = only.isEmpty() ? OpRegistry.all() : only.stream().map(OpRegistry::get).toList();
            List<Verifier.CaseResult> results = new ArrayList<>();
            List<DeviceInfo> infos = new ArrayList<>();
            Map<String, Map<String, Object>> probes = new LinkedHashMap<>();
            int dumped = 0;
            try (Device ref = Devices.open("java")) {
                for (String sel : selectors) {
                    try (Device d = Devices.open(sel, fastMath)) {
                        infos.add(d.info());
                        System.err.println("verifying " + d.id() + " (" + d.info().name() + ")" + (fastMath ? " with fast math" : "") + " ...");
                        if (!noProbes) probes.put(d.id(), org.neurokernels.conformance.Probes.run(d));
                        try (Progress bar = Progress.start(d.id(), ops.stream().mapToLong(o -> o.cases(set).size()).sum())) {
                            for (Verifier.CaseResult r : Verifier.verify(d, ref, ops, set, s, runs, x -> bar.step())) {
                                results.add(r);
                                if (dumpDir != null && !r.pass()) {
                                    Map<String, HostMatrix> want = r.opDescriptor().execute(ref,
                                            r.opDescriptor().randomInputs(r.kase(), new java.util.Random(r.seed())), r.opDescriptor().params(r.kase().params()));
                                    org.neurokernels.conformance.FailureDump.write(dumpDir, r, want, ++dumped);
                                }
                            }
                        }
                    }
                }
            }
            Report report = new Report(infos, results, s, set, fastMath, probes);
            System.out.print(report.table());
            if (jsonFile != null) report.writeJson(jsonFile);
            if (markdownFile != null) report.writeMarkdown(markdownFile);
            if (dumped > 0) System.out.println("wrote " + dumped + " failing case(s) to " + dumpDir + " (replay: bash " + dumpDir.resolve("replay.sh") + ")");
            if (fastMath) return report.noErrors() ? 0 : 1;
            return report.allPass() ? 0 : 1;
        }
    }
}

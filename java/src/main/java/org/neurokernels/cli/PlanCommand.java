package org.neurokernels.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.KernelDevice;
import org.neurokernels.plan.PlanTable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code neurokernels plan gemm}: what a device would launch for GEMM products, without running them:
 * the GEMM configuration and where it came from, the compiler defines, and each launch's kernel and work
 * sizes. The C library answers the same question through {@code nk_plan_gemm}; a test requires both to agree.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Show the kernels, defines and work sizes a device plans for GEMM products (gemm, dense_forward, backward_delta, dense_update), "
                + "output_layer, or every op with a launch plan over its conformance cases (ops).")
final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "the op family: gemm, output_layer (its launches besides its GEMMs), or ops (every op with a launch plan, "
            + "over its conformance cases, with each launch's arguments)") String family;
    @Option(names = "--device", defaultValue = "auto", description = "an OpenCL or CUDA device (default ${DEFAULT-VALUE})") String device;
    @Option(names = "--shape", description = "gemm: MxKxN, optionally :OP with T or N per operand, as the GEMM benchmarks name shapes (C is M x N, op(A) M x K; e.g. 64x784x256:NT); output_layer: ROWSxCLASSESxWIDTH; repeatable")
    List<String> shapes = new ArrayList<>();
    @Option(names = "--json", description = "print JSON") boolean asJson;

    @Override public Integer call() {
        if (family.equals("ops")) return ops();
        if (!family.equals("gemm") && !family.equals("output_layer")) {
            throw new IllegalArgumentException("plan: unknown op family '" + family + "'; known: gemm, output_layer, ops");
        }
        if (shapes.isEmpty()) throw new IllegalArgumentException("plan " + family + ": give at least one --shape");
        List<int[]> parsed = new ArrayList<>();
        for (String s : shapes) parsed.add(family.equals("gemm") ? parse(s) : parseOutputLayer(s));
        try (Device d = Devices.open(device)) {
            if (!(d instanceof KernelDevice kd)) throw new IllegalArgumentException("plan: " + d.id() + " is the Java reference, which launches no kernels");
            String config = d.info().details().getOrDefault("gemm", "");
            String defines = d.info().details().getOrDefault("compiler_options", "");
            List<Object> out = new ArrayList<>();
            if (!asJson) System.out.println("device " + d.id() + " (" + d.info().name() + "): gemm " + config + "; defines " + defines);
            for (int i = 0; i < parsed.size(); i++) {
                int[] p = parsed.get(i);
                List<PlanTable.Launch> plan = family.equals("gemm") ? kd.gemmPlan(p[0], p[1], p[2], p[3] == 1, p[4] == 1)
                        : kd.outputLayerPlan(p[0], p[1], p[2]);
                if (asJson) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("shape", shapes.get(i));
                    m.put("defines", defines);
                    m.put("launches", plan.stream().map(l -> Map.of("kernel", l.kernel(), "global", List.of(l.globalX(), l.globalY()),
                            "local", List.of(l.localX(), l.localY()))).toList());
                    out.add(m);
                } else {
                    System.out.printf(Locale.ROOT, "%-16s %s%n", shapes.get(i), plan);
                }
            }
            if (asJson) System.out.println(Main.json(out));
        }
        return 0;
    }

    /**
     * Every op with a launch plan (but lif_step, whose plan reads propagators its C function derives), over
     * its full conformance cases: the tensors' shapes, the parameters and the launches as text
     * ({@link org.neurokernels.plan.OpPlan.Call#text()}), for comparison with the C library's nk_op_plan.
     */
    private Integer ops() {
        try (Device d = Devices.open(device)) {
            if (!(d instanceof KernelDevice kd)) throw new IllegalArgumentException("plan: " + d.id() + " is the Java reference, which launches no kernels");
            List<Object> out = new ArrayList<>();
            for (org.neurokernels.ops.Op op : org.neurokernels.plan.OpTables.ops()) {
                if (!org.neurokernels.plan.OpTables.extras(op).isEmpty()) continue;
                for (org.neurokernels.ops.Op.Case c : op.cases(false)) {
                    org.neurokernels.ops.Params p = op.params(c.params());
                    Map<String, int[]> all = new LinkedHashMap<>(c.shapes());
                    all.putAll(op.outputShapes(c.shapes(), p));
                    List<String> text = op.plan().plan(kd.planVariablesForShapes(op, all, op.paramVariables(p))).stream()
                            .map(org.neurokernels.plan.OpPlan.Call::text).toList();
                    if (asJson) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("op", op.name());
                        Map<String, List<Integer>> sh = new LinkedHashMap<>();
                        all.forEach((k, v) -> sh.put(k, List.of(v[0], v[1])));
                        m.put("shapes", sh);
                        m.put("params", c.params());
                        m.put("launches", text);
                        out.add(m);
                    } else {
                        System.out.println(op.name() + " " + c.label() + "\n    " + String.join("\n    ", text));
                    }
                }
            }
            if (asJson) System.out.println(Main.json(out));
        }
        return 0;
    }

    /** output_layer's "ROWSxCLASSESxWIDTH" as {rows, classes, width}. */
    static int[] parseOutputLayer(String s) {
        String[] dims = s.trim().split("x");
        int[] out = new int[3];
        if (dims.length != 3) throw new IllegalArgumentException("--shape '" + s + "': expected ROWSxCLASSESxWIDTH for output_layer, e.g. 64x10x256");
        for (int i = 0; i < 3; i++) out[i] = size(s, dims[i]);
        return out;
    }

    private static int size(String shape, String text) {
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shape '" + shape + "': '" + text + "' is not a size");
        }
        if (v < 1) throw new IllegalArgumentException("--shape '" + shape + "': sizes must be at least 1");
        return v;
    }

    /** "MxKxN" or "MxKxN:OP" as {m, n, k, transA, transB}. */
    static int[] parse(String s) {
        String[] parts = s.trim().split(":");
        String[] dims = parts[0].split("x");
        if (dims.length != 3 || parts.length > 2 || (parts.length == 2 && !parts[1].matches("[NTnt]{2}"))) {
            throw new IllegalArgumentException("--shape '" + s + "': expected MxKxN or MxKxN:OP with T or N per operand, e.g. 64x784x256:NT");
        }
        int[] out = new int[5];
        int[] slot = {0, 2, 1};  // M, K, N -> m, n, k
        for (int i = 0; i < 3; i++) out[slot[i]] = size(s, dims[i]);
        if (parts.length == 2) {
            out[3] = Character.toUpperCase(parts[1].charAt(0)) == 'T' ? 1 : 0;
            out[4] = Character.toUpperCase(parts[1].charAt(1)) == 'T' ? 1 : 0;
        }
        return out;
    }
}

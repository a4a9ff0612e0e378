package org.neurokernels.conformance;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.google.gson.GsonBuilder;

import org.neurokernels.DeviceInfo;
import org.neurokernels.io.AtomicFiles;
import org.neurokernels.ops.Check;

/** Conformance results as a console table, JSON and Markdown; each report opens with the full device identity. */
public final class Report {
    private final List<DeviceInfo> devices;
    private final List<Verifier.CaseResult> results;
    private final long seed;
    private final String caseSet;
    private final boolean fastMath;
    private final Map<String, Map<String, Object>> probes;

    /**
     * @param probes {@link Probes} results by device id
     * @param fastMath kernels were built with the vendor's fast math: bound excursions are information
     */
    public Report(List<DeviceInfo> devices, List<Verifier.CaseResult> results, long seed, String caseSet, boolean fastMath,
                  Map<String, Map<String, Object>> probes) {
        this.devices = List.copyOf(devices);
        this.results = List.copyOf(results);
        this.seed = seed;
        this.caseSet = caseSet;
        this.fastMath = fastMath;
        this.probes = new LinkedHashMap<>(probes);
    }

    /** Every case within its bound (and none raised an error). */
    public boolean allPass() { return results.stream().allMatch(Verifier.CaseResult::pass); }

    /** No case raised an error (what decides the exit status under --fast-math). */
    public boolean noErrors() { return results.stream().allMatch(r -> r.error() == null); }

    /** Per device and op: cases, failures, worst error/bound, and the median time of the largest case. */
    public record Row(String device, String op, int cases, int failed, double worst, double maxUlp, double seconds, double gflops, double gbs) { }

    public List<Row> rows() {
        Map<String, List<Verifier.CaseResult>> groups = new LinkedHashMap<>();
        for (Verifier.CaseResult r : results) groups.computeIfAbsent(r.device() + "\u0000" + r.op(), k -> new ArrayList<>()).add(r);
        List<Row> rows = new ArrayList<>();
        for (List<Verifier.CaseResult> g : groups.values()) {
            int failed = (int) g.stream().filter(r -> !r.pass()).count();
            double worst = g.stream().mapToDouble(Verifier.CaseResult::worst).max().orElse(0);
            double ulp = g.stream().flatMap(r -> r.outputs().values().stream()).mapToDouble(Check.Result::maxUlp).max().orElse(0);
            Verifier.CaseResult largest = g.stream().max((a, b) -> Double.compare(a.bytes() + a.flops(), b.bytes() + b.flops())).orElseThrow();
            double s = largest.medianSeconds();
            rows.add(new Row(g.get(0).device(), g.get(0).op(), g.size(), failed, worst, ulp, s, largest.flops() / s * 1e-9, largest.bytes() / s * 1e-9));
        }
        return rows;
    }

    public String table() {
        StringBuilder sb = new StringBuilder();
        if (fastMath) sb.append("FAST MATH: kernels built with the vendor's fast math; bound excursions below are information, not failures\n");
        sb.append(String.format(Locale.ROOT, "%-12s %-16s %6s %7s %12s %9s %12s %10s %9s%n", "device", "op", "cases", "failed", "worst err/bd", "max ulp", "median(lg)", "GFLOP/s", "GB/s"));
        for (Row r : rows()) {
            sb.append(String.format(Locale.ROOT, "%-12s %-16s %6d %7d %12.3g %9.3g %10.3f ms %10.2f %9.2f%n", r.device(), r.op(), r.cases(), r.failed(),
                    r.worst(), r.maxUlp(), r.seconds() * 1e3, r.gflops(), r.gbs()));
        }
        probes.forEach((dev, pr) -> sb.append("probes ").append(dev).append(": ").append(pr).append('\n'));
        for (Verifier.CaseResult r : results) {
            if (r.pass()) continue;
            sb.append("FAIL ").append(r.device()).append(' ').append(r.op()).append(" [").append(r.label()).append("] seed ").append(r.seed());
            if (r.error() != null) sb.append(": ").append(r.error());
            for (Map.Entry<String, Check.Result> e : r.outputs().entrySet()) {
                if (!e.getValue().pass()) sb.append("\n  ").append(e.getKey()).append(": ").append(e.getValue().summary());
            }
            sb.append('\n');
        }
        sb.append(allPass() ? "ALL PASS" : fastMath && noErrors() ? "FAST MATH: SOME BOUNDS EXCEEDED (information)" : "FAILURES").append(String.format(Locale.ROOT, " (%d cases, seed %d%s)%n", results.size(), seed, caseSet.equals("full") ? "" : ", " + caseSet));
        return sb.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("tool", "neurokernels verify");
        root.put("date", Instant.now().toString());
        root.put("seed", seed);
        root.put("quick", !caseSet.equals("full"));
        root.put("case_set", caseSet);
        root.put("fast_math", fastMath);
        root.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        root.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        List<Object> ds = new ArrayList<>();
        for (DeviceInfo d : devices) ds.add(d.toMap());
        root.put("devices", ds);
        root.put("probes", probes);
        root.put("all_pass", allPass());
        List<Object> cases = new ArrayList<>();
        for (Verifier.CaseResult r : results) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("device", r.device());
            c.put("op", r.op());
            c.put("case", r.label());
            c.put("seed", r.seed());
            c.put("pass", r.pass());
            c.put("worst_error_over_bound", finite(r.worst()));
            c.put("median_seconds", finite(r.medianSeconds()));
            c.put("flops", r.flops());
            c.put("bytes", r.bytes());
            if (r.error() != null) c.put("error", r.error());
            Map<String, Object> outs = new LinkedHashMap<>();
            for (Map.Entry<String, Check.Result> e : r.outputs().entrySet()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("pass", e.getValue().pass());
                o.put("max_normalized_error", finite(e.getValue().maxError()));
                o.put("bound", e.getValue().bound());
                o.put("max_ulp", finite(e.getValue().maxUlp()));
                o.put("rule", e.getValue().rule());
                if (!e.getValue().pass()) o.put("first_failures", e.getValue().firstFailures());
                outs.put(e.getKey(), o);
            }
            c.put("outputs", outs);
            cases.add(c);
        }
        root.put("cases", cases);
        return root;
    }

    private static Object finite(double v) { return Double.isFinite(v) ? (Object) v : String.valueOf(v); }

    public void writeJson(Path file) throws IOException {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson()) + "\n");
    }

    public void writeMarkdown(Path file) throws IOException {
        StringBuilder sb = new StringBuilder("# neurokernels conformance report\n\n");
        sb.append("Seed ").append(seed).append(" (").append(caseSet).append(" set)").append(", ").append(Instant.now()).append(".\n\n");
        if (fastMath) sb.append("**Fast math**: kernels built with the vendor's fast math; bound excursions are information, not failures.\n\n");
        for (DeviceInfo d : devices) {
            sb.append("## ").append(d.id()).append(": ").append(d.name()).append("\n\n| property | value |\n|---|---|\n");
            d.toMap().forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            Map<String, Object> pr = probes.get(d.id());
            if (pr != null) {
                sb.append("\nProbes:\n\n| probe | result |\n|---|---|\n");
                pr.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            }
            sb.append('\n');
        }
        sb.append("## Results\n\n| device | op | cases | failed | worst error / bound | max ulp | median time, largest case | GFLOP/s | GB/s |\n|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows()) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.3g | %.3g | %.3f ms | %.2f | %.2f |%n", r.device(), r.op(), r.cases(), r.failed(), r.worst(),
                    r.maxUlp(), r.seconds() * 1e3, r.gflops(), r.gbs()));
        }
        sb.append('\n').append(allPass() ? "All cases pass.\n" : "Some cases FAIL; see the JSON report for the first failing elements.\n");
        AtomicFiles.writeString(file, sb.toString());
    }
}

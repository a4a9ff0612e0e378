package org.neurokernels.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.neurokernels.DeviceInfo;
import org.neurokernels.Devices;

/**
 * Turns JMH JSON results of GemmBenchmark into a Markdown table (ms/op, GFLOP/s = 2 n^3 / time and the
 * ratio to a peer measured in the same run) and a PNG bar chart.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.neurokernels.bench.Results OUT.md OUT.png PEER RUN.json...</pre>
 */
public final class Results {
    private Results() { }

    record Row(String impl, Map<String, String> params, double ms, double error, int iterations, String settings) { }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: Results OUT.md OUT.png PEER[,PEER...] RUN.json...");
            System.exit(2);
        }
        Path md = Path.of(args[0]), png = Path.of(args[1]);
        String peer = args[2];
        StringBuilder sb = new StringBuilder();
        DefaultCategoryDataset chart = new DefaultCategoryDataset();
        for (int f = 3; f < args.length; f++) {
            Path run = Path.of(args[f]);
            JsonArray arr = JsonParser.parseString(Files.readString(run)).getAsJsonArray();
            Map<String, List<Row>> byShape = new TreeMap<>();
            String jvm = "";
            String settings = "";
            // a file with several benchmark methods (GemmShapesBenchmark's gemm and gemmQueued) names the method per row
            java.util.Set<String> methods = new java.util.HashSet<>();
            for (JsonElement e : arr) methods.add(method(e.getAsJsonObject()));
            for (JsonElement e : arr) {
                JsonObject o = e.getAsJsonObject();
                Map<String, String> params = new LinkedHashMap<>();
                o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
                JsonObject pm = o.getAsJsonObject("primaryMetric");
                double err = pm.get("scoreError").isJsonPrimitive() && !pm.get("scoreError").getAsString().equals("NaN") ? pm.get("scoreError").getAsDouble() : Double.NaN;
                double toMs = unitToMs(pm.get("scoreUnit").getAsString());
                settings = String.format(Locale.ROOT, "JMH %s, %d fork(s), %d warm-up x %s, %d measurement x %s, mode %s",
                        o.get("jmhVersion").getAsString(), o.get("forks").getAsInt(), o.get("warmupIterations").getAsInt(), o.get("warmupTime").getAsString(),
                        o.get("measurementIterations").getAsInt(), o.get("measurementTime").getAsString(), o.get("mode").getAsString());
                jvm = o.get("vmName").getAsString() + " " + o.get("jdkVersion").getAsString();
                String impl = params.containsKey("impl") ? params.remove("impl") : params.containsKey("rule") ? params.remove("rule") : params.remove("op");
                String shape = shapeKey(params) + (methods.size() > 1 ? " [" + method(o) + "]" : "");
                byShape.computeIfAbsent(shape, k -> new ArrayList<>()).add(new Row(impl, params, pm.get("score").getAsDouble() * toMs, err * toMs,
                        o.get("measurementIterations").getAsInt(), settings));
            }
            sb.append("### ").append(run.getFileName()).append("\n\n");
            sb.append(settings).append("; ").append(jvm).append(".\n\n");
            sb.append("| shape | impl | ms/op | ± (99.9%) | throughput | vs peer (time ratio; GB/s ratio for memory-bound ops) |\n|---|---|---|---|---|---|\n");
            for (Map.Entry<String, List<Row>> s : byShape.entrySet()) {
                double flops = flops(s.getValue().get(0).params());
                Row peerRow = null;
                for (String candidate : peer.split(",")) {
                    if (peerRow == null) peerRow = s.getValue().stream().filter(r -> r.impl().equals(candidate)).findFirst().orElse(null);
                }
                String peerName = peerRow == null ? "" : peerRow.impl();
                double peerBytes = peerRow == null ? Double.NaN : bytes(peerRow.impl(), peerRow.params());
                for (Row r : s.getValue()) {
                    double gf = flops / (r.ms() * 1e6);
                    double by = bytes(r.impl(), r.params());
                    if (!Double.isNaN(by)) {
                        // memory-bound kernels: effective GB/s, and the ratio of GB/s to the peer's (a copy)
                        double gbs = by / (r.ms() * 1e6), peerGbs = peerRow == null ? Double.NaN : peerBytes / (peerRow.ms() * 1e6);
                        sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.2f GB/s, %.3g neuron updates/s | %s |%n", s.getKey(), r.impl(), r.ms(), r.error(),
                                gbs, neurons(r.params()) / (r.ms() * 1e-3), Double.isNaN(peerGbs) ? "–" : String.format(Locale.ROOT, "%.2f of %s GB/s", gbs / peerGbs, peerRow.impl())));
                        continue;
                    }
                    String ratio = peerRow == null ? "–" : String.format(Locale.ROOT, "%.2f (÷ %s)", peerRow.ms() / r.ms(), peerName);
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %s | %s |%n", s.getKey(), r.impl(), r.ms(), r.error(),
                            Double.isNaN(gf) ? "–" : String.format(Locale.ROOT, "%.2f", gf), ratio));
                    if (!Double.isNaN(gf)) chart.addValue(gf, r.impl(), s.getKey());
                }
            }
            sb.append('\n');
        }
        sb.append("Devices on the machine that produced this file:\n\n");
        for (DeviceInfo d : Devices.list()) {
            sb.append("- `").append(d.id()).append("`: ").append(d.name()).append(" (").append(d.vendor()).append(", driver ").append(d.driverVersion()).append(")\n");
        }
        sb.append("- CPU: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" hardware threads\n");
        sb.append("\nGenerated ").append(LocalDate.now()).append(" by org.neurokernels.bench.Results.\n");
        Files.writeString(md, sb.toString());
        JFreeChart c = ChartFactory.createBarChart("SGEMM throughput (higher is better)", "shape", "GFLOP/s", chart,
                PlotOrientation.VERTICAL, true, false, false);
        c.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), c, 1000, 560);
        System.out.println("wrote " + md + " and " + png);
    }

    /** Bytes one call moves for the memory-bound DynamicsBenchmark ops (each operand read once, written once). */
    static double bytes(String impl, Map<String, String> params) {
        if (!params.containsKey("neurons")) return Double.NaN;
        double perNeuron;
        switch (impl) {
            case "copy": perNeuron = 56; break;   // DynamicsBenchmark copies 7 floats per neuron
            case "lif_step": perNeuron = 56; break;
            case "izhikevich_step": perNeuron = 48; break;
            case "rate_step": perNeuron = 16; break;  // r, the drive x and the per-neuron coefficient c read, r written
            default: return Double.NaN;
        }
        return perNeuron * neurons(params);
    }

    static double neurons(Map<String, String> params) { return Double.parseDouble(params.get("neurons")); }

    private static double unitToMs(String unit) {
        switch (unit) {
            case "ms/op": return 1;
            case "us/op": return 1e-3;
            case "ns/op": return 1e-6;
            case "s/op": return 1e3;
            default: throw new IllegalArgumentException("unsupported JMH unit " + unit + " (use -bm avgt)");
        }
    }

    private static String shapeKey(Map<String, String> params) {
        if (params.containsKey("n")) return String.format(Locale.ROOT, "n=%5s", params.get("n"));
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(v));
        return sb.toString();
    }

    private static String method(JsonObject o) {
        String b = o.get("benchmark").getAsString();
        return b.substring(b.lastIndexOf('.') + 1);
    }

    /**
     * FLOPs of one call: 2 n^3 for square GEMM (param n); 2 a b c for a shape param "AxBxC ..." (GEMM
     * MxKxN, or a layer BATCHxINxOUT: the GEMM term, which dominates; twice that for output_layer).
     */
    static double flops(Map<String, String> params) {
        if (params.containsKey("shape")) {
            String[] d = params.get("shape").split(" ")[0].split("x");
            // output_layer: the logits' GEMM and the delta's through M, of the same size
            double gemms = "output_layer".equals(params.get("op")) ? 2 : 1;
            return gemms * 2.0 * Double.parseDouble(d[0]) * Double.parseDouble(d[1]) * Double.parseDouble(d[2]);
        }
        if (!params.containsKey("n")) return Double.NaN; // not a GEMM: the table shows times only
        double n = Double.parseDouble(params.get("n"));
        return 2.0 * n * n * n;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

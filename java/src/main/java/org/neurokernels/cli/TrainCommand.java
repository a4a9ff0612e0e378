package org.neurokernels.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.data.Dataset;
import org.neurokernels.data.Idx;
import org.neurokernels.data.TeacherStudent;
import org.neurokernels.learning.FeedbackRule;
import org.neurokernels.learning.Trainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code neurokernels train}: an MLP trained with BP, FA, DFA, sign-concordant or Kolen-Pollack feedback. */
@Command(name = "train", mixinStandardHelpOptions = true, version = Main.VERSION, description = {"Train an MLP with a feedback rule per hidden layer; print loss, accuracy and alignment per epoch.",
        "With --task: train a recurrent rate or LIF network (--network) with BPTT, e-prop or RFLO (--rule) in the fused op rnn_grad."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--rule", description = "MLP: rule for every hidden layer: bp, fa, dfa, usf, frsf, brsf, kp; a comma list trains one run per rule. "
            + "With --task: bptt, eprop, eprop-random or rflo") String rule;
    @Option(names = "--task", description = "a recurrent task instead of the MLP: sine-waves (pattern generation) or seq-fashion-mnist") String task;
    @Option(names = "--network", description = "with --task: rate-rnn or lif-rnn (default lif-rnn for sine-waves, rate-rnn for seq-fashion-mnist)") String network;
    @Option(names = "--iterations", description = "with --task sine-waves: training iterations (default 2000)") Integer iterations;
    @Option(names = "--units", description = "with --task: recurrent units (default 100 for sine-waves, 128 for seq-fashion-mnist)") Integer units;
    @Option(names = "--optimizer", defaultValue = "adam", description = "with --task: adam or sgd (default ${DEFAULT-VALUE})") String optimizer;
    @Option(names = "--rate-reg", defaultValue = "0", description = "with --task and lif-rnn: the firing-rate penalty's c_reg (target 10 Hz; default 0: none)") double rateReg;
    @Option(names = "--rules", description = "one rule per hidden layer, comma separated (a single run mixing rules)") String rulesPerLayer;
    @Option(names = "--hidden", defaultValue = "256,256", description = "hidden layer sizes") String hidden;
    @Option(names = "--activation", defaultValue = "tanh", description = "hidden activation") String activation;
    @Option(names = "--epochs", description = "epochs (default 10)") Integer epochsGiven;
    @Option(names = "--batch", description = "examples per batch (default 64; 32 with --task)") Integer batchGiven;
    @Option(names = "--lr", description = "learning rate (default 0.05; with --task: adam 3e-4 (lif-rnn) or 1e-3 (rate-rnn); sgd 3e-7 (lif-rnn) or 1e-7 (rate-rnn) for sine-waves, 0.05 for seq-fashion-mnist)") Float lrGiven;
    private int epochs, batch;
    private float lr;
    @Option(names = "--momentum", defaultValue = "0") float momentum;
    @Option(names = "--weight-decay", defaultValue = "0") float weightDecay;
    @Option(names = "--loss", defaultValue = "ce", description = "ce (softmax cross-entropy) or mse (on one-hot targets)") String loss;
    @Option(names = "--seed", defaultValue = "1", converter = Checks.Uint64.class, description = "unsigned 64-bit seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--data", description = "an IDX data directory (MNIST layout); default: Fashion-MNIST in " + "/usr/share/datasets/fashion-mnist") Path data;
    @Option(names = "--synthetic", description = "a small synthetic teacher-student task instead of a data directory") boolean synthetic;
    @Option(names = "--limit", description = "use only the first N training examples (1 to the size of the training set)") Integer limit;
    @Option(names = "--normalize", defaultValue = "standard", description = "standard: (x - mean) / std with the training set's mean and std over all pixels; none: pixels in [0, 1] as read") String normalize;
    @Option(names = "--json", description = "write one object per epoch (a list) to this file") Path json;
    @Option(names = "--plot", description = "write a PNG of accuracy and alignment per epoch") Path plot;
    @Option(names = "--from-json", description = "train nothing: read epochs written by --json (one or more files) and print/plot them") List<Path> fromJson;

    static List<Trainer.Epoch> readJson(Path file) throws java.io.IOException {
        List<Trainer.Epoch> out = new ArrayList<>();
        for (com.google.gson.JsonElement e : com.google.gson.JsonParser.parseString(Files.readString(file)).getAsJsonArray()) {
            com.google.gson.JsonObject o = e.getAsJsonObject();
            out.add(new Trainer.Epoch(o.get("run").getAsString(), o.get("epoch").getAsInt(), o.get("train_loss").getAsDouble(),
                    o.get("test_accuracy").getAsDouble(), o.get("seconds").getAsDouble(),
                    doubles(o, "weight_angle_deg"), doubles(o, "update_angle_deg"), doubles(o, "norm_ratio")));
        }
        return out;
    }

    private static double[] doubles(com.google.gson.JsonObject o, String key) {
        com.google.gson.JsonArray a = o.getAsJsonArray(key);
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
        return d;
    }

    @Override public Integer call() throws Exception {
        if (fromJson != null) {
            for (Path f : fromJson) Checks.inputFile("--from-json", f);
            Checks.outputFile("--json", json);
            Checks.outputFile("--plot", plot);
            List<Trainer.Epoch> all = new ArrayList<>();
            for (Path f : fromJson) all.addAll(readJson(f));
            summary(all);
            return 0;
        }
        if (task != null) {
            if (rulesPerLayer != null || synthetic) throw new IllegalArgumentException("--rules and --synthetic are options of the MLP, not of a --task");
            return RecurrentTasks.run(new RecurrentTasks.Options(task, network, rule != null ? rule : "eprop", optimizer, iterations, epochsGiven, batchGiven, lrGiven,
                    units, rateReg, limit, seed, device, data, json, plot));
        }
        if (iterations != null || units != null || network != null) throw new IllegalArgumentException("--iterations, --units and --network are options of a --task");
        epochs = epochsGiven != null ? epochsGiven : 10;
        batch = batchGiven != null ? batchGiven : 64;
        lr = lrGiven != null ? lrGiven : 0.05f;
        // every option is checked before any data is read or device opened
        int[] hiddenSizes = Checks.positiveInts("--hidden", hidden);
        Activation act = Activation.parse(activation);
        Checks.range("--epochs", epochs, 1, Integer.MAX_VALUE);
        Checks.range("--batch", batch, 1, Integer.MAX_VALUE);
        Checks.positive("--lr", lr);
        Checks.nonNegative("--momentum", momentum);
        if (!(momentum < 1)) throw new IllegalArgumentException("--momentum " + momentum + ": need 0 <= momentum < 1");
        Checks.nonNegative("--weight-decay", weightDecay);
        if (limit != null) Checks.range("--limit", limit, 1, Integer.MAX_VALUE);
        Checks.outputFile("--json", json);
        Checks.outputFile("--plot", plot);
        List<FeedbackRule[]> runs = new ArrayList<>();
        if (rulesPerLayer != null) {
            FeedbackRule[] r = Arrays.stream(rulesPerLayer.split(",")).map(FeedbackRule::parse).toArray(FeedbackRule[]::new);
            if (r.length != hiddenSizes.length) throw new IllegalArgumentException("--rules gives " + r.length + " rules for " + hiddenSizes.length + " hidden layers");
            runs.add(r);
        } else {
            for (String s : (rule == null ? "bp" : rule).split(",")) {
                FeedbackRule r = FeedbackRule.parse(s);
                FeedbackRule[] all = new FeedbackRule[hiddenSizes.length];
                Arrays.fill(all, r);
                runs.add(all);
            }
        }
        if (!loss.equals("ce") && !loss.equals("mse")) throw new IllegalArgumentException("--loss must be ce or mse");
        if (!normalize.equals("standard") && !normalize.equals("none")) throw new IllegalArgumentException("--normalize must be standard or none");
        Dataset train, test;
        if (synthetic) {
            if (limit != null) {
                Checks.range("--limit", limit, 1, Integer.MAX_VALUE / 20);
                Checks.heap("--synthetic --limit " + limit, 2L * 4 * 20 * limit);
            }
            train = TeacherStudent.generate("teacher-student/train", limit != null ? limit : 8000, 20, 4, 7, seed);
            test = TeacherStudent.generate("teacher-student/test", 2000, 20, 4, 7, seed + 1);
        } else {
            if (data != null) Checks.inputDirectory("--data", data);
            Path dir = data != null ? data : Idx.FASHION_MNIST;
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(dir + " not found. Fashion-MNIST: apt-get install dataset-fashion-mnist (as root), or --data DIR, or --synthetic");
            }
            train = Idx.load(dir, "train");
            if (limit != null && limit > train.n()) {
                throw new IllegalArgumentException("--limit " + limit + " is more than the " + train.n() + " training examples in " + dir);
            }
            test = Idx.load(dir, "t10k");
            if (limit != null) train = new Dataset(train.name(), Arrays.copyOf(train.x(), limit * train.features()), Arrays.copyOf(train.labels(), limit),
                    limit, train.features(), train.classes());
        }
        if (batch > train.n()) throw new IllegalArgumentException("--batch " + batch + " is more than the " + train.n() + " training examples");
        if (normalize.equals("standard")) {
            double[] ms = train.meanStd();
            train = train.standardized(ms[0], ms[1]);
            test = test.standardized(ms[0], ms[1]);
        } else if (!normalize.equals("none")) {
            throw new IllegalArgumentException("--normalize must be standard or none");
        }
        List<Trainer.Epoch> all = new ArrayList<>();
        try (Device d = Devices.open(device)) {
            System.out.printf(Locale.ROOT, "device %s (%s); data %s: %d train, %d test, %d features, %d classes%n", d.id(), d.info().name(),
                    train.name(), train.n(), test.n(), train.features(), train.classes());
            System.out.printf(Locale.ROOT, "%-8s %5s %11s %9s %8s  %s%n", "run", "epoch", "train loss", "test acc", "seconds", "B-W angle / update angle vs BP (deg), per hidden layer");
            for (FeedbackRule[] r : runs) {
                Trainer.Config c = new Trainer.Config(hiddenSizes, act, r, epochs, batch, lr, momentum, weightDecay, seed, loss.equals("mse"));
                int batches = (train.n() + batch - 1) / batch;
                try (Progress bar = Progress.start(c.label(), (long) batches * epochs)) {
                    List<Trainer.Epoch> soFar = new ArrayList<>(all);  // --json is rewritten (atomically) after every epoch
                    all.addAll(Trainer.train(d, train, test, c, ep -> {
                        System.out.println(format(ep));
                        soFar.add(ep);
                        if (json != null) {
                            try {
                                writeJson(json, soFar);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e.getMessage(), e);
                            }
                        }
                    }, b -> bar.step()));
                }
            }
        }
        summary(all);
        return 0;
    }

    private void summary(List<Trainer.Epoch> all) throws java.io.IOException {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-8s %14s %14s%n", "run", "final test acc", "mean s/epoch");
        Map<String, List<Trainer.Epoch>> byRun = byRun(all);
        byRun.forEach((run, eps) -> System.out.printf(Locale.ROOT, "%-8s %13.2f%% %14.2f%n", run, 100 * eps.get(eps.size() - 1).testAccuracy(),
                eps.stream().mapToDouble(Trainer.Epoch::seconds).average().orElse(0)));
        if (json != null) writeJson(json, all);
        if (plot != null) plot(byRun, plot);
    }

    /** The --json file: every epoch so far as one list, replacing the previous file in one step. */
    static void writeJson(Path file, List<Trainer.Epoch> epochs) throws java.io.IOException {
        org.neurokernels.io.AtomicFiles.writeString(file, Main.json(epochs.stream().map(TrainCommand::toJson).toList()) + "\n");
    }

    static String format(Trainer.Epoch e) {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < e.weightAngle().length; l++) {
            sb.append(String.format(Locale.ROOT, " L%d %s/%s", l + 1, deg(e.weightAngle()[l]), deg(e.updateAngle()[l])));
        }
        return String.format(Locale.ROOT, "%-8s %5d %11.4f %8.2f%% %8.2f %s", e.run(), e.epoch(), e.trainLoss(), 100 * e.testAccuracy(), e.seconds(), sb);
    }

    private static String deg(double v) { return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v); }

    static Map<String, Object> toJson(Trainer.Epoch e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", e.run());
        m.put("epoch", e.epoch());
        m.put("train_loss", e.trainLoss());
        m.put("test_accuracy", e.testAccuracy());
        m.put("seconds", e.seconds());
        m.put("weight_angle_deg", nulls(e.weightAngle()));
        m.put("update_angle_deg", nulls(e.updateAngle()));
        m.put("norm_ratio", nulls(e.normRatio()));
        return m;
    }

    private static List<Double> nulls(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) out.add(Double.isNaN(x) ? null : x);
        return out;
    }

    static Map<String, List<Trainer.Epoch>> byRun(List<Trainer.Epoch> all) {
        Map<String, List<Trainer.Epoch>> m = new LinkedHashMap<>();
        for (Trainer.Epoch e : all) m.computeIfAbsent(e.run(), k -> new ArrayList<>()).add(e);
        return m;
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    private static final List<String> RULE_ORDER = List.of("bp", "fa", "dfa", "usf", "frsf", "brsf", "kp");
    private static final float[][] LAYER_DASHES = {null, {6f, 4f}, {2f, 3f}, {10f, 3f, 2f, 3f}};

    /** The colour of a run in every panel: a fixed one per rule name (bp, fa, ...), the palette in order for mixed runs. */
    static Color colour(String run, List<String> order) {
        int i = RULE_ORDER.indexOf(run);
        if (i < 0) i = RULE_ORDER.size() + order.indexOf(run);
        return PALETTE[i % PALETTE.length];
    }

    private static BasicStroke layerStroke(int layer) {
        float[] dash = LAYER_DASHES[layer % LAYER_DASHES.length];
        return dash == null ? new BasicStroke(2f) : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, dash, 0f);
    }

    /**
     * Three panels over epochs: test accuracy per run, then the angle between each hidden layer's feedback
     * and its forward weights (B-W), then the angle between each layer's update and backprop's. A run keeps
     * one colour in every panel; hidden layers differ by line style. One legend: a line per run (its colour)
     * and a line per hidden layer (its style), so it stays short however many runs and layers there are.
     */
    static void plot(Map<String, List<Trainer.Epoch>> runs, Path file) throws java.io.IOException {
        List<String> order = new ArrayList<>(runs.keySet());
        XYSeriesCollection acc = new XYSeriesCollection(), weight = new XYSeriesCollection(), update = new XYSeriesCollection();
        XYLineAndShapeRenderer accR = new XYLineAndShapeRenderer(true, true), weightR = new XYLineAndShapeRenderer(true, true),
                updateR = new XYLineAndShapeRenderer(true, true);
        for (XYLineAndShapeRenderer r : List.of(accR, weightR, updateR)) {
            r.setAutoPopulateSeriesShape(false);
            r.setDefaultShape(new java.awt.geom.Ellipse2D.Double(-3, -3, 6, 6));
        }
        int layers = 0;
        for (Map.Entry<String, List<Trainer.Epoch>> run : runs.entrySet()) {
            List<Trainer.Epoch> eps = run.getValue();
            Color c = colour(run.getKey(), order);
            XYSeries a = new XYSeries(run.getKey());
            for (Trainer.Epoch e : eps) a.add(e.epoch(), 100 * e.testAccuracy());
            accR.setSeriesPaint(acc.getSeriesCount(), c);
            accR.setSeriesStroke(acc.getSeriesCount(), new BasicStroke(2f));
            acc.addSeries(a);
            int runLayers = eps.get(0).weightAngle().length;
            layers = Math.max(layers, runLayers);
            for (int l = 0; l < runLayers; l++) {
                XYSeries w = new XYSeries(run.getKey() + " L" + (l + 1) + " B-W"), u = new XYSeries(run.getKey() + " L" + (l + 1) + " update");
                for (Trainer.Epoch e : eps) {
                    if (!Double.isNaN(e.weightAngle()[l])) w.add(e.epoch(), e.weightAngle()[l]);
                    if (!Double.isNaN(e.updateAngle()[l])) u.add(e.epoch(), e.updateAngle()[l]);
                }
                if (w.getItemCount() > 0) {
                    weightR.setSeriesPaint(weight.getSeriesCount(), c);
                    weightR.setSeriesStroke(weight.getSeriesCount(), layerStroke(l));
                    weight.addSeries(w);
                }
                if (u.getItemCount() > 0) {
                    updateR.setSeriesPaint(update.getSeriesCount(), c);
                    updateR.setSeriesStroke(update.getSeriesCount(), layerStroke(l));
                    update.addSeries(u);
                }
            }
        }
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochs.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        plot.setGap(12);
        NumberAxis accAxis = new NumberAxis("test accuracy (%)");
        accAxis.setAutoRangeIncludesZero(false);
        plot.add(new XYPlot(acc, null, accAxis, accR), 2);
        plot.add(new XYPlot(weight, null, new NumberAxis("feedback vs W (deg)"), weightR), 1);
        plot.add(new XYPlot(update, null, new NumberAxis("update vs BP (deg)"), updateR), 1);
        org.jfree.chart.LegendItemCollection legend = new org.jfree.chart.LegendItemCollection();
        java.awt.Shape line = new java.awt.geom.Line2D.Double(-12, 0, 12, 0);
        for (String run : order) {
            org.jfree.chart.LegendItem item = new org.jfree.chart.LegendItem(run, null, null, null, line, new BasicStroke(3f), colour(run, order));
            legend.add(item);
        }
        for (int l = 0; l < layers && (weight.getSeriesCount() > 0 || update.getSeriesCount() > 0); l++) {
            legend.add(new org.jfree.chart.LegendItem("hidden layer " + (l + 1), null, null, null, line, layerStroke(l), Color.DARK_GRAY));
        }
        plot.setFixedLegendItems(legend);
        JFreeChart chart = new JFreeChart("neurokernels train: test accuracy and alignment per epoch", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        org.neurokernels.io.AtomicFiles.write(file, out -> ChartUtils.writeChartAsPNG(out, chart, 1000, 900));
    }
}

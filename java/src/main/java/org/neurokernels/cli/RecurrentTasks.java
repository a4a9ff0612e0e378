package org.neurokernels.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
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
import org.neurokernels.learning.recurrent.Adam;
import org.neurokernels.learning.recurrent.GradientRule;
import org.neurokernels.learning.recurrent.Optimizer;
import org.neurokernels.learning.recurrent.RecurrentParameters;
import org.neurokernels.learning.recurrent.RecurrentRateNetwork;
import org.neurokernels.learning.recurrent.RecurrentTrainer;
import org.neurokernels.learning.recurrent.SequentialImages;
import org.neurokernels.learning.recurrent.Sequences;
import org.neurokernels.learning.recurrent.Sgd;
import org.neurokernels.learning.recurrent.SineWaves;

/**
 * {@code neurokernels train --task sine-waves|seq-fashion-mnist}: a recurrent rate or LIF network trained in
 * the fused op rnn_grad with BPTT, e-prop (symmetric or random feedback) or RFLO. The networks and their
 * settings are in docs/recurrent-learning.md.
 */
final class RecurrentTasks {
    private RecurrentTasks() { }

    /** The options train passes on (nulls where not given). */
    record Options(String task, String network, String rule, String optimizer, Integer iterations, Integer epochs, Integer batch, Float lr,
                   Integer units, double rateReg, Integer limit, long seed, String device, Path data, Path json, Path plot) { }

    static int run(Options given) throws Exception {
        if (!given.task().equals("sine-waves") && !given.task().equals("seq-fashion-mnist")) throw new IllegalArgumentException("--task must be sine-waves or seq-fashion-mnist");
        Options o = given.network() != null ? given : new Options(given.task(), given.task().equals("sine-waves") ? "lif-rnn" : "rate-rnn", given.rule(),
                given.optimizer(), given.iterations(), given.epochs(), given.batch(), given.lr(), given.units(), given.rateReg(), given.limit(), given.seed(),
                given.device(), given.data(), given.json(), given.plot());
        if (!o.network().equals("rate-rnn") && !o.network().equals("lif-rnn")) throw new IllegalArgumentException("--network must be rate-rnn or lif-rnn");
        boolean lif = o.network().equals("lif-rnn");
        GradientRule rule = switch (o.rule()) {
            case "bptt" -> GradientRule.BPTT;
            case "eprop", "eprop-random" -> GradientRule.EPROP;
            case "rflo" -> GradientRule.RFLO;
            default -> throw new IllegalArgumentException("--rule must be bptt, eprop, eprop-random or rflo for a --task (got '" + o.rule() + "')");
        };
        if (rule == GradientRule.RFLO && lif) throw new IllegalArgumentException("--rule rflo is a rule of the rate network (--network rate-rnn)");
        if (!o.optimizer().equals("adam") && !o.optimizer().equals("sgd")) throw new IllegalArgumentException("--optimizer must be adam or sgd");
        if (o.rateReg() != 0 && !lif) throw new IllegalArgumentException("--rate-reg is the LIF network's firing-rate penalty (--network lif-rnn)");
        Checks.nonNegative("--rate-reg", o.rateReg());
        if (o.lr() != null) Checks.positive("--lr", o.lr());
        Checks.outputFile("--json", o.json());
        Checks.outputFile("--plot", o.plot());
        return o.task().equals("sine-waves") ? sine(o, lif, rule) : images(o, lif, rule);
    }

    private static Optimizer optimizer(Options o, double lr) { return o.optimizer().equals("adam") ? new Adam(lr) : new Sgd(lr); }

    private static float[] feedback(Options o, int n, int k, double scale, long seed) {
        return o.rule().equals("bptt") || o.rule().equals("eprop") ? null : RecurrentParameters.randomFeedback(n, k, scale, seed);
    }

    private static String label(Options o) { return o.network() + " " + o.rule() + " " + o.optimizer(); }

    // ---- pattern generation ----

    /** SGD's default learning rates for pattern generation (summed squared error over 1000 steps). */
    static final double SINE_SGD_LIF = 3e-7, SINE_SGD_RATE = 1e-7;

    private static int sine(Options o, boolean lif, GradientRule rule) throws Exception {
        if (o.epochs() != null) throw new IllegalArgumentException("--task sine-waves counts --iterations, not --epochs");
        if (o.limit() != null || o.data() != null) throw new IllegalArgumentException("--limit and --data are options of seq-fashion-mnist");
        if (o.batch() != null && o.batch() != 1) throw new IllegalArgumentException("--task sine-waves has batch 1 (one frozen input), got --batch " + o.batch());
        int iterations = o.iterations() != null ? o.iterations() : 2000, n = o.units() != null ? o.units() : 100, m = 100, steps = 1000;
        Checks.range("--iterations", iterations, 1, 10_000_000);
        Checks.range("--units", n, 1, 1024);
        double decay = RecurrentRateNetwork.decay(1, 30), g = 1 - decay;
        double lr = o.lr() != null ? o.lr() : o.optimizer().equals("adam") ? (lif ? 3e-4 : 1e-3) : (lif ? SINE_SGD_LIF : SINE_SGD_RATE);
        Sequences s = SineWaves.task(m, steps, o.seed());
        // LIF: N(0, 1) / sqrt(fan-in) weights scaled by 1 - alpha, as the e-prop paper's units scale their input current;
        // random feedback B is drawn like W_out (feedback(...) below)
        RecurrentParameters p = lif ? RecurrentParameters.random(n, m, 1, g, g, g, true, o.seed() + 1)
                : RecurrentParameters.random(n, m, 1, 1.0, 0.8, 0.05, true, o.seed() + 1);
        RecurrentTrainer.Config c = new RecurrentTrainer.Config(lif ? RecurrentTrainer.Network.LIF : RecurrentTrainer.Network.RATE, Activation.TANH,
                decay, decay, 0.03, 0.3, 0, o.rateReg(), 0.01, rule, feedback(o, n, 1, (lif ? g : 0.05) / Math.sqrt(n), o.seed() + 2), false);
        List<Map<String, Object>> rows = new ArrayList<>();
        RecurrentTrainer.Result last = null;
        try (Device d = Devices.open(o.device()); RecurrentTrainer tr = new RecurrentTrainer(d, c, p, optimizer(o, lr))) {
            System.out.printf(Locale.ROOT, "device %s (%s); task sine-waves: %d units, %d inputs, %d steps, seed %d; %s, lr %g%n", d.id(), d.info().name(),
                    n, m, steps, o.seed(), label(o), lr);
            System.out.printf(Locale.ROOT, "%9s %12s %10s %9s%n", "iteration", "loss", "nmse", "seconds");
            long start = System.nanoTime();
            try (Progress bar = Progress.start(label(o), iterations)) {
                for (int i = 1; i <= iterations; i++) {
                    RecurrentTrainer.Result r = tr.step(s);
                    double nmse = SineWaves.nmse(r.y(), s), sec = (System.nanoTime() - start) * 1e-9;
                    if (!Double.isFinite(r.loss()) || !Double.isFinite(nmse)) return diverged(o, rows, i, r.loss());
                    rows.add(row(o, "iteration", i, r.loss(), sec, "nmse", nmse));
                    if (i == 1 || i % 100 == 0 || i == iterations) System.out.printf(Locale.ROOT, "%9d %12.5g %10.5f %9.1f%n", i, r.loss(), nmse, sec);
                    if (o.json() != null && (i % 100 == 0 || i == iterations)) writeJson(o.json(), rows);
                    bar.step();
                }
            }
            last = tr.evaluate(s);
            double nmse = SineWaves.nmse(last.y(), s);
            System.out.printf(Locale.ROOT, "%nfinal nmse %.5f after %d iterations (%s, seed %d)%n", nmse, iterations, label(o), o.seed());
            rows.add(row(o, "final", iterations, last.loss(), (System.nanoTime() - start) * 1e-9, "nmse", nmse));
        }
        if (o.json() != null) writeJson(o.json(), rows);
        if (o.plot() != null) plotSine(o, rows, s, last, n);
        return 0;
    }

    /**
     * The loss became NaN or infinite: stop, keep the rows so far (JSON has no NaN) and a last one saying so,
     * and fail with a message that says what to try.
     */
    private static int diverged(Options o, List<Map<String, Object>> rows, int at, double loss) throws java.io.IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("task", o.task());
        r.put(o.task().equals("sine-waves") ? "iteration" : "epoch", at);
        r.put("diverged", true);
        rows.add(r);
        if (o.json() != null) writeJson(o.json(), rows);
        System.err.printf(Locale.ROOT, "error: training diverged at %s %d (loss %s); try a smaller --lr%n",
                o.task().equals("sine-waves") ? "iteration" : "epoch", at, loss);
        return 1;
    }

    private static Map<String, Object> row(Options o, String kind, int at, double loss, double seconds, String key, double value) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("task", o.task());
        r.put("network", o.network());
        r.put("rule", o.rule());
        r.put("optimizer", o.optimizer());
        r.put("seed", Long.toUnsignedString(o.seed()));
        r.put(kind.equals("epoch") ? "epoch" : "iteration", at);
        if (kind.equals("final")) r.put("final", true);
        r.put("loss", loss);
        r.put(key, value);
        r.put("seconds", seconds);
        return r;
    }

    private static void writeJson(Path file, List<Map<String, Object>> rows) throws java.io.IOException {
        org.neurokernels.io.AtomicFiles.writeString(file, Main.json(rows) + "\n");
    }

    private static void plotSine(Options o, List<Map<String, Object>> rows, Sequences s, RecurrentTrainer.Result r, int n) throws java.io.IOException {
        XYSeries nmse = new XYSeries("nmse");
        for (Map<String, Object> row : rows) if (!row.containsKey("final")) nmse.add(((Number) row.get("iteration")).doubleValue(), Math.max(1e-6, (Double) row.get("nmse")));
        XYSeries target = new XYSeries("target y*"), out = new XYSeries("output y"), raster = new XYSeries("spikes");
        for (int t = 0; t < s.steps(); t++) {
            target.add(t, s.target(0, t, 0));
            out.add(t, r.y()[t]);
            for (int j = 0; j < n; j++) if (r.z()[t * n + j] != 0f && o.network().equals("lif-rnn")) raster.add(t, j);
        }
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        lines.setSeriesStroke(0, new BasicStroke(2f));
        LogAxis logAxis = new LogAxis("normalized MSE");
        XYPlot curve = new XYPlot(new XYSeriesCollection(nmse), new NumberAxis("iteration"), logAxis, lines);
        CombinedDomainXYPlot time = new CombinedDomainXYPlot(new NumberAxis("step (ms)"));
        XYLineAndShapeRenderer pair = new XYLineAndShapeRenderer(true, false);
        pair.setSeriesPaint(0, Color.GRAY);
        pair.setSeriesStroke(0, new BasicStroke(3f));
        pair.setSeriesPaint(1, new Color(0xd62728));
        pair.setSeriesStroke(1, new BasicStroke(1.5f));
        XYSeriesCollection both = new XYSeriesCollection(target);
        both.addSeries(out);
        time.add(new XYPlot(both, null, new NumberAxis("readout"), pair), 1);
        if (raster.getItemCount() > 0) {
            XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
            dots.setSeriesShape(0, new java.awt.geom.Rectangle2D.Double(-0.5, -0.5, 1, 1));
            dots.setSeriesPaint(0, Color.BLACK);
            time.add(new XYPlot(new XYSeriesCollection(raster), null, new NumberAxis("neuron"), dots), 1);
        }
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1000, 1000, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1000, 1000);
        JFreeChart top = new JFreeChart("neurokernels train --task sine-waves: " + label(o) + ", seed " + Long.toUnsignedString(o.seed()),
                JFreeChart.DEFAULT_TITLE_FONT, curve, false);
        top.setBackgroundPaint(Color.WHITE);
        JFreeChart bottom = new JFreeChart("target y* (grey) and output y (red) after training" + (raster.getItemCount() > 0 ? "; recurrent spikes" : ""),
                JFreeChart.DEFAULT_TITLE_FONT, time, false);
        bottom.setBackgroundPaint(Color.WHITE);
        top.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, 1000, 350));
        bottom.draw(g, new java.awt.geom.Rectangle2D.Double(0, 350, 1000, 650));
        g.dispose();
        org.neurokernels.io.AtomicFiles.write(o.plot(), stream -> ChartUtils.writeBufferedImageAsPNG(stream, img));
    }

    // ---- sequential Fashion-MNIST ----

    private static int images(Options o, boolean lif, GradientRule rule) throws Exception {
        if (o.iterations() != null) throw new IllegalArgumentException("--task seq-fashion-mnist counts --epochs, not --iterations");
        int epochs = o.epochs() != null ? o.epochs() : 10, batch = o.batch() != null ? o.batch() : 32, n = o.units() != null ? o.units() : 128;
        Checks.range("--epochs", epochs, 1, Integer.MAX_VALUE);
        Checks.range("--batch", batch, 1, 65536);
        Checks.range("--units", n, 1, 1024);
        if (o.limit() != null) Checks.range("--limit", o.limit(), 1, Integer.MAX_VALUE);
        if (o.data() != null) Checks.inputDirectory("--data", o.data());
        double lr = o.lr() != null ? o.lr() : (o.optimizer().equals("adam") ? 0.001 : 0.05);
        Path dir = o.data() != null ? o.data() : Idx.FASHION_MNIST;
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " not found. Fashion-MNIST: apt-get install dataset-fashion-mnist (as root), or --data DIR");
        Dataset train = Idx.load(dir, "train"), test = Idx.load(dir, "t10k");
        if (train.features() != 784) throw new IllegalArgumentException(dir + ": images of " + train.features() + " pixels, expected 28 x 28");
        int nTrain = o.limit() != null ? Math.min(o.limit(), train.n()) : train.n();
        int nTest = o.limit() != null ? Math.min(o.limit(), test.n()) : test.n();
        if (batch > nTrain) throw new IllegalArgumentException("--batch " + batch + " is more than the " + nTrain + " training examples");
        int m = 28, k = train.classes();
        RecurrentParameters p = RecurrentParameters.random(n, m, k, 1.0, lif ? 0.5 : 0.8, 1.0, lif, o.seed() + 1);
        RecurrentTrainer.Config c = lif
                ? new RecurrentTrainer.Config(RecurrentTrainer.Network.LIF, Activation.TANH, RecurrentRateNetwork.decay(1, 20), RecurrentRateNetwork.decay(1, 10),
                        0.3, 0.3, 0, o.rateReg(), 0.01, rule, feedback(o, n, k, 1 / Math.sqrt(n), o.seed() + 2), false)
                : new RecurrentTrainer.Config(RecurrentTrainer.Network.RATE, Activation.TANH, RecurrentRateNetwork.decay(1, 4), 0, 0, 0, 0, 0, 0, rule,
                        feedback(o, n, k, 1 / Math.sqrt(n), o.seed() + 2), false);
        List<Map<String, Object>> rows = new ArrayList<>();
        int[] testOrder = new int[nTest];
        for (int i = 0; i < nTest; i++) testOrder[i] = i;
        try (Device d = Devices.open(o.device()); RecurrentTrainer tr = new RecurrentTrainer(d, c, p, optimizer(o, lr))) {
            System.out.printf(Locale.ROOT, "device %s (%s); task seq-fashion-mnist: %d train, %d test, 28 steps of 28 pixels, %d units; %s, lr %g, batch %d, seed %d%n",
                    d.id(), d.info().name(), nTrain, nTest, n, label(o), lr, batch, o.seed());
            System.out.printf(Locale.ROOT, "%5s %11s %10s %9s %9s%n", "epoch", "train loss", "train acc", "test acc", "seconds");
            SplittableRandom shuffle = new SplittableRandom(o.seed() + 3);
            long start = System.nanoTime();
            int batches = nTrain / batch;
            try (Progress bar = Progress.start(label(o), (long) batches * epochs)) {
                for (int e = 1; e <= epochs; e++) {
                    int[] order = new int[train.n()];
                    for (int i = 0; i < order.length; i++) order[i] = i;
                    for (int i = nTrain - 1; i > 0; i--) {   // a shuffle of the first nTrain examples
                        int j = shuffle.nextInt(i + 1), t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    double loss = 0;
                    long right = 0;
                    for (int bi = 0; bi < batches; bi++) {
                        Sequences s = SequentialImages.batch(train, order, bi * batch, batch, 28);
                        RecurrentTrainer.Result r = tr.step(s);
                        if (!Double.isFinite(r.loss())) return diverged(o, rows, e, r.loss());
                        loss += r.loss();
                        right += SequentialImages.correct(r.y(), s, train, order, bi * batch);
                        bar.step();
                    }
                    long testRight = 0;
                    for (int from = 0; from < nTest; from += 500) {
                        Sequences s = SequentialImages.batch(test, testOrder, from, Math.min(500, nTest - from), 28);
                        testRight += SequentialImages.correct(tr.evaluate(s).y(), s, test, testOrder, from);
                    }
                    double sec = (System.nanoTime() - start) * 1e-9, trainLoss = loss / ((long) batches * batch), trainAcc = right / (double) ((long) batches * batch),
                            testAcc = testRight / (double) nTest;
                    System.out.printf(Locale.ROOT, "%5d %11.4f %9.2f%% %8.2f%% %9.1f%n", e, trainLoss, 100 * trainAcc, 100 * testAcc, sec);
                    Map<String, Object> row = row(o, "epoch", e, trainLoss, sec, "test_accuracy", testAcc);
                    row.put("train_accuracy", trainAcc);
                    rows.add(row);
                    if (o.json() != null) writeJson(o.json(), rows);
                }
            }
        }
        double acc = (Double) rows.get(rows.size() - 1).get("test_accuracy");
        System.out.printf(Locale.ROOT, "%nfinal test accuracy %.2f%% after %d epochs (%s, seed %d)%n", 100 * acc, epochs, label(o), o.seed());
        if (o.plot() != null) plotImages(o, rows);
        return 0;
    }

    private static void plotImages(Options o, List<Map<String, Object>> rows) throws java.io.IOException {
        XYSeries test = new XYSeries("test accuracy"), train = new XYSeries("train accuracy"), loss = new XYSeries("train loss");
        for (Map<String, Object> r : rows) {
            int e = (Integer) r.get("epoch");
            test.add(e, 100 * (Double) r.get("test_accuracy"));
            train.add(e, 100 * (Double) r.get("train_accuracy"));
            loss.add(e, (Double) r.get("loss"));
        }
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        XYSeriesCollection acc = new XYSeriesCollection(test);
        acc.addSeries(train);
        NumberAxis accAxis = new NumberAxis("accuracy (%)");
        accAxis.setAutoRangeIncludesZero(false);
        plot.add(new XYPlot(acc, null, accAxis, new XYLineAndShapeRenderer(true, true)), 2);
        plot.add(new XYPlot(new XYSeriesCollection(loss), null, new NumberAxis("train loss (cross-entropy)"), new XYLineAndShapeRenderer(true, true)), 1);
        JFreeChart chart = new JFreeChart("neurokernels train --task seq-fashion-mnist: " + label(o), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        org.neurokernels.io.AtomicFiles.write(o.plot(), out -> ChartUtils.writeChartAsPNG(out, chart, 1000, 800));
    }
}

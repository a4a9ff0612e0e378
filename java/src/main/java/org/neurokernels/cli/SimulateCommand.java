package org.neurokernels.cli;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.dynamics.LifParameters;
import org.neurokernels.dynamics.Microcircuit;
import org.neurokernels.dynamics.SparseNetwork;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurokernels simulate}: a spiking benchmark network on one device, with the {@code lif_network} op
 * (many steps per launch, event-driven delivery, spikes recorded on the device).
 * <ul>
 * <li>{@code --network cuba}: the Vogels-Abbott CUBA network (Vogels and Abbott 2005; Brette et al. 2007),
 * current-based LIF neurons, 80% excitatory, parameters of PyNN's VAbenchmarks (cm 0.2 nF, tau_m 20 ms,
 * v_rest -49, v_thresh -50, v_reset -60 mV, tau_refrac 5 ms, tau_syn_E 5, tau_syn_I 10 ms; weights 0.0162 nA
 * excitatory, 0.09 nA inhibitory), each neuron receiving 80 random inputs on average (each pair with
 * probability 80/N) as in the 4000-neuron original whatever the size, delay one step. Its connections are
 * drawn on the host and given as explicit lists.</li>
 * <li>{@code --network microcircuit}: the Potjans-Diesmann cortical microcircuit ({@link Microcircuit}),
 * built on the device by the connect op; {@code --neurons} below 77,169 scales it down.</li>
 * </ul>
 * Reports population rates and writes a raster (a subsample of every population) and rate plot.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "Run a spiking benchmark network (the CUBA balanced E/I network or the Potjans-Diesmann microcircuit); report population rates; record spikes; plot a raster.")
final class SimulateCommand implements Callable<Integer> {
    static final int MIN_NEURONS = 100;
    /** The largest network: its connection table (about 80 synapses a neuron, padded) must fit one Java array. */
    static final int MAX_NEURONS = 1_000_000;

    @Option(names = "--network", defaultValue = "cuba", description = "cuba or microcircuit (default ${DEFAULT-VALUE})") String network;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--neurons", description = "network size: cuba " + MIN_NEURONS + " to " + MAX_NEURONS + " (default 1000; 4000 is the original), microcircuit 770 to 77169 (default 77169, the full circuit; fewer scales it down)") Integer neurons;
    @Option(names = "--ms", defaultValue = "1000", description = "simulated time (ms), > 0") double ms;
    @Option(names = "--dt", defaultValue = "0.1", description = "step (ms), > 0") double dt;
    @Option(names = "--transient", description = "ms at the start left out of the reported rates (default: 0 for cuba, 100 for microcircuit, at most half of --ms)") Double transientMs;
    @Option(names = "--seed", defaultValue = "1", converter = Checks.Uint64.class, description = "unsigned 64-bit seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--plot", description = "write a raster (a subsample of every population) and population-rate PNG") Path plot;
    @Option(names = "--json", description = "write the population rates as JSON") Path json;
    @Option(names = {"--record", "--spikes"}, description = "write every spike as a row (time in ms, neuron id) of a float32 .npy file") Path spikesFile;

    @Override public Integer call() throws Exception {
        // every option is checked before any allocation or device work
        boolean micro;
        switch (network) {
            case "cuba" -> micro = false;
            case "microcircuit" -> micro = true;
            default -> throw new IllegalArgumentException("--network " + network + ": choose cuba or microcircuit");
        }
        int n = neurons != null ? neurons : micro ? 77169 : 1000;
        if (micro) Checks.range("--neurons", n, 770, 77169);
        else Checks.range("--neurons", n, MIN_NEURONS, MAX_NEURONS);
        Checks.positive("--ms", ms);
        Checks.positive("--dt", dt);
        double stepCount = Math.floor(ms / dt + 0.5);   // round half up, as Math.round, without its wrap
        if (!(stepCount >= 1 && stepCount <= 16_777_216)) {
            String count = stepCount < 1e12 ? String.format(Locale.ROOT, "%.0f", stepCount) : String.format(Locale.ROOT, "%.3g", stepCount);
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--ms %s at --dt %s is %s steps; need 1 to %d steps", ms, dt, count, 16_777_216));
        }
        Checks.outputFile("--plot", plot);
        Checks.outputFile("--json", json);
        Checks.outputFile("--record", spikesFile);
        LifParameters cell = micro ? Microcircuit.CELL : new LifParameters(20, 0.2, -49, -60, -50, 5, 5, 10, 0);
        cell.step(dt, 50);   // refuses a dt at which the refractory period or a propagator does not fit
        int steps = (int) stepCount;
        double skipMs = transientMs != null ? transientMs : micro ? 100 : 0;
        if (!(skipMs >= 0 && skipMs <= ms / 2)) throw new IllegalArgumentException("--transient " + skipMs + " ms must lie in [0, --ms / 2]");
        long skipSteps = Math.round(skipMs / dt);
        try (Device d = Devices.open(device); SparseNetwork net = new SparseNetwork(d, cell, dt, seed)) {
            long tb = System.nanoTime();
            String what;
            if (micro) {
                Microcircuit.build(net, n / 77169.0, new Random(seed));
                what = String.format(Locale.ROOT, "Potjans-Diesmann microcircuit, %d neurons in 8 populations (scale %.3g)", net.neurons(), n / 77169.0);
            } else {
                buildCuba(net, n);
                what = String.format(Locale.ROOT, "CUBA network, %d neurons (%d E), 80 inputs each on average", n, n * 4 / 5);
            }
            System.out.printf(Locale.ROOT, "device %s (%s): %s, %.0f ms at dt %.3g ms%n", d.id(), d.info().name(), what, ms, dt);
            long synapses = net.build();
            double buildSeconds = (System.nanoTime() - tb) * 1e-9;
            System.out.printf(Locale.ROOT, "built %d synapses (table %d x %d) in %.2f s%n", synapses, net.neurons(), net.tableWidth(), buildSeconds);
            List<SparseNetwork.Population> pops = net.populations();
            int npop = pops.size();
            // a raster of a subsample of each population: about 300 rows in all, at least 10 per population
            int[] shown = new int[npop], stride = new int[npop], rowBase = new int[npop];
            int rows = 0;
            for (int p = 0; p < npop; p++) {
                int size = pops.get(p).size();
                shown[p] = Math.min(size, Math.max(10, (int) Math.round(300.0 * size / net.neurons())));
                stride[p] = Math.max(1, size / shown[p]);
                rowBase[p] = rows;
                rows += shown[p];
            }
            XYSeries[] raster = new XYSeries[npop], rateSeries = new XYSeries[npop];
            for (int p = 0; p < npop; p++) {
                raster[p] = new XYSeries(pops.get(p).name());
                rateSeries[p] = new XYSeries(pops.get(p).name() + " rate");
            }
            int[] popOf = new int[net.neurons()];
            for (int p = 0; p < npop; p++) java.util.Arrays.fill(popOf, pops.get(p).first(), pops.get(p).first() + pops.get(p).size(), p);
            long binSteps = Math.max(1, Math.min(steps, Math.round((micro ? 5.0 : 1.0) / dt)));
            double[] totals = new double[npop], bin = new double[npop];
            long[] binFill = {0};
            List<float[]> spikeList = new ArrayList<>();
            int chunk = Math.min(steps, 2000);
            long t0 = System.nanoTime();
            try (Progress bar = Progress.start("simulate", steps)) {
                net.run(steps, chunk, (first, now, st, sn, counts) -> {
                    for (int r = 0; r < st.length; r++) {
                        int step = st[r] + 1, j = sn[r], p = popOf[j], local = j - pops.get(p).first();
                        if (spikesFile != null) spikeList.add(new float[] {(float) (step * dt), j});
                        if (local % stride[p] == 0 && local / stride[p] < shown[p]) raster[p].add(step * dt, rowBase[p] + local / stride[p]);
                    }
                    for (int q = 0; q < now; q++) {
                        for (int p = 0; p < npop; p++) {
                            bin[p] += counts[q * npop + p];
                            if (first + q >= skipSteps) totals[p] += counts[q * npop + p];
                        }
                        if (++binFill[0] == binSteps) {
                            for (int p = 0; p < npop; p++) {
                                rateSeries[p].add((first + q + 1) * dt, bin[p] / pops.get(p).size() / (binSteps * dt) * 1000);
                                bin[p] = 0;
                            }
                            binFill[0] = 0;
                        }
                        bar.step();
                    }
                });
            }
            double seconds = (System.nanoTime() - t0) * 1e-9;
            double[] rates = new double[npop];
            double rateMs = (steps - skipSteps) * dt;
            for (int p = 0; p < npop; p++) rates[p] = totals[p] / pops.get(p).size() / rateMs * 1000;
            if (micro) {
                System.out.printf(Locale.ROOT, "mean rates from %.0f ms on:%npopulation  neurons  rate (Hz)  reference (Hz)%n", skipSteps * dt);
                for (int p = 0; p < npop; p++) {
                    System.out.printf(Locale.ROOT, "%-10s %8d %10.2f %15.2f%n", pops.get(p).name(), pops.get(p).size(), rates[p], Microcircuit.REFERENCE_RATES[p]);
                }
                System.out.printf(Locale.ROOT, "%.2f s wall time for %.0f ms (real-time factor %.1f; %.1f steps/s; lif_network, %d steps a launch)%n",
                        seconds, ms, seconds / (ms / 1000), steps / seconds, chunk);
            } else {
                System.out.printf(Locale.ROOT, "mean rate: excitatory %.2f Hz, inhibitory %.2f Hz; %.2f s wall time (%.1f steps/s; lif_network, %d steps a launch, spikes recorded on the device)%n",
                        rates[0], rates[1], seconds, steps / seconds, chunk);
            }
            if (json != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("network", network);
                m.put("device", d.id());
                m.put("neurons", net.neurons());
                m.put("synapses", synapses);
                m.put("ms", ms);
                m.put("dt", dt);
                m.put("seed", new java.math.BigInteger(Long.toUnsignedString(seed)));  // unsigned 64-bit, as a JSON number
                if (!micro) {
                    m.put("rate_excitatory_hz", rates[0]);
                    m.put("rate_inhibitory_hz", rates[1]);
                }
                Map<String, Object> byPop = new LinkedHashMap<>();
                for (int p = 0; p < npop; p++) byPop.put(pops.get(p).name(), rates[p]);
                m.put("rates_hz", byPop);
                m.put("transient_ms", skipSteps * dt);
                m.put("build_seconds", buildSeconds);
                m.put("wall_seconds", seconds);
                m.put("real_time_factor", seconds / (ms / 1000));
                org.neurokernels.io.AtomicFiles.writeString(json, Main.json(m) + "\n");
            }
            if (spikesFile != null) {
                float[] flat = new float[2 * spikeList.size()];
                for (int k = 0; k < spikeList.size(); k++) System.arraycopy(spikeList.get(k), 0, flat, 2 * k, 2);
                org.neurokernels.io.Npy.write(spikesFile, flat, spikeList.size(), 2);
                System.out.println("wrote " + spikeList.size() + " spikes to " + spikesFile);
            }
            if (plot != null) writePlot(micro ? "Potjans-Diesmann microcircuit, " + net.neurons() + " neurons" : "Vogels-Abbott CUBA network, " + n + " neurons",
                    raster, rateSeries, micro ? 5 : 1);
        }
        return 0;
    }

    /** The CUBA network's populations and its connections, drawn on the host (each pair with probability 80/N) and given as explicit lists. */
    private void buildCuba(SparseNetwork net, int n) {
        int ne = n * 4 / 5, inDegree = 80;
        double p = Math.min(1.0, inDegree / (double) n);
        net.population("E", ne, 0);
        net.population("I", n - ne, 0);
        // sparse connections by presynaptic neuron: each pair (post, pre != post) with probability p, E weights
        // 0.0162 nA and I weights -0.09 nA (added to the inhibitory current, as lif_step takes syn_i)
        Random rnd = new Random(seed);
        int[][] rows = new int[n][];
        int[] len = new int[n];
        for (int j = 0; j < n; j++) rows[j] = new int[Math.max(4, 2 * inDegree)];
        float[] v0 = new float[n];
        // the presynaptic neurons of each post, pair by pair with probability p: gaps between successive ones
        // drawn from the geometric distribution, so the cost follows the synapses, not n^2
        double logQ = Math.log1p(-p);
        for (int post = 0; post < n; post++) {
            for (long pre = -1; ; ) {
                pre += p >= 1 ? 1 : 1 + (long) Math.floor(Math.log(1 - rnd.nextDouble()) / logQ);
                if (pre >= n) break;
                if (pre == post) continue;
                int j = (int) pre;
                if (len[j] == rows[j].length) rows[j] = java.util.Arrays.copyOf(rows[j], 2 * rows[j].length);
                rows[j][len[j]++] = post;
            }
            v0[post] = (float) (-60 + 10 * rnd.nextDouble());
        }
        int kmax = 1;
        for (int j = 0; j < n; j++) kmax = Math.max(kmax, len[j]);
        Checks.heap("--neurons " + n + " (a connection table of " + n + " x " + kmax + ")", 4L * 4 * n * kmax);
        float[] targets = new float[Math.multiplyExact(n, kmax)], weights = new float[n * kmax], delays = new float[n * kmax];
        java.util.Arrays.fill(delays, 1f);   // one step
        for (int j = 0; j < n; j++) {
            for (int q = 0; q < kmax; q++) {
                targets[j * kmax + q] = q < len[j] ? rows[j][q] : -1f;
                weights[j * kmax + q] = q < len[j] ? (j < ne ? 0.0162f : -0.09f) : 0f;
            }
            rows[j] = null;
        }
        net.table(targets, weights, delays, kmax);
        net.initialPotentials(v0);
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private void writePlot(String title, XYSeries[] raster, XYSeries[] rateSeries, double binMs) throws Exception {
        XYSeriesCollection dotsData = new XYSeriesCollection(), rates = new XYSeriesCollection();
        for (XYSeries x : raster) dotsData.addSeries(x);
        for (XYSeries x : rateSeries) rates.addSeries(x);
        CombinedDomainXYPlot plotArea = new CombinedDomainXYPlot(new NumberAxis("time (ms)"));
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
        for (int p = 0; p < raster.length; p++) {
            dots.setSeriesShape(p, new java.awt.geom.Rectangle2D.Double(-0.5, -0.5, 1, 1));
            dots.setSeriesPaint(p, COLORS[p % COLORS.length]);
            lines.setSeriesPaint(p, COLORS[p % COLORS.length]);
        }
        NumberAxis rowAxis = new NumberAxis("neuron (subsample per population)");
        rowAxis.setInverted(true);
        plotArea.add(new XYPlot(dotsData, null, rowAxis, dots), 3);
        plotArea.add(new XYPlot(rates, null, new NumberAxis(String.format(Locale.ROOT, "rate (Hz, %.0f ms bins)", binMs)), lines), 1);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plotArea, true);
        chart.setBackgroundPaint(Color.WHITE);
        org.neurokernels.io.AtomicFiles.write(plot, out -> ChartUtils.writeChartAsPNG(out, chart, 1100, 750));
        System.out.println("wrote " + plot);
    }
}

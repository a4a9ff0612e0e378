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
import org.neurokernels.dynamics.LifStep;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code neurokernels simulate}: the Vogels-Abbott CUBA benchmark network (Vogels & Abbott 2005; Brette et
 * al. 2007), current-based LIF neurons, 80% excitatory, parameters of PyNN's VAbenchmarks (cm 0.2 nF,
 * tau_m 20 ms, v_rest -49, v_thresh -50, v_reset -60 mV, tau_refrac 5 ms, tau_syn_E 5, tau_syn_I 10 ms;
 * weights 0.0162 nA excitatory, 0.09 nA inhibitory), each neuron receiving 80 random inputs as in the
 * 4000-neuron original whatever the size. Reports population rates and writes a raster and rate plot.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, version = Main.VERSION, description = "Run the Vogels-Abbott CUBA balanced E/I network; report population rates; plot a raster.")
final class SimulateCommand implements Callable<Integer> {
    static final int MIN_NEURONS = 100;
    /** The largest network: its connection table (about 80 synapses a neuron, padded) must fit one Java array. */
    static final int MAX_NEURONS = 1_000_000;

    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--neurons", defaultValue = "1000", description = "network size (80%% excitatory), " + MIN_NEURONS + " to " + MAX_NEURONS + "; 4000 is the original") int neurons;
    @Option(names = "--ms", defaultValue = "1000", description = "simulated time (ms), > 0") double ms;
    @Option(names = "--dt", defaultValue = "0.1", description = "step (ms), > 0") double dt;
    @Option(names = "--seed", defaultValue = "1", converter = Checks.Uint64.class, description = "unsigned 64-bit seed (default ${DEFAULT-VALUE})") long seed;
    @Option(names = "--plot", description = "write a raster and population-rate PNG") Path plot;
    @Option(names = "--json", description = "write the population rates as JSON") Path json;
    @Option(names = "--spikes", description = "write every spike as a row (time in ms, neuron) of a float32 .npy file") Path spikesFile;

    @Override public Integer call() throws Exception {
        // every option is checked before any allocation or device work
        Checks.range("--neurons", neurons, MIN_NEURONS, MAX_NEURONS);
        Checks.positive("--ms", ms);
        Checks.positive("--dt", dt);
        double stepCount = Math.floor(ms / dt + 0.5);   // round half up, as Math.round, without its wrap
        if (!(stepCount >= 1 && stepCount <= Integer.MAX_VALUE)) {
            String count = stepCount < 1e12 ? String.format(Locale.ROOT, "%.0f", stepCount) : String.format(Locale.ROOT, "%.3g", stepCount);
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--ms %s at --dt %s is %s steps; need 1 to %d steps", ms, dt, count, Integer.MAX_VALUE));
        }
        Checks.outputFile("--plot", plot);
        Checks.outputFile("--json", json);
        Checks.outputFile("--spikes", spikesFile);
        LifParameters cell = new LifParameters(20, 0.2, -49, -60, -50, 5, 5, 10, 0);
        cell.step(dt, 50);   // refuses a dt at which the refractory period or a propagator does not fit
        int n = neurons, ne = n * 4 / 5, inDegree = 80;
        double p = Math.min(1.0, inDegree / (double) n);
        // sparse connections by presynaptic neuron (the table nk_lif_network delivers along): each pair
        // (post, pre != post) with probability p, E weights 0.0162 nA and
        // I weights -0.09 nA (added to the inhibitory current, as lif_step takes syn_i)
        Random rnd = new Random(seed);
        int[][] rows = new int[n][];
        int[] len = new int[n];
        for (int j = 0; j < n; j++) rows[j] = new int[Math.max(4, (int) (2 * inDegree))];
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
        Checks.heap("--neurons " + n + " (a connection table of " + n + " x " + kmax + ")", 3L * 4 * n * kmax);
        float[] targets = new float[Math.multiplyExact(n, kmax)], weights = new float[n * kmax];
        for (int j = 0; j < n; j++) {
            for (int q = 0; q < kmax; q++) {
                targets[j * kmax + q] = q < len[j] ? rows[j][q] : -1f;
                weights[j * kmax + q] = q < len[j] ? (j < ne ? 0.0162f : -0.09f) : 0f;
            }
            rows[j] = null;
        }
        int steps = (int) stepCount, rasterNeurons = Math.min(n, 200);
        LifStep stepParams = cell.step(dt, 50);
        // one launch per chunk, nothing read back in between; a neuron fires at most once per refractory
        // period plus a step, which bounds the spikes a chunk can record
        int chunk = Math.min(steps, 2000);
        int capacity = (int) Math.min(Integer.MAX_VALUE / 2, (long) n * (chunk / (stepParams.refractorySteps() + 1) + 1));
        XYSeries rasterE = new XYSeries("excitatory"), rasterI = new XYSeries("inhibitory");
        long binSteps = Math.max(1, Math.min(steps, Math.round(1.0 / dt)));
        List<double[]> bins = new ArrayList<>();
        double[] totals = new double[2];
        List<float[]> spikeList = new ArrayList<>();
        org.neurokernels.ops.Op op = org.neurokernels.ops.OpRegistry.get("lif_network");
        try (Device d = Devices.open(device)) {
            System.out.printf(Locale.ROOT, "device %s (%s): CUBA network, %d neurons (%d E), %d inputs each on average, %.0f ms at dt %.3g ms%n",
                    d.id(), d.info().name(), n, ne, inDegree, ms, dt);
            Map<String, org.neurokernels.Matrix> t = new LinkedHashMap<>();
            try {
                float[] zeros = new float[n];
                t.put("v", d.upload(v0, 1, n));
                for (String name : List.of("i_e", "i_i", "refractory", "rate", "count")) t.put(name, d.upload(zeros, 1, n));
                t.put("ring_e", d.upload(zeros, 1, n));
                t.put("ring_i", d.upload(zeros, 1, n));
                t.put("targets", d.upload(targets, n, kmax));
                t.put("weights", d.upload(weights, n, kmax));
                t.put("spikes", d.allocate(1, n));
                t.put("rec", d.allocate(capacity, 2));
                t.put("nrec", d.allocate(1, 2));
                long t0 = System.nanoTime();
                double[] bin = new double[2];
                long binFill = 0;
                try (Progress bar = Progress.start("simulate", steps)) {
                    for (int done = 0; done < steps; ) {
                        int now = Math.min(chunk, steps - done);
                        try (org.neurokernels.Matrix pop = d.allocate(now, 2)) {
                            t.put("pop", pop);
                            d.upload(t.get("nrec"), new float[2]);
                            d.run(op, t, op.params(org.neurokernels.ops.LifNetworkOp.params(cell, dt, 50, now, done, ne, capacity)));
                            float[] nrec = d.download(t.get("nrec"));
                            if (nrec[1] != nrec[0]) throw new IllegalStateException("the spike record overflowed: " + nrec[1] + " spikes, " + nrec[0] + " rows");
                            int recorded = (int) nrec[0];
                            float[] rec = recorded == 0 ? new float[0] : d.download(t.get("rec").view(0, 0, recorded, 2));
                            for (int r = 0; r < recorded; r++) {
                                int step = (int) rec[2 * r] + 1, j = (int) rec[2 * r + 1];
                                if (spikesFile != null) spikeList.add(new float[] {(float) (step * dt), j});
                                int kk = j < ne ? j * rasterNeurons / 2 / ne : rasterNeurons / 2 + (j - ne) * rasterNeurons / 2 / (n - ne);
                                if ((j < ne ? j % Math.max(1, ne / (rasterNeurons / 2)) : (j - ne) % Math.max(1, (n - ne) / (rasterNeurons / 2))) == 0) {
                                    (j < ne ? rasterE : rasterI).add(step * dt, kk);
                                }
                            }
                            float[] counts = d.download(pop);
                            for (int q = 0; q < now; q++) {
                                bin[0] += counts[2 * q];
                                bin[1] += counts[2 * q + 1];
                                totals[0] += counts[2 * q];
                                totals[1] += counts[2 * q + 1];
                                if (++binFill == binSteps) {
                                    bins.add(new double[] {(done + q + 1) * dt, bin[0] / ne / (binSteps * dt) * 1000, bin[1] / (n - ne) / (binSteps * dt) * 1000});
                                    bin = new double[2];
                                    binFill = 0;
                                }
                            }
                            t.remove("pop");
                        }
                        done += now;
                        for (int q = 0; q < now; q++) bar.step();
                    }
                }
                double seconds = (System.nanoTime() - t0) * 1e-9;
                double rateE = totals[0] / ne / ms * 1000, rateI = totals[1] / (n - ne) / ms * 1000;
                System.out.printf(Locale.ROOT, "mean rate: excitatory %.2f Hz, inhibitory %.2f Hz; %.2f s wall time (%.1f steps/s; lif_network, %d steps a launch, spikes recorded on the device)%n",
                        rateE, rateI, seconds, steps / seconds, chunk);
                if (json != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("device", d.id());
                    m.put("neurons", n);
                    m.put("ms", ms);
                    m.put("dt", dt);
                    m.put("seed", new java.math.BigInteger(Long.toUnsignedString(seed)));  // unsigned 64-bit, as a JSON number
                    m.put("rate_excitatory_hz", rateE);
                    m.put("rate_inhibitory_hz", rateI);
                    m.put("wall_seconds", seconds);
                    org.neurokernels.io.AtomicFiles.writeString(json, Main.json(m) + "\n");
                }
            } finally {
                for (org.neurokernels.Matrix m : t.values()) m.close();
            }
        }
        if (spikesFile != null && !spikeList.isEmpty()) {
            float[] flat = new float[2 * spikeList.size()];
            for (int k = 0; k < spikeList.size(); k++) System.arraycopy(spikeList.get(k), 0, flat, 2 * k, 2);
            org.neurokernels.io.Npy.write(spikesFile, flat, spikeList.size(), 2);
            System.out.println("wrote " + spikeList.size() + " spikes to " + spikesFile);
        }
        if (plot != null) {
            XYSeriesCollection raster = new XYSeriesCollection();
            raster.addSeries(rasterE);
            raster.addSeries(rasterI);
            XYSeries re = new XYSeries("excitatory rate"), ri = new XYSeries("inhibitory rate");
            for (double[] b : bins) {
                re.add(b[0], b[1]);
                ri.add(b[0], b[2]);
            }
            XYSeriesCollection rates = new XYSeriesCollection();
            rates.addSeries(re);
            rates.addSeries(ri);
            CombinedDomainXYPlot plotArea = new CombinedDomainXYPlot(new NumberAxis("time (ms)"));
            XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
            dots.setSeriesShape(0, new java.awt.geom.Rectangle2D.Double(-0.5, -0.5, 1, 1));
            dots.setSeriesShape(1, new java.awt.geom.Rectangle2D.Double(-0.5, -0.5, 1, 1));
            dots.setSeriesPaint(0, new Color(0x1f77b4));
            dots.setSeriesPaint(1, new Color(0xd62728));
            XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
            lines.setSeriesPaint(0, new Color(0x1f77b4));
            lines.setSeriesPaint(1, new Color(0xd62728));
            plotArea.add(new XYPlot(raster, null, new NumberAxis("neuron (sample)"), dots), 3);
            plotArea.add(new XYPlot(rates, null, new NumberAxis("rate (Hz, 1 ms bins)"), lines), 1);
            JFreeChart chart = new JFreeChart("Vogels-Abbott CUBA network, " + n + " neurons", JFreeChart.DEFAULT_TITLE_FONT, plotArea, true);
            chart.setBackgroundPaint(Color.WHITE);
            org.neurokernels.io.AtomicFiles.write(plot, out -> ChartUtils.writeChartAsPNG(out, chart, 1100, 750));
            System.out.println("wrote " + plot);
        }
        return 0;
    }
}

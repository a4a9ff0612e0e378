package org.neurokernels.dynamics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.Matrix;
import org.neurokernels.ops.LifNetworkOp;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;

/**
 * A spiking network of LIF populations (one set of {@link LifParameters} for every neuron) joined by sparse
 * projections, simulated with the {@code lif_network} op: many steps per launch, event-driven delivery with
 * a transmission delay per synapse, an optional Poisson background per population, spikes
 * recorded and counted per population on the device. Projections are built on the device by the
 * {@code connect} op from Philox (fixed probability, fixed out-degree, one-to-one, fixed in-degree; weights and delays
 * fixed or normally distributed), so a network is the same
 * from its seed on every device, or given as explicit lists ({@link #table}).
 *
 * <p>Use: add populations and projections, {@link #build}, then {@link #run} in chunks of steps.
 */
public final class SparseNetwork implements AutoCloseable {
    /** A population: neurons {@code first} .. {@code first + size - 1}. */
    public record Population(String name, int first, int size, double backgroundPerStep) { }

    /** Spikes of one launch: (step, neuron) pairs, and counts per step and population ({@code steps x npop}). */
    public interface Listener {
        void chunk(int firstStep, int steps, int[] spikeSteps, int[] spikeNeurons, float[] popCounts);
    }

    private record Projection(int pre, int post, int rule, double p, int degree, double weight, double weightSd, boolean autapses,
                              double delaySteps, double delaySdSteps) { }

    private static final int BG_COLUMNS = 16;
    private final Device device;
    private final LifParameters cell;
    private final double dt;
    private final long seed;
    private final List<Population> populations = new ArrayList<>();
    private final List<Projection> projections = new ArrayList<>();
    private float[] explicitTargets, explicitWeights, explicitDelays;
    private int explicitK;
    private double backgroundWeight;
    private float[] v0;
    private final Map<String, Matrix> t = new LinkedHashMap<>();
    private int n, k, step, maxDelay = 1;
    private long synapses;
    private boolean built;

    /** A network on {@code device}, neurons {@code cell}, step {@code dt} ms, connections and background from {@code seed}. */
    public SparseNetwork(Device device, LifParameters cell, double dt, long seed) {
        cell.step(dt, 50);   // refuses a dt at which the refractory period or a propagator does not fit
        this.device = device;
        this.cell = cell;
        this.dt = dt;
        this.seed = seed;
    }

    /**
     * Adds a population of {@code size} neurons with a Poisson background of {@code backgroundHz} (total rate
     * of its external inputs; 0 for none), each event of the network's {@linkplain #backgroundWeight
     * background weight}. Returns its index.
     */
    public int population(String name, int size, double backgroundHz) {
        requireOpen();
        if (size < 1) throw new IllegalArgumentException("population " + name + ": size " + size + " must be at least 1");
        if (!(backgroundHz >= 0 && backgroundHz < 1e9)) throw new IllegalArgumentException("population " + name + ": background " + backgroundHz + " Hz must be in [0, 1e9)");
        long first = (long) n;
        if (first + size > 16_777_216) throw new IllegalArgumentException("at most 2^24 neurons in a network");
        double lambda = backgroundHz * dt / 1000;
        if (lambda > 4) throw new IllegalArgumentException("population " + name + ": background " + backgroundHz + " Hz is " + lambda + " events a step; at most 4");
        populations.add(new Population(name, n, size, lambda));
        n += size;
        return populations.size() - 1;
    }

    /** The weight of one background event (nA, excitatory). */
    public void backgroundWeight(double nA) {
        requireOpen();
        if (!(nA >= 0 && nA < 1e6)) throw new IllegalArgumentException("background weight " + nA + " nA must be in [0, 1e6)");
        backgroundWeight = nA;
    }

    /**
     * Connects every pair (pre, post) of the two populations with probability p (no self-connections).
     * Weights in nA (negative: inhibitory) with standard deviation weightSd; delays in ms (rounded to steps,
     * at least one) with standard deviation delaySdMs.
     */
    public void connectProbability(int pre, int post, double p, double weight, double weightSd, double delayMs, double delaySdMs) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("connection probability " + p + " must be in [0, 1]");
        add(new Projection(pre, post, 1, p, 0, weight, weightSd, false, delayMs / dt, delaySdMs / dt));
    }

    /** Gives each neuron of {@code pre} {@code degree} targets drawn uniformly from {@code post} (no self-connections). */
    public void connectOutDegree(int pre, int post, int degree, double weight, double weightSd, double delayMs, double delaySdMs) {
        if (degree < 0) throw new IllegalArgumentException("out-degree " + degree + " must be at least 0");
        add(new Projection(pre, post, 0, 0, degree, weight, weightSd, false, delayMs / dt, delaySdMs / dt));
    }

    /**
     * Gives each neuron of {@code post} {@code degree} sources drawn uniformly from {@code pre} (with
     * repetition, no self-connections). Its cost on the device grows as |pre| x |post| x degree: for
     * networks of some 10^4 neurons.
     */
    public void connectInDegree(int pre, int post, int degree, double weight, double weightSd, double delayMs, double delaySdMs) {
        if (degree < 0) throw new IllegalArgumentException("in-degree " + degree + " must be at least 0");
        add(new Projection(pre, post, 3, 0, degree, weight, weightSd, false, delayMs / dt, delaySdMs / dt));
    }

    /** Connects neuron i of {@code pre} to neuron i of {@code post} (equal sizes). */
    public void connectOneToOne(int pre, int post, double weight, double delayMs) {
        if (populations.get(pre).size() != populations.get(post).size()) throw new IllegalArgumentException("one-to-one needs populations of equal size");
        add(new Projection(pre, post, 2, 0, 0, weight, 0, true, delayMs / dt, 0));
    }

    /**
     * Explicit lists: row j of {@code targets} (n x k, neuron indices, -1 ends a row) holds neuron j's targets,
     * {@code weights} their weights (nA, negative: inhibitory), {@code delays} their delays (whole steps,
     * at least 1). The projections added with connect* are appended after these.
     */
    public void table(float[] targets, float[] weights, float[] delays, int k) {
        requireOpen();
        if (k < 1 || targets.length != (long) n * k || weights.length != targets.length || delays.length != targets.length)
            throw new IllegalArgumentException("the tables must be " + n + " x " + k + " (the network's neurons x k >= 1)");
        for (int q = 0; q < targets.length; q++) {
            if (!(targets[q] >= 0)) continue;
            float dl = delays[q];
            if (!(dl >= 1 && dl <= 65536 && dl == Math.floor(dl))) throw new IllegalArgumentException("explicit delay " + dl + " (slot " + q + "): need a whole number of steps in 1 .. 65536");
            if (!(Math.abs(weights[q]) < 1e6)) throw new IllegalArgumentException("explicit weight " + weights[q] + " (slot " + q + ") must be finite");
            maxDelay = Math.max(maxDelay, (int) dl);
        }
        explicitTargets = targets;
        explicitWeights = weights;
        explicitDelays = delays;
        explicitK = k;
    }

    /** Initial membrane potentials (mV) of all neurons; default: the resting potential. */
    public void initialPotentials(float[] v) {
        requireOpen();
        if (v.length != n) throw new IllegalArgumentException("initial potentials: " + v.length + " values for " + n + " neurons");
        v0 = v.clone();
    }

    private void add(Projection pr) {
        requireOpen();
        if (pr.pre < 0 || pr.pre >= populations.size() || pr.post < 0 || pr.post >= populations.size())
            throw new IllegalArgumentException("projection " + pr.pre + " -> " + pr.post + ": no such population (" + populations.size() + " so far)");
        if (!(Math.abs(pr.weight) < 1e6) || !(pr.weightSd >= 0 && pr.weightSd < 1e6)) throw new IllegalArgumentException("weight " + pr.weight + " and sd " + pr.weightSd + " must be finite (sd >= 0)");
        // the longest delay a projection can draw: the Irwin-Hall normal stays within 3.47 sd
        double longest = Math.floor(pr.delaySteps + 3.47 * pr.delaySdSteps + 0.5);
        if (!(pr.delaySteps >= 0 && pr.delaySdSteps >= 0 && longest <= 65536))
            throw new IllegalArgumentException("delay " + pr.delaySteps + " steps, sd " + pr.delaySdSteps + ": need a mean and sd >= 0 and at most 65536 steps in all");
        maxDelay = Math.max(maxDelay, (int) Math.max(1, longest));
        projections.add(pr);
    }

    private void requireOpen() {
        if (built) throw new IllegalStateException("the network is built: add populations and projections before build()");
    }

    /** The expected synapses of a neuron of population s over its projections (rule 1) or the exact count. */
    private double expectedOut(int s) {
        double sum = 0;
        for (Projection pr : projections) {
            if (pr.pre != s) continue;
            sum += switch (pr.rule) {
                case 0 -> pr.degree;
                case 2 -> 1;
                case 3 -> (double) pr.degree * populations.get(pr.post).size() / populations.get(pr.pre).size();
                default -> pr.p * populations.get(pr.post).size();
            };
        }
        return sum;
    }

    /**
     * Allocates the state and builds the connection table on the device (one connect launch per
     * projection), widening the table and building again if a row overflowed. Returns the synapse count.
     */
    public long build() {
        requireOpen();
        if (n == 0) throw new IllegalStateException("a network needs a population");
        built = true;
        int width = explicitK;
        for (int s = 0; s < populations.size(); s++) {
            double mean = expectedOut(s);
            width = (int) Math.max(width, Math.min(Integer.MAX_VALUE, explicitK + Math.ceil(mean + 7 * Math.sqrt(mean) + 8)));
        }
        k = Math.max(1, width);
        while (true) {
            if ((long) n * k > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a connection table of " + n + " x " + k + " exceeds 2^31 - 1 slots");
            }
            float[] counts = connect();
            int widest = 0;
            synapses = 0;
            for (float c : counts) {
                widest = Math.max(widest, (int) c);
                synapses += (long) c;
            }
            if (widest <= k) break;
            closeTable();
            k = widest;   // the same draws again, into a table wide enough
        }
        float[] zeros = new float[n], popId = new float[n];
        for (int p = 0; p < populations.size(); p++) {
            Population q = populations.get(p);
            Arrays.fill(popId, q.first, q.first + q.size, p);
        }
        float[] bg = new float[populations.size() * BG_COLUMNS];
        for (int p = 0; p < populations.size(); p++) System.arraycopy(LifNetworkOp.poissonCdf(populations.get(p).backgroundPerStep, BG_COLUMNS), 0, bg, p * BG_COLUMNS, BG_COLUMNS);
        float[] v = v0 != null ? v0 : filled(n, (float) cell.vRest());
        t.put("v", device.upload(v, 1, n));
        for (String name : List.of("i_e", "i_i", "refractory", "rate", "count")) t.put(name, device.upload(zeros, 1, n));
        float[] ring = new float[maxDelay * n];
        t.put("ring_e", device.upload(ring, maxDelay, n));
        t.put("ring_i", device.upload(ring, maxDelay, n));
        t.put("pop_id", device.upload(popId, 1, n));
        t.put("bg", device.upload(bg, populations.size(), BG_COLUMNS));
        t.put("spikes", device.allocate(1, n));
        t.put("nrec", device.allocate(1, 2));
        return synapses;
    }

    private static float[] filled(int size, float value) {
        float[] a = new float[size];
        Arrays.fill(a, value);
        return a;
    }

    /** Builds the table at width k: explicit lists first, then each projection appended by connect. */
    private float[] connect() {
        float[] count = new float[n];
        if (explicitTargets != null) {
            float[] tt = new float[n * k], ww = new float[n * k], dd = new float[n * k];
            for (int j = 0; j < n; j++) {
                int c = 0;
                for (int q = 0; q < explicitK; q++) {
                    float x = explicitTargets[j * explicitK + q];
                    if (!(x >= 0)) break;
                    if (x >= n) throw new IllegalArgumentException("explicit table row " + j + ": target " + x + " is past the network's " + n + " neurons");
                    tt[j * k + c] = x;
                    ww[j * k + c] = explicitWeights[j * explicitK + q];
                    dd[j * k + c] = explicitDelays[j * explicitK + q];
                    c++;
                }
                if (c < k) tt[j * k + c] = -1f;
                count[j] = c;
            }
            t.put("targets", device.upload(tt, n, k));
            t.put("weights", device.upload(ww, n, k));
            t.put("delays", device.upload(dd, n, k));
        } else {
            t.put("targets", device.allocate(n, k));
            t.put("weights", device.allocate(n, k));
            t.put("delays", device.allocate(n, k));
            device.fill(t.get("targets"), -1f);
        }
        t.put("conn_count", device.upload(count, n, 1));
        Op connect = OpRegistry.get("connect");
        int stream = 0;
        for (Projection pr : projections) {
            Population a = populations.get(pr.pre), b = populations.get(pr.post);
            Map<String, String> m = new LinkedHashMap<>();
            m.put("rows", Integer.toString(a.size));
            m.put("row0", Integer.toString(a.first));
            m.put("post0", Integer.toString(b.first));
            m.put("n_post", Integer.toString(b.size));
            m.put("rule", Integer.toString(pr.rule));
            m.put("degree", Integer.toString(pr.degree));
            m.put("p", Float.toString((float) pr.p));
            m.put("autapses", Boolean.toString(pr.autapses));
            m.put("seed", Long.toUnsignedString(seed));
            m.put("stream", Integer.toString(stream++));
            m.put("weight", Float.toString((float) pr.weight));
            m.put("weight_sd", Float.toString((float) pr.weightSd));
            m.put("delay", Float.toString((float) pr.delaySteps));
            m.put("delay_sd", Float.toString((float) pr.delaySdSteps));
            m.put("max_delay", Integer.toString(maxDelay));
            Map<String, Matrix> io = new LinkedHashMap<>();
            io.put("targets", t.get("targets"));
            io.put("weights", t.get("weights"));
            io.put("delays", t.get("delays"));
            io.put("count", t.get("conn_count"));
            device.run(connect, io, connect.params(m));
        }
        return device.download(t.get("conn_count"));
    }

    private void closeTable() {
        for (String name : List.of("targets", "weights", "delays", "conn_count")) {
            Matrix m = t.remove(name);
            if (m != null) m.close();
        }
    }

    /**
     * Advances {@code steps} steps in launches of at most {@code chunk} steps, handing each launch's spikes
     * and population counts to {@code listener}; nothing is read back within a launch.
     */
    public void run(int steps, int chunk, Listener listener) {
        if (!built) throw new IllegalStateException("build() the network first");
        if (steps < 0 || chunk < 1) throw new IllegalArgumentException("steps " + steps + " and chunk " + chunk + ": need steps >= 0, chunk >= 1");
        if ((long) step + steps > 16_777_216) throw new IllegalArgumentException("a network runs at most 2^24 steps in all");
        LifStep s = cell.step(dt, 50);
        int capacity = (int) Math.min(Integer.MAX_VALUE / 2, (long) n * (Math.min(chunk, steps) / (s.refractorySteps() + 1) + 1));
        Op op = OpRegistry.get("lif_network");
        try (Matrix rec = device.allocate(Math.max(1, capacity), 2)) {
            for (int done = 0; done < steps; ) {
                int now = Math.min(chunk, steps - done);
                try (Matrix pop = device.allocate(now, populations.size())) {
                    device.upload(t.get("nrec"), new float[2]);
                    Map<String, Matrix> io = new LinkedHashMap<>();
                    for (String name : List.of("v", "i_e", "i_i", "refractory", "rate", "count", "ring_e", "ring_i", "targets", "weights", "delays", "pop_id", "bg", "spikes", "nrec")) io.put(name, t.get(name));
                    io.put("rec", rec);
                    io.put("pop", pop);
                    Map<String, String> pm = LifNetworkOp.params(cell, dt, 50, now, step, Math.max(1, capacity));
                    pm.put("w_bg", Float.toString((float) backgroundWeight));
                    pm.put("seed", Long.toUnsignedString(seed));
                    pm.put("stream", "0");
                    device.run(op, io, op.params(pm));
                    float[] nrec = device.download(t.get("nrec"));
                    if (nrec[1] != nrec[0]) throw new IllegalStateException("the spike record overflowed: " + nrec[1] + " spikes, " + nrec[0] + " rows");
                    int recorded = (int) nrec[0];
                    float[] r = recorded == 0 ? new float[0] : device.download(rec.view(0, 0, recorded, 2));
                    int[] st = new int[recorded], sn = new int[recorded];
                    for (int q = 0; q < recorded; q++) {
                        st[q] = (int) r[2 * q];
                        sn[q] = (int) r[2 * q + 1];
                    }
                    listener.chunk(step, now, st, sn, device.download(pop));
                }
                step += now;
                done += now;
            }
        }
    }

    public List<Population> populations() { return List.copyOf(populations); }

    public int neurons() { return n; }

    /** Synapses in the table (after build). */
    public long synapses() { return synapses; }

    /** The table's width: slots per presynaptic neuron (after build). */
    public int tableWidth() { return k; }

    /** The step the next run starts at. */
    public int step() { return step; }

    @Override public void close() {
        for (Matrix m : t.values()) m.close();
        t.clear();
    }
}

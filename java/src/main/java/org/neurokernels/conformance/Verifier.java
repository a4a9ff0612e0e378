package org.neurokernels.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import org.neurokernels.Device;
import org.neurokernels.ops.Check;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.Params;

/**
 * Runs registry ops on a device against the java reference: for each op and each of its cases, fresh
 * inputs from a seeded generator, every output judged by the op's error model, then the median time of a
 * few synchronized runs. What {@code neurokernels verify} and the README's main job print.
 */
public final class Verifier {
    private Verifier() { }

    /** One case on one device. {@code worst} is the largest max-error / bound over the outputs (≤ 1 passes). */
    public record CaseResult(String device, Op opDescriptor, Op.Case kase, String op, String label, long seed, boolean pass, double worst,
                             Map<String, Check.Result> outputs, double medianSeconds, double flops, double bytes, String error) { }

    public static List<CaseResult> verify(Device device, Device reference, List<Op> ops, boolean quick, long seed, int timedRuns,
                                          Consumer<CaseResult> progress) {
        return verify(device, reference, ops, quick ? "quick" : "full", seed, timedRuns, progress);
    }

    /** Every case of the named set ("full", "quick" or "simulator", see {@link Op#cases(String)}) of each op. */
    public static List<CaseResult> verify(Device device, Device reference, List<Op> ops, String caseSet, long seed, int timedRuns,
                                          Consumer<CaseResult> progress) {
        List<CaseResult> results = new ArrayList<>();
        for (Op op : ops) {
            int index = 0;
            for (Op.Case c : op.cases(caseSet)) {
                long caseSeed = seed + 1_000_003L * op.name().hashCode() + index++;
                CaseResult r = verifyCase(device, reference, op, c, caseSeed, timedRuns);
                results.add(r);
                if (progress != null) progress.accept(r);
            }
        }
        return results;
    }

    public static CaseResult verifyCase(Device device, Device reference, Op op, Op.Case c, long seed, int timedRuns) {
        Params p = op.params(c.params());
        Map<String, int[]> shapes = c.shapes();
        double flops = op.flops(shapes, p), bytes = op.bytes(shapes, p);
        try {
            Map<String, HostMatrix> in = op.randomInputs(c, new Random(seed));
            Map<String, HostMatrix> ref = op.execute(reference, in, p);
            Map<String, HostMatrix> out = op.execute(device, in, p);
            double median = timedRuns > 0 ? medianSeconds(device, op, in, p, timedRuns) : Double.NaN;
            Map<String, Check.Result> checks = new LinkedHashMap<>();
            boolean pass = true;
            double worst = 0;
            for (String name : ref.keySet()) {
                Check.Result r = Check.compare(out.get(name), ref.get(name), op.error(name, in, ref, p));
                checks.put(name, r);
                pass &= r.pass();
                worst = Math.max(worst, r.bound() > 0 ? r.maxError() / r.bound() : (r.maxError() == 0 ? 0 : Double.POSITIVE_INFINITY));
            }
            return new CaseResult(device.id(), op, c, op.name(), c.label(), seed, pass, worst, checks, median, flops, bytes, null);
        } catch (RuntimeException e) {
            return new CaseResult(device.id(), op, c, op.name(), c.label(), seed, false, Double.POSITIVE_INFINITY, Map.of(), Double.NaN, flops, bytes,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Median wall time of one synchronized run, after one warm-up run, on inputs already on the device. */
    public static double medianSeconds(Device device, Op op, Map<String, HostMatrix> in, Params p, int timedRuns) {
        try (Op.Prepared run = op.prepare(device, in, p)) {
            double[] t = new double[timedRuns];
            run.run();
            device.synchronize();
            for (int i = 0; i < timedRuns; i++) {
                long t0 = System.nanoTime();
                run.run();
                device.synchronize();
                t[i] = (System.nanoTime() - t0) * 1e-9;
            }
            Arrays.sort(t);
            return t[timedRuns / 2];
        }
    }
}

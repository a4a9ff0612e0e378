package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurokernels.ops.Check;
import org.neurokernels.ops.ErrorModel;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Params;

/** Tests of the tester: the checks the conformance suite relies on must be able to fail. */
class CheckerTest {

    static List<String> accelerators() { return TestDevices.accelerators(); }

    /** A correct GEMM result, then the same result with one element moved by 64 bounds: the second must fail. */
    @ParameterizedTest
    @MethodSource("accelerators")
    void corruptedGemmResultFails(String id) {
        Op gemm = OpRegistry.get("gemm");
        Op.Case c = new Op.Case(Map.of("a", new int[] {37, 53}, "b", new int[] {53, 29}), Map.of());
        Params p = gemm.params(c.params());
        Map<String, HostMatrix> in = gemm.randomInputs(c, new Random(TestDevices.SEED));
        HostMatrix ref = gemm.execute(TestDevices.reference(), in, p).get("c");
        HostMatrix out = gemm.execute(TestDevices.get(id), in, p).get("c");
        ErrorModel model = gemm.error("c", in, Map.of("c", ref), p);
        assertTrue(Check.compare(out, ref, model).pass(), "the uncorrupted result must pass");

        int e = 17 * 29 + 11;
        float[] bad = out.data().clone();
        bad[e] += (float) (64 * model.bound() * model.scale()[e]);
        Check.Result r = Check.compare(new HostMatrix(out.rows(), out.cols(), bad), ref, model);
        assertFalse(r.pass(), "an element off by 64 bounds must fail: " + r.summary());
        assertTrue(r.summary().contains("(17, 11)"), r.summary());

        float[] nan = out.data().clone();
        nan[3] = Float.NaN;
        assertFalse(Check.compare(new HostMatrix(out.rows(), out.cols(), nan), ref, model).pass(), "NaN must never pass");
        float[] inf = out.data().clone();
        inf[5] = Float.POSITIVE_INFINITY;
        assertFalse(Check.compare(new HostMatrix(out.rows(), out.cols(), inf), ref, model).pass(), "Inf must not pass for a finite reference");
    }

    /** An op whose kernel writes nothing leaves the NaN poison in its output, which must fail the check. */
    @ParameterizedTest
    @MethodSource("accelerators")
    void unwrittenOutputFails(String id) {
        Op scale = OpRegistry.get("scale");
        Op lazy = new Op(scale.name(), "writes nothing", scale.inputs(), scale.outputs(), scale.params()) {
            @Override public Map<String, int[]> outputShapes(Map<String, int[]> in, Params p) { return scale.outputShapes(in, p); }
            @Override public double flops(Map<String, int[]> in, Params p) { return 0; }
            @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) { }
            @Override public List<Case> cases(boolean quick) { return scale.cases(quick); }
            @Override public ErrorModel error(String o, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) { return scale.error(o, in, ref, p); }
        };
        Op.Case c = scale.cases(true).get(2);
        Params p = scale.params(c.params());
        Map<String, HostMatrix> in = scale.randomInputs(c, new Random(TestDevices.SEED));
        Map<String, HostMatrix> ref = scale.execute(TestDevices.reference(), in, p);
        HostMatrix out = lazy.execute(TestDevices.get(id), in, p).get("y");
        assertFalse(Check.compare(out, ref.get("y"), scale.error("y", in, ref, p)).pass());
    }

    @org.junit.jupiter.api.Test
    void boundScalesWithReductionLength() {
        Op gemm = OpRegistry.get("gemm");
        Params p = gemm.params(Map.of());
        double small = gemm.error("c", Map.of("a", new HostMatrix(1, 4, new float[4]), "b", new HostMatrix(4, 1, new float[4])),
                Map.of(), p).bound();
        double large = gemm.error("c", Map.of("a", new HostMatrix(1, 4000, new float[4000]), "b", new HostMatrix(4000, 1, new float[4000])),
                Map.of(), p).bound();
        assertTrue(large > 100 * small, small + " vs " + large);
    }
}

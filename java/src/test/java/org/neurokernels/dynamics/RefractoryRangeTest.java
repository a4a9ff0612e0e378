package org.neurokernels.dynamics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.neurokernels.Device;
import org.neurokernels.TestDevices;
import org.neurokernels.ops.HostMatrix;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Params;

/**
 * The refractory period in steps, round(tau_refrac / dt), is range-checked: the longest one the float
 * counter counts down exactly (2^24 steps) holds a neuron silent on every device, and anything longer,
 * infinite or NaN is refused with the parameter named. (It used to wrap: 1e300 ms or Infinity gave a
 * counter of -1 and 2^32 steps gave 0, so the neuron fired every step.)
 */
class RefractoryRangeTest {
    static List<String> devices() { return TestDevices.selectors(); }

    /** dt = 1/8 ms is exact in float, so 2^21 ms is exactly 2^24 steps. */
    static final double DT = 0.125;
    static final double LONGEST = LifStep.MAX_REFRACTORY_STEPS * DT;

    static LifParameters withRefractory(double tauRefrac) {
        return LifParameters.pynnDefaults().withIOffset(2).withTauRefrac(tauRefrac);   // R i = 40 mV: fires within a few ms
    }

    /** Driven hard with the longest allowed refractory period: one spike, then silence at v_reset. */
    @ParameterizedTest
    @MethodSource("devices")
    void longestRefractoryPeriodKeepsTheNeuronSilent(String id) {
        Device d = TestDevices.get(id);
        LifParameters p = withRefractory(LONGEST);
        assertEquals(LifStep.MAX_REFRACTORY_STEPS, p.step(DT, 100).refractorySteps());
        try (LifPopulation pop = new LifPopulation(d, 1, 3, p, DT, 100)) {
            pop.run(4000);   // 500 ms; without refractoriness the neuron would fire about every 2 ms
            float[] counts = pop.counts(), v = pop.voltages();
            for (int j = 0; j < 3; j++) {
                assertEquals(1f, counts[j], id + ": neuron " + j + " must fire once and then stay refractory");
                assertEquals(-65f, v[j], id + ": held at v_reset");
            }
        }
    }

    /** Through the lif_step op: a spike sets the counter to exactly 2^24, and the next step counts it down by exactly one. */
    @ParameterizedTest
    @MethodSource("devices")
    void opSetsAndCountsDownTheLongestPeriodExactly(String id) {
        Device d = TestDevices.get(id);
        Op op = OpRegistry.get("lif_step");
        Params p = op.params(Map.of("tau_refrac", Double.toString(LONGEST), "dt", Double.toString(DT), "i_offset", "2"));
        Map<String, HostMatrix> in = new LinkedHashMap<>();
        in.put("v", row(-40f, -70f));            // the first is above threshold and spikes now
        for (String s : List.of("i_e", "i_i", "refractory", "rate", "count")) in.put(s, row(0f, 0f));
        Map<String, HostMatrix> out = op.execute(d, in, p);
        assertEquals(1f, out.get("spikes").data()[0], id);
        assertEquals((float) LifStep.MAX_REFRACTORY_STEPS, out.get("refractory").data()[0], id + ": counter after the spike");
        assertEquals(0f, out.get("refractory").data()[1], id);
        Map<String, HostMatrix> next = new LinkedHashMap<>(in);
        for (String s : List.of("v", "i_e", "i_i", "refractory", "rate", "count")) next.put(s, out.get(s));
        Map<String, HostMatrix> out2 = op.execute(d, next, p);
        assertEquals(0f, out2.get("spikes").data()[0], id + ": refractory, no spike");
        assertEquals((float) (LifStep.MAX_REFRACTORY_STEPS - 1), out2.get("refractory").data()[0], id + ": counted down by one");
    }

    private static HostMatrix row(float a, float b) { return new HostMatrix(1, 2, new float[] {a, b}); }

    @Test
    void longerInfiniteAndNanPeriodsAreRefusedByTheJavaApi() {
        // one step over the limit, the old wrap to 0 (2^32 steps) and the old wrap to -1 (1e300 ms)
        for (double tau : new double[] {(LifStep.MAX_REFRACTORY_STEPS + 1) * DT, 4294967296.0 * DT, 1e300}) {
            LifParameters p = withRefractory(tau);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.step(DT, 100), "tau_refrac " + tau);
            assertTrue(e.getMessage().contains("tau_refrac") && e.getMessage().contains("16777216"), e.getMessage());
        }
        for (double tau : new double[] {Double.POSITIVE_INFINITY, Double.NaN, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withRefractory(tau), "tau_refrac " + tau);
            assertTrue(e.getMessage().contains("tau_refrac"), e.getMessage());
        }
        // the same period is fine at a coarser step: the limit is in steps
        assertEquals(LifStep.MAX_REFRACTORY_STEPS / 2, withRefractory(LONGEST).step(2 * DT, 100).refractorySteps());
        assertThrows(IllegalArgumentException.class, () -> new LifStep(1, 0, 0, 0, 1, 1, -65, -65, -50, 0, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LifStep(1, 0, 0, 0, 1, 1, -65, -65, -50, 0, LifStep.MAX_REFRACTORY_STEPS + 1, 1, 0));
        for (double dt : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LifParameters.pynnDefaults().step(dt, 100));
            assertTrue(e.getMessage().contains("dt"), e.getMessage());
        }
    }

    @Test
    void otherNonFiniteParametersAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LifParameters(Double.POSITIVE_INFINITY, 1, -65, -65, -50, 2, 5, 5, 0));
        assertTrue(e.getMessage().startsWith("tau_m"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LifParameters(20, 1, -65, -65, -50, 2, 5, 5, 1e300));
        assertTrue(e.getMessage().startsWith("i_offset"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LifParameters.pynnDefaults().step(0.1, Double.POSITIVE_INFINITY));
        assertTrue(e.getMessage().startsWith("tau_rate"), e.getMessage());
    }

    /** The op refuses through its parameters before any device work. */
    @Test
    void opParametersRefuseInfiniteAndTooLongPeriods() {
        Op op = OpRegistry.get("lif_step");
        for (String tau : List.of("Infinity", "NaN", "1e300", "1e39")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.params(Map.of("tau_refrac", tau)), tau);
            assertTrue(e.getMessage().contains("tau_refrac"), e.getMessage());
        }
        Params tooLong = op.params(Map.of("tau_refrac", "2097152.25", "dt", "0.125"));   // 2^24 + 2 steps
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String s : List.of("v", "i_e", "i_i", "refractory", "rate", "count")) shapes.put(s, new int[] {1, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.outputShapes(shapes, tooLong));
        assertTrue(e.getMessage().contains("tau_refrac") && e.getMessage().contains("16777218"), e.getMessage());
    }
}

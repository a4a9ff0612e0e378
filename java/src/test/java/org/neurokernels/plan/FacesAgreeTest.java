package org.neurokernels.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.neurokernels.Activation;
import org.neurokernels.dynamics.LifStep;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;
import org.neurokernels.ops.Spec;
import org.neurokernels.ops.SpecShapes;

/**
 * The codes written by hand outside Java (the kernels' activation codes, the C header's enum, the Python
 * package's table, the refractory limit) agree with the Java definitions they mirror; and every op's
 * spec is machine-readable, so both hosts can check it.
 */
class FacesAgreeTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    private static Map<String, Integer> codes(String file, String regex) throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        Matcher x = Pattern.compile(regex).matcher(Files.readString(ROOT.resolve(file)));
        while (x.find()) m.put(x.group(1).toLowerCase(java.util.Locale.ROOT), Integer.parseInt(x.group(2)));
        return m;
    }

    private static Map<String, Integer> java() {
        Map<String, Integer> m = new TreeMap<>();
        for (Activation a : Activation.values()) m.put(a.id(), a.code());
        return m;
    }

    @Test
    void activationCodesAgreeOnEveryFace() throws Exception {
        assertEquals(java(), codes("kernels-opencl/common.cl", "#define ACT_([A-Z]+) (\\d+)"), "kernels-opencl/common.cl (also the CUDA kernels')");
        assertEquals(java(), codes("native/include/neurokernels.h", "NK_(IDENTITY|TANH|LOGISTIC|RELU|SOFTPLUS) = (\\d+)"), "native/include/neurokernels.h");
        assertEquals(java(), codes("native/python/neurokernels/device.py", "\"([a-z]+)\": (\\d+)"), "native/python/neurokernels/device.py ACTIVATIONS");
    }

    @Test
    void theRefractoryLimitAgrees() throws Exception {
        assertEquals(Map.of("nk_max_refractory_steps", LifStep.MAX_REFRACTORY_STEPS),
                codes("native/include/neurokernels.h", "#define (NK_MAX_REFRACTORY_STEPS) (\\d+)"));
    }

    @Test
    void everyPlannedOpHasAMachineReadableSpecAndPlan() {
        int planned = 0;
        for (Op op : OpRegistry.all()) {
            if (op.plan() == null) continue;
            planned++;
            SpecShapes.Rules r = SpecShapes.rules(op);
            assertEquals(op.inputs().size(), r.inputs().size(), op.name());
            java.util.Set<String> known = new java.util.HashSet<>(OpTables.variables(op));
            known.add("cpu");
            for (String v : op.plan().variables()) assertTrue(known.contains(v), op.name() + ": the plan reads '" + v + "', which no host provides");
            for (String t : op.plan().tensors()) assertTrue(op.tensorNames().contains(t), op.name() + ": the plan binds unknown tensor " + t);
            for (String a : op.aliases()) {
                String[] p = a.split(":");
                assertTrue(op.outputs().stream().anyMatch(x -> x.name().equals(p[0])) && op.tensorNames().contains(p[1]), op.name() + ": alias " + a);
            }
            for (Spec.Param p : op.params()) assertTrue(java.util.Set.of("float", "int", "bool", "activation", "uint64").contains(p.type()), op.name() + " " + p);
        }
        assertTrue(planned >= 20, "ops with a plan: " + planned);
    }
}

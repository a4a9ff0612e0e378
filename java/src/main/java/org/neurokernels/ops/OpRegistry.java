package org.neurokernels.ops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every op, by name. The conformance tests, the CLI and the benchmarks iterate over this list. */
public final class OpRegistry {
    private static final Map<String, Op> OPS = new LinkedHashMap<>();

    static {
        for (Op op : List.of(new Gemm(), new DenseForward(), new BackwardDelta(), new ActivationOp(), new ActivationGrad(), new Hadamard(),
                new Axpy(), new Scale(), new Copy(), new ColumnSums(), new SoftmaxXent(), new Dot(), new FrobeniusNorm(),
                new SgdUpdate(), new KpUpdate(), new DenseUpdate(), new OutputLayer(), new GatherRows(), new SignFeedback(), new Mse(), new RandomUniform(),
                new LifStepOp(), new RateStepOp(), new RateMultistepOp(), new IzhikevichStepOp(), new PoissonOp(), new PhiloxOp(),
                new Clamp(), new LifNetworkOp(), new ConnectOp(), new RnnGradOp())) {
            OPS.put(op.name(), op);
        }
    }

    private OpRegistry() { }

    public static List<Op> all() { return List.copyOf(OPS.values()); }

    public static Op get(String name) {
        Op op = OPS.get(name);
        if (op == null) throw new IllegalArgumentException("unknown op '" + name + "'; ops are " + OPS.keySet());
        return op;
    }
}

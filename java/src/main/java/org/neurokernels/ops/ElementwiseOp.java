package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shared shape logic of the elementwise ops: every input and the output have one shape; validated on
 * {@link Shapes#MATRICES} crossed with the op's parameter variants. Kernels in
 * kernels-opencl/elementwise.cl, compiled for CUDA too.
 */
abstract class ElementwiseOp extends Op {
    private final String outName;

    ElementwiseOp(String name, String summary, List<Spec.Tensor> inputs, Spec.Tensor output, List<Spec.Param> params) {
        super(name, summary, inputs, List.of(output), params);
        this.outName = output.name();
    }

    /** FLOPs per element. */
    abstract double flopsPerElement();

    /** The output may be any input exactly (in place): each element is read before it is written. */
    @Override public java.util.Set<String> aliases() {
        java.util.Set<String> a = new java.util.LinkedHashSet<>();
        for (Spec.Tensor out : outputs()) for (Spec.Tensor in : inputs()) if (!in.name().equals(out.name())) a.add(out.name() + ":" + in.name());
        return a;
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] s = in.get(inputs().get(0).name());
        return flopsPerElement() * s[0] * s[1];
    }

    /** Parameter variants to cross with every shape. */
    List<Map<String, String>> variants() { return List.of(Map.of()); }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) {
            for (Map<String, String> v : variants()) {
                Map<String, int[]> sh = new java.util.LinkedHashMap<>();
                for (Spec.Tensor t : inputs()) sh.put(t.name(), s);
                cases.add(new Case(sh, v));
            }
        }
        return cases;
    }
}

package org.neurokernels.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/**
 * frobenius_norm: r = sqrt(Σ x_ij²) as a 1 x 1 output (the dot kernel on x with itself, sqrt in double;
 * reference: {@link Dot#reference} of x with itself, its square root taken in {@link Device#frobeniusNorm}).
 * Bound: (n + 4) u relative to the reference (the sum's bound; sqrt halves it).
 */
public final class FrobeniusNorm extends Op {
    public FrobeniusNorm() {
        super("frobenius_norm", "r = sqrt(sum of x^2) (1 x 1)",
                List.of(Spec.Tensor.of("x", "m x n", "input")), List.of(Spec.Tensor.of("r", "1 x 1", "norm")), List.of());
    }

    @Override public Map<String, int[]> outputShapes(Map<String, int[]> in, Params p) {
        require(in, "x");
        return shapes("r", shape(1, 1));
    }

    @Override public double flops(Map<String, int[]> in, Params p) {
        int[] x = in.get("x");
        return 2.0 * x[0] * x[1];
    }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.upload(out.get("r"), new float[] {(float) device.frobeniusNorm(in.get("x"))});
    }

    @Override public List<Case> cases(boolean quick) {
        List<Case> cases = new ArrayList<>();
        for (int[] s : Shapes.pick(Shapes.MATRICES, quick)) cases.add(new Case(shapes("x", s), Map.of()));
        return cases;
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        int n = in.get("x").data().length;
        return new ErrorModel(new double[] {Math.abs(ref.get(output).data()[0]) + Float.MIN_NORMAL}, (n + 4) * ErrorModel.U,
                "|r - ref| <= (n+4) u |ref|, n = " + n);
    }
}

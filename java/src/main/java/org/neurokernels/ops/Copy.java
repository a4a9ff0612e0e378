package org.neurokernels.ops;

import java.util.List;
import java.util.Map;

import org.neurokernels.Device;
import org.neurokernels.Matrix;

/** copy: y = x (nk_copy; reference JavaDevice.copyImpl). Bit-exact. */
public final class Copy extends ElementwiseOp {
    public Copy() {
        super("copy", "y = x", List.of(Spec.Tensor.of("x", "m x n", "source")), Spec.Tensor.of("y", "m x n", "copy"), List.of());
    }

    @Override double flopsPerElement() { return 0; }

    @Override public void run(Device device, Map<String, Matrix> in, Map<String, Matrix> out, Params p) {
        device.copy(in.get("x"), out.get("y"));
    }

    @Override public ErrorModel error(String output, Map<String, HostMatrix> in, Map<String, HostMatrix> ref, Params p) {
        return ErrorModel.exact(ref.get(output).data().length);
    }
}

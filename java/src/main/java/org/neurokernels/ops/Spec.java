package org.neurokernels.ops;

/** Descriptor parts: a named tensor (input or output) and a named scalar parameter. */
public final class Spec {
    private Spec() { }

    /** A matrix input or output; {@code shape} is documentation such as "m x k (k x m if trans_a)". */
    public record Tensor(String name, String shape, boolean optional, String doc, HostMatrix.DType dtype) {
        public static Tensor of(String name, String shape, String doc) { return new Tensor(name, shape, false, doc, HostMatrix.DType.FLOAT32); }
        public static Tensor optional(String name, String shape, String doc) { return new Tensor(name, shape, true, doc, HostMatrix.DType.FLOAT32); }
        public static Tensor uint32(String name, String shape, String doc) { return new Tensor(name, shape, false, doc, HostMatrix.DType.UINT32); }
    }

    /**
     * A scalar parameter with its type and default. Types: "float" (a finite float32), "int" (32-bit
     * signed), "uint64" (unsigned 64-bit decimal: the Philox seeds), "bool" or "activation"; see {@link Params}.
     */
    public record Param(String name, String type, String defaultValue, String doc) { }

    /** A condition over the spec's variables (see {@link SpecShapes}) and the message when it does not hold. */
    public record Require(String when, String message) { }
}

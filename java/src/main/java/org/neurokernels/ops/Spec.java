package org.neurokernels.ops;

/** Descriptor parts: a named tensor (input or output) and a named scalar parameter. */
public final class Spec {
    private Spec() { }

    /**
     * A matrix input or output. {@code shape} is "ROWS x COLS", each an expression, or
     * "ROWS x COLS (ROWS' x COLS' if COND)" where a flag transposes it ({@link SpecShapes}).
     * {@code producedWhen}, for an optional output that is not also an input: the condition under which the
     * op produces it when it runs on its own ({@link Op#execute}); null: only when the caller gives it. A
     * caller of a typed method or of the C library gives it or leaves it out (the op's requires() say when
     * it must be given).
     */
    public record Tensor(String name, String shape, boolean optional, String doc, HostMatrix.DType dtype, String producedWhen) {
        public static Tensor of(String name, String shape, String doc) { return new Tensor(name, shape, false, doc, HostMatrix.DType.FLOAT32, null); }
        public static Tensor optional(String name, String shape, String doc) { return new Tensor(name, shape, true, doc, HostMatrix.DType.FLOAT32, null); }
        public static Tensor uint32(String name, String shape, String doc) { return new Tensor(name, shape, false, doc, HostMatrix.DType.UINT32, null); }

        /** This optional output, produced by a run of the op alone when {@code when} holds. */
        public Tensor producedWhen(String when) { return new Tensor(name, shape, true, doc, dtype, when); }
    }

    /**
     * A scalar parameter with its type and default. Types: "float" (a finite float32), "int" (32-bit
     * signed), "uint64" (unsigned 64-bit decimal: the Philox seeds), "bool" or "activation"; see {@link Params}.
     */
    public record Param(String name, String type, String defaultValue, String doc) { }

    /** A condition over the spec's variables (see {@link SpecShapes}) and the message when it does not hold. */
    public record Require(String when, String message) { }
}

package org.neurokernels.ops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.neurokernels.Activation;

/** Parameter values of one op invocation, as strings (what the CLI passes), with typed, checked access. */
public final class Params {
    private final Op op;
    private final Map<String, String> values = new LinkedHashMap<>();

    Params(Op op, Map<String, String> given) {
        this.op = op;
        for (Spec.Param p : op.params()) values.put(p.name(), p.defaultValue());
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!values.containsKey(e.getKey())) {
                throw new IllegalArgumentException("op " + op.name() + " has no parameter '" + e.getKey() + "'; it takes " + values.keySet());
            }
            values.put(e.getKey(), e.getValue());
        }
        // parse everything now, so a bad value is reported before any device work
        for (Spec.Param p : op.params()) {
            switch (p.type()) {
                case "float": getFloat(p.name()); break;
                case "int": getInt(p.name()); break;
                case "uint64": getUint64(p.name()); break;
                case "bool": getBool(p.name()); break;
                case "activation": getActivation(p.name()); break;
                default: throw new AssertionError(p.type());
            }
        }
    }

    public Map<String, String> asMap() { return Map.copyOf(values); }

    private String raw(String name) {
        String v = values.get(name);
        if (v == null) throw new IllegalArgumentException("op " + op.name() + ": parameter '" + name + "' is required");
        return v;
    }

    /**
     * A finite float. NaN, infinities, and numbers that float cannot hold (beyond ±3.4028235e38, or
     * nonzero but rounding to zero) are refused rather than rounded to Infinity or 0.
     */
    public float getFloat(String name) {
        String text = raw(name).trim();
        double d;
        float f;
        try {
            d = Double.parseDouble(text);
            f = Float.parseFloat(text);   // rounded once, from the decimal
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is not a number");
        }
        if (!Double.isFinite(d)) throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is not finite");
        if (Float.isInfinite(f)) {
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is outside the float range (magnitude at most "
                    + Float.MAX_VALUE + ")");
        }
        if (f == 0f && d != 0) {
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is too small for a float (it would become 0; "
                    + "the smallest magnitude is " + Float.MIN_VALUE + ")");
        }
        return f;
    }

    /** A 32-bit signed integer; anything outside [-2^31, 2^31 - 1] is refused, never wrapped. */
    public int getInt(String name) {
        String text = raw(name).trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            if (text.matches("[+-]?\\d+")) {
                throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is outside the 32-bit integer range ["
                        + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]");
            }
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is not an integer");
        }
    }

    /**
     * An unsigned 64-bit integer (the Philox seeds): decimal 0 ... 18446744073709551615, returned as the
     * same 64 bits in a long (values from 2^63 up read as negative longs, as
     * {@link Long#parseUnsignedLong} gives them). A minus sign or a larger number is refused.
     */
    public long getUint64(String name) {
        String text = raw(name).trim();
        if (text.startsWith("-")) {
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is negative; it is an unsigned 64-bit integer (0 to "
                    + Long.toUnsignedString(-1L) + ")");
        }
        try {
            return Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            if (text.matches("\\+?\\d+")) {
                throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is larger than 2^64 - 1 = " + Long.toUnsignedString(-1L));
            }
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + text + " is not an unsigned integer (0 to "
                    + Long.toUnsignedString(-1L) + ")");
        }
    }

    public boolean getBool(String name) {
        String v = raw(name).toLowerCase(Locale.ROOT);
        switch (v) {
            case "1": case "true": case "t": case "y": case "yes": return true;
            case "0": case "false": case "f": case "n": case "no": return false;
            default: throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + v + " is not a boolean (true/false/1/0)");
        }
    }

    public Activation getActivation(String name) { return Activation.parse(raw(name)); }

    @Override public String toString() { return values.toString(); }
}

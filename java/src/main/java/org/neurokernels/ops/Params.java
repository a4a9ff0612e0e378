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

    public float getFloat(String name) {
        try {
            return Float.parseFloat(raw(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + raw(name) + " is not a number");
        }
    }

    public int getInt(String name) {
        try {
            return Integer.parseInt(raw(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + raw(name) + " is not an integer");
        }
    }

    public boolean getBool(String name) {
        String v = raw(name).toLowerCase(Locale.ROOT);
        switch (v) {
            case "1": case "true": case "t": case "yes": return true;
            case "0": case "false": case "n": case "no": return false;
            default: throw new IllegalArgumentException("op " + op.name() + ": parameter " + name + "=" + v + " is not a boolean (true/false/1/0)");
        }
    }

    public Activation getActivation(String name) { return Activation.parse(raw(name)); }

    @Override public String toString() { return values.toString(); }
}

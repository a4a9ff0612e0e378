package org.neurokernels.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An expression of a launch plan, written in a subset of C so that the same text is Java's (evaluated
 * here) and the C library's (pasted into generated C and compiled): numbers, variables, {@code + - * /},
 * comparisons, {@code && || !}, {@code ?:}, parentheses and the functions {@code cdiv(a, b)} (a / b
 * rounded up), {@code rup(a, b)} (a rounded up to a multiple of b), {@code min}, {@code max}, {@code floor(a)}, and for derived parameters
 * {@code exp(a)}, {@code expm1(a)} and {@code fabs(a)} (Java's Math and C's libm: within an ulp of each other).
 * Every value is a double in both languages, and a comparison or logical operator gives 1 or 0, so Java
 * and C compute the same value bit for bit from the same text: sizes are exact integers below 2^53, and
 * a product beyond that rounds the same way in both.
 */
public final class Expr {
    /** The functions an expression may call, with their arity; the generated C defines the same. */
    public static final Map<String, Integer> FUNCTIONS = Map.of("cdiv", 2, "rup", 2, "min", 2, "max", 2, "floor", 1, "exp", 1, "expm1", 1, "fabs", 1);

    private final String text;
    private final Node root;

    private Expr(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /** Parses {@code text}; an error names the expression and the position. */
    public static Expr parse(String text) {
        Parser p = new Parser(text);
        Node n = p.ternary();
        p.skip();
        if (p.pos != text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "'");
        return new Expr(text, n);
    }

    public String text() { return text; }

    /** The variables the expression reads. */
    public Set<String> variables() {
        Set<String> out = new java.util.TreeSet<>();
        root.collect(out);
        return out;
    }

    /** The value with these variables; a variable the map lacks is an error. */
    public double eval(Map<String, Double> vars) {
        return root.eval(vars);
    }

    @Override public String toString() { return text; }

    private interface Node {
        double eval(Map<String, Double> v);

        default void collect(Set<String> out) { }
    }

    private record Num(double value) implements Node {
        public double eval(Map<String, Double> v) { return value; }
    }

    private record Var(String name) implements Node {
        public double eval(Map<String, Double> v) {
            Double x = v.get(name);
            if (x == null) throw new IllegalArgumentException("plan variable '" + name + "' has no value");
            return x;
        }

        public void collect(Set<String> out) { out.add(name); }
    }

    private record Unary(char op, Node x) implements Node {
        public double eval(Map<String, Double> v) {
            double a = x.eval(v);
            return op == '-' ? -a : (a == 0 ? 1 : 0);
        }

        public void collect(Set<String> out) { x.collect(out); }
    }

    private record Binary(String op, Node l, Node r) implements Node {
        public double eval(Map<String, Double> v) {
            // && and || short-circuit, as in C
            if (op.equals("&&")) return l.eval(v) != 0 && r.eval(v) != 0 ? 1 : 0;
            if (op.equals("||")) return l.eval(v) != 0 || r.eval(v) != 0 ? 1 : 0;
            double a = l.eval(v), b = r.eval(v);
            return switch (op) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                case "/" -> a / b;
                case "<" -> a < b ? 1 : 0;
                case "<=" -> a <= b ? 1 : 0;
                case ">" -> a > b ? 1 : 0;
                case ">=" -> a >= b ? 1 : 0;
                case "==" -> a == b ? 1 : 0;
                case "!=" -> a != b ? 1 : 0;
                default -> throw new IllegalStateException(op);
            };
        }

        public void collect(Set<String> out) {
            l.collect(out);
            r.collect(out);
        }
    }

    private record Cond(Node c, Node a, Node b) implements Node {
        public double eval(Map<String, Double> v) { return c.eval(v) != 0 ? a.eval(v) : b.eval(v); }

        public void collect(Set<String> out) {
            c.collect(out);
            a.collect(out);
            b.collect(out);
        }
    }

    private record Call(String fn, List<Node> args) implements Node {
        public double eval(Map<String, Double> v) {
            double a = args.get(0).eval(v);
            switch (fn) {
                case "floor": return Math.floor(a);
                case "exp": return Math.exp(a);
                case "expm1": return Math.expm1(a);
                case "fabs": return Math.abs(a);
                default: break;
            }
            double b = args.get(1).eval(v);
            return switch (fn) {
                case "cdiv" -> Math.ceil(a / b);
                case "rup" -> Math.ceil(a / b) * b;
                case "min" -> Math.min(a, b);
                case "max" -> Math.max(a, b);
                default -> throw new IllegalStateException(fn);
            };
        }

        public void collect(Set<String> out) { args.forEach(a -> a.collect(out)); }
    }

    /** Recursive descent in C's precedence: ?: below ||, below &&, below equality, relations, + -, * /, unary. */
    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) { this.s = s; }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("plan expression '" + s + "', at " + pos + ": " + what);
        }

        void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        boolean eat(String tok) {
            skip();
            if (s.startsWith(tok, pos)) {
                // '<' must not take the first character of '<=', '!' not that of '!=', and so on
                if (tok.length() == 1 && pos + 1 < s.length() && "<>!=".indexOf(tok.charAt(0)) >= 0 && s.charAt(pos + 1) == '=') return false;
                pos += tok.length();
                return true;
            }
            return false;
        }

        Node ternary() {
            Node c = binary(0);
            if (eat("?")) {
                Node a = ternary();
                if (!eat(":")) throw error("expected ':'");
                return new Cond(c, a, ternary());
            }
            return c;
        }

        private static final String[][] LEVELS = {{"||"}, {"&&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"+", "-"}, {"*", "/"}};

        Node binary(int level) {
            if (level == LEVELS.length) return unary();
            Node l = binary(level + 1);
            while (true) {
                String op = null;
                for (String o : LEVELS[level]) {
                    if (eat(o)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) return l;
                l = new Binary(op, l, binary(level + 1));
            }
        }

        Node unary() {
            if (eat("-")) return new Unary('-', unary());
            if (eat("!")) return new Unary('!', unary());
            return primary();
        }

        Node primary() {
            skip();
            if (eat("(")) {
                Node n = ternary();
                if (!eat(")")) throw error("expected ')'");
                return n;
            }
            int start = pos;
            if (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) pos++;
                if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {   // an exponent, as C reads it
                    pos++;
                    if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
                }
                return new Num(Double.parseDouble(s.substring(start, pos)));
            }
            if (pos < s.length() && (Character.isLetter(s.charAt(pos)) || s.charAt(pos) == '_')) {
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String name = s.substring(start, pos);
                if (eat("(")) {
                    Integer arity = FUNCTIONS.get(name);
                    if (arity == null) throw error("unknown function " + name);
                    List<Node> args = new ArrayList<>();
                    do {
                        args.add(ternary());
                    } while (eat(","));
                    if (!eat(")")) throw error("expected ')'");
                    if (args.size() != arity) throw error(name + " takes " + arity + " arguments");
                    return new Call(name, args);
                }
                return new Var(name);
            }
            throw error(pos < s.length() ? "unexpected '" + s.charAt(pos) + "'" : "unexpected end");
        }
    }
}

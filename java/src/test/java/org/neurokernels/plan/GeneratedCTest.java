package org.neurokernels.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The C library's copy of the host decisions (native/src/nk_plans.h) is generated from the Java op files;
 * this fails when the committed header is stale, and rewrites it under -Dneurokernels.regenerate=true.
 */
class GeneratedCTest {
    static final Path HEADER = Path.of(System.getProperty("user.dir")).getParent().resolve("native/src/nk_plans.h");

    @Test
    void committedHeaderMatchesTheJavaPlans() throws Exception {
        String want = CGenerator.header();
        if (Boolean.getBoolean("neurokernels.regenerate")) org.neurokernels.io.AtomicFiles.writeString(HEADER, want);
        assertTrue(Files.exists(HEADER), HEADER + " is missing: run mvn -pl java test -Dtest=GeneratedCTest -Dneurokernels.regenerate=true");
        assertEquals(want, Files.readString(HEADER), HEADER + " is stale: run mvn -pl java test -Dtest=GeneratedCTest -Dneurokernels.regenerate=true");
    }

    @Test
    void expressionsFollowCPrecedenceAndDoubles() {
        Map<String, Double> v = Map.of("m", 7.0, "n", 3.0, "k", 2.0);
        assertEquals(13.0, Expr.parse("m + n * k").eval(v));
        assertEquals(20.0, Expr.parse("(m + n) * k").eval(v));
        assertEquals(1.0, Expr.parse("m > n && n >= 3 || 0").eval(v));
        assertEquals(0.0, Expr.parse("!m").eval(v));
        assertEquals(1.0, Expr.parse("m != n").eval(v));
        assertEquals(3.0, Expr.parse("cdiv(m, 3)").eval(v));
        assertEquals(9.0, Expr.parse("rup(m, 3)").eval(v));
        assertEquals(3.5, Expr.parse("m / 2").eval(v));
        assertEquals(-5.0, Expr.parse("n - m - 1").eval(v));
        assertEquals(4.0, Expr.parse("m < n ? 1 : k < 3 ? 4 : 5").eval(v));
        assertEquals(java.util.Set.of("k", "m", "n"), Expr.parse("max(m, n) <= min(k, 9)").variables());
        assertThrows(IllegalArgumentException.class, () -> Expr.parse("m +"));
        assertThrows(IllegalArgumentException.class, () -> Expr.parse("foo(m)"));
        assertThrows(IllegalArgumentException.class, () -> Expr.parse("cdiv(m)"));
        assertThrows(IllegalArgumentException.class, () -> Expr.parse("m & n"));
        assertThrows(IllegalArgumentException.class, () -> Expr.parse("q").eval(v));
    }

    @Test
    void aRuleReadingAnUndeclaredInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PlanTable("x", java.util.List.of("m"),
                java.util.List.of(PlanTable.Rule.of("m > q", PlanTable.Step.of("k", "1", "1", "1", "1")))));
    }
}

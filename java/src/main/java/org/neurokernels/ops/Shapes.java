package org.neurokernels.ops;

import java.util.List;

/**
 * The shapes ops are validated on: 1, primes, sizes just below, at and above the 64-wide GEMM tile and
 * the 256-wide work-group, tall-skinny, short-wide and large. Quick runs take every third.
 */
final class Shapes {
    private Shapes() { }

    static final List<int[]> MATRICES = List.of(
            new int[] {1, 1}, new int[] {1, 7}, new int[] {7, 1}, new int[] {13, 17}, new int[] {63, 65},
            new int[] {64, 64}, new int[] {65, 63}, new int[] {255, 257}, new int[] {1000, 3}, new int[] {3, 1000},
            new int[] {300, 701});

    /** (m, n, k) triples for GEMM-like ops. */
    static final List<int[]> GEMM = List.of(
            new int[] {1, 1, 1}, new int[] {1, 7, 13}, new int[] {7, 1, 5}, new int[] {13, 17, 19},
            new int[] {63, 65, 64}, new int[] {64, 64, 64}, new int[] {65, 63, 129}, new int[] {127, 129, 17},
            new int[] {1000, 3, 5}, new int[] {3, 1000, 2}, new int[] {2, 3, 1000}, new int[] {257, 255, 300});

    static <T> List<T> pick(List<T> all, boolean quick) {
        if (!quick) return all;
        java.util.ArrayList<T> out = new java.util.ArrayList<>();
        for (int i = 0; i < all.size(); i += 3) out.add(all.get(i));
        if (!out.contains(all.get(all.size() - 1))) out.add(all.get(all.size() - 1));
        return out;
    }
}

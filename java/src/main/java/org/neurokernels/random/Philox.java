package org.neurokernels.random;

/**
 * Philox4x32-10 (Salmon, Moraes, Dror, Shaw, SC 2011; the Random123 library), the counter-based generator
 * every backend shares: no state between calls, the output is a pure function of a 4-word counter and a
 * 2-word key, so the java reference, OpenCL and CUDA (both from kernels-opencl/learning.cl)
 * draw the same bits. Words are uint32 held in Java ints.
 */
public final class Philox {
    static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() { }

    private static int mulhi(int a, int b) {
        return (int) ((Integer.toUnsignedLong(a) * Integer.toUnsignedLong(b)) >>> 32);
    }

    /** Ten rounds on counter c (4 words) with key k (2 words). */
    public static int[] philox4x32_10(int[] c, int[] k) {
        int c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], k0 = k[0], k1 = k[1];
        for (int r = 0; r < 10; r++) {
            int hi0 = mulhi(M0, c0), lo0 = M0 * c0;
            int hi1 = mulhi(M1, c2), lo1 = M1 * c2;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** A float in [0, 1) from 24 bits of x: (x >>> 8) * 2^-24, exact in float. */
    public static float unit(int x) {
        return (float) (x >>> 8) * 0x1.0p-24f;
    }

    /**
     * Element e of a random uniform matrix: lane e % 4 of Philox((e / 4, stream, draw, 0), key),
     * mapped to fma(hi - lo, u, lo) in float and kept below hi (at most the float below it: where the range
     * is narrow for its magnitude the product can round up to hi, and the range is [lo, hi)).
     */
    public static float uniform(int e, long seed, int stream, int draw, float lo, float hi) {
        int[] x = philox4x32_10(new int[] {e / 4, stream, draw, 0}, key(seed));
        return Math.min(Math.fma(hi - lo, unit(x[e % 4]), lo), Math.nextAfter(hi, lo));
    }

    /**
     * The standard normal of element e (Box-Muller on lanes 0 and 1 of Philox((e, stream, draw, 0), key)),
     * from the same 24-bit uniforms as the kernels: u1 = 1 - unit(x0) in (0, 1], u2 = unit(x1).
     * Backends agree to within their log/cos/sqrt accuracy, not bit for bit.
     */
    public static double normal(int e, long seed, int stream, int draw) {
        int[] x = philox4x32_10(new int[] {e, stream, draw, 0}, key(seed));
        double u1 = 1.0 - unit(x[0]), u2 = unit(x[1]);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * The envelope sqrt(-2 ln u1) of {@link #normal}: the normal's size before the cosine. Its float error is
     * a few ulp of this, not of the normal (near a zero of the cosine the angle's rounding dominates), so
     * error bounds scale with it.
     */
    public static double normalEnvelope(int e, long seed, int stream, int draw) {
        int[] x = philox4x32_10(new int[] {e, stream, draw, 0}, key(seed));
        return Math.sqrt(-2 * Math.log(1.0 - unit(x[0])));
    }

    /** The key words of a 64-bit seed: low word, high word. */
    public static int[] key(long seed) {
        return new int[] {(int) seed, (int) (seed >>> 32)};
    }
}

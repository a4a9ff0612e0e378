package org.neurokernels;

import java.util.List;
import java.util.Locale;

/**
 * Which GEMM kernel a device uses and its tile parameters, passed to the OpenCL compiler as defines.
 * PACKED (gemm_packed.cl): each work-item computes an mr x nr register tile (nr a multiple of 16).
 * TILED (gemm.cl, for OpenCL and CUDA): each 16 x 16 work-group computes a ts x ts tile of C through local memory.
 * Defaults: PACKED 8 x 32 on CPUs, TILED 64 on GPUs; {@code neurokernels tune} measures the candidates
 * below on a device and stores the winner in {@link GemmTuning}'s file.
 */
public record GemmConfig(KernelDevice.GemmKernel kernel, int mr, int nr, int ts) {
    /** The ranges a configuration must keep (the kernels' register and local-memory layouts); the C library checks the same. */
    public static final int MR_MAX = 16, NR_MIN = 16, NR_MAX = 64, NR_STEP = 16;
    public static final List<Integer> TS_VALUES = List.of(16, 32, 64);

    public GemmConfig {
        if (mr < 1 || mr > MR_MAX || nr < NR_MIN || nr > NR_MAX || nr % NR_STEP != 0 || !TS_VALUES.contains(ts)) {
            throw new IllegalArgumentException("bad GEMM configuration mr=" + mr + " nr=" + nr + " ts=" + ts
                    + " (mr 1..16, nr 16, 32, 48 or 64, ts 16, 32 or 64)");
        }
    }

    public static GemmConfig defaultFor(boolean cpu) {
        return cpu ? new GemmConfig(KernelDevice.GemmKernel.PACKED, 8, 32, 64) : new GemmConfig(KernelDevice.GemmKernel.TILED, 8, 32, 64);
    }

    /** What the tuner tries on an OpenCL device. */
    public static List<GemmConfig> candidates() {
        return List.of(
                new GemmConfig(KernelDevice.GemmKernel.PACKED, 8, 32, 64),
                new GemmConfig(KernelDevice.GemmKernel.PACKED, 4, 32, 64),
                new GemmConfig(KernelDevice.GemmKernel.PACKED, 8, 16, 64),
                new GemmConfig(KernelDevice.GemmKernel.PACKED, 6, 48, 64),
                new GemmConfig(KernelDevice.GemmKernel.PACKED, 12, 32, 64),
                new GemmConfig(KernelDevice.GemmKernel.PACKED, 4, 64, 64),
                new GemmConfig(KernelDevice.GemmKernel.TILED, 8, 32, 64),
                new GemmConfig(KernelDevice.GemmKernel.TILED, 8, 32, 32));
    }

    public GemmConfig withKernel(KernelDevice.GemmKernel k) { return new GemmConfig(k, mr, nr, ts); }

    /** The compiler defines' format (arguments mr, nr, ts, ts); the C library builds with the same. */
    public static final String DEFINES_FORMAT = "-DMR=%d -DNR=%d -DTS_M=%d -DTS_N=%d";

    /** OpenCL compiler defines for both kernels. */
    public String defines() {
        return String.format(Locale.ROOT, DEFINES_FORMAT, mr, nr, ts, ts);
    }

    /** The form stored in the tuning file and shown in device details: "PACKED mr=8 nr=32 ts=64". */
    public String encode() { return String.format(Locale.ROOT, "%s mr=%d nr=%d ts=%d", kernel, mr, nr, ts); }

    /**
     * Parses {@link #encode()}'s form: a kernel name, then mr, nr and ts once each as NAME=INTEGER, in any
     * order. Anything else (a missing or repeated field, an unknown kernel, a number out of range) raises
     * {@link IllegalArgumentException} saying what is wrong.
     */
    public static GemmConfig decode(String s) {
        String[] parts = s.trim().split("\\s+");
        if (parts.length != 4) {
            throw new IllegalArgumentException("bad GEMM configuration '" + s + "': expected KERNEL mr=N nr=N ts=N");
        }
        KernelDevice.GemmKernel kernel = null;
        for (KernelDevice.GemmKernel k : KernelDevice.GemmKernel.values()) if (k.name().equals(parts[0])) kernel = k;
        if (kernel == null) {
            throw new IllegalArgumentException("bad GEMM configuration '" + s + "': unknown kernel '" + parts[0] + "' (one of "
                    + java.util.Arrays.toString(KernelDevice.GemmKernel.values()) + ")");
        }
        int[] v = {-1, -1, -1};
        List<String> names = List.of("mr", "nr", "ts");
        for (int i = 1; i < 4; i++) {
            int eq = parts[i].indexOf('=');
            int which = eq < 0 ? -1 : names.indexOf(parts[i].substring(0, eq));
            if (which < 0) throw new IllegalArgumentException("bad GEMM configuration '" + s + "': '" + parts[i] + "' is not mr=N, nr=N or ts=N");
            if (v[which] >= 0) throw new IllegalArgumentException("bad GEMM configuration '" + s + "': " + names.get(which) + " given twice");
            try {
                v[which] = Integer.parseInt(parts[i].substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad GEMM configuration '" + s + "': '" + parts[i] + "' is not an integer");
            }
            if (v[which] < 0) throw new IllegalArgumentException("bad GEMM configuration '" + s + "': '" + parts[i] + "' is negative");
        }
        return new GemmConfig(kernel, v[0], v[1], v[2]);
    }

    @Override public String toString() { return encode(); }
}

package org.example.consumer;

import java.util.Random;

import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;

/**
 * Opens a device, runs one GEMM through neurokernels and checks it against a double-precision loop.
 * Exits with status 1 when any element is off by more than the GEMM's documented bound.
 */
public final class Consumer {
    public static void main(String[] args) {
        String selector = args.length > 0 ? args[0] : "auto";
        int m = 37, k = 53, n = 29;
        Random rnd = new Random(42);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() * 2 - 1;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() * 2 - 1;
        float[] c;
        String id;
        try (Device d = Devices.open(selector);
             Matrix ma = d.upload(a, m, k); Matrix mb = d.upload(b, k, n); Matrix mc = d.allocate(m, n)) {
            d.gemm(Trans.N, Trans.N, 1f, ma, mb, 0f, mc);
            c = d.download(mc);
            id = d.id() + " (" + d.info().name() + ")";
        }
        // |c - ref| <= (k + 5) u sum|a||b|, u = 2^-24: the bound neurokernels documents for gemm
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double ref = 0, scale = 0;
                for (int p = 0; p < k; p++) {
                    ref += (double) a[i * k + p] * b[p * n + j];
                    scale += Math.abs((double) a[i * k + p] * b[p * n + j]);
                }
                double err = Math.abs(c[i * n + j] - ref) / ((k + 5) * 0x1p-24 * scale);
                if (!(err <= 1)) {
                    System.err.printf("java-consumer: c[%d][%d] = %s, reference %s: outside the bound%n", i, j, c[i * n + j], ref);
                    System.exit(1);
                }
                worst = Math.max(worst, err);
            }
        }
        System.out.printf("java-consumer: gemm %dx%dx%d on %s: worst error %.3f of the bound, OK%n", m, k, n, id, worst);
    }
}

package org.neurokernels.bench;

import java.util.concurrent.TimeUnit;

import org.neurokernels.Activation;
import org.neurokernels.Device;
import org.neurokernels.Devices;
import org.neurokernels.Matrix;
import org.neurokernels.Trans;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A fused layer op against the unfused sequence on the same device, same data:
 * <ul>
 * <li>{@code dense_forward}: fused = one denseForward (GEMM + bias + tanh epilogue, pre written too);
 *     unfused = copy of the bias broadcast into Z, gemm(X, W^T, beta = 1) into Z, then activation.</li>
 * <li>{@code backward_delta}: fused = one backwardDelta (GEMM + tanh' epilogue);
 *     unfused = gemm(Δ, W), activationGrad(z), hadamard.</li>
 * <li>{@code dense_update}: fused = one denseUpdate (weight gradient Δ^T X, bias gradient and SGD step in
 *     the GEMM's epilogue); unfused = gemm(Δ^T, X) into G, columnSums(Δ), sgdUpdate of W and of b.</li>
 * <li>{@code output_layer}: fused = one outputLayer (logits, softmax cross-entropy and the delta of the
 *     layer below through M = W; one launch up to 16 classes on CPU devices); unfused = denseForward
 *     (identity), softmaxCrossEntropy, backwardDelta (from the output h).</li>
 * </ul>
 * {@code shape} is "BATCHxINxOUT" of the layer (X batch x in, W out x in).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FusedOpsBenchmark {
    @Param({"dense_forward", "backward_delta", "dense_update", "output_layer"})
    public String op;

    @Param({"fused", "unfused"})
    public String impl;

    @Param({"64x784x256", "64x256x256", "64x256x10", "1024x1024x1024"})
    public String shape;

    @Param({"opencl:pocl"})
    public String device;

    private Device d;
    private Matrix x, w, bias, biasRows, z, h, deltaUp, g, tmp, gw, gb, targets, probs, grad, loss;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("x");
        int batch = Integer.parseInt(s[0]), in = Integer.parseInt(s[1]), out = Integer.parseInt(s[2]);
        d = Devices.open(device);
        x = d.upload(GemmBenchmark.random(batch * in, 1), batch, in);
        w = d.upload(GemmBenchmark.random(out * in, 2), out, in);
        float[] hb = GemmBenchmark.random(out, 3);
        bias = d.upload(hb, 1, out);
        float[] rows = new float[batch * out];
        for (int i = 0; i < batch; i++) System.arraycopy(hb, 0, rows, i * out, out);
        biasRows = d.upload(rows, batch, out);
        z = d.allocate(batch, out);
        h = d.allocate(batch, out);
        // backward: delta from the layer above is batch x out; through W (out x in) it becomes batch x in
        deltaUp = d.upload(GemmBenchmark.random(batch * out, 4), batch, out);
        g = d.allocate(batch, in);
        tmp = d.allocate(batch, in);
        gw = d.allocate(out, in);
        gb = d.allocate(1, out);
        float[] t = new float[batch * out];
        for (int i = 0; i < batch; i++) t[i * out + (i * 7) % out] = 1f;
        targets = d.upload(t, batch, out);
        probs = d.allocate(batch, out);
        grad = d.allocate(batch, out);
        loss = d.allocate(batch, 1);
        bench();
        d.synchronize();
    }

    private Matrix bench() {
        if (op.equals("dense_forward")) {
            if (impl.equals("fused")) {
                d.denseForward(x, w, bias, Activation.TANH, h, z);
            } else {
                d.copy(biasRows, z);
                d.gemm(Trans.N, Trans.T, 1f, x, w, 1f, z);
                d.activation(Activation.TANH, z, h);
            }
            return h;
        }
        if (op.equals("output_layer")) {
            // x plays the last hidden layer's output h (batch x in), w the output weights and the feedback M
            if (impl.equals("fused")) {
                d.outputLayer(x, w, bias, targets, w, Activation.TANH, probs, grad, loss, g);
            } else {
                d.denseForward(x, w, bias, Activation.IDENTITY, z, null);
                d.softmaxCrossEntropy(z, targets, probs, grad, loss);
                d.backwardDelta(grad, Trans.N, w, x, Activation.TANH, true, g);
            }
            return g;
        }
        if (op.equals("dense_update")) {
            // a tiny learning rate keeps W in range over millions of calls
            if (impl.equals("fused")) {
                d.denseUpdate(1e-7f, 0f, 0f, deltaUp, x, w, bias, null, null, null);
            } else {
                d.gemm(Trans.T, Trans.N, 1f, deltaUp, x, 0f, gw);
                d.columnSums(deltaUp, gb);
                d.sgdUpdate(1e-7f, 0f, 0f, w, gw, null);
                d.sgdUpdate(1e-7f, 0f, 0f, bias, gb, null);
            }
            return w;
        }
        // x plays the layer's pre-activation z (batch x in)
        if (impl.equals("fused")) {
            d.backwardDelta(deltaUp, Trans.N, w, x, Activation.TANH, false, g);
        } else {
            d.gemm(Trans.N, Trans.N, 1f, deltaUp, w, 0f, g);
            d.activationGrad(Activation.TANH, x, false, tmp);
            d.hadamard(g, tmp, g);
        }
        return g;
    }

    @Benchmark
    public void layer(Blackhole bh) {
        Matrix r = bench();
        d.synchronize();
        bh.consume(r);
    }

    @TearDown(Level.Trial)
    public void tearDown() { d.close(); }
}

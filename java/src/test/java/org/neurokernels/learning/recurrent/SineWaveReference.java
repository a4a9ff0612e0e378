package org.neurokernels.learning.recurrent;

import java.util.Locale;
import java.util.SplittableRandom;

import org.neurokernels.Activation;

/**
 * The e-prop paper's pattern-generation task at full size on the pure-Java reference (double), for the
 * figures in bench/RESULTS.md: 100 inputs of frozen Poisson noise (p = 0.05 per 1 ms step, the same every
 * iteration), 100 recurrent units, one leaky readout (tau_out 30 ms), a 1000-step target that is the sum of
 * four sines with periods 1000, 500, 333 and 200 steps, amplitudes U(0.5, 2) and phases U(0, 2 pi), shifted to
 * start at zero and scaled to max |y*| = 1; batch 1. The LIF network has tau_m 30 ms, v_th 0.03, gamma 0.3
 * and no refractoriness; the rate network 100 tanh units with tau 30 ms.
 *
 * <pre>java -cp java/target/classes:java/target/test-classes org.neurokernels.learning.recurrent.SineWaveReference
 *      NETWORK(lif|rate) RULE(bptt|eprop|eprop-random|rflo) OPTIMIZER(adam|sgd) LR ITERATIONS SEED</pre>
 *
 * Prints one JSON object per 100 iterations (iteration, nmse, loss, seconds) and a final one; nmse is
 * sum (y - y*)^2 / sum (y* - mean y*)^2. Run by bench/eprop-sine-reference.sh.
 */
public final class SineWaveReference {
    private SineWaveReference() { }

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: SineWaveReference lif|rate bptt|eprop|eprop-random|rflo adam|sgd LR ITERATIONS SEED");
            System.exit(2);
        }
        String network = args[0], rule = args[1], optimizer = args[2];
        double lr = Double.parseDouble(args[3]);
        int iterations = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        if (!network.equals("lif") && !network.equals("rate")) throw new IllegalArgumentException("network: lif or rate");
        if (rule.equals("rflo") && !network.equals("rate")) throw new IllegalArgumentException("rflo is the rate network's rule");
        int n = 100, m = 100, steps = 1000;
        Sequences s = task(m, steps, seed);
        double decay = RecurrentRateNetwork.decay(1, 30);
        RecurrentParameters p = network.equals("lif")
                ? RecurrentParameters.random(n, m, 1, 1.0, 0.5, 0.05, true, seed + 1)
                : RecurrentParameters.random(n, m, 1, 1.0, 0.8, 0.05, true, seed + 1);
        float[] random = RecurrentParameters.randomFeedback(n, 1, 0.05 / Math.sqrt(n), seed + 2);
        RecurrentLifNetwork lif = new RecurrentLifNetwork(n, m, 1, decay, decay, 0.03, 0.3, 0);
        RecurrentRateNetwork rate = new RecurrentRateNetwork(n, m, 1, Activation.TANH, decay, decay);
        Optimizer opt = optimizer.equals("adam") ? new Adam(lr) : new Sgd(lr);
        long start = System.nanoTime();
        double nmse = 0;
        for (int i = 0; i <= iterations; i++) {
            if (i % 100 == 0 || i == iterations) {
                nmse = nmse(network.equals("lif") ? lif.outputs(p, s, 0) : rate.outputs(p, s, 0), s);
                System.out.printf(Locale.ROOT, "{\"network\": \"%s\", \"rule\": \"%s\", \"optimizer\": \"%s\", \"lr\": %g, \"seed\": %d, "
                        + "\"iteration\": %d, \"nmse\": %.5f, \"seconds\": %.1f}%n", network, rule, optimizer, lr, seed, i, nmse,
                        (System.nanoTime() - start) * 1e-9);
            }
            if (i == iterations) break;
            Gradients g = switch (network + ":" + rule) {
                case "lif:bptt" -> lif.bptt(p, s, false);
                case "lif:eprop" -> lif.eprop(p, s, p.symmetricFeedback());
                case "lif:eprop-random" -> lif.eprop(p, s, random);
                case "rate:bptt" -> rate.bptt(p, s);
                case "rate:eprop" -> rate.eprop(p, s, p.symmetricFeedback());
                case "rate:eprop-random" -> rate.eprop(p, s, random);
                case "rate:rflo" -> rate.rflo(p, s, random);
                default -> throw new IllegalArgumentException("unknown rule " + rule);
            };
            opt.step(p.arrays(), g.arrays());
        }
    }

    static Sequences task(int m, int steps, long seed) { return SineWaves.task(m, steps, seed); }

    /** SineWaves.nmse of a trajectory's single output. */
    static double nmse(double[][] y, Sequences s) {
        float[] out = new float[y.length];
        for (int t = 0; t < y.length; t++) out[t] = (float) y[t][0];
        return SineWaves.nmse(out, s);
    }
}

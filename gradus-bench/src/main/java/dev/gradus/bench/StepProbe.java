package dev.gradus.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Sgd;
import dev.gradus.train.BlockedPass;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The CPU and wall time of one mini-batch training step of W1 ({@code 784 → 256 ReLU → 128 ReLU →
 * 10}, the seed's ℓ2, plain SGD; batch 64 by default): the gradient pass the trainer runs and the
 * optimizer's step, on {@code --threads} threads, over rows drawn once at random in [0, 1). The
 * CPU time is the whole process's (all threads), so other work on a shared host changes it far
 * less than wall time. Prints the least, the median and the quartiles over {@code --rounds} rounds of
 * {@code --steps} steps, after as many for warm-up.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.gradus.bench.StepProbe [--threads 2] [--batch 64] [--rounds 11] [--steps 500]
 * </pre>
 */
public final class StepProbe {
    private StepProbe() {}

    public static void main(String[] args) {
        int threads = 1;
        int batch = 64;
        int rounds = 11;
        int steps = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; known: --threads N, --batch N, --rounds N, --steps N");
            }
        }
        int in = 784;
        int out = 10;
        int rows = 64 * batch;
        SplittableRandom random = new SplittableRandom(7);
        float[] x = new float[rows * in];
        float[] y = new float[rows * out];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int r = 0; r < rows; r++) {
            y[r * out + random.nextInt(out)] = 1f;
        }
        Network network = Network.input(in).dense(256, Activation.RELU).dense(128, Activation.RELU)
                .dense(out, Activation.IDENTITY).build(1);
        float[] theta = network.parameters().values();
        float[] dTheta = new float[theta.length];
        Optimizer sgd = new Sgd(0.001);
        Optimizer.State state = sgd.init(theta.length);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] cpu = new double[rounds];
        double[] wall = new double[rounds];
        double sink = 0;
        int batchRows = batch;
        try (BlockedPass pass = new BlockedPass(network, Loss.MSE, batch, threads)) {
            int[] at = {0};
            BlockedPass.Reader reader = (from, n, xs, ys) -> {
                int r0 = (at[0] + from) % (rows - batchRows + 1);
                System.arraycopy(x, r0 * in, xs, 0, n * in);
                System.arraycopy(y, r0 * out, ys, 0, n * out);
            };
            for (int r = -rounds; r < rounds; r++) {
                long c0 = os.getProcessCpuTime();
                long w0 = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    at[0] = (at[0] + batch) % (rows - batch + 1);
                    sink += pass.lossAndGradient(reader, batch, dTheta);
                    sgd.step(theta, dTheta, state, 0.001);
                }
                long w1 = System.nanoTime();
                long c1 = os.getProcessCpuTime();
                if (r >= 0) {
                    cpu[r] = (c1 - c0) / 1e3 / steps;
                    wall[r] = (w1 - w0) / 1e3 / steps;
                }
            }
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        System.out.printf(Locale.ROOT, "W1 step, batch %d, %d thread(s): cpu min %.1f median %.1f us (quartiles %.1f,"
                + " %.1f); wall min %.1f median %.1f us (%.1f, %.1f) over %d rounds of %d steps  [%s]%n", batch,
                threads, cpu[0], cpu[rounds / 2], cpu[rounds / 4], cpu[3 * rounds / 4], wall[0], wall[rounds / 2],
                wall[rounds / 4], wall[3 * rounds / 4], rounds, steps, sink);
    }
}

package dev.gradus.bench;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.train.BlockedPass;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * The thread CPU time of one block of the full-batch pass ({@link BlockedPass#BLOCK_ROWS} rows of
 * {@code 20 → 32 ReLU → 2 softmax}, cross-entropy: forward, loss, backward) on one thread: the
 * unit of work of {@link FullBatchBench}, measured by the CPU time of the thread that runs it, so
 * that other work on a shared host changes it far less than wall time. Prints the median and
 * quartiles over {@code --rounds} rounds of {@code --blocks} blocks, after as many for warm-up.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.gradus.bench.BlockProbe [--rounds 15] [--blocks 2000]
 * </pre>
 */
public final class BlockProbe {
    private BlockProbe() {}

    public static void main(String[] args) {
        int rounds = 15;
        int blocks = 2000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--blocks" -> blocks = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; known: --rounds N, --blocks N");
            }
        }
        int rows = BlockedPass.BLOCK_ROWS;
        var data = FullBatchBench.data(rows, 7);
        float[] x = data[0].data();
        float[] y = data[1].data();
        Network network = Network.input(20).dense(32, Activation.RELU).dense(2, Activation.SOFTMAX).build(1);
        float[] dTheta = new float[network.parameters().size()];
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        double[] micros = new double[rounds];
        double sink = 0;
        try (BlockedPass pass = new BlockedPass(network, Loss.CROSS_ENTROPY, rows, 1)) {
            BlockedPass.Reader reader = (from, n, xs, ys) -> {
                System.arraycopy(x, from * 20, xs, 0, n * 20);
                System.arraycopy(y, from * 2, ys, 0, n * 2);
            };
            for (int r = -rounds; r < rounds; r++) {
                long start = bean.getCurrentThreadCpuTime();
                for (int b = 0; b < blocks; b++) {
                    sink += pass.lossAndGradient(reader, rows, dTheta);
                }
                long end = bean.getCurrentThreadCpuTime();
                if (r >= 0) {
                    micros[r] = (end - start) / 1e3 / blocks;
                }
            }
        }
        Arrays.sort(micros);
        System.out.printf(Locale.ROOT, "block of %d rows, 20 -> 32 relu -> 2: median %.1f us cpu (quartiles %.1f, %.1f)"
                + " over %d rounds of %d blocks  [%s]%n", rows, micros[rounds / 2], micros[rounds / 4],
                micros[3 * rounds / 4], rounds, blocks, sink);
    }
}

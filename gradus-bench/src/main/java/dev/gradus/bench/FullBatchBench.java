package dev.gradus.bench;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Adam;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One full-batch epoch on tabular data: {@code rows × 20 → 32 ReLU → 2 softmax}, Adam,
 * cross-entropy, batch size 0 (every epoch is one step over all rows). Prints each epoch's
 * wall seconds (from the trainer's history: the forward and backward passes and the optimizer
 * step) and the process's CPU seconds per epoch, and their medians after {@code --warmup} epochs. {@code gradus-bench/scripts/full-batch.sh} runs
 * it beside {@code full_batch_pytorch.py} on the same shapes.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.gradus.bench.FullBatchBench [--rows 1000000]
 *     [--epochs 8] [--warmup 2] [--threads 2]
 * </pre>
 */
public final class FullBatchBench {
    private FullBatchBench() {}

    public static void main(String[] args) {
        int rows = 1_000_000;
        int epochs = 8;
        int warmup = 2;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; known: --rows N, --epochs N, --warmup N, --threads N");
            }
        }
        Matrix[] data = data(rows, 7);
        Network network = Network.input(20).dense(32, Activation.RELU).dense(2, Activation.SOFTMAX).build(1);
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Adam.defaults()).withBatchSize(0).withEpochs(warmup + epochs).withThreads(threads);
        // CPU seconds of the whole process between the ends of consecutive epochs: the work an
        // epoch costs, which a shared machine's contention changes far less than wall time.
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> cpu = new ArrayList<>();
        long[] last = {os.getProcessCpuTime()};
        Trainer trainer = new Trainer(options).addListener(stats -> {
            long now = os.getProcessCpuTime();
            cpu.add((now - last[0]) / 1e9);
            last[0] = now;
        });
        Trainer.Result r = trainer.fit(network, data[0], data[1]);
        List<EpochStats> all = r.history().epochs();
        double[] seconds = all.stream().skip(warmup).mapToDouble(EpochStats::seconds).toArray();
        double[] cpuSeconds = cpu.stream().skip(warmup).mapToDouble(Double::doubleValue).toArray();
        System.out.printf(Locale.ROOT, "gradus full batch %d x 20 -> 32 relu -> 2, adam, cross-entropy, %d threads: "
                        + "median %.4f s/epoch, cpu %.4f s/epoch over %d epochs (after %d warm-up)  epochs %s  "
                        + "cpu %s  final loss %.4f%n",
                rows, threads, median(seconds), median(cpuSeconds), seconds.length, warmup, fmt(seconds),
                fmt(cpuSeconds), all.get(all.size() - 1).loss());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    /** Two Gaussian classes in 20 features, labels one-hot: a seeded, separable-enough task. */
    static Matrix[] data(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[rows * 20];
        float[] y = new float[rows * 2];
        for (int i = 0; i < rows; i++) {
            int label = random.nextInt(2);
            for (int j = 0; j < 20; j++) {
                x[i * 20 + j] = (float) (random.nextGaussian() + (label == 1 && j < 5 ? 0.8 : 0));
            }
            y[i * 2 + label] = 1f;
        }
        return new Matrix[] {Matrix.wrap(rows, 20, x), Matrix.wrap(rows, 2, y)};
    }

    private static String fmt(double[] seconds) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < seconds.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", seconds[i]));
        }
        return s.append(']').toString();
    }
}

package dev.gradus.workloads;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The benchmark workloads of the performance issue, shared by {@code gradus bench} and the
 * {@code gradus-bench} module: float32, the seed's ℓ2, plain SGD with {@code α = 0.05}.
 *
 * <ul>
 *   <li>W1: 784-256-128-10, ReLU hidden, identity output, batch 64 (Fashion-MNIST, 60,000 rows);</li>
 *   <li>W2: 8-32-32-1, tanh hidden, batch 32, 20,000 rows of {@code y = sin(Σx)} — per-step overhead;</li>
 *   <li>W3: 1024-2048-2048-10, ReLU, batch 256, 16,384 random rows — compute-bound.</li>
 * </ul>
 */
public final class Workloads {
    /**
     * The learning rate the issue asks for, 0.05. W1 uses {@link #W1_LEARNING_RATE} instead: on
     * Fashion-MNIST the seed's ℓ2 at 0.05 (ten times PyTorch's {@code MSELoss} at 0.05) diverges
     * to NaN within six steps and the trainer stops. The rate does not change the work per step.
     */
    public static final double LEARNING_RATE = 0.05;
    /** W1's learning rate, 0.02: the largest of 0.05, 0.02, 0.01 that trains W1 on Fashion-MNIST. */
    public static final double W1_LEARNING_RATE = 0.02;

    private Workloads() {}

    /** One workload: layer widths (input first), hidden activation, batch size and rows per epoch. */
    public record Workload(String name, int[] widths, Activation hidden, int batch, int samples, double learningRate) {
        /** The network, hidden layers {@code hidden}, identity output, weights from {@code seed}. */
        public Network network(long seed) {
            Network.Builder b = Network.input(widths[0]);
            for (int l = 1; l < widths.length; l++) {
                b.dense(widths[l], l == widths.length - 1 ? Activation.IDENTITY : hidden);
            }
            return b.build(seed);
        }

        /** Inputs. */
        public int inputs() {
            return widths[0];
        }

        /** Outputs {@code k}. */
        public int outputs() {
            return widths[widths.length - 1];
        }

        /**
         * Floating-point operations of one training sample in the matrix products: forward
         * {@code 2·in·out} per layer, weight gradient {@code 2·in·out}, input gradient
         * {@code 2·in·out} for every layer but the first.
         */
        public long flopsPerSample() {
            long flops = 0;
            for (int l = 1; l < widths.length; l++) {
                long io = (long) widths[l - 1] * widths[l];
                flops += (l == 1 ? 4 : 6) * io;
            }
            return flops;
        }

        /** The same workload with {@code rows} rows per epoch. */
        public Workload withSamples(int rows) {
            return new Workload(name, widths, hidden, batch, rows, learningRate);
        }
    }

    public static final Workload W1 = new Workload("W1", new int[] {784, 256, 128, 10}, Activation.RELU, 64, 60_000,
            W1_LEARNING_RATE);
    public static final Workload W2 = new Workload("W2", new int[] {8, 32, 32, 1}, Activation.TANH, 32, 20_000,
            LEARNING_RATE);
    public static final Workload W3 = new Workload("W3", new int[] {1024, 2048, 2048, 10}, Activation.RELU, 256,
            16_384, LEARNING_RATE);

    /** W1, W2, W3. */
    public static List<Workload> all() {
        return List.of(W1, W2, W3);
    }

    /** The workload called {@code name} ({@code W1}, {@code W2}, {@code W3}, any case). */
    public static Workload byName(String name) {
        for (Workload w : all()) {
            if (w.name().equalsIgnoreCase(name.trim())) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + name + "'; known: W1, W2, W3");
    }

    /**
     * Synthetic rows {@code (x, y)} of the workload's shape, drawn from {@code seed}: W2 is
     * {@code x ~ U(−1, 1)⁸}, {@code y = sin(Σx)}; W1 and W3 have one-hot targets of a random
     * class and inputs {@code U(0, 1)} (W1: like pixels, half of them 0) or {@code U(−1, 1)}
     * (W3). Throughput does not depend on the values; W1's real data is Fashion-MNIST.
     */
    public static Matrix[] syntheticData(Workload w, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = w.samples();
        Matrix x = Matrix.zeros(n, w.inputs());
        Matrix y = Matrix.zeros(n, w.outputs());
        float[] xs = x.data();
        float[] ys = y.data();
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int j = 0; j < w.inputs(); j++) {
                float v = switch (w.name()) {
                    case "W1" -> random.nextBoolean() ? 0f : (float) random.nextDouble();
                    default -> (float) random.nextDouble(-1, 1);
                };
                xs[i * w.inputs() + j] = v;
                sum += v;
            }
            if (w.outputs() == 1) {
                ys[i] = (float) Math.sin(sum);
            } else {
                ys[i * w.outputs() + random.nextInt(w.outputs())] = 1f;
            }
        }
        return new Matrix[] {x, y};
    }

    /** Throughput of one training run: the median of the measured epochs. */
    /**
     * Samples/s of each measured epoch, and the CPU seconds of this process in each (all its
     * threads: a shared host's other work changes it far less than the wall time).
     */
    public record Measurement(Workload workload, int threads, double[] epochSamplesPerSecond, double[] epochCpuSeconds) {
        /** The median CPU seconds of an epoch. */
        public double medianCpuSeconds() {
            double[] s = epochCpuSeconds.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        public double median() {
            double[] s = epochSamplesPerSecond.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        public double gflops() {
            return median() * workload.flopsPerSample() / 1e9;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s threads=%d median %.0f samples/s (%.1f GFLOP/s) epochs %s",
                    workload.name(), threads, median(), gflops(), Arrays.toString(
                            Arrays.stream(epochSamplesPerSecond).mapToLong(Math::round).toArray()));
        }
    }

    /**
     * Trains {@code w} on {@code (x, y)} with SGD at {@code w.learningRate()}, batch {@code w.batch()}, shuffled, for
     * {@code warmup + epochs} epochs and reports samples/s of the last {@code epochs} (training
     * time only: each epoch's time as the trainer measures it).
     */
    public static Measurement train(Workload w, Matrix x, Matrix y, int threads, int warmup, int epochs) {
        TrainingOptions options = TrainingOptions.plain()
                .withOptimizer(new Sgd(w.learningRate()))
                .withBatchSize(w.batch())
                .withEpochs(warmup + epochs)
                .withThreads(threads);
        List<EpochStats> stats = new ArrayList<>();
        List<Long> cpuAtEpochEnd = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        new Trainer(options).addListener(s -> {
            cpuAtEpochEnd.add(os.getProcessCpuTime());
            stats.add(s);
        }).fit(w.network(1), x, y);
        double[] rates = new double[epochs];
        double[] cpu = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            rates[e] = x.rows() / stats.get(warmup + e).seconds();
            // from the end of the epoch before (the warm-up's end at least: epochs start right after)
            cpu[e] = warmup + e == 0 ? Double.NaN
                    : (cpuAtEpochEnd.get(warmup + e) - cpuAtEpochEnd.get(warmup + e - 1)) / 1e9;
        }
        return new Measurement(w, threads, rates, cpu);
    }

    /**
     * GFLOP/s of {@code C = A·B} at {@code n×n×n} on {@code threads} threads: the median of
     * {@code samples} timings after one warm-up sample.
     */
    public static double sgemmGflops(int n, int threads, int samples) {
        SplittableRandom random = new SplittableRandom(1);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble();
            b[i] = (float) random.nextDouble();
        }
        Kernels kernels = Kernels.create(threads);
        double flop = 2.0 * n * n * n;
        int reps = (int) Math.max(1, 2e9 / flop);
        double[] rates = new double[samples];
        for (int s = -1; s < samples; s++) {
            long start = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                kernels.ab(c, 0, a, 0, b, 0, n, n, n);
            }
            long end = System.nanoTime();
            if (s >= 0) {
                rates[s] = flop * reps / (end - start);
            }
        }
        Arrays.sort(rates);
        return rates[samples / 2];
    }
}

package dev.gradus.bench;

import dev.gradus.data.DataException;
import dev.gradus.data.Idx;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.spark.RowBlocks;
import dev.gradus.spark.SparkTrainer;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The exact mini-batch mode beside {@code --sync-every K} (local SGD with model averaging) on
 * Fashion-MNIST (Debian's {@code dataset-fashion-mnist}): the first {@code --rows} training
 * images, scored on the 10,000 test images after every epoch, 784 → 128 ReLU → 10 softmax,
 * cross-entropy, Adam (lr 10⁻³), batches of 128 rows, shuffled, on {@code local[2]} with 2
 * partitions; and Gradus in one JVM (2 threads, the exact mode's computation) for reference. All
 * modes in one JVM, one after the other, from the same initial weights. Prints, per mode and
 * epoch, the wall seconds since the start of training (validation included), the training
 * loss, the test loss and accuracy, and the seconds per Spark job of training (an exact step, or
 * a round of K steps per partition).
 *
 * <pre>
 * java ... dev.gradus.bench.SparkAveragingBench [--rows 60000] [--epochs 4] [--sync 4,16,64]
 *     [--master local[2]] [--partitions 2] [--dir /usr/share/datasets/fashion-mnist]
 * </pre>
 */
public final class SparkAveragingBench {
    private static final int BATCH = 128;
    private static final long SEED = 42;

    private SparkAveragingBench() {}

    public static void main(String[] args) throws IOException, DataException {
        int rows = 60_000;
        int epochs = 4;
        String master = "local[2]";
        int partitions = 2;
        List<Integer> syncs = List.of(4, 16, 64);
        Path dir = FashionMnist.DEFAULT_DIR;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--master" -> master = args[++i];
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--sync" -> syncs = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--dir" -> dir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --rows N "
                        + "--epochs N --sync K,K,… --master URL --partitions P --dir DIR");
            }
        }
        Matrix[] train = FashionMnist.trainingSet(dir);
        if (train == null) {
            throw new IOException(dir + " holds no Fashion-MNIST (apt-get install dataset-fashion-mnist)");
        }
        int n = Math.min(rows, train[0].rows());
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
        }
        Matrix x = train[0].selectRows(first);
        Matrix y = train[1].selectRows(first);
        Matrix xTest = Idx.readImages(dir.resolve("t10k-images-idx3-ubyte.gz"));
        int[] labels = Idx.readLabels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        Matrix yTest = Matrix.zeros(labels.length, 10);
        for (int i = 0; i < labels.length; i++) {
            yTest.set(i, labels[i], 1f);
        }
        Network start = Network.input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX).build(SEED);
        TrainingOptions o = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Optimizer.parse("adam(lr=0.001)")).withBatchSize(BATCH).withEpochs(epochs)
                .withSeed(SEED).withShuffle(true).withMetrics(List.of(ValidationMetric.ACCURACY));
        System.out.printf(Locale.ROOT, "Fashion-MNIST: %d training rows, %d test rows; 784 -> 128 relu -> 10 softmax, "
                + "adam(lr=0.001), batch %d, %d epochs, %s, %d partitions%n", n, xTest.rows(), BATCH, epochs, master,
                partitions);
        System.out.println("| mode | epoch | wall s | train loss | test loss | test accuracy | Spark jobs / epoch "
                + "| s / job |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        report("one JVM, 2 threads (exact)", new Trainer(o.withThreads(2)),
                start, x, y, xTest, yTest);
        SparkSession spark = SparkSession.builder().appName("SparkAveragingBench").master(master)
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            try (RowBlocks blocks = RowBlocks.of(sc, x, y, partitions)) {
                blocks.blocks().count();   // cached on the executors before any clock starts
                List<Integer> modes = new ArrayList<>();
                modes.add(0);
                modes.addAll(syncs);
                for (int k : modes) {
                    Clock clock = new Clock();
                    Trainer.Result r = new SparkTrainer(o.withThreads(1)).syncEvery(k).addListener(clock)
                            .fit(start, blocks, xTest, yTest);
                    print(k == 0 ? "gradus-spark exact" : "gradus-spark --sync-every " + k, r, clock);
                }
            }
        } finally {
            spark.stop();
        }
    }

    private static void report(String mode, Trainer trainer, Network start, Matrix x, Matrix y, Matrix xTest,
                               Matrix yTest) {
        Clock clock = new Clock();
        trainer.addListener(clock);
        print(mode, trainer.fit(start, x, y, xTest, yTest), clock);
    }

    private static void print(String mode, Trainer.Result r, Clock clock) {
        double total = 0;
        for (EpochStats e : r.history().epochs()) {
            total += e.seconds();
            // seconds per job of training: the epoch's wall time less its validation, over its jobs
            double trainSeconds = clock.trainSeconds.get(e.epoch() - 1);
            int jobs = clock.jobs.get(e.epoch() - 1);
            System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.4f | %.4f | %.4f | %d | %.3f |%n", mode, e.epoch(),
                    total, e.loss(), e.validationLoss(), e.validationMetrics().get("accuracy"), jobs,
                    trainSeconds / jobs);
        }
    }

    /**
     * The wall time from an epoch's start to its last step (the epoch's training, without its
     * validation), and its jobs: the trainer's calls of {@code onBatch}, one per exact step (one
     * Spark job, or a step in one JVM) and one per round of {@code --sync-every}.
     */
    private static final class Clock implements TrainingListener {
        final List<Double> trainSeconds = new ArrayList<>();
        final List<Integer> jobs = new ArrayList<>();
        private long epochStart = System.nanoTime();
        private long lastStep;
        private int calls;

        @Override
        public void onBatch(int epoch, int step, double loss) {
            lastStep = System.nanoTime();
            calls++;
        }

        @Override
        public void onEpoch(EpochStats stats) {
            trainSeconds.add((lastStep - epochStart) / 1e9);
            jobs.add(calls);
            calls = 0;
            epochStart = System.nanoTime();
        }
    }
}

package dev.gradus.bench;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Lbfgs;
import dev.gradus.spark.RowBlocks;
import dev.gradus.spark.SparkTrainer;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.EpochStats;
import dev.gradus.train.GradientSource;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Full-batch L-BFGS on {@code rows × 20 → 32 sigmoid → 2 softmax} (cross-entropy), 20
 * iterations, three ways on the same rows: Gradus on Spark ({@code SparkTrainer}, rows cached on
 * the executors as float32 blocks), Gradus in one JVM ({@link Trainer}, what {@code gradus
 * train} runs once the CSV is read), and Spark MLlib's {@code MultilayerPerceptronClassifier}
 * (same layers, {@code solver=l-bfgs}, {@code tol=0}). {@code gradus-bench/scripts/spark-vs-mllib.sh}
 * runs the three side by side, each in its own JVM.
 *
 * <p>Prints one line: the iterations, the gradient evaluations (Spark jobs that sum the gradient:
 * {@code OrderedSum}'s collect for Gradus, {@code treeAggregate} for MLlib; calls of the source
 * in one JVM), the training seconds (from the first evaluation's start to the last one's end on
 * Spark; the epochs' seconds in one JVM) and their quotients per iteration and per evaluation.
 * L-BFGS implementations differ in evaluations per iteration (Gradus: backtracking from
 * {@code t = 1}; MLlib: Breeze's strong-Wolfe search), hence both.
 *
 * <pre>
 * java ... dev.gradus.bench.SparkBench --mode spark|local|mllib [--rows 1000000] [--iterations 20]
 *     [--master local[2]] [--partitions 2] [--threads 2]
 * </pre>
 */
public final class SparkBench {
    private static final int FEATURES = 20;
    private static final int HIDDEN = 32;
    private static final long SEED = 7;

    private SparkBench() {}

    public static void main(String[] args) {
        String mode = null;
        int rows = 1_000_000;
        int iterations = 20;
        String master = "local[2]";
        int partitions = 2;
        int threads = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = args[++i];
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--master" -> master = args[++i];
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --mode "
                        + "spark|local|mllib, --rows N, --iterations N, --master URL, --partitions P, --threads N");
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("--mode spark|local|mllib is required");
        }
        String line = switch (mode) {
            case "spark" -> gradusOnSpark(rows, iterations, master, partitions);
            case "local" -> gradusLocal(rows, iterations, threads);
            case "mllib" -> mllib(rows, iterations, master, partitions);
            default -> throw new IllegalArgumentException("--mode must be spark, local or mllib, got " + mode);
        };
        System.out.println(line);
    }

    private static Network network() {
        return Network.input(FEATURES).dense(HIDDEN, Activation.SIGMOID).dense(2, Activation.SOFTMAX).build(SEED);
    }

    private static TrainingOptions options(int iterations, int threads) {
        return TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withOptimizer(Lbfgs.defaults()).withBatchSize(0)
                .withEpochs(iterations).withShuffle(false).withThreads(threads);
    }

    /** Gradus on Spark: blocks generated on the executors, cached, then {@link SparkTrainer}. */
    private static String gradusOnSpark(int rows, int iterations, String master, int partitions) {
        SparkSession spark = session(master);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JobClock clock = new JobClock("OrderedSum");
            spark.sparkContext().addSparkListener(clock);
            try (RowBlocks blocks = RowBlocks.of(blocks(sc, rows, partitions), rows, FEATURES, 2)) {
                blocks.blocks().count();   // cached before the clock starts
                clock.reset();
                Trainer.Result r = new SparkTrainer(options(iterations, 1)).fit(network(), blocks);
                clock.drain(spark);
                List<EpochStats> epochs = r.history().epochs();
                return report("gradus-spark " + master + " " + partitions + " partitions", rows, epochs.size(),
                        clock.jobs.get(), clock.spanSeconds(), clock.cpuSeconds(), median(epochs),
                        epochs.get(epochs.size() - 1).loss());
            }
        } finally {
            spark.stop();
        }
    }

    /** Gradus in one JVM: {@link Trainer} on the same rows, with a source that counts its evaluations. */
    private static String gradusLocal(int rows, int iterations, int threads) {
        float[] x = new float[rows * FEATURES];
        float[] y = new float[rows * 2];
        for (long b = 0; b * BlockedPass.BLOCK_ROWS < rows; b++) {
            RowBlocks.Block block = block(b, rows);
            System.arraycopy(block.x(), 0, x, (int) block.firstRow() * FEATURES, block.x().length);
            System.arraycopy(block.y(), 0, y, (int) block.firstRow() * 2, block.y().length);
        }
        AtomicInteger evaluations = new AtomicInteger();
        GradientSource counted = counting(GradientSource.of(Matrix.wrap(rows, FEATURES, x), Matrix.wrap(rows, 2, y)),
                evaluations);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        Trainer.Result r = new Trainer(options(iterations, threads)).fit(network(), counted);
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        List<EpochStats> epochs = r.history().epochs();
        double seconds = epochs.stream().mapToDouble(EpochStats::seconds).sum();
        return report("gradus one JVM " + threads + " threads", rows, epochs.size(), evaluations.get(), seconds,
                cpuSeconds, median(epochs), epochs.get(epochs.size() - 1).loss());
    }

    /** MLlib's multilayer perceptron on the same rows as a cached DataFrame. */
    private static String mllib(int rows, int iterations, String master, int partitions) {
        SparkSession spark = session(master);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<Row> data = blocks(sc, rows, partitions).flatMap(b -> {
                List<Row> out = new ArrayList<>(b.rows());
                for (int r = 0; r < b.rows(); r++) {
                    double[] features = new double[FEATURES];
                    for (int j = 0; j < FEATURES; j++) {
                        features[j] = b.x()[r * FEATURES + j];
                    }
                    out.add(RowFactory.create(b.y()[r * 2 + 1] == 1f ? 1.0 : 0.0, Vectors.dense(features)));
                }
                return out.iterator();
            });
            StructType schema = new StructType().add("label", DataTypes.DoubleType)
                    .add("features", SQLDataTypes.VectorType());
            Dataset<Row> frame = spark.createDataFrame(data, schema).cache();
            frame.count();
            JobClock clock = new JobClock("treeAggregate");
            spark.sparkContext().addSparkListener(clock);
            MultilayerPerceptronClassificationModel model = new MultilayerPerceptronClassifier()
                    .setLayers(new int[] {FEATURES, HIDDEN, 2}).setSolver("l-bfgs").setMaxIter(iterations).setTol(0)
                    .setBlockSize(128).setSeed(SEED).fit(frame);
            clock.drain(spark);
            double[] history = model.summary().objectiveHistory();
            return report("mllib MultilayerPerceptronClassifier " + master + " " + partitions + " partitions", rows,
                    model.summary().totalIterations(), clock.jobs.get(), clock.spanSeconds(), clock.cpuSeconds(), Double.NaN,
                    history[history.length - 1]);
        } finally {
            spark.stop();
        }
    }

    private static String report(String what, int rows, int iterations, int evaluations, double seconds,
                                 double cpuSeconds, double medianIteration, double finalLoss) {
        return String.format(Locale.ROOT, "%s: %d rows, %d iterations, %d gradient evaluations, %.3f s training, "
                        + "%.4f s per iteration (median %s), %.4f s per evaluation, cpu %.4f s per iteration, "
                        + "cpu %.4f s per evaluation, final loss %.5f",
                what, rows, iterations, evaluations, seconds, seconds / iterations,
                Double.isNaN(medianIteration) ? "n/a" : String.format(Locale.ROOT, "%.4f", medianIteration),
                seconds / evaluations, cpuSeconds / iterations, cpuSeconds / evaluations, finalLoss);
    }

    private static double median(List<EpochStats> epochs) {
        double[] s = epochs.stream().mapToDouble(EpochStats::seconds).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static SparkSession session(String master) {
        return SparkSession.builder().appName("SparkBench").master(master).config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false").getOrCreate();
    }

    /** The rows as blocks of {@link BlockedPass#BLOCK_ROWS}, generated where each partition lives. */
    private static JavaRDD<RowBlocks.Block> blocks(JavaSparkContext sc, int rows, int partitions) {
        List<Long> indices = new ArrayList<>();
        for (long b = 0; b * BlockedPass.BLOCK_ROWS < rows; b++) {
            indices.add(b);
        }
        return sc.parallelize(indices, partitions).map(b -> block(b, rows));
    }

    /**
     * Block {@code b}: two Gaussian classes in 20 features (class 1 shifted by 0.8 in the first
     * five), one-hot targets, drawn from a generator seeded by the block alone, so any
     * partitioning and the one JVM see the same rows.
     */
    static RowBlocks.Block block(long b, int rows) {
        int first = (int) (b * BlockedPass.BLOCK_ROWS);
        int n = Math.min(BlockedPass.BLOCK_ROWS, rows - first);
        SplittableRandom random = new SplittableRandom(SEED * 1_000_003L + b);
        float[] x = new float[n * FEATURES];
        float[] y = new float[n * 2];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(2);
            for (int j = 0; j < FEATURES; j++) {
                x[i * FEATURES + j] = (float) (random.nextGaussian() + (label == 1 && j < 5 ? 0.8 : 0));
            }
            y[i * 2 + label] = 1f;
        }
        return new RowBlocks.Block(first, n, x, y);
    }

    /** {@code source}, counting the evaluations of its passes. */
    private static GradientSource counting(GradientSource source, AtomicInteger evaluations) {
        return new GradientSource() {
            @Override public int rows() { return source.rows(); }
            @Override public int inputs() { return source.inputs(); }
            @Override public int outputs() { return source.outputs(); }
            @Override public Map<String, String> fingerprint() { return source.fingerprint(); }
            @Override public HeldOut holdOut(int[] held) { return source.holdOut(held); }
            @Override public void close() { source.close(); }

            @Override
            public Pass open(Network network, TrainingOptions options, int batchRows, boolean shuffled) {
                Pass pass = source.open(network, options, batchRows, shuffled);
                return new Pass() {
                    @Override
                    public double lossAndGradient(int epoch, int step, int start, int count, float[] dTheta) {
                        evaluations.incrementAndGet();
                        return pass.lossAndGradient(epoch, step, start, count, dTheta);
                    }

                    @Override
                    public void close() {
                        pass.close();
                    }
                };
            }
        };
    }

    /** Counts the jobs whose first stage's call site names {@code site}, and their span in time. */
    private static final class JobClock extends SparkListener {
        private final String site;
        final AtomicInteger jobs = new AtomicInteger();
        private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        private final java.util.Set<Integer> counted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final java.util.Set<Integer> stages = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final AtomicLong cpuNanos = new AtomicLong();

        JobClock(String site) {
            this.site = site;
        }

        void reset() {
            jobs.set(0);
            first.set(Long.MAX_VALUE);
            last.set(Long.MIN_VALUE);
            counted.clear();
            stages.clear();
            cpuNanos.set(0);
        }

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            boolean ours = scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos()).stream()
                    .anyMatch(s -> s.name().contains(site));
            if (ours) {
                scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos()).forEach(i -> stages.add(i.stageId()));
                counted.add(start.jobId());
                jobs.incrementAndGet();
                first.accumulateAndGet(start.time(), Math::min);
            }
        }

        @Override
        public void onJobEnd(SparkListenerJobEnd end) {
            if (counted.contains(end.jobId())) {
                last.accumulateAndGet(end.time(), Math::max);
            }
        }

        /** The executors' CPU time of the counted jobs' tasks: deserialising and running them. */
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (stages.contains(end.stageId()) && end.taskMetrics() != null) {
                cpuNanos.addAndGet(end.taskMetrics().executorCpuTime() + end.taskMetrics().executorDeserializeCpuTime());
            }
        }

        double cpuSeconds() {
            return cpuNanos.get() / 1e9;
        }

        /** Waits until the listener has seen every event posted so far. */
        void drain(SparkSession spark) {
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Spark's listener bus did not drain", e);
            }
        }

        double spanSeconds() {
            return (last.get() - first.get()) / 1e3;
        }
    }
}

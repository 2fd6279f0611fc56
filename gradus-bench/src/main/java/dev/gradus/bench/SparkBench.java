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
 *     [--master local[2]] [--partitions 2] [--threads 2] [--trace]
 * </pre>
 *
 * <p>{@code --trace} adds, on stderr, one line per counted Spark job (the driver's time since the
 * previous job, each task's launch wait, deserialisation, run time with GC and thread CPU, result
 * size, and its wait for the slower task; {@code JobClock}), the iterations' seconds, and the JVM's
 * CPU during training by kind of thread (compiler, GC, tasks, scheduler: from {@code /proc}).
 */
public final class SparkBench {
    private static final int FEATURES = 20;
    private static final int HIDDEN = 32;
    private static final long SEED = 7;

    private SparkBench() {}

    public static void main(String[] args) {
        String mode = null;
        String out = null;
        int rows = 1_000_000;
        int iterations = 20;
        String master = "local[2]";
        int partitions = 2;
        int threads = 2;
        boolean trace = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = args[++i];
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--master" -> master = args[++i];
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--out" -> out = args[++i];
                case "--trace" -> trace = true;
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --mode "
                        + "spark|local|mllib, --rows N, --iterations N, --master URL, --partitions P, --threads N, --trace");
            }
        }
        if (mode == null) {
            throw new IllegalArgumentException("--mode spark|local|mllib is required");
        }
        String line = switch (mode) {
            case "spark" -> gradusOnSpark(rows, iterations, master, partitions, trace);
            case "local" -> gradusLocal(rows, iterations, threads, trace);
            case "mllib" -> mllib(rows, iterations, master, partitions, trace);
            case "write-parquet" -> writeParquet(rows, master, partitions, out);
            default -> throw new IllegalArgumentException("--mode must be spark, local, mllib or write-parquet, got "
                    + mode);
        };
        System.out.println(line);
    }

    /**
     * Writes {@code rows} rows of 20 float features and a class label (0 or 1) as Parquet to
     * {@code out}, generated by the executors (the driver holds none of them), for the
     * large-data run of {@code gradus-bench/scripts/spark-large.sh}.
     */
    private static String writeParquet(int rows, String master, int partitions, String out) {
        if (out == null) {
            throw new IllegalArgumentException("--mode write-parquet needs --out PATH");
        }
        SparkSession spark = session(master);
        try {
            var data = spark.range(0, rows, 1, Math.max(partitions, rows / 250_000)).toDF("id");
            org.apache.spark.sql.Column score = org.apache.spark.sql.functions.lit(0.0);
            for (int j = 0; j < FEATURES; j++) {
                data = data.withColumn("x" + j, org.apache.spark.sql.functions.randn(SEED + j).cast("float"));
                score = score.plus(org.apache.spark.sql.functions.col("x" + j).multiply(j < 5 ? 1.0 : 0.1));
            }
            data = data.withColumn("label", org.apache.spark.sql.functions.when(
                    score.plus(org.apache.spark.sql.functions.randn(SEED - 1)).gt(0), "1").otherwise("0")).drop("id");
            data.write().mode("overwrite").parquet(out);
            return "wrote " + rows + " rows to " + out;
        } finally {
            spark.stop();
        }
    }

    private static Network network() {
        return Network.input(FEATURES).dense(HIDDEN, Activation.SIGMOID).dense(2, Activation.SOFTMAX).build(SEED);
    }

    private static TrainingOptions options(int iterations, int threads) {
        return TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withOptimizer(Lbfgs.defaults()).withBatchSize(0)
                .withEpochs(iterations).withShuffle(false).withThreads(threads);
    }

    /** Gradus on Spark: blocks generated on the executors, cached, then {@link SparkTrainer}. */
    private static String gradusOnSpark(int rows, int iterations, String master, int partitions, boolean trace) {
        SparkSession spark = session(master);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JobClock clock = new JobClock("OrderedSum", trace);
            spark.sparkContext().addSparkListener(clock);
            try (RowBlocks blocks = RowBlocks.of(blocks(sc, rows, partitions), rows, FEATURES, 2)) {
                blocks.blocks().count();   // cached before the clock starts
                clock.reset();
                if (trace) {
                    System.err.println("training starts at " + java.time.Instant.now());
                }
                Map<String, Long> threadsBefore = threadTicks();
                long processCpu = processCpuNanos();
                long compile = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
                long gc = gcMillis();
                Trainer.Result r = new SparkTrainer(options(iterations, 1)).fit(network(), blocks);
                clock.drain(spark);
                List<EpochStats> epochs = r.history().epochs();
                if (trace) {
                    printEpochs(epochs);
                    System.err.printf(Locale.ROOT, "driver JVM while training: process cpu %.3f s, JIT %.3f s, GC %.3f s; "
                                    + "tasks' cpu %.3f s%n", (processCpuNanos() - processCpu) / 1e9,
                            (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compile) / 1e3,
                            (gcMillis() - gc) / 1e3, clock.cpuSeconds());
                    printThreads(threadsBefore, threadTicks());
                }
                return report("gradus-spark " + master + " " + partitions + " partitions", rows, epochs.size(),
                        clock.jobs.get(), clock.spanSeconds(), clock.cpuSeconds(), median(epochs),
                        epochs.get(epochs.size() - 1).loss());
            }
        } finally {
            spark.stop();
        }
    }

    /** Gradus in one JVM: {@link Trainer} on the same rows, with a source that counts its evaluations. */
    private static String gradusLocal(int rows, int iterations, int threads, boolean trace) {
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
        Map<String, Long> threadsBefore = threadTicks();
        long cpu = processCpuNanos();
        long compile = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        long gc = gcMillis();
        if (trace) {
            System.err.println("training starts at " + java.time.Instant.now());
        }
        Trainer.Result r = new Trainer(options(iterations, threads)).fit(network(), counted);
        double cpuSeconds = (processCpuNanos() - cpu) / 1e9;
        List<EpochStats> epochs = r.history().epochs();
        if (trace) {
            printEpochs(epochs);
            System.err.printf(Locale.ROOT, "JVM while training: process cpu %.3f s, JIT %.3f s, GC %.3f s%n", cpuSeconds,
                    (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - compile) / 1e3,
                    (gcMillis() - gc) / 1e3);
            printThreads(threadsBefore, threadTicks());
        }
        double seconds = epochs.stream().mapToDouble(EpochStats::seconds).sum();
        return report("gradus one JVM " + threads + " threads", rows, epochs.size(), evaluations.get(), seconds,
                cpuSeconds, median(epochs), epochs.get(epochs.size() - 1).loss());
    }

    /** MLlib's multilayer perceptron on the same rows as a cached DataFrame. */
    private static String mllib(int rows, int iterations, String master, int partitions, boolean trace) {
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
            JobClock clock = new JobClock("treeAggregate", trace);
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

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU ticks (utime + stime, 1/100 s) of this process's threads by "name tid", from /proc (Linux). */
    private static Map<String, Long> threadTicks() {
        Map<String, Long> ticks = new java.util.HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return ticks;
        }
        for (java.io.File t : tasks) {
            try {
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(name + " " + t.getName(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (java.io.IOException | RuntimeException e) {
                // a thread that ended while being read
            }
        }
        return ticks;
    }

    /** The CPU seconds each kind of thread spent between the two readings, most first, on stderr. */
    private static void printThreads(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> byKind = new java.util.TreeMap<>();
        after.forEach((k, v) -> byKind.merge(k.replaceAll("[0-9 ]+$", "").replaceAll("[0-9]+", "#"),
                v - before.getOrDefault(k, 0L), Long::sum));
        StringBuilder line = new StringBuilder("threads' cpu s:");
        byKind.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> line.append(String.format(Locale.ROOT, " [%s] %.2f", e.getKey(), e.getValue() / 100.0)));
        System.err.println(line);
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).sum();
    }

    /** The iterations' seconds on stderr, in order (the first holds the JIT's warm-up). */
    private static void printEpochs(List<EpochStats> epochs) {
        StringBuilder line = new StringBuilder("iteration seconds:");
        epochs.forEach(e -> line.append(String.format(Locale.ROOT, " %.3f", e.seconds())));
        System.err.println(line);
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

    /**
     * Counts the jobs whose first stage's call site names {@code site}, and their span in time;
     * with {@code trace}, also where each job's time goes ({@link #printTrace}).
     */
    private static final class JobClock extends SparkListener {
        private final String site;
        private final boolean trace;
        final AtomicInteger jobs = new AtomicInteger();
        private final AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        private final java.util.Set<Integer> counted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private final java.util.Map<Integer, Integer> stages = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicLong cpuNanos = new AtomicLong();
        private final java.util.Map<Integer, long[]> jobTimes = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<long[]> tasks = java.util.Collections.synchronizedList(new ArrayList<>());

        JobClock(String site, boolean trace) {
            this.site = site;
            this.trace = trace;
        }

        void reset() {
            jobs.set(0);
            first.set(Long.MAX_VALUE);
            last.set(Long.MIN_VALUE);
            counted.clear();
            stages.clear();
            cpuNanos.set(0);
            jobTimes.clear();
            tasks.clear();
        }

        @Override
        public void onJobStart(SparkListenerJobStart start) {
            boolean ours = scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos()).stream()
                    .anyMatch(s -> s.name().contains(site));
            if (ours) {
                scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos())
                        .forEach(i -> stages.put(i.stageId(), start.jobId()));
                counted.add(start.jobId());
                jobs.incrementAndGet();
                first.accumulateAndGet(start.time(), Math::min);
                jobTimes.put(start.jobId(), new long[] {start.time(), 0});
            }
        }

        @Override
        public void onJobEnd(SparkListenerJobEnd end) {
            if (counted.contains(end.jobId())) {
                last.accumulateAndGet(end.time(), Math::max);
                jobTimes.get(end.jobId())[1] = end.time();
            }
        }

        /** The executors' CPU time of the counted jobs' tasks: deserialising and running them. */
        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            Integer job = stages.get(end.stageId());
            if (job != null && end.taskMetrics() != null) {
                var m = end.taskMetrics();
                cpuNanos.addAndGet(m.executorCpuTime() + m.executorDeserializeCpuTime());
                var info = end.taskInfo();
                tasks.add(new long[] {job, info.launchTime(), info.finishTime(), m.executorDeserializeTime(),
                        m.executorRunTime(), m.jvmGCTime(), m.resultSerializationTime(), info.gettingResultTime(),
                        m.resultSize(), m.executorCpuTime() / 1_000_000});
            }
        }

        double cpuSeconds() {
            return cpuNanos.get() / 1e9;
        }

        /** Waits until the listener has seen every event posted so far; prints the trace if asked. */
        void drain(SparkSession spark) {
            try {
                spark.sparkContext().listenerBus().waitUntilEmpty();
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Spark's listener bus did not drain", e);
            }
            if (trace) {
                printTrace();
            }
        }

        /**
         * One line per counted job on stderr (milliseconds): the driver's time since the previous
         * job ended, the job's span, and per task the wait from the job's start to its launch,
         * deserialisation, run (of which GC, and thread CPU), result serialisation and size, and
         * the wait from its end to the job's end; then the medians.
         */
        private void printTrace() {
            List<Integer> ids = new ArrayList<>(jobTimes.keySet());
            ids.sort(null);
            long previousEnd = -1;
            List<double[]> rows = new ArrayList<>();
            for (int id : ids) {
                long[] t = jobTimes.get(id);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "job %d: gap %d span %d |", id,
                        previousEnd < 0 ? 0 : t[0] - previousEnd, t[1] - t[0]));
                double[] row = {previousEnd < 0 ? 0 : t[0] - previousEnd, t[1] - t[0], 0, 0, 0, 0, 0, 0};
                synchronized (tasks) {
                    for (long[] k : tasks) {
                        if (k[0] == id) {
                            line.append(String.format(Locale.ROOT,
                                    " launch+%d deser %d run %d (gc %d cpu %d) ser %d fetch %d %dB end-%d |",
                                    k[1] - t[0], k[3], k[4], k[5], k[9], k[6], k[7] == 0 ? 0 : k[2] - k[7], k[8],
                                    t[1] - k[2]));
                            row[2] = Math.max(row[2], k[1] - t[0]);
                            row[3] = Math.max(row[3], k[3]);
                            row[4] = Math.max(row[4], k[4]);
                            row[5] = Math.max(row[5], k[5]);
                            row[6] = Math.max(row[6], t[1] - k[2]);
                            row[7] = Math.min(row[7] == 0 ? Long.MAX_VALUE : row[7], k[4]);
                        }
                    }
                }
                System.err.println(line);
                rows.add(row);
                previousEnd = t[1];
            }
            String[] names = {"gap", "span", "max launch wait", "max deser", "max run", "max gc", "max end wait",
                    "min run"};
            StringBuilder med = new StringBuilder("trace medians (ms):");
            for (int c = 0; c < names.length; c++) {
                int col = c;
                double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
                med.append(String.format(Locale.ROOT, " %s %.0f", names[c], v.length == 0 ? 0 : v[v.length / 2]));
            }
            System.err.println(med);
        }

        double spanSeconds() {
            return (last.get() - first.get()) / 1e3;
        }
    }
}

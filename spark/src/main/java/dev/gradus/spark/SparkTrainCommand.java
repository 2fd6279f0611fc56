package dev.gradus.spark;

import dev.gradus.cli.RunFlags;
import dev.gradus.cli.TrainCommand;
import dev.gradus.cli.TrainingFlags;
import dev.gradus.cli.WeightFlags;
import dev.gradus.data.ClassWeights;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.RowWeights;
import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.internal.RowOrder;
import dev.gradus.model.TrainingStart;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus-spark train}: every option of {@code gradus train} (the same mixins, parsed and
 * checked by the same code), and the same model file; the network is trained on Spark by
 * {@link SparkTrainer}, the {@link TrainCommand.Backend} this command gives {@code gradus
 * train}'s run.
 *
 * <p>A fresh run reads {@code --data} on the executors ({@link SparkInput}: CSV, Parquet, JSON or
 * ORC, any path Spark reads), fits the preprocessing by distributed aggregation
 * ({@link SparkPreprocessing}), encodes the rows into float32 blocks where they were read
 * ({@link RowBlocks#encode}) and scores the trained model there ({@link SparkScores}): no row
 * reaches the driver; a {@code --validation} file is read, encoded and scored on the executors
 * too. Row weights ({@code --sample-weight}, {@code --class-weight}) are computed there and
 * carried in the blocks. With {@code --init}, {@code --resume}, {@code --test},
 * {@code --test-fraction}, {@code --health} or IDX input the rows are read on the driver as
 * {@code gradus train} reads them, then spread over the partitions (with their weights).
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Train a network on Apache Spark: the options of 'gradus train', plus --master and "
                + "--partitions. Writes the same model file.")
public final class SparkTrainCommand implements Callable<Integer>, TrainCommand.Backend {

    @Spec
    CommandSpec spec;

    @Mixin
    TrainingFlags training = new TrainingFlags();

    @Mixin
    RunFlags run = new RunFlags();

    @Mixin
    WeightFlags weights = new WeightFlags();

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default), local[N], spark://HOST:PORT, yarn, … "
                    + "Under spark-submit the default is spark-submit's --master.")
    String master;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Partitions of the training rows (consecutive rows each). Default: Spark's default "
                    + "parallelism (the cores).")
    Integer partitions;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "How the executors read --data: csv, parquet, json or orc. Default: from the extension "
                    + "(.csv, .parquet, .json, .jsonl, .orc; also a folder or glob of such files), else csv.")
    String format;

    @Option(names = "--sync-every", paramLabel = "K",
            description = "Local SGD with model averaging, NOT the training of 'gradus train': every partition runs K "
                    + "mini-batch steps (--batch-size rows of its own) from the current weights, then the partitions' "
                    + "weights and optimizer states are averaged (one Spark job per K steps instead of one per step). "
                    + "Needs a mini-batch optimizer. The model file records K (training.sync_every). Default: the "
                    + "exact mode.")
    Integer syncEvery;

    @Override
    public Integer call() throws Exception {
        checkSyncEvery();
        return new TrainCommand(spec, training, run, weights, this).call();
    }

    /** {@code --sync-every}'s usage errors, before anything is read. */
    private void checkSyncEvery() {
        if (syncEvery == null) {
            return;
        }
        var parsed = spec.commandLine().getParseResult();
        String refusal = null;
        if (syncEvery < 1) {
            refusal = "--sync-every must be at least 1 step, got " + syncEvery;
        } else if (parsed.hasMatchedOption("--batch-size") && parsed.matchedOptionValue("--batch-size", 1) == 0) {
            refusal = "--sync-every needs mini-batches: --batch-size must be above 0 (each partition's batch), got 0";
        } else if (parsed.hasMatchedOption("--optimizer")) {
            String given = parsed.matchedOptionValue("--optimizer", "");
            try {
                if (dev.gradus.optim.Optimizer.parse(given).fullBatch()) {
                    refusal = "--sync-every needs a mini-batch optimizer (sgd, momentum, nesterov, rmsprop, adam, "
                            + "adamw); " + given + " works on the full batch";
                }
            } catch (IllegalArgumentException e) {
                // gradus train's own check names the bad --optimizer
            }
        }
        if (refusal != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), refusal);
        }
    }

    private int syncEvery() {
        return syncEvery == null ? 0 : syncEvery;
    }

    /** {@code model} with {@code sync_every} in its training record when it was trained by model averaging. */
    static Model recorded(Model model, int syncEvery) {
        if (syncEvery == 0) {
            return model;
        }
        java.util.Map<String, String> training = new java.util.LinkedHashMap<>(model.training());
        training.put(ModelAveraging.SYNC_EVERY, Integer.toString(syncEvery));
        return model.withTraining(training);
    }

    /** The Spark trainer runs the one training loop, so it saves and resumes checkpoints as gradus train does. */
    @Override
    public boolean savesCheckpoints() {
        return true;
    }

    /** {@code sync_every}: what a checkpoint of an averaged run records beside the options ({@link ModelAveraging}). */
    @Override
    public java.util.Set<String> trainerSettings() {
        return java.util.Set.of(ModelAveraging.SYNC_EVERY);
    }

    /**
     * A fresh run's rows: read, preprocessed and encoded on the executors; null (the rows are
     * read on the driver) where Spark cannot read files.
     */
    @Override
    public TrainCommand.RemoteRows read(Path data, Path validation, DataSpec dataSpec, RowWeights weights,
                                        CsvOptions csv, Consumer<String> warnings) throws DataException {
        checkPartitions();
        String path = typed("--data", data);
        String validationPath = validation == null ? null : typed("--validation", validation);
        Character separator = csv.separator();
        List<String> naValues = csv.naValues();
        try {
            SparkInput.Format.of(path, format);   // an unknown --format is a usage error before Spark starts
            if (validationPath != null) {
                SparkInput.Format.of(validationPath, format);
            }
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!SparkSessions.hadoopFileSystemsWork()) {
            warnings.accept("Spark cannot read files on JDK " + Runtime.version().feature() + " (its Hadoop client "
                    + "calls Subject.getSubject, which JDK 24 and later refuse); " + path + " is read on the driver");
            return null;
        }
        SparkSession spark = session();
        boolean done = false;
        try {
            SparkInput input = SparkInput.read(spark, path, format, separator, naValues);
            weights.checkColumn(input.path(), input.names());
            SparkPreprocessing.Fit fit = SparkPreprocessing.fit(input, dataSpec, warnings);
            if (fit.rows() > Integer.MAX_VALUE - 8) {
                throw new DataException(path + ": " + fit.rows() + " rows; training takes at most " + (Integer.MAX_VALUE - 8));
            }
            int p = partitions != null ? partitions
                    : JavaSparkContext.fromSparkContext(spark.sparkContext()).defaultParallelism();
            SparkInput validationInput = validationPath == null ? null
                    : SparkInput.read(spark, validationPath, format, separator, naValues);
            if (validationInput != null) {
                weights.checkColumn(validationInput.path(), validationInput.names());
            }
            ExecutorRows rows = new ExecutorRows(spark, input, fit, validationInput, p, syncEvery());
            done = true;
            return rows;
        } finally {
            if (!done) {
                spark.stop();
            }
        }
    }

    /** The path as typed: a Path would fold hdfs://host/… into hdfs:/host/…. */
    private String typed(String option, Path path) {
        var parsed = spec.commandLine().getParseResult();
        return parsed.hasMatchedOption(option) ? parsed.matchedOption(option).originalStringValues().get(0)
                : path.toString();
    }

    /** Rows the executors read and keep, for {@link TrainCommand}'s fresh run. */
    private static final class ExecutorRows implements TrainCommand.RemoteRows {
        private final SparkSession spark;
        private final SparkInput input;
        private final SparkPreprocessing.Fit fit;
        private final SparkInput validation;   // --validation, or null
        private final int partitions;
        private final int syncEvery;
        private RowBlocks blocks;
        private RowBlocks validationBlocks;
        private String weightColumn;   // the rows' weights, once fit has them
        private double[] perClass;

        ExecutorRows(SparkSession spark, SparkInput input, SparkPreprocessing.Fit fit, SparkInput validation,
                     int partitions, int syncEvery) {
            this.spark = spark;
            this.syncEvery = syncEvery;
            this.input = input;
            this.fit = fit;
            this.validation = validation;
            this.partitions = partitions;
        }

        @Override
        public Preprocessing preprocessing() {
            return fit.preprocessing();
        }

        @Override
        public int rows() {
            return (int) fit.rows();
        }

        @Override
        public java.util.stream.DoubleStream firstTargets() {
            return fit.firstTargets();
        }

        @Override
        public Model.Fit fit(TrainingStart start, TrainingListener listener) throws DataException {
            TrainingOptions options = start.options();
            RowWeights weights = start.weights();
            try {
                // Class weights are fitted to every training row's class, counted on the executors.
                perClass = weights.classWeights(start.preprocessing(), weights.classes() instanceof ClassWeights.Balanced
                        ? RowBlocks.classCounts(input, fit.partitionRows(), start.preprocessing()) : null);
                weightColumn = weights.column();
                blocks = RowBlocks.encode(input, fit.partitionRows(), start.preprocessing(), options.loss(),
                        weightColumn, perClass).inPartitions(partitions);
                if (weights.any() && !(blocks.weightTotal() > 0)) {
                    throw weights.everyRowWeighsZero(input.path(), perClass != null);
                }
                SparkTrainer trainer = new SparkTrainer(options).syncEvery(syncEvery).addListener(listener);
                Trainer.Result result;
                if (validation == null) {
                    result = trainer.fit(start.network(), blocks);
                } else {
                    // The --validation rows: encoded where they are read, cut into the training
                    // rows' partitioning (whole 1,024-row chunks), scored there every epoch.
                    long[] counts = SparkInput.partitionRows(validation);
                    if (java.util.Arrays.stream(counts).sum() == 0) {
                        throw new DataException(validation.path() + ": the validation file has no rows");
                    }
                    validationBlocks = RowBlocks.encode(validation, counts, start.preprocessing(), options.loss(),
                            weightColumn, perClass).inPartitions(partitions);
                    if (weights.any() && !(validationBlocks.weightTotal() > 0)) {
                        throw weights.everyRowWeighsZero(validation.path(), perClass != null);
                    }
                    result = trainer.fit(start.network(), blocks, validationBlocks);
                }
                return new Model.Fit(recorded(Model.trained(result.network(), start.preprocessing(), options,
                        weights), syncEvery), result.history());
            } catch (RuntimeException e) {
                DataException d = SparkInput.dataError(e);
                if (d != null) {
                    throw d;
                }
                throw e;
            }
        }

        @Override
        public TrainCommand.Scores score(Model model, TrainingOptions options) throws DataException {
            int[] held = options.validationFraction() == 0 ? new int[0]
                    : RowOrder.validationSplit(rows(), options.validationFraction(), options.seed())[1];
            SparkScores s = SparkScores.of(input, fit.partitionRows(), model, held, weightColumn, perClass);
            return new TrainCommand.Scores((int) s.rows(), s.loss(), s.headline());
        }

        @Override
        public void close() {
            try {
                if (blocks != null) {
                    blocks.close();
                }
                if (validationBlocks != null) {
                    validationBlocks.close();
                }
            } finally {
                spark.stop();
            }
        }
    }

    private void checkPartitions() {
        if (partitions != null && partitions < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--partitions must be at least 1, got " + partitions);
        }
    }

    @Override
    public Model.Fit fit(TrainingStart start, Table train, Table validation, TrainingListener listener)
            throws DataException {
        return fitOnSpark(start.network(), start.preprocessing(), train, validation, start.options(), start.weights(),
                listener);
    }

    /**
     * Trains on the rows read on the driver, sent to the executors once with their weights
     * ({@code --sample-weight}, {@code --class-weight}: the row weights of {@code gradus train},
     * class weights fitted on the training rows).
     */
    private Model.Fit fitOnSpark(Network initial, Preprocessing prep, Table train, Table validation,
                                 TrainingOptions options, RowWeights weights, TrainingListener listener)
            throws DataException {
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        Matrix x = prep.features(train);
        Matrix y = Model.networkTargets(prep, options.loss(), train);
        SparkSession spark = session();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int p = partitions != null ? partitions : sc.defaultParallelism();
            SparkTrainer trainer = new SparkTrainer(options).syncEvery(syncEvery()).addListener(listener);
            Trainer.Result result;
            double[] perClass = weights.classWeights(prep, train);
            try (RowBlocks rows = RowBlocks.of(sc, x, y, weights.rowWeights(train, prep, perClass), p)) {
                result = validation == null
                        ? trainer.fit(initial, rows)
                        : trainer.fit(initial, rows, prep.features(validation),
                                Model.networkTargets(prep, options.loss(), validation),
                                weights.rowWeights(validation, prep, perClass));
            }
            return new Model.Fit(recorded(Model.trained(result.network(), prep, options, weights), syncEvery()),
                    result.history());
        } finally {
            spark.stop();
        }
    }

    /** A session on {@code --master} (or spark-submit's master, else {@code local[*]}). */
    private SparkSession session() {
        return SparkSessions.start(master, "gradus-spark train");
    }
}

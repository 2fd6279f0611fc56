package dev.gradus.spark;

import dev.gradus.cli.RunFlags;
import dev.gradus.cli.TrainCommand;
import dev.gradus.cli.TrainingFlags;
import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.TrainingStart;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
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
 * train}'s run. The CSV or IDX input is read and preprocessed on the driver, as {@code gradus
 * train} reads it, then spread over {@code --partitions} partitions of consecutive rows.
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

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default), local[N], spark://HOST:PORT, yarn, … "
                    + "Under spark-submit the default is spark-submit's --master.")
    String master;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Partitions of the training rows. Default: Spark's default parallelism (the cores).")
    Integer partitions;

    @Override
    public Integer call() throws Exception {
        return new TrainCommand(spec, training, run, this).call();
    }

    /** The Spark trainer does not save or restore optimizer state yet, so checkpoints are refused. */
    @Override
    public boolean savesCheckpoints() {
        return false;
    }

    @Override
    public Model.Fit fit(TrainingStart start, Table train, Table validation, TrainingListener listener)
            throws DataException {
        return fitOnSpark(start.network(), start.preprocessing(), train, validation, start.options(), listener);
    }

    private Model.Fit fitOnSpark(Network initial, Preprocessing prep, Table train, Table validation,
                                 TrainingOptions options, TrainingListener listener) throws DataException {
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
        Matrix x = prep.features(train);
        Matrix y = Model.networkTargets(prep, options.loss(), train);
        SparkSession spark = session();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int p = partitions != null ? partitions : sc.defaultParallelism();
            SparkTrainer trainer = new SparkTrainer(options).addListener(listener);
            Trainer.Result result;
            try (RowBlocks rows = RowBlocks.of(sc, x, y, p)) {
                result = validation == null
                        ? trainer.fit(initial, rows)
                        : trainer.fit(initial, rows, prep.features(validation),
                                Model.networkTargets(prep, options.loss(), validation));
            }
            return new Model.Fit(Model.trained(result.network(), prep, options), result.history());
        } finally {
            spark.stop();
        }
    }

    /**
     * A session on {@code --master} (or spark-submit's master, else {@code local[*]}). Off a
     * local master the executors need the Gradus classes: the jar this class came from is
     * shipped to them unless {@code spark.jars} already names jars (as spark-submit does).
     */
    private SparkSession session() {
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.app.name", "gradus-spark train");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        if (!conf.get("spark.master").startsWith("local") && !conf.contains("spark.jars")) {
            Path jar = ownJar();
            if (jar != null) {
                conf.set("spark.jars", jar.toString());
            }
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private static Path ownJar() {
        try {
            Path p = Path.of(SparkTrainCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }
}

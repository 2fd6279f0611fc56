package dev.gradus.spark;

import dev.gradus.cli.EvaluateCommand;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Table;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.model.Model;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * {@code gradus-spark evaluate}'s backend: the executors read {@code --data} (CSV, Parquet, JSON
 * or ORC), each scores its partition's rows with the core's {@link Model#score} into a tally, and
 * the driver adds the partitions' tallies in partition order ({@code Tally.addAll}): the metrics
 * of {@code gradus evaluate} on the same rows. Counts, the confusion matrix, ROC AUC, average
 * precision and regression scores are those of one JVM bit for bit (the tallies keep their rows'
 * order); weighted sums and the log-loss add the partitions' subtotals (the same to rounding).
 * What reaches the driver is the tallies: the confusion counts and sums, plus, for two classes
 * with probabilities, each row's positive score and class (9 bytes a row, 17 weighted) and, for a
 * regression, each row's actual and predicted values, which the exact ranks and two-pass
 * statistics need.
 */
final class SparkEvaluation implements EvaluateCommand.Backend {

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default), local[N], spark://HOST:PORT, yarn, … "
                    + "Under spark-submit the default is spark-submit's --master.")
    String master;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "How the executors read --data: csv, parquet, json or orc. Default: from the extension "
                    + "(.csv, .parquet, .json, .jsonl, .orc; also a folder or glob of such files), else csv.")
    String format;

    @Override
    public boolean classify(Model model, String data, CsvOptions csv, int positive, double threshold,
                            String weightColumn, ClassificationMetrics.Tally tally) throws DataException {
        boolean weighted = weightColumn != null;
        List<ClassificationMetrics.Tally> parts = score(model, data, csv, weightColumn, (m, it, p, cells) -> {
            ClassificationMetrics.Tally t = m.classificationTally(positive, weighted);
            PartitionTables.each(cells, p, it, table -> m.score(table, t, positive, threshold,
                    weights(table, weightColumn)));
            return t;
        });
        if (parts == null) {
            return false;
        }
        parts.forEach(tally::addAll);
        return true;
    }

    @Override
    public boolean regress(Model model, String data, CsvOptions csv, String weightColumn,
                           RegressionMetrics.Tally tally) throws DataException {
        boolean weighted = weightColumn != null;
        List<RegressionMetrics.Tally> parts = score(model, data, csv, weightColumn, (m, it, p, cells) -> {
            RegressionMetrics.Tally t = m.regressionTally(weighted);
            PartitionTables.each(cells, p, it, table -> m.score(table, t, weights(table, weightColumn)));
            return t;
        });
        if (parts == null) {
            return false;
        }
        parts.forEach(tally::addAll);
        return true;
    }

    /** One partition's tally of the model's scores. */
    @FunctionalInterface
    private interface PartitionScore<T> extends java.io.Serializable {
        T score(Model model, Iterator<Row> rows, int partition, SparkInput.Cells cells);
    }

    /** The partitions' tallies in partition order, or null where Spark cannot read files (JDK 24+). */
    private <T> List<T> score(Model model, String data, CsvOptions csv, String weightColumn, PartitionScore<T> score)
            throws DataException {
        SparkInput.Format.of(data, format);   // an unknown --format is a usage error before Spark starts
        if (!SparkSessions.hadoopFileSystemsWork()) {
            System.getLogger("dev.gradus.spark").log(System.Logger.Level.WARNING, "Spark cannot read files on JDK "
                    + Runtime.version().feature() + " (its Hadoop client calls Subject.getSubject, which JDK 24 and "
                    + "later refuse); " + data + " is read here");
            return null;
        }
        SparkSession spark = SparkSessions.start(master, "gradus-spark evaluate");
        try {
            SparkInput input = SparkInput.read(spark, data, format, csv.separator(), csv.naValues());
            EvaluateCommand.checkTargets(model, input.names(), data);
            if (weightColumn != null && !input.names().contains(weightColumn)) {
                throw new DataException(data + ": no sample-weight column '" + weightColumn + "'; available: "
                        + String.join(", ", input.names()));
            }
            byte[] bytes = ModelBytes.of(model);
            SparkInput.Cells cells = input.cells();
            try {
                return input.rows().toJavaRDD().mapPartitionsWithIndex((Integer p, Iterator<Row> it) ->
                        List.of(score.score(ModelBytes.cached(bytes, null), it, p, cells)).iterator(), true).collect();
            } catch (Exception e) {
                throw PartitionTables.rethrow(e, input);
            }
        } finally {
            spark.stop();
        }
    }

    /** The rows' weights in column {@code column} as doubles, or null when unweighted. */
    private static double[] weights(Table table, String column) throws DataException {
        if (column == null) {
            return null;
        }
        float[] w = RowWeights.sampleWeights(table, column);
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i];
        }
        return out;
    }
}

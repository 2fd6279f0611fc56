package dev.gradus.spark;

import dev.gradus.cli.PredictCommand;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.model.Predictions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Option;

/**
 * {@code gradus-spark predict}'s backend: the executors read {@code --data}, predict their rows
 * with the core's {@link Model#predict} and Spark writes the records (the columns of
 * {@code gradus predict}: the {@code --id} text, {@code prediction}, then the scores or targets as
 * float32) as CSV (with a header), Parquet, JSON lines or ORC: one part file per partition, rows
 * in input order within each. The folder is written beside {@code --out} and renamed over it when
 * every row is written, so a failed run leaves an earlier {@code --out} as it was.
 */
final class SparkPrediction implements PredictCommand.Backend {

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default), local[N], spark://HOST:PORT, yarn, … "
                    + "Under spark-submit the default is spark-submit's --master.")
    String master;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "How --out is written: csv, parquet, json or orc. Default: from the extension of --out "
                    + "(.csv, .parquet, .json, .jsonl, .orc), else csv; --json means json.")
    String format;

    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "How the executors read --data: csv, parquet, json or orc. Default: from the extension, "
                    + "else csv.")
    String dataFormat;

    @Override
    public void predict(Model model, String data, CsvOptions csv, String id, int positive, double threshold,
                        String out, boolean json) throws Exception {
        String written = formatOf("--format", out, json && format == null ? "json" : format).source();
        formatOf("--data-format", data, dataFormat);
        if (!SparkSessions.hadoopFileSystemsWork()) {
            throw new DataException("gradus-spark predict reads and writes through Spark's Hadoop file systems, which "
                    + "do not work on JDK " + Runtime.version().feature() + " (Subject.getSubject); run it on JDK 17 "
                    + "to 23, or use gradus predict");
        }
        SparkSession spark = SparkSessions.start(master, "gradus-spark predict");
        try {
            SparkInput input = SparkInput.read(spark, data, dataFormat, csv.separator(), csv.naValues());
            if (id != null && !input.names().contains(id)) {
                throw new DataException(data + ": no id column '" + id + "'; available: "
                        + String.join(", ", input.names()));
            }
            boolean classification = model.task() == Task.CLASSIFICATION;
            List<StructField> fields = new ArrayList<>();
            if (id != null) {
                fields.add(DataTypes.createStructField(id, DataTypes.StringType, true));
            }
            if (classification) {
                fields.add(DataTypes.createStructField("prediction", DataTypes.StringType, false));
            }
            for (String name : PredictCommand.outputColumns(model)) {
                fields.add(DataTypes.createStructField(name, DataTypes.FloatType, false));
            }
            StructType schema = DataTypes.createStructType(fields);
            byte[] bytes = ModelBytes.of(model);
            SparkInput.Cells cells = input.cells();
            int idColumn = id == null ? -1 : cells.names().indexOf(id);
            JavaRDD<Row> records = input.rows().toJavaRDD().mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> {
                Model m = ModelBytes.cached(bytes, null);
                List<Row> rows = new ArrayList<>();
                PartitionTables.each(cells, p, it, table -> {
                    Predictions predictions = m.predict(table);
                    String[] labels = classification ? predictions.labels(positive, threshold) : null;
                    int k = predictions.outputs().cols();
                    for (int r = 0; r < table.rows(); r++) {
                        Object[] values = new Object[(idColumn >= 0 ? 1 : 0) + (classification ? 1 : 0) + k];
                        int c = 0;
                        if (idColumn >= 0) {
                            values[c++] = table.text(r, idColumn);
                        }
                        if (classification) {
                            values[c++] = labels[r];
                        }
                        for (int j = 0; j < k; j++) {
                            values[c++] = predictions.outputs().get(r, j);
                        }
                        rows.add(RowFactory.create(values));
                    }
                });
                return rows.iterator();
            }, true);
            Dataset<Row> frame = spark.createDataFrame(records, schema);
            try {
                replace(spark, out, path -> frame.write().format(written).option("header", "true").save(path));
            } catch (Exception e) {
                throw PartitionTables.rethrow(e, input);
            }
        } finally {
            spark.stop();
        }
    }

    private static SparkInput.Format formatOf(String flag, String path, String given) {
        try {
            return SparkInput.Format.of(path, given);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("--format", flag), e);   // a usage error
        }
    }

    /**
     * Writes the folder {@code out} with {@code write} (given a path): into a new folder beside it,
     * then renamed over {@code out} (an earlier one deleted) once written.
     */
    private static void replace(SparkSession spark, String out, java.util.function.Consumer<String> write)
            throws IOException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(out);
        FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
        target = fs.makeQualified(target);
        org.apache.hadoop.fs.Path temporary = new org.apache.hadoop.fs.Path(target.getParent(),
                "." + target.getName() + ".gradus-" + UUID.randomUUID());
        boolean done = false;
        try {
            write.accept(temporary.toString());
            if (fs.exists(target) && !fs.delete(target, true)) {
                throw new IOException(out + ": could not delete the earlier output");
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException(out + ": could not rename " + temporary + " to it");
            }
            done = true;
        } finally {
            if (!done) {
                fs.delete(temporary, true);
            }
        }
    }
}

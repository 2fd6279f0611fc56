package dev.gradus.spark;

import dev.gradus.data.DataSpec;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Run by {@link SmallDriverTest} in its own JVM with {@code -Xmx512m}: executors write a Parquet
 * set of {@code rows} rows (20 features, a class label), then read it back, fit the
 * preprocessing, encode float32 blocks and train on them, and the driver saves the model. The
 * rows never reach the driver.
 *
 * <pre>
 * SmallDriverCheck ROWS FOLDER   →  FOLDER/rows.parquet, FOLDER/model.gradus
 * </pre>
 */
final class SmallDriverCheck {
    private SmallDriverCheck() {
    }

    public static void main(String[] args) throws Exception {
        long rows = Long.parseLong(args[0]);
        Path dir = Path.of(args[1]);
        SparkSession spark = SparkSession.builder().appName("SmallDriverCheck").master("local[2]")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            // x_j = sin(id · (j + 1)), label = which third x₀ + x₁ falls in: computed by the executors.
            var data = spark.range(0, rows, 1, 4).toDF("id");
            for (int j = 0; j < 20; j++) {
                data = data.withColumn("x" + j, functions.sin(functions.col("id").multiply(j + 1)).cast("float"));
            }
            data = data.withColumn("label", functions.when(functions.col("x0").plus(functions.col("x1")).lt(-0.5), "low")
                    .when(functions.col("x0").plus(functions.col("x1")).lt(0.5), "mid").otherwise("high")).drop("id");
            String parquet = dir.resolve("rows.parquet").toString();
            data.write().parquet(parquet);

            SparkInput in = SparkInput.read(spark, parquet, null);
            DataSpec spec = DataSpec.classification("label");
            TrainingOptions options = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withBatchSize(0)
                    .withEpochs(3);
            SparkPreprocessing.Fit fit = SparkPreprocessing.fit(in, spec);
            Network initial = Network.input(fit.preprocessing().inputWidth()).dense(16, Activation.TANH)
                    .dense(fit.preprocessing().classLabels().size(), Activation.SOFTMAX).build(1);
            Trainer.Result result;
            try (RowBlocks blocks = RowBlocks.encode(in, fit.partitionRows(), fit.preprocessing(), options.loss())
                    .inPartitions(2)) {
                result = new SparkTrainer(options).fit(initial, blocks);
            }
            Model.trained(result.network(), fit.preprocessing(), options).save(dir.resolve("model.gradus"));
            Runtime rt = Runtime.getRuntime();
            System.out.println("rows " + fit.rows() + " partitions " + fit.partitionRows().length + " max heap "
                    + rt.maxMemory() / (1 << 20) + " MiB");
        } finally {
            spark.stop();
        }
    }
}

package dev.gradus.spark.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.cli.Main;
import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark ML estimators in a Pipeline, their persistence, and the model file inside. */
class GradusEstimatorTest {
    private static SparkSession spark;
    private static Dataset<Row> classes;    // x0..x3, label ∈ {0, 1, 2}
    private static Dataset<Row> numbers;    // x0..x3, label real

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().appName("GradusEstimatorTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        StructType schema = new StructType().add("x0", DataTypes.DoubleType).add("x1", DataTypes.DoubleType)
                .add("x2", DataTypes.DoubleType).add("x3", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
        SplittableRandom r = new SplittableRandom(11);
        List<Row> c = new ArrayList<>();
        List<Row> n = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            double[] x = {r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1), r.nextDouble(-1, 1)};
            double s = x[0] + x[1] * x[1];                          // bands of s are the classes
            double cls = s < 0 ? 0 : s < 0.8 ? 1 : 2;
            c.add(RowFactory.create(x[0], x[1], x[2], x[3], cls));
            n.add(RowFactory.create(x[0], x[1], x[2], x[3], Math.sin(3 * x[0]) + x[1] * x[2] - 0.5 * x[3]));
        }
        classes = spark.createDataFrame(c, schema).repartition(3).cache();
        numbers = spark.createDataFrame(n, schema).coalesce(2).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Spark 4.1 reaches files through Hadoop 3.4, whose {@code UserGroupInformation} calls
     * {@code Subject.getSubject}, which JDK 24 and later refuse (JEP 486; HADOOP-19212). ML
     * persistence and {@code spark.read()} then fail whatever Gradus does, so those tests need
     * a JDK where Hadoop file systems work; training itself does not touch them.
     */
    private static void assumeHadoopFileSystemsWork() {
        boolean works;
        try {
            org.apache.hadoop.security.UserGroupInformation.getCurrentUser();
            works = true;
        } catch (UnsupportedOperationException | java.io.IOException e) {
            works = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(works,
                "Hadoop file systems do not work on JDK " + Runtime.version().feature() + " (Subject.getSubject)");
    }

    private static VectorAssembler assembler() {
        return new VectorAssembler().setInputCols(new String[] {"x0", "x1", "x2", "x3"}).setOutputCol("features");
    }

    private static double accuracy(Dataset<Row> predicted) {
        return predicted.filter("prediction = label").count() / (double) predicted.count();
    }

    @Test
    void aPipelineFitsTransformsSavesAndLoads() throws Exception {
        assumeHadoopFileSystemsWork();
        GradusClassifier gc = new GradusClassifier().setLayers(new int[] {16}).setActivation("tanh")
                .setOptimizer("adam(lr=0.02)").setEpochs(60).setBatchSize(0).setSeed(3);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler(), gc});
        PipelineModel fitted = pipeline.fit(classes);
        Dataset<Row> out = fitted.transform(classes).cache();
        for (String col : new String[] {"prediction", "probability", "rawPrediction"}) {
            assertTrue(List.of(out.columns()).contains(col), col);
        }
        // three bands of x0 + x1²: a 16-unit net fits them far better than the 1/3 of guessing
        assertTrue(accuracy(out) > 0.8, "accuracy " + accuracy(out));
        Vector p = out.head().getAs("probability");
        assertEquals(1.0, p.apply(0) + p.apply(1) + p.apply(2), 1e-5);   // float32 softmax summed in double

        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        pipeline.write().overwrite().save(dir.resolve("unfitted").toString());
        PipelineModel loaded = PipelineModel.load(path);
        List<Row> before = out.select("prediction", "probability").collectAsList();
        List<Row> after = loaded.transform(classes).select("prediction", "probability").collectAsList();
        assertEquals(before, after);
        Pipeline again = Pipeline.load(dir.resolve("unfitted").toString());
        assertEquals(60, ((GradusClassifier) again.getStages()[1]).getOrDefault(gc.epochs()));

        // The model file inside is a standard Gradus model file: the CLI reads it.
        Path file = Path.of(path, "stages", "1_" + fitted.stages()[1].uid(), GradusML.MODEL_FILE);
        Model model = Model.load(file);
        assertArrayEquals(((GradusClassificationModel) fitted.stages()[1]).gradusModel().network().parameters()
                .values(), model.network().parameters().values());
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"inspect", "--model", file.toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(0, code, err.toString());
    }

    @Test
    void fullBatchOnADataFrameEqualsCoreTraining() {
        GradusClassifier gc = new GradusClassifier().setLayers(new int[] {8}).setActivation("tanh")
                .setOptimizer("sgd(lr=0.5)").setEpochs(15).setBatchSize(0).setShuffle(false).setSeed(9);
        Dataset<Row> data = assembler().transform(classes);
        GradusClassificationModel m = gc.fit(data);
        // the same rows in the same (partition) order on one JVM
        List<Row> rows = data.select("features", "label").collectAsList();
        Matrix x = Matrix.zeros(rows.size(), 4);
        Matrix y = Matrix.zeros(rows.size(), 3);
        for (int i = 0; i < rows.size(); i++) {
            Vector v = rows.get(i).getAs(0);
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) v.apply(j));
            }
            y.set(i, (int) rows.get(i).getDouble(1), 1f);
        }
        Network start = Network.input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .build(dev.gradus.nn.Init.DEFAULT, dev.gradus.train.Defaults.BIAS_INIT, 9);
        TrainingOptions o = TrainingOptions.plain().withLoss(dev.gradus.nn.Loss.CROSS_ENTROPY)
                .withOptimizer(Optimizer.parse("sgd(lr=0.5)")).withEpochs(15).withBatchSize(0).withShuffle(false)
                .withSeed(9).withThreads(1);
        float[] expected = new Trainer(o).fit(start, x, y).network().parameters().values();
        float[] actual = m.gradusModel().network().parameters().values();
        for (int i = 0; i < expected.length; i++) {
            // float32 sums split at 3 partition boundaries, 15 steps: see SparkTrainerTest
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "parameter " + i);
        }
    }

    private static Matrix[] matrices(List<Row> rows) {
        Matrix x = Matrix.zeros(rows.size(), 4);
        Matrix y = Matrix.zeros(rows.size(), 3);
        for (int i = 0; i < rows.size(); i++) {
            Vector v = rows.get(i).getAs(0);
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) v.apply(j));
            }
            y.set(i, (int) rows.get(i).getDouble(1), 1f);
        }
        return new Matrix[] {x, y};
    }

    /**
     * Validation rows (a fraction, or an indicator column) and early stopping as Spark ML params:
     * on one partition, the weights of the single-JVM trainer's early-stopped run, bit for bit.
     */
    @Test
    void validationRowsAndEarlyStoppingAreParamsThatStopAsCoreTrainingStops() {
        Dataset<Row> data = assembler().transform(classes.coalesce(1))
                .withColumn("held", org.apache.spark.sql.functions.expr("x2 > 0.4"));
        Network start = Network.input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .build(dev.gradus.nn.Init.DEFAULT, dev.gradus.train.Defaults.BIAS_INIT, 9);
        TrainingOptions o = earlyStopped();

        // an indicator column: train on the other rows, validate on these
        GradusClassifier gc = new GradusClassifier().setLayers(new int[] {8}).setActivation("tanh")
                .setOptimizer("adam(lr=0.05)").setEpochs(300).setBatchSize(0).setSeed(9).setPatience(3)
                .setMinDelta(0.002);
        float[] actual = gc.copy(ParamMap.empty()).setValidationIndicatorCol("held").fit(data).gradusModel()
                .network().parameters().values();
        Matrix[] train = matrices(data.filter("NOT held").select("features", "label").collectAsList());
        Matrix[] val = matrices(data.filter("held").select("features", "label").collectAsList());
        Trainer.Result expected = new Trainer(o).fit(start, train[0], train[1], val[0], val[1]);
        assertTrue(expected.history().stoppedEarly(), "epochs run: " + expected.history().epochs().size());
        assertArrayEquals(expected.network().parameters().values(), actual);

        // a seeded fraction: the rows gradus train holds out
        float[] byFraction = gc.copy(ParamMap.empty()).setValidationFraction(0.25).fit(data).gradusModel()
                .network().parameters().values();
        Matrix[] all = matrices(data.select("features", "label").collectAsList());
        Trainer.Result core = new Trainer(o.withValidationFraction(0.25)).fit(start, all[0], all[1]);
        assertTrue(core.history().stoppedEarly(), "epochs run: " + core.history().epochs().size());
        assertArrayEquals(core.network().parameters().values(), byFraction);

        IllegalArgumentException both = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> gc.copy(ParamMap.empty()).setValidationFraction(0.2).setValidationIndicatorCol("held").fit(data));
        assertTrue(both.getMessage().contains("set one of them"), both.getMessage());
    }

    /**
     * weightCol: the weighted loss of core training on the same rows and weights, bit for bit on
     * one partition (with a validation fraction, whose held rows keep their weights).
     */
    @Test
    void weightColTrainsTheWeightedLossOfCoreTraining() {
        Dataset<Row> data = assembler().transform(classes.coalesce(1))
                .withColumn("w", org.apache.spark.sql.functions.expr("CASE WHEN x1 > 0.7 THEN 0 ELSE 0.5 + x0 * x0 END"));
        GradusClassifier gc = new GradusClassifier().setLayers(new int[] {8}).setActivation("tanh")
                .setOptimizer("adam(lr=0.05)").setEpochs(20).setBatchSize(0).setSeed(9).setValidationFraction(0.25)
                .setWeightCol("w");
        float[] actual = gc.fit(data).gradusModel().network().parameters().values();
        List<Row> rows = data.select("features", "label", "w").collectAsList();
        Matrix[] xy = matrices(rows);
        float[] w = new float[rows.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rows.get(i).getDouble(2);
        }
        Network start = Network.input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .build(dev.gradus.nn.Init.DEFAULT, dev.gradus.train.Defaults.BIAS_INIT, 9);
        TrainingOptions o = TrainingOptions.defaults().withLoss(dev.gradus.nn.Loss.CROSS_ENTROPY)
                .withOptimizer(Optimizer.parse("adam(lr=0.05)")).withEpochs(20).withBatchSize(0).withSeed(9)
                .withThreads(1).withMetrics(List.of(dev.gradus.train.ValidationMetric.ACCURACY))
                .withValidationFraction(0.25);
        float[] expected = new Trainer(o).fit(start, dev.gradus.train.GradientSource.of(xy[0], xy[1], w)).network()
                .parameters().values();
        assertArrayEquals(expected, actual);
        GradusClassifier plain = gc.copy(ParamMap.empty());
        plain.clear(plain.weightCol());
        float[] unweighted = plain.fit(data).gradusModel().network().parameters().values();
        assertTrue(!java.util.Arrays.equals(expected, unweighted), "the weights should change the training");
    }

    /** weightCol with every weight 0: refused before training, naming the column, as core training refuses it. */
    @Test
    void aWeightColumnOfZerosIsRefused() {
        Dataset<Row> data = assembler().transform(classes).withColumn("w", org.apache.spark.sql.functions.lit(0.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GradusClassifier().setEpochs(1).setWeightCol("w").fit(data));
        assertTrue(e.getMessage().contains("weightCol 'w': every row weight is 0"), e.getMessage());
        // one row that weighs something is enough
        Dataset<Row> one = data.withColumn("w", org.apache.spark.sql.functions.expr("CASE WHEN x0 = "
                + data.agg(org.apache.spark.sql.functions.max("x0")).first().get(0) + " THEN 1.0 ELSE 0.0 END"));
        new GradusClassifier().setEpochs(1).setWeightCol("w").fit(one);
    }

    /**
     * validationIndicatorCol with weightCol: the flagged rows are encoded and scored on the
     * executors, weighted, and early stopping stops where the single-JVM trainer stops on the same
     * rows and weights: bit for bit on one partition; on three (the rows in other partitions, so
     * sums split elsewhere) at the same epoch, weights within 1e-4.
     */
    @Test
    void indicatorColumnRowsAreScoredOnTheExecutorsWithTheirWeights() {
        GradusClassifier gc = new GradusClassifier().setLayers(new int[] {8}).setActivation("tanh")
                .setOptimizer("adam(lr=0.05)").setEpochs(300).setBatchSize(0).setSeed(9).setPatience(3)
                .setMinDelta(0.002).setWeightCol("w").setValidationIndicatorCol("held");
        Network start = Network.input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .build(dev.gradus.nn.Init.DEFAULT, dev.gradus.train.Defaults.BIAS_INIT, 9);
        TrainingOptions o = earlyStopped();
        for (int partitions : new int[] {1, 3}) {
            Dataset<Row> data = assembler().transform(partitions == 1 ? classes.coalesce(1) : classes)
                    .withColumn("held", org.apache.spark.sql.functions.expr("x2 > 0.4"))
                    .withColumn("w", org.apache.spark.sql.functions.expr("CASE WHEN x1 > 0.7 THEN 0 ELSE 0.5 + x0 * x0 END"));
            float[] actual = gc.fit(data).gradusModel().network().parameters().values();
            List<Row> trainRows = data.filter("NOT held").select("features", "label", "w").collectAsList();
            List<Row> heldRows = data.filter("held").select("features", "label", "w").collectAsList();
            Matrix[] train = matrices(trainRows);
            Matrix[] val = matrices(heldRows);
            Trainer.Result expected = new Trainer(o).fit(start,
                    dev.gradus.train.GradientSource.of(train[0], train[1], weights(trainRows)), val[0], val[1],
                    weights(heldRows));
            assertTrue(expected.history().stoppedEarly(), "epochs run: " + expected.history().epochs().size());
            if (partitions == 1) {
                assertArrayEquals(expected.network().parameters().values(), actual);
            } else {
                float[] e = expected.network().parameters().values();
                for (int i = 0; i < e.length; i++) {
                    // early-stopped Adam steps whose sums are split at other places: see SparkTrainerTest
                    assertEquals(e[i], actual[i], 1e-4 * Math.max(1, Math.abs(e[i])), "3 partitions, parameter " + i);
                }
            }
        }
    }

    /** Full-batch Adam (lr 0.05) for up to 300 epochs, stopping after 3 epochs without a 0.002 gain, in one thread. */
    private static TrainingOptions earlyStopped() {
        return TrainingOptions.defaults().withLoss(dev.gradus.nn.Loss.CROSS_ENTROPY)
                .withOptimizer(Optimizer.parse("adam(lr=0.05)")).withEpochs(300).withBatchSize(0)
                .withSeed(9).withThreads(1).withMetrics(List.of(dev.gradus.train.ValidationMetric.ACCURACY))
                .withPatience(3).withMinDelta(0.002);
    }

    private static float[] weights(List<Row> rows) {
        float[] w = new float[rows.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rows.get(i).getDouble(2);
        }
        return w;
    }

    @Test
    void aRegressorLearnsAndRoundTrips() throws Exception {
        assumeHadoopFileSystemsWork();
        GradusRegressor gr = new GradusRegressor().setLayers(new int[] {16}).setActivation("tanh")
                .setOptimizer("adam(lr=0.01)").setEpochs(40).setBatchSize(32).setSeed(5);
        Dataset<Row> data = assembler().transform(numbers);
        GradusRegressionModel m = gr.fit(data);
        Dataset<Row> out = m.transform(data).cache();
        double mse = out.selectExpr("avg((prediction - label) * (prediction - label))").head().getDouble(0);
        double variance = out.selectExpr("var_pop(label)").head().getDouble(0);
        assertTrue(mse < variance / 4, "mse " + mse + " against the label variance " + variance);
        String path = dir.resolve("regressor").toString();
        m.write().overwrite().save(path);
        GradusRegressionModel loaded = GradusRegressionModel.load(path);
        assertEquals(out.select("prediction").collectAsList(), loaded.transform(data).select("prediction").collectAsList());
        assertEquals(m.getFeaturesCol(), loaded.getFeaturesCol());
    }

    @Test
    void aModelFileFromTheCommandLinePredictsAsGradusDoes() throws Exception {
        assumeHadoopFileSystemsWork();
        Path file = dir.resolve("iris.gradus");
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"train", "--data", "data/iris_train.csv", "--task", "classification",
            "--epochs", "30", "--quiet", "--out", file.toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertEquals(0, code, err.toString());
        Model model = Model.load(file);
        Table test = Csv.read(Path.of("data/iris_test.csv"));
        String[] expected = model.predict(test).labels();

        GradusClassificationModel m = GradusClassificationModel.fromModelFile(file.toString());
        List<String> features = model.preprocessing().featureNames();
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "true")
                .csv("data/iris_test.csv");
        Dataset<Row> assembled = new VectorAssembler().setInputCols(features.toArray(String[]::new))
                .setOutputCol("features").transform(df);
        List<Row> predicted = m.transform(assembled).select("prediction").collectAsList();
        List<String> labels = model.preprocessing().classLabels();
        assertEquals(expected.length, predicted.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], labels.get((int) predicted.get(i).getDouble(0)), "row " + i);
        }
    }

    @Test
    void labelsThatAreNotClassIndicesAreRefused() {
        Dataset<Row> bad = assembler().transform(numbers);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GradusClassifier().setEpochs(1).fit(bad));
        assertTrue(e.getMessage().contains("class indices"), e.getMessage());
    }
}

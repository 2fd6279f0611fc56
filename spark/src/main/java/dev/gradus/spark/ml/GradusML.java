package dev.gradus.spark.ml;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.spark.RowBlocks;
import dev.gradus.spark.SparkTrainer;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.Defaults;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/** What the classifier and the regressor share: their training parameters, data conversion and files. */
final class GradusML {
    private GradusML() {}

    /** The name of the Gradus model file inside an ML persistence folder. */
    static final String MODEL_FILE = "gradus/model.gradus";

    /** The training parameters of an estimator, created once its uid is known. */
    static final class TrainingParams {
        final IntArrayParam layers;
        final Param<String> activation;
        final Param<String> loss;
        final Param<String> optimizer;
        final IntParam epochs;
        final IntParam batchSize;
        final BooleanParam shuffle;
        final LongParam seed;
        final Param<String> weightCol;
        final ValidationParams validation;

        TrainingParams(Params parent, String defaultLoss) {
            layers = new IntArrayParam(parent, "layers", "hidden layer widths");
            activation = new Param<>(parent, "activation", "hidden activation: relu, tanh, sigmoid, ...");
            loss = new Param<>(parent, "loss", "loss: cross-entropy, bce, mse, mae, huber");
            optimizer = new Param<>(parent, "optimizer", "optimizer as on the command line, e.g. adam(lr=0.01)");
            epochs = new IntParam(parent, "epochs", "passes over the data (>= 0)");
            batchSize = new IntParam(parent, "batchSize", "rows per step; 0 = full batch");
            shuffle = new BooleanParam(parent, "shuffle", "visit rows in a fresh seeded order every epoch");
            seed = new LongParam(parent, "seed", "seed of the weights and the shuffling");
            weightCol = new Param<>(parent, "weightCol", "column of row weights (numbers >= 0): the loss is "
                    + "sum(w*L)/sum(w); unset: every row weighs 1");
            parent.setDefault(layers, new int[] {32});
            parent.setDefault(activation, "relu");
            parent.setDefault(loss, defaultLoss);
            parent.setDefault(optimizer, "adam");
            parent.setDefault(epochs, 100);
            parent.setDefault(batchSize, 32);
            parent.setDefault(shuffle, true);
            parent.setDefault(seed, Defaults.SEED);
            validation = new ValidationParams(parent, defaultLoss.equals(Loss.CROSS_ENTROPY.name()));
        }

        /** The weight column, or null when unset. */
        String weightColumn(Params p) {
            return p.isDefined(weightCol) ? p.$(weightCol) : null;
        }

        TrainingOptions options(Params p) {
            return validation.options(p, plainOptions(p));
        }

        private TrainingOptions plainOptions(Params p) {
            return TrainingOptions.plain()
                    .withLoss(Loss.parse(p.$(loss)))
                    .withOptimizer(Optimizer.parse(p.$(optimizer)))
                    .withEpochs((Integer) p.$(epochs))
                    .withBatchSize((Integer) p.$(batchSize))
                    .withShuffle((Boolean) p.$(shuffle))
                    .withSeed((Long) p.$(seed));
        }

        ModelSpec spec(Params p) {
            List<Integer> hidden = new ArrayList<>();
            for (int w : (int[]) p.$(layers)) {
                hidden.add(w);
            }
            return ModelSpec.defaults().withHidden(hidden).withActivation(Activation.parse(p.$(activation)))
                    .withTraining(options(p));
        }
    }

    /**
     * Validation rows and early stopping, as {@code gradus train}'s {@code --validation-fraction},
     * {@code --patience}, {@code --monitor}, {@code --min-delta} and {@code --restore-best}; the
     * validation rows are either a seeded fraction of the rows or those flagged by a boolean
     * {@code validationIndicatorCol} (Spark ML's name for it, as in {@code GBTClassifier}).
     */
    static final class ValidationParams {
        final DoubleParam validationFraction;
        final Param<String> validationIndicatorCol;
        final IntParam patience;
        final Param<String> monitor;
        final DoubleParam minDelta;
        final BooleanParam restoreBest;
        private final boolean classification;

        ValidationParams(Params parent, boolean classification) {
            this.classification = classification;
            validationFraction = new DoubleParam(parent, "validationFraction",
                    "share of the rows held out (seeded) to validate after every epoch, in [0, 1); 0 = none");
            validationIndicatorCol = new Param<>(parent, "validationIndicatorCol",
                    "boolean column: true marks a validation row, false a training row");
            patience = new IntParam(parent, "patience",
                    "epochs without improvement of the monitored value before training stops; 0 = no early stopping");
            monitor = new Param<>(parent, "monitor", "what early stopping watches: loss (validation loss), "
                    + "train_loss" + (classification ? ", accuracy" : ""));
            minDelta = new DoubleParam(parent, "minDelta", "the least change of the monitored value that counts "
                    + "as an improvement (>= 0)");
            restoreBest = new BooleanParam(parent, "restoreBest",
                    "on early stopping, keep the weights of the best epoch (else the last)");
            parent.setDefault(validationFraction, 0.0);
            parent.setDefault(patience, 0);
            parent.setDefault(monitor, "loss");
            parent.setDefault(minDelta, 0.0);
            parent.setDefault(restoreBest, true);
        }

        TrainingOptions options(Params p, TrainingOptions o) {
            double fraction = (Double) p.$(validationFraction);
            if (fraction != 0 && p.isDefined(validationIndicatorCol)) {
                throw new IllegalArgumentException("validationFraction " + fraction + " and validationIndicatorCol '"
                        + p.$(validationIndicatorCol) + "' both choose validation rows; set one of them");
            }
            return o.withMetrics(classification ? List.of(ValidationMetric.ACCURACY) : List.of())
                    .withValidationFraction(fraction)
                    .withPatience((Integer) p.$(patience))
                    .withMonitor(p.$(monitor))
                    .withMinDelta((Double) p.$(minDelta))
                    .withRestoreBest((Boolean) p.$(restoreBest));
        }

        /** The indicator column, if set. */
        String indicator(Params p) {
            return p.isDefined(validationIndicatorCol) ? p.$(validationIndicatorCol) : null;
        }
    }

    /** Preprocessing that passes a vector of {@code inputs} numbers through unchanged. */
    static Preprocessing identity(int inputs, Task task, String target, List<String> classLabels) {
        List<Preprocessing.Feature> features = new ArrayList<>();
        for (int j = 0; j < inputs; j++) {
            features.add(new Preprocessing.Feature("f" + j, List.of()));
        }
        int outputs = task == Task.CLASSIFICATION ? classLabels.size() : 1;
        return new Preprocessing(task, features, Scaler.identity(inputs), List.of(target), classLabels,
                Scaler.identity(outputs));
    }

    /**
     * Trains {@code spec}'s network on the rows of {@code data}: features from a vector column,
     * targets from {@code target(label)}, numbered in partition order. The rows flagged by
     * {@code validationIndicator} (if set) are encoded and scored on the executors too, cut into
     * the training rows' partitions as {@link RowBlocks#inPartitions} cuts them: no row reaches
     * the driver.
     */
    static Model train(Dataset<?> data, String featuresCol, String labelCol, Preprocessing prep, ModelSpec spec,
                       LabelEncoder target, String validationIndicator, String weightCol) {
        Network initial = Model.initialNetwork(prep, spec);
        int in = prep.inputWidth();
        int k = initial.outputs();
        Dataset<?> trainRows = data;
        RowBlocks validation = null;
        if (validationIndicator != null) {
            Column flag = functions.col(validationIndicator);
            trainRows = data.filter(functions.not(flag));
            validation = encode(data.filter(flag), featuresCol, labelCol, weightCol, in, k, target);
            if (validation.rows() == 0) {
                validation.close();
                throw new IllegalArgumentException("validationIndicatorCol '" + validationIndicator
                        + "' marks no row as a validation row");
            }
        }
        try (RowBlocks train = encode(trainRows, featuresCol, labelCol, weightCol, in, k, target)) {
            TrainingOptions options = spec.options(prep.task(), validation != null,
                    (int) Math.min(Integer.MAX_VALUE, train.rows()));
            SparkTrainer trainer = new SparkTrainer(options);
            Network trained;
            if (validation == null) {
                trained = trainer.fit(initial, train).network();
            } else {
                validation = validation.inPartitions(train.partitions());
                trained = trainer.fit(initial, train, validation).network();
            }
            return Model.trained(trained, prep, options);
        } finally {
            if (validation != null) {
                validation.close();
            }
        }
    }

    /**
     * The rows {@code (features vector, label[, weight])} of {@code data} as blocks encoded on the
     * executors, numbered in partition order, cut at multiples of {@link BlockedPass#BLOCK_ROWS}
     * rows (as {@link RowBlocks#inPartitions} needs them); the driver sees each partition's count.
     */
    private static RowBlocks encode(Dataset<?> data, String featuresCol, String labelCol, String weightCol, int in,
                                    int k, LabelEncoder target) {
        JavaRDD<Row> rows = data.select(columns(featuresCol, labelCol, weightCol)).toJavaRDD();
        boolean weighted = weightCol != null;
        // per partition: its rows, and with a weight column whether a row weighs more than 0 and
        // whether one has a weight that encode refuses (its message names that row)
        List<long[]> counts = rows.mapPartitions((Iterator<Row> it) -> {
            long[] c = new long[3];
            while (it.hasNext()) {
                Row r = it.next();
                c[0]++;
                if (weighted) {
                    double w = r.isNullAt(2) ? Double.NaN : r.getDouble(2);
                    c[1] |= w > 0 && !Double.isInfinite(w) ? 1 : 0;
                    c[2] |= w >= 0 && !Double.isInfinite(w) ? 0 : 1;
                }
            }
            return List.of(c).iterator();
        }).collect();
        long[] first = new long[counts.size()];
        long total = 0;
        boolean someWeight = false;
        boolean badWeight = false;
        for (int p = 0; p < counts.size(); p++) {
            first[p] = total;
            total += counts.get(p)[0];
            someWeight |= counts.get(p)[1] != 0;
            badWeight |= counts.get(p)[2] != 0;
        }
        if (weighted && total > 0 && !someWeight && !badWeight) {
            throw new IllegalArgumentException("weightCol '" + weightCol + "': every row weight is 0; at least one row "
                    + "must weigh more than 0");
        }
        JavaRDD<RowBlocks.Block> blocks = rows.mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> {
            List<RowBlocks.Block> out = new ArrayList<>();
            List<Row> list = new ArrayList<>();
            long row = first[p];
            while (it.hasNext() || !list.isEmpty()) {
                if (it.hasNext() && (list.isEmpty() || (row + list.size()) % BlockedPass.BLOCK_ROWS != 0)) {
                    list.add(it.next());
                    continue;
                }
                float[][] xy = encode(list, row, in, k, target);
                out.add(new RowBlocks.Block(row, list.size(), xy[0], xy[1], xy[2]));
                row += list.size();
                list = new ArrayList<>();
            }
            return out.iterator();
        }, true);
        return RowBlocks.of(blocks, total, in, k);
    }

    /** The features vector, the label as a double, and the weight as a double when {@code weightCol} is set. */
    private static Column[] columns(String featuresCol, String labelCol, String weightCol) {
        return weightCol == null
                ? new Column[] {functions.col(featuresCol), functions.col(labelCol).cast("double")}
                : new Column[] {functions.col(featuresCol), functions.col(labelCol).cast("double"),
                        functions.col(weightCol).cast("double")};
    }

    /**
     * Rows {@code (features vector, label[, weight])} as network inputs, targets and row weights
     * (null without a weight column); {@code first} numbers them in messages.
     */
    private static float[][] encode(List<Row> list, long first, int in, int k, LabelEncoder target) {
        float[] x = new float[list.size() * in];
        float[] y = new float[list.size() * k];
        boolean weighted = !list.isEmpty() && list.get(0).size() > 2;
        float[] w = weighted ? new float[list.size()] : null;
        for (int r = 0; r < list.size(); r++) {
            Vector v = list.get(r).getAs(0);
            if (v.size() != in) {
                throw new IllegalArgumentException("row " + (first + r) + ": the features vector has "
                        + v.size() + " entries, expected " + in);
            }
            for (int j = 0; j < in; j++) {
                x[r * in + j] = (float) v.apply(j);
            }
            if (list.get(r).isNullAt(1)) {
                throw new IllegalArgumentException("row " + (first + r) + ": the label is missing");
            }
            target.encode(list.get(r).getDouble(1), y, r * k, k);
            if (weighted) {
                double weight = list.get(r).isNullAt(2) ? Double.NaN : list.get(r).getDouble(2);
                if (!(weight >= 0) || Double.isInfinite(weight)) {
                    throw new IllegalArgumentException("row " + (first + r) + ": the weight is " + weight
                            + "; a row weight must be a finite number >= 0");
                }
                w[r] = (float) weight;
            }
        }
        return new float[][] {x, y, w};
    }

    /** Writes a label into a row of network targets. */
    @FunctionalInterface
    interface LabelEncoder extends java.io.Serializable {
        void encode(double label, float[] y, int off, int outputs);
    }

    /** The network's input for a features vector: the model's feature scaling applied. */
    static float[] input(Model model, Vector features) {
        int in = model.network().inputs();
        if (features.size() != in) {
            throw new IllegalArgumentException("the features vector has " + features.size() + " entries, the model reads "
                    + in);
        }
        float[] x = new float[in];
        for (int j = 0; j < in; j++) {
            x[j] = (float) features.apply(j);
        }
        model.preprocessing().featureScaler().apply(x, 1);
        return x;
    }

    /**
     * Checks that a model reads plain numbers only (no categorical columns): a vector of
     * {@code inputWidth()} numbers is then its input.
     */
    static Model requireNumeric(Model model, Path file) {
        for (Preprocessing.Feature f : model.preprocessing().features()) {
            if (f.isCategorical()) {
                throw new IllegalArgumentException(file + ": feature '" + f.name() + "' is categorical; a Spark ML "
                        + "model reads a numeric features vector (encode categories, e.g. with OneHotEncoder)");
            }
        }
        return model;
    }

    /** Saves the Gradus model file to {@code dir/gradus/model.gradus} on any Hadoop file system. */
    static void saveModelFile(SparkSession spark, Model model, String dir) {
        try {
            Path local = Files.createTempFile("gradus", ".gradus");
            try {
                model.save(local);
                org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(dir, MODEL_FILE);
                FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
                fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the Gradus model file: " + e.getMessage(), e);
        }
    }

    /** Loads {@code dir/gradus/model.gradus} from any Hadoop file system. */
    static Model loadModelFile(SparkSession spark, String dir) {
        try {
            Path local = Files.createTempFile("gradus", ".gradus");
            try {
                org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(dir, MODEL_FILE);
                FileSystem fs = source.getFileSystem(spark.sparkContext().hadoopConfiguration());
                fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(local.toUri()), true);
                return Model.load(local);
            } finally {
                Files.deleteIfExists(local);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot read the Gradus model file: " + e.getMessage(), e);
        }
    }

}

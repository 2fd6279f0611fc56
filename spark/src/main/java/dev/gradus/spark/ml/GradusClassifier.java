package dev.gradus.spark.ml;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Loss;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A Spark ML classifier that trains a Gradus network with {@link dev.gradus.spark.SparkTrainer}
 * on a vector {@code featuresCol} and a {@code labelCol} of class indices {@code 0, 1, …, K−1}
 * (as {@code StringIndexer} writes them). Cross-entropy with a softmax output by default;
 * {@code bce} gives one sigmoid output for two classes.
 *
 * <pre>{@code
 * GradusClassifier gc = new GradusClassifier().setLayers(new int[] {16}).setEpochs(50).setBatchSize(0)
 *         .setOptimizer("lbfgs");
 * PipelineModel m = new Pipeline().setStages(new PipelineStage[] {assembler, gc}).fit(train);
 * m.transform(test).select("prediction", "probability").show();
 * }</pre>
 */
public class GradusClassifier extends ProbabilisticClassifier<Vector, GradusClassifier, GradusClassificationModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private String uid;   // no initializer: see Uids
    private final GradusML.TrainingParams training;

    public GradusClassifier() {
        this(Identifiable$.MODULE$.randomUID("gradusClassifier"));
    }

    public GradusClassifier(String uid) {
        this(Uids.hold(uid), true);
    }

    private GradusClassifier(String uid, boolean held) {
        this.uid = uid;
        Uids.release();
        this.training = new GradusML.TrainingParams(this, Loss.CROSS_ENTROPY.name());
    }

    @Override
    public String uid() {
        return uid != null ? uid : Uids.held();
    }

    public IntArrayParam layers() { return training.layers; }
    public Param<String> activation() { return training.activation; }
    public Param<String> loss() { return training.loss; }
    public Param<String> optimizer() { return training.optimizer; }
    public IntParam epochs() { return training.epochs; }
    public IntParam batchSize() { return training.batchSize; }
    public BooleanParam shuffle() { return training.shuffle; }
    public LongParam seed() { return training.seed; }

    public GradusClassifier setLayers(int[] v) { return (GradusClassifier) set(training.layers, v); }
    public GradusClassifier setActivation(String v) { return (GradusClassifier) set(training.activation, v); }
    public GradusClassifier setLoss(String v) { return (GradusClassifier) set(training.loss, v); }
    public GradusClassifier setOptimizer(String v) { return (GradusClassifier) set(training.optimizer, v); }
    public GradusClassifier setEpochs(int v) { return (GradusClassifier) set(training.epochs, v); }
    public GradusClassifier setBatchSize(int v) { return (GradusClassifier) set(training.batchSize, v); }
    public GradusClassifier setShuffle(boolean v) { return (GradusClassifier) set(training.shuffle, v); }
    public GradusClassifier setSeed(long v) { return (GradusClassifier) set(training.seed, v); }

    public DoubleParam validationFraction() { return training.validation.validationFraction; }
    public Param<String> validationIndicatorCol() { return training.validation.validationIndicatorCol; }
    /** A column of row weights (numbers ≥ 0): the loss is {@code Σ wᵢLᵢ / Σ wᵢ}, as {@code gradus train --sample-weight}. */
    public Param<String> weightCol() { return training.weightCol; }
    public IntParam patience() { return training.validation.patience; }
    public Param<String> monitor() { return training.validation.monitor; }
    public DoubleParam minDelta() { return training.validation.minDelta; }
    public BooleanParam restoreBest() { return training.validation.restoreBest; }

    /** Holds out a seeded share of the rows for validation after every epoch (as {@code --validation-fraction}). */
    public GradusClassifier setValidationFraction(double v) { return (GradusClassifier) set(training.validation.validationFraction, v); }
    /** Validates on the rows whose boolean column {@code v} is true and trains on the others. */
    public GradusClassifier setValidationIndicatorCol(String v) { return (GradusClassifier) set(training.validation.validationIndicatorCol, v); }
    public GradusClassifier setWeightCol(String v) { return (GradusClassifier) set(training.weightCol, v); }
    /** Stops after {@code v} epochs without improvement of the monitored value (as {@code --patience}). */
    public GradusClassifier setPatience(int v) { return (GradusClassifier) set(training.validation.patience, v); }
    public GradusClassifier setMonitor(String v) { return (GradusClassifier) set(training.validation.monitor, v); }
    public GradusClassifier setMinDelta(double v) { return (GradusClassifier) set(training.validation.minDelta, v); }
    public GradusClassifier setRestoreBest(boolean v) { return (GradusClassifier) set(training.validation.restoreBest, v); }

    @Override
    public GradusClassificationModel train(Dataset<?> dataset) {
        Row stats = dataset.agg(functions.min(getLabelCol()), functions.max(getLabelCol())).head();
        if (stats.isNullAt(0)) {
            throw new IllegalArgumentException("the training set has no rows with a label");
        }
        double min = ((Number) stats.get(0)).doubleValue();
        double max = ((Number) stats.get(1)).doubleValue();
        if (min < 0 || max != Math.rint(max) || max > 100_000) {
            throw new IllegalArgumentException("column '" + getLabelCol() + "' must hold class indices 0, 1, ..., K-1 "
                    + "(use StringIndexer); found values from " + min + " to " + max);
        }
        int classes = Math.max(2, (int) max + 1);
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            labels.add(Integer.toString(c));
        }
        int inputs = ((Vector) dataset.select(getFeaturesCol()).head().get(0)).size();
        Preprocessing prep = GradusML.identity(inputs, Task.CLASSIFICATION, getLabelCol(), labels);
        ModelSpec spec = training.spec(this);
        boolean oneOutput = Model.outputWidth(prep, spec.options(prep.task(), false, 0).loss()) == 1;
        GradusML.LabelEncoder encoder = (label, y, off, k) -> {
            if (label < 0 || label >= classes || label != Math.rint(label)) {
                throw new IllegalArgumentException("label " + label + " is not a class index 0.." + (classes - 1));
            }
            if (oneOutput) {
                y[off] = (float) label;          // bce: p(class 1)
            } else {
                y[off + (int) label] = 1f;       // one-hot
            }
        };
        Model model = GradusML.train(dataset, getFeaturesCol(), getLabelCol(), prep, spec, encoder,
                training.validation.indicator(this), training.weightColumn(this));
        return copyValues(new GradusClassificationModel(uid, model), ParamMap.empty());
    }

    @Override
    public GradusClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** The reader for ML persistence (used by {@code Pipeline.load}). */
    public static MLReader<GradusClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static GradusClassifier load(String path) {
        return read().load(path);
    }
}

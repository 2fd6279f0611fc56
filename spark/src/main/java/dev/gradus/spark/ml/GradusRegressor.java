package dev.gradus.spark.ml;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.nn.Loss;
import java.util.List;
import org.apache.spark.ml.Predictor;
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

/**
 * A Spark ML regressor that trains a Gradus network with {@link dev.gradus.spark.SparkTrainer}
 * on a vector {@code featuresCol} and a numeric {@code labelCol}, with the seed's {@code mse}
 * loss by default ({@code mae}, {@code huber} too). Targets are learned as given (no target
 * scaling).
 *
 * <pre>{@code
 * GradusRegressor gr = new GradusRegressor().setLayers(new int[] {32, 16}).setEpochs(100);
 * GradusRegressionModel m = gr.fit(train);
 * }</pre>
 */
public class GradusRegressor extends Predictor<Vector, GradusRegressor, GradusRegressionModel>
        implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private String uid;   // no initializer: see Uids
    private final GradusML.TrainingParams training;

    public GradusRegressor() {
        this(Identifiable$.MODULE$.randomUID("gradusRegressor"));
    }

    public GradusRegressor(String uid) {
        this(Uids.hold(uid), true);
    }

    private GradusRegressor(String uid, boolean held) {
        this.uid = uid;
        Uids.release();
        this.training = new GradusML.TrainingParams(this, Loss.MSE.name());
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

    public GradusRegressor setLayers(int[] v) { return (GradusRegressor) set(training.layers, v); }
    public GradusRegressor setActivation(String v) { return (GradusRegressor) set(training.activation, v); }
    public GradusRegressor setLoss(String v) { return (GradusRegressor) set(training.loss, v); }
    public GradusRegressor setOptimizer(String v) { return (GradusRegressor) set(training.optimizer, v); }
    public GradusRegressor setEpochs(int v) { return (GradusRegressor) set(training.epochs, v); }
    public GradusRegressor setBatchSize(int v) { return (GradusRegressor) set(training.batchSize, v); }
    public GradusRegressor setShuffle(boolean v) { return (GradusRegressor) set(training.shuffle, v); }
    public GradusRegressor setSeed(long v) { return (GradusRegressor) set(training.seed, v); }

    public DoubleParam validationFraction() { return training.validation.validationFraction; }
    public Param<String> validationIndicatorCol() { return training.validation.validationIndicatorCol; }
    /** A column of row weights (numbers ≥ 0): the loss is {@code Σ wᵢLᵢ / Σ wᵢ}, as {@code gradus train --sample-weight}. */
    public Param<String> weightCol() { return training.weightCol; }
    public IntParam patience() { return training.validation.patience; }
    public Param<String> monitor() { return training.validation.monitor; }
    public DoubleParam minDelta() { return training.validation.minDelta; }
    public BooleanParam restoreBest() { return training.validation.restoreBest; }

    /** Holds out a seeded share of the rows for validation after every epoch (as {@code --validation-fraction}). */
    public GradusRegressor setValidationFraction(double v) { return (GradusRegressor) set(training.validation.validationFraction, v); }
    /** Validates on the rows whose boolean column {@code v} is true and trains on the others. */
    public GradusRegressor setValidationIndicatorCol(String v) { return (GradusRegressor) set(training.validation.validationIndicatorCol, v); }
    public GradusRegressor setWeightCol(String v) { return (GradusRegressor) set(training.weightCol, v); }
    /** Stops after {@code v} epochs without improvement of the monitored value (as {@code --patience}). */
    public GradusRegressor setPatience(int v) { return (GradusRegressor) set(training.validation.patience, v); }
    public GradusRegressor setMonitor(String v) { return (GradusRegressor) set(training.validation.monitor, v); }
    public GradusRegressor setMinDelta(double v) { return (GradusRegressor) set(training.validation.minDelta, v); }
    public GradusRegressor setRestoreBest(boolean v) { return (GradusRegressor) set(training.validation.restoreBest, v); }

    @Override
    public GradusRegressionModel train(Dataset<?> dataset) {
        int inputs = ((Vector) dataset.select(getFeaturesCol()).head().get(0)).size();
        Preprocessing prep = GradusML.identity(inputs, Task.REGRESSION, getLabelCol(), List.of());
        GradusML.LabelEncoder encoder = (label, y, off, k) -> y[off] = (float) label;
        Model model = GradusML.train(dataset, getFeaturesCol(), getLabelCol(), prep, training.spec(this), encoder,
                training.validation.indicator(this), training.weightColumn(this));
        return copyValues(new GradusRegressionModel(uid, model), ParamMap.empty());
    }

    @Override
    public GradusRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** The reader for ML persistence (used by {@code Pipeline.load}). */
    public static MLReader<GradusRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static GradusRegressor load(String path) {
        return read().load(path);
    }
}

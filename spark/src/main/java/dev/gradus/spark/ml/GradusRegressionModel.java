package dev.gradus.spark.ml;

import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.spark.ModelBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;

/**
 * A trained {@link GradusRegressor}: {@code prediction} is the network's output in the target's
 * units. Saves as Spark ML metadata plus the Gradus model file {@code gradus/model.gradus}.
 */
public class GradusRegressionModel
        extends RegressionModel<Vector, GradusRegressionModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private String uid;   // no initializer: see Uids
    private final transient Model model;
    private final byte[] modelBytes;   // what travels to the executors: the model file's bytes

    GradusRegressionModel(String uid, Model model) {
        this(Uids.hold(uid), model, true);
    }

    private GradusRegressionModel(String uid, Model model, boolean held) {
        this.uid = uid;
        Uids.release();
        this.model = model;
        this.modelBytes = ModelBytes.of(model);
        if (model.task() != Task.REGRESSION || model.network().outputs() != 1) {
            throw new IllegalArgumentException("a Spark ML regression model needs a regression model with one "
                    + "target, got " + model.task() + " with " + model.network().outputs() + " outputs");
        }
    }

    /** Wraps a Gradus model file (as {@code gradus train} writes it) whose features are all numeric. */
    public static GradusRegressionModel fromModelFile(String path) {
        try {
            Path p = Path.of(path);
            return new GradusRegressionModel(Identifiable$.MODULE$.randomUID("gradusRegressionModel"),
                    GradusML.requireNumeric(Model.load(p), p));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** The Gradus model. */
    public Model gradusModel() {
        return model != null ? model : ModelBytes.model(modelBytes);
    }

    @Override
    public String uid() {
        return uid != null ? uid : Uids.held();
    }

    @Override
    public int numFeatures() {
        return gradusModel().network().inputs();
    }

    /** {@code ŷ} in the target's units (the model's target scaling undone). */
    @Override
    public double predict(Vector features) {
        Model m = ModelBytes.cached(modelBytes, model);
        float[] out = m.network().predict(GradusML.input(m, features));
        m.preprocessing().targetScaler().invert(out, 1);
        return out[0];
    }

    @Override
    public GradusRegressionModel copy(ParamMap extra) {
        return copyValues(new GradusRegressionModel(uid, gradusModel()), extra);
    }

    @Override
    public MLWriter write() {
        GradusRegressionModel self = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(self, path, sparkSession());
                GradusML.saveModelFile(sparkSession(), self.gradusModel(), path);
            }
        };
    }

    /** The reader for ML persistence (used by {@code PipelineModel.load}). */
    public static MLReader<GradusRegressionModel> read() {
        return new MLReader<>() {
            @Override
            public GradusRegressionModel load(String path) {
                var metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                        GradusRegressionModel.class.getName());
                GradusRegressionModel m = new GradusRegressionModel(metadata.uid(),
                        GradusML.loadModelFile(sparkSession(), path));
                metadata.getAndSetParams(m, scala.Option.empty());
                return m;
            }
        };
    }

    public static GradusRegressionModel load(String path) {
        return read().load(path);
    }
}

package dev.gradus.spark.ml;

import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.spark.ModelBytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;

/**
 * A trained {@link GradusClassifier}: {@code rawPrediction} and {@code probability} are the
 * network's class probabilities (softmax, or {@code (1 − p, p)} for a sigmoid output),
 * {@code prediction} their arg-max class index. Saves as Spark ML metadata plus the Gradus model
 * file {@code gradus/model.gradus}, which {@code gradus evaluate} and {@code gradus predict}
 * read.
 */
public class GradusClassificationModel
        extends ProbabilisticClassificationModel<Vector, GradusClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private String uid;   // no initializer: see Uids
    private final transient Model model;
    private final byte[] modelBytes;   // what travels to the executors: the model file's bytes

    GradusClassificationModel(String uid, Model model) {
        this(Uids.hold(uid), model, true);
    }

    private GradusClassificationModel(String uid, Model model, boolean held) {
        this.uid = uid;
        Uids.release();
        this.model = model;
        this.modelBytes = ModelBytes.of(model);
        if (model.task() != Task.CLASSIFICATION) {
            throw new IllegalArgumentException("a " + model.task() + " model is not a classifier");
        }
    }

    /** Wraps a Gradus model file (as {@code gradus train} writes it) whose features are all numeric. */
    public static GradusClassificationModel fromModelFile(String path) {
        try {
            Path p = Path.of(path);
            return new GradusClassificationModel(Identifiable$.MODULE$.randomUID("gradusClassificationModel"),
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
    public int numClasses() {
        return gradusModel().preprocessing().classLabels().size();
    }

    @Override
    public int numFeatures() {
        return gradusModel().network().inputs();
    }

    @Override
    public Vector predictRaw(Vector features) {
        Model m = ModelBytes.cached(modelBytes, model);
        float[] out = m.network().predict(GradusML.input(m, features));
        double[] p = new double[numClasses()];
        if (out.length == 1) {          // sigmoid: p(class 1)
            p[0] = 1 - out[0];
            p[1] = out[0];
        } else {
            for (int j = 0; j < out.length; j++) {
                p[j] = out[j];
            }
        }
        return Vectors.dense(p);
    }

    /**
     * Spark's training summaries are not kept. (Declared here because Java sees this method twice
     * in the Scala class hierarchy.)
     */
    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    /** The raw prediction already holds probabilities. */
    @Override
    public Vector raw2probabilityInPlace(Vector rawPrediction) {
        return rawPrediction;
    }

    @Override
    public GradusClassificationModel copy(ParamMap extra) {
        return copyValues(new GradusClassificationModel(uid, gradusModel()), extra);
    }

    @Override
    public MLWriter write() {
        GradusClassificationModel self = this;
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(self, path, sparkSession());
                GradusML.saveModelFile(sparkSession(), self.gradusModel(), path);
            }
        };
    }

    /** The reader for ML persistence (used by {@code PipelineModel.load}). */
    public static MLReader<GradusClassificationModel> read() {
        return new MLReader<>() {
            @Override
            public GradusClassificationModel load(String path) {
                var metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                        GradusClassificationModel.class.getName());
                GradusClassificationModel m = new GradusClassificationModel(metadata.uid(),
                        GradusML.loadModelFile(sparkSession(), path));
                metadata.getAndSetParams(m, scala.Option.empty());
                return m;
            }
        };
    }

    public static GradusClassificationModel load(String path) {
        return read().load(path);
    }
}

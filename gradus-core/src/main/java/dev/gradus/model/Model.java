package dev.gradus.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.ModelFile;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.History;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained network with the preprocessing fitted on its training rows: it predicts from raw
 * tables and saves to, and loads from, one model file.
 *
 * <pre>{@code
 * Table train = Csv.read(Path.of("iris_train.csv"));
 * Model model = Model.fit(train, ModelSpec.classification("label")).model();
 * model.save(Path.of("iris.gradus"));
 * String[] labels = Model.load(Path.of("iris.gradus")).predict(Csv.read(Path.of("iris_test.csv"))).labels();
 * }</pre>
 *
 * @param network the trained network
 * @param preprocessing the map from table rows to network inputs and back
 * @param loss the loss it was trained with
 * @param training a record of how it was trained (stored as model file metadata)
 */
public record Model(Network network, Preprocessing preprocessing, Loss loss, Map<String, String> training) {

    public Model {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(loss, "loss");
        training = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(training));
        if (network.inputs() != preprocessing.inputWidth() || network.outputs() != preprocessing.outputWidth()) {
            throw new IllegalArgumentException("the network maps " + network.inputs() + " inputs to "
                    + network.outputs() + " outputs but the preprocessing gives " + preprocessing.inputWidth()
                    + " inputs and expects " + preprocessing.outputWidth() + " outputs");
        }
    }

    /** A trained model and the history of its training. */
    public record Fit(Model model, History history) {}

    /**
     * Fits the preprocessing to {@code train}, builds a network with the spec's layers (weights
     * drawn from the training seed) and trains it.
     */
    public static Fit fit(Table train, ModelSpec spec, TrainingListener... listeners) throws DataException {
        return fit(Preprocessing.fit(train, spec.data()), train, spec, listeners);
    }

    /**
     * Builds a network for {@code prep} with the spec's layers (weights drawn from the training
     * seed) and trains it on {@code train}; {@code prep} is usually fitted on {@code train}.
     */
    public static Fit fit(Preprocessing prep, Table train, ModelSpec spec, TrainingListener... listeners)
            throws DataException {
        Network.Builder builder = Network.input(prep.inputWidth());
        for (int width : spec.hidden()) {
            builder.dense(width, spec.activation());
        }
        builder.dense(prep.outputWidth(), spec.outputActivationFor(prep.task()));
        Network initial = builder.build(spec.init(), spec.training().seed());
        return train(initial, prep, train, spec.training(), listeners);
    }

    /**
     * Continues training from this model's weights and preprocessing (the {@code --init} of
     * the command line).
     */
    public Fit fitFurther(Table train, TrainingOptions options, TrainingListener... listeners) throws DataException {
        return train(network, preprocessing, train, options, listeners);
    }

    private static Fit train(Network initial, Preprocessing prep, Table table, TrainingOptions options,
                             TrainingListener... listeners) throws DataException {
        Matrix x = prep.features(table);
        Matrix y = prep.targets(table);
        Trainer trainer = new Trainer(options);
        for (TrainingListener l : listeners) {
            trainer.addListener(l);
        }
        Trainer.Result result = trainer.fit(initial, x, y);
        return new Fit(new Model(result.network(), prep, options.loss(), describe(options)), result.history());
    }

    private static Map<String, String> describe(TrainingOptions o) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("optimizer", o.optimizer().name());
        m.put("learning_rate", Double.toString(o.optimizer().learningRate()));
        m.put("epochs", Integer.toString(o.epochs()));
        m.put("batch_size", Integer.toString(o.batchSize()));
        m.put("shuffle", Boolean.toString(o.shuffle()));
        m.put("seed", Long.toString(o.seed()));
        return m;
    }

    /** The task this model solves. */
    public Task task() {
        return preprocessing.task();
    }

    /** Whether classification outputs are class probabilities. */
    public boolean outputsProbabilities() {
        return false;
    }

    /** Raw network outputs {@code Ŷ} for the rows of {@code table} (scaled units). */
    public Matrix outputs(Table table) throws DataException {
        return network.predict(preprocessing.features(table));
    }

    /** Predictions for the rows of {@code table}; its columns are matched by name. */
    public Predictions predict(Table table) throws DataException {
        Matrix out = outputs(table);
        if (task() == Task.REGRESSION) {
            preprocessing.targetScaler().invert(out.data(), out.rows());
            return new Predictions(Task.REGRESSION, preprocessing.targetNames(), out, false);
        }
        return new Predictions(Task.CLASSIFICATION, preprocessing.classLabels(), out, outputsProbabilities());
    }

    /** Classification scores on a table that holds the target column. */
    public ClassificationMetrics classificationMetrics(Table table) throws DataException {
        Predictions p = predict(table);
        return ClassificationMetrics.of(preprocessing.classLabels(), preprocessing.classIds(table), p.classIds(),
                p.probabilities() ? p.toDoubles() : null);
    }

    /** Regression scores (original units) on a table that holds the target columns. */
    public RegressionMetrics regressionMetrics(Table table) throws DataException {
        Predictions p = predict(table);
        Matrix actual = preprocessing.targetValues(table);
        return RegressionMetrics.of(preprocessing.targetNames(), actual.data(), p.outputs().data(), table.rows());
    }

    /**
     * The seed's loss ℓ on {@code table}, in original units for regression (the targets are
     * not scaled), as the model's loss measures it.
     */
    public double loss(Table table) throws DataException {
        Predictions p = predict(table);
        Matrix y = task() == Task.REGRESSION ? preprocessing.targetValues(table) : preprocessing.targets(table);
        return loss.value(p.outputs().data(), y.data(), 0, y.rows(), y.cols());
    }

    // ---- files ----------------------------------------------------------------------------

    /** Saves atomically to {@code path} (the Gradus model file: safetensors layout). */
    public void save(Path path) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("loss", loss.name());
        metadata.put("preprocessing", preprocessing.toJson());
        metadata.put("training", toJson(training));
        ModelFile.write(path, network, metadata);
    }

    /**
     * Loads a model file.
     *
     * @throws IOException naming the file when it is missing, not a Gradus model or damaged
     */
    public static Model load(Path path) throws IOException {
        ModelFile.Stored stored = ModelFile.read(path);
        Map<String, String> m = stored.metadata();
        try {
            String prep = m.get("preprocessing");
            String lossName = m.get("loss");
            if (prep == null || lossName == null) {
                throw new IllegalArgumentException("metadata lacks " + (prep == null ? "'preprocessing'" : "'loss'"));
            }
            return new Model(stored.network(), Preprocessing.fromJson(prep), Loss.parse(lossName),
                    m.containsKey("training") ? parseFlatJson(m.get("training")) : Map.of());
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": not a usable Gradus model: " + e.getMessage(), e);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private static String toJson(Map<String, String> values) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : values.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Map<String, String> parseFlatJson(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try (var p = JSON.createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("'training' is not a JSON object");
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String k = p.currentName();
                p.nextToken();
                out.put(k, p.getText());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("'training' is malformed JSON: " + e.getMessage(), e);
        }
        return out;
    }

    /** The hidden and output activations, for display. */
    public List<Activation> activations() {
        return network.layers().stream().map(d -> d.activation()).toList();
    }
}

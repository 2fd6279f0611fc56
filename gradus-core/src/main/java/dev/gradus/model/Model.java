package dev.gradus.model;

import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.ModelFile;
import dev.gradus.io.ModelMetadata;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.GradientSource;
import dev.gradus.train.History;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
public record Model(Network network, Preprocessing preprocessing, Loss loss, Map<String, String> training,
                    Optional<ModelMetadata.Decision> decision) {

    /** A model without a stored decision: two classes are decided by the more probable one. */
    public Model(Network network, Preprocessing preprocessing, Loss loss, Map<String, String> training) {
        this(network, preprocessing, loss, training, Optional.empty());
    }

    public Model {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(loss, "loss");
        training = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(training));
        int outputs = outputWidth(preprocessing, loss);
        if (network.inputs() != preprocessing.inputWidth() || network.outputs() != outputs) {
            throw new IllegalArgumentException("the network maps " + network.inputs() + " inputs to "
                    + network.outputs() + " outputs but the preprocessing gives " + preprocessing.inputWidth()
                    + " inputs and, with the " + loss.name() + " loss, expects " + outputs + " outputs");
        }
        loss.checkOutput(network.layer(network.layerCount() - 1).activation(), network.outputs());
        if (decision.isPresent()) {
            checkDecidable(preprocessing, loss, "a stored threshold");
            if (!preprocessing.classLabels().contains(decision.get().positive())) {
                throw new IllegalArgumentException("the stored positive class '" + decision.get().positive()
                        + "' is not a class; the classes are " + String.join(", ", preprocessing.classLabels()));
            }
        }
    }

    /** Two classes with probabilities, or an exception saying what {@code what} needs. */
    private static void checkDecidable(Preprocessing preprocessing, Loss loss, String what) {
        if (preprocessing.task() != Task.CLASSIFICATION || preprocessing.classLabels().size() != 2) {
            throw new IllegalArgumentException(what + " needs a model of two classes; this one is "
                    + (preprocessing.task() == Task.CLASSIFICATION ? preprocessing.classLabels().size()
                    + "-class classification" : "regression"));
        }
        if (loss.fusedActivation() == null) {
            throw new IllegalArgumentException(what + " needs a model that outputs probabilities (loss cross-entropy "
                    + "or bce); this one was trained with " + loss.name());
        }
    }

    /**
     * This model deciding its two classes by a threshold: predict {@code positive} when its
     * probability is at least {@code threshold}. Stored in the model file (format version 3) and
     * used by {@link #predict}, {@link Predictor}, {@code gradus predict}, {@code evaluate} and
     * {@code serve} unless they are given another; this is how {@code gradus train --threshold}
     * and a threshold search set it.
     *
     * @throws IllegalArgumentException unless the model has two classes with probabilities,
     *     {@code positive} is one of them and {@code threshold} is in {@code [0, 1]}
     */
    public Model withThreshold(String positive, double threshold) {
        checkDecidable(preprocessing, loss, "a threshold");
        classId(positive);
        return new Model(network, preprocessing, loss, training,
                Optional.of(new ModelMetadata.Decision(positive, threshold)));
    }

    /** {@link #withThreshold(String, double)} with the second class (in sorted label order) as positive. */
    public Model withThreshold(double threshold) {
        checkDecidable(preprocessing, loss, "a threshold");
        return withThreshold(preprocessing.classLabels().get(1), threshold);
    }

    /** This model without a stored threshold: it predicts the more probable class. */
    public Model withoutThreshold() {
        return new Model(network, preprocessing, loss, training, Optional.empty());
    }

    /** This model with the training record {@code value} (and the same decision). */
    public Model withTraining(Map<String, String> value) {
        return new Model(network, preprocessing, loss, value, decision);
    }

    /**
     * The number of network outputs for this preprocessing and loss: one per class or target,
     * except binary cross-entropy on two classes, which has one sigmoid output {@code p(class 1)}.
     *
     * @throws IllegalArgumentException for a loss that does not suit the task
     */
    public static int outputWidth(Preprocessing prep, Loss loss) {
        boolean probabilistic = loss.fusedActivation() != null;
        if (prep.task() == Task.REGRESSION && probabilistic) {
            throw new IllegalArgumentException("the " + loss.name() + " loss is for classification; regression "
                    + "takes mse, mae or huber");
        }
        if (loss instanceof Loss.BinaryCrossEntropy) {
            if (prep.classLabels().size() != 2) {
                throw new IllegalArgumentException("the bce loss is for two classes, the target has "
                        + prep.classLabels().size() + "; use cross-entropy");
            }
            return 1;
        }
        return prep.outputWidth();
    }

    /** A trained model and the history of its training. */
    public record Fit(Model model, History history) {}

    /**
     * Fits the preprocessing to {@code train}, builds a network with the spec's layers (weights
     * drawn from the training seed) and trains it.
     */
    public static Fit fit(Table train, ModelSpec spec, TrainingListener... listeners) throws DataException {
        spec.weights().checkColumn(train);
        return fit(Preprocessing.fit(train, spec.fittedData()), train, spec, listeners);
    }

    /**
     * Builds a network for {@code prep} with the spec's layers (weights drawn from the training
     * seed) and trains it on {@code train}; {@code prep} is usually fitted on {@code train}.
     */
    public static Fit fit(Preprocessing prep, Table train, ModelSpec spec, TrainingListener... listeners)
            throws DataException {
        return fit(prep, train, null, spec, listeners);
    }

    /**
     * As {@link #fit(Preprocessing, Table, ModelSpec, TrainingListener...)}, scoring
     * {@code validation} rows (may be {@code null}) after every epoch for the history and early
     * stopping. The training options are {@link ModelSpec#options} for the task of {@code prep}.
     */
    public static Fit fit(Preprocessing prep, Table train, Table validation, ModelSpec spec,
                          TrainingListener... listeners) throws DataException {
        // a sample-weight column must not have become a feature
        spec.fittedData();
        if (spec.weights().column() != null && prep.featureNames().contains(spec.weights().column())) {
            throw new IllegalArgumentException("column '" + spec.weights().column() + "' holds the sample weights "
                    + "but the preprocessing uses it as a feature; fit it with spec.fittedData()");
        }
        return fit(new TrainingStart.Fresh(prep, spec, spec.options(prep.task(), validation != null, train.rows())),
                train,
                validation, listeners);
    }

    /**
     * Trains from {@code start} on {@code train}, scoring {@code validation} rows (may be
     * {@code null}) after every epoch. A {@link TrainingStart.Resume} continues after its
     * checkpoint's epoch; the listeners may then include the {@link CheckpointListener} that
     * gives it (else one is added that saves nothing).
     */
    public static Fit fit(TrainingStart start, Table train, Table validation, TrainingListener... listeners)
            throws DataException {
        return train(start.network(), start.preprocessing(), train, validation, start.options(), start.weights(),
                resuming(start, listeners));
    }

    /**
     * {@code listeners}, with one that resumes from a {@link TrainingStart.Resume}'s checkpoint
     * and saves nothing when none of them is a {@link CheckpointListener}.
     */
    static TrainingListener[] resuming(TrainingStart start, TrainingListener... listeners) {
        if (!(start instanceof TrainingStart.Resume resume)
                || Arrays.stream(listeners).anyMatch(l -> l instanceof CheckpointListener)) {
            return listeners;
        }
        TrainingListener[] all = Arrays.copyOf(listeners, listeners.length + 1);
        all[listeners.length] = new CheckpointListener() {
            @Override public int every() {
                return Integer.MAX_VALUE;
            }
            @Override public void onCheckpoint(Checkpoint checkpoint) {
            }
            @Override public Optional<Checkpoint> resumeFrom() {
                return Optional.of(resume.checkpoint());
            }
        };
        return all;
    }

    /**
     * The untrained network that {@link #fit(Preprocessing, Table, Table, ModelSpec, TrainingListener...)}
     * starts from: {@code prep.inputWidth()} inputs, the spec's hidden layers, the output layer
     * the task and loss call for, weights drawn from the spec's initialiser and training seed.
     * Other trainers (such as {@code gradus-spark}) start from it to train the same model.
     */
    public static Network initialNetwork(Preprocessing prep, ModelSpec spec) {
        // The loss and seed, which the initial network depends on, do not depend on the rows.
        return initialNetwork(prep, spec, spec.options(prep.task(), false, 0));
    }

    /** As {@link #initialNetwork(Preprocessing, ModelSpec)}, with the loss and seed of resolved {@code options}. */
    public static Network initialNetwork(Preprocessing prep, ModelSpec spec, TrainingOptions options) {
        Loss loss = options.loss();
        Network.Builder builder = Network.input(prep.inputWidth());
        for (int width : spec.hidden()) {
            builder.dense(width, spec.activation());
        }
        builder.dense(outputWidth(prep, loss), spec.outputActivationFor(prep.task(), loss));
        return builder.build(spec.init(), spec.biasInit(), options.seed());
    }

    /**
     * A model of a network trained elsewhere with {@code options} (recorded in the model
     * file's training metadata exactly as {@link #fit} records them).
     */
    public static Model trained(Network network, Preprocessing prep, TrainingOptions options) {
        return new Model(network, prep, options.loss(), describe(options));
    }

    /**
     * As {@link #trained(Network, Preprocessing, TrainingOptions)} for rows weighted by
     * {@code weights}, recorded as {@code gradus train} records them.
     */
    public static Model trained(Network network, Preprocessing prep, TrainingOptions options, RowWeights weights) {
        Map<String, String> record = describe(options);
        describe(weights).forEach(record::put);
        return new Model(network, prep, options.loss(), record);
    }

    /**
     * Continues training from this model's weights and preprocessing (the {@code --init} of
     * the command line); {@code validation} may be {@code null}.
     */
    public Fit fitFurther(Table train, Table validation, TrainingOptions options, TrainingListener... listeners)
            throws DataException {
        return fit(new TrainingStart.FromModel(this, options), train, validation, listeners);
    }

    private static Fit train(Network initial, Preprocessing prep, Table table, Table validation,
                             TrainingOptions options, RowWeights weights, TrainingListener... listeners)
            throws DataException {
        Matrix x = prep.features(table);
        Matrix y = networkTargets(prep, options.loss(), table);
        // class weights are fitted on the training rows and applied as they are to validation rows
        double[] perClass = weights.classWeights(prep, table);
        GradientSource rows = GradientSource.of(x, y, weights.rowWeights(table, prep, perClass));
        Trainer trainer = new Trainer(options);
        for (TrainingListener l : listeners) {
            trainer.addListener(l);
        }
        Trainer.Result result = validation == null
                ? trainer.fit(initial, rows)
                : trainer.fit(initial, rows, prep.features(validation), networkTargets(prep, options.loss(), validation),
                        weights.rowWeights(validation, prep, perClass));
        Map<String, String> record = describe(options);
        describe(weights).forEach(record::put);
        return new Fit(new Model(result.network(), prep, options.loss(), record), result.history());
    }

    /** The training record's entries for row weights: {@code sample_weight}, {@code class_weight}. */
    public static Map<String, String> describe(RowWeights weights) {
        Map<String, String> m = new LinkedHashMap<>();
        if (weights.column() != null) {
            m.put("sample_weight", weights.column());
        }
        if (!(weights.classes() instanceof dev.gradus.data.ClassWeights.Uniform)) {
            m.put("class_weight", weights.classes().toString());
        }
        return m;
    }

    /**
     * What the network learns to output for the rows of {@code table} with this loss: the
     * one-hot classes ({@code N × classes}), {@code p(class 1)} for binary cross-entropy
     * ({@code N × 1}), or the scaled regression targets.
     */
    public static Matrix networkTargets(Preprocessing prep, Loss loss, Table table) throws DataException {
        Matrix y = prep.targets(table);
        if (outputWidth(prep, loss) == 1 && prep.task() == Task.CLASSIFICATION) {
            Matrix second = Matrix.zeros(y.rows(), 1);       // bce: p(class 1), the second label
            for (int r = 0; r < y.rows(); r++) {
                second.set(r, 0, y.get(r, 1));
            }
            return second;
        }
        return y;
    }

    /** The record of how a model was trained with {@code o}, as stored in its file. */
    public static Map<String, String> describe(TrainingOptions o) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("optimizer", o.optimizer().toString());
        m.put("learning_rate", Double.toString(o.optimizer().learningRate()));
        // instanceof, not equals: a record's equals is bootstrapped by invokedynamic on its first
        // call, ~20 method-handle classes spun in every `gradus train` start.
        if (!(o.schedule() instanceof dev.gradus.optim.Schedule.Constant)) {
            m.put("schedule", o.schedule().toString());
        }
        if (o.dropout() > 0) {
            m.put("dropout", Double.toString(o.dropout()));
        }
        if (o.clipNorm() > 0) {
            m.put("clip_norm", Double.toString(o.clipNorm()));
        }
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

    /**
     * Whether classification outputs are class probabilities: true for the cross-entropy
     * (softmax) and binary cross-entropy (sigmoid) losses.
     */
    public boolean outputsProbabilities() {
        return task() == Task.CLASSIFICATION && loss.fusedActivation() != null;
    }

    /** Rows encoded and predicted at a time, so that a large table never needs its whole input matrix. */
    static final int PREDICT_BLOCK = 1 << 16;

    /** Raw network outputs {@code Ŷ} for the rows of {@code table} (scaled units). */
    public Matrix outputs(Table table) throws DataException {
        int rows = table.rows();
        if (rows <= PREDICT_BLOCK) {
            return network.predict(preprocessing.features(table));
        }
        Matrix out = null;
        for (int from = 0; from < rows; from += PREDICT_BLOCK) {
            int to = Math.min(rows, from + PREDICT_BLOCK);
            Matrix block = network.predict(preprocessing.features(table, from, to));
            if (out == null) {
                out = Matrix.zeros(rows, block.cols());
            }
            System.arraycopy(block.data(), block.offset(), out.data(), from * block.cols(), (to - from) * block.cols());
        }
        return out;
    }

    /** Predictions for the rows of {@code table}; its columns are matched by name. */
    public Predictions predict(Table table) throws DataException {
        Matrix out = outputs(table);
        if (task() == Task.REGRESSION) {
            preprocessing.targetScaler().invert(out.data(), out.rows());
            return new Predictions(Task.REGRESSION, preprocessing.targetNames(), out, false);
        }
        if (out.cols() == 1) {                                   // bce: (1 − p, p) per row
            Matrix both = Matrix.zeros(out.rows(), 2);
            for (int r = 0; r < out.rows(); r++) {
                both.set(r, 0, 1f - out.get(r, 0));
                both.set(r, 1, out.get(r, 0));
            }
            out = both;
        }
        return new Predictions(Task.CLASSIFICATION, preprocessing.classLabels(), out, outputsProbabilities(),
                positiveId(), threshold());
    }

    /** The stored decision's positive class id, else 1 (the second class). */
    int positiveId() {
        return decision.map(d -> classId(d.positive())).orElse(1);
    }

    /** The stored decision's threshold, else NaN (the more probable class). */
    double threshold() {
        return decision.map(ModelMetadata.Decision::threshold).orElse(Double.NaN);
    }

    /**
     * Classification scores on a table that holds the target column, deciding two classes by the
     * stored threshold if there is one (its positive class is then the one scored by ROC AUC and
     * average precision).
     */
    public ClassificationMetrics classificationMetrics(Table table) throws DataException {
        int positive = preprocessing.classLabels().size() == 2 ? positiveId() : 1;
        return classificationMetrics(table, positive, threshold(), null);
    }

    /**
     * Classification scores with an explicit positive class (for ROC AUC and average precision)
     * and, when {@code threshold} is not NaN, the decision "positive when its probability is at
     * least {@code threshold}" (two classes with probabilities only; see
     * {@link Predictions#classIds(int, double)}).
     *
     * @param positive the positive class id, 0 or 1 (ignored for more than two classes)
     */
    public ClassificationMetrics classificationMetrics(Table table, int positive, double threshold)
            throws DataException {
        return classificationMetrics(table, positive, threshold, null);
    }

    /**
     * As {@link #classificationMetrics(Table, int, double)} with row {@code i} counted
     * {@code weights[i]} times ({@code null}: unweighted); see
     * {@link ClassificationMetrics#of(List, int[], int[], double[][], int, double[])}.
     */
    public ClassificationMetrics classificationMetrics(Table table, int positive, double threshold, double[] weights)
            throws DataException {
        ClassificationMetrics.Tally tally = classificationTally(positive, weights != null);
        score(table, tally, positive, threshold, weights);
        return tally.metrics();
    }

    /**
     * An empty tally of this model's classification scores, for {@link #score(Table,
     * ClassificationMetrics.Tally, int, double, double[])} a chunk of rows at a time.
     *
     * @param positive the positive class id, 0 or 1 (ignored for more than two classes)
     * @param weighted whether rows will come with weights
     */
    public ClassificationMetrics.Tally classificationTally(int positive, boolean weighted) {
        if (task() != Task.CLASSIFICATION) {
            throw new IllegalStateException("classification scores need a classification model; this one is " + task());
        }
        return new ClassificationMetrics.Tally(preprocessing.classLabels(), positive, outputsProbabilities(), weighted);
    }

    /**
     * Adds the rows of {@code table} (which holds the target column) to {@code tally}: the
     * scores of a file too large to hold, a chunk of rows at a time, are those of
     * {@link #classificationMetrics(Table, int, double, double[])} on the whole file.
     *
     * @param weights each row's weight, or null when the tally is unweighted
     */
    public void score(Table table, ClassificationMetrics.Tally tally, int positive, double threshold, double[] weights)
            throws DataException {
        checkWeights(table, weights == null ? -1 : weights.length);
        int[] actual = preprocessing.classIds(table);
        Predictions p = predict(table);
        int[] predicted = p.classIds(positive, threshold);
        int k = preprocessing.classLabels().size();
        float[] out = p.outputs().contiguous().data();
        boolean probabilities = p.probabilities();
        for (int i = 0; i < actual.length; i++) {
            double pActual = probabilities ? out[i * k + actual[i]] : Double.NaN;
            double score = probabilities && k == 2 ? out[i * k + positive] : Double.NaN;
            tally.add(actual[i], predicted[i], pActual, score, weights == null ? 1 : weights[i]);
        }
    }

    /**
     * Regression scores with row {@code i} counted {@code weights[i]} times ({@code null}:
     * unweighted).
     */
    public RegressionMetrics regressionMetrics(Table table, double[] weights) throws DataException {
        RegressionMetrics.Tally tally = regressionTally(weights != null);
        score(table, tally, weights);
        return tally.metrics();
    }

    /**
     * An empty tally of this model's regression scores, for {@link #score(Table,
     * RegressionMetrics.Tally, double[])} a chunk of rows at a time.
     */
    public RegressionMetrics.Tally regressionTally(boolean weighted) {
        if (task() != Task.REGRESSION) {
            throw new IllegalStateException("regression scores need a regression model; this one is " + task());
        }
        return new RegressionMetrics.Tally(preprocessing.targetNames(), weighted);
    }

    /**
     * Adds the rows of {@code table} (which holds the target columns) to {@code tally}, as
     * {@link #score(Table, ClassificationMetrics.Tally, int, double, double[])} does for classes.
     */
    public void score(Table table, RegressionMetrics.Tally tally, double[] weights) throws DataException {
        checkWeights(table, weights == null ? -1 : weights.length);
        Matrix actual = preprocessing.targetValues(table);
        Predictions p = predict(table);
        tally.add(actual.contiguous().data(), p.outputs().contiguous().data(), 0, table.rows(), weights);
    }

    /** Rows' weights must be one per row of the table ({@code length} −1: none given). */
    private static void checkWeights(Table table, int length) {
        if (length >= 0 && length != table.rows()) {
            throw new IllegalArgumentException("weights: " + length + " values for a table of " + table.rows()
                    + " rows; give one weight per row");
        }
    }

    /**
     * The id of class {@code label}, for choosing the positive class.
     *
     * @throws IllegalArgumentException naming the classes when there is no such label
     */
    public int classId(String label) {
        int id = preprocessing.classLabels().indexOf(label);
        if (id < 0) {
            throw new IllegalArgumentException("no class '" + label + "'; the classes are "
                    + String.join(", ", preprocessing.classLabels()));
        }
        return id;
    }

    /** Regression scores (original units) on a table that holds the target columns. */
    public RegressionMetrics regressionMetrics(Table table) throws DataException {
        return regressionMetrics(table, null);
    }

    /**
     * The seed's loss ℓ on {@code table}, in original units for regression (the targets are
     * not scaled), as the model's loss measures it.
     */
    public double loss(Table table) throws DataException {
        return loss(table, null);
    }

    /**
     * As {@link #loss(Table)}, the weighted loss {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} with one weight per row
     * of {@code table} ({@code null}: unweighted).
     */
    public double loss(Table table, float[] weights) throws DataException {
        checkWeights(table, weights == null ? -1 : weights.length);
        if (task() == Task.REGRESSION) {
            Matrix y = preprocessing.targetValues(table);
            return loss.value(predict(table).outputs().data(), y.data(), 0, weights, y.rows(), y.cols());
        }
        Matrix y = networkTargets(preprocessing, loss, table);
        return loss.value(outputs(table).data(), y.data(), 0, weights, y.rows(), y.cols());
    }

    // ---- files ----------------------------------------------------------------------------

    /** Saves atomically to {@code path} (the Gradus model file: safetensors layout). */
    public void save(Path path) throws IOException {
        ModelFile.write(path, network, metadata());
    }

    /**
     * What the model file stores besides the network: loss, preprocessing and training record
     * (checkpoints store the same), stamped with this library's version.
     */
    public ModelMetadata metadata() {
        return ModelMetadata.of(loss, preprocessing, training, decision);
    }

    /**
     * The model of {@code network} and the {@link #metadata()} stored with it.
     *
     * @throws IllegalArgumentException if the network does not fit the metadata (its inputs,
     *     outputs or output activation)
     */
    public static Model of(Network network, ModelMetadata metadata) {
        return new Model(network, metadata.preprocessing(), metadata.loss(), metadata.training(),
                metadata.decision());
    }

    /**
     * Loads a model file.
     *
     * @throws IOException naming the file when it is missing, not a Gradus model or damaged
     */
    public static Model load(Path path) throws IOException {
        ModelFile.Loaded loaded = ModelFile.readModel(path);
        try {
            return of(loaded.network(), loaded.metadata());
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": not a usable Gradus model: " + e.getMessage(), e);
        }
    }

    /** The hidden and output activations, for display. */
    public List<Activation> activations() {
        return network.layers().stream().map(d -> d.activation()).toList();
    }
}

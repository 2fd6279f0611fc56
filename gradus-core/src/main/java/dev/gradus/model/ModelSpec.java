package dev.gradus.model;

import dev.gradus.data.ClassWeights;
import dev.gradus.data.DataSpec;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Scaling;
import dev.gradus.data.Task;
import dev.gradus.nn.Activation;
import dev.gradus.nn.BiasInit;
import dev.gradus.nn.Init;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.train.Defaults;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.TrainingSpec;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to build and train a model from a table: the data spec, the hidden layer
 * widths and activation, the output activation, the weight initialiser and the training options.
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.classification("label")
 *         .withHidden(List.of(32))
 *         .withTraining(TrainingOptions.plain().withEpochs(200));
 * }</pre>
 *
 * @param data targets, task, features and scaling
 * @param hidden widths of the hidden layers {@code 0..n−1} (may be empty: a linear model)
 * @param activation {@code φᵐ} of every hidden layer
 * @param outputActivation {@code φⁿ}, or {@code null} for the default of the task and loss
 *     (see {@link #outputActivationFor})
 * @param init weight initialiser; {@link Init#DEFAULT} picks per activation
 * @param training loss, optimizer, epochs, batches, seed (which also seeds the weights): the
 *     choices made, the rest resolved by {@link Defaults} for the task ({@link #options})
 * @param weights row weights of the loss: a sample-weight column and class weights
 *     ({@link RowWeights#NONE}: every row weighs 1)
 * @param biasInit how a new network's biases start ({@link Defaults#BIAS_INIT})
 */
public record ModelSpec(DataSpec data, List<Integer> hidden, Activation activation, Activation outputActivation,
                        Init init, TrainingSpec training, RowWeights weights, BiasInit biasInit) {

    /** A spec whose rows all weigh 1 and whose biases start as {@link Defaults#BIAS_INIT}. */
    public ModelSpec(DataSpec data, List<Integer> hidden, Activation activation, Activation outputActivation,
                     Init init, TrainingSpec training) {
        this(data, hidden, activation, outputActivation, init, training, RowWeights.NONE);
    }

    /** A spec whose biases start as {@link Defaults#BIAS_INIT}. */
    public ModelSpec(DataSpec data, List<Integer> hidden, Activation activation, Activation outputActivation,
                     Init init, TrainingSpec training, RowWeights weights) {
        this(data, hidden, activation, outputActivation, init, training, weights, Defaults.BIAS_INIT);
    }

    public ModelSpec {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(data, "data");
        hidden = List.copyOf(hidden);
        for (int width : hidden) {
            if (width < 1) {
                throw new IllegalArgumentException("hidden layer widths must be at least 1, got " + hidden);
            }
        }
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(biasInit, "biasInit");
        Objects.requireNonNull(training, "training");
    }

    /**
     * The defaults of {@code gradus train}: hidden layers {@link Defaults#HIDDEN} of
     * {@link Defaults#ACTIVATION}, the output activation and every training choice left to
     * {@link Defaults}, standard scaling, the last column as target with the task inferred.
     */
    public static ModelSpec defaults() {
        return new ModelSpec(DataSpec.defaults(), Defaults.HIDDEN, Defaults.ACTIVATION, null, Defaults.INIT,
                TrainingSpec.defaults(), RowWeights.NONE);
    }

    /** Defaults, classifying the column {@code target}. */
    public static ModelSpec classification(String target) {
        return defaults().withData(DataSpec.classification(target));
    }

    /** Defaults, regressing the columns {@code targets}. */
    public static ModelSpec regression(String... targets) {
        return defaults().withData(DataSpec.regression(targets));
    }

    /**
     * The output activation {@code φⁿ}: the chosen one, or {@link Defaults#outputActivation}
     * for the task and loss.
     */
    public Activation outputActivationFor(Task task, Loss loss) {
        return outputActivation != null ? outputActivation : Defaults.outputActivation(task, loss);
    }

    /**
     * The training options for {@code task}: the choices of {@link #training()}, the rest
     * resolved by {@link Defaults#resolve}.
     *
     * @param validationRows whether the run scores separate validation rows
     * @param rows the rows it trains on (a validation fraction's rows included)
     */
    public TrainingOptions options(Task task, boolean validationRows, int rows) {
        return training.resolve(task, validationRows, rows);
    }

    public ModelSpec withData(DataSpec value) {
        return new ModelSpec(value, hidden, activation, outputActivation, init, training, weights, biasInit);
    }

    public ModelSpec withScaling(Scaling value) {
        return withData(data.withScaling(value));
    }

    public ModelSpec withHidden(List<Integer> value) {
        return new ModelSpec(data, value, activation, outputActivation, init, training, weights, biasInit);
    }

    public ModelSpec withActivation(Activation value) {
        return new ModelSpec(data, hidden, value, outputActivation, init, training, weights, biasInit);
    }

    public ModelSpec withOutputActivation(Activation value) {
        return new ModelSpec(data, hidden, activation, value, init, training, weights, biasInit);
    }

    public ModelSpec withInit(Init value) {
        return new ModelSpec(data, hidden, activation, outputActivation, value, training, weights, biasInit);
    }

    /** How the biases of a new network start ({@code gradus train --bias-init}). */
    public ModelSpec withBiasInit(BiasInit value) {
        return new ModelSpec(data, hidden, activation, outputActivation, init, training, weights, value);
    }

    public ModelSpec withTraining(TrainingSpec value) {
        return new ModelSpec(data, hidden, activation, outputActivation, init, value, weights, biasInit);
    }

    /**
     * Row weights for the loss {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}, as {@code gradus train --sample-weight}
     * and {@code --class-weight}.
     */
    public ModelSpec withWeights(RowWeights value) {
        return new ModelSpec(data, hidden, activation, outputActivation, init, training, value, biasInit);
    }

    /** Sample weights from the column {@code column}, as {@code --sample-weight COL}; the column is no feature. */
    public ModelSpec withSampleWeight(String column) {
        return withWeights(weights.withColumn(column));
    }

    /** Class weights, as {@code --class-weight balanced|LABEL=W,…}. */
    public ModelSpec withClassWeight(ClassWeights value) {
        return withWeights(weights.withClasses(value));
    }

    /**
     * The data spec that preprocessing is fitted with: {@link #data()} with the sample-weight
     * column kept out of the features.
     *
     * @throws IllegalArgumentException when the data spec names that column as a feature or target
     */
    public DataSpec fittedData() {
        return weights.excludeFrom(data);
    }

    /** Trains with exactly {@code options}: nothing is left to {@link Defaults}. */
    public ModelSpec withTraining(TrainingOptions options) {
        return withTraining(TrainingSpec.of(options));
    }

    /** A fixed number of epochs, as {@code gradus train --epochs}: the default stopping rule is off. */
    public ModelSpec withEpochs(int value) {
        return withTraining(training.withEpochs(value));
    }

    /** Exactly this optimizer, as {@code gradus train --optimizer}. */
    public ModelSpec withOptimizer(Optimizer value) {
        return withTraining(training.withOptimizer(value));
    }
}

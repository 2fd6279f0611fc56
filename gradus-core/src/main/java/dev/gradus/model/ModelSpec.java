package dev.gradus.model;

import dev.gradus.data.DataSpec;
import dev.gradus.data.Scaling;
import dev.gradus.data.Task;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Init;
import dev.gradus.nn.Loss;
import dev.gradus.train.TrainingOptions;
import java.util.List;
import java.util.Objects;

/**
 * Everything needed to build and train a model from a table: the data spec, the hidden layer
 * widths and activation, the output activation, the weight initialiser and the training options.
 *
 * <pre>{@code
 * ModelSpec spec = ModelSpec.classification("label")
 *         .withHidden(List.of(32))
 *         .withTraining(TrainingOptions.defaults().withEpochs(200));
 * }</pre>
 *
 * @param data targets, task, features and scaling
 * @param hidden widths of the hidden layers {@code 0..n−1} (may be empty: a linear model)
 * @param activation {@code φᵐ} of every hidden layer
 * @param outputActivation {@code φⁿ}, or {@code null} for the default of the task and loss
 *     (see {@link #outputActivationFor})
 * @param init weight initialiser; {@link Init#DEFAULT} picks per activation
 * @param training loss, optimizer, epochs, batches, seed (which also seeds the weights)
 */
public record ModelSpec(DataSpec data, List<Integer> hidden, Activation activation, Activation outputActivation,
                        Init init, TrainingOptions training) {

    public ModelSpec {
        Objects.requireNonNull(data, "data");
        hidden = List.copyOf(hidden);
        for (int width : hidden) {
            if (width < 1) {
                throw new IllegalArgumentException("hidden layer widths must be at least 1, got " + hidden);
            }
        }
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(training, "training");
    }

    /** One hidden layer of 32 ReLU units, standard scaling, default training options. */
    public static ModelSpec defaults() {
        return new ModelSpec(DataSpec.defaults(), List.of(32), Activation.RELU, null, Init.DEFAULT,
                TrainingOptions.defaults());
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
     * The output activation {@code φⁿ}: the chosen one, or the default for the task and loss —
     * the loss's fused activation (softmax for cross-entropy, sigmoid for bce), sigmoid for
     * other classification losses, identity for regression.
     */
    public Activation outputActivationFor(Task task, Loss loss) {
        if (outputActivation != null) {
            return outputActivation;
        }
        if (loss.fusedActivation() != null) {
            return loss.fusedActivation();
        }
        return task == Task.CLASSIFICATION ? Activation.SIGMOID : Activation.IDENTITY;
    }

    public ModelSpec withData(DataSpec value) {
        return new ModelSpec(value, hidden, activation, outputActivation, init, training);
    }

    public ModelSpec withScaling(Scaling value) {
        return withData(data.withScaling(value));
    }

    public ModelSpec withHidden(List<Integer> value) {
        return new ModelSpec(data, value, activation, outputActivation, init, training);
    }

    public ModelSpec withActivation(Activation value) {
        return new ModelSpec(data, hidden, value, outputActivation, init, training);
    }

    public ModelSpec withOutputActivation(Activation value) {
        return new ModelSpec(data, hidden, activation, value, init, training);
    }

    public ModelSpec withInit(Init value) {
        return new ModelSpec(data, hidden, activation, outputActivation, value, training);
    }

    public ModelSpec withTraining(TrainingOptions value) {
        return new ModelSpec(data, hidden, activation, outputActivation, init, value);
    }
}

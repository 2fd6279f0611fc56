package dev.gradus.train;

import dev.gradus.data.Task;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every default of a training run, in one place: what {@code gradus train}, {@code gradus-spark
 * train} and the Java API ({@link TrainingSpec}, and through it {@code ModelSpec} and
 * {@code Model.fit}) use for each choice the user leaves unset. Change a default here and every
 * front end follows. (The data defaults — last column as target, task inferred, standard
 * scaling — are {@code DataSpec.defaults()}.)
 *
 * <table>
 *   <caption>The defaults</caption>
 *   <tr><th>choice</th><th>default</th></tr>
 *   <tr><td>hidden layers</td><td>{@link #HIDDEN} (one layer of 32), {@link #ACTIVATION} (ReLU)</td></tr>
 *   <tr><td>loss</td><td>{@link #loss(Task)}: cross-entropy for classification, the seed's ℓ2 for regression</td></tr>
 *   <tr><td>output activation</td><td>{@link #outputActivation(Task, Loss)}: the loss's own, else sigmoid
 *       (classification) or identity (regression)</td></tr>
 *   <tr><td>optimizer</td><td>{@link #OPTIMIZER} with PyTorch's hyperparameters; for regression with
 *       weight decay {@link #REGRESSION_WEIGHT_DECAY}</td></tr>
 *   <tr><td>batch size</td><td>{@link #BATCH_SIZE}; 0 (full batch) for a {@link Optimizer#fullBatch()} method</td></tr>
 *   <tr><td>epochs and stopping</td><td>up to {@link #MAX_EPOCHS}, stopping once the monitored value has not
 *       improved for {@link #PATIENCE} epochs — the training loss by at least {@link #TRAIN_LOSS_MIN_DELTA}
 *       (scikit-learn's rule), or the validation loss when there are validation rows; a chosen number of
 *       epochs turns this rule off</td></tr>
 *   <tr><td>seed</td><td>{@link #SEED}</td></tr>
 * </table>
 *
 * <p>The seed's own plain setting (ℓ2, plain SGD, a fixed number of epochs) is
 * {@link TrainingOptions#plain()}, which resolves nothing.
 */
public final class Defaults {

    private Defaults() {
    }

    /** Widths of the hidden layers of a new network. */
    public static final List<Integer> HIDDEN = List.of(32);

    /** The activation {@code φᵐ} of every hidden layer of a new network. */
    public static final Activation ACTIVATION = Activation.RELU;

    /** The optimizer, by its {@link Optimizer#of} name, with PyTorch's hyperparameters. */
    public static final String OPTIMIZER = "adam";

    /**
     * The weight decay of the default optimizer for regression. Small tabular regressions
     * overfit without it, as ridge regression knows (scikit-learn's reference MLP uses
     * {@code alpha = 1.0}). A chosen optimizer gets exactly the hyperparameters given.
     */
    public static final double REGRESSION_WEIGHT_DECAY = 0.1;

    /** Rows per step for optimizers that take mini-batches. */
    public static final int BATCH_SIZE = 32;

    /** The most epochs when no number of epochs is chosen (the stopping rule usually ends sooner). */
    public static final int MAX_EPOCHS = 500;

    /** Epochs without improvement before the default stopping rule ends training. */
    public static final int PATIENCE = 10;

    /** The least fall of the training loss that counts as an improvement (scikit-learn's {@code tol}). */
    public static final double TRAIN_LOSS_MIN_DELTA = 1e-4;

    /** The seed of the weights, shuffling, splits and dropout, fixed so that identical runs agree. */
    public static final long SEED = 42L;

    /** The loss {@code ℓ} for {@code task}: cross-entropy (softmax outputs) or the seed's ℓ2. */
    public static Loss loss(Task task) {
        return task == Task.CLASSIFICATION ? Loss.CROSS_ENTROPY : Loss.MSE;
    }

    /**
     * The output activation {@code φⁿ} for {@code task} and {@code loss}: the loss's fused
     * activation (softmax for cross-entropy, sigmoid for bce), sigmoid for other classification
     * losses, identity for regression.
     */
    public static Activation outputActivation(Task task, Loss loss) {
        if (loss.fusedActivation() != null) {
            return loss.fusedActivation();
        }
        return task == Task.CLASSIFICATION ? Activation.SIGMOID : Activation.IDENTITY;
    }

    /**
     * The default optimizer for {@code task} with {@code hyperparameters} (keys of
     * {@link Optimizer#of}, e.g. {@code lr}); regression adds {@link #REGRESSION_WEIGHT_DECAY}
     * unless a weight decay is given.
     *
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public static Optimizer optimizer(Task task, Map<String, String> hyperparameters) {
        Map<String, String> h = new LinkedHashMap<>(hyperparameters);
        if (task == Task.REGRESSION && !h.containsKey("weight_decay") && !h.containsKey("weight-decay")) {
            h.put("weight_decay", Double.toString(REGRESSION_WEIGHT_DECAY));
        }
        return Optimizer.of(OPTIMIZER, h);
    }

    /**
     * The options a run trains with: every choice {@code spec} leaves unset resolved for
     * {@code task}, and for whether the run has validation rows ({@code validationRows}, or a
     * validation fraction in {@code spec}).
     *
     * <p>Early stopping is on when {@code patience} is chosen above 0, and otherwise when no
     * number of epochs is chosen or a monitor or min delta is (patience {@link #PATIENCE}). It
     * watches the validation loss when there are validation rows (keeping the best epoch's
     * weights), else the training loss (min delta {@link #TRAIN_LOSS_MIN_DELTA}, the last
     * weights kept, as scikit-learn does).
     *
     * @throws IllegalArgumentException when a full-batch optimizer is given a batch size, or the
     *     monitor is not one this task records
     */
    public static TrainingOptions resolve(TrainingSpec spec, Task task, boolean validationRows) {
        Loss loss = spec.loss().orElseGet(() -> loss(task));
        Optimizer optimizer = spec.optimizer().orElseGet(() -> optimizer(task, spec.hyperparameters()));
        int batchSize = spec.batchSize().orElse(optimizer.fullBatch() ? 0 : BATCH_SIZE);
        if (optimizer.fullBatch() && batchSize != 0) {
            throw new IllegalArgumentException("optimizer " + optimizer.name() + " works on the full batch; leave "
                    + "the batch size unset or give 0, got " + batchSize);
        }
        boolean validating = validationRows || spec.validationFraction() > 0;
        String monitor = spec.monitor().orElse(validating ? "loss" : TrainingOptions.TRAIN_LOSS);
        boolean watchTraining = monitor.equals(TrainingOptions.TRAIN_LOSS);
        boolean stopping = spec.patience().isPresent() ? spec.patience().getAsInt() > 0
                : spec.epochs().isEmpty() || spec.monitor().isPresent() || spec.minDelta().isPresent();
        int epochs = spec.epochs().orElse(MAX_EPOCHS);
        Schedule schedule = spec.schedule().map(s -> Schedule.parse(s, Math.max(1, epochs))).orElse(Schedule.CONSTANT);
        List<ValidationMetric> metrics = spec.metrics().orElse(
                task == Task.CLASSIFICATION ? List.of(ValidationMetric.ACCURACY) : List.of());
        return new TrainingOptions(loss, optimizer, epochs, batchSize, spec.shuffle(), spec.seed(), spec.threads(),
                schedule, spec.clipNorm(), spec.dropout(), spec.validationFraction(),
                spec.patience().orElse(stopping ? PATIENCE : 0), monitor, metrics,
                spec.restoreBest().orElse(!watchTraining),
                spec.minDelta().orElse(watchTraining ? TRAIN_LOSS_MIN_DELTA : 0));
    }
}

package dev.gradus.train;

import dev.gradus.data.Task;
import dev.gradus.nn.Activation;
import dev.gradus.nn.BiasInit;
import dev.gradus.nn.Init;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
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
 *   <tr><td>hidden layers</td><td>{@link #HIDDEN} (one layer of 100), {@link #ACTIVATION} (ReLU)</td></tr>
 *   <tr><td>loss</td><td>{@link #loss(Task)}: cross-entropy for classification, the seed's ℓ2 for regression</td></tr>
 *   <tr><td>output activation</td><td>{@link #outputActivation(Task, Loss)}: the loss's own, else sigmoid
 *       (classification) or identity (regression)</td></tr>
 *   <tr><td>initial biases</td><td>{@link #BIAS_INIT}: drawn from the weights' bound, as scikit-learn draws them</td></tr>
 *   <tr><td>optimizer</td><td>{@link #OPTIMIZER} with PyTorch's hyperparameters, no weight decay</td></tr>
 *   <tr><td>batch size</td><td>classification {@link #BATCH_SIZE}; regression {@code min(}{@link #REGRESSION_BATCH_SIZE}{@code , N)}
 *       (scikit-learn's); 0 (full batch) for a {@link Optimizer#fullBatch()} method</td></tr>
 *   <tr><td>epochs and stopping</td><td>up to {@link #MAX_EPOCHS} (regression {@link #REGRESSION_MAX_EPOCHS}),
 *       stopping once the monitored value has not improved for {@link #PATIENCE} epochs — the training loss by
 *       at least {@link #minDelta(Task)} (scikit-learn's rule), or the validation loss when there are validation
 *       rows; a chosen number of epochs turns this rule off</td></tr>
 *   <tr><td>seed</td><td>{@link #SEED}</td></tr>
 * </table>
 *
 * <p>The seed's own plain setting (ℓ2, plain SGD, a fixed number of epochs) is
 * {@link TrainingOptions#plain()}, which resolves nothing.
 */
public final class Defaults {

    private Defaults() {
    }

    /** Widths of the hidden layers of a new network: one layer of 100, as scikit-learn's MLPs. */
    public static final List<Integer> HIDDEN = List.of(100);

    /** The activation {@code φᵐ} of every hidden layer of a new network. */
    public static final Activation ACTIVATION = Activation.RELU;

    /**
     * The initialiser of a new network's weights: Glorot's uniform bound for every layer, as
     * scikit-learn and Keras draw them. Over the datasets of {@code scripts/defaults_datasets.py}
     * it beat He's bound on small tables (iris, wine, cars, seattle_weather) and matched it
     * elsewhere; see {@code docs/quality.md}.
     */
    public static final Init INIT = Init.XAVIER_UNIFORM;

    /**
     * How a new network's biases start: {@link BiasInit#UNIFORM}, {@code bᵐ ~ U(−a, a)} with the
     * layer's weight bound {@code a}, as scikit-learn draws them. With zero biases every ReLU
     * unit's kink starts at the origin of the standardised inputs; on regressions with few
     * inputs that cost up to 0.008 R² against scikit-learn (engel, one input: 0.859 against
     * 0.866), and drawn biases closed the gap; see {@code docs/quality.md}.
     */
    public static final BiasInit BIAS_INIT = BiasInit.UNIFORM;

    /** The optimizer, by its {@link Optimizer#of} name, with PyTorch's hyperparameters. */
    public static final String OPTIMIZER = "adam";

    /**
     * For classification from this many training rows on, the default stopping rule holds out
     * {@link #VALIDATION_FRACTION} of them (at least 200 rows) and stops on their loss, keeping
     * the best epoch's weights; below it, and for regression at every size, it watches the
     * training loss (scikit-learn's rule). On noisy classification (fair, 4,774 rows) the
     * training-loss rule overfits a 100-unit network; on noisy regression (randhie, 15,142 rows)
     * the held-out tenth cost 0.007 R² against scikit-learn's budget on all rows.
     */
    public static final int VALIDATION_MIN_ROWS = 2000;

    /** The share of the training rows held out by the default stopping rule from {@link #VALIDATION_MIN_ROWS} rows on. */
    public static final double VALIDATION_FRACTION = 0.1;

    /** Rows per step for optimizers that take mini-batches, in classification. */
    public static final int BATCH_SIZE = 32;

    /**
     * Rows per step in regression: {@code min(200, N)}, scikit-learn's {@code batch_size="auto"}.
     * With {@link #REGRESSION_MAX_EPOCHS} this bounds the steps of a small regression (diabetes,
     * 331 rows: at most 400), which regularises it as scikit-learn's budget does.
     */
    public static final int REGRESSION_BATCH_SIZE = 200;

    /** The most epochs when no number of epochs is chosen, in classification (the stopping rule usually ends sooner). */
    public static final int MAX_EPOCHS = 500;

    /** The most epochs of a regression when no number of epochs is chosen: scikit-learn's {@code max_iter=200}. */
    public static final int REGRESSION_MAX_EPOCHS = 200;

    /** Epochs without improvement before the default stopping rule ends training. */
    public static final int PATIENCE = 10;

    /**
     * The least fall of the training loss that counts as an improvement in classification:
     * scikit-learn's {@code tol}, on the same cross-entropy. See {@link #minDelta(Task)}.
     */
    public static final double TRAIN_LOSS_MIN_DELTA = 1e-4;

    /** The least fall of the training loss that counts in regression: scikit-learn's {@code tol} on the seed's ℓ2. */
    public static final double REGRESSION_TRAIN_LOSS_MIN_DELTA = 2e-4;

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
     * The default optimizer with {@code hyperparameters} (keys of {@link Optimizer#of}, e.g.
     * {@code lr}).
     *
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public static Optimizer optimizer(Map<String, String> hyperparameters) {
        return Optimizer.of(OPTIMIZER, hyperparameters);
    }

    /** The default rows per step for {@code task} on {@code rows} training rows (see {@link #REGRESSION_BATCH_SIZE}). */
    public static int batchSize(Task task, int rows) {
        return task == Task.REGRESSION ? Math.max(1, Math.min(REGRESSION_BATCH_SIZE, rows)) : BATCH_SIZE;
    }

    /** The default most epochs for {@code task}: {@link #MAX_EPOCHS}, or {@link #REGRESSION_MAX_EPOCHS}. */
    public static int maxEpochs(Task task) {
        return task == Task.REGRESSION ? REGRESSION_MAX_EPOCHS : MAX_EPOCHS;
    }

    /**
     * The least fall of the training loss that counts in the default stopping rule: scikit-learn's
     * {@code tol = 1e-4} on the scale of its loss. For classification both losses are the mean
     * cross-entropy ({@link #TRAIN_LOSS_MIN_DELTA}); scikit-learn's regression loss is half the
     * mean squared error, the seed's ℓ2 of one target twice it, so regression stops on
     * {@link #REGRESSION_TRAIN_LOSS_MIN_DELTA}.
     */
    public static double minDelta(Task task) {
        return task == Task.REGRESSION ? REGRESSION_TRAIN_LOSS_MIN_DELTA : TRAIN_LOSS_MIN_DELTA;
    }

    /**
     * The options a run trains with: every choice {@code spec} leaves unset resolved for
     * {@code task}, for whether the run has validation rows ({@code validationRows}, or a
     * validation fraction in {@code spec}), and for the {@code rows} it trains on (validation
     * rows held out by a fraction included).
     *
     * <p>Early stopping is on when {@code patience} is chosen above 0, and otherwise when no
     * number of epochs is chosen or a monitor or min delta is (patience {@link #PATIENCE}). It
     * watches the validation loss when there are validation rows (keeping the best epoch's
     * weights), else the training loss (min delta {@link #minDelta(Task)}, the last weights
     * kept, as scikit-learn does). With no validation rows, no epochs and no monitor chosen and
     * early stopping on, a classification of {@code rows ≥ }{@link #VALIDATION_MIN_ROWS} holds
     * out {@link #VALIDATION_FRACTION} of the rows and watches their loss.
     *
     * @throws IllegalArgumentException when a full-batch optimizer is given a batch size, or the
     *     monitor is not one this task records
     */
    public static TrainingOptions resolve(TrainingSpec spec, Task task, boolean validationRows, int rows) {
        Loss loss = spec.loss().orElseGet(() -> loss(task));
        Optimizer optimizer = spec.optimizer().orElseGet(() -> optimizer(spec.hyperparameters()));
        int batchSize = spec.batchSize().orElse(optimizer.fullBatch() ? 0 : batchSize(task, rows));
        if (optimizer.fullBatch() && batchSize != 0) {
            throw new IllegalArgumentException("optimizer " + optimizer.name() + " works on the full batch; leave "
                    + "the batch size unset or give 0, got " + batchSize);
        }
        boolean defaultRule = spec.epochs().isEmpty() && spec.monitor().isEmpty()
                && (spec.patience().isEmpty() || spec.patience().getAsInt() > 0);
        double validationFraction = spec.validationFraction() == 0 && !validationRows && defaultRule
                && task == Task.CLASSIFICATION && rows >= VALIDATION_MIN_ROWS ? VALIDATION_FRACTION
                : spec.validationFraction();
        boolean validating = validationRows || validationFraction > 0;
        String monitor = spec.monitor().orElse(validating ? "loss" : TrainingOptions.TRAIN_LOSS);
        boolean watchTraining = monitor.equals(TrainingOptions.TRAIN_LOSS);
        boolean stopping = spec.patience().isPresent() ? spec.patience().getAsInt() > 0
                : spec.epochs().isEmpty() || spec.monitor().isPresent() || spec.minDelta().isPresent();
        int epochs = spec.epochs().orElse(maxEpochs(task));
        Schedule schedule = spec.schedule().map(s -> Schedule.parse(s, Math.max(1, epochs))).orElse(Schedule.CONSTANT);
        List<ValidationMetric> metrics = spec.metrics().orElse(
                task == Task.CLASSIFICATION ? List.of(ValidationMetric.ACCURACY) : List.of());
        return new TrainingOptions(loss, optimizer, epochs, batchSize, spec.shuffle(), spec.seed(), spec.threads(),
                schedule, spec.clipNorm(), spec.dropout(), validationFraction,
                spec.patience().orElse(stopping ? PATIENCE : 0), monitor, metrics,
                spec.restoreBest().orElse(!watchTraining),
                spec.minDelta().orElse(watchTraining ? minDelta(task) : 0));
    }
}

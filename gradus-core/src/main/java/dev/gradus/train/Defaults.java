package dev.gradus.train;

import dev.gradus.data.Task;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Init;
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
 *   <tr><td>hidden layers</td><td>{@link #HIDDEN} (one layer of 100), {@link #ACTIVATION} (ReLU)</td></tr>
 *   <tr><td>loss</td><td>{@link #loss(Task)}: cross-entropy for classification, the seed's ℓ2 for regression</td></tr>
 *   <tr><td>output activation</td><td>{@link #outputActivation(Task, Loss)}: the loss's own, else sigmoid
 *       (classification) or identity (regression)</td></tr>
 *   <tr><td>optimizer</td><td>{@link #OPTIMIZER} with PyTorch's hyperparameters; for regression with
 *       weight decay {@link #REGRESSION_WEIGHT_DECAY_ROWS} / N (N training rows)</td></tr>
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

    /** Widths of the hidden layers of a new network: one layer of 100, as scikit-learn's MLPs. */
    public static final List<Integer> HIDDEN = List.of(100);

    /** The activation {@code φᵐ} of every hidden layer of a new network. */
    public static final Activation ACTIVATION = Activation.RELU;

    /**
     * The initialiser of a new network's weights: Glorot's uniform bound for every layer, as
     * scikit-learn and Keras draw them (biases start at 0). Over the datasets of
     * {@code scripts/defaults_datasets.py} it beat He's bound on small tables (iris, wine, cars,
     * seattle_weather) and matched it elsewhere; see {@code docs/quality.md}.
     */
    public static final Init INIT = Init.XAVIER_UNIFORM;

    /** The optimizer, by its {@link Optimizer#of} name, with PyTorch's hyperparameters. */
    public static final String OPTIMIZER = "adam";

    /**
     * The weight decay of the default optimizer for regression is this number divided by the
     * training rows, {@code λ = 10 / N}: the L2 penalty of a fixed Gaussian prior on θ, whose
     * weight in the mean loss shrinks as rows accumulate. Small tabular regressions overfit
     * without it (diabetes, 331 rows: λ ≈ 0.03), while a fixed λ = 0.1 cost up to 4.7 points of
     * R² on 40,000 rows. A chosen optimizer, or a chosen weight decay, gets exactly what is given.
     */
    public static final double REGRESSION_WEIGHT_DECAY_ROWS = 10;

    /**
     * From this many training rows on, the default stopping rule holds out
     * {@link #VALIDATION_FRACTION} of them (at least 200 rows) and stops on their loss, keeping
     * the best epoch's weights; below it, it watches the training loss (scikit-learn's rule).
     * On noisy data (fair, 4,774 rows) the training-loss rule overfits a 100-unit network.
     */
    public static final int VALIDATION_MIN_ROWS = 2000;

    /** The share of the training rows held out by the default stopping rule from {@link #VALIDATION_MIN_ROWS} rows on. */
    public static final double VALIDATION_FRACTION = 0.1;

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
     * {@link Optimizer#of}, e.g. {@code lr}); regression adds {@link #regressionWeightDecay}
     * unless a weight decay is given.
     *
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public static Optimizer optimizer(Task task, Map<String, String> hyperparameters, int rows) {
        Map<String, String> h = new LinkedHashMap<>(hyperparameters);
        if (task == Task.REGRESSION && !h.containsKey("weight_decay") && !h.containsKey("weight-decay")) {
            h.put("weight_decay", Double.toString(regressionWeightDecay(rows)));
        }
        return Optimizer.of(OPTIMIZER, h);
    }

    /** The default weight decay for regression on {@code rows} training rows: {@link #REGRESSION_WEIGHT_DECAY_ROWS} / rows. */
    public static double regressionWeightDecay(int rows) {
        return REGRESSION_WEIGHT_DECAY_ROWS / Math.max(1, rows);
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
     * weights), else the training loss (min delta {@link #TRAIN_LOSS_MIN_DELTA}, the last
     * weights kept, as scikit-learn does). With no validation rows, no epochs and no monitor
     * chosen and early stopping on, {@code rows ≥ }{@link #VALIDATION_MIN_ROWS} hold out
     * {@link #VALIDATION_FRACTION} of the rows and watch their loss.
     *
     * @throws IllegalArgumentException when a full-batch optimizer is given a batch size, or the
     *     monitor is not one this task records
     */
    public static TrainingOptions resolve(TrainingSpec spec, Task task, boolean validationRows, int rows) {
        Loss loss = spec.loss().orElseGet(() -> loss(task));
        Optimizer optimizer = spec.optimizer().orElseGet(() -> optimizer(task, spec.hyperparameters(), rows));
        int batchSize = spec.batchSize().orElse(optimizer.fullBatch() ? 0 : BATCH_SIZE);
        if (optimizer.fullBatch() && batchSize != 0) {
            throw new IllegalArgumentException("optimizer " + optimizer.name() + " works on the full batch; leave "
                    + "the batch size unset or give 0, got " + batchSize);
        }
        boolean defaultRule = spec.epochs().isEmpty() && spec.monitor().isEmpty()
                && (spec.patience().isEmpty() || spec.patience().getAsInt() > 0);
        double validationFraction = spec.validationFraction() == 0 && !validationRows && defaultRule
                && rows >= VALIDATION_MIN_ROWS ? VALIDATION_FRACTION : spec.validationFraction();
        boolean validating = validationRows || validationFraction > 0;
        String monitor = spec.monitor().orElse(validating ? "loss" : TrainingOptions.TRAIN_LOSS);
        boolean watchTraining = monitor.equals(TrainingOptions.TRAIN_LOSS);
        boolean stopping = spec.patience().isPresent() ? spec.patience().getAsInt() > 0
                : spec.epochs().isEmpty() || spec.monitor().isPresent() || spec.minDelta().isPresent();
        int epochs = spec.epochs().orElse(MAX_EPOCHS);
        Schedule schedule = spec.schedule().map(s -> Schedule.parse(s, Math.max(1, epochs))).orElse(Schedule.CONSTANT);
        List<ValidationMetric> metrics = spec.metrics().orElse(
                task == Task.CLASSIFICATION ? List.of(ValidationMetric.ACCURACY) : List.of());
        return new TrainingOptions(loss, optimizer, epochs, batchSize, spec.shuffle(), spec.seed(), spec.threads(),
                schedule, spec.clipNorm(), spec.dropout(), validationFraction,
                spec.patience().orElse(stopping ? PATIENCE : 0), monitor, metrics,
                spec.restoreBest().orElse(!watchTraining),
                spec.minDelta().orElse(watchTraining ? TRAIN_LOSS_MIN_DELTA : 0));
    }
}

package dev.gradus.train;

import dev.gradus.data.Task;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * How to train, as the user chose it: each choice is either made or explicitly unset, and an
 * unset one is resolved by {@link Defaults} once the task and the data are known
 * ({@link #resolve}). {@code withEpochs(n)} means what {@code gradus train --epochs n} means
 * (a fixed number of epochs, the default stopping rule off), {@code withOptimizer(o)} what
 * {@code --optimizer} means (that optimizer exactly, no regression weight decay added), and so
 * on: a spec with nothing chosen trains as {@code gradus train} with no training flags.
 *
 * <pre>{@code
 * TrainingSpec spec = TrainingSpec.defaults().withEpochs(200);      // as --epochs 200
 * TrainingOptions options = spec.resolve(Task.CLASSIFICATION, false, 1000);
 * // cross-entropy, Adam, 200 epochs, batches of 32, no early stopping
 * }</pre>
 *
 * <p>{@link #of(TrainingOptions)} chooses everything, so that concrete options (such as the
 * seed's {@link TrainingOptions#plain()}) train exactly as given.
 *
 * @param loss the loss {@code ℓ} (what {@code --loss} chooses); empty = the policy's
 * @param optimizer the update rule, used exactly as given (what {@code --optimizer} with its
 *     hyperparameter flags chooses); empty = the policy's
 * @param hyperparameters hyperparameters of the default optimizer, by the keys of
 *     {@link Optimizer#of} (e.g. {@code lr}); only while no optimizer is chosen
 * @param epochs passes over the data (what {@code --epochs} chooses: it also turns the default
 *     stopping rule off); empty = the policy's
 * @param batchSize rows per step, 0 = full batch; empty = the policy's
 * @param schedule the learning-rate schedule as {@link Schedule#parse} reads it, with the
 *     resolved epochs as its length; empty = constant
 * @param shuffle as {@link TrainingOptions#shuffle()}
 * @param seed as {@link TrainingOptions#seed()}
 * @param threads as {@link TrainingOptions#threads()}
 * @param clipNorm as {@link TrainingOptions#clipNorm()}
 * @param dropout as {@link TrainingOptions#dropout()}
 * @param validationFraction as {@link TrainingOptions#validationFraction()}
 * @param patience epochs without improvement before stopping; 0 = never stop early; empty = the policy's
 * @param monitor what early stopping watches ({@code loss}, {@code train_loss} or a metric's
 *     name); empty = the policy's
 * @param metrics scored on the validation rows after every epoch; empty = the policy's
 * @param restoreBest whether early stopping returns the best epoch's weights; empty = the policy's
 * @param minDelta the least change of the monitor that counts as an improvement; empty = the policy's
 */
public record TrainingSpec(Optional<Loss> loss, Optional<Optimizer> optimizer, Map<String, String> hyperparameters,
                           OptionalInt epochs, OptionalInt batchSize, Optional<String> schedule, boolean shuffle,
                           long seed, int threads, double clipNorm, double dropout, double validationFraction,
                           OptionalInt patience, Optional<String> monitor, Optional<List<ValidationMetric>> metrics,
                           Optional<Boolean> restoreBest, OptionalDouble minDelta) {

    public TrainingSpec {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        Objects.requireNonNull(epochs, "epochs");
        Objects.requireNonNull(batchSize, "batchSize");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(patience, "patience");
        Objects.requireNonNull(monitor, "monitor");
        metrics = metrics.map(List::copyOf);
        Objects.requireNonNull(restoreBest, "restoreBest");
        Objects.requireNonNull(minDelta, "minDelta");
        if (optimizer.isPresent() && !hyperparameters.isEmpty()) {
            throw new IllegalArgumentException("hyperparameters " + hyperparameters + " are for the default optimizer;"
                    + " give them to the chosen optimizer " + optimizer.get() + " instead");
        }
        if (!hyperparameters.isEmpty()) {
            Optimizer.of(Defaults.OPTIMIZER, hyperparameters);      // fails now, naming a bad key or value
        }
        TrainingOptions.checkRanges(epochs.orElse(0), batchSize.orElse(0), threads, clipNorm, dropout,
                validationFraction, patience.orElse(0), minDelta.orElse(0));
    }

    /**
     * Nothing chosen: every choice is the policy's ({@link Defaults}), as {@code gradus train}
     * without training flags; shuffled, seed {@link Defaults#SEED}, all cores, no clipping,
     * dropout or validation fraction.
     */
    public static TrainingSpec defaults() {
        return new TrainingSpec(Optional.empty(), Optional.empty(), Map.of(), OptionalInt.empty(), OptionalInt.empty(),
                Optional.empty(), true, Defaults.SEED, Runtime.getRuntime().availableProcessors(), 0, 0, 0,
                OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalDouble.empty());
    }

    /** Everything chosen as in {@code options}: {@link #resolve} gives {@code options} back. */
    public static TrainingSpec of(TrainingOptions o) {
        return new TrainingSpec(Optional.of(o.loss()), Optional.of(o.optimizer()), Map.of(), OptionalInt.of(o.epochs()),
                OptionalInt.of(o.batchSize()), Optional.of(o.schedule().toString()), o.shuffle(), o.seed(), o.threads(),
                o.clipNorm(), o.dropout(), o.validationFraction(), OptionalInt.of(o.patience()),
                Optional.of(o.monitor()), Optional.of(o.metrics()), Optional.of(o.restoreBest()),
                OptionalDouble.of(o.minDelta()));
    }

    /**
     * The options to train with for {@code task}: {@link Defaults#resolve}.
     *
     * @param validationRows whether the run scores separate validation rows
     * @param rows the rows the run trains on (a validation fraction's rows included)
     */
    public TrainingOptions resolve(Task task, boolean validationRows, int rows) {
        return Defaults.resolve(this, task, validationRows, rows);
    }

    /** Chooses {@code schedule}; it is stored as its text and read back with the resolved epochs. */
    public TrainingSpec withSchedule(Schedule value) {
        return withSchedule(value.toString());
    }

    /** Chooses {@code loss} (see the record components). */
    public TrainingSpec withLoss(Loss value) {
        return new TrainingSpec(Optional.of(value), optimizer, hyperparameters, epochs, batchSize, schedule,
                shuffle, seed, threads, clipNorm, dropout, validationFraction, patience, monitor, metrics,
                restoreBest, minDelta);
    }

    /** Chooses {@code optimizer} (see the record components). */
    public TrainingSpec withOptimizer(Optimizer value) {
        return new TrainingSpec(loss, Optional.of(value), hyperparameters, epochs, batchSize, schedule, shuffle,
                seed, threads, clipNorm, dropout, validationFraction, patience, monitor, metrics, restoreBest,
                minDelta);
    }

    /** Chooses {@code hyperparameters} (see the record components). */
    public TrainingSpec withHyperparameters(Map<String, String> value) {
        return new TrainingSpec(loss, optimizer, value, epochs, batchSize, schedule, shuffle, seed, threads,
                clipNorm, dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    /** Chooses {@code epochs} (see the record components). */
    public TrainingSpec withEpochs(int value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, OptionalInt.of(value), batchSize, schedule,
                shuffle, seed, threads, clipNorm, dropout, validationFraction, patience, monitor, metrics,
                restoreBest, minDelta);
    }

    /** Chooses {@code batchSize} (see the record components). */
    public TrainingSpec withBatchSize(int value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, OptionalInt.of(value), schedule,
                shuffle, seed, threads, clipNorm, dropout, validationFraction, patience, monitor, metrics,
                restoreBest, minDelta);
    }

    /** Chooses {@code schedule} by its text, e.g. {@code cosine(warmup=5)}. */
    public TrainingSpec withSchedule(String value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, Optional.of(value),
                shuffle, seed, threads, clipNorm, dropout, validationFraction, patience, monitor, metrics,
                restoreBest, minDelta);
    }

    public TrainingSpec withShuffle(boolean value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, value, seed,
                threads, clipNorm, dropout, validationFraction, patience, monitor, metrics, restoreBest,
                minDelta);
    }

    public TrainingSpec withSeed(long value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, value,
                threads, clipNorm, dropout, validationFraction, patience, monitor, metrics, restoreBest,
                minDelta);
    }

    public TrainingSpec withThreads(int value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                value, clipNorm, dropout, validationFraction, patience, monitor, metrics, restoreBest,
                minDelta);
    }

    public TrainingSpec withClipNorm(double value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, value, dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingSpec withDropout(double value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, value, validationFraction, patience, monitor, metrics, restoreBest,
                minDelta);
    }

    public TrainingSpec withValidationFraction(double value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, dropout, value, patience, monitor, metrics, restoreBest, minDelta);
    }

    /** Chooses {@code patience} (see the record components). */
    public TrainingSpec withPatience(int value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, dropout, validationFraction, OptionalInt.of(value), monitor, metrics,
                restoreBest, minDelta);
    }

    /** Chooses {@code monitor} (see the record components). */
    public TrainingSpec withMonitor(String value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, dropout, validationFraction, patience, Optional.of(value), metrics,
                restoreBest, minDelta);
    }

    /** Chooses {@code metrics} (see the record components). */
    public TrainingSpec withMetrics(List<ValidationMetric> value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, dropout, validationFraction, patience, monitor, Optional.of(value),
                restoreBest, minDelta);
    }

    /** Chooses {@code restoreBest} (see the record components). */
    public TrainingSpec withRestoreBest(boolean value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, dropout, validationFraction, patience, monitor, metrics, Optional.of(value),
                minDelta);
    }

    /** Chooses {@code minDelta} (see the record components). */
    public TrainingSpec withMinDelta(double value) {
        return new TrainingSpec(loss, optimizer, hyperparameters, epochs, batchSize, schedule, shuffle, seed,
                threads, clipNorm, dropout, validationFraction, patience, monitor, metrics, restoreBest,
                OptionalDouble.of(value));
    }
}

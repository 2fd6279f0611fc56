package dev.gradus.train;

import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an epoch loop does at the end of every epoch about the best epoch, early stopping and
 * checkpoints: {@link Trainer}'s rule, kept in one place for every loop that trains epoch by
 * epoch (Spark's model averaging is another).
 *
 * <p>The watched value {@code v} is {@link TrainingOptions#monitor()}: the validation loss, a
 * validation metric, or the training loss ({@code train_loss}). Epoch {@code e} is the new best
 * when it is the first watched epoch or improves on the best by more than
 * {@link TrainingOptions#minDelta()} ({@code v < best − δ}, or {@code v > best + δ} for a metric
 * where higher is better); otherwise the patience counter grows, and the run stops early when it
 * reaches {@link TrainingOptions#patience()} before the last epoch. The best epoch's weights are
 * kept when they are to be restored at the end ({@code restoreBest} under early stopping) or
 * checkpointed.
 *
 * <pre>{@code
 * EarlyStopping stopping = new EarlyStopping(options, validation != null, theta.length, checkpoints != null);
 * for (int epoch = 1; epoch <= options.epochs() && !stopping.stopped(); epoch++) {
 *     …   // the epoch's steps
 *     stopping.endEpoch(epoch, loss, steps, started, lr, network, validation, listeners, epochs);
 * }
 * stopping.restoreBest(theta);
 * }</pre>
 */
public final class EarlyStopping {
    private final TrainingOptions options;
    private final boolean watchTraining;
    private final boolean monitored;
    private final boolean restoreBest;
    private final boolean higherIsBetter;
    private float[] best;          // the best epoch's θ, where kept
    private int bestEpoch;         // 0: none yet
    private double bestValue = Double.NaN;
    private int sinceBest;
    private boolean stopped;

    /**
     * The rule of {@code options} for a network of {@code parameters} parameters.
     *
     * @param validated whether validation rows are scored after every epoch
     * @param keepBest whether to keep the best epoch's weights even when they are not restored
     *     (a checkpoint holds them)
     * @throws IllegalArgumentException for early stopping on a validation value without
     *     validation rows
     */
    public EarlyStopping(TrainingOptions options, boolean validated, int parameters, boolean keepBest) {
        this.options = options;
        this.watchTraining = options.monitor().equals(TrainingOptions.TRAIN_LOSS);
        if (options.patience() > 0 && !validated && !watchTraining) {
            throw new IllegalArgumentException("early stopping (patience " + options.patience()
                    + ") needs validation rows: give a validation set or a validation fraction");
        }
        this.monitored = validated || watchTraining;
        this.restoreBest = options.patience() > 0 && options.restoreBest();
        this.best = monitored && (restoreBest || keepBest) ? new float[parameters] : null;
        this.higherIsBetter = options.metrics().stream().filter(m -> m.name().equals(options.monitor()))
                .findFirst().map(ValidationMetric::higherIsBetter).orElse(false);
    }

    /** Continues from the state {@code from} was saved with: best epoch and value, patience counter, best weights. */
    public void resume(Checkpoint from) {
        if (best != null && from.best().isPresent()) {
            best = from.best().get().parameters().values();
        }
        bestEpoch = from.history().bestEpoch();
        bestValue = from.bestValue();
        sinceBest = from.sinceBest();
        stopped = from.history().stoppedEarly();
    }

    /**
     * The end of epoch {@code epoch} in an epoch loop: scores {@code validation} (or null) at
     * {@code network}'s θ, records the epoch's {@link EpochStats} (the training loss, the steps,
     * the seconds since {@code startedNanos} with the scoring, the learning rate and the
     * validation scores) in {@code epochs}, tells every listener, and takes the epoch
     * ({@link #afterEpoch}); what is left is the checkpoint ({@link #checkpointDue}).
     */
    public EpochStats endEpoch(int epoch, double loss, int steps, long startedNanos, double lr, Network network,
                               ValidationRows validation, List<TrainingListener> listeners, List<EpochStats> epochs) {
        double validationLoss = Double.NaN;
        Map<String, Double> metrics = Map.of();
        if (validation != null) {
            ValidationRows.Score score = validation.score(network, options);
            validationLoss = score.loss();
            metrics = score.metrics();
        }
        EpochStats stats = new EpochStats(epoch, loss, steps, (System.nanoTime() - startedNanos) / 1e9, lr,
                validationLoss, metrics);
        epochs.add(stats);
        for (TrainingListener listener : listeners) {
            listener.onEpoch(stats);
        }
        afterEpoch(stats, network.parameters().values());
        return stats;
    }

    /** Takes the finished epoch {@code stats}, whose weights are {@code theta}. */
    public void afterEpoch(EpochStats stats, float[] theta) {
        if (!monitored) {
            return;
        }
        double value = watchTraining ? stats.loss()
                : options.monitor().equals("loss") ? stats.validationLoss()
                : stats.validationMetrics().get(options.monitor());
        if (bestEpoch == 0 || improves(value)) {
            bestValue = value;
            bestEpoch = stats.epoch();
            sinceBest = 0;
            if (best != null) {
                System.arraycopy(theta, 0, best, 0, theta.length);
            }
        } else if (options.patience() > 0 && ++sinceBest >= options.patience()) {
            stopped = stats.epoch() < options.epochs();
        }
    }

    /** Whether {@code value} beats the best value by more than the minimum delta. */
    private boolean improves(double value) {
        return higherIsBetter ? value > bestValue + options.minDelta() : value < bestValue - options.minDelta();
    }

    /** Whether early stopping has ended the run. */
    public boolean stopped() {
        return stopped;
    }

    /** The best epoch so far (numbered from 1), or 0. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The history of {@code epochs} with the best epoch and whether the run stopped early. */
    public History history(List<EpochStats> epochs) {
        return new History(epochs, bestEpoch, stopped);
    }

    /** Sets {@code theta} to the best epoch's weights when the options restore them and there is a best epoch. */
    public void restoreBest(float[] theta) {
        if (restoreBest && bestEpoch > 0) {
            System.arraycopy(best, 0, theta, 0, theta.length);
        }
    }

    /**
     * Whether a checkpoint is due after {@code epoch}: every {@code every} epochs counted from the
     * start of the run, after the last epoch, and when early stopping has ended the run.
     */
    public boolean checkpointDue(CheckpointListener checkpoints, int epoch) {
        return checkpoints != null && (epoch % checkpoints.every() == 0 || stopped || epoch == options.epochs());
    }

    /**
     * Gives {@code checkpoints} the state after the last of {@code epochs}: {@code network}
     * holding {@code θ}, the parameters {@code lastGood} before the last step, the optimizer's
     * state, and this rule's state.
     *
     * @throws UncheckedIOException when the listener fails to save it
     */
    public void checkpoint(CheckpointListener checkpoints, Map<String, String> settings, Network network,
                           float[] lastGood, Optimizer.Snapshot optimizer, List<EpochStats> epochs) {
        Optional<Network> bestNetwork = best == null || bestEpoch == 0 ? Optional.empty()
                : Optional.of(network.withParameters(network.parameters().withValues(best)));
        Checkpoint c = new Checkpoint(settings, network, lastGood, optimizer, history(epochs), bestValue, sinceBest,
                bestNetwork);
        try {
            checkpoints.onCheckpoint(c);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

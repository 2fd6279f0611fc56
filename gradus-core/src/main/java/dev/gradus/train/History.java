package dev.gradus.train;

import java.util.List;

/**
 * The epochs of one training run, in order, and how it ended.
 *
 * @param epochs the statistics of every epoch run
 * @param bestEpoch the epoch with the best monitored validation value (whose weights were
 *     returned when best weights are restored); 0 without validation
 * @param stoppedEarly whether early stopping ended the run before the last epoch
 */
public record History(List<EpochStats> epochs, int bestEpoch, boolean stoppedEarly) {
    public History {
        epochs = List.copyOf(epochs);
    }

    /** A run without validation that did not stop early. */
    public History(List<EpochStats> epochs) {
        this(epochs, 0, false);
    }

    /** The loss of the last epoch, or NaN when no epoch ran. */
    public double finalLoss() {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).loss();
    }

    /** Total wall time of all epochs, in seconds. */
    public double seconds() {
        return epochs.stream().mapToDouble(EpochStats::seconds).sum();
    }
}

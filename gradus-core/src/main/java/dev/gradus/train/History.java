package dev.gradus.train;

import java.util.List;

/** The epochs of one training run, in order. */
public record History(List<EpochStats> epochs) {
    public History {
        epochs = List.copyOf(epochs);
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

package dev.gradus.train;

/** Called by the {@link Trainer} as training goes; for progress bars and logs. */
@FunctionalInterface
public interface TrainingListener {
    /** After each epoch. */
    void onEpoch(EpochStats stats);

    /** A listener that does nothing. */
    static TrainingListener none() {
        return stats -> { };
    }
}

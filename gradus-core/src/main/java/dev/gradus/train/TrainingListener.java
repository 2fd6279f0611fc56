package dev.gradus.train;

/** Called by the {@link Trainer} as training goes; for progress bars and logs. */
@FunctionalInterface
public interface TrainingListener {
    /** After each epoch, validation included. */
    void onEpoch(EpochStats stats);

    /**
     * After each optimizer step, with the loss of the batch before the step. Called on the
     * training thread; keep it cheap. Does nothing unless overridden.
     */
    default void onBatch(int epoch, int step, double loss) {
    }

    /** A listener that does nothing. */
    static TrainingListener none() {
        return stats -> { };
    }
}

package dev.gradus.train;

import java.io.IOException;
import java.util.Optional;

/**
 * A listener that saves the whole training state every few epochs, and may hand the trainer a
 * state to continue from (Keras' {@code ModelCheckpoint} and {@code initial_epoch} in one).
 *
 * <p>Added with {@link Trainer#addListener} like any listener (at most one per trainer). The
 * trainer then calls {@link #onCheckpoint} after epochs {@code every, 2·every, …} (counted from
 * the start of the run, so a resumed run checkpoints at the same epochs) and after the last
 * epoch, also when early stopping ends the run. If {@link #resumeFrom()} gives a checkpoint,
 * training continues after its epoch instead of starting with epoch 1, and the result is
 * bit-identical to that of the run that wrote it, had it not been interrupted.
 *
 * <pre>{@code
 * Checkpoint saved = CheckpointFile.read(path).checkpoint();
 * trainer.addListener(new CheckpointListener() {
 *     public int every() { return 1; }
 *     public void onCheckpoint(Checkpoint c) throws IOException { CheckpointFile.write(path, c, Map.of()); }
 *     public Optional<Checkpoint> resumeFrom() { return Optional.of(saved); }
 * });
 * }</pre>
 */
public interface CheckpointListener extends TrainingListener {

    /** Epochs between checkpoints, at least 1. */
    int every();

    /**
     * Receives the state after an epoch; an exception stops training (an {@link IOException}
     * reaches the caller of {@code fit} as an {@link java.io.UncheckedIOException}).
     */
    void onCheckpoint(Checkpoint checkpoint) throws IOException;

    /** The checkpoint to continue from; empty (the default) to start with epoch 1. */
    default Optional<Checkpoint> resumeFrom() {
        return Optional.empty();
    }

    /** Does nothing unless overridden. */
    @Override
    default void onEpoch(EpochStats stats) {
    }
}

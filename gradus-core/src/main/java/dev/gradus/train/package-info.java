/**
 * The training loop: epochs of full or mini batches, seeded shuffling, the forward pass, the
 * loss, the backward pass and the optimizer step, with a history and listeners. The loop
 * ({@link dev.gradus.train.Trainer}) takes each batch's loss and gradient from a
 * {@link dev.gradus.train.GradientSource} (rows in this JVM, or elsewhere), computed in blocks of
 * {@link dev.gradus.train.BlockedPass#BLOCK_ROWS} rows; checkpoints
 * ({@link dev.gradus.train.Checkpoint}, taken and resumed through a
 * {@link dev.gradus.train.CheckpointListener}) from which a run continues bit-identically.
 */
package dev.gradus.train;

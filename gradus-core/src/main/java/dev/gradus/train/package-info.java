/**
 * The training loop: epochs of full or mini batches, seeded shuffling, the forward pass, the
 * loss, the backward pass and the optimizer step, with a history and listeners; checkpoints
 * ({@link dev.gradus.train.Checkpoint}, taken and resumed through a
 * {@link dev.gradus.train.CheckpointListener}) from which a run continues bit-identically.
 */
package dev.gradus.train;

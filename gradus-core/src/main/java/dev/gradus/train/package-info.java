/**
 * The training loop: epochs of full or mini batches, seeded shuffling, the forward pass, the
 * loss, the backward pass and the optimizer step, with a history and listeners.
 */
package dev.gradus.train;

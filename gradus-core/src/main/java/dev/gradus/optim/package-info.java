/**
 * Optimizers: each one step {@code θ ← update(θ, ∂ℓ/∂θ, state)} over the flat parameter array,
 * with its state in the same layout. Optimizers see {@link dev.gradus.tensor.Parameters}
 * arrays, never layers.
 */
package dev.gradus.optim;

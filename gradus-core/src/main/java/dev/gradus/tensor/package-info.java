/**
 * Float32 storage: {@link dev.gradus.tensor.Matrix} (row-major, possibly a view into a larger
 * array) and {@link dev.gradus.tensor.Parameters}, the one flat array
 * {@code W⁰, b⁰, W¹, b¹, …} that networks, gradients and optimizer state share.
 */
package dev.gradus.tensor;

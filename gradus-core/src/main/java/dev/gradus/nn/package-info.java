/**
 * The seed's network: {@link dev.gradus.nn.Dense} layers {@code m = 0..n} with weights
 * {@code Wᵐ}, biases {@code bᵐ} and activations {@code φᵐ}; the forward pass
 * {@code ŷ(x) = φⁿ(Wⁿ … φ⁰(W⁰x + b⁰) … + bⁿ)}, the batched backward pass and the losses.
 *
 * <p>Layers hold hyperparameters only (sizes and activation); the numbers live in one flat
 * {@link dev.gradus.tensor.Parameters} array owned by the {@link dev.gradus.nn.Network}.
 */
package dev.gradus.nn;

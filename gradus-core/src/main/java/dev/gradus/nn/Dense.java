package dev.gradus.nn;

import java.util.Objects;

/**
 * The hyperparameters of one fully connected layer {@code m}: {@code aᵐ = φᵐ(Wᵐ aᵐ⁻¹ + bᵐ)}
 * with {@code Wᵐ} of shape {@code [outputs, inputs]} and {@code bᵐ} of length {@code outputs}.
 *
 * <p>A layer holds no numbers; its weights live in the network's
 * {@link dev.gradus.tensor.Parameters}.
 */
public record Dense(int inputs, int outputs, Activation activation) {
    public Dense {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("a dense layer needs at least one input and one output, got "
                    + inputs + " -> " + outputs);
        }
        Objects.requireNonNull(activation, "activation");
    }

    /** The number of parameters: {@code outputs·inputs + outputs}. */
    public int parameterCount() {
        return outputs * inputs + outputs;
    }
}

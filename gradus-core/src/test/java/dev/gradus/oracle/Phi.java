package dev.gradus.oracle;

import dev.gradus.nn.Activation;
import java.util.function.DoubleUnaryOperator;

/**
 * The activations {@code φ} and their derivatives {@code φ'} in {@code double}, written from the
 * textbook formulas and kept apart from the main code so that they can check it.
 */
record Phi(String name, DoubleUnaryOperator value, DoubleUnaryOperator slope) {

    double apply(double z) {
        return value.applyAsDouble(z);
    }

    double derivative(double z) {
        return slope.applyAsDouble(z);
    }

    static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }

    /** The oracle's own formulas for the activation that the main code calls {@code a}. */
    static Phi of(Activation a) {
        if (a instanceof Activation.Identity) {
            return new Phi("identity", z -> z, z -> 1.0);
        }
        if (a instanceof Activation.Sigmoid) {
            return new Phi("sigmoid", Phi::sigmoid, z -> sigmoid(z) * (1.0 - sigmoid(z)));
        }
        if (a instanceof Activation.Tanh) {
            return new Phi("tanh", Math::tanh, z -> 1.0 / (Math.cosh(z) * Math.cosh(z)));
        }
        if (a instanceof Activation.Relu) {
            // ReLU'(0) = 0 (DESIGN §1, as PyTorch).
            return new Phi("relu", z -> Math.max(z, 0.0), z -> z > 0 ? 1.0 : 0.0);
        }
        if (a instanceof Activation.LeakyRelu l) {
            double s = l.slope();
            return new Phi("leaky_relu(" + s + ")", z -> z > 0 ? z : s * z, z -> z > 0 ? 1.0 : s);
        }
        if (a instanceof Activation.Elu e) {
            double alpha = e.alpha();
            return new Phi("elu(" + alpha + ")", z -> z > 0 ? z : alpha * (Math.exp(z) - 1.0),
                    z -> z > 0 ? 1.0 : alpha * Math.exp(z));
        }
        if (a instanceof Activation.Softplus) {
            // d/dz ln(1 + eᶻ) = eᶻ / (1 + eᶻ)
            return new Phi("softplus", z -> Math.log(1.0 + Math.exp(z)), z -> Math.exp(z) / (1.0 + Math.exp(z)));
        }
        throw new IllegalArgumentException("the oracle has no formula for activation " + a
                + "; add one to Phi before testing it");
    }
}

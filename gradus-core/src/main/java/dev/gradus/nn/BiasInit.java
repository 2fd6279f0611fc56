package dev.gradus.nn;

import java.util.Locale;

/**
 * How a new network's biases {@code bᵐ} start.
 *
 * <ul>
 *   <li>{@link #ZERO}: {@code bᵐ = 0} (Keras's default);</li>
 *   <li>{@link #UNIFORM}: {@code bᵐⱼ ~ U(−a, a)} with the bound {@code a} of the layer's weights
 *       under its {@link Init}, drawn right after {@code Wᵐ} from the same generator, as
 *       scikit-learn's MLPs draw them (PyTorch draws biases too, from {@code U(±1/√in)}).</li>
 * </ul>
 */
public enum BiasInit {
    ZERO,
    UNIFORM;

    /** Parses {@code zero} or {@code uniform}. */
    public static BiasInit parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "zero", "zeros" -> ZERO;
            case "uniform" -> UNIFORM;
            default -> throw new IllegalArgumentException("unknown bias initialiser '" + text + "'; known: zero, uniform");
        };
    }
}

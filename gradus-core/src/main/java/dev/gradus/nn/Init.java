package dev.gradus.nn;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Weight initialisers. Biases start at zero unless a {@link BiasInit} says otherwise.
 *
 * <p>For layer {@code m} with {@code in} inputs and {@code out} outputs, every {@code Wᵐᵢⱼ}
 * is drawn independently from {@code U(−a, a)} in row-major order:
 * <ul>
 *   <li>{@link #XAVIER_UNIFORM} (Glorot &amp; Bengio 2010): {@code a = √(6 / (in + out))},
 *       suited to sigmoid, tanh and identity;</li>
 *   <li>{@link #HE_UNIFORM} (He et al. 2015): {@code a = √(6 / in)}, suited to the ReLU
 *       family.</li>
 * </ul>
 * {@link #DEFAULT} picks per layer from {@link Activation#defaultInit()}.
 */
public enum Init {
    XAVIER_UNIFORM,
    HE_UNIFORM,
    /** Each layer's {@link Activation#defaultInit()}. */
    DEFAULT;

    /** The half-width {@code a} of the uniform interval for a layer of this shape. */
    public double bound(int inputs, int outputs) {
        return switch (this) {
            case XAVIER_UNIFORM -> Math.sqrt(6.0 / (inputs + outputs));
            case HE_UNIFORM -> Math.sqrt(6.0 / inputs);
            case DEFAULT -> throw new IllegalStateException("DEFAULT is resolved per layer");
        };
    }

    /** Fills {@code w[off .. off+out·in)} with draws from {@code U(−a, a)}. */
    void fill(float[] w, int off, int inputs, int outputs, RandomGenerator random) {
        double a = bound(inputs, outputs);
        for (int i = 0; i < inputs * outputs; i++) {
            w[off + i] = (float) ((2.0 * random.nextDouble() - 1.0) * a);
        }
    }

    /** Parses {@code xavier}, {@code glorot}, {@code he}, {@code kaiming} or {@code default}. */
    public static Init parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "xavier", "glorot", "xavier_uniform", "glorot_uniform" -> XAVIER_UNIFORM;
            case "he", "kaiming", "he_uniform", "kaiming_uniform" -> HE_UNIFORM;
            case "default", "auto" -> DEFAULT;
            default -> throw new IllegalArgumentException("unknown weight initialiser '" + text
                    + "'; known: xavier, he, default");
        };
    }
}

package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The backward pass hands φ' both z and a = φ(z); the result must be the same bits as the
 * derivative computed from z alone, for every activation.
 */
class ActivationDerivativeFromOutputTest {

    @Test
    void derivativeFromOutputIsBitIdenticalToDerivativeFromInput() {
        List<Activation> all = List.of(Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU,
                Activation.LEAKY_RELU, Activation.ELU, Activation.SOFTPLUS);
        SplittableRandom random = new SplittableRandom(2);
        int length = 4000;
        float[] z = new float[length];
        float[] g = new float[length];
        for (int i = 0; i < length; i++) {
            // Mostly moderate values, some tiny, some saturating, and exact zeros.
            z[i] = switch (i % 4) {
                case 0 -> (float) random.nextGaussian() * 3;
                case 1 -> (float) random.nextGaussian() * 1e-5f;
                case 2 -> (float) random.nextGaussian() * 40;
                default -> i % 8 == 3 ? 0f : (float) random.nextDouble(-1, 1);
            };
            g[i] = (float) random.nextGaussian();
        }
        for (Activation phi : all) {
            float[] a = new float[length];
            phi.applyAll(z, 0, a, 0, length);
            float[] fromZ = new float[length];
            float[] fromA = new float[length];
            phi.multiplyDerivative(z, g, fromZ, length);
            phi.multiplyDerivative(z, a, g, fromA, length);
            for (int i = 0; i < length; i++) {
                assertEquals(Float.floatToRawIntBits(fromZ[i]), Float.floatToRawIntBits(fromA[i]),
                        phi + " at z=" + z[i]);
                assertEquals(phi.derivative(z[i]) * g[i], fromZ[i], 0f, phi + " at z=" + z[i]);
            }
        }
    }

    @Test
    void tanhIsWithinOneFloatUlpOfTheDoubleReference() {
        // Math.tanh in double, rounded once, is the reference; the exp-based form may differ by
        // at most one float ulp (it is accurate to ~2⁻⁴⁰ before rounding).
        for (int i = -200_000; i <= 200_000; i++) {
            float z = i * 1.7e-4f;
            float want = (float) Math.tanh(z);
            float got = Activation.TANH.apply(z);
            assertEquals(want, got, Math.ulp(want), "tanh(" + z + ")");
        }
        for (float z : new float[] {0f, -0f, 1e-30f, -1e-30f, 9.9e-5f, 1e-4f, 20f, -20f, 1e30f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertEquals((float) Math.tanh(z), Activation.TANH.apply(z), Math.ulp((float) Math.tanh(z)), "tanh(" + z + ")");
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Activation.TANH.apply(-0f)));
        assertEquals(true, Float.isNaN(Activation.TANH.apply(Float.NaN)));
    }
}

package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.oracle.Family;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ActivationTest {

    static Stream<Activation> activations() {
        return Family.ACTIVATIONS.stream();
    }

    /** Points away from the kinks at 0 (further than the step below). */
    static final float[] SMOOTH_POINTS = {-4f, -2.5f, -1f, -0.5f, -0.1f, 0.1f, 0.5f, 1f, 2.5f, 4f};

    /** Points for the array forms: kinks, signed zeros, tiny, large and huge values. */
    static final float[] ALL_POINTS = {-Float.MAX_VALUE, -1e4f, -1000f, -100f, -20f, -3f, -1f, -0.5f, -1e-8f,
            -Float.MIN_VALUE, -0f, 0f, Float.MIN_VALUE, 1e-8f, 0.5f, 1f, 3f, 20f, 100f, 1000f, 1e4f, Float.MAX_VALUE};

    /**
     * {@code φ'(z)} against {@code (φ(z + h) − φ(z − h)) / 2h} of the float32 {@code apply}, with
     * {@code h = 2⁻⁸}. The difference quotient carries the rounding of two float results,
     * {@code 2·u·|φ| / 2h ≤ 6e-8·4/0.0078 ≈ 3e-5} at {@code |z| ≤ 4}, and the truncation error
     * {@code h²|φ'''|/6 ≤ 1.5e-5·|φ'''|}, with {@code |φ'''| ≤ 2} for these activations; 1e-4
     * bounds both. A wrong derivative (σ instead of σ(1−σ), {@code 1 − tanh} instead of
     * {@code 1 − tanh²}, a wrong slope or α) is off by more than 1e-2 at some of these points.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void derivativeIsTheCentralDifferenceOfApply(Activation phi) {
        float h = 1f / 256;
        for (float z : SMOOTH_POINTS) {
            float plus = z + h;
            float minus = z - h;
            double numeric = ((double) phi.apply(plus) - phi.apply(minus)) / ((double) plus - minus);
            assertEquals(numeric, phi.derivative(z), 1e-4, phi + "'(" + z + ")");
        }
    }

    /**
     * The same in double on {@link Activation#applyDouble}, with {@code h = 1e-6}: the
     * difference quotient is then good to about 1e-10, so only float32 rounding of the
     * derivative itself remains, {@code u·|φ'| ≤ 6e-8}; 2e-7 bounds it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void derivativeIsTheCentralDifferenceOfApplyDouble(Activation phi) {
        double h = 1e-6;
        for (float z : SMOOTH_POINTS) {
            double numeric = (phi.applyDouble(z + h) - phi.applyDouble(z - h)) / (2 * h);
            assertEquals(numeric, phi.derivative(z), 2e-7, phi + "'(" + z + ")");
        }
    }

    /**
     * {@code applyDouble} is the same function as {@code apply}: rounded to float it gives the
     * very same value (every {@code apply} is a double formula rounded once, or a float
     * product of two floats, which is exact in double before that one rounding).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void applyDoubleRoundsToApply(Activation phi) {
        for (float z : ALL_POINTS) {
            assertEquals(phi.apply(z), (float) phi.applyDouble(z), phi + "(" + z + ")");
        }
        double[] zs = new double[ALL_POINTS.length];
        for (int i = 0; i < zs.length; i++) {
            zs[i] = ALL_POINTS[i] * 0.999;
        }
        double[] a = new double[zs.length];
        phi.applyAllDouble(zs, a, 2, zs.length / 2);
        for (int i = 0; i < zs.length; i++) {
            assertEquals(phi.applyDouble(zs[i]), a[i], phi + "(" + zs[i] + ")");
        }
    }

    /**
     * The array forms that some records override give the scalar forms' values, element for
     * element, and touch nothing outside the range. Equality is numeric: {@code +0 == −0}
     * (ReLU's {@code multiplyDerivative} writes {@code 0}, where {@code 0·g} is {@code −0}
     * for negative {@code g}; no computation can tell them apart after a sum).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void arrayFormsEqualScalarForms(Activation phi) {
        int n = ALL_POINTS.length;
        float[] z = new float[n + 2];
        System.arraycopy(ALL_POINTS, 0, z, 2, n);
        float[] a = new float[n + 5];
        java.util.Arrays.fill(a, 77f);
        phi.applyAll(z, 2, a, 3, n);
        assertEquals(77f, a[0]);
        assertEquals(77f, a[1]);
        assertEquals(77f, a[2]);
        assertEquals(77f, a[n + 3]);
        assertEquals(77f, a[n + 4]);
        for (int i = 0; i < n; i++) {
            assertSameNumber(phi.apply(z[2 + i]), a[3 + i], phi + "(" + z[2 + i] + ")");
        }

        SplittableRandom random = new SplittableRandom(3);
        float[] g = new float[n + 1];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) random.nextDouble(-2, 2);
        }
        float[] delta = new float[n + 1];
        delta[n] = 77f;
        phi.multiplyDerivative(ALL_POINTS, g, delta, n);
        assertEquals(77f, delta[n]);
        for (int i = 0; i < n; i++) {
            assertSameNumber(phi.derivative(ALL_POINTS[i]) * g[i], delta[i], phi + "'(" + ALL_POINTS[i] + ")·g");
        }

        // In place (the forward pass may write A over Z).
        float[] inPlace = ALL_POINTS.clone();
        phi.applyAll(inPlace, 0, inPlace, 0, n);
        for (int i = 0; i < n; i++) {
            assertSameNumber(phi.apply(ALL_POINTS[i]), inPlace[i], phi + "(" + ALL_POINTS[i] + ") in place");
        }
    }

    private static void assertSameNumber(float expected, float actual, String what) {
        assertTrue(expected == actual || (Float.isNaN(expected) && Float.isNaN(actual)),
                what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void derivativesAtTheKinksFollowPyTorch() {
        // ReLU'(0) = 0, LeakyReLU'(0) = slope, ELU'(0) = α, from either side of zero.
        for (float zero : new float[] {0f, -0f}) {
            assertEquals(0f, Activation.RELU.derivative(zero));
            assertEquals(0.01f, Activation.LEAKY_RELU.derivative(zero));
            assertEquals(0.2f, new Activation.LeakyRelu(0.2f).derivative(zero));
            assertEquals(1f, Activation.ELU.derivative(zero));
            assertEquals(0.5f, new Activation.Elu(0.5f).derivative(zero));
        }
        float[] z = {0f};
        float[] g = {3f};
        float[] delta = new float[1];
        Activation.RELU.multiplyDerivative(z, g, delta, 1);
        assertEquals(0f, delta[0]);
        new Activation.LeakyRelu(0.25f).multiplyDerivative(z, g, delta, 1);
        assertEquals(0.75f, delta[0]);
        new Activation.Elu(0.5f).multiplyDerivative(z, g, delta, 1);
        assertEquals(1.5f, delta[0]);
        // Just right of the kink the slope is 1 for all three.
        for (Activation a : List.of(Activation.RELU, Activation.LEAKY_RELU, Activation.ELU)) {
            assertEquals(1f, a.derivative(Float.MIN_VALUE), a.toString());
        }
        // Smooth ones at 0: σ'(0) = 1/4, tanh'(0) = 1, softplus'(0) = σ(0) = 1/2.
        assertEquals(0.25f, Activation.SIGMOID.derivative(0f));
        assertEquals(1f, Activation.TANH.derivative(0f));
        assertEquals(0.5f, Activation.SOFTPLUS.derivative(0f));
        assertEquals((float) Math.log(2), Activation.SOFTPLUS.apply(0f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void largeInputsGiveFiniteValuesAndDerivatives(Activation phi) {
        for (float z : ALL_POINTS) {
            if (phi instanceof Activation.Identity || Math.abs(z) < 1e30f) {
                assertTrue(Float.isFinite(phi.apply(z)), phi + "(" + z + ") = " + phi.apply(z));
            }
            assertTrue(Float.isFinite(phi.derivative(z)), phi + "'(" + z + ") = " + phi.derivative(z));
            assertTrue(phi.derivative(z) >= 0, phi + "'(" + z + ") = " + phi.derivative(z));
        }
    }

    @Test
    void saturationValues() {
        for (float z : new float[] {100f, 1000f, Float.MAX_VALUE}) {
            assertEquals(1f, Activation.SIGMOID.apply(z));
            assertEquals(0f, Activation.SIGMOID.derivative(z));
            assertEquals(0f, Activation.SIGMOID.apply(-z), 1e-40f);
            assertEquals(0f, Activation.SIGMOID.derivative(-z), 1e-40f);
            assertEquals(z, Activation.SOFTPLUS.apply(z));
            assertEquals(1f, Activation.SOFTPLUS.derivative(z));
            assertEquals(0f, Activation.SOFTPLUS.apply(-z), 1e-40f);
            assertTrue(Activation.SOFTPLUS.apply(-z) >= 0f);
            assertEquals(1f, Activation.TANH.apply(z));
            assertEquals(-1f, Activation.TANH.apply(-z));
            assertEquals(0f, Activation.TANH.derivative(-z));
            assertEquals(-0.5f, new Activation.Elu(0.5f).apply(-z));
            assertEquals(0f, Activation.ELU.derivative(-z), 1e-40f);
        }
        assertEquals(Math.exp(-100), Activation.SIGMOID.applyDouble(-100), 1e-58);
        assertEquals(100.0, Activation.SOFTPLUS.applyDouble(100));
        assertEquals(Math.exp(-100), Activation.SOFTPLUS.applyDouble(-100), 1e-58);
    }

    @Test
    void parseKnowsEveryName() {
        assertSame(Activation.IDENTITY, Activation.parse("linear"));
        assertSame(Activation.SIGMOID, Activation.parse(" Sigmoid "));
        assertSame(Activation.RELU, Activation.parse("ReLU"));
        assertEquals(new Activation.LeakyRelu(0.2f), Activation.parse("leaky-relu(0.2)"));
        assertEquals(new Activation.LeakyRelu(0.001f), Activation.parse("leaky-relu(1e-3)"));
        assertEquals(new Activation.LeakyRelu(-2f), Activation.parse("leaky_relu(-2)"));
        assertEquals(new Activation.Elu(0.5f), Activation.parse("elu(0.5)"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
        assertTrue(e.getMessage().contains("'swish'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Activation.parse("tanh(2)"));
        assertTrue(e.getMessage().contains("takes no value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Activation.Elu(0f));
        assertTrue(e.getMessage().contains("0.0"), e.getMessage());
    }
}

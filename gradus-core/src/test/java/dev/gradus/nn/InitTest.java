package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.tensor.Matrix;
import org.junit.jupiter.api.Test;

class InitTest {

    @Test
    void boundsAreXavierAndHe() {
        // Xavier: a = √(6/(in + out)); He: a = √(6/in).
        assertEquals(Math.sqrt(6.0 / (30 + 20)), Init.XAVIER_UNIFORM.bound(30, 20));
        assertEquals(Math.sqrt(6.0 / 30), Init.HE_UNIFORM.bound(30, 20));
        assertEquals(1.0, Init.XAVIER_UNIFORM.bound(3, 3));
        assertEquals(Math.sqrt(2.0), Init.HE_UNIFORM.bound(3, 3));
        assertThrows(IllegalStateException.class, () -> Init.DEFAULT.bound(3, 3));
    }

    /**
     * Every weight lies in [−a, a] and the largest reaches past 0.95·a: a bound too small (such
     * as √(3/in)) or too large would fail. Over the 1600-2400 draws of a layer below, the chance
     * that no |w| exceeds 0.95·a is 0.95¹⁶⁰⁰ ≈ 1e-36 (and the seed is fixed anyway).
     */
    @Test
    void weightsFillTheIntervalAndBiasesStartAtZero() {
        Network net = Network.input(40).dense(60, Activation.TANH).dense(40, Activation.RELU).build(Init.DEFAULT, 3);
        // Layer 0 (tanh) defaults to Xavier, layer 1 (ReLU) to He.
        assertFills(net.weights(0), Init.XAVIER_UNIFORM.bound(40, 60));
        assertFills(net.weights(1), Init.HE_UNIFORM.bound(60, 40));
        for (int m = 0; m < 2; m++) {
            Matrix b = net.bias(m);
            for (int j = 0; j < b.cols(); j++) {
                assertEquals(0f, b.get(0, j));
            }
        }
        Network he = Network.input(40).dense(60, Activation.TANH).build(Init.HE_UNIFORM, 3);
        assertFills(he.weights(0), Init.HE_UNIFORM.bound(40, 60));
    }

    /**
     * {@link BiasInit#UNIFORM} draws {@code bᵐ} from {@code U(−a, a)} with the bound of {@code Wᵐ},
     * right after {@code Wᵐ} from the same generator (scikit-learn's order W⁰, b⁰, W¹, b¹): the
     * parameters equal a replay of {@link java.util.SplittableRandom} in that order, bit for bit.
     */
    @Test
    void uniformBiasesAreDrawnAfterEachLayersWeights() {
        Network net = Network.input(3).dense(800, Activation.RELU).dense(2, Activation.IDENTITY)
                .build(Init.XAVIER_UNIFORM, BiasInit.UNIFORM, 5);
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int[][] shapes = {{3, 800}, {800, 2}};
        for (int m = 0; m < 2; m++) {
            int in = shapes[m][0];
            int out = shapes[m][1];
            double a = Init.XAVIER_UNIFORM.bound(in, out);
            Matrix w = net.weights(m);
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < in; j++) {
                    assertEquals((float) ((2.0 * random.nextDouble() - 1.0) * a), w.get(i, j));
                }
            }
            Matrix b = net.bias(m);
            for (int j = 0; j < out; j++) {
                assertEquals((float) ((2.0 * random.nextDouble() - 1.0) * a), b.get(0, j));
            }
        }
        // 800 biases of layer 0 fill the interval (0.95⁸⁰⁰ ≈ 1e-18 to miss 0.95·a)
        assertFills(net.bias(0), Init.XAVIER_UNIFORM.bound(3, 800));
        // zero biases: the same first weights, then other draws
        Network zero = Network.input(3).dense(800, Activation.RELU).dense(2, Activation.IDENTITY)
                .build(Init.XAVIER_UNIFORM, 5);
        assertEquals(net.weights(0).get(7, 1), zero.weights(0).get(7, 1));
        assertEquals(0f, zero.bias(0).get(0, 3));
        assertSame(BiasInit.UNIFORM, BiasInit.parse("uniform"));
        assertSame(BiasInit.ZERO, BiasInit.parse(" Zero "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BiasInit.parse("normal"));
        assertTrue(e.getMessage().contains("'normal'"), e.getMessage());
    }

    private static void assertFills(Matrix w, double a) {
        double max = 0;
        for (int i = 0; i < w.rows(); i++) {
            for (int j = 0; j < w.cols(); j++) {
                float v = w.get(i, j);
                assertTrue(Math.abs(v) <= (float) a, "weight " + v + " outside ±" + a);
                max = Math.max(max, Math.abs(v));
            }
        }
        assertTrue(max > 0.95 * a, "largest |w| " + max + " of bound " + a);
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        Network.Builder b = Network.input(5).dense(7, Activation.ELU).dense(2, Activation.SIGMOID);
        assertTrue(b.build(11).parameters().sameAs(b.build(11).parameters()));
        assertFalse(b.build(11).parameters().sameAs(b.build(12).parameters()));
        assertFalse(b.build(Init.XAVIER_UNIFORM, 11).parameters().sameAs(b.build(Init.HE_UNIFORM, 11).parameters()));
    }

    @Test
    void defaultsAndNames() {
        assertSame(Init.HE_UNIFORM, Activation.RELU.defaultInit());
        assertSame(Init.XAVIER_UNIFORM, Activation.TANH.defaultInit());
        assertSame(Init.XAVIER_UNIFORM, Init.parse("Glorot"));
        assertSame(Init.HE_UNIFORM, Init.parse("kaiming-uniform"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse("orthogonal"));
        assertTrue(e.getMessage().contains("'orthogonal'"), e.getMessage());
    }
}

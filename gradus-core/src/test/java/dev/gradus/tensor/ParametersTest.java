package dev.gradus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParametersTest {

    /** Layer 0: 2 inputs → 3 outputs; layer 1: 3 → 1. */
    static Parameters twoLayers() {
        return Parameters.zeros(List.of(new int[] {3, 2}, new int[] {1, 3}));
    }

    @Test
    void layoutIsW0B0W1B1WithNamedViews() {
        Parameters p = twoLayers();
        // W⁰: 3×2 = 6 at 0; b⁰: 3 at 6; W¹: 1×3 = 3 at 9; b¹: 1 at 12; 13 in all.
        assertEquals(List.of(
                new Parameters.View("layers.0.weight", 0, 3, 2),
                new Parameters.View("layers.0.bias", 6, 3, 1),
                new Parameters.View("layers.1.weight", 9, 1, 3),
                new Parameters.View("layers.1.bias", 12, 1, 1)), p.views());
        assertEquals(13, p.size());
        assertEquals(13, p.values().length);
        assertEquals(2, p.layerCount());
        assertEquals(p.views().get(2), p.weightView(1));
        assertEquals(p.views().get(3), p.biasView(1));
        assertEquals(6, p.weightView(0).size());
        assertThrows(UnsupportedOperationException.class, () -> p.views().clear());
    }

    @Test
    void matrixViewsWriteIntoTheFlatArrayRowMajor() {
        Parameters p = twoLayers();
        p.weights(0).set(2, 1, 5f);     // W⁰₂₁ at 0 + 2·2 + 1 = 5
        p.bias(0).set(0, 2, 6f);        // b⁰₂ at 6 + 2 = 8
        p.weights(1).set(0, 0, 7f);     // W¹₀₀ at 9
        p.bias(1).set(0, 0, 8f);        // b¹₀ at 12
        float[] expected = new float[13];
        expected[5] = 5f;
        expected[8] = 6f;
        expected[9] = 7f;
        expected[12] = 8f;
        assertArrayEquals(expected, p.values());
        p.values()[1] = 9f;
        assertEquals(9f, p.weights(0).get(0, 1));
        assertEquals(3, p.weights(0).rows());
        assertEquals(2, p.weights(0).cols());
        assertEquals(1, p.bias(0).rows());
        assertEquals(3, p.bias(0).cols());
    }

    @Test
    void copiesAreDeepAndShareTheLayout() {
        Parameters p = twoLayers();
        p.values()[3] = 1f;
        Parameters copy = p.copy();
        Parameters zeros = p.zerosLike();
        assertTrue(copy.sameAs(p));
        assertEquals(p.views(), zeros.views());
        assertArrayEquals(new float[13], zeros.values());
        copy.values()[3] = 2f;
        assertEquals(1f, p.values()[3]);
        assertFalse(copy.sameAs(p));

        float[] values = new float[13];
        values[0] = 4f;
        Parameters with = p.withValues(values);
        values[0] = 5f;
        assertEquals(4f, with.values()[0]);
        assertNotSame(values, with.values());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.withValues(new float[12]));
        assertEquals("expected 13 parameter values, got 12", e.getMessage());
    }

    @Test
    void layerIndicesAreChecked() {
        Parameters p = twoLayers();
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> p.weightView(2));
        assertEquals("layer 2 outside layers 0..1", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> p.bias(-1));
    }

    @Test
    void tooManyParametersAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parameters.zeros(List.of(new int[] {65536, 65536})));
        // 65536·65536 weights + 65536 biases, counted in full before anything is allocated.
        assertEquals("network has 4295032832 parameters; at most 2147483639 fit in one array", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Parameters.zeros(List.of(new int[] {3, 2}, new int[] {0, 3})));
        assertEquals("layer 1: shape must be {outputs, inputs}, both positive, got [0, 3]", e.getMessage());
    }
}

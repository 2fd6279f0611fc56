package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkShapeTest {

    @Test
    void builderChainsWidthsAndNamesTheLayout() {
        Network net = Network.input(3).dense(4, Activation.TANH).dense(2, Activation.IDENTITY).build(1);
        assertEquals(List.of(new Dense(3, 4, Activation.TANH), new Dense(4, 2, Activation.IDENTITY)), net.layers());
        assertEquals(3, net.inputs());
        assertEquals(2, net.outputs());
        assertEquals(2, net.layerCount());
        assertEquals(4 * 3 + 4 + 2 * 4 + 2, net.parameters().size());
        assertEquals("Network[3 -> 4 tanh -> 2 identity, 26 parameters]", net.toString());
        assertEquals(new Parameters.View("layers.1.weight", 16, 2, 4), net.parameters().weightView(1));
        // weights(m) and bias(m) are views into the flat array.
        net.weights(1).set(1, 3, 42f);
        assertEquals(42f, net.parameters().values()[16 + 1 * 4 + 3]);
    }

    @Test
    void ofRejectsLayersThatDoNotChain() {
        List<Dense> layers = List.of(new Dense(2, 3, Activation.RELU), new Dense(4, 1, Activation.IDENTITY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.of(layers, Parameters.zeros(List.of(new int[] {3, 2}, new int[] {1, 4}))));
        assertEquals("layer 1 reads 4 inputs but layer 0 writes 3", e.getMessage());
    }

    @Test
    void ofRejectsParametersOfAnotherLayout() {
        List<Dense> layers = List.of(new Dense(2, 3, Activation.RELU), new Dense(3, 1, Activation.IDENTITY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.of(layers, Parameters.zeros(List.<int[]>of(new int[] {3, 2}))));
        assertEquals("parameters hold 1 layers, the network has 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Network.of(layers, Parameters.zeros(List.of(new int[] {3, 2}, new int[] {2, 3}))));
        assertEquals("layer 1: weights are 2x3 and bias has 2 entries, but the layer is 3 -> 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Network.of(List.of(), Parameters.zeros(List.of())));
        assertEquals("a network needs at least one layer", e.getMessage());
    }

    @Test
    void sizesAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Network.input(0));
        assertEquals("a network needs at least one input feature, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Dense(2, 0, Activation.RELU));
        assertEquals("a dense layer needs at least one input and one output, got 2 -> 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Network.input(2).build(1));
        assertTrue(e.getMessage().contains("at least one layer"), e.getMessage());

        Network net = Network.input(3).dense(2, Activation.SIGMOID).build(1);
        e = assertThrows(IllegalArgumentException.class, () -> net.predict(Matrix.zeros(1, 2)));
        assertEquals("the network reads 3 features, got 2 columns", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> net.predict(new float[4]));
        assertEquals("the network reads 3 features, got 4", e.getMessage());
        Workspace w = net.workspace(2, Kernels.singleThreaded());
        e = assertThrows(IllegalArgumentException.class, () -> net.forward(new float[9], 0, 3, w));
        assertEquals("a pass over 3 rows does not fit a workspace of 2 rows", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> net.backward(new float[6], 0, w, new float[3]));
        assertEquals("gradient array holds 3 values, the network has 8 parameters", e.getMessage());
    }

    @Test
    void predictOfOneRowEqualsTheBatchedRowAndCopiesAreIndependent() {
        Network net = Network.input(2).dense(3, Activation.TANH).dense(2, Activation.SIGMOID).build(5);
        Matrix x = Matrix.of(new double[][] {{0.5, -1}, {2, 0.25}, {-0.75, 0}});
        Matrix batch = net.predict(x);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(batch.rowCopy(i), net.predict(x.rowCopy(i)));
        }
        Network copy = net.copy();
        assertNotSame(net.parameters().values(), copy.parameters().values());
        copy.weights(0).set(0, 0, 100f);
        assertArrayEquals(batch.data(), net.predict(x).data());
    }
}

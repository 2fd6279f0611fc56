package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written with format version 1 must load forever. The fixture was written once by
 * {@link ModelFileFixtureGenerator}; the values below are typed out, not recomputed, so a
 * change in how files are read cannot quietly follow a change in the generator.
 */
class ModelFileFixtureTest {

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ModelFileFixtureTest.class.getResource("/fixtures/" + name).toURI());
    }

    @Test
    void version1FixtureLoadsWithItsExactValues() throws IOException, URISyntaxException {
        ModelFile.Stored stored = ModelFile.read(fixture("model-v1.safetensors"));
        Network net = stored.network();

        assertEquals(List.of(
                new Dense(3, 4, Activation.parse("leaky_relu(0.2)")),
                new Dense(4, 2, Activation.parse("elu(0.5)")),
                new Dense(2, 1, Activation.SIGMOID)), net.layers());
        // θᵢ = (i − 14)/8, laid out W⁰ [4,3], b⁰ [4], W¹ [2,4], b¹ [2], W² [1,2], b² [1].
        assertArrayEquals(new float[] {
            -1.75f, -1.625f, -1.5f, -1.375f, -1.25f, -1.125f, -1f, -0.875f, -0.75f, -0.625f, -0.5f, -0.375f},
                net.weights(0).copy().data());
        assertArrayEquals(new float[] {-0.25f, -0.125f, 0f, 0.125f}, net.bias(0).copy().data());
        assertArrayEquals(new float[] {0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f, 1f, 1.125f},
                net.weights(1).copy().data());
        assertArrayEquals(new float[] {1.25f, 1.375f}, net.bias(1).copy().data());
        assertArrayEquals(new float[] {1.5f, 1.625f}, net.weights(2).copy().data());
        assertArrayEquals(new float[] {1.75f}, net.bias(2).copy().data());

        assertEquals(Map.of(
                "loss", "bce",
                "task", "classification",
                "classes", "[\"négatif\",\"positif\"]",
                "features", "[\"x₀\",\"x₁\",\"x₂\"]",
                "scaling", "{\"kind\":\"standard\",\"mean\":[0.5,-1,2],\"std\":[1,0.25,4]}"), stored.metadata());
    }

    @Test
    void version1FixturePredictsAsItsFormulaSays() throws IOException, URISyntaxException {
        Network net = ModelFile.read(fixture("model-v1.safetensors")).network();
        double[] x = {1, -2, 0.5};

        // By hand, in double: z⁰ = W⁰x + b⁰, a⁰ = leaky_relu₀.₂(z⁰), z¹ = W¹a⁰ + b¹,
        // a¹ = elu₀.₅(z¹), ŷ = sigmoid(W²a¹ + b²), with the weights of the test above.
        double[][] w0 = {{-1.75, -1.625, -1.5}, {-1.375, -1.25, -1.125}, {-1, -0.875, -0.75}, {-0.625, -0.5, -0.375}};
        double[] b0 = {-0.25, -0.125, 0, 0.125};
        double[][] w1 = {{0.25, 0.375, 0.5, 0.625}, {0.75, 0.875, 1, 1.125}};
        double[] b1 = {1.25, 1.375};
        double[] a0 = new double[4];
        for (int i = 0; i < 4; i++) {
            double z = b0[i];
            for (int j = 0; j < 3; j++) {
                z += w0[i][j] * x[j];
            }
            a0[i] = z > 0 ? z : 0.2 * z;
        }
        double[] a1 = new double[2];
        for (int i = 0; i < 2; i++) {
            double z = b1[i];
            for (int j = 0; j < 4; j++) {
                z += w1[i][j] * a0[j];
            }
            a1[i] = z > 0 ? z : 0.5 * Math.expm1(z);
        }
        double expected = 1 / (1 + Math.exp(-(1.5 * a1[0] + 1.625 * a1[1] + 1.75)));

        float actual = net.predict(new float[] {1f, -2f, 0.5f})[0];
        // float32 forward pass of three small layers with values of order 1: a few ulps of
        // float (≈ 6e-8 each) per operation, far below 1e-6.
        assertEquals(expected, actual, 1e-6);
    }
}

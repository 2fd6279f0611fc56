package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileRoundTripTest {

    @TempDir
    Path dir;

    static Network sampleNetwork(long seed) {
        return Network.input(5)
                .dense(7, Activation.RELU)
                .dense(6, Activation.parse("leaky_relu(0.2)"))
                .dense(4, Activation.parse("elu(0.5)"))
                .dense(3, Activation.TANH)
                .dense(3, Activation.SOFTPLUS)
                .dense(2, Activation.SIGMOID)
                .dense(2, Activation.IDENTITY)
                .build(seed);
    }

    private static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    @Test
    void parametersAndActivationsRoundTripBitIdentically() throws IOException {
        Network net = sampleNetwork(11);
        // Random biases too (the initialiser leaves them zero), so every tensor is exercised.
        SplittableRandom random = new SplittableRandom(5);
        float[] theta = net.parameters().values();
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) random.nextGaussian();
        }
        Path file = dir.resolve("model.safetensors");

        ModelFile.write(file, net, Map.of());
        ModelFile.Stored stored = ModelFile.read(file);

        Network back = stored.network();
        assertTrue(back.parameters().sameAs(net.parameters()), "parameters differ after the round trip");
        assertArrayEquals(rawBits(theta), rawBits(back.parameters().values()));
        assertEquals(net.layers(), back.layers(), "layers (sizes and activations) differ");
        Matrix x = Matrix.of(new double[][] {{0.5, -1, 2, 0, -0.25}, {1, 1, 1, 1, 1}});
        assertArrayEquals(net.predict(x).data(), back.predict(x).data());
        assertEquals(Map.of(), stored.metadata());
    }

    @Test
    void specialFloatValuesKeepTheirBits() throws IOException {
        Network net = Network.input(3).dense(3, Activation.IDENTITY).build(1);
        float[] special = {
            -0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc01234),
            Float.NaN, 1e-40f, -3.4028235e38f};
        System.arraycopy(special, 0, net.parameters().values(), 0, special.length);
        Path file = dir.resolve("special.safetensors");

        ModelFile.write(file, net, Map.of());

        // Raw bits, not Float.equals: a NaN's payload must survive too.
        assertArrayEquals(rawBits(net.parameters().values()),
                rawBits(ModelFile.read(file).network().parameters().values()));
    }

    @Test
    void metadataRoundTripsExactlyWithoutTheReservedKeys() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("loss", "mse");
        metadata.put("classes", "[\"chat\",\"chien\",\"\\\"quoted\\\"\",\"naïve\"]");
        metadata.put("scaling", "{\"mean\":[1.5,-2.25e-7],\"std\":[1,0.5]}");
        metadata.put("ünïcødé key ✓", "Ελληνικά, 中文, emoji 😀, tab\tnewline\ncontrol\u0001");
        metadata.put("empty", "");
        metadata.put("", "empty key");
        Path file = dir.resolve("meta.safetensors");

        ModelFile.write(file, sampleNetwork(3), metadata);
        Map<String, String> back = ModelFile.read(file).metadata();

        assertEquals(metadata, back);
        for (String reserved : ModelFile.RESERVED_KEYS) {
            assertFalse(back.containsKey(reserved), reserved + " should not be returned as caller metadata");
        }
    }

    @Test
    void storedModelCanBeWrittenAgainAsIs() throws IOException {
        Path first = dir.resolve("a.safetensors");
        Path second = dir.resolve("b.safetensors");
        ModelFile.write(first, sampleNetwork(4), Map.of("task", "regression"));
        ModelFile.Stored stored = ModelFile.read(first);

        ModelFile.write(second, stored.network(), stored.metadata());

        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void equalModelsGiveIdenticalBytesWhateverTheMapOrder() throws IOException {
        Map<String, String> forward = new LinkedHashMap<>();
        forward.put("a", "1");
        forward.put("b", "2");
        Map<String, String> backward = new LinkedHashMap<>();
        backward.put("b", "2");
        backward.put("a", "1");
        Path one = dir.resolve("one.safetensors");
        Path two = dir.resolve("two.safetensors");

        ModelFile.write(one, sampleNetwork(9), forward);
        ModelFile.write(two, sampleNetwork(9), backward);

        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
        assertEquals(List.of("a", "b"), List.copyOf(ModelFile.read(two).metadata().keySet()));
    }

    @Test
    void reservedKeysAreRefused() {
        for (String reserved : ModelFile.RESERVED_KEYS) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelFile.write(dir.resolve("r.safetensors"), sampleNetwork(1), Map.of(reserved, "x")));
            assertTrue(e.getMessage().contains("'" + reserved + "'"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("r.safetensors")));
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.write(dir.resolve("s.safetensors"), sampleNetwork(1), Map.of("k", "a\ud800b")));
        assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
    }

    @Test
    void hugeMetadataIsRefusedOnWriting() {
        String big = "x".repeat((int) ModelFile.MAX_HEADER_BYTES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.write(dir.resolve("big.safetensors"), sampleNetwork(1), Map.of("big", big)));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }
}

package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decodes a written file by hand, following the safetensors specification, not {@link ModelFile}. */
class ModelFileLayoutTest {

    @TempDir
    Path dir;

    /** A JSON value as plain Java: Map, List, String, Long. */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, value(p));
                }
                return map;
            }
            case START_ARRAY: {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getLongValue();
            default:
                throw new AssertionError("unexpected JSON token " + t);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void fileIsStandardSafetensors() throws Exception {
        Network net = Network.input(3)
                .dense(4, Activation.RELU)
                .dense(2, Activation.parse("leaky_relu(0.2)"))
                .dense(1, Activation.IDENTITY)
                .build(17);
        float[] theta = net.parameters().values();
        for (int i = 0; i < theta.length; i++) {
            theta[i] = i * 0.25f - 3f;   // distinct, so a misplaced tensor shows
        }
        Path file = dir.resolve("layout.safetensors");
        ModelFile.write(file, net, Map.of("loss", "mse"));
        byte[] bytes = Files.readAllBytes(file);

        // 8-byte little-endian header length, then the header, padded with spaces to 8.
        long h = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, h % 8, "header length " + h + " is not a multiple of 8");
        String header = new String(bytes, 8, (int) h, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        assertTrue(header.stripTrailing().endsWith("}"), header);
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '),
                "padding must be spaces");
        Map<String, Object> json;
        try (JsonParser p = new JsonFactory().createParser(header)) {
            p.nextToken();
            json = (Map<String, Object>) value(p);
        }

        Map<String, Object> metadata = (Map<String, Object>) json.get("__metadata__");
        assertEquals("gradus", metadata.get("format"));
        assertEquals("1", metadata.get("format_version"));
        assertEquals("[\"relu\",\"leaky_relu(0.2)\",\"identity\"]", metadata.get("activations"));
        assertEquals("mse", metadata.get("loss"));
        assertTrue(metadata.containsKey("gradus_version"));

        // The data section: W⁰, b⁰, W¹, b¹, W², b², contiguous, raw little-endian float32.
        int dataStart = 8 + (int) h;
        assertEquals(bytes.length - dataStart, theta.length * 4);
        String[] names = {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
            "layers.2.weight", "layers.2.bias"};
        List<List<Long>> shapes = List.of(List.of(4L, 3L), List.of(4L), List.of(2L, 4L), List.of(2L),
                List.of(1L, 2L), List.of(1L));
        assertEquals(names.length + 1, json.size(), "tensors and __metadata__ only: " + json.keySet());
        long offset = 0;
        int index = 0;
        for (int t = 0; t < names.length; t++) {
            Map<String, Object> entry = (Map<String, Object>) json.get(names[t]);
            assertEquals("F32", entry.get("dtype"), names[t]);
            assertEquals(shapes.get(t), entry.get("shape"), names[t]);
            List<Long> offsets = (List<Long>) entry.get("data_offsets");
            long count = shapes.get(t).stream().reduce(1L, (a, b) -> a * b);
            assertEquals(List.of(offset, offset + 4 * count), offsets, names[t]);
            ByteBuffer data = ByteBuffer.wrap(bytes, dataStart + (int) offset, (int) (4 * count))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                assertEquals(Float.floatToRawIntBits(theta[index]), data.getInt(), names[t] + " element " + i);
                index++;
            }
            offset += 4 * count;
        }

        byte[] sha = MessageDigest.getInstance("SHA-256").digest(
                java.util.Arrays.copyOfRange(bytes, dataStart, bytes.length));
        assertEquals(HexFormat.of().formatHex(sha), metadata.get("data_sha256"));
    }
}

package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Preprocessing.Feature;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one metadata codec: exact round trips, and strict reading that names the field at fault. */
class MetadataCodecTest {

    @TempDir
    Path dir;

    private static Preprocessing classification() {
        return new Preprocessing(Task.CLASSIFICATION,
                List.of(new Feature("x", List.of(), "0.1"), new Feature("città", List.of("a", "b\"c"), "a")),
                new Scaler(new float[] {0.1f, 0f, 0f}, new float[] {3.0000002f, 1f, 1f}),
                List.of("label"), List.of("no", "yes"), Scaler.identity(2));
    }

    private static void assertSame(Preprocessing a, Preprocessing b) {
        assertEquals(a.task(), b.task());
        assertEquals(a.features(), b.features());
        assertArrayEquals(a.featureScaler().shift(), b.featureScaler().shift());
        assertArrayEquals(a.featureScaler().scale(), b.featureScaler().scale());
        assertEquals(a.targetNames(), b.targetNames());
        assertEquals(a.classLabels(), b.classLabels());
        assertArrayEquals(a.targetScaler().shift(), b.targetScaler().shift());
        assertArrayEquals(a.targetScaler().scale(), b.targetScaler().scale());
    }

    @Test
    void modelMetadataRoundTripsExactly() throws MetadataException {
        Map<String, String> training = new LinkedHashMap<>();
        training.put("seed", "1");
        training.put("optimizer", "adam");
        ModelMetadata m = ModelMetadata.of(Loss.CROSS_ENTROPY, classification(), training);
        Map<String, String> entries = MetadataCodec.encode(m);
        assertEquals(List.of("loss", "preprocessing", "training"), List.copyOf(entries.keySet()));
        ModelMetadata back = MetadataCodec.decode(entries, m.version());
        assertEquals(Loss.CROSS_ENTROPY, back.loss());
        assertSame(m.preprocessing(), back.preprocessing());
        assertEquals(List.of("seed", "optimizer"), List.copyOf(back.training().keySet()));
        // float32 values read back bit for bit, and the text is stable.
        assertEquals(Float.floatToRawIntBits(3.0000002f), Float.floatToRawIntBits(back.preprocessing().featureScaler().scale()[0]));
        assertEquals(entries, MetadataCodec.encode(back));
    }

    @Test
    void trainingIsOptional() throws MetadataException {
        Map<String, String> entries = new LinkedHashMap<>(MetadataCodec.encode(ModelMetadata.of(Loss.MSE,
                new Preprocessing(Task.REGRESSION, List.of(new Feature("x", List.of())), Scaler.identity(1),
                        List.of("y"), List.of(), Scaler.identity(1)), Map.of())));
        entries.remove("training");
        assertEquals(Map.of(), MetadataCodec.decode(entries, ModelMetadata.FileVersion.current()).training());
    }

    private static MetadataException badPreprocessing(String from, String to) {
        String text = MetadataCodec.preprocessing(classification());
        assertTrue(text.contains(from), text);
        return assertThrows(MetadataException.class, () -> MetadataCodec.preprocessing(text.replace(from, to)));
    }

    @Test
    void anUnknownFieldIsRefusedNotSkipped() {
        MetadataException e = badPreprocessing("\"name\":\"x\"", "\"name\":\"x\",\"transform\":\"log\"");
        assertEquals("preprocessing.features[0].transform", e.field());
        assertTrue(e.problem().contains("format version " + ModelFile.FORMAT_VERSION), e.problem());
        e = badPreprocessing("\"task\":", "\"unknown_policy\":\"other\",\"task\":");
        assertEquals("preprocessing.unknown_policy", e.field());
    }

    @Test
    void missingAndMistypedFieldsAreNamed() {
        assertEquals("preprocessing.target_scaler",
                badPreprocessing(",\"target_scaler\":{\"shift\":[0.0,0.0],\"scale\":[1.0,1.0]}", "").field());
        assertEquals("preprocessing.features[1].name", badPreprocessing("\"name\":\"città\",", "").field());
        assertEquals("preprocessing.features[1].categories", badPreprocessing("[\"a\",\"b\\\"c\"]", "\"a\"").field());
        assertEquals("preprocessing.feature_scaler.shift[0]", badPreprocessing("\"shift\":[0.1,", "\"shift\":[\"0.1\",").field());
        assertEquals("preprocessing.task", badPreprocessing("\"classification\"", "\"clustering\"").field());
        assertEquals("preprocessing.features[0]", badPreprocessing("\"fill\":\"0.1\"", "\"fill\":\"many\"").field());
        assertEquals("preprocessing", badPreprocessing("\"classes\":[\"no\",\"yes\"]", "\"classes\":[\"no\"]").field());
    }

    @Test
    void malformedJsonIsRefused() {
        assertTrue(badPreprocessing("\"task\":", "\"task\":\"classification\",\"task\":").problem().contains("not valid JSON"));
        String text = MetadataCodec.preprocessing(classification());
        MetadataException e = assertThrows(MetadataException.class, () -> MetadataCodec.preprocessing(text + " {}"));
        assertTrue(e.problem().contains("text after"), e.problem());
        e = assertThrows(MetadataException.class, () -> MetadataCodec.preprocessing(text.substring(0, 40)));
        assertTrue(e.problem().contains("not valid JSON"), e.problem());
        assertThrows(MetadataException.class, () -> MetadataCodec.preprocessing(""));
        assertThrows(MetadataException.class, () -> MetadataCodec.preprocessing((String) null));
        assertThrows(MetadataException.class, () -> MetadataCodec.stringMap("{\"a\":1}", "training"));
    }

    @Test
    void theOneVersionCheck() throws MetadataException {
        assertEquals(1, MetadataCodec.formatVersion("1", "model", "format_version"));
        MetadataException newer = assertThrows(MetadataException.class,
                () -> MetadataCodec.formatVersion(Integer.toString(ModelFile.FORMAT_VERSION + 1), "model", "v"));
        assertTrue(newer.problem().contains("is newer") && newer.problem().contains("reads format version "
                + ModelFile.FORMAT_VERSION), newer.problem());
        assertTrue(assertThrows(MetadataException.class, () -> MetadataCodec.formatVersion("123456789012", "model",
                "v")).problem().contains("is newer"));
        assertTrue(assertThrows(MetadataException.class, () -> MetadataCodec.formatVersion("0", "model", "v"))
                .problem().contains("does not exist"));
        assertTrue(assertThrows(MetadataException.class, () -> MetadataCodec.formatVersion("1.0", "model", "v"))
                .problem().contains("not a whole number"));
        assertTrue(assertThrows(MetadataException.class, () -> MetadataCodec.formatVersion(null, "model", "v"))
                .problem().contains("no format_version"));
    }

    /** A model file whose preprocessing holds a field this version does not know is refused, naming it. */
    @Test
    void aModelFileWithAnUnknownColumnTransformationIsRefused() throws IOException {
        Network net = Network.input(3).dense(2, Activation.SOFTMAX).build(1);
        Map<String, String> entries = new LinkedHashMap<>(MetadataCodec.encode(
                ModelMetadata.of(Loss.CROSS_ENTROPY, classification(), Map.of())));
        entries.put("preprocessing", entries.get("preprocessing").replace("\"name\":\"città\"",
                "\"name\":\"città\",\"other_category\":\"rare\""));
        Path file = dir.resolve("m.safetensors");
        ModelFile.write(file, net, entries);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.readModel(file));
        assertEquals("__metadata__.preprocessing.features[1].other_category", e.field().orElseThrow());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void aTypedModelFileRoundTrips() throws IOException {
        Network net = Network.input(3).dense(2, Activation.SOFTMAX).build(1);
        Path file = dir.resolve("m.safetensors");
        ModelFile.write(file, net, ModelMetadata.of(Loss.CROSS_ENTROPY, classification(), Map.of("seed", "1")));
        ModelFile.Loaded back = ModelFile.readModel(file);
        assertArrayEquals(net.parameters().values(), back.network().parameters().values());
        assertSame(classification(), back.metadata().preprocessing());
        // Nothing newer than version 1 in it: written as version 1, which older readers read.
        assertEquals(new ModelMetadata.FileVersion(1, ModelFile.gradusVersion()), back.metadata().version());
        assertEquals(ModelMetadata.FileVersion.of(classification()), back.metadata().version());
        // The metadata entries are plain JSON text that any safetensors reader sees.
        String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"preprocessing\":\"{\\\"task\\\":\\\"classification\\\""), header);
    }

    /** The reader's order is its type's: the header is checked on opening, the data read once. */
    @Test
    void theDataIsReadOnceAfterTheHeaderIsChecked() throws IOException {
        Network net = Network.input(3).dense(2, Activation.SOFTMAX).build(1);
        Path file = dir.resolve("m.safetensors");
        ModelFile.write(file, net, Map.of());
        try (Safetensors.Reader in = Safetensors.Reader.open(file, Safetensors.Kind.ANY)) {
            assertEquals(2, in.entries().size());
            in.readAll();
            assertThrows(IllegalStateException.class, in::readAll);
        }
    }
}

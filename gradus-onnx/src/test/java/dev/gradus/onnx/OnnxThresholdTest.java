package dev.gradus.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Preprocessing.Feature;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.io.ModelMetadata;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored decision threshold travels through ONNX as {@code gradus.decision} with format
 * version 3, and {@code gradus import} restores it; a model without one stays version 1.
 */
class OnnxThresholdTest {
    @TempDir
    Path dir;

    private static Model model() {
        Preprocessing prep = new Preprocessing(Task.CLASSIFICATION, List.of(new Feature("a", List.of()),
                new Feature("b", List.of())), Scaler.identity(2), List.of("y"), List.of("no", "yes"),
                Scaler.identity(2));
        Network net = Network.input(2).dense(3, Activation.TANH).dense(2, Activation.SOFTMAX).build(1);
        return new Model(net, prep, Loss.CROSS_ENTROPY, Map.of());
    }

    private static String version(Model m) throws Exception {
        return ModelProto.parseFrom(OnnxExport.toBytes(m)).getMetadataPropsList().stream()
                .filter(e -> e.getKey().equals(OnnxExport.KEY_FORMAT_VERSION)).findFirst().orElseThrow().getValue();
    }

    @Test
    void theThresholdRoundTripsThroughOnnx() throws Exception {
        assertEquals("1", version(model()));
        Model decided = model().withThreshold("no", 0.2);
        assertEquals("3", version(decided));
        Path file = dir.resolve("m.onnx");
        OnnxExport.write(decided, file);
        assertEquals(Optional.of(new ModelMetadata.Decision("no", 0.2)), OnnxImport.read(file).decision());
    }
}

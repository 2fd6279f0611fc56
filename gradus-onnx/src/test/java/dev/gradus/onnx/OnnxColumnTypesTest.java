package dev.gradus.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Preprocessing.Feature;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The graph's inputs are the encoded columns a client builds from the exported metadata; a
 * column transformation of format version 2 that those cannot describe is refused by name,
 * and a model without one is stamped version 1.
 */
class OnnxColumnTypesTest {

    private static Model model(List<Feature> features, UnknownCategory unknown) {
        int width = features.stream().mapToInt(Feature::width).sum();
        Preprocessing p = new Preprocessing(Task.CLASSIFICATION, features, Scaler.identity(width), List.of("y"),
                List.of("a", "b"), Scaler.identity(2), unknown, List.of());
        Network net = Network.input(width).dense(2, Activation.SOFTMAX).build(1);
        return new Model(net, p, Loss.CROSS_ENTROPY, Map.of());
    }

    @Test
    void aDateColumnIsRefusedByName() {
        Model m = model(List.of(new Feature("x", List.of()), new Feature("signed up", List.of(), null, false, true)),
                UnknownCategory.ERROR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().startsWith("column 'signed up' is a date"), e.getMessage());
    }

    @Test
    void aSharedOtherInputIsRefusedByName() {
        Model m = model(List.of(new Feature("city", List.of("p", "q"), null, true, false)), UnknownCategory.ERROR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().startsWith("column 'city' shares an '<other>' input"), e.getMessage());
    }

    @Test
    void ignoredUnseenCategoriesAreRefused() {
        Model m = model(List.of(new Feature("city", List.of("p", "q"))), UnknownCategory.IGNORE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toBytes(m));
        assertTrue(e.getMessage().contains("--unknown ignore"), e.getMessage());
    }

    @Test
    void aModelWithoutThemIsExportedAsVersion1() throws Exception {
        Model m = model(List.of(new Feature("x", List.of()), new Feature("city", List.of("p", "q"))),
                UnknownCategory.ERROR);
        ModelProto proto = ModelProto.parseFrom(OnnxExport.toBytes(m));
        String version = proto.getMetadataPropsList().stream()
                .filter(e -> e.getKey().equals(OnnxExport.KEY_FORMAT_VERSION)).findFirst().orElseThrow().getValue();
        assertEquals("1", version);
    }
}

package dev.gradus.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.tensor.Matrix;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Files written by PyTorch's own {@code torch.onnx.export} (fixtures made by
 * {@code src/test/python/make_pytorch_fixture.py} with Debian's PyTorch 1.13) import into
 * Gradus, which then predicts what PyTorch computed.
 */
class OnnxPyTorchExportTest {

    @ParameterizedTest
    @CsvSource({"regression_tanh_relu, REGRESSION", "classifier_softmax, CLASSIFICATION",
            "binary_sigmoid, CLASSIFICATION"})
    void importedNetworkPredictsWhatPyTorchComputed(String name, Task task) throws Exception {
        Model model = OnnxImport.read(resource(name + ".onnx"), task);
        double[][][] expected = readFixture(resource(name + ".json"));
        Matrix outputs = model.network().predict(Matrix.of(expected[0]));
        for (int r = 0; r < expected[1].length; r++) {
            for (int c = 0; c < expected[1][r].length; c++) {
                // float32 in both libraries; outputs are O(1), so 1e-5 absolute is ~100 float ulps.
                assertEquals(expected[1][r][c], outputs.get(r, c), 1e-5, name + " row " + r + " column " + c);
            }
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(OnnxPyTorchExportTest.class.getResource("/pytorch/" + name).toURI());
    }

    /** {inputs, outputs} from the fixture's JSON. */
    private static double[][][] readFixture(Path path) throws Exception {
        double[][] inputs = null;
        double[][] outputs = null;
        try (JsonParser p = new JsonFactory().createParser(path.toFile())) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("inputs")) {
                    inputs = rows(p);
                } else if (field.equals("outputs")) {
                    outputs = rows(p);
                } else {
                    p.skipChildren();
                }
            }
        }
        return new double[][][] {inputs, outputs};
    }

    private static double[][] rows(JsonParser p) throws Exception {
        List<double[]> rows = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_ARRAY) {
            List<Double> row = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                row.add(p.getDoubleValue());
            }
            rows.add(row.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return rows.toArray(new double[0][]);
    }
}

package dev.gradus.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Scaling;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import dev.gradus.onnx.proto.Onnx.NodeProto;
import dev.gradus.tensor.Matrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exported graph, run by ONNX Runtime, predicts what Gradus predicts, for every activation,
 * with and without feature scaling, for classification and for regression with target
 * un-scaling, on the shipped data sets' test rows.
 *
 * <p>Tolerance 1e-5 (absolute below 1, relative above; see {@link Models#maxDifference}): both
 * sides compute in float32 but sum the Gemm products in different orders and use different
 * exp/tanh approximations, a few units in the last place (~1e-7 each) per layer.
 */
class OnnxRuntimeParityTest {
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    static Stream<Arguments> activationsAndScalings() {
        List<Arguments> out = new ArrayList<>();
        for (Activation phi : Models.ACTIVATIONS) {
            for (Scaling s : List.of(Scaling.STANDARD, Scaling.MINMAX, Scaling.NONE)) {
                out.add(Arguments.of(phi, s));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "iris, {0}, scaling {1}")
    @MethodSource("activationsAndScalings")
    void irisClassifier(Activation phi, Scaling scaling) throws Exception {
        Model model = Models.iris(phi, scaling);
        check(model, Models.table("iris_test.csv"), "iris.onnx");
    }

    @ParameterizedTest(name = "wine, {0}, scaling {1}")
    @MethodSource("activationsAndScalings")
    void wineClassifier(Activation phi, Scaling scaling) throws Exception {
        Model model = Models.wine(phi, scaling);
        check(model, Models.table("wine_test.csv"), "wine.onnx");
    }

    @ParameterizedTest(name = "iris softmax, {0}, scaling {1}")
    @MethodSource("activationsAndScalings")
    void softmaxClassifier(Activation phi, Scaling scaling) throws Exception {
        Model model = Models.irisSoftmax(phi, scaling);
        assertEquals(Activation.SOFTMAX, model.activations().get(model.activations().size() - 1));
        check(model, Models.table("iris_test.csv"), "iris-softmax.onnx");
    }

    @ParameterizedTest(name = "breast cancer bce, {0}, scaling {1}")
    @MethodSource("activationsAndScalings")
    void binaryClassifierWithOneSigmoidOutput(Activation phi, Scaling scaling) throws Exception {
        Model model = Models.breastCancerBce(phi, scaling);
        assertEquals(1, model.network().outputs());
        check(model, Models.table("breast_cancer_test.csv"), "breast-cancer.onnx");
    }

    @ParameterizedTest(name = "diabetes, {0}, scaling {1}")
    @MethodSource("activationsAndScalings")
    void diabetesRegression(Activation phi, Scaling scaling) throws Exception {
        Model model = Models.diabetes(phi, scaling);
        check(model, Models.table("diabetes_test.csv"), "diabetes.onnx");
    }

    private void check(Model model, Table test, String name) throws Exception {
        Path file = dir.resolve(name);
        OnnxExport.write(model, file);

        // Classification: the network's outputs (one column for bce, where predict adds 1 − p);
        // regression: predictions in original units.
        Matrix expected = model.task() == Task.CLASSIFICATION ? model.outputs(test) : model.predict(test).outputs();
        Matrix actual = OrtRunner.run(file, OnnxExport.INPUT, OnnxExport.graphInputs(model, test));
        double difference = Models.maxDifference(actual, expected);
        System.out.printf("%s %s: ONNX Runtime vs Gradus, largest difference %.3g over %d rows%n", name,
                model.activations(), difference, test.rows());
        assertTrue(difference <= TOLERANCE, name + ": ONNX Runtime differs from Gradus by " + difference);
        assertEquals(OnnxExport.outputName(model.task()), OrtRunner.outputName(file));

        // The scaling nodes are there exactly when the stored scaling changes something.
        ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(file));
        List<String> ops = proto.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
        boolean scaled = !model.preprocessing().featureScaler().isIdentity();
        assertEquals(scaled, ops.contains("Div"), ops.toString());
        boolean unscaled = !model.preprocessing().targetScaler().isIdentity();
        assertEquals(unscaled, ops.contains("Mul") && ops.contains("Add"), ops.toString());
        assertEquals(model.network().layerCount(), ops.stream().filter("Gemm"::equals).count());
    }
}

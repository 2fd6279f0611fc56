package dev.gradus.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.Scaling;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.onnx.proto.Onnx.ModelProto;
import dev.gradus.onnx.proto.Onnx.StringStringEntryProto;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Export then import gives back the same model: bit-identical weights, same preprocessing, same predictions. */
class OnnxRoundTripTest {
    @TempDir
    Path dir;

    static List<Activation> activations() {
        return Models.ACTIVATIONS;
    }

    @ParameterizedTest(name = "iris, {0}")
    @MethodSource("activations")
    void classifierComesBackIdentical(Activation phi) throws Exception {
        Model model = Models.iris(phi, Scaling.STANDARD);
        Model back = roundTrip(model, "iris.onnx");
        assertSame(model, back, Models.table("iris_test.csv"));
    }

    @ParameterizedTest(name = "diabetes, {0}")
    @MethodSource("activations")
    void regressionWithTargetScalingComesBackIdentical(Activation phi) throws Exception {
        Model model = Models.diabetes(phi, Scaling.STANDARD);
        assertTrue(!model.preprocessing().targetScaler().isIdentity(), "the targets are standardised");
        Model back = roundTrip(model, "diabetes.onnx");
        assertSame(model, back, Models.table("diabetes_test.csv"));
    }

    @ParameterizedTest(name = "softmax and bce, hidden {0}")
    @MethodSource("activations")
    void probabilisticClassifiersComeBackIdentical(Activation phi) throws Exception {
        Model softmax = Models.irisSoftmax(phi, Scaling.STANDARD);
        assertSame(softmax, roundTrip(softmax, "softmax.onnx"), Models.table("iris_test.csv"));
        Model bce = Models.breastCancerBce(phi, Scaling.STANDARD);
        Model back = roundTrip(bce, "bce.onnx");
        assertSame(bce, back, Models.table("breast_cancer_test.csv"));
        assertTrue(back.outputsProbabilities());
    }

    @Test
    void unscaledModelComesBackIdentical() throws Exception {
        Model model = Models.wine(Activation.TANH, Scaling.NONE);
        Model back = roundTrip(model, "wine.onnx");
        assertSame(model, back, Models.table("wine_test.csv"));
    }

    /**
     * A categorical column is one-hot encoded before the graph: the categories travel in the
     * metadata, ONNX Runtime reads the encoded inputs, and the import restores the encoding
     * (and the fill for missing cells).
     */
    @Test
    void categoricalFeaturesAreEncodedBeforeTheGraph() throws Exception {
        Table train = synthetic(120, 1);
        ModelSpec spec = ModelSpec.regression("y").withData(DataSpec.regression("y").withImpute(Impute.MEAN))
                .withHidden(List.of(6)).withActivation(Activation.TANH)
                .withTraining(TrainingOptions.plain().withOptimizer(new Sgd(0.05)).withEpochs(10).withThreads(1));
        Model model = Model.fit(train, spec).model();
        Path file = dir.resolve("synthetic.onnx");
        OnnxExport.write(model, file);

        Map<String, String> metadata = metadata(file);
        assertEquals("{\"colour\":[\"blue\",\"green\",\"red\"]}", metadata.get("feature_categories"));
        assertEquals("[\"size\",\"colour=blue\",\"colour=green\",\"colour=red\"]", metadata.get("input_columns"));
        assertEquals("[\"size\",\"colour\"]", metadata.get("feature_names"));
        assertEquals("[\"y\"]", metadata.get("target_names"));

        Table test = synthetic(30, 2);
        Matrix inputs = OnnxExport.graphInputs(model, test);
        assertEquals(4, inputs.cols());
        double difference = Models.maxDifference(OrtRunner.run(file, OnnxExport.INPUT, inputs),
                model.predict(test).outputs());
        assertTrue(difference <= OnnxRuntimeParityTest.TOLERANCE, "difference " + difference);

        assertSame(model, OnnxImport.read(file), test);
    }

    /** Exporting the imported model writes the very same bytes. */
    @Test
    void reExportIsByteIdentical() throws Exception {
        Model model = Models.diabetes(Activation.SOFTPLUS, Scaling.MINMAX);
        Path first = dir.resolve("first.onnx");
        OnnxExport.write(model, first);
        Path second = dir.resolve("second.onnx");
        OnnxExport.write(OnnxImport.read(first), second);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void aTaskThatContradictsTheMetadataIsRefused() throws Exception {
        Path file = dir.resolve("iris.onnx");
        OnnxExport.write(Models.iris(Activation.RELU, Scaling.STANDARD), file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxImport.read(file, Task.REGRESSION));
        assertTrue(e.getMessage().contains("classification") && e.getMessage().contains(file.toString()),
                e.getMessage());
        assertEquals(Task.CLASSIFICATION, OnnxImport.read(file, Task.CLASSIFICATION).task());
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporary() throws Exception {
        Path file = dir.resolve("m.onnx");
        Files.writeString(file, "old");
        OnnxExport.write(Models.iris(Activation.RELU, Scaling.STANDARD), file);
        assertEquals(Models.iris(Activation.RELU, Scaling.STANDARD).network().parameters().size(),
                OnnxImport.read(file).network().parameters().size());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    private Model roundTrip(Model model, String name) throws Exception {
        Path file = dir.resolve(name);
        OnnxExport.write(model, file);
        return OnnxImport.read(file);
    }

    static void assertSame(Model expected, Model actual, Table test) throws Exception {
        float[] a = expected.network().parameters().values();
        float[] b = actual.network().parameters().values();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                throw new AssertionError("parameter " + i + ": " + a[i] + " came back as " + b[i]);
            }
        }
        assertEquals(expected.network().layers(), actual.network().layers());
        assertEquals(expected.preprocessing(), actual.preprocessing());
        assertEquals(expected.loss(), actual.loss());
        assertEquals(expected.training(), actual.training());
        assertArrayEquals(expected.predict(test).outputs().data(), actual.predict(test).outputs().data());
    }

    static Map<String, String> metadata(Path file) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(file)).getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
    }

    /** {@code size} (numeric), {@code colour} (red/green/blue, some missing), {@code y = size + colour effect}. */
    private static Table synthetic(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] colours = {"red", "green", "blue"};
        List<String[]> cells = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            double size = random.nextDouble(0, 10);
            int c = random.nextInt(3);
            String colour = r % 17 == 5 ? "" : colours[c];
            double y = 2 * size + 5 * c + random.nextDouble(-0.5, 0.5);
            cells.add(new String[] {Double.toString(size), colour, Double.toString(y)});
        }
        return Table.of("synthetic", List.of("size", "colour", "y"), cells);
    }
}

package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Preprocessing.Feature;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.io.ModelFile;
import dev.gradus.io.ModelMetadata;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files of every format version load forever, with the meaning they had when written.
 * The fixtures were written once by {@link ModelFixtures} with the version-1 writer; the
 * values below are typed out, not recomputed from the generator, so that a change in how
 * files are read cannot quietly follow a change in how they are written.
 */
class ModelFixtureTest {

    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        URL url = ModelFixtureTest.class.getResource("/fixtures/" + name);
        assertNotNull(url, "no fixture " + name);
        return Path.of(url.toURI());
    }

    /** θᵢ = (i − offset)/16, the generator's parameters. */
    private static void assertTheta(Model model, int offset) {
        float[] theta = model.network().parameters().values();
        for (int i = 0; i < theta.length; i++) {
            assertEquals((i - offset) / 16f, theta[i], 0f, "θ" + i);
        }
    }

    @Test
    void version1ClassificationModelLoadsWithItsExactMeaning() throws Exception {
        ModelFile.Loaded loaded = ModelFile.readModel(fixture("model-v1-classification.safetensors"));
        assertEquals(new ModelMetadata.FileVersion(1, "0.1.0-SNAPSHOT"), loaded.metadata().version());
        Model model = Model.load(fixture("model-v1-classification.safetensors"));

        assertEquals(List.of(new Dense(5, 4, Activation.RELU), new Dense(4, 3, Activation.SOFTMAX)),
                model.network().layers());
        assertTheta(model, 20);
        assertEquals(Loss.CROSS_ENTROPY, model.loss());
        Preprocessing p = model.preprocessing();
        assertEquals(Task.CLASSIFICATION, p.task());
        assertEquals(List.of(new Feature("petal length", List.of(), "1.5"),
                new Feature("colour", List.of("bleu ciel", "red", "vert"), "red"),
                new Feature("size₂", List.of(), null)), p.features());
        assertArrayEquals(new float[] {0.5f, 0f, 0f, 0f, -2f}, p.featureScaler().shift());
        assertArrayEquals(new float[] {2f, 1f, 1f, 1f, 0.25f}, p.featureScaler().scale());
        assertEquals(List.of("species"), p.targetNames());
        assertEquals(List.of("setosa", "versicolor", "virginica"), p.classLabels());
        assertArrayEquals(new float[] {0f, 0f, 0f}, p.targetScaler().shift());
        assertArrayEquals(new float[] {1f, 1f, 1f}, p.targetScaler().scale());
        Map<String, String> training = new LinkedHashMap<>();
        training.put("optimizer", "adam(lr=0.001)");
        training.put("learning_rate", "0.001");
        training.put("epochs", "10");
        training.put("batch_size", "32");
        training.put("shuffle", "true");
        training.put("seed", "42");
        assertEquals(training, model.training());
        assertEquals(List.copyOf(training.keySet()), List.copyOf(model.training().keySet()));
    }

    @Test
    void version1ClassificationModelPredictsAsItsFormulaSays() throws Exception {
        Model model = Model.load(fixture("model-v1-classification.safetensors"));
        // A missing petal length is filled with 1.5, "vert" is the third one-hot input, then
        // (x − shift)/scale: x = [(1.5 − 0.5)/2, 0, 0, 1, (1 − (−2))/0.25] = [0.5, 0, 0, 1, 12].
        Table t = Table.of("fixture.csv", List.of("petal length", "colour", "size₂"),
                List.<String[]>of(new String[] {"NA", "vert", "1"}));
        double[] x = {0.5, 0, 0, 1, 12};
        // By hand in double: W⁰ [4,5] = θ₀..₁₉, b⁰ = θ₂₀..₂₃, W¹ [3,4] = θ₂₄..₃₅, b¹ = θ₃₆..₃₈.
        double[] a0 = new double[4];
        for (int i = 0; i < 4; i++) {
            double z = (20 + i - 20) / 16.0;
            for (int j = 0; j < 5; j++) {
                z += (5 * i + j - 20) / 16.0 * x[j];
            }
            a0[i] = Math.max(0, z);
        }
        double[] z1 = new double[3];
        double sum = 0;
        for (int k = 0; k < 3; k++) {
            z1[k] = (36 + k - 20) / 16.0;
            for (int i = 0; i < 4; i++) {
                z1[k] += (24 + 4 * k + i - 20) / 16.0 * a0[i];
            }
            sum += Math.exp(z1[k]);
        }
        double[] probabilities = model.predict(t).toDoubles()[0];
        for (int k = 0; k < 3; k++) {
            // float32 forward of two small layers with values of order 10: a few ulps of float each.
            assertEquals(Math.exp(z1[k]) / sum, probabilities[k], 1e-5, "p(class " + k + ")");
        }
    }

    @Test
    void version1RegressionModelLoadsWithItsExactMeaning() throws Exception {
        Model model = Model.load(fixture("model-v1-regression.safetensors"));
        assertEquals(List.of(new Dense(2, 3, Activation.TANH), new Dense(3, 2, Activation.IDENTITY)),
                model.network().layers());
        assertTheta(model, 7);
        assertEquals(Loss.MSE, model.loss());
        Preprocessing p = model.preprocessing();
        assertEquals(Task.REGRESSION, p.task());
        assertEquals(List.of(new Feature("x", List.of()), new Feature("y", List.of())), p.features());
        assertArrayEquals(new float[] {1f, -3f}, p.featureScaler().shift());
        assertArrayEquals(new float[] {0.5f, 8f}, p.featureScaler().scale());
        assertEquals(List.of("t1", "t2"), p.targetNames());
        assertEquals(List.of(), p.classLabels());
        assertArrayEquals(new float[] {10f, -1f}, p.targetScaler().shift());
        assertArrayEquals(new float[] {4f, 0.5f}, p.targetScaler().scale());
        assertEquals("step(10,0.5)", model.training().get("schedule"));
        assertEquals(7, model.training().size());

        // ŷ in original units = (W¹ tanh(W⁰x' + b⁰) + b¹) · scale + shift, x' = ((2 − 1)/0.5, (5 + 3)/8) = (2, 1).
        Table t = Table.of("fixture.csv", List.of("x", "y"), List.<String[]>of(new String[] {"2", "5"}));
        double[] x = {2, 1};
        double[] a0 = new double[3];
        for (int i = 0; i < 3; i++) {
            double z = (6 + i - 7) / 16.0;
            for (int j = 0; j < 2; j++) {
                z += (2 * i + j - 7) / 16.0 * x[j];
            }
            a0[i] = Math.tanh(z);
        }
        float[] y = model.predict(t).outputs().data();
        double[] scale = {4, 0.5};
        double[] shift = {10, -1};
        for (int k = 0; k < 2; k++) {
            double z = (15 + k - 7) / 16.0;
            for (int i = 0; i < 3; i++) {
                z += (9 + 3 * k + i - 7) / 16.0 * a0[i];
            }
            assertEquals(z * scale[k] + shift[k], y[k], 1e-5, "target " + k);
        }
    }

    @Test
    void version2ColumnTypesLoadWithTheirExactMeaning() throws Exception {
        Path file = fixture("model-v2-column-types.safetensors");
        assertEquals(2, ModelFile.readModel(file).metadata().version().format());
        Model model = Model.load(file);
        assertEquals(List.of(new Dense(9, 3, Activation.RELU), new Dense(3, 2, Activation.SOFTMAX)),
                model.network().layers());
        assertTheta(model, 12);
        Preprocessing p = model.preprocessing();
        assertEquals(List.of(new Feature("signed up", List.of(), "2024-03-01", false, true),
                new Feature("city", List.of("a", "b"), null, true, false),
                new Feature("plan", List.of("basic", "pro"), null, false, false),
                new Feature("x", List.of(), null, false, false)), p.features());
        assertEquals(UnknownCategory.IGNORE, p.unknown());
        assertEquals(List.of(new Preprocessing.LeftOut("customer id", "1000 distinct values in 1000 rows")),
                p.leftOut());
        assertArrayEquals(new float[] {19783f, 6f, 4f, 0f, 0f, 0f, 0f, 0f, 1f}, p.featureScaler().shift());
        assertArrayEquals(new float[] {64f, 4f, 2f, 1f, 1f, 1f, 1f, 1f, 2f}, p.featureScaler().scale());
        assertEquals(List.of("no", "yes"), p.classLabels());

        // Row 1: 2024-03-08 is day 19790, March, a Friday (5); city "z" is unseen and goes to
        // city=<other>; plan "gold" is unseen and, ignored, all zeros; x = 3. Row 2: the missing
        // date is filled with 2024-03-01 (day 19783, March, Friday), city "a", plan "pro", x = 1.
        // Then (x − shift)/scale.
        Table t = Table.of("fixture.csv", List.of("customer id", "signed up", "city", "plan", "x"),
                List.<String[]>of(new String[] {"c-17", "2024-03-08", "z", "gold", "3"},
                        new String[] {"c-18", "", "a", "pro", "1"}));
        double[][] x = {{7 / 64.0, -0.75, 0.5, 0, 0, 1, 0, 0, 1}, {0, -0.75, 0.5, 1, 0, 0, 0, 1, 0}};
        double[][] probabilities = model.predict(t).toDoubles();
        for (int r = 0; r < 2; r++) {
            // By hand in double: W⁰ [3,9] = θ₀..₂₆, b⁰ = θ₂₇..₂₉, W¹ [2,3] = θ₃₀..₃₅, b¹ = θ₃₆..₃₇.
            double[] a0 = new double[3];
            for (int i = 0; i < 3; i++) {
                double z = (27 + i - 12) / 16.0;
                for (int j = 0; j < 9; j++) {
                    z += (9 * i + j - 12) / 16.0 * x[r][j];
                }
                a0[i] = Math.max(0, z);
            }
            double[] z1 = new double[2];
            for (int k = 0; k < 2; k++) {
                z1[k] = (36 + k - 12) / 16.0;
                for (int i = 0; i < 3; i++) {
                    z1[k] += (30 + 3 * k + i - 12) / 16.0 * a0[i];
                }
            }
            double sum = Math.exp(z1[0]) + Math.exp(z1[1]);
            for (int k = 0; k < 2; k++) {
                // float32 forward of two small layers: a few ulps of float each.
                assertEquals(Math.exp(z1[k]) / sum, probabilities[r][k], 1e-5, "row " + r + ", p(class " + k + ")");
            }
        }
    }

    /**
     * Version 3's stored decision: "fraud" (class 0) is predicted where its probability is at
     * least 0.25, even where "ok" is more probable; the probabilities are the network's.
     */
    @Test
    void version3StoredThresholdDecidesTheLabels() throws Exception {
        Path file = fixture("model-v3-threshold.safetensors");
        ModelFile.Loaded loaded = ModelFile.readModel(file);
        assertEquals(3, loaded.metadata().version().format());
        assertEquals(java.util.Optional.of(new ModelMetadata.Decision("fraud", 0.25)), loaded.metadata().decision());
        Model model = Model.load(file);
        assertEquals(List.of(new Dense(2, 3, Activation.TANH), new Dense(3, 2, Activation.SOFTMAX)),
                model.network().layers());
        assertTheta(model, 9);
        assertEquals(List.of("fraud", "ok"), model.preprocessing().classLabels());
        assertEquals("balanced", model.training().get("class_weight"));
        // Rows (amount, hour) scaled by ((a − 100)/50, (h − 12)/6); by hand in double:
        // W⁰ [3,2] = θ₀..₅, b⁰ = θ₆..₈, W¹ [2,3] = θ₉..₁₄, b¹ = θ₁₅..₁₆, θᵢ = (i − 9)/16.
        double[][] rows = {{100, 12}, {150, 18}, {0, 0}, {400, 23}};
        Table t = Table.of("fixture.csv", List.of("amount", "hour"), List.of(new String[] {"100", "12"},
                new String[] {"150", "18"}, new String[] {"0", "0"}, new String[] {"400", "23"}));
        Predictions p = model.predict(t);
        double[][] probabilities = p.toDoubles();
        String[] labels = p.labels();
        boolean decidedAgainstTheMoreProbable = false;
        for (int r = 0; r < rows.length; r++) {
            double[] x = {(rows[r][0] - 100) / 50, (rows[r][1] - 12) / 6};
            double[] a0 = new double[3];
            for (int i = 0; i < 3; i++) {
                double z = (6 + i - 9) / 16.0;
                for (int j = 0; j < 2; j++) {
                    z += (2 * i + j - 9) / 16.0 * x[j];
                }
                a0[i] = Math.tanh(z);
            }
            double[] z1 = new double[2];
            for (int k = 0; k < 2; k++) {
                z1[k] = (15 + k - 9) / 16.0;
                for (int i = 0; i < 3; i++) {
                    z1[k] += (9 + 3 * k + i - 9) / 16.0 * a0[i];
                }
            }
            double fraud = Math.exp(z1[0]) / (Math.exp(z1[0]) + Math.exp(z1[1]));
            assertEquals(fraud, probabilities[r][0], 1e-5, "row " + r + ", p(fraud)");
            assertEquals(fraud >= 0.25 ? "fraud" : "ok", labels[r], "row " + r + ", p(fraud) = " + fraud);
            decidedAgainstTheMoreProbable |= fraud >= 0.25 && fraud < 0.5;
        }
        assertEquals(true, decidedAgainstTheMoreProbable, "some row should show the threshold at work");
        // Predictor (gradus serve) decides alike
        Predictor predictor = Predictor.of(model);
        for (int r = 0; r < rows.length; r++) {
            Prediction q = predictor.predict(Map.of("amount", rows[r][0], "hour", rows[r][1]));
            assertEquals(labels[r], ((Prediction.Classification) q).label(), "row " + r);
        }
    }

    /** The rule of docs/model-file.md: each format version keeps frozen fixtures. */
    @Test
    void everyFormatVersionHasFrozenFixtures() throws Exception {
        for (int v = 1; v <= ModelFile.FORMAT_VERSION; v++) {
            List<Path> found = new ArrayList<>();
            try (var files = Files.list(fixture("model-v1.safetensors").getParent())) {
                int version = v;
                files.filter(f -> f.getFileName().toString().startsWith("model-v" + version + "-")).forEach(found::add);
            }
            assertEquals(false, found.isEmpty(), "format version " + v + " has no model-v" + v + "-*.safetensors fixture");
            for (Path f : found) {
                assertEquals(v, ModelFile.readModel(f).metadata().version().format(), f.toString());
            }
        }
    }

    /**
     * Loading a fixture and saving it again writes the same metadata text and the same tensors:
     * the codec writes exactly what the version-1 writer wrote.
     */
    @Test
    void savingALoadedFixtureWritesTheSameEntries() throws Exception {
        for (String name : List.of("model-v1-classification.safetensors", "model-v1-regression.safetensors")) {
            Path again = dir.resolve(name);
            Model.load(fixture(name)).save(again);
            ModelFile.Stored before = ModelFile.read(fixture(name));
            ModelFile.Stored after = ModelFile.read(again);
            assertEquals(before.metadata(), after.metadata(), name);
            assertEquals(List.copyOf(before.metadata().keySet()), List.copyOf(after.metadata().keySet()), name);
            assertArrayEquals(before.network().parameters().values(), after.network().parameters().values(), name);
        }
    }
}

package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.Predictions;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end runs of each command through the real entry point. */
class CommandsTest {
    @TempDir
    Path dir;

    @Test
    void trainEvaluatePredictInspectOnIris() throws Exception {
        Path model = dir.resolve("iris.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--layers", "16", "--activation", "tanh", "--lr", "0.1", "--epochs", "200", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        assertTrue(train.err().contains("task: classification (target 'label', 3 classes)"), train.toString());
        assertTrue(train.out().contains("model written to"), train.toString());
        assertTrue(Files.isRegularFile(model));

        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("iris_test.csv"), "--json");
        assertEquals(0, evaluate.code(), evaluate.toString());
        assertTrue(evaluate.out().startsWith("{") && evaluate.out().strip().endsWith("}"), evaluate.toString());
        for (String key : List.of("\"accuracy\"", "\"precision_macro\"", "\"recall_macro\"", "\"f1_macro\"",
                "\"balanced_accuracy\"", "\"per_class\"", "\"confusion\"")) {
            assertTrue(evaluate.out().contains(key), key + " in " + evaluate.out());
        }
        double accuracy = Double.parseDouble(evaluate.out().replaceAll(".*\"accuracy\":([0-9.]+).*\\s*", "$1"));
        // The data README's logistic regression reaches 0.92 and a 3-class guess 0.33.
        assertTrue(accuracy >= 0.85, "accuracy " + accuracy);

        Path predictions = dir.resolve("pred.csv");
        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("iris_test.csv"),
                "--out", predictions.toString());
        assertEquals(0, predict.code(), predict.toString());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals("prediction,p_0,p_1,p_2", lines.get(0));
        assertEquals(39, lines.size());

        // The predicted labels equal those of the reloaded model, and the scores are its outputs.
        Model loaded = Model.load(model);
        Predictions p = loaded.predict(Csv.read(Path.of(Cli.data("iris_test.csv"))));
        for (int r = 0; r < p.rows(); r++) {
            String[] cells = lines.get(r + 1).split(",");
            assertEquals(p.labels()[r], cells[0]);
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                assertEquals(p.outputs().get(r, c), Float.parseFloat(cells[c + 1]));
                sum += Float.parseFloat(cells[c + 1]);
            }
            assertEquals(1.0, sum, 1e-6, "softmax probabilities of row " + r);
        }

        Cli inspect = Cli.run("inspect", "--model", model.toString());
        assertEquals(0, inspect.code(), inspect.toString());
        assertTrue(inspect.out().contains("parameters  131"), inspect.toString());   // 4·16+16 + 16·3+3
        assertTrue(inspect.out().contains("tanh") && inspect.out().contains("classes     0, 1, 2"), inspect.out());
    }

    @Test
    void predictWritesIdColumnAndRegressionTargetsToStdout() {
        Path model = dir.resolve("d.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("diabetes_train.csv"), "--epochs", "20", "--quiet",
                "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        assertEquals("", train.err(), "--quiet prints nothing on stderr");
        assertTrue(train.out().contains("model written to"), "results still go to stdout: " + train.out());
        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("diabetes_test.csv"),
                "--id", "age");
        assertEquals(0, predict.code(), predict.toString());
        String[] lines = predict.out().split("\n");
        assertEquals("age,target", lines[0]);
        assertEquals(112, lines.length);
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("diabetes_test.csv"));
        assertEquals(0, evaluate.code(), evaluate.toString());
        assertTrue(evaluate.out().contains("rmse") && evaluate.out().contains("r2"), evaluate.out());
    }

    @Test
    void trainJsonReportsTheAgreedKeys() {
        Cli train = Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification", "--epochs", "5",
                "--json", "--out", dir.resolve("m.gradus").toString());
        assertEquals(0, train.code(), train.toString());
        String json = train.out().strip();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (String key : List.of("epochs", "final_loss", "train_seconds", "samples_per_second", "validation")) {
            assertTrue(json.contains("\"" + key + "\":"), key + " in " + json);
        }
        assertTrue(json.contains("\"epochs\":5"), json);
    }

    @Test
    void zeroEpochsWritesTheInitialisedModel() throws Exception {
        Path model = dir.resolve("init.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification", "--layers", "5",
                "--epochs", "0", "--seed", "9", "--quiet", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        Network expected = Network.input(4).dense(5, Activation.RELU).dense(3, Activation.SOFTMAX)
                .build(dev.gradus.train.Defaults.INIT, 9);   // the default initialiser, drawn from --seed
        assertTrue(Model.load(model).network().parameters().sameAs(expected.parameters()));
        assertEquals(Activation.SOFTMAX, Model.load(model).network().layer(1).activation(),
                "classification defaults to cross-entropy with a softmax output");
    }

    @Test
    void sameCommandGivesTheSameModelBytes() throws Exception {
        Path a = dir.resolve("a.gradus");
        Path b = dir.resolve("b.gradus");
        for (Path out : List.of(a, b)) {
            Cli train = Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification",
                    "--epochs", "10", "--quiet", "--out", out.toString());
            assertEquals(0, train.code(), train.toString());
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void modelWrittenByTrainReloadsBitIdentically() throws Exception {
        Path model = dir.resolve("m.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification",
                "--epochs", "10", "--quiet", "--out", model.toString()).code());
        Model loaded = Model.load(model);
        Path again = dir.resolve("again.gradus");
        loaded.save(again);
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(again));
        Table test = Csv.read(Path.of(Cli.data("wine_test.csv")));
        assertArrayEquals(loaded.predict(test).outputs().data(), Model.load(again).predict(test).outputs().data());
    }

    @Test
    void demoRunsAndReportsTestAccuracy() {
        Cli demo = Cli.run("demo", "--epochs", "5", "--json");
        assertEquals(0, demo.code(), demo.toString());
        double accuracy = Double.parseDouble(demo.out().replaceAll(".*\"test_accuracy\":([0-9.]+).*\\s*", "$1"));
        assertTrue(accuracy > 0.9, "5 epochs on digits should pass 0.9, got " + accuracy);
    }

    @Test
    void helpAndVersionExitZero() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("train") && help.out().contains("predict"), help.out());
        assertEquals(0, Cli.run("train", "--help").code());
        assertFalse(Cli.run("--version").out().isBlank());
    }
}

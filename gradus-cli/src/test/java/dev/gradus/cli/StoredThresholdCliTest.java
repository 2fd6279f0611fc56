package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.io.ModelMetadata;
import dev.gradus.model.Model;
import dev.gradus.model.Prediction;
import dev.gradus.model.Predictions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --threshold} stores a decision in the model; {@code predict}, {@code evaluate} and
 * {@code serve} use it unless given {@code --threshold}; {@code inspect} shows it; a model that
 * cannot take one is a usage error naming the flag.
 */
class StoredThresholdCliTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() {
        model = dir.resolve("bc.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("breast_cancer_train.csv"), "--task", "classification",
                "--layers", "8", "--epochs", "20", "--threads", "1", "--quiet", "--threshold", "0.9", "--out",
                model.toString());
        assertEquals(0, train.code(), train.toString());
    }

    @Test
    void theModelStoresTheThresholdAndInspectShowsIt() throws Exception {
        assertEquals(Optional.of(new ModelMetadata.Decision("1", 0.9)), Model.load(model).decision());
        Cli inspect = Cli.run("inspect", "--model", model.toString());
        assertEquals(0, inspect.code(), inspect.toString());
        assertTrue(inspect.out().contains("threshold   0.9: predicts 1 when p(1) >= 0.9, else 0"), inspect.out());
        Cli json = Cli.run("inspect", "--model", model.toString(), "--json");
        assertTrue(json.out().contains("\"decision\":{\"positive\":\"1\",\"threshold\":0.9}"), json.out());
    }

    @Test
    void predictAndEvaluateUseItUnlessOverridden() throws Exception {
        Table test = Csv.read(Path.of(Cli.data("breast_cancer_test.csv")));
        Predictions p = Model.load(model).predict(test);
        Path stored = dir.resolve("stored.csv");
        Path half = dir.resolve("half.csv");
        assertEquals(0, Cli.run("predict", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--out", stored.toString()).code());
        assertEquals(0, Cli.run("predict", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--threshold", "0.5", "--out", half.toString()).code());
        List<String> a = Files.readAllLines(stored);
        List<String> b = Files.readAllLines(half);
        int changed = 0;
        for (int r = 0; r < p.rows(); r++) {
            String expected = p.outputs().get(r, 1) >= 0.9f ? "1" : "0";
            assertEquals(expected, a.get(r + 1).split(",")[0], "row " + r);
            assertEquals(p.outputs().get(r, 1) >= 0.5f ? "1" : "0", b.get(r + 1).split(",")[0], "row " + r);
            changed += a.get(r + 1).split(",")[0].equals(b.get(r + 1).split(",")[0]) ? 0 : 1;
        }
        assertTrue(changed > 0, "the stored 0.9 should decide some rows otherwise than 0.5");

        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"));
        assertEquals(0, evaluate.code(), evaluate.toString());
        assertTrue(evaluate.out().contains("(predicted when p >= 0.9, the model's stored threshold)"), evaluate.out());
        Cli json = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--json", "--threshold", "0.5");
        assertTrue(json.out().contains("\"threshold\":0.5"), json.out());
    }

    @Test
    void serveUsesItUnlessOverridden() throws Exception {
        StringWriter log = new StringWriter();
        Table test = Csv.read(Path.of(Cli.data("breast_cancer_test.csv")));
        Predictions p = Model.load(model).predict(test);
        try (ScoringServer stored = ScoringServer.start(new ScoringServer.Config(model, "127.0.0.1", 0, 1, 1 << 20,
                1000), new PrintWriter(log));
             ScoringServer half = ScoringServer.start(new ScoringServer.Config(model, "127.0.0.1", 0, 1, 1 << 20,
                     1000, new Reports.Decision(null, 0.5)), new PrintWriter(log))) {
            for (int r = 0; r < p.rows(); r++) {
                java.util.Map<String, Object> row = new java.util.HashMap<>();
                for (String name : stored.predictor().columns()) {
                    row.put(name, test.text(r, test.indexOf(name)));
                }
                String a = ((Prediction.Classification) stored.predictor().predict(row)).label();
                String b = ((Prediction.Classification) half.predictor().predict(row)).label();
                assertEquals(p.outputs().get(r, 1) >= 0.9f ? "1" : "0", a, "row " + r);
                assertEquals(p.outputs().get(r, 1) >= 0.5f ? "1" : "0", b, "row " + r);
            }
        }
    }

    @Test
    void aModelThatCannotTakeAThresholdIsAUsageErrorNamingTheFlag() {
        Cli regression = Cli.run("train", "--data", Cli.data("diabetes.csv"), "--threshold", "0.5", "--epochs", "1",
                "--out", dir.resolve("r.gradus").toString());
        assertEquals(2, regression.code(), regression.toString());
        assertTrue(regression.err().contains("--threshold needs a two-class classification"), regression.err());
        Cli three = Cli.run("train", "--data", Cli.data("iris.csv"), "--task", "classification", "--threshold", "0.5",
                "--epochs", "1",
                "--out", dir.resolve("i.gradus").toString());
        assertEquals(2, three.code(), three.toString());
        assertTrue(three.err().contains("--threshold needs a two-class classification; this is a 3-class"),
                three.err());
        assertTrue(!Files.exists(dir.resolve("i.gradus")));
        Cli mse = Cli.run("train", "--data", Cli.data("breast_cancer_train.csv"), "--task", "classification",
                "--loss", "mse", "--threshold", "0.5", "--epochs", "1", "--out", dir.resolve("m.gradus").toString());
        assertEquals(2, mse.code(), mse.toString());
        assertTrue(mse.err().contains("--threshold needs a model that outputs probabilities"), mse.err());
    }
}

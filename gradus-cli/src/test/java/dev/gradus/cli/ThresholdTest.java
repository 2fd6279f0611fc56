package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.model.Model;
import dev.gradus.model.Predictions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --threshold} and {@code --positive} of evaluate and predict, on breast_cancer (two classes). */
class ThresholdTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void train() {
        model = dir.resolve("bc.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("breast_cancer_train.csv"), "--task", "classification",
                "--layers", "8", "--epochs", "20", "--threads", "1", "--quiet", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
    }

    @Test
    void predictUsesTheThresholdOnThePositiveClassProbability() throws Exception {
        Table test = Csv.read(Path.of(Cli.data("breast_cancer_test.csv")));
        Predictions p = Model.load(model).predict(test);
        for (String[] args : List.of(new String[] {"--threshold", "0.9"}, new String[] {"--threshold", "0.1",
                "--positive", "0"})) {
            int positive = args.length > 2 ? 0 : 1;
            double t = Double.parseDouble(args[1]);
            Path out = dir.resolve("pred" + positive + ".csv");
            String[] cmd = concat(new String[] {"predict", "--model", model.toString(), "--data",
                    Cli.data("breast_cancer_test.csv"), "--out", out.toString()}, args);
            Cli predict = Cli.run(cmd);
            assertEquals(0, predict.code(), predict.toString());
            List<String> lines = Files.readAllLines(out);
            int differentFromArgmax = 0;
            for (int r = 0; r < p.rows(); r++) {
                String expected = p.outputs().get(r, positive) >= t ? Integer.toString(positive)
                        : Integer.toString(1 - positive);
                String got = lines.get(r + 1).split(",")[0];
                assertEquals(expected, got, "row " + r);
                if (!got.equals(p.labels()[r])) {
                    differentFromArgmax++;
                }
            }
            assertTrue(differentFromArgmax > 0, "the threshold " + t + " changes some decisions");
        }
    }

    @Test
    void evaluateReportsThePositiveClassAveragePrecisionAndTheThresholdsConfusion() {
        Cli plain = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--json");
        assertEquals(0, plain.code(), plain.toString());
        assertTrue(plain.out().contains("\"positive\":\"1\""), plain.out());
        assertTrue(plain.out().contains("\"average_precision\":"), plain.out());
        Cli strict = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--json", "--threshold", "0.99");
        assertEquals(0, strict.code(), strict.toString());
        assertTrue(strict.out().contains("\"threshold\":0.99"), strict.out());
        // Threshold-free scores do not move; the confusion matrix does.
        assertEquals(field(plain.out(), "roc_auc"), field(strict.out(), "roc_auc"));
        assertTrue(!field(plain.out(), "accuracy").equals(field(strict.out(), "accuracy")), strict.out());
        Cli text = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--positive", "0");
        assertTrue(text.out().contains("positive class   0"), text.out());
    }

    @Test
    void badFlagsAreUsageErrors() {
        Cli wrongLabel = Cli.run("evaluate", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--positive", "yes");
        assertEquals(2, wrongLabel.code(), wrongLabel.toString());
        assertTrue(wrongLabel.err().contains("no class 'yes'; the classes are 0, 1"), wrongLabel.err());
        Cli range = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("breast_cancer_test.csv"),
                "--threshold", "1.5");
        assertEquals(2, range.code(), range.toString());
        assertTrue(range.err().contains("--threshold must be between 0 and 1"), range.err());
        Path iris = dir.resolve("iris.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--epochs", "1", "--quiet", "--out", iris.toString()).code());
        Cli three = Cli.run("predict", "--model", iris.toString(), "--data", Cli.data("iris_test.csv"),
                "--threshold", "0.5");
        assertEquals(2, three.code(), three.toString());
        assertTrue(three.err().contains("--threshold needs a model of two classes; this one is 3-class"), three.err());
    }

    private static String field(String json, String key) {
        return json.replaceAll(".*\"" + key + "\":([-0-9.Ee]+).*\\s*", "$1");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}

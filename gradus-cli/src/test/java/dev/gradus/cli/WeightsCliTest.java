package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.Table;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.model.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --sample-weight} and {@code --class-weight} through the real entry point: the weight
 * column is no feature, the model records the weights, cv and evaluate score weighted rows, and
 * bad weights name the file, line and column (exit 1) or the flag (exit 2).
 */
class WeightsCliTest {
    @TempDir
    Path dir;

    /** An imbalanced two-class file {@code x1,x2,w,label}: about one row in eight is "rare". */
    private Path data(String name, int rows, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("x1,x2,w,label\n");
        for (int i = 0; i < rows; i++) {
            double x1 = random.nextDouble(-1, 1);
            double x2 = random.nextDouble(-1, 1);
            String label = x1 + 0.5 * x2 + random.nextDouble(-0.2, 0.2) > 0.8 ? "rare" : "common";
            s.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%d,%s%n", x1, x2, 1 + random.nextInt(3), label));
        }
        Path p = dir.resolve(name);
        Files.writeString(p, s);
        return p;
    }

    @Test
    void trainWithSampleAndClassWeights() throws Exception {
        Path train = data("train.csv", 300, 1);
        Path out = dir.resolve("m.gradus");
        Cli run = Cli.run("train", "--data", train.toString(), "--target", "label", "--sample-weight", "w",
                "--class-weight", "balanced", "--layers", "8", "--epochs", "20", "--threads", "1", "--out",
                out.toString());
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.err().contains("weighted by sample weights w, class weights balanced"), run.err());
        assertTrue(run.out().contains("(weighted)"), run.out());
        Model m = Model.load(out);
        assertEquals(List.of("x1", "x2"), m.preprocessing().featureNames());
        assertEquals("w", m.training().get("sample_weight"));
        assertEquals("balanced", m.training().get("class_weight"));

        // balanced class weights raise the recall of the rare class over an unweighted model
        Path plain = dir.resolve("plain.gradus");
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--target", "label", "--drop", "w", "--layers",
                "8", "--epochs", "20", "--threads", "1", "--out", plain.toString(), "--quiet").code());
        Table test = Csv.read(data("test.csv", 400, 2));
        int rare = m.classId("rare");
        ClassificationMetrics weighted = m.classificationMetrics(test);
        ClassificationMetrics unweighted = Model.load(plain).classificationMetrics(test);
        assertTrue(weighted.recall()[rare] > unweighted.recall()[rare], "recall of the rare class: balanced "
                + weighted.recall()[rare] + ", unweighted " + unweighted.recall()[rare]);
        // and the mean recall over both classes, the score such weights are for
        assertTrue(weighted.balancedAccuracy() > unweighted.balancedAccuracy(), "balanced accuracy: balanced "
                + weighted.balancedAccuracy() + ", unweighted " + unweighted.balancedAccuracy());
    }

    @Test
    void badWeightsNameTheFileLineColumnOrFlag() throws Exception {
        Path train = data("train.csv", 40, 3);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(train));
        lines.set(5, lines.get(5).replaceFirst(",[0-9],", ",-1,"));
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, lines);
        Cli negative = Cli.run("train", "--data", bad.toString(), "--target", "label", "--sample-weight", "w",
                "--epochs", "1", "--out", dir.resolve("x.gradus").toString());
        assertEquals(1, negative.code(), negative.toString());
        assertTrue(negative.err().contains(bad + ": line 6, column 'w': sample weight -1"), negative.err());
        assertFalse(Files.exists(dir.resolve("x.gradus")));

        Cli missing = Cli.run("train", "--data", train.toString(), "--target", "label", "--sample-weight", "weight",
                "--epochs", "1", "--out", dir.resolve("x.gradus").toString());
        assertEquals(1, missing.code(), missing.toString());
        assertTrue(missing.err().contains("no sample-weight column 'weight'"), missing.err());

        Cli unknown = Cli.run("train", "--data", train.toString(), "--target", "label", "--drop", "w",
                "--class-weight", "rare=5,zebra=2", "--epochs", "1", "--out", dir.resolve("x.gradus").toString());
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("--class-weight") && unknown.err().contains("'zebra'"), unknown.err());

        Cli regression = Cli.run("train", "--data", Cli.data("diabetes.csv"), "--class-weight", "balanced",
                "--epochs", "1", "--out", dir.resolve("x.gradus").toString());
        assertEquals(2, regression.code(), regression.toString());
        assertTrue(regression.err().contains("--class-weight") && regression.err().contains("classification"),
                regression.err());

        Cli syntax = Cli.run("train", "--data", train.toString(), "--class-weight", "rare", "--epochs", "1",
                "--out", dir.resolve("x.gradus").toString());
        assertEquals(2, syntax.code(), syntax.toString());
        assertTrue(syntax.err().contains("--class-weight"), syntax.err());
    }

    @Test
    void cvAndEvaluateScoreWeightedRows() throws Exception {
        Path train = data("train.csv", 200, 4);
        Cli cv = Cli.run("cv", "--data", train.toString(), "--target", "label", "--sample-weight", "w", "--folds",
                "3", "--layers", "6", "--epochs", "5", "--threads", "1", "--json");
        assertEquals(0, cv.code(), cv.toString());
        assertTrue(cv.out().contains("\"sample_weight\":\"w\"") && cv.out().contains("\"folds\":["), cv.out());

        Path out = dir.resolve("m.gradus");
        assertEquals(0, Cli.run("train", "--data", train.toString(), "--target", "label", "--sample-weight", "w",
                "--layers", "6", "--epochs", "10", "--threads", "1", "--out", out.toString(), "--quiet").code());
        Path test = data("test.csv", 100, 5);
        Cli evaluate = Cli.run("evaluate", "--model", out.toString(), "--data", test.toString(), "--sample-weight",
                "w", "--json");
        assertEquals(0, evaluate.code(), evaluate.toString());
        Model m = Model.load(out);
        Table t = Csv.read(test);
        double[] w = new double[t.rows()];
        for (int r = 0; r < w.length; r++) {
            w[r] = Double.parseDouble(t.text(r, t.indexOf("w")));
        }
        double expected = m.classificationMetrics(t, 1, Double.NaN, w).accuracy();
        assertTrue(evaluate.out().contains("\"accuracy\":" + expected), expected + " in " + evaluate.out());
        assertTrue(evaluate.out().contains("\"sample_weight\":\"w\""), evaluate.out());

        Cli text = Cli.run("evaluate", "--model", out.toString(), "--data", test.toString(), "--sample-weight", "w");
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().contains("weighted by column w"), text.out());
    }

    /** A weighted run resumes with its weights, without naming them again, and ends as an uninterrupted one. */
    @Test
    void aWeightedRunResumesWithItsWeights() throws Exception {
        Path train = data("train.csv", 120, 6);
        Path whole = dir.resolve("whole.gradus");
        Path resumed = dir.resolve("resumed.gradus");
        Path checkpoints = dir.resolve("ck");
        String[] common = {"train", "--data", train.toString(), "--target", "label", "--layers", "6", "--threads",
                "1", "--quiet"};
        Cli a = Cli.run(concat(common, "--sample-weight", "w", "--class-weight", "rare=4", "--epochs", "6", "--out",
                whole.toString()));
        assertEquals(0, a.code(), a.toString());
        Cli b = Cli.run(concat(common, "--sample-weight", "w", "--class-weight", "rare=4", "--epochs", "3",
                "--checkpoint", checkpoints.toString(), "--out", dir.resolve("half.gradus").toString()));
        assertEquals(0, b.code(), b.toString());
        Cli c = Cli.run("train", "--data", train.toString(), "--resume", checkpoints.toString(), "--epochs", "6",
                "--quiet", "--out", resumed.toString());
        assertEquals(0, c.code(), c.toString());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Model.load(whole).network().parameters().values(),
                Model.load(resumed).network().parameters().values());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

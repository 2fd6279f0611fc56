package dev.gradus.spark;

import static dev.gradus.spark.SparkTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gradus.cli.Main;
import dev.gradus.model.Model;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gradus-spark train} against {@code gradus train} with the same flags, both run in this
 * JVM through their entry points (the launchers add only JVM flags). Tests run from the
 * repository root, where {@code data/} is.
 */
class SparkCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run gradus(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run gradusSpark(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static String[] args(List<String> common, String... more) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void fullBatchTrainingOnSparkWritesTheWeightsOfGradusTrain() throws Exception {
        Path init = dir.resolve("init.gradus");
        Run made = gradus("train", "--data", "data/iris_train.csv", "--task", "classification", "--scale", "none",
                "--layers", "6", "--epochs", "0", "--quiet", "--out", init.toString());
        assertEquals(0, made.code(), made.err());
        List<String> flags = List.of("train", "--data", "data/iris_train.csv", "--task", "classification",
                "--init", init.toString(), "--batch-size", "0", "--no-shuffle", "--scale", "none", "--epochs", "40",
                "--quiet");
        Path core = dir.resolve("core.gradus");
        Run c = gradus(args(flags, "--out", core.toString()));
        assertEquals(0, c.code(), c.err());
        Path onThree = dir.resolve("three.gradus");
        Run s = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "3", "--out", onThree.toString()));
        assertEquals(0, s.code(), s.err());
        Path onOne = dir.resolve("one.gradus");
        Run s1 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "1", "--out", onOne.toString()));
        assertEquals(0, s1.code(), s1.err());

        float[] expected = Model.load(core).network().parameters().values();
        float[] start = Model.load(init).network().parameters().values();
        double moved = 0;
        for (int i = 0; i < start.length; i++) {
            moved = Math.max(moved, Math.abs(expected[i] - start[i]));
        }
        assertTrue(moved > 1e-3, "training moved the weights by at most " + moved);
        // 40 Adam steps whose only difference is where float32 row sums are split: see SparkTrainerTest
        assertClose(expected, Model.load(onThree).network().parameters().values(), 1e-5, "3 partitions");
        assertArrayEquals(expected, Model.load(onOne).network().parameters().values(), "1 partition");
        assertEquals(Model.load(core).preprocessing(), Model.load(onThree).preprocessing());
        // The same training record; the final loss (of weights that agree to 1e-5) to float32 precision.
        java.util.Map<String, String> coreRecord = new java.util.HashMap<>(Model.load(core).training());
        java.util.Map<String, String> sparkRecord = new java.util.HashMap<>(Model.load(onThree).training());
        double coreLoss = Double.parseDouble(coreRecord.remove("final_loss"));
        double sparkLoss = Double.parseDouble(sparkRecord.remove("final_loss"));
        assertEquals(coreRecord, sparkRecord);
        assertEquals(coreLoss, sparkLoss, 1e-6 * coreLoss);
        assertEquals(Model.load(core).training(), Model.load(onOne).training());
    }

    /**
     * A fresh run reads --data on the executors, fits the preprocessing from their column
     * summaries and scores the model there: the model of gradus train, bit for bit on one
     * partition (the same scalers, the same blocks), within 1e-5 on three.
     */
    @Test
    void executorReadRunsWriteTheModelOfGradusTrain() throws Exception {
        List<String> flags = List.of("train", "--data", "data/iris_train.csv", "--layers", "8", "--batch-size", "0",
                "--optimizer", "adam", "--epochs", "30", "--quiet", "--json");
        Path core = dir.resolve("fresh-core.gradus");
        Run c = gradus(args(flags, "--out", core.toString()));
        assertEquals(0, c.code(), c.err());
        Path one = dir.resolve("fresh-one.gradus");
        Run s1 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "1", "--out", one.toString()));
        assertEquals(0, s1.code(), s1.err());
        Path three = dir.resolve("fresh-three.gradus");
        Run s3 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "3", "--out", three.toString()));
        assertEquals(0, s3.code(), s3.err());
        Model expected = Model.load(core);
        assertEquals(expected.preprocessing(), Model.load(one).preprocessing());
        assertArrayEquals(expected.network().parameters().values(), Model.load(one).network().parameters().values());
        assertClose(expected.network().parameters().values(), Model.load(three).network().parameters().values(), 1e-5,
                "3 partitions");
        // The same report: rows, and the final loss scored on the executors (chunk sums in another order).
        java.util.regex.Matcher rows = java.util.regex.Pattern.compile("\"rows\":([0-9]+)").matcher(c.out());
        assertTrue(rows.find(), c.out());
        assertTrue(s1.out().contains("\"rows\":" + rows.group(1)), s1.out());
        double coreLoss = Double.parseDouble(expected.training().get("final_loss"));
        double sparkLoss = Double.parseDouble(Model.load(one).training().get("final_loss"));
        assertEquals(coreLoss, sparkLoss, 1e-6 * coreLoss);
    }

    /**
     * --validation read on the executors and scored there every epoch: early stopping at the
     * epoch of gradus train, the same model bit for bit on one partition, within 1e-5 on three.
     */
    @Test
    void aValidationFileIsReadAndScoredOnTheExecutors() throws Exception {
        List<String> flags = List.of("train", "--data", "data/wine_train.csv", "--validation", "data/wine_test.csv",
                "--task", "classification", "--layers", "8", "--batch-size", "0", "--optimizer", "adam", "--lr", "0.05",
                "--epochs", "200", "--patience", "3", "--monitor", "loss", "--min-delta", "0.002", "--quiet", "--json");
        Path core = dir.resolve("val-core.gradus");
        Run c = gradus(args(flags, "--out", core.toString()));
        assertEquals(0, c.code(), c.err());
        Path one = dir.resolve("val-one.gradus");
        Run s1 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "1", "--out", one.toString()));
        assertEquals(0, s1.code(), s1.err());
        Path three = dir.resolve("val-three.gradus");
        Run s3 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "3", "--out", three.toString()));
        assertEquals(0, s3.code(), s3.err());
        java.util.regex.Matcher epochs = java.util.regex.Pattern.compile("\"epochs\":([0-9]+)").matcher(c.out());
        assertTrue(epochs.find(), c.out());
        assertTrue(c.out().contains("\"stopped_early\":true"), "the run is meant to stop early: " + c.out());
        assertTrue(s1.out().contains(epochs.group()), s1.out());
        assertTrue(s3.out().contains(epochs.group()), s3.out());
        // The validation scores of the kept epoch, as gradus train reports them (one partition: the same bits).
        java.util.regex.Matcher validation = java.util.regex.Pattern.compile("\"validation\":\\{[^}]*\\}")
                .matcher(c.out());
        assertTrue(validation.find(), c.out());
        assertTrue(s1.out().contains(validation.group()), s1.out());
        Model expected = Model.load(core);
        assertArrayEquals(expected.network().parameters().values(), Model.load(one).network().parameters().values());
        assertClose(expected.network().parameters().values(), Model.load(three).network().parameters().values(), 1e-5,
                "3 partitions");

        Run badValidation = gradusSpark(args(List.of("train", "--data", "data/wine_train.csv", "--validation",
                "data/iris_test.csv", "--epochs", "1", "--quiet", "--master", "local[1]"), "--out",
                dir.resolve("bad.gradus").toString()));
        assertEquals(1, badValidation.code(), badValidation.err());
        assertTrue(badValidation.err().contains("iris_test.csv"), badValidation.err());
    }

    /** iris_train.csv with a column {@code w} of row weights (0, 0.5, 1 or 1.5) appended. */
    private Path weightedIris() throws java.io.IOException {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(Path.of("data/iris_train.csv"));
        java.util.List<String> weighted = new ArrayList<>(List.of(lines.get(0) + ",w"));
        for (int i = 1; i < lines.size(); i++) {
            weighted.add(lines.get(i) + "," + (i % 7 == 0 ? "0" : Double.toString(0.5 * (1 + i % 3))));
        }
        return java.nio.file.Files.write(dir.resolve("iris-w.csv"), weighted);
    }

    /**
     * --sample-weight and --class-weight: the weighted loss of gradus train, the weights read and
     * multiplied on the executors beside the rows (a fresh run reads nothing on the driver): the
     * same weights and training record on one partition (the final loss, scored there in chunks,
     * to 1e-6), weights within 1e-5 on three; full batch with a weighted validation fraction,
     * shuffled mini-batches with balanced class weights, and --sync-every on one partition.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "--batch-size 0 --optimizer adam --epochs 25 --validation-fraction 0.2",
        "--batch-size 16 --optimizer adam --epochs 6 --class-weight balanced",
        "--batch-size 16 --optimizer momentum --epochs 6 --class-weight 0=3 --validation-fraction 0.2 --sync-every 3"})
    void rowWeightsTrainAsGradusTrain(String mode) throws Exception {
        Path data = weightedIris();
        List<String> flags = new ArrayList<>(List.of("train", "--data", data.toString(), "--sample-weight", "w",
                "--task", "classification", "--layers", "8", "--quiet"));
        List<String> modeFlags = new ArrayList<>(List.of(mode.split(" ")));
        boolean averaged = modeFlags.contains("--sync-every");
        List<String> coreFlags = new ArrayList<>(modeFlags);
        if (averaged) {
            coreFlags.subList(coreFlags.indexOf("--sync-every"), coreFlags.indexOf("--sync-every") + 2).clear();
        }
        Path core = dir.resolve("w-core.gradus");
        List<String> c = new ArrayList<>(flags);
        c.addAll(coreFlags);
        Run coreRun = gradus(args(c, "--out", core.toString()));
        assertEquals(0, coreRun.code(), coreRun.err());
        flags.addAll(modeFlags);
        Path one = dir.resolve("w-one.gradus");
        Run s1 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "1", "--out", one.toString()));
        assertEquals(0, s1.code(), s1.err());
        Model expected = Model.load(core);
        assertArrayEquals(expected.network().parameters().values(), Model.load(one).network().parameters().values());
        java.util.Map<String, String> coreRecord = new java.util.HashMap<>(expected.training());
        java.util.Map<String, String> sparkRecord = new java.util.HashMap<>(Model.load(one).training());
        double coreLoss = Double.parseDouble(coreRecord.remove("final_loss"));
        double sparkLoss = Double.parseDouble(sparkRecord.remove("final_loss"));
        sparkRecord.remove("sync_every");
        assertEquals(coreRecord, sparkRecord);
        assertEquals(coreLoss, sparkLoss, 1e-6 * coreLoss, "the weighted final loss");
        assertEquals("w", Model.load(one).training().get("sample_weight"));
        if (!averaged) {
            Path three = dir.resolve("w-three.gradus");
            Run s3 = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "3", "--out", three.toString()));
            assertEquals(0, s3.code(), s3.err());
            assertClose(expected.network().parameters().values(), Model.load(three).network().parameters().values(),
                    1e-5, "3 partitions");
        }
    }

    /**
     * The executors read the weights: a bad weight stops the run with exit 1 and a message naming
     * the file, the row and the column; a missing column or weights that are all 0 as gradus train
     * says them.
     */
    @Test
    void badRowWeightsAreNamedByFileRowAndColumn() throws Exception {
        java.util.List<String> lines = java.nio.file.Files.readAllLines(weightedIris());
        lines.set(5, lines.get(5).substring(0, lines.get(5).lastIndexOf(',')) + ",-2");
        Path bad = java.nio.file.Files.write(dir.resolve("iris-bad-w.csv"), lines);
        String out = dir.resolve("m.gradus").toString();
        Run negative = gradusSpark("train", "--data", bad.toString(), "--sample-weight", "w", "--epochs", "1",
                "--quiet", "--master", "local[1]", "--out", out);
        assertEquals(1, negative.code(), negative.err());
        // the executors know the row, not the line (on JDK 24+, where the driver reads the file: line 6)
        assertTrue(negative.err().contains(SparkSessions.hadoopFileSystemsWork() ? "iris-bad-w.csv: row 5 of the data"
                : "iris-bad-w.csv: line 6"), negative.err());
        assertTrue(negative.err().contains("column 'w': sample weight -2 is negative"), negative.err());
        assertTrue(!java.nio.file.Files.exists(Path.of(out)), "no model file is written");

        Run noColumn = gradusSpark("train", "--data", "data/iris_train.csv", "--sample-weight", "w", "--epochs", "1",
                "--quiet", "--master", "local[1]", "--out", out);
        Run coreNoColumn = gradus("train", "--data", "data/iris_train.csv", "--sample-weight", "w", "--epochs", "1",
                "--quiet", "--out", out);
        assertEquals(coreNoColumn.code(), noColumn.code(), noColumn.err());
        assertTrue(noColumn.err().contains("no sample-weight column 'w'"), noColumn.err());

        java.util.List<String> zero = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            zero.add(line.substring(0, line.lastIndexOf(',')) + ",0");
        }
        Path zeros = java.nio.file.Files.write(dir.resolve("iris-zero-w.csv"), zero);
        Run allZero = gradusSpark("train", "--data", zeros.toString(), "--sample-weight", "w", "--epochs", "1",
                "--quiet", "--master", "local[2]", "--partitions", "2", "--out", out);
        Run coreAllZero = gradus("train", "--data", zeros.toString(), "--sample-weight", "w", "--epochs", "1",
                "--quiet", "--out", out);
        assertEquals(1, allZero.code(), allZero.err());
        assertEquals(coreAllZero.code(), allZero.code());
        assertTrue(allZero.err().contains("every row weighs 0 (sample weights in column 'w')"), allZero.err());

        Run regression = gradusSpark("train", "--data", "data/diabetes_train.csv", "--class-weight", "balanced",
                "--epochs", "1", "--quiet", "--master", "local[1]", "--out", out);
        assertEquals(2, regression.code(), regression.err());
        assertTrue(regression.err().contains("--class-weight: class weights are for classification"),
                regression.err());
    }

    @Test
    void flagsAreCheckedAsByGradusTrain() {
        Run badPartitions = gradusSpark("train", "--data", "data/iris_train.csv", "--partitions", "0",
                "--epochs", "1", "--quiet", "--master", "local[1]", "--out", dir.resolve("m.gradus").toString());
        assertEquals(2, badPartitions.code());
        assertTrue(badPartitions.err().contains("--partitions must be at least 1, got 0"), badPartitions.err());

        Run badRate = gradusSpark("train", "--data", "data/iris_train.csv", "--lr", "-1",
                "--out", dir.resolve("m.gradus").toString());
        Run coreBadRate = gradus("train", "--data", "data/iris_train.csv", "--lr", "-1",
                "--out", dir.resolve("m.gradus").toString());
        assertEquals(coreBadRate.code(), badRate.code());
        assertEquals(coreBadRate.err(), badRate.err());

        Run badFormat = gradusSpark("train", "--data", "data/iris_train.csv", "--format", "xml", "--master",
                "local[1]", "--out", dir.resolve("m.gradus").toString());
        assertEquals(2, badFormat.code(), badFormat.err());
        assertTrue(badFormat.err().contains("--format xml"), badFormat.err());

        Run missing = gradusSpark("train", "--data", "no/such.csv", "--out", dir.resolve("m.gradus").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no/such.csv"), missing.err());
    }

    /** Wine classification with state everywhere: shuffled mini-batches, dropout, validation, patience. */
    private List<String> wine(int epochs, String out) {
        return new ArrayList<>(List.of("train", "--data", "data/wine_train.csv", "--task", "classification",
                "--layers", "12,8", "--dropout", "0.2", "--optimizer", "adam", "--batch-size", "32",
                "--validation-fraction", "0.2", "--patience", "50", "--partitions", "2", "--threads", "1",
                "--epochs", Integer.toString(epochs), "--out", dir.resolve(out).toString(), "--quiet"));
    }

    @Test
    void aStoppedAndResumedSparkRunWritesTheModelOfTheUninterruptedRun() throws Exception {
        Run whole = gradusSpark(wine(5, "whole.gradus").toArray(String[]::new));
        assertEquals(0, whole.code(), whole.err());
        Path ckpt = dir.resolve("ckpt");
        List<String> first = wine(2, "first.gradus");
        first.addAll(List.of("--checkpoint", ckpt.toString()));
        Run stopped = gradusSpark(first.toArray(String[]::new));
        assertEquals(0, stopped.code(), stopped.err());
        List<String> rest = wine(5, "resumed.gradus");
        rest.addAll(List.of("--resume", ckpt.toString()));
        Run resumed = gradusSpark(rest.toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(Model.load(dir.resolve("whole.gradus")).network().parameters().values(),
                Model.load(dir.resolve("resumed.gradus")).network().parameters().values());

        // another partitioning is not the run the checkpoint continues
        List<String> other = wine(5, "other.gradus");
        other.addAll(List.of("--resume", ckpt.toString()));
        other.set(other.indexOf("--partitions") + 1, "3");
        Run refused = gradusSpark(other.toArray(String[]::new));
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("--partitions"), refused.err());
    }

    /**
     * {@code --sync-every}: on one partition the model of {@code gradus train} with the same flags,
     * bit for bit (the average of one model is that model); on two it trains; its usage errors are
     * one line with exit code 2, before Spark starts.
     */
    @Test
    void syncEveryOnOnePartitionWritesTheModelOfGradusTrain() throws Exception {
        List<String> flags = List.of("train", "--data", "data/iris_train.csv", "--layers", "8", "--batch-size", "16",
                "--epochs", "12", "--quiet");
        Path core = dir.resolve("core.gradus");
        Run c = gradus(args(flags, "--out", core.toString()));
        assertEquals(0, c.code(), c.err());
        Path one = dir.resolve("one.gradus");
        Run s1 = gradusSpark(args(flags, "--sync-every", "3", "--master", "local[1]", "--partitions", "1",
                "--out", one.toString()));
        assertEquals(0, s1.code(), s1.err());
        assertArrayEquals(Model.load(core).network().parameters().values(),
                Model.load(one).network().parameters().values());
        Path two = dir.resolve("two.gradus");
        Run s2 = gradusSpark(args(flags, "--sync-every", "3", "--master", "local[2]", "--partitions", "2",
                "--json", "--out", two.toString()));
        assertEquals(0, s2.code(), s2.err());
        assertTrue(s2.out().contains("\"final_loss\""), s2.out());
        assertEquals("3", Model.load(two).training().get("sync_every"), "the model file says how it was trained");
        assertEquals(null, Model.load(core).training().get("sync_every"));

        // checkpointed on two partitions, stopped after 5 epochs and resumed: the uninterrupted run's model
        Path ckpt = dir.resolve("sync-ckpt");
        Run stopped = gradusSpark(args(flags, "--sync-every", "3", "--master", "local[2]", "--partitions", "2",
                "--checkpoint", ckpt.toString(), "--out", dir.resolve("checkpointed.gradus").toString()));
        assertEquals(0, stopped.code(), stopped.err());
        assertArrayEquals(Model.load(two).network().parameters().values(),
                Model.load(dir.resolve("checkpointed.gradus")).network().parameters().values(), "checkpoints change nothing");
        List<String> more = new ArrayList<>(flags);
        more.set(more.indexOf("--epochs") + 1, "5");
        Run first = gradusSpark(args(more, "--sync-every", "3", "--master", "local[2]", "--partitions", "2",
                "--checkpoint", dir.resolve("sync-ckpt-5").toString(), "--out", dir.resolve("five.gradus").toString()));
        assertEquals(0, first.code(), first.err());
        Path resumedModel = dir.resolve("resumed.gradus");
        Run resumed = gradusSpark(args(flags, "--sync-every", "3", "--master", "local[2]", "--partitions", "2",
                "--resume", dir.resolve("sync-ckpt-5").toString(), "--out", resumedModel.toString()));
        assertEquals(0, resumed.code(), resumed.err());
        assertArrayEquals(Model.load(two).network().parameters().values(),
                Model.load(resumedModel).network().parameters().values());
        assertEquals("3", Model.load(resumedModel).training().get("sync_every"));
        Run exact = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "2",
                "--resume", dir.resolve("sync-ckpt-5").toString(), "--out", dir.resolve("x.gradus").toString()));
        assertEquals(2, exact.code(), exact.err());
        assertTrue(exact.err().contains("sync_every = 3"), exact.err());
        // gradus train cannot continue it either, and says which command can
        Run plain = gradus(args(flags, "--resume", dir.resolve("sync-ckpt-5").toString(), "--out",
                dir.resolve("p.gradus").toString()));
        assertEquals(2, plain.code(), plain.err());
        assertTrue(plain.err().contains("is from a model-averaging run (gradus-spark train --sync-every 3)")
                && plain.err().contains("resume it with gradus-spark train"), plain.err());
        assertTrue(plain.err().strip().lines().count() == 1, plain.err());

        String out = dir.resolve("m.gradus").toString();
        for (String[] bad : List.of(
                new String[] {"--sync-every", "0", "--sync-every must be at least 1 step, got 0"},
                new String[] {"--sync-every", "2", "--optimizer", "lbfgs", "lbfgs works on the full batch"},
                new String[] {"--sync-every", "2", "--batch-size", "0", "--batch-size must be above 0"})) {
            List<String> a = new ArrayList<>(List.of("train", "--data", "data/iris_train.csv", "--out", out));
            a.addAll(List.of(bad).subList(0, bad.length - 1));
            Run refused = gradusSpark(a.toArray(String[]::new));
            assertEquals(2, refused.code(), refused.err());
            assertTrue(refused.err().contains(bad[bad.length - 1]), refused.err());
            assertTrue(refused.err().strip().lines().findFirst().orElse("").contains(bad[bad.length - 1]),
                    "the first line names the fault: " + refused.err());
        }
    }

    /** The warning lines of a run's stderr. */
    private static List<String> warnings(Run run) {
        return run.err().lines().filter(l -> l.startsWith("warning: ")).toList();
    }

    /**
     * A fresh run that reads its rows on the executors warns of a suspicious task as gradus
     * train does: integer class ids inferred as a regression (from the target's distinct cells in
     * the executors' column summaries), and about one class per row.
     */
    @Test
    void executorReadRunsWarnOfASuspiciousTaskAsGradusTrainDoes() throws Exception {
        // on JDK 24+ the driver reads the file (and says so), so no executor reads it
        assumeTrue(SparkSessions.hadoopFileSystemsWork(),
                "Hadoop file systems do not work on JDK " + Runtime.version().feature() + " (Subject.getSubject)");
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int r = 0; r < 200; r++) {
            csv.append(r % 7).append(',').append(r % 11).append(',').append(r % 5 == 4 ? "4.0" : r % 5).append('\n');
        }
        Path ids = java.nio.file.Files.writeString(dir.resolve("ids.csv"), csv);
        List<String> flags = List.of("train", "--data", ids.toString(), "--epochs", "1");
        Run c = gradus(args(flags, "--out", dir.resolve("ids-core.gradus").toString()));
        Run s = gradusSpark(args(flags, "--master", "local[2]", "--partitions", "2", "--out",
                dir.resolve("ids-spark.gradus").toString()));
        assertEquals(0, c.code(), c.err());
        assertEquals(0, s.code(), s.err());
        assertEquals(List.of("warning: target 'y' holds only 5 distinct integer values (0 to 4); trained as a "
                + "regression. If these are class ids, give --task classification"), warnings(c));
        assertEquals(warnings(c), warnings(s));

        // 2.5 is no class id: no warning from either
        Path mixed = java.nio.file.Files.writeString(dir.resolve("mixed.csv"), csv.toString().replace(",4.0\n", ",2.5\n"));
        List<String> mixedFlags = List.of("train", "--data", mixed.toString(), "--epochs", "1");
        Run cm = gradus(args(mixedFlags, "--out", dir.resolve("m-core.gradus").toString()));
        Run sm = gradusSpark(args(mixedFlags, "--master", "local[2]", "--out", dir.resolve("m-spark.gradus").toString()));
        assertEquals(0, sm.code(), sm.err());
        assertEquals(List.of(), warnings(cm));
        assertEquals(List.of(), warnings(sm));

        List<String> classFlags = List.of("train", "--data", "data/diabetes_train.csv", "--task", "classification",
                "--epochs", "1");
        Run cc = gradus(args(classFlags, "--out", dir.resolve("c-core.gradus").toString()));
        Run sc = gradusSpark(args(classFlags, "--master", "local[2]", "--out", dir.resolve("c-spark.gradus").toString()));
        assertEquals(0, sc.code(), sc.err());
        assertEquals(1, warnings(cc).size(), cc.err());
        assertEquals(warnings(cc), warnings(sc));
    }
}

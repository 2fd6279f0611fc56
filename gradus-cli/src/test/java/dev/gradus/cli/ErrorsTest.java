package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets one clear line on stderr, exit 1 (data) or 2 (usage), and no stack trace. */
class ErrorsTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private Cli train(Path data, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "train";
        args[1] = "--data";
        args[2] = data.toString();
        args[3] = "--out=" + dir.resolve("m.gradus");
        System.arraycopy(more, 0, args, 4, more.length);
        return Cli.run(args);
    }

    private static void assertFails(Cli run, int code, String... fragments) {
        assertEquals(code, run.code(), run.toString());
        assertTrue(run.err().startsWith("gradus: "), run.toString());
        for (String f : fragments) {
            assertTrue(run.err().contains(f), "'" + f + "' in:\n" + run);
        }
        assertFalse(run.err().contains("\tat "), "no stack trace without --verbose:\n" + run);
    }

    @Test
    void missingFile() {
        assertFails(train(dir.resolve("nope.csv")), 1, "nope.csv: file not found");
    }

    @Test
    void emptyFile() throws Exception {
        assertFails(train(file("empty.csv", "")), 1, "empty.csv: the file is empty");
    }

    @Test
    void headerOnly() throws Exception {
        assertFails(train(file("h.csv", "a,b,y\n")), 1, "h.csv: the file has a header but no data rows");
    }

    @Test
    void raggedRowNamesItsLine() throws Exception {
        assertFails(train(file("r.csv", "a,b,y\n1,2,3\n4,5\n")), 1, "r.csv: line 3 has 2 cells but the header has 3");
    }

    @Test
    void nonNumericCellNamesLineAndColumn() throws Exception {
        assertFails(train(file("n.csv", "a,b,y\n1,2,3\n4,x5,6\n7,8,9\n")), 1, "n.csv: line 3, column 'b'",
                "'x5' is not a finite number");
    }

    @Test
    void nanIsMissingAndInfinityIsRejected() throws Exception {
        // NaN is one of pandas' missing-value spellings: a missing cell, an error without --impute.
        assertFails(train(file("nan.csv", "a,b,y\n1,2,3\n4,NaN,6\n")), 1, "line 3, column 'b': missing value");
        assertFails(train(file("inf.csv", "a,b,y\n1,2,3\n4,5,Infinity\n"), "--task", "regression"), 1,
                "line 3, column 'y'", "'Infinity'");
    }

    @Test
    void missingValueNamesLineAndColumn() throws Exception {
        assertFails(train(file("m.csv", "a,b,y\n1,2,3\n4,,6\n")), 1, "line 3, column 'b': missing value");
    }

    @Test
    void unknownTargetListsTheColumns() throws Exception {
        assertFails(train(file("t.csv", "a,b,y\n1,2,3\n4,5,6\n"), "--target", "z"), 1,
                "no target column 'z'; available: a, b, y");
    }

    @Test
    void oneClassCannotBeClassified() throws Exception {
        assertFails(train(file("c.csv", "a,y\n1,u\n2,u\n")), 1, "has only one class");
    }

    @Test
    void notAModelFile() throws Exception {
        Path fake = file("fake.gradus", "a,b\n1,2\n");
        assertFails(Cli.run("evaluate", "--model", fake.toString(), "--data", Cli.data("iris_test.csv")), 1,
                "fake.gradus");
    }

    @Test
    void featuresThatDoNotMatchTheModelAreNamed() throws Exception {
        Path model = dir.resolve("iris.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--epochs", "1", "--quiet", "--out", model.toString()).code());
        Path other = file("o.csv", "sepal_length_cm,petal_width_cm\n1,2\n");
        Path out = dir.resolve("pred.csv");
        assertFails(Cli.run("predict", "--model", model.toString(), "--data", other.toString(), "--out",
                out.toString()), 1, "missing feature columns sepal_width_cm, petal_length_cm");
        assertFalse(Files.exists(out), "no partial output file");
    }

    @Test
    void badHyperparametersAreUsageErrors() throws Exception {
        Path data = Path.of(Cli.data("iris_train.csv"));
        assertFails(train(data, "--batch-size", "-1"), 2, "--batch-size");
        assertFails(train(data, "--epochs", "-3"), 2, "--epochs");
        assertFails(train(data, "--lr", "0"), 2, "--lr");
        assertFails(train(data, "--lr", "-0.1"), 2, "--lr");
        assertFails(train(data, "--lr", "NaN"), 2, "--lr");
        assertFails(train(data, "--layers", "0"), 2, "--layers");
        assertFails(train(data, "--threads", "0"), 2, "--threads");
        assertFails(train(data, "--activation", "swish"), 2, "--activation", "unknown activation 'swish'");
        assertFails(train(data, "--scale", "log"), 2, "--scale");
        assertFails(train(data, "--task", "clustering"), 2, "--task");
        assertFails(train(data, "--optimizer", "adagrad"), 2, "--optimizer");
    }

    @Test
    void unknownOptionAndMissingRequiredOptionAreUsageErrors() {
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv"), "--out", dir.resolve("m").toString(),
                "--bogus"), 2, "--bogus");
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv")), 2, "--out");
        assertFails(Cli.run("frobnicate"), 2, "frobnicate");
    }

    @Test
    void unwritableOutputPathFailsBeforeTraining() {
        Path out = dir.resolve("no-such-folder").resolve("m.gradus");
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv"), "--out", out.toString()), 2,
                "does not exist");
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv"), "--out", dir.toString()), 2,
                "is a directory");
    }

    @Test
    void failedTrainingLeavesThePreviousModelIntact() throws Exception {
        Path model = dir.resolve("m.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--epochs", "1", "--quiet", "--out", model.toString()).code());
        byte[] before = Files.readAllBytes(model);
        assertFails(train(file("bad.csv", "a,y\n1,2\nx,3\n1,2\n")), 1, "line 3");
        assertArrayEquals(before, Files.readAllBytes(model));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void aBadTestFileFailsBeforeTrainingAndKeepsTheModel() throws Exception {
        Path model = dir.resolve("m.gradus");
        Files.writeString(model, "an older model");
        Path test = file("test.csv", "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label\n"
                + "5.1,3.5,1.4,0.2,0\n,3.0,1.4,0.2,0\n");
        for (String mode : new String[] {"--json", "--quiet"}) {
            Cli run = Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification", "--epochs",
                    "5", "--test", test.toString(), mode, "--out", model.toString());
            assertFails(run, 1, "test.csv: line 3, column 'sepal_length_cm': missing value");
            assertEquals("an older model", Files.readString(model), "the existing model is untouched");
        }
        Path noTarget = file("nolabel.csv", "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n"
                + "5.1,3.5,1.4,0.2\n");
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--test", noTarget.toString(), "--out", model.toString()), 1, "no target column label");
        assertEquals("an older model", Files.readString(model));
    }

    @Test
    void valuesTooLargeToScaleNameTheColumn() throws Exception {
        assertFails(train(file("big.csv", "a,y\n3e38,1\n-3e38,2\n0,3\n"), "--scale", "minmax"), 1,
                "big.csv: column 'a': its values (spread Infinity) are too large to scale");
    }

    @Test
    void initFlagsThatDisagreeAreUsageErrors() {
        Path model = dir.resolve("m.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--layers", "8", "--epochs", "0", "--quiet", "--out", model.toString()).code());
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv"), "--init", model.toString(), "--layers", "9",
                "--out", dir.resolve("m2.gradus").toString()), 2, "--layers 9 disagrees with --init");
        assertFails(Cli.run("train", "--data", Cli.data("iris_train.csv"), "--init", model.toString(),
                "--activation", "tanh", "--out", dir.resolve("m2.gradus").toString()), 2, "--activation tanh disagrees");
    }

    @Test
    void verbosePrintsTheStackTrace() {
        Cli run = Cli.run("train", "--verbose", "--data", dir.resolve("nope.csv").toString(), "--out",
                dir.resolve("m").toString());
        assertEquals(1, run.code());
        assertTrue(run.err().contains("\tat "), run.toString());
    }
}

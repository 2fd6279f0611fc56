package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code gradus cv} through the real entry point, on the small data in data/. */
class CvCommandTest {
    static final String[] IRIS = {"cv", "--data", Cli.data("iris.csv"), "--task", "classification", "--folds", "3",
            "--layers", "8", "--epochs", "15", "--threads", "1", "--json"};

    @Test
    void jsonHasFoldsMeanAndStdWithEvaluatesKeysAndParallelFoldsEqualSequentialOnes() {
        Cli one = Cli.run(IRIS);
        assertEquals(0, one.code(), one.toString());
        String out = one.out();
        for (String key : new String[] {"\"folds\":[", "\"mean\":{", "\"std\":{", "\"accuracy\":", "\"f1_macro\":",
                "\"balanced_accuracy\":", "\"log_loss\":", "\"train_rows\":100", "\"rows\":50"}) {
            assertTrue(out.contains(key), key + " in " + out);
        }
        String[] parallel = java.util.Arrays.copyOf(IRIS, IRIS.length + 2);
        parallel[IRIS.length] = "--parallel";
        parallel[IRIS.length + 1] = "3";
        Cli three = Cli.run(parallel);
        assertEquals(0, three.code(), three.toString());
        assertEquals(out, three.out());
        // Another seed deals other folds.
        String[] other = java.util.Arrays.copyOf(IRIS, IRIS.length + 2);
        other[IRIS.length] = "--seed";
        other[IRIS.length + 1] = "7";
        assertTrue(!Cli.run(other).out().equals(out));
    }

    @Test
    void regressionTableHasOneRowPerFoldAndTheMean() {
        Cli cv = Cli.run("cv", "--data", Cli.data("diabetes.csv"), "--folds", "4", "--layers", "8", "--epochs", "10",
                "--threads", "1", "--quiet");
        assertEquals(0, cv.code(), cv.toString());
        assertTrue(cv.out().contains("r2") && cv.out().contains("rmse"), cv.out());
        assertEquals(4 + 2, cv.out().strip().split("\n").length, cv.out());
        assertTrue(cv.out().contains("mean ± std"), cv.out());
    }

    @Test
    void badFoldsAreUsageErrors() {
        Cli one = Cli.run("cv", "--data", Cli.data("iris.csv"), "--folds", "1");
        assertEquals(2, one.code(), one.toString());
        assertTrue(one.err().contains("--folds must be between 2 and 1000"), one.err());
        Cli validation = Cli.run("cv", "--data", Cli.data("iris.csv"), "--validation", Cli.data("iris_test.csv"));
        assertEquals(2, validation.code(), validation.toString());
    }
}

package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import org.apache.spark.sql.SparkSession;

/** Shared data and checks for the Spark tests. */
final class SparkTestSupport {
    private SparkTestSupport() {}

    /**
     * A local session with two cores whose failed tasks are retried once: {@code local[2,2]}
     * (local mode ignores {@code spark.task.maxFailures}; the second number is its equivalent).
     */
    static SparkSession session(String name) {
        return SparkSession.builder()
                .appName(name)
                .master("local[2,2]")
                .config("spark.task.maxFailures", "2")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    /** {@code rows × features} inputs in [−1, 1) from {@code seed}. */
    static Matrix features(int rows, int features, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Matrix x = Matrix.zeros(rows, features);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < features; j++) {
                x.set(i, j, (float) r.nextDouble(-1, 1));
            }
        }
        return x;
    }

    /** A smooth regression target {@code sin(x₀) + x₁·x₂ − 0.5·x₃} per row (needs 4 features). */
    static Matrix regressionTargets(Matrix x) {
        Matrix y = Matrix.zeros(x.rows(), 1);
        for (int i = 0; i < x.rows(); i++) {
            y.set(i, 0, (float) (Math.sin(3 * x.get(i, 0)) + x.get(i, 1) * x.get(i, 2) - 0.5 * x.get(i, 3)));
        }
        return y;
    }

    /** The class of a row among {@code classes}: which band {@code x₀ + x₁²} falls in. */
    static int classOf(Matrix x, int i, int classes) {
        double s = x.get(i, 0) + x.get(i, 1) * x.get(i, 1);   // in [−1, 2)
        return (int) Math.min(classes - 1, Math.max(0, Math.floor((s + 1) / 3 * classes)));
    }

    /** One-hot targets ({@code rows × classes}). */
    static Matrix oneHot(Matrix x, int classes) {
        Matrix y = Matrix.zeros(x.rows(), classes);
        for (int i = 0; i < x.rows(); i++) {
            y.set(i, classOf(x, i, classes), 1f);
        }
        return y;
    }

    /**
     * Asserts {@code |actual − expected| ≤ rel · max(|expected|, mean |expected|)} element by
     * element: relative to the weight, with the mean weight size as the floor so that a weight
     * that happens to sit near 0 is judged on the scale of the network's weights.
     */
    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        double mean = 0;
        for (float v : expected) {
            mean += Math.abs(v) / expected.length;
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]) / Math.max(Math.abs(expected[i]), mean);
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        double w = worst;
        int where = at;
        assertTrue(w <= rel, () -> what + ": parameter " + where + " differs by " + w + " relative (allowed " + rel
                + "): expected " + expected[where] + ", got " + actual[where]);
    }
}

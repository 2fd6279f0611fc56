package dev.gradus.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Weighted scores against their definition: an integer weight {@code c} scores as the row
 * repeated {@code c} times (a weight of 0 as the row left out), and weights of 1 give the
 * unweighted scores.
 */
class WeightedMetricsTest {
    private static final double EPS = 1e-12;

    private record Rows(int[] actual, int[] predicted, double[][] probabilities) {}

    private static Rows classification(int n, int k, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] actual = new int[n];
        int[] predicted = new int[n];
        double[][] p = new double[n][k];
        for (int i = 0; i < n; i++) {
            actual[i] = random.nextInt(k);
            double sum = 0;
            for (int c = 0; c < k; c++) {
                // a few repeated scores, so that ties are exercised
                p[i][c] = 0.05 + Math.round(random.nextDouble() * 20) / 20.0;
                sum += p[i][c];
            }
            int best = 0;
            for (int c = 0; c < k; c++) {
                p[i][c] /= sum;
                best = p[i][c] > p[i][best] ? c : best;
            }
            predicted[i] = best;
        }
        return new Rows(actual, predicted, p);
    }

    private static void assertSame(ClassificationMetrics expected, ClassificationMetrics actual) {
        assertEquals(expected.accuracy(), actual.accuracy(), EPS, "accuracy");
        assertArrayEquals(expected.precision(), actual.precision(), EPS, "precision");
        assertArrayEquals(expected.recall(), actual.recall(), EPS, "recall");
        assertArrayEquals(expected.f1(), actual.f1(), EPS, "f1");
        assertEquals(expected.balancedAccuracy(), actual.balancedAccuracy(), EPS, "balanced accuracy");
        assertEquals(expected.logLoss(), actual.logLoss(), EPS, "log loss");
        assertEquals(expected.rocAuc(), actual.rocAuc(), EPS, "roc auc");
        assertEquals(expected.averagePrecision(), actual.averagePrecision(), EPS, "average precision");
    }

    @Test
    void integerWeightsScoreAsRepeatedRows() {
        for (int k : new int[] {2, 3}) {
            for (int positive : k == 2 ? new int[] {0, 1} : new int[] {1}) {
                Rows r = classification(60, k, k * 10L + positive);
                SplittableRandom random = new SplittableRandom(5);
                double[] w = new double[60];
                int total = 0;
                for (int i = 0; i < w.length; i++) {
                    w[i] = random.nextInt(4);
                    total += (int) w[i];
                }
                int[] a = new int[total];
                int[] p = new int[total];
                double[][] pr = new double[total][];
                int at = 0;
                for (int i = 0; i < w.length; i++) {
                    for (int c = 0; c < w[i]; c++, at++) {
                        a[at] = r.actual[i];
                        p[at] = r.predicted[i];
                        pr[at] = r.probabilities[i];
                    }
                }
                List<String> labels = k == 2 ? List.of("a", "b") : List.of("a", "b", "c");
                assertSame(ClassificationMetrics.of(labels, a, p, pr, positive),
                        ClassificationMetrics.of(labels, r.actual, r.predicted, r.probabilities, positive, w));
            }
        }
    }

    @Test
    void weightsOfOneGiveTheUnweightedScores() {
        Rows r = classification(40, 2, 3);
        double[] ones = new double[40];
        Arrays.fill(ones, 1);
        List<String> labels = List.of("no", "yes");
        assertSame(ClassificationMetrics.of(labels, r.actual, r.predicted, r.probabilities, 1),
                ClassificationMetrics.of(labels, r.actual, r.predicted, r.probabilities, 1, ones));
    }

    @Test
    void weightedRegressionScoresAsRepeatedRows() {
        SplittableRandom random = new SplittableRandom(9);
        int n = 30;
        int k = 2;
        float[] actual = new float[n * k];
        float[] predicted = new float[n * k];
        double[] w = new double[n];
        int total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = random.nextInt(4);
            total += (int) w[i];
            for (int t = 0; t < k; t++) {
                actual[i * k + t] = (float) random.nextDouble(-3, 3);
                predicted[i * k + t] = actual[i * k + t] + (float) random.nextDouble(-1, 1);
            }
        }
        float[] ar = new float[total * k];
        float[] pr = new float[total * k];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < w[i]; c++, at++) {
                System.arraycopy(actual, i * k, ar, at * k, k);
                System.arraycopy(predicted, i * k, pr, at * k, k);
            }
        }
        RegressionMetrics expected = RegressionMetrics.of(List.of("u", "v"), ar, pr, total);
        RegressionMetrics weighted = RegressionMetrics.of(List.of("u", "v"), actual, predicted, n, w);
        assertArrayEquals(expected.rmse(), weighted.rmse(), 1e-9);
        assertArrayEquals(expected.mae(), weighted.mae(), 1e-9);
        assertArrayEquals(expected.r2(), weighted.r2(), 1e-9);
    }

    @Test
    void badWeightsAreRefused() {
        Rows r = classification(3, 2, 1);
        List<String> labels = List.of("a", "b");
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.of(labels, r.actual, r.predicted, null, 1, new double[] {1, -1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.of(labels, r.actual, r.predicted, null, 1, new double[3]));
        assertThrows(IllegalArgumentException.class,
                () -> RegressionMetrics.of(List.of("y"), new float[2], new float[2], 2, new double[] {Double.NaN, 1}));
    }
}

package dev.gradus.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Scores added a row (or a chunk of rows) at a time, as a streamed file is scored, are those of
 * all rows at once to the last bit: the tallies keep the order of every sum, and ROC AUC and
 * average precision rank the same scores (ties included, more rows than one storage block).
 */
class TallyTest {
    @Test
    void classificationScoresAddedRowByRowAreThoseOfAllRows() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 70_000;        // more than one 65,536-row block of the tally's columns
        for (int k : new int[] {2, 3}) {
            for (boolean weighted : new boolean[] {false, true}) {
                List<String> labels = k == 2 ? List.of("a", "b") : List.of("a", "b", "c");
                int[] actual = new int[n];
                int[] predicted = new int[n];
                double[][] p = new double[n][k];
                double[] w = new double[n];
                for (int i = 0; i < n; i++) {
                    actual[i] = random.nextInt(k);
                    predicted[i] = random.nextInt(k);
                    double sum = 0;
                    for (int c = 0; c < k; c++) {
                        p[i][c] = 0.01 + Math.round(random.nextDouble() * 50) / 50.0;   // many ties
                        sum += p[i][c];
                    }
                    for (int c = 0; c < k; c++) {
                        p[i][c] /= sum;
                    }
                    w[i] = random.nextInt(5) * 0.25;
                }
                ClassificationMetrics all = ClassificationMetrics.of(labels, actual, predicted, p, 0,
                        weighted ? w : null);
                ClassificationMetrics.Tally tally = new ClassificationMetrics.Tally(labels, 0, true, weighted);
                for (int i = 0; i < n; i++) {
                    tally.add(actual[i], predicted[i], p[i][actual[i]], k == 2 ? p[i][0] : Double.NaN,
                            weighted ? w[i] : 1);
                }
                ClassificationMetrics rows = tally.metrics();
                assertEquals(all.toString(), rows.toString(), "k=" + k + ", weighted=" + weighted);
                assertEquals(n, tally.rows());
                if (k == 2) {
                    assertEquals(Double.doubleToLongBits(all.rocAuc()), Double.doubleToLongBits(rows.rocAuc()));
                    assertEquals(Double.doubleToLongBits(all.averagePrecision()),
                            Double.doubleToLongBits(rows.averagePrecision()));
                }

                // Parts (Spark's partitions, one cut inside a storage block) added in order: the
                // same counts and ranked scores; the sums to rounding.
                ClassificationMetrics.Tally merged = new ClassificationMetrics.Tally(labels, 0, true, weighted);
                int[] cuts = {0, 1, 40_000, 66_000, n};
                for (int c = 0; c + 1 < cuts.length; c++) {
                    ClassificationMetrics.Tally part = new ClassificationMetrics.Tally(labels, 0, true, weighted);
                    for (int i = cuts[c]; i < cuts[c + 1]; i++) {
                        part.add(actual[i], predicted[i], p[i][actual[i]], k == 2 ? p[i][0] : Double.NaN,
                                weighted ? w[i] : 1);
                    }
                    merged.addAll(part);
                }
                ClassificationMetrics parts = merged.metrics();
                assertEquals(n, merged.rows());
                assertArrayEquals(all.confusion(), parts.confusion());
                assertEquals(all.accuracy(), parts.accuracy(), 1e-12);
                assertEquals(all.logLoss(), parts.logLoss(), 1e-12 * all.logLoss());
                assertArrayEquals(all.precision(), parts.precision(), 1e-12);
                if (k == 2) {
                    assertEquals(all.rocAuc(), parts.rocAuc(), weighted ? 1e-12 : 0);
                    assertEquals(all.averagePrecision(), parts.averagePrecision(), weighted ? 1e-12 : 0);
                }
            }
        }
        ClassificationMetrics.Tally two = new ClassificationMetrics.Tally(List.of("a", "b"), 0, true, false);
        assertThrows(IllegalArgumentException.class,
                () -> two.addAll(new ClassificationMetrics.Tally(List.of("a", "b"), 1, true, false)));
    }

    @Test
    void regressionScoresAddedInChunksAreThoseOfAllRows() {
        SplittableRandom random = new SplittableRandom(12);
        int n = 70_001;
        int k = 2;
        float[] actual = new float[n * k];
        float[] predicted = new float[n * k];
        double[] w = new double[n];
        for (int i = 0; i < n * k; i++) {
            actual[i] = (float) random.nextGaussian();
            predicted[i] = actual[i] + (float) random.nextGaussian() * 0.3f;
        }
        for (int i = 0; i < n; i++) {
            w[i] = random.nextDouble() * 2;
        }
        for (boolean weighted : new boolean[] {false, true}) {
            RegressionMetrics all = RegressionMetrics.of(List.of("u", "v"), actual, predicted, n, weighted ? w : null);
            RegressionMetrics.Tally tally = new RegressionMetrics.Tally(List.of("u", "v"), weighted);
            for (int from = 0; from < n; from += 999) {
                int m = Math.min(999, n - from);
                tally.add(actual, predicted, from, m, weighted ? Arrays.copyOfRange(w, from, from + m) : null);
            }
            RegressionMetrics chunks = tally.metrics();
            assertEquals(all.toString(), chunks.toString(), "weighted=" + weighted);
            assertArrayEquals(actual, tally.actual());
            assertArrayEquals(predicted, tally.predicted());

            RegressionMetrics.Tally merged = new RegressionMetrics.Tally(List.of("u", "v"), weighted);
            for (int[] cut : new int[][] {{0, 3}, {3, 66_000}, {66_000, n}}) {
                RegressionMetrics.Tally part = new RegressionMetrics.Tally(List.of("u", "v"), weighted);
                part.add(actual, predicted, cut[0], cut[1] - cut[0],
                        weighted ? Arrays.copyOfRange(w, cut[0], cut[1]) : null);
                merged.addAll(part);
            }
            assertEquals(all.toString(), merged.metrics().toString(), "merged parts, weighted=" + weighted);
        }
    }

    @Test
    void badWeightsNameTheRow() {
        ClassificationMetrics.Tally c = new ClassificationMetrics.Tally(List.of("a", "b"), 1, false, true);
        c.add(0, 0, Double.NaN, Double.NaN, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.add(1, 0, Double.NaN, Double.NaN, -2));
        assertEquals("row 1 has weight -2.0; a row weight must be finite and at least 0", e.getMessage());
        ClassificationMetrics.Tally zero = new ClassificationMetrics.Tally(List.of("a", "b"), 1, false, true);
        zero.add(0, 0, Double.NaN, Double.NaN, 0);
        assertThrows(IllegalArgumentException.class, zero::metrics);
        RegressionMetrics.Tally r = new RegressionMetrics.Tally(List.of("y"), true);
        assertThrows(IllegalArgumentException.class,
                () -> r.add(new float[] {1, 2}, new float[] {1, 2}, 0, 2, new double[] {1, Double.POSITIVE_INFINITY}));
    }
}

package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A metric's running tally over chunks of rows gives the bits of its score on all of them. */
class ValidationMetricTallyTest {

    @Test
    void accuracyTalliedChunkByChunkEqualsItsScoreOnAllRows() {
        for (int cols : new int[] {1, 3}) {
            int rows = 1_037;
            SplittableRandom random = new SplittableRandom(cols);
            float[] yhat = new float[rows * cols];
            float[] y = new float[rows * cols];
            float[] w = new float[rows];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    yhat[i * cols + j] = (float) random.nextDouble();
                }
                y[i * cols + (cols == 1 ? 0 : random.nextInt(cols))] = cols == 1 ? random.nextInt(2) : 1;
                w[i] = (float) (random.nextDouble() * 3);
            }
            ValidationMetric accuracy = ValidationMetric.ACCURACY;
            ValidationMetric.Tally plain = accuracy.tally();
            ValidationMetric.Tally weighted = accuracy.tally();
            for (int start = 0; start < rows; start += 100) {   // chunks of 100 rows and a last short one
                int n = Math.min(100, rows - start);
                float[] a = Arrays.copyOfRange(yhat, start * cols, (start + n) * cols);
                float[] b = Arrays.copyOfRange(y, start * cols, (start + n) * cols);
                plain.add(a, b, null, n, cols);
                weighted.add(a, b, Arrays.copyOfRange(w, start, start + n), n, cols);
            }
            assertEquals(accuracy.evaluate(yhat, y, rows, cols), plain.value(), 0.0, "cols " + cols);
            assertEquals(accuracy.evaluate(yhat, y, w, rows, cols), weighted.value(), 0.0, "cols " + cols);
        }
    }

    @Test
    void aMetricThatIsNotAMeanOfRowScoresHasNoTally() {
        ValidationMetric whole = new ValidationMetric() {
            @Override public String name() { return "whole"; }
            @Override public boolean higherIsBetter() { return true; }
            @Override public double evaluate(float[] yhat, float[] y, int rows, int cols) { return 0; }
        };
        assertNull(whole.tally());
    }
}

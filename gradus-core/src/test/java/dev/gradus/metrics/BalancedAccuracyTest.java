package dev.gradus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Balanced accuracy on cases computed by hand, as scikit-learn's {@code balanced_accuracy_score} gives them. */
class BalancedAccuracyTest {
    private static final double EPS = 1e-12;

    @Test
    void majorityGuessOnRareClassScoresOneHalf() {
        int[] actual = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        int[] predicted = new int[10];
        ClassificationMetrics m = ClassificationMetrics.of(List.of("no", "yes"), actual, predicted, null);
        assertEquals(0.9, m.accuracy(), EPS);
        assertEquals(0.5, m.balancedAccuracy(), EPS);   // recalls 1 and 0
    }

    @Test
    void meanOfPerClassRecalls() {
        // recalls: a 2/3, b 2/2, c 0/1 -> (2/3 + 1 + 0) / 3
        int[] actual = {0, 0, 0, 1, 1, 2};
        int[] predicted = {0, 1, 0, 1, 1, 0};
        ClassificationMetrics m = ClassificationMetrics.of(List.of("a", "b", "c"), actual, predicted, null);
        assertEquals((2.0 / 3 + 1 + 0) / 3, m.balancedAccuracy(), EPS);
        assertEquals(m.recallMacro(), m.balancedAccuracy(), EPS);
    }

    @Test
    void classesWithNoActualRowsAreLeftOut() {
        // c is predicted once but never occurs: scikit-learn averages over a and b only (0.5 and 1)
        int[] actual = {0, 0, 1, 1};
        int[] predicted = {0, 2, 1, 1};
        ClassificationMetrics m = ClassificationMetrics.of(List.of("a", "b", "c"), actual, predicted, null);
        assertEquals(0.75, m.balancedAccuracy(), EPS);
        assertEquals(0.5, m.recallMacro(), EPS);
    }

    @Test
    void weightedRecallsAreAveraged() {
        // class a: the right row weighs 3, the wrong one 1 -> recall 3/4; class b: recall 1
        int[] actual = {0, 0, 1};
        int[] predicted = {0, 1, 1};
        ClassificationMetrics m = ClassificationMetrics.of(List.of("a", "b"), actual, predicted, null, 1,
                new double[] {3, 1, 2});
        assertEquals((0.75 + 1) / 2, m.balancedAccuracy(), EPS);
    }
}

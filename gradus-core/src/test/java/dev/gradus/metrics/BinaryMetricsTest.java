package dev.gradus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ROC AUC and average precision of a chosen positive class, against scikit-learn's values. */
class BinaryMetricsTest {
    // 13 rows with tied scores (0.4, 0.6, 0.9). The expected values were computed with
    // scikit-learn 1.2.1: average_precision_score(y, p), roc_auc_score(y, p), and the same with
    // class 0 as positive (labels 1 − y, scores 1 − p).
    static final int[] Y = {0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1};
    static final double[] P1 = {0.1, 0.9, 0.4, 0.4, 0.8, 0.3, 0.7, 0.35, 0.9, 0.05, 0.6, 0.6, 0.2};

    static double[][] probabilities() {
        double[][] p = new double[P1.length][];
        for (int i = 0; i < P1.length; i++) {
            p[i] = new double[] {1 - P1[i], P1[i]};
        }
        return p;
    }

    @Test
    void secondClassIsPositiveByDefault() {
        ClassificationMetrics m = ClassificationMetrics.of(List.of("no", "yes"), Y, Y, probabilities());
        assertEquals(1, m.positive());
        assertEquals(0.8652146464646465, m.averagePrecision(), 1e-12);
        assertEquals(0.7875, m.rocAuc(), 1e-12);
    }

    @Test
    void firstClassAsPositive() {
        ClassificationMetrics m = ClassificationMetrics.of(List.of("no", "yes"), Y, Y, probabilities(), 0);
        assertEquals(0, m.positive());
        assertEquals(0.7642857142857142, m.averagePrecision(), 1e-12);
        assertEquals(0.7875, m.rocAuc(), 1e-12);
    }

    @Test
    void perfectRankingHasAveragePrecisionOneAndMoreClassesHaveNone() {
        int[] y = {0, 0, 1, 1};
        double[][] p = {{0.9, 0.1}, {0.6, 0.4}, {0.45, 0.55}, {0.2, 0.8}};
        ClassificationMetrics m = ClassificationMetrics.of(List.of("a", "b"), y, y, p);
        assertEquals(1.0, m.averagePrecision(), 0);
        assertEquals(1.0, m.rocAuc(), 0);
        ClassificationMetrics three = ClassificationMetrics.of(List.of("a", "b", "c"), new int[] {0, 1, 2},
                new int[] {0, 1, 2}, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        assertEquals(-1, three.positive());
        assertTrue(Double.isNaN(three.averagePrecision()));
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationMetrics.of(List.of("a", "b"), y, y, p, 2));
    }
}

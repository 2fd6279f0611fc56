package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.ClassWeights;
import dev.gradus.data.DataException;
import dev.gradus.data.Scaling;
import dev.gradus.data.Table;
import dev.gradus.optim.Sgd;
import dev.gradus.train.TrainingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sample and class weights through the Java API ({@link ModelSpec#withSampleWeight},
 * {@link ModelSpec#withClassWeight}): the weight column is no feature, integer weights train as
 * repeated rows, "balanced" is scikit-learn's {@code N / (K·N_c)}, and bad weights are refused
 * naming the file, line and column or the label.
 */
class ModelWeightsTest {

    /** Rows {@code x1, x2, label, w}: class "b" is rare. */
    private static List<String[]> rows(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double x1 = random.nextDouble(-1, 1);
            double x2 = random.nextDouble(-1, 1);
            String label = x1 + 0.3 * x2 > 0.6 ? "b" : "a";
            rows.add(new String[] {Double.toString(x1), Double.toString(x2), label,
                    Integer.toString(1 + random.nextInt(3))});
        }
        return rows;
    }

    private static ModelSpec fullBatch() {
        return ModelSpec.classification("label").withScaling(Scaling.NONE).withHidden(List.of(6))
                .withTraining(TrainingSpec.defaults().withOptimizer(new Sgd(0.1)).withBatchSize(0).withEpochs(40)
                        .withShuffle(false).withThreads(1));
    }

    @Test
    void scoresRefuseWeightsThatAreNotOnePerRow() throws DataException {
        Table table = Table.of("w.csv", List.of("x1", "x2", "label", "w"), rows(30, 2));
        Model m = Model.fit(table, fullBatch().withSampleWeight("w")).model();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.classificationMetrics(table, 1, Double.NaN, new double[29]));
        assertEquals("weights: 29 values for a table of 30 rows; give one weight per row", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.loss(table, new float[31]));
        double[] ones = new double[30];
        java.util.Arrays.fill(ones, 1);
        assertEquals(m.classificationMetrics(table, 1, Double.NaN).accuracy(),
                m.classificationMetrics(table, 1, Double.NaN, ones).accuracy(), "weights of one count every row once");
    }

    @Test
    void integerSampleWeightsTrainAsRepeatedRowsAndTheColumnIsNoFeature() throws DataException {
        List<String[]> rows = rows(60, 1);
        Table weighted = Table.of("w.csv", List.of("x1", "x2", "label", "w"), rows);
        List<String[]> repeated = new ArrayList<>();
        for (String[] r : rows) {
            for (int c = 0; c < Integer.parseInt(r[3]); c++) {
                repeated.add(new String[] {r[0], r[1], r[2]});
            }
        }
        Table copies = Table.of("r.csv", List.of("x1", "x2", "label"), repeated);
        Model a = Model.fit(weighted, fullBatch().withSampleWeight("w")).model();
        Model b = Model.fit(copies, fullBatch()).model();
        assertEquals(List.of("x1", "x2"), a.preprocessing().featureNames());
        float[] pa = a.network().parameters().values();
        float[] pb = b.network().parameters().values();
        double diff = 0;
        for (int i = 0; i < pa.length; i++) {
            diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
        }
        // float32 round-off of 40 full-batch steps (WeightedSgdReplayTest bounds it)
        assertTrue(diff < 3e-5, "weighted and repeated rows differ by " + diff);
        assertEquals("w", a.training().get("sample_weight"));
        // a table to predict from needs no weight column
        a.predict(Table.of("p.csv", List.of("x1", "x2"), List.<String[]>of(new String[] {"0.1", "0.2"})));
    }

    @Test
    void balancedIsScikitLearnsFormulaAndIntegerClassWeightsRepeatRows() throws DataException {
        List<String[]> rows = rows(80, 2);
        Table table = Table.of("t.csv", List.of("x1", "x2", "label", "w"), rows);
        long rare = rows.stream().filter(r -> r[2].equals("b")).count();
        assertTrue(rare > 0 && rare < 40, "the data should be imbalanced: " + rare);
        double wa = 80.0 / (2 * (80 - rare));
        double wb = 80.0 / (2 * rare);
        ModelSpec spec = fullBatch().withData(fullBatch().data().withDrop(List.of("w")));
        Model balanced = Model.fit(table, spec.withClassWeight(ClassWeights.BALANCED)).model();
        Model given = Model.fit(table, spec.withClassWeight(new ClassWeights.Given(Map.of("a", wa, "b", wb))))
                .model();
        assertArrayEquals(given.network().parameters().values(), balanced.network().parameters().values());
        assertEquals("balanced", balanced.training().get("class_weight"));

        List<String[]> repeated = new ArrayList<>();
        for (String[] r : rows) {
            for (int c = 0; c < (r[2].equals("b") ? 3 : 1); c++) {
                repeated.add(r);
            }
        }
        Model three = Model.fit(table, spec.withClassWeight(ClassWeights.parse("b=3"))).model();
        Model copies = Model.fit(Table.of("r.csv", List.of("x1", "x2", "label", "w"), repeated), spec).model();
        float[] p3 = three.network().parameters().values();
        float[] pc = copies.network().parameters().values();
        for (int i = 0; i < p3.length; i++) {
            assertEquals(pc[i], p3[i], 3e-5, "parameter " + i);
        }
    }

    @Test
    void anUnknownLabelIsRefusedNamingIt() {
        Table table = Table.of("t.csv", List.of("x1", "x2", "label", "w"), rows(20, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Model.fit(table, fullBatch().withClassWeight(ClassWeights.parse("a=1,zebra=4"))));
        assertTrue(e.getMessage().contains("'zebra'") && e.getMessage().contains("a, b"), e.getMessage());
    }

    @Test
    void badSampleWeightsNameTheFileLineAndColumn() {
        for (String[] bad : new String[][] {{"-2", "sample weight -2 is negative"}, {"", "is missing"},
                {"heavy", "'heavy' is not a number"}}) {
            List<String[]> rows = rows(10, 4);
            rows.get(6)[3] = bad[0];
            Table table = Table.of("data.csv", List.of("x1", "x2", "label", "w"), rows);
            DataException e = assertThrows(DataException.class,
                    () -> Model.fit(table, fullBatch().withSampleWeight("w")));
            assertTrue(e.getMessage().startsWith("data.csv: line 8, column 'w': ") && e.getMessage().contains(bad[1]),
                    e.getMessage());
        }
        Table table = Table.of("data.csv", List.of("x1", "x2", "label", "w"), rows(10, 5));
        DataException e = assertThrows(DataException.class,
                () -> Model.fit(table, fullBatch().withSampleWeight("weight")));
        assertTrue(e.getMessage().contains("no sample-weight column 'weight'"), e.getMessage());
    }

    @Test
    void classWeightsParse() {
        assertEquals(ClassWeights.NONE, ClassWeights.parse("none"));
        assertEquals(ClassWeights.BALANCED, ClassWeights.parse("Balanced"));
        assertEquals(Map.of("a,b", 2.0, "c", 0.5), ((ClassWeights.Given) ClassWeights.parse("\"a,b\"=2, c=0.5")).weights());
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("a=-1"));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("a=x"));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("a"));
        assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("a=1,a=2"));
        assertFalse(dev.gradus.data.RowWeights.NONE.any());
    }
}

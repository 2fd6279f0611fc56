package dev.gradus.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Csv;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.RowException;
import dev.gradus.data.Table;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.TrainingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The model-level prediction API against the oracle it must equal bit for bit:
 * {@link Model#predict(Table)}, which {@code gradus predict} runs on a CSV file.
 */
class PredictorTest {
    static final Path DATA = Path.of("..", "data");

    private static Model fit(Table train, ModelSpec spec) throws Exception {
        return Model.fit(train, spec.withHidden(List.of(16)).withTraining(TrainingOptions.defaults()
                .withOptimizer(new Sgd(0.05)).withEpochs(20).withBatchSize(16))).model();
    }

    /** Row r of the table as column → cell text, as a client would send it. */
    private static Map<String, Object> textRow(Table t, int r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < t.columnCount(); c++) {
            m.put(t.names().get(c), t.text(r, c));
        }
        return m;
    }

    private static void assertSameAsTable(Model model, Table test, List<Prediction> got) throws Exception {
        Predictions expected = model.predict(test);
        assertEquals(test.rows(), got.size());
        for (int r = 0; r < test.rows(); r++) {
            float[] want = expected.outputs().rowCopy(r);
            Prediction p = got.get(r);
            if (p instanceof Prediction.Classification c) {
                assertArrayEquals(want, c.scores(), "row " + r);
                assertEquals(expected.labels()[r], c.label(), "row " + r);
                assertEquals(model.outputsProbabilities(), c.probabilities());
            } else {
                assertArrayEquals(want, ((Prediction.Regression) p).values(), "row " + r);
            }
        }
    }

    @Test
    void rowsByNameEqualTheTablePathBitForBit() throws Exception {
        Table train = Csv.read(DATA.resolve("wine_train.csv"));
        Table test = Csv.read(DATA.resolve("wine_test.csv"));
        Model model = fit(train, ModelSpec.classification("label"));
        Predictor predictor = Predictor.of(model);
        assertEquals(model.preprocessing().featureNames(), predictor.columns());

        List<Prediction> alone = new ArrayList<>();
        List<Map<String, Object>> maps = new ArrayList<>();
        List<String[]> cells = new ArrayList<>();
        List<Predictor.Row> rows = new ArrayList<>();
        for (int r = 0; r < test.rows(); r++) {
            Map<String, Object> m = textRow(test, r);
            maps.add(m);
            alone.add(predictor.predict(m));
            String[] c = new String[predictor.columns().size()];
            Predictor.Row row = predictor.newRow();
            for (int f = 0; f < c.length; f++) {
                c[f] = (String) m.get(predictor.columns().get(f));
                row.set(predictor.columns().get(f), c[f]);
            }
            cells.add(c);
            rows.add(row);
        }
        assertSameAsTable(model, test, alone);
        assertSameAsTable(model, test, predictor.predictAll(maps));
        assertSameAsTable(model, test, predictor.predictCells(cells));
        assertSameAsTable(model, test, predictor.predictAll(rows.toArray(Predictor.Row[]::new)));
        assertSameAsTable(model, test, Predictor.of(model, 2).predictAll(maps));
    }

    @Test
    void numbersGivenAsNumbersEqualTheirText() throws Exception {
        Table train = Csv.read(DATA.resolve("diabetes_train.csv"));
        Table test = Csv.read(DATA.resolve("diabetes_test.csv"));
        Model model = fit(train, ModelSpec.regression("target"));
        Predictor predictor = Predictor.of(model);
        List<Prediction> got = new ArrayList<>();
        Predictor.Row row = predictor.newRow();
        for (int r = 0; r < test.rows(); r++) {
            for (String column : predictor.columns()) {
                // a float's shortest text parses back to the same float
                row.set(column, test.numbers(test.indexOf(column))[r]);
            }
            got.add(predictor.predict(row));
        }
        assertSameAsTable(model, test, got);
        assertEquals(List.of("target"), predictor.outputNames());
    }

    private static Table mixed(boolean gaps) {
        List<String[]> rows = new ArrayList<>();
        String[] colours = {"red", "green", "blue"};
        for (int i = 0; i < 60; i++) {
            rows.add(new String[] {Integer.toString(i % 7), gaps && i % 11 == 0 ? "" : colours[i % 3],
                Double.toString(0.5 * (i % 5)), i % 2 == 0 ? "yes" : "no"});
        }
        return Table.of("mixed.csv", List.of("n", "colour", "x", "label"), rows);
    }

    @Test
    void categoriesFillsAndBinaryCrossEntropy() throws Exception {
        Table train = mixed(true);
        ModelSpec spec = ModelSpec.classification("label").withData(DataSpec.classification("label")
                .withImpute(Impute.MEAN));
        Model model = Model.fit(train, spec.withHidden(List.of(4)).withTraining(TrainingOptions.defaults()
                .withLoss(Loss.parse("bce")).withEpochs(5))).model();
        assertEquals(1, model.network().outputs());
        Predictor predictor = Predictor.of(model);
        List<Prediction> got = new ArrayList<>();
        for (int r = 0; r < train.rows(); r++) {
            Map<String, Object> m = textRow(train, r);
            if (r % 11 == 0) {
                m.put("colour", null);              // JSON null: filled with the mode
            }
            got.add(predictor.predict(m));
        }
        assertSameAsTable(model, train, got);
        Prediction.Classification c = (Prediction.Classification) got.get(0);
        assertEquals(1f, c.scores()[0] + c.scores()[1], 1e-6f);
        assertEquals(c.scores()[1], c.score("yes"));
    }

    @Test
    void badRowsNameTheRowAndColumn() throws Exception {
        Table train = mixed(false);
        Model model = fit(train, ModelSpec.classification("label"));   // no imputation
        Predictor predictor = Predictor.of(model);
        Map<String, Object> good = new HashMap<>(Map.of("n", 3, "colour", "red", "x", "1.5"));
        predictor.predict(good);

        Map<String, Object> unknown = new HashMap<>(good);
        unknown.put("colour", "purple");
        RowException e = assertThrows(RowException.class, () -> predictor.predict(unknown));
        assertEquals("colour", e.column());
        assertTrue(e.getMessage().contains("unknown category 'purple'"), e.getMessage());

        Map<String, Object> text = new HashMap<>(good);
        text.put("x", "abc");
        e = assertThrows(RowException.class, () -> predictor.predictAll(List.of(good, good, text)));
        assertEquals(2, e.row());
        assertEquals("x", e.column());

        Map<String, Object> missing = new HashMap<>(good);
        missing.put("n", null);
        e = assertThrows(RowException.class, () -> predictor.predict(missing));
        assertEquals("n", e.column());
        assertTrue(e.getMessage().contains("missing value"), e.getMessage());

        Map<String, Object> absent = new HashMap<>(good);
        absent.remove("x");
        e = assertThrows(RowException.class, () -> predictor.predict(absent));
        assertEquals("x", e.column());

        Map<String, Object> infinite = new HashMap<>(good);
        infinite.put("x", Double.POSITIVE_INFINITY);
        assertThrows(RowException.class, () -> predictor.predict(infinite));

        Predictor.Row row = predictor.newRow().set("n", 1).set("colour", "red");
        e = assertThrows(RowException.class, () -> predictor.predict(row));
        assertEquals("x", e.column());
        assertThrows(IllegalArgumentException.class, () -> row.set("nope", 1));

        e = assertThrows(RowException.class, () -> predictor.predictCells(List.<String[]>of(new String[] {"1", "red"})));
        assertEquals("x", e.column());
    }

    @Test
    void manyThreadsGetTheAnswersOfOne() throws Exception {
        Table train = Csv.read(DATA.resolve("wine_train.csv"));
        Table test = Csv.read(DATA.resolve("wine_test.csv"));
        Model model = fit(train, ModelSpec.classification("label"));
        Predictor predictor = Predictor.of(model);
        Matrix expected = model.predict(test).outputs();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                results.add(pool.submit(() -> {
                    boolean same = true;
                    for (int i = 0; i < 400; i++) {
                        int r = (i * 7 + seed) % test.rows();
                        float[] s = ((Prediction.Classification) predictor.predict(textRow(test, r))).scores();
                        same &= java.util.Arrays.equals(expected.rowCopy(r), s);
                    }
                    return same;
                }));
            }
            for (Future<Boolean> f : results) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertFalse(predictor.outputNames().isEmpty());
    }
}

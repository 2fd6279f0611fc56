package dev.gradus.model;

import dev.gradus.data.RowEncoder;
import dev.gradus.data.RowException;
import dev.gradus.data.Task;
import dev.gradus.nn.Inference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model ready to serve: predicts single rows given by column name (a map or a {@link Row}),
 * or batches of them, with the model's stored preprocessing applied. Rows may come from many
 * threads at once.
 *
 * <pre>{@code
 * Predictor wine = Predictor.load(Path.of("wine.gradus"));
 * Prediction p = wine.predict(Map.of("alcohol", 13.2, "malic_acid", 1.78, …));
 * if (p instanceof Prediction.Classification c) {
 *     System.out.println(c.label() + " " + Arrays.toString(c.scores()));
 * }
 * Predictor.Row row = wine.newRow();          // reusable by one thread
 * row.set("alcohol", 13.2).set("malic_acid", 1.78);   // … every column
 * Prediction q = wine.predict(row);
 * }</pre>
 *
 * <p>A two-class model with a stored threshold ({@link Model#withThreshold}) predicts its
 * positive class where that class's probability is at least the threshold; to serve another
 * threshold, serve {@code model.withThreshold(…)}.
 *
 * <p><b>Same answers as {@code gradus predict}.</b> A row is encoded as a CSV row with the same
 * cells is (same number parsing, fill values, one-hot order and scaling) and run through the
 * same network: a row predicted alone, in a batch, here or by {@code gradus predict} gives the
 * same bits (see {@link Inference}).
 *
 * <p><b>Cost.</b> A single-row prediction allocates its result (a score or value array and the
 * record) and nothing else: the encoded input and the network's activations live in buffers
 * owned by the calling thread. Batches allocate their inputs and outputs.
 */
public final class Predictor {
    private final Model model;
    private final RowEncoder encoder;
    private final Inference inference;
    private final List<String> names;        // classes, or targets
    private final boolean classification;
    private final boolean probabilities;
    private final boolean sigmoidPair;       // bce: one output p(class 1), reported as (1 − p, p)
    private final int positive;              // the stored decision's positive class id
    private final double threshold;          // its threshold; NaN: the most probable class
    private final float[] targetShift;
    private final float[] targetScale;
    private final ThreadLocal<Buffers> buffers;

    private Predictor(Model model, int threads) {
        this.model = Objects.requireNonNull(model, "model");
        this.encoder = RowEncoder.of(model.preprocessing());
        this.inference = Inference.of(model.network(), threads);
        this.classification = model.task() == Task.CLASSIFICATION;
        this.names = classification ? model.preprocessing().classLabels() : model.preprocessing().targetNames();
        this.probabilities = model.outputsProbabilities();
        this.sigmoidPair = classification && model.network().outputs() == 1;
        this.positive = model.positiveId();
        this.threshold = model.threshold();
        this.targetShift = model.preprocessing().targetScaler().shift();
        this.targetScale = model.preprocessing().targetScaler().scale();
        this.buffers = ThreadLocal.withInitial(() -> new Buffers(encoder.columns().size(), encoder.inputWidth(),
                inference));
    }

    /** A predictor of {@code model}; batches run on one thread. */
    public static Predictor of(Model model) {
        return new Predictor(model, 1);
    }

    /**
     * A predictor of {@code model} whose batch predictions may use up to {@code threads} cores
     * (with the same bits as one thread). Single rows always run on the calling thread.
     */
    public static Predictor of(Model model, int threads) {
        return new Predictor(model, threads);
    }

    /** Loads a model file and prepares it for prediction. */
    public static Predictor load(Path path) throws IOException {
        return of(Model.load(path));
    }

    /** The model this predictor serves. */
    public Model model() {
        return model;
    }

    /** The feature columns a row must hold, in the model's order (what {@code gradus inspect} lists). */
    public List<String> columns() {
        return encoder.columns();
    }

    /** The position of {@code column} in {@link #columns()}, or -1. */
    public int indexOf(String column) {
        return encoder.indexOf(column);
    }

    /** Whether feature column {@code column} (an index into {@link #columns()}) is categorical. */
    public boolean isCategorical(int column) {
        return encoder.isCategorical(column);
    }

    /** The class labels (classification) or target names (regression), in output order. */
    public List<String> outputNames() {
        return names;
    }

    /** A new, empty row for this model's columns; reuse it, from one thread at a time. */
    public Row newRow() {
        return new Row();
    }

    /**
     * The prediction for one row given as column name → value: a {@link Number}, a
     * {@link String} (parsed as a CSV cell is) or {@code null} (missing). Names the model does not
     * read are ignored.
     *
     * @throws RowException (row 0) when a column is absent, a value is missing without a fill
     *     value, not a number in a numeric column, or an unknown category
     */
    public Prediction predict(Map<String, ?> values) {
        Buffers b = buffers.get();
        fill(0, values, b.texts, b.numbers);
        encoder.encode(0, b.texts, b.numbers, b.x, 0);
        return predictEncoded(b);
    }

    /** The prediction for {@code row}; every column must have been set. */
    public Prediction predict(Row row) {
        row.checkComplete(0);
        Buffers b = buffers.get();
        encoder.encode(0, row.texts, row.numbers, b.x, 0);
        return predictEncoded(b);
    }

    /**
     * The predictions for rows given as column name → value maps (as {@link #predict(Map)}),
     * one per row, in order.
     *
     * @throws RowException naming the first row (0-based) and column at fault
     */
    public List<Prediction> predictAll(List<? extends Map<String, ?>> rows) {
        int n = rows.size();
        int width = encoder.inputWidth();
        float[] x = new float[Math.multiplyExact(n, width)];
        String[] texts = new String[encoder.columns().size()];
        float[] numbers = new float[texts.length];
        for (int r = 0; r < n; r++) {
            fill(r, rows.get(r), texts, numbers);
            encoder.encode(r, texts, numbers, x, r * width);
        }
        return predictBatch(x, n);
    }

    /**
     * The predictions for rows given as text cells in {@link #columns()} order (a CSV row, or
     * MLflow's positional {@code instances}); {@code null}, empty or {@code NA} is missing.
     *
     * @throws RowException naming the first row (0-based) and column at fault, also when a row
     *     has the wrong number of cells
     */
    public List<Prediction> predictCells(List<String[]> rows) {
        int n = rows.size();
        for (int r = 0; r < n; r++) {
            checkWidth(r, rows.get(r));
        }
        if (n == 1) {                                       // the common request: no batch buffers
            Buffers b = buffers.get();
            encoder.encode(0, rows.get(0), null, b.x, 0);
            return List.of(predictEncoded(b));
        }
        int width = encoder.inputWidth();
        float[] x = new float[Math.multiplyExact(n, width)];
        for (int r = 0; r < n; r++) {
            encoder.encode(r, rows.get(r), null, x, r * width);
        }
        return predictBatch(x, n);
    }

    private void checkWidth(int r, String[] cells) {
        int columns = encoder.columns().size();
        if (cells.length != columns) {
            throw new RowException(r, cells.length < columns ? encoder.columns().get(cells.length)
                    : "#" + columns, "the row has " + cells.length + " values but the model reads " + columns
                    + " columns (" + String.join(", ", encoder.columns()) + ")");
        }
    }

    /** The predictions for {@code rows}, one per row, in order. */
    public List<Prediction> predictAll(Row... rows) {
        int width = encoder.inputWidth();
        float[] x = new float[Math.multiplyExact(rows.length, width)];
        for (int r = 0; r < rows.length; r++) {
            rows[r].checkComplete(r);
            encoder.encode(r, rows[r].texts, rows[r].numbers, x, r * width);
        }
        return predictBatch(x, rows.length);
    }

    private void fill(int r, Map<String, ?> values, String[] texts, float[] numbers) {
        List<String> columns = encoder.columns();
        for (int f = 0; f < texts.length; f++) {
            String name = columns.get(f);
            Object v = values.get(name);
            if (v == null && !values.containsKey(name)) {
                throw new RowException(r, name, "absent (the model reads " + String.join(", ", columns) + ")");
            }
            if (v == null) {
                texts[f] = null;
                numbers[f] = Float.NaN;
            } else if (v instanceof Number number) {
                texts[f] = null;
                numbers[f] = number.floatValue();
            } else {
                texts[f] = v.toString();
            }
        }
    }

    private Prediction predictEncoded(Buffers b) {
        inference.predict(b.x, 0, 1, b.y, 0, b.scratch);
        return toPrediction(b.y, 0);
    }

    private List<Prediction> predictBatch(float[] x, int n) {
        if (n == 0) {
            return List.of();
        }
        float[] y = new float[n * inference.outputs()];
        inference.predictBatch(x, n, y);
        List<Prediction> out = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            out.add(toPrediction(y, r * inference.outputs()));
        }
        return out;
    }

    private Prediction toPrediction(float[] y, int off) {
        int k = inference.outputs();
        if (!classification) {
            float[] values = new float[k];
            for (int j = 0; j < k; j++) {
                values[j] = y[off + j] * targetScale[j] + targetShift[j];   // as Scaler.invert
            }
            return new Prediction.Regression(names, values);
        }
        float[] scores = sigmoidPair ? new float[] {1f - y[off], y[off]} : Arrays.copyOfRange(y, off, off + k);
        int best = 0;
        if (!Double.isNaN(threshold)) {
            // the stored decision, as Predictions.classIds(positive, threshold)
            best = scores[positive] >= threshold ? positive : 1 - positive;
        } else {
            for (int c = 1; c < scores.length; c++) {
                if (scores[c] > scores[best]) {
                    best = c;
                }
            }
        }
        return new Prediction.Classification(names.get(best), best, names, scores, probabilities);
    }

    /** The calling thread's buffers for one row. */
    private static final class Buffers {
        final float[] x;
        final float[] y;
        final String[] texts;
        final float[] numbers;
        final Inference.Scratch scratch;

        Buffers(int columns, int width, Inference inference) {
            x = new float[width];
            y = new float[inference.outputs()];
            texts = new String[columns];
            numbers = new float[columns];
            scratch = inference.scratch(1);
        }
    }

    /**
     * One row's values by column name, to fill and predict again and again without allocating.
     * Not thread-safe: one row per thread.
     */
    public final class Row {
        final String[] texts = new String[encoder.columns().size()];
        final float[] numbers = new float[texts.length];
        final boolean[] set = new boolean[texts.length];

        private Row() {}

        /** Sets a numeric cell ({@code NaN} means missing). */
        public Row set(String column, double value) {
            int f = column(column);
            texts[f] = null;
            numbers[f] = (float) value;
            set[f] = true;
            return this;
        }

        /** Sets a cell as text (a category, or a number as written; {@code null}, empty or {@code NA} = missing). */
        public Row set(String column, String value) {
            int f = column(column);
            texts[f] = value;
            numbers[f] = Float.NaN;
            set[f] = true;
            return this;
        }

        /** Unsets every cell. */
        public Row clear() {
            Arrays.fill(set, false);
            return this;
        }

        private int column(String column) {
            int f = encoder.indexOf(column);
            if (f < 0) {
                throw new IllegalArgumentException("the model has no column '" + column + "'; it reads "
                        + String.join(", ", encoder.columns()));
            }
            return f;
        }

        void checkComplete(int r) {
            for (int f = 0; f < set.length; f++) {
                if (!set[f]) {
                    throw new RowException(r, encoder.columns().get(f), "not set");
                }
            }
        }
    }
}

package dev.gradus.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes single rows, given cell by cell, into network inputs exactly as
 * {@link Preprocessing#features(Table)} encodes the rows of a table: the same number parsing,
 * missing-value rule, fill values, one-hot order and {@code x' = (x − shift) / scale}, so a row
 * encoded here gives the same bits as the same row read from a CSV file.
 *
 * <p>Cells are indexed by feature column ({@link #columns()} order). A cell is either text (as a
 * client wrote it: {@code "13.2"}, {@code "red"}, {@code ""} or {@code "NA"} for missing) or, when
 * its text is {@code null}, a number ({@code NaN} for missing). Immutable and thread-safe.
 *
 * <pre>{@code
 * RowEncoder enc = RowEncoder.of(model.preprocessing());
 * float[] x = new float[enc.inputWidth()];
 * enc.encode(0, new String[] {"14.2", "1.7", …}, null, x, 0);
 * }</pre>
 */
public final class RowEncoder {
    private final Preprocessing prep;
    private final List<String> columns;
    private final Map<String, Integer> index = new HashMap<>();
    private final int[] start;                       // first network input of each feature
    private final float[] fill;                      // numeric fill, NaN = none
    private final List<Map<String, Integer>> categories;
    private final float[] shift;
    private final float[] scale;

    private RowEncoder(Preprocessing prep) {
        this.prep = prep;
        this.columns = prep.featureNames();
        List<Preprocessing.Feature> features = prep.features();
        start = new int[features.size()];
        fill = new float[features.size()];
        java.util.ArrayList<Map<String, Integer>> cats = new java.util.ArrayList<>();
        int j = 0;
        for (int f = 0; f < features.size(); f++) {
            Preprocessing.Feature feature = features.get(f);
            index.put(feature.name(), f);
            start[f] = j;
            j += feature.width();
            fill[f] = feature.fill() == null || feature.isCategorical() ? Float.NaN : Float.parseFloat(feature.fill());
            Map<String, Integer> ids = new HashMap<>();
            for (int k = 0; k < feature.categories().size(); k++) {
                ids.put(feature.categories().get(k), k);
            }
            cats.add(ids);
        }
        categories = List.copyOf(cats);
        shift = prep.featureScaler().shift();
        scale = prep.featureScaler().scale();
    }

    /** The encoder of {@code prep}. */
    public static RowEncoder of(Preprocessing prep) {
        return new RowEncoder(prep);
    }

    /** The feature columns a row holds, in order (what {@code gradus inspect} lists). */
    public List<String> columns() {
        return columns;
    }

    /** The position of {@code column} in {@link #columns()}, or -1. */
    public int indexOf(String column) {
        Integer f = index.get(column);
        return f == null ? -1 : f;
    }

    /** Whether feature {@code f} is categorical (its cells are text). */
    public boolean isCategorical(int f) {
        return prep.features().get(f).isCategorical();
    }

    /** The number of network inputs a row encodes to. */
    public int inputWidth() {
        return shift.length;
    }

    /**
     * Writes the scaled network inputs of one row into {@code x[xOff .. xOff + inputWidth())}.
     *
     * @param row the row's position, for messages
     * @param texts the cells as text per feature column, or {@code null} when all are numbers;
     *     a {@code null} entry means "take {@code numbers}"
     * @param numbers the cells as numbers per feature column ({@code NaN} = missing), read where
     *     {@code texts} has no entry; may be {@code null} when {@code texts} is complete
     * @throws RowException naming the row and column of a missing cell (without a fill value), a
     *     non-number in a numeric column, or an unknown category
     */
    public void encode(int row, String[] texts, float[] numbers, float[] x, int xOff) {
        List<Preprocessing.Feature> features = prep.features();
        int width = shift.length;
        java.util.Arrays.fill(x, xOff, xOff + width, 0f);
        for (int f = 0; f < features.size(); f++) {
            String text = texts == null ? null : texts[f];
            Preprocessing.Feature feature = features.get(f);
            int j = xOff + start[f];
            if (!feature.isCategorical()) {
                float v;
                if (text != null) {
                    if (Table.isMissing(text)) {
                        v = Float.NaN;
                    } else {
                        v = Table.parseNumber(text);
                        if (Float.isNaN(v)) {
                            throw new RowException(row, feature.name(), "'" + text + "' is not a finite number");
                        }
                    }
                } else {
                    v = numbers == null ? Float.NaN : numbers[f];
                    if (Float.isInfinite(v)) {
                        throw new RowException(row, feature.name(), v + " is not a finite number");
                    }
                }
                if (Float.isNaN(v)) {
                    if (Float.isNaN(fill[f])) {
                        throw new RowException(row, feature.name(), "missing value (the model imputes none)");
                    }
                    v = fill[f];
                }
                x[j] = v;
            } else {
                String cell = text;
                if (cell == null && numbers != null && !Float.isNaN(numbers[f])) {
                    cell = Table.formatNumber(numbers[f]);
                }
                if (cell == null || Table.isMissing(cell)) {
                    if (feature.fill() == null) {
                        throw new RowException(row, feature.name(), "missing value (the model imputes none)");
                    }
                    cell = feature.fill();
                }
                Integer k = categories.get(f).get(cell.strip());
                if (k == null) {
                    throw new RowException(row, feature.name(), "unknown category '" + cell + "' (known: "
                            + String.join(", ", feature.categories()) + ")");
                }
                x[j + k] = 1f;
            }
        }
        // x ← (x − shift) / scale, as Scaler.apply
        for (int c = 0; c < width; c++) {
            x[xOff + c] = (x[xOff + c] - shift[c]) / scale[c];
        }
    }
}

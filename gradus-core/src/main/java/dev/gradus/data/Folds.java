package dev.gradus.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded partition of a table's rows into {@code K} folds for cross-validation: fold
 * {@code f} is the held-out part of split {@code f}, the other {@code K − 1} folds its training
 * part. Every row is held out exactly once.
 *
 * <pre>{@code
 * Folds folds = Folds.stratified(table, "label", 5, 42);
 * Split first = folds.split(table, 0);      // train on folds 1..4, score fold 0
 * }</pre>
 *
 * <p>{@link #stratified} deals each class's rows, in a seeded random order, round-robin over the
 * folds (continuing where the previous class stopped), so every fold keeps the class
 * proportions to within one row per class and fold sizes differ by at most one row.
 * {@link #shuffled} deals a seeded permutation of all rows the same way. The same seed gives the
 * same folds.
 *
 * @param fold {@code fold[r]}, the fold of row {@code r}, in {@code [0, K)}
 * @param count {@code K}
 */
public record Folds(int[] fold, int count) {

    public Folds {
        fold = fold.clone();
        if (count < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + count);
        }
        for (int f : fold) {
            if (f < 0 || f >= count) {
                throw new IllegalArgumentException("fold " + f + " is not in [0, " + count + ")");
            }
        }
    }

    /** {@code k} folds of a seeded permutation of the {@code rows} rows. */
    public static Folds shuffled(int rows, int k, long seed) {
        checkCount(k, rows, "rows");
        int[] order = Split.permutation(rows, new SplittableRandom(seed));
        int[] fold = new int[rows];
        for (int i = 0; i < rows; i++) {
            fold[order[i]] = i % k;
        }
        return new Folds(fold, k);
    }

    /**
     * {@code k} folds that keep the proportions of the classes of {@code targetColumn}.
     *
     * @throws DataException if the column is missing or has a missing value, or if the table has
     *     fewer than {@code k} rows
     */
    public static Folds stratified(Table table, String targetColumn, int k, long seed) throws DataException {
        int c = table.indexOf(targetColumn);
        if (c < 0) {
            throw new DataException(table.source() + ": no target column '" + targetColumn + "'; available: "
                    + String.join(", ", table.names()));
        }
        if (table.rows() < k) {
            throw new DataException(table.source() + ": " + table.rows() + " rows cannot be split into " + k
                    + " folds");
        }
        checkCount(k, table.rows(), "rows");
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        for (int r = 0; r < table.rows(); r++) {
            String label = table.text(r, c);
            if (label == null) {
                throw new DataException(table.source() + ": line " + table.line(r) + ", column '" + targetColumn
                        + "': missing value");
            }
            byClass.computeIfAbsent(label.strip(), key -> new ArrayList<>()).add(r);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[] fold = new int[table.rows()];
        int next = 0;
        for (List<Integer> rows : byClass.values()) {
            int[] order = Split.permutation(rows.size(), random);
            for (int i : order) {
                fold[rows.get(i)] = next;
                next = (next + 1) % k;
            }
        }
        return new Folds(fold, k);
    }

    /** The rows held out in fold {@code f}, in their original order. */
    public int[] heldOut(int f) {
        return rowsWhere(f, true);
    }

    /** The training rows of split {@code f} (every fold but {@code f}), in their original order. */
    public int[] training(int f) {
        return rowsWhere(f, false);
    }

    /** Split {@code f} of {@code table}: training rows and held-out rows. */
    public Split split(Table table, int f) {
        if (table.rows() != fold.length) {
            throw new IllegalArgumentException("the folds are of " + fold.length + " rows, the table has "
                    + table.rows());
        }
        return new Split(table.selectRows(training(f)), table.selectRows(heldOut(f)));
    }

    @Override
    public int[] fold() {
        return fold.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Folds other && count == other.count && Arrays.equals(fold, other.fold);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(fold) + count;
    }

    @Override
    public String toString() {
        return "Folds[" + count + " folds of " + fold.length + " rows]";
    }

    private int[] rowsWhere(int f, boolean in) {
        if (f < 0 || f >= count) {
            throw new IllegalArgumentException("fold " + f + " is not in [0, " + count + ")");
        }
        return java.util.stream.IntStream.range(0, fold.length).filter(r -> (fold[r] == f) == in).toArray();
    }

    private static void checkCount(int k, int rows, String what) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        if (rows < k) {
            throw new IllegalArgumentException(rows + " " + what + " cannot be split into " + k + " folds");
        }
    }
}

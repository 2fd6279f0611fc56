package dev.gradus.data;

import dev.gradus.internal.RowOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded split of a table's rows into training and test rows.
 *
 * <pre>{@code
 * Split s = Split.stratified(table, "label", 0.25, 42);   // 25% of each class to s.test()
 * }</pre>
 *
 * @param train the rows to fit on, in their original order
 * @param test the held-out rows, in their original order
 */
public record Split(Table train, Table test) {

    /** {@code round(fraction · N)} random rows (at least 1, leaving at least 1) go to the test part. */
    public static Split random(Table table, double fraction, long seed) throws DataException {
        checkFraction(fraction);
        int n = table.rows();
        if (n < 2) {
            throw new DataException(table.source() + ": " + n + " row cannot be split into training and test rows");
        }
        int[] order = permutation(n, new SplittableRandom(seed));
        int testRows = Math.min(n - 1, Math.max(1, (int) Math.round(fraction * n)));
        return of(table, Arrays.copyOf(order, testRows));
    }

    /**
     * Each class (the distinct values of {@code targetColumn}) sends {@code round(fraction · nᶜ)}
     * of its rows, at least 1, to the test part, so both parts keep the class proportions.
     *
     * @throws DataException if a class has a single row
     */
    public static Split stratified(Table table, String targetColumn, double fraction, long seed)
            throws DataException {
        checkFraction(fraction);
        int c = table.indexOf(targetColumn);
        if (c < 0) {
            throw new DataException(table.source() + ": no target column '" + targetColumn + "'; available: "
                    + String.join(", ", table.names()));
        }
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        for (int r = 0; r < table.rows(); r++) {
            String label = table.text(r, c);
            if (label == null) {
                throw new DataException(table.source() + ": line " + table.line(r) + ", column '" + targetColumn
                        + "': missing value");
            }
            byClass.computeIfAbsent(label.strip(), k -> new ArrayList<>()).add(r);
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> test = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
            List<Integer> rows = e.getValue();
            if (rows.size() < 2) {
                throw new DataException(table.source() + ": class '" + e.getKey() + "' of column '" + targetColumn
                        + "' has only one row (line " + table.line(rows.get(0)) + "); a stratified split needs at "
                        + "least 2 rows per class");
            }
            int[] order = permutation(rows.size(), random);
            int take = Math.min(rows.size() - 1, Math.max(1, (int) Math.round(fraction * rows.size())));
            for (int i = 0; i < take; i++) {
                test.add(rows.get(order[i]));
            }
        }
        return of(table, test.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * The rows that {@link dev.gradus.train.TrainingOptions#validationFraction()} {@code fraction}
     * holds out when training on {@code table} with that seed: {@code train()} is the rows the
     * trainer fits on, {@code test()} the validation rows it scores after each epoch (a seeded
     * {@code round(fraction · N)} of them).
     *
     * @throws IllegalArgumentException when either part would be empty
     */
    public static Split validation(Table table, double fraction, long seed) {
        int[][] parts = RowOrder.validationSplit(table.rows(), fraction, seed);
        return new Split(table.selectRows(parts[0]), table.selectRows(parts[1]));
    }

    private static Split of(Table table, int[] testRows) {
        boolean[] isTest = new boolean[table.rows()];
        for (int r : testRows) {
            isTest[r] = true;
        }
        int[] train = new int[table.rows() - testRows.length];
        int[] test = new int[testRows.length];
        int a = 0;
        int b = 0;
        for (int r = 0; r < table.rows(); r++) {
            if (isTest[r]) {
                test[b++] = r;
            } else {
                train[a++] = r;
            }
        }
        return new Split(table.selectRows(train), table.selectRows(test));
    }

    /** A seeded Fisher–Yates permutation of {@code 0..n−1}; the folds of {@link Folds} draw theirs here too. */
    static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        RowOrder.permute(order, random);
        return order;
    }

    private static void checkFraction(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("test fraction must be strictly between 0 and 1, got " + fraction);
        }
    }
}

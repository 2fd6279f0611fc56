package dev.gradus.data;

import dev.gradus.internal.RowOrder;
import java.io.IOException;
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
        return of(table, randomTestRows(table.rows(), fraction, seed, table.source()));
    }

    /**
     * The rows {@link #random} sends to the test part of {@code n} rows (read from {@code source}),
     * numbered {@code 0 .. n−1} in file order, in increasing order: for rows read a chunk at a
     * time ({@link #only}, {@link #allBut}).
     *
     * @throws DataException for fewer than 2 rows
     */
    public static int[] randomTestRows(int n, double fraction, long seed, String source) throws DataException {
        checkFraction(fraction);
        if (n < 2) {
            throw new DataException(source + ": " + n + " row cannot be split into training and test rows");
        }
        int[] order = permutation(n, new SplittableRandom(seed));
        int[] test = Arrays.copyOf(order, take(n, fraction));
        Arrays.sort(test);
        return test;
    }

    /** The test rows of {@code n} rows (of a class): {@code round(fraction · n)}, at least 1, leaving at least 1. */
    private static int take(int n, double fraction) {
        return Math.min(n - 1, Math.max(1, (int) Math.round(fraction * n)));
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
        Classes classes = new Classes(targetColumn);
        classes.accept(table);
        return of(table, classes.testRows(fraction, seed));
    }

    /**
     * The class of every row, counted a chunk at a time in file order ({@link Csv#stream}): the
     * stripped text of the target column, numbered in order of first appearance, as
     * {@link #stratified} groups the rows of a whole table; {@link #testRows} are the rows it
     * sends to the test part. Holds an int per row.
     */
    public static final class Classes implements Csv.Chunks {
        private final String targetColumn;
        private final Map<String, Integer> ids = new LinkedHashMap<>();
        private final List<Long> firstLines = new ArrayList<>();
        private final List<Integer> sizes = new ArrayList<>();
        private int[] classOf = new int[1024];
        private int rows;
        private String source;

        /** The classes of column {@code targetColumn}. */
        public Classes(String targetColumn) {
            this.targetColumn = targetColumn;
        }

        @Override
        public void accept(Table chunk) throws DataException {
            source = chunk.source();
            int c = chunk.indexOf(targetColumn);
            if (c < 0) {
                throw new DataException(chunk.source() + ": no target column '" + targetColumn + "'; available: "
                        + String.join(", ", chunk.names()));
            }
            if (rows + chunk.rows() > classOf.length) {
                classOf = Arrays.copyOf(classOf, Math.max(rows + chunk.rows(), 2 * classOf.length));
            }
            for (int r = 0; r < chunk.rows(); r++) {
                String label = chunk.text(r, c);
                if (label == null) {
                    throw new DataException(chunk.source() + ": line " + chunk.line(r) + ", column '" + targetColumn
                            + "': missing value");
                }
                Integer id = ids.get(label.strip());
                if (id == null) {
                    id = ids.size();
                    ids.put(label.strip(), id);
                    firstLines.add(chunk.line(r));
                    sizes.add(0);
                }
                sizes.set(id, sizes.get(id) + 1);
                classOf[rows++] = id;
            }
        }

        @Override
        public void restart() {
            ids.clear();
            firstLines.clear();
            sizes.clear();
            rows = 0;
        }

        /** The number of rows counted. */
        public int rows() {
            return rows;
        }

        /**
         * The rows {@link #stratified} sends to the test part, numbered from 0 in file order, in
         * increasing order.
         *
         * @throws DataException if a class has a single row
         */
        public int[] testRows(double fraction, long seed) throws DataException {
            checkFraction(fraction);
            int[][] members = new int[ids.size()][];
            for (int k = 0; k < members.length; k++) {
                members[k] = new int[sizes.get(k)];
            }
            int[] filled = new int[members.length];
            for (int r = 0; r < rows; r++) {
                members[classOf[r]][filled[classOf[r]]++] = r;
            }
            SplittableRandom random = new SplittableRandom(seed);
            List<String> labels = new ArrayList<>(ids.keySet());
            int total = 0;
            for (int[] classRows : members) {
                total += take(classRows.length, fraction);
            }
            int[] test = new int[total];
            int count = 0;
            for (int k = 0; k < members.length; k++) {
                int[] classRows = members[k];
                if (classRows.length < 2) {
                    throw new DataException(source + ": class '" + labels.get(k) + "' of column '" + targetColumn
                            + "' has only one row (line " + firstLines.get(k) + "); a stratified split needs at "
                            + "least 2 rows per class");
                }
                int[] order = permutation(classRows.length, random);
                for (int i = 0, take = take(classRows.length, fraction); i < take; i++) {
                    test[count++] = classRows[order[i]];
                }
                members[k] = null;   // drawn: its rows are no longer needed
            }
            Arrays.sort(test);
            return test;
        }
    }

    /**
     * {@code sink} given only the rows numbered {@code rows} (increasing; rows numbered from 0 in
     * file order over the chunks), each chunk cut down to them; a chunk left empty is not given.
     */
    public static Csv.Chunks only(int[] rows, Csv.Chunks sink) {
        return new Selected(rows, true, sink);
    }

    /** {@code sink} given every row but those numbered {@code rows} (increasing), as {@link #only}. */
    public static Csv.Chunks allBut(int[] rows, Csv.Chunks sink) {
        return new Selected(rows, false, sink);
    }

    /** The chunks of a reading cut down to some of their rows, numbered over the whole file. */
    private static final class Selected implements Csv.Chunks {
        private final int[] rows;       // increasing row numbers
        private final boolean keep;     // true: only those rows; false: all but those
        private final Csv.Chunks sink;
        private long first;             // the number of the current chunk's first row
        private int next;               // the first index of rows not before the current chunk

        Selected(int[] rows, boolean keep, Csv.Chunks sink) {
            this.rows = rows;
            this.keep = keep;
            this.sink = sink;
        }

        @Override
        public void accept(Table chunk) throws DataException, IOException {
            int n = chunk.rows();
            int end = next;
            while (end < rows.length && rows[end] < first + n) {
                end++;
            }
            int listed = end - next;
            int[] kept = new int[keep ? listed : n - listed];
            int at = 0;
            int j = next;
            for (int r = 0; r < n; r++) {
                boolean isListed = j < end && rows[j] == first + r;
                if (isListed) {
                    j++;
                }
                if (isListed == keep) {
                    kept[at++] = r;
                }
            }
            first += n;
            next = end;
            if (kept.length == n) {
                sink.accept(chunk);
            } else if (kept.length > 0) {
                sink.accept(chunk.selectRows(kept));
            }
        }

        @Override
        public void restart() throws DataException, IOException {
            first = 0;
            next = 0;
            sink.restart();
        }
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

package dev.gradus.data;

import java.util.Objects;
import java.util.stream.DoubleStream;

/**
 * One column as the preprocessing's column rules read it, in a form that parts of the rows can
 * compute apart and {@link #merge}: whether its present cells are all numbers, the statistics of
 * those numbers, and the present cells as written (stripped) with their counts. Spark's
 * executors summarise the rows they read, the driver merges the summaries and
 * {@link Preprocessing#fit(String, java.util.List, java.util.List, DataSpec, java.util.function.Consumer)}
 * applies the same rules as {@link Preprocessing#fit(Table, DataSpec)} to them.
 *
 * <p>The cells are kept up to {@code maxCells} distinct values; beyond that {@link #cells()} is
 * null (a column of floats or of ids has about as many distinct cells as rows, and the rules
 * need them only for text columns, class targets and {@code --categorical} columns).
 *
 * <pre>{@code
 * ColumnSummary s = ColumnSummary.of(part1, c, 10_000).merge(ColumnSummary.of(part2, c, 10_000));
 * }</pre>
 *
 * @param present the present (non-missing) cells
 * @param missing the missing cells
 * @param numeric every present cell is a number ({@code true} when there is none)
 * @param numbers the statistics of the numbers ({@link ColumnStats#empty()} for a text column)
 * @param cells the present cells with their counts and the missing count, or null when there
 *     were more than {@code maxCells} distinct cells
 * @param maxCells the most distinct cells kept
 * @param median the median of the numbers when computed apart (an exact median is not
 *     mergeable), else {@code NaN}; read only for {@link Impute#MEDIAN}
 */
public record ColumnSummary(long present, long missing, boolean numeric, ColumnStats numbers, ColumnStats cells, int maxCells, double median) {

    public ColumnSummary {
        Objects.requireNonNull(numbers, "numbers");
        if (present < 0 || missing < 0) {
            throw new IllegalArgumentException("counts must not be negative: present " + present + ", missing "
                    + missing);
        }
        if (maxCells < 0) {
            throw new IllegalArgumentException("maxCells must be 0 or more, got " + maxCells);
        }
    }

    /** Column {@code c} of {@code table}, keeping at most {@code maxCells} distinct cells. */
    public static ColumnSummary of(Table table, int c, int maxCells) {
        boolean numeric = table.isNumeric(c);
        ColumnStats numbers = numeric ? ColumnStats.of(table.numbers(c)) : ColumnStats.empty();
        ColumnStats cells;
        long missing;
        if (numeric) {
            missing = numbers.missing();
            cells = table.keepsWrittenText(c) ? written(table, c, maxCells) : null;
        } else {
            cells = ColumnStats.ofCodes(table.codes(c), table.dictionary(c));
            missing = cells.missing();
        }
        if (cells != null && cells.categories().size() > maxCells) {
            cells = null;
        }
        return new ColumnSummary(table.rows() - missing, missing, numeric, numbers, cells, maxCells, Double.NaN);
    }

    /** The cells of a numeric column as written, or null past {@code maxCells} distinct ones. */
    private static ColumnStats written(Table table, int c, int maxCells) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        long missing = 0;
        for (int r = 0; r < table.rows(); r++) {
            String cell = table.text(r, c);
            if (cell == null) {
                missing++;
            } else if (counts.merge(cell, 1L, Long::sum) == 1 && counts.size() > maxCells) {
                return null;
            }
        }
        return new ColumnStats(table.rows() - missing, missing, 0, 0, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, counts);
    }

    /**
     * The summary of this column's rows followed by {@code other}'s: numeric when both are (a
     * part without present cells does not vote), statistics merged, cells merged while both parts
     * kept them and their union stays within {@code maxCells}.
     */
    public ColumnSummary merge(ColumnSummary other) {
        boolean bothNumeric = present == 0 ? other.numeric : other.present == 0 ? numeric : numeric && other.numeric;
        ColumnStats merged = null;
        if (cells != null && other.cells != null) {
            merged = cells.merge(other.cells);
            if (merged.categories().size() > Math.min(maxCells, other.maxCells)) {
                merged = null;
            }
        }
        return new ColumnSummary(present + other.present, missing + other.missing, bothNumeric,
                numbers.merge(other.numbers), merged, Math.min(maxCells, other.maxCells), Double.NaN);
    }

    /**
     * The numbers of the distinct cells kept ({@link #cells()}), each read as the column's
     * numbers are read (float32), once per distinct cell as written (so {@code 3} and
     * {@code 3.0} both give 3); cells that are no number are left out. Empty when the cells were
     * not kept (more than {@code maxCells} distinct ones, or a table that keeps no written text).
     */
    public DoubleStream cellNumbers() {
        if (cells == null) {
            return DoubleStream.empty();
        }
        return cells.categories().keySet().stream().mapToDouble(Table::parseNumber).filter(v -> !Double.isNaN(v));
    }

    /** This summary with the median of its numbers computed apart. */
    public ColumnSummary withMedian(double value) {
        return new ColumnSummary(present, missing, numeric, numbers, cells, maxCells, value);
    }
}

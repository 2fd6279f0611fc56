package dev.gradus.spark;

import dev.gradus.data.ColumnStats;
import dev.gradus.data.ColumnSummary;
import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.DoubleStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Fits {@code gradus train}'s {@link Preprocessing} by distributed aggregation: every executor
 * reads its partition in tables of {@link #CHUNK_ROWS} rows with the core's cell rules
 * ({@link Table#of}: the same numbers, missing-value spellings and text), summarises each column
 * ({@link ColumnSummary}: counts, mean, M2, minimum and maximum of the numbers, the count of each
 * distinct cell up to {@link #MAX_CELLS}), and merges its chunks; the driver merges the
 * partitions' summaries in partition order and fits with
 * {@link Preprocessing#fit(String, List, List, DataSpec, Consumer)}, the core's column rules read
 * from summaries. Nothing but the summaries reaches the driver.
 *
 * <p>The result has the same task, features, categories, fills, class labels and left-out
 * columns as {@link Preprocessing#fit(Table, DataSpec)} on the same rows, and scalers within
 * 1e-6 relative (Chan et al.'s merge of the partitions' statistics adds in another order). A
 * median fill uses Spark's exact {@code percentile} up to {@link #EXACT_MEDIAN_ROWS} rows (the
 * mean of the two middle values for an even count, as the core computes it); above, Spark's
 * {@code percentile_approx} with accuracy 100,000 (a rank error of at most N/100,000).
 */
public final class SparkPreprocessing {
    /** The most distinct cells a column's summary keeps (categories, class labels, dates). */
    public static final int MAX_CELLS = 10_000;

    /** Rows per table that an executor builds to apply the core's cell rules. */
    static final int CHUNK_ROWS = 4096;

    /** Up to this many rows a median fill is exact; above it comes from Spark's quantile sketch. */
    public static final long EXACT_MEDIAN_ROWS = 2_000_000;

    private SparkPreprocessing() {
    }

    /**
     * The fitted preprocessing, the number of rows of each partition of the input (what
     * numbers the rows {@code 0 .. N−1} in partition order when they are encoded) and the merged
     * summary of the first target column.
     */
    public record Fit(Preprocessing preprocessing, long[] partitionRows, ColumnSummary firstTarget) {
        public Fit {
            partitionRows = partitionRows.clone();
        }

        /**
         * The first target's distinct values as written, each read as a number once
         * ({@link ColumnSummary#cellNumbers}): what {@code gradus train}'s task warnings look at
         * (a regression target of a few integers); empty past {@link #MAX_CELLS} distinct cells.
         */
        public DoubleStream firstTargets() {
            return firstTarget.cellNumbers();
        }

        /** The number of rows. */
        public long rows() {
            long n = 0;
            for (long r : partitionRows) {
                n += r;
            }
            return n;
        }

        /** The rows per partition (a copy). */
        @Override
        public long[] partitionRows() {
            return partitionRows.clone();
        }
    }

    /**
     * Fits {@code spec} to the rows of {@code input}, telling {@code warnings} about columns left
     * out and categories merged, as {@code gradus train} does.
     *
     * @throws DataException naming the input and the column or value at fault
     */
    public static Fit fit(SparkInput input, DataSpec spec, Consumer<String> warnings) throws DataException {
        List<String> names = input.names();
        List<Part> parts;
        SparkInput.Cells cells = input.cells();
        try {
            parts = input.rows().toJavaRDD()
                    .mapPartitions((Iterator<Row> it) -> List.of(summarise(cells, it)).iterator()).collect();
        } catch (RuntimeException e) {
            DataException d = SparkInput.dataError(e);
            if (d != null) {
                throw d;
            }
            throw e;
        }
        long[] partitionRows = new long[parts.size()];
        ColumnSummary[] columns = new ColumnSummary[names.size()];
        for (int p = 0; p < parts.size(); p++) {
            partitionRows[p] = parts.get(p).rows();
            for (int c = 0; c < columns.length; c++) {
                ColumnSummary s = parts.get(p).columns()[c].summary();
                columns[c] = p == 0 ? s : columns[c].merge(s);
            }
        }
        List<ColumnSummary> merged = List.of(columns);
        long n = 0;
        for (long r : partitionRows) {
            n += r;
        }
        if (n == 0) {
            throw new DataException(input.path() + ": no data rows");
        }
        if (spec.impute() == Impute.MEDIAN) {
            merged = withMedians(input, merged, n);
        }
        Preprocessing prep = Preprocessing.fit(input.path(), names, merged, spec, warnings);
        return new Fit(prep, partitionRows, merged.get(names.indexOf(prep.targetNames().get(0))));
    }

    /** As {@link #fit(SparkInput, DataSpec, Consumer)}, without warnings. */
    public static Fit fit(SparkInput input, DataSpec spec) throws DataException {
        return fit(input, spec, w -> { });
    }

    /** One partition's summary, from tables of {@link #CHUNK_ROWS} rows built with the core's cell rules. */
    static Part summarise(SparkInput.Cells cells, Iterator<Row> it) {
        List<String> names = cells.names();
        int columns = names.size();
        ColumnSummary[] s = new ColumnSummary[columns];
        long rows = 0;
        List<String[]> chunk = new ArrayList<>(CHUNK_ROWS);
        String file = null;
        while (it.hasNext() || !chunk.isEmpty()) {
            if (it.hasNext() && chunk.size() < CHUNK_ROWS) {
                Row row = it.next();
                chunk.add(cells.of(row));
                file = file == null ? cells.file(row) : file;
                continue;
            }
            Table t = Table.of(file, names, chunk);
            for (int c = 0; c < columns; c++) {
                ColumnSummary part = ColumnSummary.of(t, c, MAX_CELLS);
                s[c] = s[c] == null ? part : s[c].merge(part);
            }
            rows += chunk.size();
            chunk = new ArrayList<>(CHUNK_ROWS);
            file = null;
        }
        Wire[] wire = new Wire[columns];
        for (int c = 0; c < columns; c++) {
            wire[c] = s[c] == null ? null : Wire.of(s[c]);
        }
        return new Part(rows, wire);
    }

    /** A partition's summary as it travels to the driver. */
    record Part(long rows, Wire[] columns) implements Serializable {
        Part {
            for (int c = 0; c < columns.length; c++) {
                if (columns[c] == null) {
                    columns[c] = Wire.EMPTY;
                }
            }
        }
    }

    /** A {@link ColumnSummary} in serialisable fields (the core's records are not serialisable). */
    record Wire(long present, long missing, boolean numeric, double[] numbers, long[] numberCounts, String[] cells,
                long[] cellCounts, long cellsMissing, int maxCells) implements Serializable {
        static final Wire EMPTY = of(new ColumnSummary(0, 0, true, ColumnStats.empty(), ColumnStats.empty(), MAX_CELLS,
                Double.NaN));

        static Wire of(ColumnSummary s) {
            ColumnStats n = s.numbers();
            String[] keys = null;
            long[] counts = null;
            long cellsMissing = 0;
            if (s.cells() != null) {
                keys = s.cells().categories().keySet().toArray(new String[0]);
                counts = new long[keys.length];
                for (int k = 0; k < keys.length; k++) {
                    counts[k] = s.cells().categories().get(keys[k]);
                }
                cellsMissing = s.cells().missing();
            }
            return new Wire(s.present(), s.missing(), s.numeric(), new double[] {n.mean(), n.m2(), n.min(), n.max()},
                    new long[] {n.count(), n.missing()}, keys, counts, cellsMissing, s.maxCells());
        }

        ColumnSummary summary() {
            ColumnStats n = new ColumnStats(numberCounts[0], numberCounts[1], numbers[0], numbers[1], numbers[2],
                    numbers[3], Map.of());
            ColumnStats c = null;
            if (cells != null) {
                Map<String, Long> m = new TreeMap<>();
                long count = 0;
                for (int k = 0; k < cells.length; k++) {
                    m.put(cells[k], cellCounts[k]);
                    count += cellCounts[k];
                }
                c = new ColumnStats(count, cellsMissing, 0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, m);
            }
            return new ColumnSummary(present, missing, numeric, n, c, maxCells, Double.NaN);
        }
    }

    /**
     * The summaries with the medians of the numeric columns: Spark's exact {@code percentile}
     * (one job for all) up to {@link #EXACT_MEDIAN_ROWS} rows, its quantile sketch above.
     */
    private static List<ColumnSummary> withMedians(SparkInput input, List<ColumnSummary> columns, long rows) {
        List<Integer> numeric = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            if (columns.get(c).numeric() && columns.get(c).numbers().count() > 0) {
                numeric.add(c);
            }
        }
        if (numeric.isEmpty()) {
            return columns;
        }
        List<Column> aggregates = new ArrayList<>();
        for (int c : numeric) {
            String quoted = "`" + input.names().get(c).replace("`", "``") + "`";
            String value = "try_cast(trim(" + quoted + ") as float)";
            aggregates.add(functions.expr(rows <= EXACT_MEDIAN_ROWS ? "percentile(" + value + ", 0.5)"
                    : "percentile_approx(" + value + ", 0.5, 100000)"));
        }
        Row r = input.rows().agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0]))
                .first();
        List<ColumnSummary> out = new ArrayList<>(columns);
        for (int i = 0; i < numeric.size(); i++) {
            int c = numeric.get(i);
            out.set(c, out.get(c).withMedian(((Number) r.get(i)).doubleValue()));
        }
        return out;
    }
}

package dev.gradus.spark;

import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;

/**
 * A partition's rows read as the core's {@link Table}s of up to {@link #CHUNK_ROWS} rows, for
 * commands that score or predict them where they were read. A cell the core refuses stops the
 * task with a {@link SparkInput.BadCell} naming the file, the partition and the row in it;
 * {@link #dataError} turns that into the row of the whole input on the driver, counting the
 * partitions' rows only when an error happened.
 */
final class PartitionTables {
    /** Rows per table: {@code gradus evaluate --stream}'s chunks are of this order too. */
    static final int CHUNK_ROWS = 4096;

    private static final String SOURCE = "\u0000chunk";
    private static final String MARK = "\u0001partition ";

    private PartitionTables() {}

    /** What is done with each table of a partition's rows. */
    @FunctionalInterface
    interface Consumer {
        void accept(Table table) throws DataException;
    }

    /** Reads partition {@code partition}'s rows as tables, giving each to {@code consumer} in row order. */
    static void each(SparkInput.Cells cells, int partition, Iterator<Row> it, Consumer consumer) {
        List<String[]> chunk = new ArrayList<>();
        List<String> files = new ArrayList<>();
        long row = 0;   // the partition's row number of the chunk's first row
        while (it.hasNext()) {
            Row r = it.next();
            chunk.add(cells.of(r));
            files.add(cells.file(r));
            if (chunk.size() == CHUNK_ROWS || !it.hasNext()) {
                try {
                    consumer.accept(Table.of(SOURCE, cells.names(), chunk));
                } catch (DataException e) {
                    throw new SparkInput.BadCell(MARK + partition + "\u0001" + located(e.getMessage(), files, row));
                }
                row += chunk.size();
                chunk = new ArrayList<>();
                files = new ArrayList<>();
            }
        }
    }

    /** The core's message about a chunk, with the row's file and its row in the partition in place of the chunk's line. */
    private static String located(String message, List<String> files, long firstRow) {
        Matcher m = Pattern.compile("^" + Pattern.quote(SOURCE) + ": line ([0-9]+), (.*)$", Pattern.DOTALL)
                .matcher(message);
        if (m.matches()) {
            int r = Integer.parseInt(m.group(1)) - 2;
            return files.get(r) + ": row " + (firstRow + r + 1) + " of the data (Spark does not know its line), "
                    + m.group(2);
        }
        return message.replace(SOURCE, files.isEmpty() ? "?" : files.get(0));
    }

    /**
     * The data error inside a failed job over {@code input}'s rows, its row numbered in the whole
     * input (a pass counts the partitions' rows); {@code null} when the failure is not about the
     * data. (Spark's own {@code SparkException} is a checked exception that its Scala methods
     * throw undeclared, hence {@code Exception}.)
     */
    static DataException dataError(Exception failure, SparkInput input) {
        DataException d = SparkInput.dataError(failure);
        if (d == null || !d.getMessage().startsWith(MARK)) {
            return d;
        }
        String text = d.getMessage().substring(MARK.length());
        int end = text.indexOf('\u0001');
        int partition = Integer.parseInt(text.substring(0, end));
        String message = text.substring(end + 1);
        Matcher m = Pattern.compile(": row ([0-9]+) of the data").matcher(message);
        if (m.find()) {
            long before = 0;
            long[] counts = SparkInput.partitionRows(input);
            for (int p = 0; p < partition; p++) {
                before += counts[p];
            }
            message = message.substring(0, m.start()) + ": row " + (before + Long.parseLong(m.group(1)))
                    + " of the data" + message.substring(m.end());
        }
        return new DataException(message);
    }

    /** {@code failure} rethrown as the data error it carries, or as it is (wrapped when checked). */
    static DataException rethrow(Exception failure, SparkInput input) throws DataException {
        DataException d = dataError(failure, input);
        if (d != null) {
            throw d;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        throw new IllegalStateException(failure.getMessage(), failure);
    }
}

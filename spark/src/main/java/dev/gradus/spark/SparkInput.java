package dev.gradus.spark;

import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Rows that Spark's executors read for themselves: any path Spark reads (local files and
 * globs, {@code hdfs://}, {@code s3a://} with their connectors) in CSV, Parquet, JSON or ORC.
 * Every column is turned into text on the executors ({@code null} when missing), so that the
 * preprocessing applies exactly the cell rules of {@code gradus train}'s CSV reader to every
 * format: a Parquet double {@code 0.1} is the cell {@code "0.1"}, read as the float32
 * {@code 0.1f} as the CSV cell would be. Each row also carries the file it came from, for
 * messages.
 *
 * <pre>{@code
 * SparkInput in = SparkInput.read(spark, "data/*.parquet", null);   // format from the extension
 * Preprocessing prep = SparkPreprocessing.fit(in, DataSpec.classification("label")).preprocessing();
 * }</pre>
 *
 * @param path the path as given (for messages)
 * @param names the data columns, in the file's order
 * @param rows the data columns as strings, then the file column {@link #FILE}
 * @param naValues cells read as missing besides pandas' spellings ({@code --na-values})
 */
public record SparkInput(String path, List<String> names, Dataset<Row> rows, List<String> naValues) {
    /** The name of the column holding each row's file. */
    public static final String FILE = "__gradus_file";

    public SparkInput {
        Objects.requireNonNull(path, "path");
        names = List.copyOf(names);
        Objects.requireNonNull(rows, "rows");
        naValues = naValues.stream().map(String::strip).toList();
    }

    /** How executors read a row's cells: what a task carries instead of this record (which holds the Dataset). */
    public Cells cells() {
        return new Cells(names, naValues);
    }

    /**
     * A row's data cells, {@code null} where missing or one of {@code naValues} (the core's
     * {@code Table.of} reads pandas' spellings as missing itself), and its file.
     *
     * @param names the data columns
     * @param naValues cells read as missing besides pandas' spellings
     */
    public record Cells(List<String> names, List<String> naValues) implements Serializable {
        public Cells {
            names = List.copyOf(names);
            naValues = List.copyOf(naValues);
        }

        /** The row's data cells. */
        public String[] of(Row row) {
            String[] cells = new String[names.size()];
            for (int c = 0; c < cells.length; c++) {
                String cell = row.getString(c);
                cells[c] = cell != null && !naValues.isEmpty() && naValues.contains(cell.strip()) ? null : cell;
            }
            return cells;
        }

        /** The file the row came from. */
        public String file(Row row) {
            return row.getString(names.size());
        }
    }

    /** A cell that the preprocessing refuses, found on an executor; its message names the file. */
    static final class BadCell extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadCell(String message) {
            super(message);
        }
    }

    /** The number of rows in each partition of {@code input}'s rows, in partition order (one pass, no rows to the driver). */
    public static long[] partitionRows(SparkInput input) {
        List<Long> counts = input.rows().toJavaRDD().mapPartitions((java.util.Iterator<Row> it) -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(n).iterator();
        }, true).collect();
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The data error inside a failed Spark job, as the {@link DataException} the command line
     * reports with exit code 1; {@code null} when the failure is not about the data.
     */
    public static DataException dataError(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BadCell bad) {
                return new DataException(bad.getMessage());
            }
            String text = t.getMessage();
            if (text == null) {
                continue;
            }
            int at = text.indexOf(BadCell.class.getName() + ": ");
            if (at >= 0) {
                String rest = text.substring(at + BadCell.class.getName().length() + 2);
                int end = rest.indexOf('\n');
                return new DataException(end < 0 ? rest : rest.substring(0, end));
            }
            if (t instanceof org.apache.spark.SparkException && text.contains("Malformed records are detected")) {
                return new DataException(firstLine(text));
            }
            if (t instanceof org.apache.spark.sql.AnalysisException && text.contains("PATH_NOT_FOUND")) {
                return new DataException(firstLine(text));
            }
        }
        return null;
    }

    /**
     * The separator among {@link CsvOptions#DETECTED_SEPARATORS} that splits the first lines into
     * the same number (at least 2) of cells, the most cells winning, as {@code gradus train}
     * detects it (quotes are not looked into here); a comma when none does.
     */
    private static char detectSeparator(SparkSession spark, String path) throws DataException {
        List<String> lines;
        try {
            lines = spark.read().textFile(path).limit(20).collectAsList();
        } catch (RuntimeException e) {
            DataException d = dataError(e);
            throw d != null ? d : new DataException(path + ": Spark cannot read it: "
                    + firstLine(String.valueOf(e.getMessage())));
        }
        char best = ',';
        int bestCells = 1;
        for (char candidate : CsvOptions.DETECTED_SEPARATORS) {
            int cells = -1;
            boolean consistent = true;
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                int n = line.split(java.util.regex.Pattern.quote(String.valueOf(candidate)), -1).length;
                consistent &= cells < 0 || n == cells;
                cells = cells < 0 ? n : cells;
            }
            if (consistent && cells > bestCells) {
                best = candidate;
                bestCells = cells;
            }
        }
        return best;
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    /** The formats read, by their Spark source names. */
    public enum Format {
        CSV, PARQUET, JSON, ORC;

        /** Spark's name of the source. */
        public String source() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * {@code given} ({@code csv}, {@code parquet}, {@code json}, {@code orc}), or without it
         * the path's extension ({@code .csv}, {@code .csv.gz}, {@code .parquet}, {@code .json},
         * {@code .jsonl}, {@code .orc}; a folder or glob of files ending so); CSV otherwise.
         *
         * @throws IllegalArgumentException for an unknown {@code given} format
         */
        public static Format of(String path, String given) {
            if (given != null) {
                for (Format f : values()) {
                    if (f.source().equals(given.strip().toLowerCase(Locale.ROOT))) {
                        return f;
                    }
                }
                throw new IllegalArgumentException("--format " + given + " is not one of csv, parquet, json, orc");
            }
            String p = path.toLowerCase(Locale.ROOT).replaceAll("[/\\\\]+$", "");
            p = p.replaceAll("\\.(gz|bz2|snappy|zst|lz4|deflate)$", "");
            if (p.endsWith(".parquet")) {
                return PARQUET;
            }
            if (p.endsWith(".json") || p.endsWith(".jsonl") || p.endsWith(".ndjson")) {
                return JSON;
            }
            if (p.endsWith(".orc")) {
                return ORC;
            }
            return CSV;
        }
    }

    /**
     * The rows at {@code path}, read lazily: nothing is read on the driver but the schema (and,
     * for CSV, the header line).
     *
     * @param format {@code csv}, {@code parquet}, {@code json} or {@code orc}, or {@code null}
     *     for the extension's
     * @throws IllegalArgumentException for an unknown format
     * @throws DataException when Spark cannot read the path, for a column of a type that has no
     *     text form (arrays, maps, structs, binary), or duplicate column names
     */
    public static SparkInput read(SparkSession spark, String path, String format) throws DataException {
        return read(spark, path, format, null, List.of());
    }

    /**
     * As {@link #read(SparkSession, String, String)}, with a CSV separator ({@code null}: a comma)
     * and extra missing-value spellings.
     */
    public static SparkInput read(SparkSession spark, String path, String format, Character separator,
                                  List<String> naValues) throws DataException {
        Format f = Format.of(path, format);
        var reader = spark.read().format(f.source());
        if (f == Format.CSV && separator == null) {
            separator = detectSeparator(spark, path);
        }
        if (f == Format.CSV) {
            // RFC 4180 as gradus train reads it: a header line, quotes doubled inside quotes,
            // every cell as text (no type inference), an empty cell missing; a row with the
            // wrong number of cells stops the read.
            reader = reader.option("header", "true").option("inferSchema", "false").option("escape", "\"")
                    .option("mode", "FAILFAST").option("enforceSchema", "false")
                    .option("sep", String.valueOf(separator == null ? ',' : separator));
        }
        Dataset<Row> raw;
        try {
            raw = reader.load(path);
        } catch (RuntimeException e) {
            DataException d = dataError(e);
            throw d != null ? d : new DataException(path + ": Spark cannot read it as " + f.source() + ": "
                    + firstLine(String.valueOf(e.getMessage())));
        }
        StructType schema = raw.schema();
        List<String> names = new ArrayList<>();
        List<Column> text = new ArrayList<>();
        for (StructField field : schema.fields()) {
            DataType type = field.dataType();
            if (type instanceof ArrayType || type instanceof MapType || type instanceof StructType
                    || type instanceof BinaryType) {
                throw new DataException(path + ": column '" + field.name() + "' is of type "
                        + type.simpleString() + ", which has no text form; Gradus reads numbers and text");
            }
            if (names.contains(field.name())) {
                throw new DataException(path + ": column '" + field.name() + "' appears twice");
            }
            names.add(field.name());
            text.add(functions.col("`" + field.name().replace("`", "``") + "`").cast("string").as(field.name()));
        }
        if (names.isEmpty()) {
            throw new DataException(path + ": no columns");
        }
        text.add(functions.input_file_name().as(FILE));
        return new SparkInput(path, names, raw.select(text.toArray(new Column[0])), naValues);
    }
}

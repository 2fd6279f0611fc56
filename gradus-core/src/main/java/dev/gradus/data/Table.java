package dev.gradus.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A table of named columns as read from a file, before any encoding, stored column by column:
 * a numeric column is a {@code float[]} ({@code NaN} for a missing cell); a text column is
 * dictionary-encoded, an {@code int} code per row into its list of distinct values ({@code -1}
 * for a missing cell).
 *
 * <p>A column is numeric when every non-missing cell is a finite number; otherwise it is text.
 * A numeric column keeps the text of its cells as written ({@code 007}, {@code 1.50},
 * {@code 16777217}, which float32 cannot tell from {@code 16777216}) only where it is asked to
 * (class labels, id columns: see {@link CsvOptions#keepText()}) or where it has few distinct
 * cells; otherwise {@link #text} writes the number. Each row remembers the line of the file it
 * came from, so later checks can name it.
 */
public final class Table {
    /** One column: numbers, or dictionary-encoded text. */
    sealed interface Column permits Numbers, Texts {
        int rows();

        Column select(int[] indices);
    }

    /**
     * A numeric column.
     *
     * @param values one per row, NaN for a missing cell
     * @param writtenCodes the cell of each row as written, a code into {@code written}
     *     ({@code -1} missing), or {@code null} when the text is not kept
     */
    record Numbers(float[] values, int[] writtenCodes, String[] written) implements Column {
        @Override
        public int rows() {
            return values.length;
        }

        @Override
        public Column select(int[] indices) {
            float[] v = new float[indices.length];
            for (int i = 0; i < indices.length; i++) {
                v[i] = values[indices[i]];
            }
            return new Numbers(v, writtenCodes == null ? null : pick(writtenCodes, indices), written);
        }
    }

    /**
     * A text column: {@code dictionary[codes[r]]} is the cell of row r (without surrounding
     * spaces), {@code codes[r] == -1} when it is missing.
     */
    record Texts(int[] codes, String[] dictionary) implements Column {
        @Override
        public int rows() {
            return codes.length;
        }

        @Override
        public Column select(int[] indices) {
            return new Texts(pick(codes, indices), dictionary);
        }
    }

    private final String source;
    private final List<String> names;
    private final Column[] columns;
    private final int rows;
    private final long firstLine; // the line of row 0 when lines is null (rows on consecutive lines)
    private final long[] lines;   // the line of every row, or null

    Table(String source, List<String> names, Column[] columns, int rows, long firstLine, long[] lines) {
        this.source = source;
        this.names = List.copyOf(names);
        this.columns = columns;
        this.rows = rows;
        this.firstLine = firstLine;
        this.lines = lines;
        for (int c = 0; c < columns.length; c++) {
            if (columns[c].rows() != rows) {
                throw new IllegalArgumentException("column " + names.get(c) + " has " + columns[c].rows()
                        + " rows, expected " + rows);
            }
        }
    }

    /**
     * A table from rows of cells (a missing value is one of {@link CsvOptions#PANDAS_NA}, or a
     * blank cell); lines are numbered as if the header were line 1.
     */
    public static Table of(String source, List<String> names, List<String[]> rows) {
        long[] lines = new long[rows.size()];
        for (int r = 0; r < lines.length; r++) {
            lines[r] = r + 2;
        }
        return fromCells(source, names, rows, lines);
    }

    /**
     * A table of numeric rows, <b>row-major</b>: {@code rows[r][c]} is column {@code c} of row
     * {@code r}, each row {@code names.size()} values long; lines are numbered from 1.
     *
     * <pre>{@code
     * Table t = Table.ofRows("xor", List.of("a", "b", "y"),
     *         new float[][] {{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 1, 0}});   // 4 rows, 3 columns
     * }</pre>
     */
    public static Table ofRows(String source, List<String> names, float[][] rows) {
        float[][] columns = new float[names.size()][rows.length];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != names.size()) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values for "
                        + names.size() + " columns " + names);
            }
            for (int c = 0; c < names.size(); c++) {
                columns[c][r] = rows[r][c];
            }
        }
        return ofNumbers(source, names, columns);
    }

    /** A table of numeric columns: {@code values[c]} is column {@code c}. */
    public static Table ofNumbers(String source, List<String> names, float[][] values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException(names.size() + " names for " + values.length + " columns");
        }
        int rows = values.length == 0 ? 0 : values[0].length;
        Column[] columns = new Column[values.length];
        for (int c = 0; c < values.length; c++) {
            if (values[c].length != rows) {
                throw new IllegalArgumentException("column " + names.get(c) + " has " + values[c].length
                        + " rows, column " + names.get(0) + " has " + rows);
            }
            columns[c] = new Numbers(values[c], null, null);
        }
        return new Table(source, names, columns, rows, 1, null);
    }

    static Table fromCells(String source, List<String> names, List<String[]> rows, long[] lines) {
        Column[] columns = new Column[names.size()];
        CsvOptions defaults = CsvOptions.defaults();
        for (int c = 0; c < names.size(); c++) {
            float[] numbers = new float[rows.size()];
            boolean numeric = true;
            int[] codes = new int[rows.size()];
            Map<String, Integer> index = new HashMap<>();
            List<String> dictionary = new ArrayList<>();
            for (int r = 0; r < rows.size(); r++) {
                String cell = rows.get(r)[c];
                if (cell == null || defaults.isMissing(cell.strip())) {
                    numbers[r] = Float.NaN;
                    codes[r] = -1;
                    continue;
                }
                String s = cell.strip();
                codes[r] = index.computeIfAbsent(s, k -> {
                    dictionary.add(k);
                    return dictionary.size() - 1;
                });
                float v = parseNumber(s);
                numeric &= !Float.isNaN(v);
                numbers[r] = v;
            }
            String[] dict = dictionary.toArray(new String[0]);
            columns[c] = numeric ? new Numbers(numbers, codes, dict) : new Texts(codes, dict);
        }
        return new Table(source, names, columns, rows.size(), 2, lines);
    }

    /** True for a blank cell or one of pandas' default missing-value spellings. */
    static boolean isMissing(String cell) {
        return cell == null || CsvOptions.defaults().isMissing(cell.strip());
    }

    /**
     * The cell as a finite float, or NaN when it is not a plain decimal number (so
     * {@code NaN}, {@code Infinity}, hex and {@code 1f} are not numbers here).
     */
    static float parseNumber(String cell) {
        String s = cell.strip();
        byte[] b = new byte[s.length()];
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch > 0x7f) {
                return Float.NaN;
            }
            b[i] = (byte) ch;
        }
        return FloatParser.parse(b, 0, b.length);
    }

    /** Where the table came from (a file path), for messages. */
    public String source() {
        return source;
    }

    /** The column names, in file order. */
    public List<String> names() {
        return names;
    }

    public int columnCount() {
        return names.size();
    }

    public int rows() {
        return rows;
    }

    /** The index of the column named {@code name}, or -1. */
    public int indexOf(String name) {
        return names.indexOf(name);
    }

    /** The file line that row {@code r} came from (1-based, the header is line 1 for CSV). */
    public long line(int r) {
        Objects.checkIndex(r, rows);
        return lines == null ? firstLine + r : lines[r];
    }

    /** True when column {@code c} holds only numbers (and missing cells). */
    public boolean isNumeric(int c) {
        return columns[c] instanceof Numbers;
    }

    /** The values of numeric column {@code c} (shared, do not modify); NaN marks a missing cell. */
    public float[] numbers(int c) {
        if (!(columns[c] instanceof Numbers n)) {
            throw new IllegalStateException("column '" + names.get(c) + "' is not numeric");
        }
        return n.values();
    }

    /**
     * The distinct cells of text column {@code c}, in order of first appearance (shared, do not
     * modify); {@link #codes} indexes them.
     */
    public List<String> dictionary(int c) {
        return List.of(texts(c).dictionary());
    }

    /** For text column {@code c}: the index into {@link #dictionary} of every row, -1 when missing (shared). */
    public int[] codes(int c) {
        return texts(c).codes();
    }

    private Texts texts(int c) {
        if (!(columns[c] instanceof Texts t)) {
            throw new IllegalStateException("column '" + names.get(c) + "' is not text");
        }
        return t;
    }

    /** True when column {@code c}'s text is kept as written (always for a text column). */
    public boolean keepsWrittenText(int c) {
        return !(columns[c] instanceof Numbers n) || n.writtenCodes() != null;
    }

    /**
     * The cell of row {@code r}, column {@code c} as text, as written in the file (without
     * surrounding spaces; {@code 007} stays {@code 007}) when the table keeps it (see
     * {@link #keepsWrittenText}), else the number written by {@link #formatNumber};
     * {@code null} when missing.
     */
    public String text(int r, int c) {
        Column column = columns[c];
        if (column instanceof Numbers n) {
            if (n.writtenCodes() != null) {
                int k = n.writtenCodes()[r];
                return k < 0 ? null : n.written()[k];
            }
            return Float.isNaN(n.values()[r]) ? null : formatNumber(n.values()[r]);
        }
        Texts t = (Texts) column;
        int k = t.codes()[r];
        return k < 0 ? null : t.dictionary()[k];
    }

    /** A number as text: integers without a decimal point, others as the shortest float text. */
    public static String formatNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Float.toString((float) v);
    }

    /** A table holding rows {@code indices} of this one, in that order. */
    public Table selectRows(int[] indices) {
        Column[] selected = new Column[columns.length];
        for (int c = 0; c < columns.length; c++) {
            selected[c] = columns[c].select(indices);
        }
        long[] selectedLines = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            selectedLines[i] = line(indices[i]);
        }
        return new Table(source, names, selected, indices.length, 0, selectedLines);
    }

    /** The names of all columns except those listed. */
    public List<String> namesExcept(List<String> excluded) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (!excluded.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static int[] pick(int[] values, int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = values[indices[i]];
        }
        return out;
    }

    @Override
    public String toString() {
        return "Table[" + source + ", " + rows() + " rows, columns " + names + "]";
    }

    /** Equal names, lines, numbers and text cells (dictionary order does not matter). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Table t)) {
            return false;
        }
        if (!names.equals(t.names) || rows != t.rows) {
            return false;
        }
        for (int r = 0; r < rows; r++) {
            if (line(r) != t.line(r)) {
                return false;
            }
        }
        for (int c = 0; c < columns.length; c++) {
            if (isNumeric(c) != t.isNumeric(c)) {
                return false;
            }
            if (isNumeric(c) ? !Arrays.equals(numbers(c), t.numbers(c)) : !sameTexts(t, c)) {
                return false;
            }
        }
        return true;
    }

    private boolean sameTexts(Table t, int c) {
        for (int r = 0; r < rows; r++) {
            if (!Objects.equals(text(r, c), t.text(r, c))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, rows);
    }
}

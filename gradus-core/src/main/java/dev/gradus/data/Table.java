package dev.gradus.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A table of named columns as read from a file, before any encoding: each column is either
 * numeric ({@code float}, {@code NaN} for a missing cell) or text (the cells as written,
 * {@code null} for a missing cell).
 *
 * <p>A column is numeric when every non-missing cell is a finite number; otherwise it is text.
 * Each row remembers the line of the file it came from, so later checks can name it.
 */
public final class Table {
    private final String source;
    private final List<String> names;
    private final Object[] columns;   // float[] (numeric) or String[] (text), one entry per column
    private final String[][] written; // for numeric columns read from text: the cells as written, else null
    private final long[] lines;

    Table(String source, List<String> names, Object[] columns, String[][] written, long[] lines) {
        this.source = source;
        this.names = List.copyOf(names);
        this.columns = columns;
        this.written = written;
        this.lines = lines;
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

    /**
     * A table from rows of cells (empty or {@code NA} means missing); lines are numbered as if
     * the header were line 1.
     */
    public static Table of(String source, List<String> names, List<String[]> rows) {
        long[] lines = new long[rows.size()];
        for (int r = 0; r < lines.length; r++) {
            lines[r] = r + 2;
        }
        return fromCells(source, names, rows, lines);
    }

    /**
     * A table of numeric columns, <b>column-major</b>: {@code values[c][r]} is row {@code r} of
     * column {@code c}, so {@code values.length == names.size()}. For rows of values (as a CSV
     * file or {@code Matrix} holds them) use {@link #ofRows}.
     */
    public static Table ofNumbers(String source, List<String> names, float[][] values) {
        if (values.length != names.size()) {
            throw new IllegalArgumentException(names.size() + " names for " + values.length + " columns");
        }
        int rows = values.length == 0 ? 0 : values[0].length;
        long[] lines = new long[rows];
        for (int r = 0; r < rows; r++) {
            lines[r] = r + 1;
        }
        Object[] columns = new Object[values.length];
        for (int c = 0; c < values.length; c++) {
            if (values[c].length != rows) {
                throw new IllegalArgumentException("column " + names.get(c) + " has " + values[c].length
                        + " rows, column " + names.get(0) + " has " + rows);
            }
            columns[c] = values[c];
        }
        return new Table(source, names, columns, new String[values.length][], lines);
    }

    static Table fromCells(String source, List<String> names, List<String[]> rows, long[] lines) {
        Object[] columns = new Object[names.size()];
        String[][] written = new String[names.size()][];
        for (int c = 0; c < names.size(); c++) {
            float[] numbers = new float[rows.size()];
            boolean numeric = true;
            for (int r = 0; r < rows.size() && numeric; r++) {
                String cell = rows.get(r)[c];
                if (isMissing(cell)) {
                    numbers[r] = Float.NaN;
                } else {
                    float v = parseNumber(cell);
                    if (Float.isNaN(v)) {
                        numeric = false;
                    } else {
                        numbers[r] = v;
                    }
                }
            }
            String[] texts = new String[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                String cell = rows.get(r)[c];
                texts[r] = isMissing(cell) ? null : cell.strip();
            }
            if (numeric) {
                columns[c] = numbers;
                written[c] = texts;
            } else {
                columns[c] = texts;
            }
        }
        return new Table(source, names, columns, written, lines);
    }

    /** True for an empty cell or {@code NA} (any case). */
    static boolean isMissing(String cell) {
        if (cell == null) {
            return true;
        }
        String s = cell.strip();
        return s.isEmpty() || s.equalsIgnoreCase("NA");
    }

    /**
     * The cell as a finite float, or NaN when it is not a plain decimal number (so
     * {@code NaN}, {@code Infinity}, hex and {@code 1f} are not numbers here).
     */
    static float parseNumber(String cell) {
        String s = cell.strip();
        if (s.isEmpty()) {
            return Float.NaN;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!((ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '+' || ch == 'e' || ch == 'E')) {
                return Float.NaN;
            }
        }
        try {
            float v = Float.parseFloat(s);
            return Float.isFinite(v) ? v : Float.NaN;
        } catch (NumberFormatException e) {
            return Float.NaN;
        }
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
        return lines.length;
    }

    /** The index of the column named {@code name}, or -1. */
    public int indexOf(String name) {
        return names.indexOf(name);
    }

    /** The file line that row {@code r} came from (1-based, the header is line 1 for CSV). */
    public long line(int r) {
        return lines[r];
    }

    /** True when column {@code c} holds only numbers (and missing cells). */
    public boolean isNumeric(int c) {
        return columns[c] instanceof float[];
    }

    /** The values of numeric column {@code c} (shared, do not modify); NaN marks a missing cell. */
    public float[] numbers(int c) {
        if (!(columns[c] instanceof float[] values)) {
            throw new IllegalStateException("column '" + names.get(c) + "' is not numeric");
        }
        return values;
    }

    /**
     * The cell of row {@code r}, column {@code c} as text, as written in the file (without
     * surrounding spaces; {@code 007} stays {@code 007}); {@code null} when missing. Numbers that
     * came from a binary file (IDX) are written by {@link #formatNumber}.
     */
    public String text(int r, int c) {
        if (columns[c] instanceof float[] values) {
            if (written[c] != null) {
                return written[c][r];
            }
            return Float.isNaN(values[r]) ? null : formatNumber(values[r]);
        }
        return ((String[]) columns[c])[r];
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
        Object[] selected = new Object[columns.length];
        String[][] selectedWritten = new String[columns.length][];
        for (int c = 0; c < columns.length; c++) {
            if (written[c] != null) {
                selectedWritten[c] = new String[indices.length];
                for (int i = 0; i < indices.length; i++) {
                    selectedWritten[c][i] = written[c][indices[i]];
                }
            }
            if (columns[c] instanceof float[] values) {
                float[] out = new float[indices.length];
                for (int i = 0; i < indices.length; i++) {
                    out[i] = values[indices[i]];
                }
                selected[c] = out;
            } else {
                String[] values = (String[]) columns[c];
                String[] out = new String[indices.length];
                for (int i = 0; i < indices.length; i++) {
                    out[i] = values[indices[i]];
                }
                selected[c] = out;
            }
        }
        long[] selectedLines = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            selectedLines[i] = lines[indices[i]];
        }
        return new Table(source, names, selected, selectedWritten, selectedLines);
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

    @Override
    public String toString() {
        return "Table[" + source + ", " + rows() + " rows, columns " + names + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Table t)) {
            return false;
        }
        if (!names.equals(t.names) || !Arrays.equals(lines, t.lines)) {
            return false;
        }
        for (int c = 0; c < columns.length; c++) {
            boolean same = columns[c] instanceof float[] a && t.columns[c] instanceof float[] b
                    ? Arrays.equals(a, b)
                    : columns[c] instanceof String[] a2 && t.columns[c] instanceof String[] b2 && Arrays.equals(a2, b2);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, Arrays.hashCode(lines));
    }
}

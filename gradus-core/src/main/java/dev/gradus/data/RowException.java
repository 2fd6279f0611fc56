package dev.gradus.data;

/**
 * One row given to a model cannot be encoded: a feature column is absent, a cell is missing
 * (and the model imputes nothing), not a number, or an unknown category. It names the row (0-based,
 * in the order the rows were given) and the column.
 */
public final class RowException extends IllegalArgumentException {
    private final int row;
    private final String column;

    /** A problem with {@code column} of row {@code row}; {@code problem} says what is wrong. */
    public RowException(int row, String column, String problem) {
        super("row " + row + ", column '" + column + "': " + problem);
        this.row = row;
        this.column = column;
    }

    /** The row at fault, 0-based. */
    public int row() {
        return row;
    }

    /** The column at fault. */
    public String column() {
        return column;
    }
}

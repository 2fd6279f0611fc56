package dev.gradus.tensor;

import java.util.Arrays;

/**
 * A dense float32 matrix, row-major, stored in a {@code float[]} from an offset.
 *
 * <p>A matrix may be a view into a larger array (a layer's {@code Wᵐ} inside the flat
 * {@link Parameters}); writes through a view change the array it looks into. Element
 * {@code (i, j)} lives at {@code data()[offset() + i * cols() + j]}.
 *
 * <pre>{@code
 * Matrix x = Matrix.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}}); // 4×2
 * float v = x.get(3, 1);                                                   // 1.0f
 * }</pre>
 */
public final class Matrix {
    private final int rows;
    private final int cols;
    private final float[] data;
    private final int offset;

    private Matrix(int rows, int cols, float[] data, int offset) {
        checkShape(rows, cols);
        if (offset < 0 || (long) offset + (long) rows * cols > data.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix at offset " + offset
                    + " does not fit in an array of " + data.length + " floats");
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.offset = offset;
    }

    /** A new matrix of zeros. */
    public static Matrix zeros(int rows, int cols) {
        checkShape(rows, cols);
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix has " + (long) rows * cols
                    + " elements; at most " + (Integer.MAX_VALUE - 8) + " fit in one array");
        }
        return new Matrix(rows, cols, new float[rows * cols], 0);
    }

    private static void checkShape(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative, got " + rows + "x" + cols);
        }
    }

    /** Wraps {@code data} (row-major, length {@code rows·cols}) without copying. */
    public static Matrix wrap(int rows, int cols, float[] data) {
        checkShape(rows, cols);
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix needs " + (long) rows * cols
                    + " floats, got " + data.length);
        }
        return new Matrix(rows, cols, data, 0);
    }

    /** A view of {@code rows·cols} floats of {@code data} starting at {@code offset}. */
    public static Matrix view(int rows, int cols, float[] data, int offset) {
        return new Matrix(rows, cols, data, offset);
    }

    /** A copy of a rectangular array of doubles, rounded to float. */
    public static Matrix of(double[][] values) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        Matrix m = zeros(rows, cols);
        for (int i = 0; i < rows; i++) {
            if (values[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + values[i].length
                        + " values, row 0 has " + cols);
            }
            for (int j = 0; j < cols; j++) {
                m.data[i * cols + j] = (float) values[i][j];
            }
        }
        return m;
    }

    /** A one-row matrix holding a copy of {@code values}. */
    public static Matrix row(float... values) {
        return wrap(1, values.length, values.clone());
    }

    /** The number of rows. */
    public int rows() {
        return rows;
    }

    /** The number of columns. */
    public int cols() {
        return cols;
    }

    /** The backing array; element {@code (i, j)} is at {@code offset() + i * cols() + j}. */
    public float[] data() {
        return data;
    }

    /** Where element {@code (0, 0)} lives in {@link #data()}. */
    public int offset() {
        return offset;
    }

    /** Element {@code (i, j)}, row {@code i} and column {@code j} counted from 0. */
    public float get(int i, int j) {
        return data[index(i, j)];
    }

    /** Writes element {@code (i, j)} (the backing array, shared with views). */
    public void set(int i, int j, float value) {
        data[index(i, j)] = value;
    }

    /** A copy of row {@code i}. */
    public float[] rowCopy(int i) {
        checkRow(i);
        return Arrays.copyOfRange(data, offset + i * cols, offset + (i + 1) * cols);
    }

    /** A new matrix holding the rows {@code indices} of this one, in that order. */
    public Matrix selectRows(int[] indices) {
        Matrix out = zeros(indices.length, cols);
        for (int r = 0; r < indices.length; r++) {
            checkRow(indices[r]);
            System.arraycopy(data, offset + indices[r] * cols, out.data, r * cols, cols);
        }
        return out;
    }

    /**
     * This matrix when it already fills its whole array from offset 0, else a contiguous copy:
     * for readers that index {@code data()} directly and never write to it (a training set of a
     * million rows is not copied).
     */
    public Matrix contiguous() {
        return offset == 0 && data.length == rows * cols ? this : copy();
    }

    /** A contiguous copy that owns its array. */
    public Matrix copy() {
        return new Matrix(rows, cols, Arrays.copyOfRange(data, offset, offset + rows * cols), 0);
    }

    /** The values as a rectangular array of doubles. */
    public double[][] toDoubles() {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i][j] = data[offset + i * cols + j];
            }
        }
        return out;
    }

    private int index(int i, int j) {
        checkRow(i);
        if (j < 0 || j >= cols) {
            throw new IndexOutOfBoundsException("column " + j + " outside a " + rows + "x" + cols + " matrix");
        }
        return offset + i * cols + j;
    }

    private void checkRow(int i) {
        if (i < 0 || i >= rows) {
            throw new IndexOutOfBoundsException("row " + i + " outside a " + rows + "x" + cols + " matrix");
        }
    }

    @Override
    public String toString() {
        return "Matrix[" + rows + "x" + cols + "]";
    }
}

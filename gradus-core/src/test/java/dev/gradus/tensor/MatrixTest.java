package dev.gradus.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MatrixTest {

    @Test
    void ofCopiesRowMajorAndRoundsToFloat() {
        double[][] values = {{1, 2, 3}, {4, 5, 0.1}};
        Matrix m = Matrix.of(values);
        assertEquals(2, m.rows());
        assertEquals(3, m.cols());
        assertEquals(0, m.offset());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 0.1f}, m.data());
        assertEquals(0.1f, m.get(1, 2));
        values[0][0] = 9;
        assertEquals(1f, m.get(0, 0));
        assertArrayEquals(new double[] {4, 5, 0.1f}, m.toDoubles()[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Matrix.of(new double[][] {{1, 2}, {3}}));
        assertEquals("row 1 has 1 values, row 0 has 2", e.getMessage());
    }

    @Test
    void viewsReadAndWriteTheSharedArray() {
        float[] data = {0, 1, 2, 3, 4, 5, 6, 7};
        Matrix v = Matrix.view(2, 3, data, 1);   // rows (1, 2, 3), (4, 5, 6)
        assertEquals(6f, v.get(1, 2));
        v.set(0, 0, 10f);
        assertEquals(10f, data[1]);
        assertSame(data, v.data());
        assertArrayEquals(new float[] {4, 5, 6}, v.rowCopy(1));
        Matrix copy = v.copy();
        assertEquals(0, copy.offset());
        copy.set(0, 1, 20f);
        assertEquals(2f, data[2]);
        Matrix picked = v.selectRows(new int[] {1, 1, 0});
        assertArrayEquals(new float[] {4, 5, 6, 4, 5, 6, 10, 2, 3}, picked.data());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Matrix.view(2, 4, data, 1));
        assertEquals("a 2x4 matrix at offset 1 does not fit in an array of 8 floats", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Matrix.wrap(3, 3, data));
        assertEquals("a 3x3 matrix needs 9 floats, got 8", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Matrix.zeros(-1, 2));
        assertEquals("matrix shape must be non-negative, got -1x2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Matrix.zeros(2, -3));
        assertEquals("matrix shape must be non-negative, got 2x-3", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Matrix.zeros(100000, 100000));
        assertEquals("a 100000x100000 matrix has 10000000000 elements; at most 2147483639 fit in one array",
                e.getMessage());
        assertEquals(0, Matrix.zeros(0, 5).data().length);
    }

    @Test
    void indicesAreChecked() {
        Matrix m = Matrix.zeros(2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> m.get(2, 0));
        assertEquals("row 2 outside a 2x3 matrix", e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> m.set(0, 3, 1f));
        assertEquals("column 3 outside a 2x3 matrix", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> m.selectRows(new int[] {0, -1}));
        // A column index past the end must not read the next row.
        assertThrows(IndexOutOfBoundsException.class, () -> m.get(0, 3));
    }

    @Test
    void rowWrapsACopy() {
        float[] values = {1, 2};
        Matrix r = Matrix.row(values);
        values[0] = 5;
        assertEquals(1, r.rows());
        assertEquals(1f, r.get(0, 0));
        assertEquals("Matrix[1x2]", r.toString());
    }
}

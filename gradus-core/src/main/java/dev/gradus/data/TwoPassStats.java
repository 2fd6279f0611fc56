package dev.gradus.data;

import java.util.Arrays;

/**
 * {@link ColumnStats#of(float[])} of every column of rows that arrive in pieces (row-major,
 * {@code columns} wide), bit for bit: a first pass over all rows adds up the sums, counts,
 * minima and maxima, a second pass over the same rows in the same order the squared deviations
 * from the means. Used where the rows do not fit in memory at once (a disk cache of encoded rows).
 *
 * <pre>{@code
 * TwoPassStats s = new TwoPassStats(3);
 * for (float[] piece : pieces) s.first(piece, 0, piece.length / 3);
 * for (float[] piece : pieces) s.second(piece, 0, piece.length / 3);
 * ColumnStats c0 = s.column(0);   // equals ColumnStats.of(column 0 of all rows)
 * }</pre>
 */
public final class TwoPassStats {
    private final int columns;
    private final long[] count;
    private long rows;
    private final double[] sum;
    private final double[] min;
    private final double[] max;
    private double[] mean;
    private final double[] m2;

    /** Statistics of {@code columns} columns. */
    public TwoPassStats(int columns) {
        this.columns = columns;
        this.count = new long[columns];
        this.sum = new double[columns];
        this.min = new double[columns];
        this.max = new double[columns];
        this.m2 = new double[columns];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    /** First pass: {@code n} rows of {@code data} starting at {@code offset}, {@code stride} values apart. */
    public void first(float[] data, int offset, int n, int stride) {
        if (mean != null) {
            throw new IllegalStateException("the second pass has begun");
        }
        rows += n;
        for (int i = 0; i < n; i++) {
            int at = offset + i * stride;
            for (int j = 0; j < columns; j++) {
                float v = data[at + j];
                if (!Float.isNaN(v)) {
                    count[j]++;
                    sum[j] += v;
                    min[j] = Math.min(min[j], v);
                    max[j] = Math.max(max[j], v);
                }
            }
        }
    }

    /** Second pass: the same rows, in the same order, as the first. */
    public void second(float[] data, int offset, int n, int stride) {
        if (mean == null) {
            mean = new double[columns];
            for (int j = 0; j < columns; j++) {
                mean[j] = count[j] == 0 ? 0 : sum[j] / count[j];
            }
        }
        for (int i = 0; i < n; i++) {
            int at = offset + i * stride;
            for (int j = 0; j < columns; j++) {
                float v = data[at + j];
                if (!Float.isNaN(v)) {
                    double d = v - mean[j];
                    m2[j] += d * d;
                }
            }
        }
    }

    /** Column {@code j}'s statistics after both passes. */
    public ColumnStats column(int j) {
        if (mean == null) {
            second(new float[0], 0, 0, 0);
        }
        return new ColumnStats(count[j], rows - count[j], mean[j], m2[j], min[j], max[j], java.util.Map.of());
    }
}

package dev.gradus.data;

import java.util.Arrays;

/**
 * A fitted per-column affine map {@code x' = (x − shift) / scale}.
 *
 * @param shift per column: the mean (standard), the minimum (minmax) or 0
 * @param scale per column: the std (standard), {@code max − min} (minmax) or 1; never 0
 */
public record Scaler(float[] shift, float[] scale) {

    public Scaler {
        if (shift.length != scale.length) {
            throw new IllegalArgumentException("scaler has " + shift.length + " shifts but " + scale.length + " scales");
        }
        for (int j = 0; j < scale.length; j++) {
            if (!(scale[j] > 0) || !Float.isFinite(scale[j]) || !Float.isFinite(shift[j])) {
                throw new IllegalArgumentException("scaler column " + j + ": shift " + shift[j] + ", scale " + scale[j]
                        + " (scale must be positive and finite)");
            }
        }
        shift = shift.clone();
        scale = scale.clone();
    }

    /** The map that changes nothing, for {@code cols} columns. */
    public static Scaler identity(int cols) {
        float[] ones = new float[cols];
        Arrays.fill(ones, 1f);
        return new Scaler(new float[cols], ones);
    }

    /** A column whose values cannot be scaled in float32 (their spread overflows). */
    public static final class ColumnException extends IllegalArgumentException {
        private final int column;

        ColumnException(int column, String message) {
            super(message);
            this.column = column;
        }

        /** The column index. */
        public int column() {
            return column;
        }
    }

    /**
     * Fits {@code kind} to the columns of {@code data} ({@code rows × cols}, row-major). Columns
     * with {@code fixed[j]} set (one-hot columns) keep shift 0 and scale 1. Sums run in double.
     *
     * @throws ColumnException when a column's standard deviation or range overflows float32
     */
    public static Scaler fit(Scaling kind, float[] data, int rows, int cols, boolean[] fixed) {
        ColumnStats[] stats = new ColumnStats[cols];
        if (kind != Scaling.NONE && rows > 0) {
            float[] column = new float[rows];
            for (int j = 0; j < cols; j++) {
                if (fixed != null && fixed[j]) {
                    continue;
                }
                for (int i = 0; i < rows; i++) {
                    column[i] = data[i * cols + j];
                }
                stats[j] = ColumnStats.of(column);
            }
        }
        return fit(kind, stats);
    }

    /**
     * Fits {@code kind} to columns summarised by {@code stats}; a {@code null} entry (a one-hot
     * column) keeps shift 0 and scale 1. Standard: shift = mean, scale = population standard
     * deviation (1 when it is 0); minmax: shift = min, scale = max − min (1 when 0).
     *
     * @throws ColumnException when a column's standard deviation or range overflows float32
     */
    public static Scaler fit(Scaling kind, ColumnStats[] stats) {
        int cols = stats.length;
        if (kind == Scaling.NONE) {
            return identity(cols);
        }
        float[] shift = new float[cols];
        float[] scale = new float[cols];
        for (int j = 0; j < cols; j++) {
            scale[j] = 1f;
            ColumnStats c = stats[j];
            if (c == null || c.count() == 0) {
                continue;
            }
            if (kind == Scaling.STANDARD) {
                double std = c.std();
                shift[j] = (float) c.mean();
                scale[j] = std > 0 && (float) std > 0 ? (float) std : 1f;
            } else {
                shift[j] = (float) c.min();
                double range = c.max() - c.min();
                scale[j] = range > 0 ? (float) range : 1f;
            }
        }
        for (int j = 0; j < cols; j++) {
            if (!Float.isFinite(scale[j]) || !Float.isFinite(shift[j])) {
                throw new ColumnException(j, "its values (spread " + scale[j] + ") are too large to scale in float32; "
                        + "rescale the column or turn scaling off");
            }
        }
        return new Scaler(shift, scale);
    }

    /** The number of columns. */
    public int columns() {
        return shift.length;
    }

    /** True when this scaler changes nothing. */
    public boolean isIdentity() {
        for (int j = 0; j < shift.length; j++) {
            if (shift[j] != 0f || scale[j] != 1f) {
                return false;
            }
        }
        return true;
    }

    /** {@code x ← (x − shift) / scale}, in place, for {@code rows} rows. */
    public void apply(float[] data, int rows) {
        int cols = shift.length;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[i * cols + j] = (data[i * cols + j] - shift[j]) / scale[j];
            }
        }
    }

    /** {@code x ← x · scale + shift}, in place, for {@code rows} rows. */
    public void invert(float[] data, int rows) {
        int cols = shift.length;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[i * cols + j] = data[i * cols + j] * scale[j] + shift[j];
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scaler s && Arrays.equals(shift, s.shift) && Arrays.equals(scale, s.scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shift) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "Scaler[shift=" + Arrays.toString(shift) + ", scale=" + Arrays.toString(scale) + "]";
    }
}

package dev.gradus.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Regression scores per target column, in original units.
 *
 * <p>{@code RMSE = √((1/N) Σ (ŷ − y)²)}, {@code MAE = (1/N) Σ |ŷ − y|},
 * {@code R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)²}. Means over targets are plain means. With row weights
 * {@code wᵢ} (scikit-learn's {@code sample_weight}) every sum is weighted and {@code 1/N} is
 * {@code 1/Σ wᵢ}; {@code ȳ} is the weighted mean.
 */
public record RegressionMetrics(List<String> targets, double[] rmse, double[] mae, double[] r2) {

    /**
     * Scores {@code predicted} against {@code actual}, both {@code N × targets} row-major.
     * When every actual value of a target is equal its R² is 1 for exact predictions and 0
     * otherwise (scikit-learn's convention).
     */
    public static RegressionMetrics of(List<String> targets, float[] actual, float[] predicted, int rows) {
        return of(targets, actual, predicted, rows, null);
    }

    /**
     * As {@link #of(List, float[], float[], int)} with row {@code i} counted {@code weights[i]}
     * times ({@code null}: unweighted, the same numbers as without it).
     *
     * @throws IllegalArgumentException for a negative or non-finite weight, or weights that add
     *     up to 0
     */
    public static RegressionMetrics of(List<String> targets, float[] actual, float[] predicted, int rows,
                                       double[] weights) {
        int k = targets.size();
        if (actual.length < rows * k || predicted.length < rows * k || (weights != null && weights.length != rows)) {
            throw new IllegalArgumentException("expected " + rows + "x" + k + " values"
                    + (weights == null ? "" : " and " + rows + " weights"));
        }
        Tally tally = new Tally(targets, weights != null);
        tally.add(actual, predicted, 0, rows, weights);
        return tally.metrics();
    }

    /**
     * The scores of rows added a chunk at a time, so that a file too large to hold can be
     * scored: the same numbers, bit for bit, as {@link #of} on all rows in the order added. The
     * scores need two passes (the mean of the actual values first), so it keeps each row's
     * actual and predicted values as float32 (and its weight): {@code 8 × targets} bytes a row
     * (8 more weighted).
     */
    public static final class Tally implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private static final int SHIFT = 16;
        private static final int BLOCK = 1 << SHIFT;

        private final List<String> targets;
        private final int k;
        private final boolean weighted;
        private float[][] actual = new float[0][];
        private float[][] predicted = new float[0][];
        private double[][] weights = new double[0][];
        private long rows;

        /**
         * An empty tally.
         *
         * @param targets the target columns' names
         * @param weighted whether rows come with weights
         */
        public Tally(List<String> targets, boolean weighted) {
            this.targets = List.copyOf(targets);
            this.k = targets.size();
            this.weighted = weighted;
        }

        /**
         * Adds {@code rows} rows: {@code actual} and {@code predicted} row-major {@code rows × targets}
         * from {@code offset} rows in, and their weights from row 0 of {@code rowWeights} (null
         * when unweighted).
         *
         * @throws IllegalArgumentException for a negative or non-finite weight, naming the row
         */
        public void add(float[] actual, float[] predicted, int offset, int rows, double[] rowWeights) {
            if (weighted != (rowWeights != null)) {
                throw new IllegalArgumentException(weighted ? "this tally needs row weights" : "this tally is unweighted");
            }
            for (int i = 0; i < rows; i++) {
                long r = this.rows;
                int block = (int) (r >>> SHIFT);
                int at = (int) (r & (BLOCK - 1));
                if (at == 0) {
                    this.actual = Arrays.copyOf(this.actual, block + 1);
                    this.actual[block] = new float[BLOCK * k];
                    this.predicted = Arrays.copyOf(this.predicted, block + 1);
                    this.predicted[block] = new float[BLOCK * k];
                    if (weighted) {
                        weights = Arrays.copyOf(weights, block + 1);
                        weights[block] = new double[BLOCK];
                    }
                }
                if (weighted) {
                    double w = rowWeights[i];
                    if (!(w >= 0) || Double.isInfinite(w)) {
                        throw new IllegalArgumentException("row " + r + " has weight " + w
                                + "; a row weight must be finite and at least 0");
                    }
                    weights[block][at] = w;
                }
                System.arraycopy(actual, (offset + i) * k, this.actual[block], at * k, k);
                System.arraycopy(predicted, (offset + i) * k, this.predicted[block], at * k, k);
                this.rows++;
            }
        }

        /** The number of rows added. */
        public long rows() {
            return rows;
        }

        /**
         * Adds the rows of {@code later}, a tally of the same targets, after this one's: the
         * tally of both runs of rows in that order, the same as adding the rows one by one.
         *
         * @throws IllegalArgumentException when the targets or weighting differ
         */
        public void addAll(Tally later) {
            if (!targets.equals(later.targets) || weighted != later.weighted) {
                throw new IllegalArgumentException("cannot add a tally of " + later.targets + " to one of " + targets);
            }
            int n = Math.toIntExact(later.rows);
            double[] w = null;
            if (weighted) {
                w = new double[n];
                for (int i = 0; i < n; i++) {
                    w[i] = later.weight(i);
                }
            }
            add(later.actual(), later.predicted(), 0, n, w);
        }

        /**
         * The scores of the rows added.
         *
         * @throws IllegalArgumentException when weighted and the weights add up to 0
         */
        public RegressionMetrics metrics() {
            double weightSum = 0;
            if (weighted) {
                for (long i = 0; i < rows; i++) {
                    weightSum += weight(i);
                }
                if (!(weightSum > 0)) {
                    throw new IllegalArgumentException("the row weights add up to 0; nothing to score");
                }
            }
            double[] rmse = new double[k];
            double[] mae = new double[k];
            double[] r2 = new double[k];
            double count = weighted ? weightSum : rows;
            for (int t = 0; t < k; t++) {
                double mean = 0;
                for (long i = 0; i < rows; i++) {
                    mean += weighted ? weight(i) * value(actual, i, t) : value(actual, i, t);
                }
                mean /= count;
                double squares = 0;
                double absolute = 0;
                double total = 0;
                for (long i = 0; i < rows; i++) {
                    double y = value(actual, i, t);
                    double r = value(predicted, i, t) - y;
                    double w = weighted ? weight(i) : 1;
                    squares += weighted ? w * r * r : r * r;
                    absolute += weighted ? w * Math.abs(r) : Math.abs(r);
                    total += weighted ? w * (y - mean) * (y - mean) : (y - mean) * (y - mean);
                }
                rmse[t] = Math.sqrt(squares / count);
                mae[t] = absolute / count;
                r2[t] = total == 0 ? (squares == 0 ? 1 : 0) : 1 - squares / total;
            }
            return new RegressionMetrics(targets, rmse, mae, r2);
        }

        /** The actual values of the rows added, row-major {@code rows × targets} (for a plot of predicted against actual). */
        public float[] actual() {
            return values(actual);
        }

        /** The predicted values of the rows added, row-major {@code rows × targets}. */
        public float[] predicted() {
            return values(predicted);
        }

        private float[] values(float[][] blocks) {
            float[] out = new float[Math.multiplyExact(Math.toIntExact(rows), k)];
            for (int b = 0, at = 0; at < out.length; b++) {
                int n = Math.min(blocks[b].length, out.length - at);
                System.arraycopy(blocks[b], 0, out, at, n);
                at += n;
            }
            return out;
        }

        private float value(float[][] values, long row, int t) {
            return values[(int) (row >>> SHIFT)][(int) (row & (BLOCK - 1)) * k + t];
        }

        private double weight(long row) {
            return weights[(int) (row >>> SHIFT)][(int) (row & (BLOCK - 1))];
        }
    }

    /** The mean over targets of each target's RMSE. */
    public double rmseMean() {
        return Arrays.stream(rmse).average().orElse(Double.NaN);
    }

    /** The mean over targets of each target's MAE. */
    public double maeMean() {
        return Arrays.stream(mae).average().orElse(Double.NaN);
    }

    /** The mean over targets of each target's R² (scikit-learn's {@code multioutput="uniform_average"}). */
    public double r2Mean() {
        return Arrays.stream(r2).average().orElse(Double.NaN);
    }

    /** Each score per target, e.g. {@code RegressionMetrics[y: rmse=0.5, mae=0.4, r2=0.9]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RegressionMetrics[");
        for (int t = 0; t < targets.size(); t++) {
            s.append(t == 0 ? "" : "; ").append(targets.get(t)).append(": rmse=").append(rmse[t]).append(", mae=")
                    .append(mae[t]).append(", r2=").append(r2[t]);
        }
        return s.append(']').toString();
    }
}

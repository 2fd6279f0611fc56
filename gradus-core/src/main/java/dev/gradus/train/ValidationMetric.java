package dev.gradus.train;

/**
 * A score of predictions on the validation rows, recorded per epoch in the {@link History} and
 * usable as the early-stopping monitor.
 *
 * <pre>{@code
 * ValidationMetric accuracy = ValidationMetric.ACCURACY;
 * TrainingOptions options = TrainingOptions.plain()
 *         .withMetrics(List.of(accuracy)).withMonitor("accuracy").withPatience(5);
 * }</pre>
 */
public interface ValidationMetric {

    /**
     * The share of rows whose predicted class is the target's: the arg-max of the row for
     * several outputs, {@code ŷ ≥ 0.5} against {@code y ≥ 0.5} for one output.
     */
    ValidationMetric ACCURACY = new ValidationMetric() {
        @Override public String name() { return "accuracy"; }
        @Override public boolean higherIsBetter() { return true; }
        @Override public double evaluate(float[] yhat, float[] y, int rows, int cols) {
            int right = 0;
            for (int i = 0; i < rows; i++) {
                right += correct(yhat, y, i, cols) ? 1 : 0;
            }
            return (double) right / rows;
        }
        /** {@code Σᵢ wᵢ [row i is right] / Σᵢ wᵢ}. */
        @Override public double evaluate(float[] yhat, float[] y, float[] weights, int rows, int cols) {
            double right = 0;
            double total = 0;
            for (int i = 0; i < rows; i++) {
                right += correct(yhat, y, i, cols) ? weights[i] : 0;
                total += weights[i];
            }
            return right / total;
        }
        @Override public boolean perRow() { return true; }
        @Override public double rowScore(float[] yhat, int yhatOff, float[] y, int yOff, int cols) {
            return correct(yhat, yhatOff, y, yOff, cols) ? 1 : 0;
        }
        private boolean correct(float[] yhat, float[] y, int i, int cols) {
            return correct(yhat, i * cols, y, i * cols, cols);
        }
        private boolean correct(float[] yhat, int yhatOff, float[] y, int yOff, int cols) {
            return cols == 1 ? (yhat[yhatOff] >= 0.5f) == (y[yOff] >= 0.5f)
                    : argMax(yhat, yhatOff, cols) == argMax(y, yOff, cols);
        }
        @Override public String toString() { return name(); }
    };

    /** The key in {@link EpochStats#validationMetrics()} and the name for {@code monitor}. */
    String name();

    /** True for scores (accuracy), false for losses and errors. */
    boolean higherIsBetter();

    /** The score of {@code yhat} against {@code y}, both {@code rows × cols} row-major from 0. */
    double evaluate(float[] yhat, float[] y, int rows, int cols);

    /**
     * The score with row weights {@code weights} (one per row, at least 0, not all 0), where a
     * row of weight {@code w} counts as {@code w} rows. A metric that does not override it
     * cannot take weights.
     *
     * @throws UnsupportedOperationException naming the metric when it does not take weights
     */
    default double evaluate(float[] yhat, float[] y, float[] weights, int rows, int cols) {
        throw new UnsupportedOperationException("validation metric " + name() + " does not take row weights");
    }

    /**
     * Whether the score is a weighted mean of per-row scores, {@code Σᵢ wᵢ sᵢ / Σᵢ wᵢ} with
     * {@code sᵢ = }{@link #rowScore} (every {@code wᵢ = 1} for unweighted rows), adding up in
     * row order to the bits of {@link #evaluate}: then rows held in several places (Spark's
     * executors) are scored part by part ({@link ValidationRows.Sums}). Accuracy is.
     */
    default boolean perRow() {
        return false;
    }

    /**
     * The score {@code sᵢ} of one row: the {@code cols} predictions of {@code yhat} from
     * {@code yhatOff} against the targets of {@code y} from {@code yOff}, for a
     * {@link #perRow()} metric.
     *
     * @throws UnsupportedOperationException naming the metric when it is not a mean over rows
     */
    default double rowScore(float[] yhat, int yhatOff, float[] y, int yOff, int cols) {
        throw new UnsupportedOperationException("validation metric " + name() + " is not a mean of per-row scores");
    }

    /**
     * A running score for rows that arrive a chunk at a time (validation rows read from a disk
     * cache), equal to {@link #evaluate} on all of them when the chunks come in row order; or
     * {@code null} when the metric needs every prediction at once. The default adds up a
     * {@link #perRow()} metric's {@link #rowScore}s in row order, {@code Σᵢ wᵢ sᵢ / Σᵢ wᵢ} or
     * {@code Σᵢ sᵢ / rows}, and is {@code null} for any other metric.
     */
    default Tally tally() {
        if (!perRow()) {
            return null;
        }
        return new Tally() {
            private double scores;    // Σᵢ sᵢ, or Σᵢ wᵢ sᵢ
            private double weights;   // Σᵢ wᵢ
            private long rows;
            private boolean weighted;

            @Override public void add(float[] yhat, float[] y, float[] w, int n, int cols) {
                weighted |= w != null;
                for (int i = 0; i < n; i++) {
                    double s = rowScore(yhat, i * cols, y, i * cols, cols);
                    if (w == null) {
                        scores += s;
                    } else {
                        scores += w[i] * s;
                        weights += w[i];
                    }
                }
                rows += n;
            }

            @Override public double value() {
                return weighted ? scores / weights : scores / rows;
            }
        };
    }

    /** The state of one metric over the chunks of rows added so far. */
    interface Tally {
        /**
         * Adds {@code n} rows: {@code yhat} and {@code y} ({@code n × cols} from index 0) and their
         * weights ({@code null}: unweighted; a tally takes weighted or unweighted chunks, not both).
         */
        void add(float[] yhat, float[] y, float[] weights, int n, int cols);

        /** The score of every row added. */
        double value();
    }

    /** The index of the first largest value of one row. */
    static int argMax(float[] v, int off, int cols) {
        int best = 0;
        for (int j = 1; j < cols; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }
}

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
                int off = i * cols;
                if (cols == 1) {
                    right += (yhat[off] >= 0.5f) == (y[off] >= 0.5f) ? 1 : 0;
                } else {
                    right += argMax(yhat, off, cols) == argMax(y, off, cols) ? 1 : 0;
                }
            }
            return (double) right / rows;
        }
        @Override public String toString() { return name(); }
    };

    /** The key in {@link EpochStats#validationMetrics()} and the name for {@code monitor}. */
    String name();

    /** True for scores (accuracy), false for losses and errors. */
    boolean higherIsBetter();

    /** The score of {@code yhat} against {@code y}, both {@code rows × cols} row-major from 0. */
    double evaluate(float[] yhat, float[] y, int rows, int cols);

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

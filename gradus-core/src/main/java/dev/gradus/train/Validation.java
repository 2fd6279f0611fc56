package dev.gradus.train;

import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.tensor.Matrix;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation rows and how they are scored after each epoch: the loss as a row-weighted mean of
 * chunk losses, then each {@link ValidationMetric} on all predictions. {@link Trainer} scores
 * through this one class whatever its {@link GradientSource} (local rows or Spark partitions),
 * so their histories agree.
 *
 * <p>Rows with weights {@code wᵢ} (sample and class weights) are scored by the weighted loss
 * {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} and weighted metrics, so early stopping watches what training
 * minimises.
 */
final class Validation {
    private final float[] x;
    private final float[] y;
    private final float[] weights;   // wᵢ per row; null: every wᵢ = 1
    private final float[] chunkWeights;
    private final float[] yhat;
    private final int rows;
    private final int cols;

    /** Copies of the validation features {@code x} and targets {@code y}. */
    Validation(Matrix x, Matrix y) {
        this(x, y, null);
    }

    /**
     * Copies of the validation features {@code x}, targets {@code y} and row weights
     * {@code weights} ({@code null}: unweighted).
     *
     * @throws IllegalArgumentException when the row counts differ, or naming the first row whose
     *     weight is negative or not finite, or when every weight is 0
     */
    Validation(Matrix x, Matrix y, float[] weights) {
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException("validation x has " + x.rows() + " rows but y has " + y.rows());
        }
        this.x = x.copy().data();
        this.y = y.copy().data();
        this.rows = x.rows();
        this.cols = y.cols();
        this.yhat = new float[rows * cols];
        this.weights = weights == null ? null : LocalRows.checkWeights(weights, rows).clone();
        this.chunkWeights = weights == null ? null : new float[Math.min(rows, BlockedPass.BLOCK_ROWS)];
    }

    /** The number of validation rows. */
    int rows() {
        return rows;
    }

    /** The width of a feature row. */
    int inputs() {
        return rows == 0 ? 0 : x.length / rows;
    }

    /** The width of a target row. */
    int outputs() {
        return cols;
    }

    /**
     * SHA-256 over the shapes and float bits of the rows, and of their weights when they have
     * any, in hex (for checkpoints).
     */
    String sha256() {
        String sha = Trainer.sha256(Matrix.wrap(rows, x.length / Math.max(rows, 1), x), Matrix.wrap(rows, cols, y));
        return weights == null ? sha : sha + " weights " + Trainer.sha256(Matrix.wrap(rows, 1, weights),
                Matrix.zeros(0, 0));
    }

    /**
     * The loss over all validation rows (weighted when they have weights), forwarded in chunks
     * of the workspace's capacity, and keeps the predictions for {@link #metrics}.
     */
    double evaluate(Network network, Workspace w, Loss loss) {
        int in = network.inputs();
        double sum = 0;
        double total = 0;
        for (int start = 0; start < rows; start += w.capacity()) {
            int n = Math.min(w.capacity(), rows - start);
            network.forward(x, start * in, n, w);
            float[] chunk = null;
            if (weights != null) {
                chunk = n <= chunkWeights.length ? chunkWeights : new float[n];
                System.arraycopy(weights, start, chunk, 0, n);
            }
            double chunkWeight = Loss.weightSum(chunk, n);   // n for unweighted rows
            sum += loss.value(w, y, start * cols, chunk) * chunkWeight;
            total += chunkWeight;
            System.arraycopy(w.output(), 0, yhat, start * cols, n * cols);
        }
        return sum / total;
    }

    /** Each metric on the predictions of the last {@link #evaluate}, by name (weighted when the rows are). */
    Map<String, Double> metrics(List<ValidationMetric> metrics) {
        Map<String, Double> values = new HashMap<>();
        for (ValidationMetric m : metrics) {
            values.put(m.name(), weights == null ? m.evaluate(yhat, y, rows, cols)
                    : m.evaluate(yhat, y, weights, rows, cols));
        }
        return values;
    }
}

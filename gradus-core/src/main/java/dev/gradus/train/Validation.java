package dev.gradus.train;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.tensor.Matrix;
import java.util.List;
import java.util.Map;

/**
 * Validation rows held in this JVM ({@link ValidationRows#of}): the loss as a weighted mean of
 * chunk losses ({@link ValidationRows.Sums}, the code that scores rows on Spark's executors too),
 * then each {@link ValidationMetric}: per-row metrics from the same sums, others on all
 * predictions.
 *
 * <p>Rows with weights {@code wᵢ} (sample and class weights) are scored by the weighted loss
 * {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} and weighted metrics, so early stopping watches what training
 * minimises.
 */
final class Validation implements ValidationRows {
    private final float[] x;
    private final float[] y;
    private final float[] weights;   // wᵢ per row; null: every wᵢ = 1
    private final float[] yhat;
    private final int rows;
    private final int cols;
    private Network scored;          // the network the workspace was made for
    private Workspace workspace;

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
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int inputs() {
        return rows == 0 ? 0 : x.length / rows;
    }

    @Override
    public int outputs() {
        return cols;
    }

    /**
     * SHA-256 over the shapes and float bits of the rows, and of their weights when they have
     * any, in hex (for checkpoints).
     */
    @Override
    public String sha256() {
        String sha = Trainer.sha256(Matrix.wrap(rows, x.length / Math.max(rows, 1), x), Matrix.wrap(rows, cols, y));
        return weights == null ? sha : sha + " weights " + Trainer.sha256(Matrix.wrap(rows, 1, weights),
                Matrix.zeros(0, 0));
    }

    /**
     * The loss over all validation rows (weighted when they have weights), forwarded in chunks
     * of up to {@link BlockedPass#BLOCK_ROWS} rows on {@code options}' threads, and each metric
     * (weighted when the rows are).
     */
    @Override
    public Score score(Network network, TrainingOptions options) {
        if (scored != network) {
            workspace = network.workspace(Math.min(BlockedPass.BLOCK_ROWS, rows), Kernels.create(options.threads()));
            scored = network;
        }
        List<ValidationMetric> metrics = options.metrics();
        Sums sums = Sums.of(network, workspace, options.loss(), metrics, x, y, weights, 0, rows, yhat);
        Score score = sums.score(metrics);
        Map<String, Double> values = new java.util.HashMap<>(score.metrics());
        for (ValidationMetric m : metrics) {
            if (!m.perRow()) {
                values.put(m.name(), weights == null ? m.evaluate(yhat, y, rows, cols)
                        : m.evaluate(yhat, y, weights, rows, cols));
            }
        }
        return new Score(score.loss(), values);
    }
}

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
 */
final class Validation {
    private final float[] x;
    private final float[] y;
    private final float[] yhat;
    private final int rows;
    private final int cols;

    /** Copies of the validation features {@code x} and targets {@code y}. */
    Validation(Matrix x, Matrix y) {
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException("validation x has " + x.rows() + " rows but y has " + y.rows());
        }
        this.x = x.copy().data();
        this.y = y.copy().data();
        this.rows = x.rows();
        this.cols = y.cols();
        this.yhat = new float[rows * cols];
    }

    /** The number of validation rows. */
    int rows() {
        return rows;
    }

    /** SHA-256 over the shapes and float bits of the rows, in hex (for checkpoints). */
    String sha256() {
        return Trainer.sha256(Matrix.wrap(rows, x.length / Math.max(rows, 1), x), Matrix.wrap(rows, cols, y));
    }

    /**
     * The loss over all validation rows, forwarded in chunks of the workspace's capacity, and
     * keeps the predictions for {@link #metrics}.
     */
    double evaluate(Network network, Workspace w, Loss loss) {
        int in = network.inputs();
        double sum = 0;
        for (int start = 0; start < rows; start += w.capacity()) {
            int n = Math.min(w.capacity(), rows - start);
            network.forward(x, start * in, n, w);
            sum += loss.value(w, y, start * cols) * n;
            System.arraycopy(w.output(), 0, yhat, start * cols, n * cols);
        }
        return sum / rows;
    }

    /** Each metric on the predictions of the last {@link #evaluate}, by name. */
    Map<String, Double> metrics(List<ValidationMetric> metrics) {
        Map<String, Double> values = new HashMap<>();
        for (ValidationMetric m : metrics) {
            values.put(m.name(), m.evaluate(yhat, y, rows, cols));
        }
        return values;
    }
}

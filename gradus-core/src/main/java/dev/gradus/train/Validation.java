package dev.gradus.train;

import dev.gradus.kernel.Kernels;
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
final class Validation implements ValidationRows {
    private final float[] x;         // in memory; null for rows read from a source
    private final float[] y;
    private final float[] weights;   // wᵢ per row in memory; null: every wᵢ = 1 (a source gives its own)
    private final float[] chunkWeights;
    private final float[] yhat;      // in memory: every prediction of the last evaluation
    private final RowSource source;  // null for rows in memory
    private final int rows;
    private final int in;
    private final int cols;
    private Map<String, Double> sourceMetrics = Map.of();   // with a source: tallied as chunks are read
    private Network scored;          // the network the workspace was made for
    private Workspace workspace;
    private float[] xChunk;          // with a source: the chunk being scored
    private float[] yChunk;
    private float[] wChunk;

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
        this.in = x.cols();
        this.cols = y.cols();
        this.yhat = new float[rows * cols];
        this.weights = weights == null ? null : LocalRows.checkWeights(weights, rows).clone();
        this.chunkWeights = weights == null ? null : new float[Math.min(rows, BlockedPass.BLOCK_ROWS)];
        this.source = null;
    }

    /**
     * Rows read from {@code source} a chunk at a time at every evaluation; only a chunk of them
     * is on the heap, and the metrics are tallied chunk by chunk (each must have a
     * {@link ValidationMetric#tally()}: {@link #checkTallies}).
     */
    Validation(RowSource source) {
        this.source = source;
        this.rows = source.rows();
        this.in = source.inputs();
        this.cols = source.outputs();
        this.x = null;
        this.y = null;
        this.yhat = null;
        this.weights = null;
        this.chunkWeights = null;
        chunks(Math.min(rows, BlockedPass.BLOCK_ROWS));
    }

    /** Whether the rows are read from a {@link RowSource} a chunk at a time. */
    boolean streamed() {
        return source != null;
    }

    /**
     * Checks that every metric of {@code metrics} can be tallied chunk by chunk, as rows read
     * from a source are scored.
     *
     * @throws IllegalArgumentException naming a metric that needs every prediction at once
     *     ({@link ValidationMetric#tally()} is null)
     */
    static void checkTallies(List<ValidationMetric> metrics) {
        for (ValidationMetric m : metrics) {
            if (m.tally() == null) {
                throw new IllegalArgumentException("validation metric " + m.name() + " needs every prediction at once; "
                        + "it cannot score validation rows read a chunk at a time");
            }
        }
    }

    /** Buffers for chunks of {@code n} rows read from the source. */
    private void chunks(int n) {
        if (xChunk == null || xChunk.length < n * in) {
            xChunk = new float[n * in];
            yChunk = new float[n * cols];
            wChunk = new float[n];
        }
    }

    /** The number of validation rows. */
    @Override
    public int rows() {
        return rows;
    }

    /** The width of a feature row. */
    @Override
    public int inputs() {
        return rows == 0 ? 0 : in;
    }

    /** The width of a target row. */
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
        if (source != null) {
            return sourceSha256();
        }
        String sha = Trainer.sha256(Matrix.wrap(rows, x.length / Math.max(rows, 1), x), Matrix.wrap(rows, cols, y));
        return weights == null ? sha : sha + " weights " + Trainer.sha256(Matrix.wrap(rows, 1, weights),
                Matrix.zeros(0, 0));
    }

    /** {@link #sha256()}'s digests over the bytes it hashes for rows in memory, read a chunk at a time. */
    private String sourceSha256() {
        int chunk = Math.min(rows, BlockedPass.BLOCK_ROWS);
        chunks(chunk);
        Trainer.Digest rowsSha = new Trainer.Digest();
        for (int part = 0; part < 2; part++) {
            rowsSha.shape(rows, part == 0 ? in : cols);
            for (int from = 0; from < rows; from += chunk) {
                int n = Math.min(chunk, rows - from);
                source.read(from, n, xChunk, yChunk);
                rowsSha.values(part == 0 ? xChunk : yChunk, n * (part == 0 ? in : cols));
            }
        }
        Trainer.Digest weightSha = new Trainer.Digest();
        weightSha.shape(rows, 1);
        boolean weighted = false;
        for (int from = 0; from < rows; from += chunk) {
            int n = Math.min(chunk, rows - from);
            weighted = source.weights(from, n, wChunk);
            if (!weighted) {
                break;
            }
            weightSha.values(wChunk, n);
        }
        if (!weighted) {
            return rowsSha.hex();
        }
        weightSha.shape(0, 0);
        return rowsSha.hex() + " weights " + weightSha.hex();
    }

    /**
     * The loss over all validation rows in memory (weighted when they have weights), forwarded in
     * chunks of the workspace's capacity, and keeps the predictions for {@link #metrics}.
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

    /**
     * As the loop over rows in memory, with each chunk read from the source and its metrics
     * tallied: the same chunks, the same sums in the same order.
     */
    private double evaluateSource(Network network, Workspace w, Loss loss, List<ValidationMetric> metrics) {
        checkTallies(metrics);
        ValidationMetric.Tally[] tallies = new ValidationMetric.Tally[metrics.size()];
        for (int m = 0; m < tallies.length; m++) {
            tallies[m] = metrics.get(m).tally();
        }
        chunks(w.capacity());
        double sum = 0;
        double total = 0;
        for (int start = 0; start < rows; start += w.capacity()) {
            int n = Math.min(w.capacity(), rows - start);
            source.read(start, n, xChunk, yChunk);
            float[] chunk = source.weights(start, n, wChunk) ? wChunk : null;
            network.forward(xChunk, 0, n, w);
            double chunkWeight = Loss.weightSum(chunk, n);   // n for unweighted rows
            sum += loss.value(w, yChunk, 0, chunk) * chunkWeight;
            total += chunkWeight;
            for (ValidationMetric.Tally t : tallies) {
                t.add(w.output(), yChunk, chunk, n, cols);
            }
        }
        Map<String, Double> values = new HashMap<>();
        for (int m = 0; m < tallies.length; m++) {
            values.put(metrics.get(m).name(), tallies[m].value());
        }
        sourceMetrics = values;
        return sum / total;
    }

    /**
     * {@link #evaluate} and {@link #metrics} of {@code network} under {@code options}' loss and
     * metrics, forwarded in chunks of up to {@link BlockedPass#BLOCK_ROWS} rows on
     * {@code options}' threads.
     */
    @Override
    public Score score(Network network, TrainingOptions options) {
        if (scored != network) {
            workspace = network.workspace(Math.min(BlockedPass.BLOCK_ROWS, rows), Kernels.create(options.threads()));
            scored = network;
        }
        double loss = source != null ? evaluateSource(network, workspace, options.loss(), options.metrics())
                : evaluate(network, workspace, options.loss());
        return new Score(loss, metrics(options.metrics()));
    }

    /** Each metric on the predictions of the last {@link #evaluate}, by name (weighted when the rows are). */
    Map<String, Double> metrics(List<ValidationMetric> metrics) {
        if (source != null) {
            return sourceMetrics;
        }
        Map<String, Double> values = new HashMap<>();
        for (ValidationMetric m : metrics) {
            values.put(m.name(), weights == null ? m.evaluate(yhat, y, rows, cols)
                    : m.evaluate(yhat, y, weights, rows, cols));
        }
        return values;
    }
}

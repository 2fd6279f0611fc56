package dev.gradus.train;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.tensor.Matrix;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation rows as {@link Trainer} scores them after every epoch: the loss (the weighted
 * {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} when the rows have weights) and each {@link ValidationMetric}.
 * {@link #of(Matrix, Matrix, float[])} holds the rows in this JVM, {@link #of(RowSource)} reads
 * them from where they live a chunk at a time; the Spark module keeps them on the executors, which
 * return the {@link Sums} of their rows.
 *
 * <p>The loss is a weighted mean of chunk losses over chunks of the rows that end at multiples
 * of {@link BlockedPass#BLOCK_ROWS} (validation rows numbered {@code 0 .. V−1}), added in
 * {@code double} in chunk order, so any holder that passes whole chunks in row order adds the
 * same chunk values, and one holder of all rows gives the bits of {@link #of}.
 *
 * <pre>{@code
 * Trainer.Result r = new Trainer(options).fit(network, GradientSource.of(x, y), ValidationRows.of(xv, yv, null));
 * }</pre>
 */
public interface ValidationRows {

    /** The number of validation rows {@code V}. */
    int rows();

    /** The width of a feature row. */
    int inputs();

    /** The width of a target row. */
    int outputs();

    /** Identifies the rows (and their weights) for a checkpoint's {@code validation_rows_sha256}. */
    String sha256();

    /**
     * The loss of {@code network} at its current {@code θ} under {@code options}' loss, and each of
     * {@code options}' metrics, on the rows.
     */
    Score score(Network network, TrainingOptions options);

    /**
     * One epoch's validation scores.
     *
     * @param loss the (weighted) mean loss
     * @param metrics each metric's value by name
     */
    record Score(double loss, Map<String, Double> metrics) {}

    /**
     * Copies of validation features {@code x} ({@code V × inputs}), targets {@code y}
     * ({@code V × outputs}) and row weights {@code weights} ({@code null}: unweighted), held in
     * this JVM.
     *
     * @throws IllegalArgumentException when the row counts differ, or naming the first row whose
     *     weight is negative or not finite, or when every weight is 0
     */
    static ValidationRows of(Matrix x, Matrix y, float[] weights) {
        return new Validation(x, y, weights);
    }

    /**
     * The rows of {@code source} (where it keeps them: a disk cache), read a chunk at a time in row
     * order at every evaluation and never held whole; scored as {@link #of(Matrix, Matrix, float[])}
     * scores the same rows in memory, bit for bit. Every metric they are scored with must tally
     * chunk by chunk ({@link ValidationMetric#tally()}).
     */
    static ValidationRows of(RowSource source) {
        return new Validation(source);
    }

    /**
     * The sums behind a {@link Score} over some of the validation rows: {@code Σ Wⱼ·Lⱼ} and
     * {@code Σ Wⱼ} over the chunks, and per {@link ValidationMetric#perRow() per-row} metric
     * {@code Σᵢ wᵢ sᵢ} and {@code Σᵢ wᵢ}. Sums of consecutive parts, added in row order
     * ({@link #plus}), give the sums of the whole.
     *
     * @param lossSum {@code Σⱼ Wⱼ·Lⱼ} over the chunks {@code j}
     * @param lossWeight {@code Σⱼ Wⱼ} ({@code Wⱼ} the chunk's rows or the sum of its weights)
     * @param metricSums per metric, {@code Σᵢ wᵢ sᵢ}
     * @param metricWeights per metric, {@code Σᵢ wᵢ}
     */
    record Sums(double lossSum, double lossWeight, double[] metricSums, double[] metricWeights)
            implements Serializable {

        /** Sums of no rows, for {@code metrics} metrics. */
        public static Sums zero(int metrics) {
            return new Sums(0, 0, new double[metrics], new double[metrics]);
        }

        /**
         * The sums of {@code rows} consecutive validation rows numbered from {@code firstRow},
         * features {@code x} and targets {@code y} row-major from index 0, weights {@code weights}
         * from 0 (or {@code null}), for {@code network} at its {@code θ}: chunks end at the
         * multiples of {@link BlockedPass#BLOCK_ROWS}, forwarded one thread each.
         *
         * @throws UnsupportedOperationException naming a metric that is not {@link ValidationMetric#perRow()}
         */
        public static Sums of(Network network, Loss loss, List<ValidationMetric> metrics, float[] x, float[] y,
                              float[] weights, long firstRow, int rows) {
            for (ValidationMetric m : metrics) {
                if (!m.perRow()) {
                    m.rowScore(new float[0], 0, new float[0], 0, 0);   // throws, naming the metric
                }
            }
            Workspace w = network.workspace(Math.max(1, Math.min(BlockedPass.BLOCK_ROWS, rows)),
                    Kernels.singleThreaded());
            return of(network, w, loss, metrics, x, y, weights, firstRow, rows, null);
        }

        /**
         * As the public {@link #of}, forwarding in {@code w} (capacity at least the first chunk's
         * rows, or {@code BLOCK_ROWS}), and copying the predictions into {@code yhat} when it is
         * not null; metrics that are not per-row are left at 0.
         */
        static Sums of(Network network, Workspace w, Loss loss, List<ValidationMetric> metrics, float[] x, float[] y,
                       float[] weights, long firstRow, int rows, float[] yhat) {
            int in = network.inputs();
            int cols = network.outputs();
            Sums s = zero(metrics.size());
            double lossSum = 0;
            double lossWeight = 0;
            float[] chunk = weights == null ? null : new float[Math.min(rows, BlockedPass.BLOCK_ROWS)];
            for (int start = 0; start < rows; ) {
                int n = (int) Math.min(rows - start, BlockedPass.BLOCK_ROWS - (firstRow + start) % BlockedPass.BLOCK_ROWS);
                network.forward(x, start * in, n, w);
                float[] out = w.output();
                if (weights != null) {
                    System.arraycopy(weights, start, chunk, 0, n);
                }
                double chunkWeight = Loss.weightSum(chunk, n);   // n for unweighted rows
                lossSum += loss.value(w, y, start * cols, chunk) * chunkWeight;
                lossWeight += chunkWeight;
                for (int m = 0; m < metrics.size(); m++) {
                    ValidationMetric metric = metrics.get(m);
                    if (!metric.perRow()) {
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        // row i of the chunk's predictions against row start + i of y
                        double score = metric.rowScore(out, i * cols, y, (start + i) * cols, cols);
                        double wi = weights == null ? 1 : weights[start + i];
                        s.metricSums[m] += weights == null ? score : score * wi;
                        s.metricWeights[m] += wi;
                    }
                }
                if (yhat != null) {
                    System.arraycopy(out, 0, yhat, start * cols, n * cols);
                }
                start += n;
            }
            return new Sums(lossSum, lossWeight, s.metricSums, s.metricWeights);
        }

        /** These sums followed by {@code later}'s (the rows after these). */
        public Sums plus(Sums later) {
            double[] sums = metricSums.clone();
            double[] weights = metricWeights.clone();
            for (int m = 0; m < sums.length; m++) {
                sums[m] += later.metricSums[m];
                weights[m] += later.metricWeights[m];
            }
            return new Sums(lossSum + later.lossSum, lossWeight + later.lossWeight, sums, weights);
        }

        /** The scores: {@code lossSum / lossWeight} and each metric's {@code Σ wᵢ sᵢ / Σ wᵢ}. */
        public Score score(List<ValidationMetric> metrics) {
            Map<String, Double> values = new HashMap<>();
            for (int m = 0; m < metrics.size(); m++) {
                values.put(metrics.get(m).name(), metricSums[m] / metricWeights[m]);
            }
            return new Score(lossSum / lossWeight, values);
        }
    }
}

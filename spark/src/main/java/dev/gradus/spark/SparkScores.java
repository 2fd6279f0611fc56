package dev.gradus.spark;

import dev.gradus.data.ClassWeights;
import dev.gradus.data.DataException;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;

/**
 * A model's scores on rows that the executors read: each executor scores tables of its rows with
 * the core's own {@link Model#loss}, {@link Model#predict} and target decoding, and returns sums
 * that the driver adds in partition order. Nothing but the model (as model-file bytes) and the
 * sums crosses between driver and executors.
 *
 * <pre>
 * loss = Σ_chunks W·ℓ_chunk / Σ W     accuracy = correct / N     (W: a chunk's rows, or their weights)
 * rmseₜ = √(SSEₜ / N)                 r²ₜ = 1 − SSEₜ / Σ(y − ȳ)²   (ȳ, Σ(y − ȳ)² merged by Chan et al.)
 * </pre>
 * The same values as the core's on one table, within rounding (sums over chunks in another order).
 *
 * @param rows the rows scored
 * @param loss the model's loss ℓ (original units for regression)
 * @param accuracy classification: the share of rows whose predicted class is the label; else NaN
 * @param rmse regression: per target; else empty
 * @param r2 regression: per target; else empty
 */
public record SparkScores(long rows, double loss, double accuracy, double[] rmse, double[] r2) {

    /**
     * Scores {@code model} on the rows of {@code input}, leaving out the rows numbered
     * {@code leftOut} (sorted; e.g. the rows a validation fraction held out), where the rows are
     * numbered {@code 0 .. N−1} in partition order from {@code partitionRows}.
     *
     * @throws DataException naming the file and row of a cell the model cannot read
     */
    public static SparkScores of(SparkInput input, long[] partitionRows, Model model, int[] leftOut)
            throws DataException {
        return of(input, partitionRows, model, leftOut, null, null);
    }

    /**
     * As {@link #of(SparkInput, long[], Model, int[])} with the loss weighted as
     * {@link RowBlocks#encode(SparkInput, long[], dev.gradus.data.Preprocessing, dev.gradus.nn.Loss,
     * String, double[])} weighs the rows (sample weights of column {@code weightColumn} times
     * {@code perClass}; both null: unweighted): {@code Σ_chunks W·ℓ_chunk / W} with {@code W} the
     * chunk's {@code Σᵢ wᵢ}, the weighted loss of {@link Model#loss(Table, float[])}. The accuracy,
     * r² and RMSE stay unweighted, as {@code gradus train} reports them.
     */
    public static SparkScores of(SparkInput input, long[] partitionRows, Model model, int[] leftOut,
                                 String weightColumn, double[] perClass) throws DataException {
        long[] first = new long[partitionRows.length];
        for (int p = 1; p < first.length; p++) {
            first[p] = first[p - 1] + partitionRows[p - 1];
        }
        byte[] bytes = ModelBytes.of(model);
        SparkInput.Cells cells = input.cells();
        int[] skip = leftOut.clone();
        JavaRDD<Row> rows = input.rows().toJavaRDD();
        List<Sums> parts;
        try {
            parts = rows.mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> List.of(
                    score(cells, ModelBytes.cached(bytes, null), first[p], skip, it, weightColumn, perClass))
                    .iterator(), true).collect();
        } catch (RuntimeException e) {
            DataException d = SparkInput.dataError(e);
            if (d != null) {
                throw d;
            }
            throw e;
        }
        Sums total = null;
        for (Sums s : parts) {
            total = total == null ? s : total.plus(s);
        }
        return total.scores(model.task());
    }

    /** The line {@code gradus train} prints after "training": accuracy, or r² and RMSE (means over targets). */
    public String headline() {
        if (!Double.isNaN(accuracy)) {
            return String.format(Locale.ROOT, "accuracy %.4f", accuracy);
        }
        return String.format(Locale.ROOT, "r2 %.4f, rmse %.4f", Arrays.stream(r2).average().orElse(Double.NaN),
                Arrays.stream(rmse).average().orElse(Double.NaN));
    }

    private static Sums score(SparkInput.Cells cells, Model model, long firstRow, int[] skip, Iterator<Row> it,
                              String weightColumn, double[] perClass) {
        RowWeights weights = weightColumn == null && perClass == null ? null
                : new RowWeights(weightColumn, ClassWeights.NONE);
        int k = model.task() == Task.REGRESSION ? model.preprocessing().targetNames().size() : 0;
        Sums sums = new Sums(k);
        List<String[]> chunk = new ArrayList<>();
        List<String> files = new ArrayList<>();
        long row = firstRow;
        while (it.hasNext() || !chunk.isEmpty()) {
            if (it.hasNext() && chunk.size() < dev.gradus.train.BlockedPass.BLOCK_ROWS) {
                Row r = it.next();
                if (Arrays.binarySearch(skip, (int) row++) < 0) {
                    chunk.add(cells.of(r));
                    files.add(cells.file(r));
                }
                continue;
            }
            Table t = Table.of(files.get(0), cells.names(), chunk);
            try {
                sums.add(model, t, weights == null ? null : weights.someRowWeights(t, model.preprocessing(), perClass));
            } catch (DataException e) {
                throw new SparkInput.BadCell(e.getMessage());
            }
            chunk = new ArrayList<>();
            files = new ArrayList<>();
        }
        return sums;
    }

    /** One partition's sums; {@link #plus} adds another partition's after this one's. */
    record Sums(long[] counts, double[] values, double[][] targets) implements Serializable {
        // counts: rows, correct; values: Σ W·ℓ, Σ W (W: a chunk's weight, its rows unweighted);
        // targets[t]: SSE, Σ|r|, mean y, M2 of y

        Sums(int targetCount) {
            this(new long[2], new double[2], new double[targetCount][4]);
        }

        /** Adds the rows of {@code t}, weighted by {@code w} in the loss (null: unweighted). */
        void add(Model model, Table t, float[] w) throws DataException {
            int n = t.rows();
            double weight = n;
            if (w != null) {
                weight = 0;
                for (float v : w) {
                    weight += v;
                }
            }
            if (weight > 0) {
                values[0] += model.loss(t, w) * weight;
                values[1] += weight;
            }
            if (model.task() == Task.CLASSIFICATION) {
                int[] predicted = model.predict(t).classIds();
                int[] actual = model.preprocessing().classIds(t);
                for (int i = 0; i < n; i++) {
                    counts[1] += predicted[i] == actual[i] ? 1 : 0;
                }
            } else {
                float[] predicted = model.predict(t).outputs().data();
                float[] actual = model.preprocessing().targetValues(t).data();
                int k = targets.length;
                for (int j = 0; j < k; j++) {
                    double mean = 0;
                    for (int i = 0; i < n; i++) {
                        mean += actual[i * k + j];
                    }
                    mean /= n;
                    double sse = 0;
                    double sae = 0;
                    double m2 = 0;
                    for (int i = 0; i < n; i++) {
                        double y = actual[i * k + j];
                        double r = predicted[i * k + j] - y;
                        sse += r * r;
                        sae += Math.abs(r);
                        m2 += (y - mean) * (y - mean);
                    }
                    merge(targets[j], counts[0], new double[] {sse, sae, mean, m2}, n);
                }
            }
            counts[0] += n;
        }

        /** Adds {@code b} (over {@code nb} rows) into {@code a} (over {@code na} rows): sums, and Chan's mean/M2. */
        private static void merge(double[] a, long na, double[] b, long nb) {
            long n = na + nb;
            double delta = b[2] - a[2];
            a[0] += b[0];
            a[1] += b[1];
            if (n > 0) {
                a[3] += b[3] + delta * delta * ((double) na * nb / n);
                a[2] += delta * ((double) nb / n);
            }
        }

        Sums plus(Sums other) {
            Sums out = new Sums(targets.length);
            out.values[0] = values[0] + other.values[0];
            out.values[1] = values[1] + other.values[1];
            out.counts[1] = counts[1] + other.counts[1];
            for (int j = 0; j < targets.length; j++) {
                out.targets[j] = targets[j].clone();
                merge(out.targets[j], counts[0], other.targets[j], other.counts[0]);
            }
            out.counts[0] = counts[0] + other.counts[0];
            return out;
        }

        SparkScores scores(Task task) {
            long n = counts[0];
            double[] rmse = new double[targets.length];
            double[] r2 = new double[targets.length];
            for (int j = 0; j < targets.length; j++) {
                double sse = targets[j][0];
                double total = targets[j][3];
                rmse[j] = Math.sqrt(sse / n);
                r2[j] = total == 0 ? (sse == 0 ? 1 : 0) : 1 - sse / total;
            }
            return new SparkScores(n, values[0] / values[1], task == Task.CLASSIFICATION ? (double) counts[1] / n : Double.NaN,
                    rmse, r2);
        }
    }
}

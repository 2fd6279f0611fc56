package dev.gradus.spark;

import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.train.ValidationMetric;
import dev.gradus.train.ValidationRows;
import dev.gradus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Validation rows kept on the executors and scored there after every epoch: the driver
 * broadcasts {@code θ}, each partition returns the {@link ValidationRows.Sums} of its rows (the
 * core code that scores rows in one JVM: chunks ending at multiples of
 * {@link dev.gradus.train.BlockedPass#BLOCK_ROWS} validation rows), and the driver adds them in
 * partition order:
 * <pre>
 * ℓ_val = Σⱼ Wⱼ·Lⱼ / Σⱼ Wⱼ      accuracy = Σᵢ wᵢ [ŷᵢ right] / Σᵢ wᵢ
 * </pre>
 * One partition holding every row gives {@link ValidationRows#of}'s bits; several, the same to
 * rounding. Only per-row metrics ({@link ValidationMetric#perRow()}) are scored this way.
 */
final class SparkValidation implements ValidationRows {
    private final RowBlocks rows;   // each partition: one block of consecutive validation rows, or none
    private String sha256;

    /**
     * Validation rows numbered {@code 0 .. V−1} whose partitions each hold consecutive rows in
     * increasing row order from partition to partition; the blocks of a partition are joined into
     * one block here, once (the result is cached; {@link #close} drops it).
     */
    SparkValidation(RowBlocks held) {
        int in = held.inputs();
        int k = held.outputs();
        JavaRDD<RowBlocks.Block> joined = held.blocks().mapPartitions(it -> join(it, in, k), true);
        this.rows = RowBlocks.of(joined, held.rows(), in, k);
    }

    /** The partition's blocks (consecutive rows, any order) as one block, or nothing for no rows. */
    private static Iterator<RowBlocks.Block> join(Iterator<RowBlocks.Block> it, int in, int k) {
        List<RowBlocks.Block> list = new ArrayList<>();
        it.forEachRemaining(b -> {
            if (b.rows() > 0) {
                list.add(b);
            }
        });
        if (list.size() <= 1) {
            return list.iterator();
        }
        list.sort(Comparator.comparingLong(RowBlocks.Block::firstRow));
        int n = list.stream().mapToInt(RowBlocks.Block::rows).sum();
        float[] x = new float[n * in];
        float[] y = new float[n * k];
        float[] w = list.get(0).w() == null ? null : new float[n];
        int at = 0;
        long next = list.get(0).firstRow();
        for (RowBlocks.Block b : list) {
            if (b.firstRow() != next) {
                throw new IllegalStateException("a partition's validation rows are not consecutive: row " + next
                        + " is followed by row " + b.firstRow());
            }
            System.arraycopy(b.x(), 0, x, at * in, b.rows() * in);
            System.arraycopy(b.y(), 0, y, at * k, b.rows() * k);
            if (w != null) {
                System.arraycopy(b.w(), 0, w, at, b.rows());
            }
            at += b.rows();
            next += b.rows();
        }
        return List.of(new RowBlocks.Block(list.get(0).firstRow(), n, x, y, w)).iterator();
    }

    @Override
    public int rows() {
        return (int) rows.rows();
    }

    @Override
    public int inputs() {
        return rows.inputs();
    }

    @Override
    public int outputs() {
        return rows.outputs();
    }

    /**
     * A SHA-256 over the partitions' digests of their rows (numbers and float bits) in partition
     * order, computed on the executors once.
     */
    @Override
    public String sha256() {
        if (sha256 == null) {
            sha256 = SparkRows.sha256Hex(rows);
        }
        return sha256;
    }

    @Override
    public Score score(Network network, TrainingOptions options) {
        List<ValidationMetric> metrics = options.metrics();
        String[] names = new String[metrics.size()];
        for (int m = 0; m < names.length; m++) {
            names[m] = metrics.get(m).name();
            if (!metrics.get(m).perRow() || metric(names[m]) == null) {
                throw new IllegalArgumentException("validation metric " + names[m] + " cannot be scored on Spark's "
                        + "executors (it is not a mean of per-row scores that Gradus knows by name)");
            }
        }
        int inputs = network.inputs();
        int[] widths = network.layers().stream().mapToInt(Dense::outputs).toArray();
        String[] activations = network.layers().stream().map(d -> d.activation().toString()).toArray(String[]::new);
        String loss = options.loss().name();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.blocks().context());
        Broadcast<float[]> theta = sc.broadcast(network.parameters().values().clone());
        try {
            List<Tuple2<Integer, Sums>> parts = rows.blocks().mapPartitionsWithIndex((Integer p,
                    Iterator<RowBlocks.Block> it) -> {
                List<ValidationMetric> ms = new ArrayList<>();
                for (String name : names) {
                    ms.add(metric(name));
                }
                Sums sums = Sums.zero(ms.size());
                if (it.hasNext()) {
                    RowBlocks.Block b = it.next();
                    Network net = PartitionPass.network(inputs, widths, activations, theta.value());
                    sums = Sums.of(net, Loss.parse(loss), ms, b.x(), b.y(), b.w(), b.firstRow(), b.rows());
                }
                return List.of(new Tuple2<>(p, sums)).iterator();
            }, true).collect();
            Sums total = Sums.zero(names.length);
            for (Tuple2<Integer, Sums> t : parts.stream().sorted(Comparator.comparingInt(Tuple2::_1)).toList()) {
                total = total.plus(t._2());
            }
            return total.score(metrics);
        } finally {
            theta.destroy();
        }
    }

    /** The per-row metric named {@code name}, or null. */
    private static ValidationMetric metric(String name) {
        return ValidationMetric.ACCURACY.name().equals(name) ? ValidationMetric.ACCURACY : null;
    }

    /** Drops the cached rows. */
    void close() {
        rows.close();
    }
}

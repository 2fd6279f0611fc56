package dev.gradus.spark;

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

/**
 * Validation rows kept on the executors and scored there after every epoch by one Spark job on
 * the cached rows that carries {@code θ} ({@link TaskNetwork}): each partition returns the {@link ValidationRows.Sums} of its rows (the
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
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.blocks().context());
        TaskNetwork theta = TaskNetwork.of(sc, network);
        try {
            // one job straight on the cached rows, the partitions' sums in partition order
            List<Sums> parts = OrderedSum.eachPartition(rows.blocks(), new Scoring(theta, options.loss(), names),
                    Sums.class);
            Sums total = Sums.zero(names.length);
            for (Sums part : parts) {
                total = total.plus(part);
            }
            return total.score(metrics);
        } finally {
            theta.release();
        }
    }

    /** One partition's {@link Sums} at the driver's θ: what a validation job's task runs. */
    private static final class Scoring implements OrderedSum.PartitionFunction<RowBlocks.Block, Sums> {
        private static final long serialVersionUID = 1L;
        private final TaskNetwork network;
        private final String loss;
        private final String[] metrics;   // by name

        Scoring(TaskNetwork network, Loss loss, String[] metrics) {
            this.network = network;
            this.loss = loss.name();
            this.metrics = metrics;
        }

        @Override
        public Sums call(Iterator<RowBlocks.Block> it) {
            List<ValidationMetric> ms = new ArrayList<>();
            for (String name : metrics) {
                ms.add(metric(name));
            }
            if (!it.hasNext()) {
                return Sums.zero(ms.size());
            }
            RowBlocks.Block b = it.next();
            return Sums.of(network.network(), Loss.parse(loss), ms, b.x(), b.y(), b.w(), b.firstRow(), b.rows());
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

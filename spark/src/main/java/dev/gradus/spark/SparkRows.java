package dev.gradus.spark;

import dev.gradus.internal.RowOrder;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.train.GradientSource;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import scala.Tuple2;

/**
 * Training rows on the executors as a {@link GradientSource}: each evaluation is one Spark job on
 * the cached row blocks that carries {@code θ} (inside the task up to {@link TaskNetwork#THETA_IN_TASK}
 * parameters, broadcast above), every partition runs a {@link PartitionPass} over its rows of the
 * batch and returns its {@link GradientSum}, and the sums are added in partition order
 * ({@link OrderedSum}):
 * <pre>
 * ℓ = Σᵢ Lᵢ / N_batch      ∂ℓ/∂θ = float( Σᵢ ∂Lᵢ/∂θ / N_batch )
 * </pre>
 * Nothing but {@code θ}, the epoch's visiting order (when shuffled) and the partition sums
 * crosses between the driver and the executors; the rows' fingerprint is computed on the
 * executors too.
 */
final class SparkRows implements GradientSource {
    /** Partition results added per executor task before the driver adds the groups. */
    private static final int FAN_IN = 32;

    private final RowBlocks rows;
    private final PartitionPass.TaskHook hook;
    private final Broadcast<int[]> split;   // the held-out rows the blocks were split by; null: given rows
    private final SparkValidation held;     // the rows held out by the split, or null

    SparkRows(RowBlocks rows, PartitionPass.TaskHook hook) {
        this(rows, hook, null, null);
    }

    private SparkRows(RowBlocks rows, PartitionPass.TaskHook hook, Broadcast<int[]> split, SparkValidation held) {
        this.rows = rows;
        this.hook = hook;
        this.split = split;
        this.held = held;
    }

    @Override
    public int rows() {
        return (int) rows.rows();
    }

    /** The row blocks this source passes (after a split: the rows kept for training). */
    RowBlocks blocks() {
        return rows;
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
     * A SHA-256 over the partitions' own SHA-256 digests in partition order, each over its
     * rows' numbers and float bits in row order, followed by the partition count: the rows never leave
     * the executors. The same rows in the same partitioning give the same fingerprint.
     */
    @Override
    public Map<String, String> fingerprint() {
        return Map.of("train_rows_sha256", sha256Hex(rows));
    }

    /**
     * The SHA-256 (hex, with the partition count) over the row count and widths, then the
     * partitions' {@link #digest}s in partition order, computed on the executors.
     */
    static String sha256Hex(RowBlocks rows) {
        int in = rows.inputs();
        int k = rows.outputs();
        List<Tuple2<Integer, byte[]>> digests = rows.blocks().mapPartitionsWithIndex(
                (Integer p, Iterator<RowBlocks.Block> it) -> List.of(new Tuple2<>(p, digest(it, in, k))).iterator(),
                true).collect();
        MessageDigest sha = sha256();
        ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(rows.rows()).putInt(in).putInt(k);
        sha.update(head.flip());
        digests.stream().sorted(Comparator.comparingInt(Tuple2::_1)).forEach(t -> sha.update(t._2()));
        return HexFormat.of().formatHex(sha.digest()) + " on " + rows.partitions() + " partitions";
    }

    /** The partition's rows in row order: each row's number and float bits (blocks leave no trace). */
    static byte[] digest(Iterator<RowBlocks.Block> it, int in, int k) {
        List<RowBlocks.Block> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        list.sort(Comparator.comparingLong(RowBlocks.Block::firstRow));
        MessageDigest sha = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int rowBytes = 8 + 4 * (in + k + 1);
        for (RowBlocks.Block b : list) {
            for (int r = 0; r < b.rows(); r++) {
                if (buffer.remaining() < rowBytes) {
                    sha.update(buffer.flip());
                    buffer.clear();
                    if (buffer.remaining() < rowBytes) {
                        sha.update(row(b, r, in, k));
                        continue;
                    }
                }
                buffer.putLong(b.firstRow() + r);
                for (int j = 0; j < in; j++) {
                    buffer.putInt(Float.floatToRawIntBits(b.x()[r * in + j]));
                }
                for (int j = 0; j < k; j++) {
                    buffer.putInt(Float.floatToRawIntBits(b.y()[r * k + j]));
                }
                if (b.w() != null) {
                    buffer.putInt(Float.floatToRawIntBits(b.w()[r]));
                }
            }
        }
        sha.update(buffer.flip());
        return sha.digest();
    }

    /** One row's bytes, for rows wider than the digest's buffer. */
    private static ByteBuffer row(RowBlocks.Block b, int r, int in, int k) {
        ByteBuffer one = ByteBuffer.allocate(8 + 4 * (in + k + 1)).order(ByteOrder.LITTLE_ENDIAN);
        one.putLong(b.firstRow() + r);
        for (int j = 0; j < in; j++) {
            one.putInt(Float.floatToRawIntBits(b.x()[r * in + j]));
        }
        for (int j = 0; j < k; j++) {
            one.putInt(Float.floatToRawIntBits(b.y()[r * k + j]));
        }
        if (b.w() != null) {
            one.putInt(Float.floatToRawIntBits(b.w()[r]));
        }
        return one.flip();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    @Override
    public Pass open(Network network, TrainingOptions options, int batchRows, boolean shuffled) {
        return new SparkPass(network, options, shuffled);
    }

    /**
     * The source without the rows {@code held} (sorted row numbers), renumbered as
     * {@link Trainer} renumbers them, and the held rows, which stay on the executors in the
     * partitions that held them ({@link SparkValidation}); closing the new source drops both.
     */
    @Override
    public HeldOut holdOut(int[] held) {
        int in = rows.inputs();
        int k = rows.outputs();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(rows.blocks().context());
        Broadcast<int[]> heldOut = sc.broadcast(held);   // lives as long as the new source (its lineage)
        boolean done = false;
        try {
            JavaRDD<RowBlocks.Block> picked = rows.blocks().map(b -> pick(b, heldOut.value(), true, in, k));
            SparkValidation validation = new SparkValidation(RowBlocks.of(picked, held.length, in, k));
            JavaRDD<RowBlocks.Block> kept = rows.blocks().map(b -> pick(b, heldOut.value(), false, in, k));
            RowBlocks train = RowBlocks.of(kept, rows.rows() - held.length, in, k);
            HeldOut result = new HeldOut(new SparkRows(train, hook, heldOut, validation), validation);
            done = true;
            return result;
        } finally {
            if (!done) {
                heldOut.destroy();
            }
        }
    }

    /** Unpersists rows this source made; rows given to it stay with their owner. */
    @Override
    public void close() {
        if (split != null) {
            try {
                rows.close();
                if (held != null) {
                    held.close();
                }
            } finally {
                split.destroy();
            }
        }
    }

    /**
     * The block's rows that are ({@code wanted = true}) or are not validation rows; kept rows are
     * renumbered as if the validation rows were removed from the set.
     */
    private static RowBlocks.Block pick(RowBlocks.Block b, int[] heldSorted, boolean wanted, int in, int k) {
        int count = 0;
        boolean[] isHeld = new boolean[b.rows()];
        for (int r = 0; r < b.rows(); r++) {
            isHeld[r] = Arrays.binarySearch(heldSorted, (int) (b.firstRow() + r)) >= 0;
            if (isHeld[r] == wanted) {
                count++;
            }
        }
        float[] x = new float[count * in];
        float[] y = new float[count * k];
        float[] w = b.w() == null ? null : new float[count];
        int at = 0;
        for (int r = 0; r < b.rows(); r++) {
            if (isHeld[r] == wanted) {
                System.arraycopy(b.x(), r * in, x, at * in, in);
                System.arraycopy(b.y(), r * k, y, at * k, k);
                if (w != null) {
                    w[at] = b.w()[r];
                }
                at++;
            }
        }
        int before = Arrays.binarySearch(heldSorted, (int) b.firstRow());
        long heldBefore = before >= 0 ? before : -before - 1;       // held rows numbered below firstRow
        long first = wanted ? heldBefore : b.firstRow() - heldBefore;
        return new RowBlocks.Block(first, count, x, y, w);
    }

    /** One run's evaluations: the epoch's positions broadcast once per epoch, θ sent once per evaluation. */
    private final class SparkPass implements Pass {
        private final JavaSparkContext sc;
        private final Network network;
        private final TrainingOptions options;
        private final Loss loss;
        private final int[] order;
        private final int[] positions;
        private Broadcast<int[]> visit;
        private int visitEpoch = -1;
        private double weight;   // W = Σᵢ wᵢ of the last evaluation's batch

        SparkPass(Network network, TrainingOptions options, boolean shuffled) {
            this.sc = JavaSparkContext.fromSparkContext(rows.blocks().context());
            this.network = network;
            this.options = options;
            this.loss = options.loss();
            this.order = shuffled ? new int[rows()] : null;
            this.positions = shuffled ? new int[rows()] : null;
        }

        @Override
        public double lossAndGradient(int epoch, int step, int start, int count, float[] dTheta) {
            if (order != null && visitEpoch != epoch) {
                // position of row r in this epoch = the index of r in the local trainer's visiting order
                RowOrder.epoch(order, options.seed(), epoch);
                for (int p = 0; p < order.length; p++) {
                    positions[order[p]] = p;
                }
                dropVisit();
                visit = sc.broadcast(positions.clone());
                visitEpoch = epoch;
            }
            TaskNetwork theta = TaskNetwork.of(sc, network);
            try {
                PartitionPass pass = new PartitionPass(theta, loss, visit, start, start + count,
                        options.dropout(), options.seed(), epoch, step, options.epochs(), hook);
                GradientSum sum = OrderedSum.sum(rows.blocks(), pass, FAN_IN);
                if (sum.rows() != count) {
                    throw new IllegalStateException("the partitions returned " + sum.rows() + " rows for a batch of "
                            + count + "; the row blocks do not number the rows 0.." + (rows.rows() - 1)
                            + " once each");
                }
                weight = sum.weight();
                return sum.meanInto(dTheta, weight);
            } finally {
                theta.release();
            }
        }

        @Override
        public double batchWeight(int count) {
            return weight;
        }

        private void dropVisit() {
            if (visit != null) {
                visit.destroy();
                visit = null;
            }
        }

        @Override
        public void close() {
            dropVisit();
        }
    }
}

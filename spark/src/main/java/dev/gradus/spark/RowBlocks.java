package dev.gradus.spark;

import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;

/**
 * Training rows on a Spark cluster: an RDD of {@link Block}s, each holding a run of
 * consecutive rows {@code firstRow .. firstRow + rows − 1} of the whole set as row-major
 * features {@code x} ({@code rows × inputs}) and targets {@code y} ({@code rows × outputs}).
 *
 * <p>The global row numbers {@code 0 .. N−1} are what the shuffling order, the validation split
 * and the batches refer to, exactly as row numbers do for {@link dev.gradus.train.Trainer}.
 *
 * <pre>{@code
 * RowBlocks rows = RowBlocks.of(sparkContext, x, y, 8);    // 8 partitions of consecutive rows
 * Trainer.Result r = new SparkTrainer(options).fit(network, rows);
 * }</pre>
 */
public final class RowBlocks implements AutoCloseable {

    /**
     * Consecutive rows of the training set.
     *
     * @param firstRow the global number of the first row
     * @param rows the number of rows
     * @param x features, {@code rows × inputs}, row-major
     * @param y targets, {@code rows × outputs}, row-major
     */
    public record Block(long firstRow, int rows, float[] x, float[] y) implements Serializable {
        public Block {
            if (firstRow < 0 || rows < 0) {
                throw new IllegalArgumentException("a block needs firstRow >= 0 and rows >= 0, got " + firstRow
                        + " and " + rows);
            }
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
        }
    }

    private final JavaRDD<Block> blocks;
    private final long rows;
    private final int inputs;
    private final int outputs;

    private RowBlocks(JavaRDD<Block> blocks, long rows, int inputs, int outputs) {
        this.blocks = blocks;
        this.rows = rows;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * The rows of {@code x} ({@code N × inputs}) and {@code y} ({@code N × outputs}) in
     * {@code partitions} partitions of consecutive rows, sent to the executors once and cached
     * there (memory, then disk; a lost executor's rows are not sent again, the run fails).
     * Partitions hold whole
     * blocks of {@link BlockedPass#BLOCK_ROWS} rows (partition {@code p} starts at a multiple of
     * it), so a full-batch pass adds the same block sums as {@link dev.gradus.train.Trainer};
     * with fewer blocks than partitions, some partitions are empty.
     *
     * @throws IllegalArgumentException for mismatched shapes or fewer than 1 partition
     */
    public static RowBlocks of(JavaSparkContext sc, Matrix x, Matrix y, int partitions) {
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException("x has " + x.rows() + " rows but y has " + y.rows());
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        int n = x.rows();
        int in = x.cols();
        int k = y.cols();
        float[] xs = x.copy().data();
        float[] ys = y.copy().data();
        List<Block> list = new ArrayList<>(partitions);
        long blocks = (n + (long) BlockedPass.BLOCK_ROWS - 1) / BlockedPass.BLOCK_ROWS;
        for (int p = 0; p < partitions; p++) {
            int from = (int) Math.min(n, blocks * p / partitions * BlockedPass.BLOCK_ROWS);
            int to = (int) Math.min(n, blocks * (p + 1) / partitions * BlockedPass.BLOCK_ROWS);
            list.add(new Block(from, to - from, java.util.Arrays.copyOfRange(xs, from * in, to * in),
                    java.util.Arrays.copyOfRange(ys, from * k, to * k)));
        }
        // Cached, then cut from the driver's list: without the cut every task of every step would
        // carry its partition's rows from the driver again (Spark keeps a parallelised collection
        // inside its partitions); the local checkpoint leaves only the executors' cached copy.
        JavaRDD<Block> rdd = sc.parallelize(list, partitions).persist(StorageLevel.MEMORY_AND_DISK());
        rdd.rdd().localCheckpoint();
        rdd.count();
        return new RowBlocks(rdd, n, in, k);
    }

    /**
     * Rows already on the cluster. The blocks must number the rows {@code 0 .. rows − 1}, each
     * once, and consecutive rows within each partition; they are cached (memory, then disk).
     */
    public static RowBlocks of(JavaRDD<Block> blocks, long rows, int inputs, int outputs) {
        if (rows < 0 || rows > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("rows must be in [0, 2³¹ − 9], got " + rows);
        }
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException("inputs and outputs must be at least 1, got " + inputs + " and "
                    + outputs);
        }
        StorageLevel level = blocks.getStorageLevel();
        return new RowBlocks(level.useMemory() || level.useDisk() ? blocks
                : blocks.persist(StorageLevel.MEMORY_AND_DISK()), rows, inputs, outputs);
    }

    /** The blocks. */
    public JavaRDD<Block> blocks() {
        return blocks;
    }

    /** The number of rows {@code N}. */
    public long rows() {
        return rows;
    }

    /** The width of a feature row. */
    public int inputs() {
        return inputs;
    }

    /** The width of a target row. */
    public int outputs() {
        return outputs;
    }

    /** The number of partitions. */
    public int partitions() {
        return blocks.getNumPartitions();
    }

    /** Drops the cached blocks. */
    @Override
    public void close() {
        blocks.unpersist(false);
    }
}

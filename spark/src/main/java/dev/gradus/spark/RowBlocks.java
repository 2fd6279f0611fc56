package dev.gradus.spark;

import dev.gradus.data.ClassWeights;
import dev.gradus.data.DataException;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Table;
import dev.gradus.io.MetadataCodec;
import dev.gradus.model.Model;
import dev.gradus.nn.Loss;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

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
     * @param w row weights {@code wᵢ ≥ 0} ({@code rows} of them), or {@code null} for unweighted rows
     */
    public record Block(long firstRow, int rows, float[] x, float[] y, float[] w) implements Serializable {
        public Block {
            if (firstRow < 0 || rows < 0) {
                throw new IllegalArgumentException("a block needs firstRow >= 0 and rows >= 0, got " + firstRow
                        + " and " + rows);
            }
            Objects.requireNonNull(x, "x");
            Objects.requireNonNull(y, "y");
        }

        /** Unweighted rows. */
        public Block(long firstRow, int rows, float[] x, float[] y) {
            this(firstRow, rows, x, y, null);
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
        return of(sc, x, y, null, partitions);
    }

    /**
     * As {@link #of(JavaSparkContext, Matrix, Matrix, int)} with row weights {@code w} ({@code N}
     * of them, finite and at least 0, not all 0; {@code null}: unweighted): the loss of a batch is
     * then {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}, as for {@link dev.gradus.train.GradientSource#of(Matrix, Matrix,
     * float[])}.
     *
     * @throws IllegalArgumentException for mismatched shapes, fewer than 1 partition, or naming
     *     the first row whose weight is negative or not finite
     */
    public static RowBlocks of(JavaSparkContext sc, Matrix x, Matrix y, float[] w, int partitions) {
        if (w != null) {
            checkWeights(w, x.rows());
        }
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
                    java.util.Arrays.copyOfRange(ys, from * k, to * k),
                    w == null ? null : java.util.Arrays.copyOfRange(w, from, to)));
        }
        // Cached, then cut from the driver's list: without the cut every task of every step would
        // carry its partition's rows from the driver again (Spark keeps a parallelised collection
        // inside its partitions); the local checkpoint leaves only the executors' cached copy.
        JavaRDD<Block> rdd = sc.parallelize(list, partitions).persist(StorageLevel.MEMORY_AND_DISK());
        rdd.rdd().localCheckpoint();
        rdd.count();
        return new RowBlocks(rdd, n, in, k);
    }

    /** Checks {@code n} row weights: finite, at least 0, not all 0; the message names the first bad row. */
    static void checkWeights(float[] w, int n) {
        if (w.length != n) {
            throw new IllegalArgumentException(w.length + " row weights for " + n + " rows");
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            if (!(w[i] >= 0) || Float.isInfinite(w[i])) {
                throw new IllegalArgumentException("row " + i + " has weight " + w[i]
                        + "; a row weight must be finite and at least 0");
            }
            total += w[i];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("every row weight is 0; nothing to train on");
        }
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

    /**
     * The rows of {@code input} encoded on the executors by {@code prep} for a network trained
     * with {@code loss}: float32 blocks of consecutive rows that never cross a multiple of
     * {@link BlockedPass#BLOCK_ROWS} (so that {@link #inPartitions} can cut anywhere between
     * them), in the input's partitions; the network inputs and targets that
     * {@link Preprocessing#features} and {@link Model#networkTargets} give for the same rows, bit
     * for bit, since each executor applies them to tables of its own rows. The rows are numbered
     * {@code 0 .. N−1} in partition order from {@code partitionRows} (as
     * {@link SparkPreprocessing.Fit} counted them). Nothing travels from the driver but the
     * preprocessing and the counts; a bad cell stops the first job that reads the blocks, and
     * {@link SparkInput#dataError} names its file and row.
     */
    public static RowBlocks encode(SparkInput input, long[] partitionRows, Preprocessing prep, Loss loss) {
        return encode(input, partitionRows, prep, loss, null, null);
    }

    /**
     * As {@link #encode(SparkInput, long[], Preprocessing, Loss)} with each block carrying its
     * rows' weights in the loss {@code Σᵢ wᵢLᵢ / Σᵢ wᵢ}: the sample weight read from column
     * {@code weightColumn} of the row (null: 1) times its class's weight {@code perClass[c]}
     * (null: 1), the weights {@link RowWeights#rowWeights} gives for the same rows, computed by
     * the executors on tables of their rows; with neither, the blocks are unweighted. A missing,
     * negative or non-numeric weight stops the first job that reads the blocks, named by file,
     * row and column. That some row weighs more than 0 is for the caller to check
     * ({@link #weightTotal}).
     */
    public static RowBlocks encode(SparkInput input, long[] partitionRows, Preprocessing prep, Loss loss,
                                   String weightColumn, double[] perClass) {
        long[] counts = partitionRows.clone();
        long[] first = new long[counts.length];
        long rows = 0;
        for (int p = 0; p < counts.length; p++) {
            first[p] = rows;
            rows += counts[p];
        }
        SparkInput.Cells cells = input.cells();
        String lossName = loss.name();
        // The preprocessing travels to the executors as the model file's own JSON text.
        String prepJson = MetadataCodec.preprocessing(prep);
        double[] classWeights = perClass == null ? null : perClass.clone();
        JavaRDD<Row> read = input.rows().toJavaRDD();
        if (read.getNumPartitions() != counts.length) {
            throw new IllegalStateException(input.path() + " is read in " + read.getNumPartitions() + " partitions now"
                    + " but was read in " + counts.length + " when the preprocessing was fitted");
        }
        JavaRDD<Block> blocks = read.mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> {
            Preprocessing pr = MetadataCodec.preprocessing(prepJson);
            Loss l = Loss.parse(lossName);
            RowWeights weights = new RowWeights(weightColumn, ClassWeights.NONE);
            boolean weighted = weightColumn != null || classWeights != null;
            List<Block> out = new ArrayList<>();
            long n = inChunks(cells, first[p], it, (t, row) -> {
                Matrix x = pr.features(t);
                Matrix y = Model.networkTargets(pr, l, t);
                float[] w = weighted ? weights.someRowWeights(t, pr, classWeights) : null;
                out.add(new Block(row, t.rows(), x.copy().data(), y.copy().data(), w));
            });
            checkCount(n, counts[p]);
            return out.iterator();
        }, true);
        return of(blocks, rows, prep.inputWidth(), Model.outputWidth(prep, loss));
    }

    /**
     * How many rows of {@code input} (numbered in partition order from {@code partitionRows}, for
     * messages) each class id of {@code prep} has, counted on the executors
     * from tables of their rows ({@link Preprocessing#classIds}): what
     * {@link RowWeights#classWeights(Preprocessing, long[])} fits balanced class weights to.
     *
     * @throws DataException naming the file and row of a label that is not a class
     */
    public static long[] classCounts(SparkInput input, long[] partitionRows, Preprocessing prep) throws DataException {
        long[] first = new long[partitionRows.length];
        for (int p = 1; p < first.length; p++) {
            first[p] = first[p - 1] + partitionRows[p - 1];
        }
        SparkInput.Cells cells = input.cells();
        String prepJson = MetadataCodec.preprocessing(prep);
        int classes = prep.classLabels().size();
        try {
            return input.rows().toJavaRDD().mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> {
                Preprocessing pr = MetadataCodec.preprocessing(prepJson);
                long[] counts = new long[classes];
                inChunks(cells, first[p], it, (t, row) -> {
                    for (int id : pr.classIds(t)) {
                        counts[id]++;
                    }
                });
                return List.of(counts).iterator();
            }, true).reduce((a, b) -> {
                long[] sum = new long[classes];
                for (int c = 0; c < classes; c++) {
                    sum[c] = a[c] + b[c];
                }
                return sum;
            });
        } catch (RuntimeException e) {
            DataException d = SparkInput.dataError(e);
            if (d != null) {
                throw d;
            }
            throw e;
        }
    }

    /** {@code Σᵢ wᵢ} over every row ({@code N} for unweighted rows), added on the executors. */
    public double weightTotal() {
        return blocks.map(b -> {
            if (b.w() == null) {
                return (double) b.rows();
            }
            double sum = 0;
            for (float v : b.w()) {
                sum += v;
            }
            return sum;
        }).fold(0.0, Double::sum);
    }

    /** What a chunk of a partition's rows is turned into: a table of them, and the number of its first row. */
    @FunctionalInterface
    private interface Chunk {
        void accept(Table t, long firstRow) throws DataException;
    }

    /**
     * Passes the rows of {@code it} to {@code chunk} as tables of consecutive rows that never cross
     * a multiple of {@link BlockedPass#BLOCK_ROWS} (the first numbered {@code firstRow}); a
     * {@link DataException} about a table becomes a {@link SparkInput.BadCell} naming the row's
     * file and row. Returns the rows passed.
     */
    private static long inChunks(SparkInput.Cells cells, long firstRow, Iterator<Row> it, Chunk chunk) {
        List<String[]> rows = new ArrayList<>();
        List<String> files = new ArrayList<>();
        long row = firstRow;
        while (it.hasNext() || !rows.isEmpty()) {
            if (it.hasNext() && (rows.isEmpty() || (row + rows.size()) % BlockedPass.BLOCK_ROWS != 0)) {
                Row r = it.next();
                rows.add(cells.of(r));
                files.add(cells.file(r));
                continue;
            }
            String source = "\u0000block";
            try {
                chunk.accept(Table.of(source, cells.names(), rows), row);
            } catch (DataException e) {
                throw new SparkInput.BadCell(located(e.getMessage(), source, files, row));
            }
            row += rows.size();
            rows = new ArrayList<>();
            files = new ArrayList<>();
        }
        return row - firstRow;
    }

    private static void checkCount(long rows, long expectedRows) {
        if (rows != expectedRows) {
            throw new IllegalStateException("a partition holds " + rows + " rows now but held "
                    + expectedRows + " when the preprocessing was fitted: the input changed between the passes");
        }
    }

    /** The core's message about a table of a block's rows, with the row's file in place of the table's line. */
    private static String located(String message, String source, List<String> files, long firstRow) {
        Matcher m = Pattern.compile("^" + Pattern.quote(source) + ": line ([0-9]+), (.*)$", Pattern.DOTALL)
                .matcher(message);
        if (m.matches()) {
            int r = Integer.parseInt(m.group(1)) - 2;
            return files.get(r) + ": row " + (firstRow + r + 1) + " of the data (Spark does not know its line), "
                    + m.group(2);
        }
        return message.replace(source, files.isEmpty() ? "?" : files.get(0));
    }

    /**
     * These rows in {@code partitions} partitions of consecutive rows, cut as
     * {@link #of(JavaSparkContext, Matrix, Matrix, int)} cuts them (partition {@code p} holds
     * the blocks of {@link BlockedPass#BLOCK_ROWS} rows {@code [⌊Bp/P⌋, ⌊B(p+1)/P⌋)} of the
     * {@code B}), so that the same rows give the same partitions, sums and checkpoint
     * fingerprint either way; with one partition the pass over a batch is
     * {@link dev.gradus.train.Trainer}'s, bit for bit. The blocks (which must not cross a multiple
     * of {@code BLOCK_ROWS}) move between executors once, by row number, never through the
     * driver. Returns the new rows, cached; this one is closed.
     */
    public RowBlocks inPartitions(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        long b = (rows + BlockedPass.BLOCK_ROWS - 1) / BlockedPass.BLOCK_ROWS;
        JavaRDD<Block> moved = blocks.mapToPair(block -> new Tuple2<>(block.firstRow(), block))
                .partitionBy(new RowRanges(partitions, Math.max(b, 1))).values();
        RowBlocks out = of(moved, rows, inputs, outputs);
        out.blocks.count();
        close();
        return out;
    }

    /**
     * Partition {@code ⌊((b + 1)P − 1) / B⌋} for a block in {@code BLOCK_ROWS}-block {@code b}:
     * the {@code p} with {@code ⌊Bp/P⌋ ≤ b < ⌊B(p+1)/P⌋}.
     */
    private static final class RowRanges extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;
        private final long blocks;

        RowRanges(int partitions, long blocks) {
            this.partitions = partitions;
            this.blocks = blocks;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            long b = (long) key / BlockedPass.BLOCK_ROWS;
            return (int) Math.min(partitions - 1, ((b + 1) * partitions - 1) / blocks);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RowRanges r && r.partitions == partitions && r.blocks == blocks;
        }

        @Override
        public int hashCode() {
            return 31 * partitions + Long.hashCode(blocks);
        }
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

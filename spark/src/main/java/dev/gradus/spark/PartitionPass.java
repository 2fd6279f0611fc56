package dev.gradus.spark;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.Trainer;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongConsumer;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One step's work on one partition: the rows of the batch that the partition holds go through
 * the core {@link Network#forward forward pass}, {@link Loss#valueAndBackwardStart the loss} and
 * the {@link Network#backward backward pass} at the driver's {@code θ}, and the partition
 * returns their {@link GradientSum}.
 *
 * <p>The batch is the rows whose position in the epoch's visiting order lies in
 * {@code [start, end)}: position = row number without shuffling, {@code positions[row]} with it.
 * A partition passes its batch rows in position order through one {@link BlockedPass}, blocks of
 * {@link BlockedPass#BLOCK_ROWS} rows added in block order, so one partition holding a whole
 * batch computes exactly what {@link dev.gradus.train.Trainer} computes for it, and partitions
 * that hold whole blocks compute the same block sums.
 *
 * <p>Networks, layers and losses are not serialisable; the task carries their names and widths
 * and rebuilds them from the public core API.
 */
final class PartitionPass implements OrderedSum.PartitionFunction<RowBlocks.Block, GradientSum> {
    private static final long serialVersionUID = 1L;

    /** Called at the start of every task; tests inject faults through it. */
    interface TaskHook extends Serializable {
        void beforePartition(TaskContext context);
    }

    private final TaskNetwork network;   // the driver's network at θ
    private final String loss;
    private final Broadcast<int[]> positions;   // null: position = row number
    private final long start;
    private final long end;
    private final double dropout;
    private final long seed;
    private final int epoch;
    private final int step;
    private final int epochs;            // the run's last epoch
    private final TaskHook hook;

    /**
     * Where a task announces its share of the run's work ({@link Kernels#expectWork}); tests
     * listen here.
     */
    static volatile LongConsumer workHint = Kernels::expectWork;

    /** A pass at {@code network}'s θ for step {@code step} of epoch {@code epoch} of a run of {@code epochs}. */
    PartitionPass(TaskNetwork network, Loss loss, Broadcast<int[]> positions, long start, long end, double dropout,
                  long seed, int epoch, int step, int epochs, TaskHook hook) {
        this.network = network;
        this.loss = loss.name();
        this.positions = positions;
        this.start = start;
        this.end = end;
        this.dropout = dropout;
        this.seed = seed;
        this.epoch = epoch;
        this.step = step;
        this.epochs = epochs;
        this.hook = hook;
    }

    @Override
    public GradientSum call(Iterator<RowBlocks.Block> blocks) {
        if (hook != null) {
            hook.beforePartition(TaskContext.get());
        }
        Network network = this.network.network();
        int size = network.parameters().size();
        List<RowBlocks.Block> list = new ArrayList<>();
        blocks.forEachRemaining(list::add);
        // An executor's JVM has not heard the driver's Trainer announce the run: each task
        // announces what is left of its partition's share (epochs to come × its rows), so that a
        // large run starts on the vector engine there too (the engine decides once per JVM).
        long partitionRows = 0;
        for (RowBlocks.Block b : list) {
            partitionRows += b.rows();
        }
        workHint.accept(Trainer.plannedOperations(network, partitionRows, epochs - epoch + 1));
        Rows rows = select(list, positions == null ? null : positions.value());
        double[] sum = new double[size];
        double lossSum = 0;
        double weight = 0;   // W = Σⱼ Wⱼ: the rows, or their total weight
        if (rows.count > 0) {
            try (BlockedPass pass = new BlockedPass(network, Loss.parse(loss), rows.count, 1)) {
                long first = rows.firstPosition - start;
                if (rows.contiguous) {
                    // Rows first, first + 1, … of the batch: the blocks and masks of one JVM.
                    pass.dropout(dropout, seed, epoch, step);
                    lossSum = pass.accumulate(rows, rows.count, first, sum);
                } else {
                    // Scattered positions (shuffled, several partitions): repeatable masks of
                    // their own, drawn from the first row's position.
                    pass.dropout(dropout, seed + 0x9E3779B97F4A7C15L * first, epoch, step);
                    lossSum = pass.accumulate(rows, rows.count, 0, sum);
                }
                weight = pass.weight();
            }
        }
        return GradientSum.of(sum, lossSum, rows.count, weight);
    }

    /**
     * The partition's rows of the batch, in position order, as a reader of consecutive ranges:
     * the rows whose position lies in {@code [start, end)}.
     */
    private Rows select(List<RowBlocks.Block> list, int[] pos) {
        list.sort(Comparator.comparingLong(RowBlocks.Block::firstRow));
        int in = network.inputs();
        int k = network.outputs();
        return pos == null ? Runs.of(list, start, end, in, k) : Scattered.of(list, pos, start, end, in, k);
    }

    /** Selected rows read for {@link BlockedPass} by index in position order. */
    private abstract static class Rows implements BlockedPass.Reader {
        int count;
        long firstPosition;
        /** Whether the positions are {@code firstPosition, firstPosition + 1, …}. */
        boolean contiguous;
    }

    /**
     * Without shuffling a row's position is its number: the batch's rows in a block are one run
     * of consecutive rows, read with one copy per run and block (no per-row index, no sort).
     */
    private static final class Runs extends Rows {
        private final List<RowBlocks.Block> blocks;   // the blocks that hold a run, by first row
        private final int[] first;                    // run r: rows first[r] .. of blocks.get(r)
        private final int[] before;                   // rows of the runs before run r; before[runs] = count
        private final int in;
        private final int k;

        private Runs(List<RowBlocks.Block> blocks, int[] first, int[] before, int in, int k) {
            this.blocks = blocks;
            this.first = first;
            this.before = before;
            this.in = in;
            this.k = k;
        }

        static Runs of(List<RowBlocks.Block> sorted, long start, long end, int in, int k) {
            List<RowBlocks.Block> holding = new ArrayList<>();
            int[] first = new int[sorted.size()];
            int[] before = new int[sorted.size() + 1];
            long previousEnd = -1;
            boolean contiguous = true;
            long firstPosition = 0;
            for (RowBlocks.Block block : sorted) {
                long from = Math.max(start, block.firstRow());
                long to = Math.min(end, block.firstRow() + block.rows());
                if (from >= to) {
                    continue;
                }
                int r = holding.size();
                if (r == 0) {
                    firstPosition = from;
                } else if (from != previousEnd) {
                    contiguous = false;
                }
                previousEnd = to;
                holding.add(block);
                first[r] = (int) (from - block.firstRow());
                before[r + 1] = before[r] + (int) (to - from);
            }
            int runs = holding.size();
            Runs result = new Runs(holding, Arrays.copyOf(first, runs), Arrays.copyOf(before,
                    runs + 1), in, k);
            result.count = before[runs];
            result.firstPosition = firstPosition;
            result.contiguous = contiguous;
            return result;
        }

        @Override
        public void read(int from, int n, float[] x, float[] y) {
            int r = Arrays.binarySearch(before, from);
            r = r >= 0 ? r : -r - 2;        // the run holding index `from`
            while (before[r + 1] <= from) {  // equal entries: runs of no rows
                r++;
            }
            int done = 0;
            while (done < n) {
                int offset = from + done - before[r];
                int m = Math.min(n - done, before[r + 1] - before[r] - offset);
                RowBlocks.Block block = blocks.get(r);
                int row = first[r] + offset;
                System.arraycopy(block.x(), row * in, x, done * in, m * in);
                System.arraycopy(block.y(), row * k, y, done * k, m * k);
                done += m;
                r++;
            }
        }

        @Override
        public boolean weights(int from, int n, float[] w) {
            if (blocks.isEmpty() || blocks.get(0).w() == null) {
                return false;
            }
            int r = Arrays.binarySearch(before, from);
            r = r >= 0 ? r : -r - 2;
            while (before[r + 1] <= from) {
                r++;
            }
            int done = 0;
            while (done < n) {
                int offset = from + done - before[r];
                int m = Math.min(n - done, before[r + 1] - before[r] - offset);
                System.arraycopy(blocks.get(r).w(), first[r] + offset, w, done, m);
                done += m;
                r++;
            }
            return true;
        }
    }

    /** Shuffled positions: the rows picked one by one and sorted by position. */
    private static final class Scattered extends Rows {
        private final List<RowBlocks.Block> blocks;
        private final int[] offsets;
        private final long[] picked;   // (position << 32) | partition row, sorted by position
        private final int in;
        private final int k;

        private Scattered(List<RowBlocks.Block> blocks, int[] offsets, long[] picked, int in, int k) {
            this.blocks = blocks;
            this.offsets = offsets;
            this.picked = picked;
            this.in = in;
            this.k = k;
            this.count = picked.length;
            this.firstPosition = count == 0 ? 0 : picked[0] >>> 32;
            this.contiguous = count == 0 || (picked[count - 1] >>> 32) - firstPosition == count - 1;
        }

        static Scattered of(List<RowBlocks.Block> list, int[] pos, long start, long end, int in, int k) {
            int[] offsets = new int[list.size() + 1];   // row i of the partition is row i − offsets[b] of block b
            for (int b = 0; b < list.size(); b++) {
                offsets[b + 1] = offsets[b] + list.get(b).rows();
            }
            long[] picked = new long[offsets[list.size()]];
            int count = 0;
            for (int b = 0; b < list.size(); b++) {
                RowBlocks.Block block = list.get(b);
                for (int r = 0; r < block.rows(); r++) {
                    long p = pos[(int) (block.firstRow() + r)];
                    if (p >= start && p < end) {
                        picked[count++] = (p << 32) | (offsets[b] + r);
                    }
                }
            }
            Arrays.sort(picked, 0, count);
            return new Scattered(list, offsets, Arrays.copyOf(picked, count), in, k);
        }

        @Override
        public void read(int from, int n, float[] x, float[] y) {
            int b = 0;
            for (int i = 0; i < n; i++) {
                int row = (int) picked[from + i];   // the low 32 bits: the partition row
                while (row >= offsets[b + 1]) {
                    b++;
                }
                while (row < offsets[b]) {
                    b--;
                }
                int local = row - offsets[b];
                RowBlocks.Block block = blocks.get(b);
                System.arraycopy(block.x(), local * in, x, i * in, in);
                System.arraycopy(block.y(), local * k, y, i * k, k);
            }
        }

        @Override
        public boolean weights(int from, int n, float[] w) {
            if (blocks.isEmpty() || blocks.get(0).w() == null) {
                return false;
            }
            int b = 0;
            for (int i = 0; i < n; i++) {
                int row = (int) picked[from + i];
                while (row >= offsets[b + 1]) {
                    b++;
                }
                while (row < offsets[b]) {
                    b--;
                }
                w[i] = blocks.get(b).w()[row - offsets[b]];
            }
            return true;
        }
    }
}

package dev.gradus.spark;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Parameters;
import dev.gradus.train.BlockedPass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * One step's work on one partition: the rows of the batch that the partition holds go through
 * the core {@link Network#forward forward pass}, {@link Loss#valueAndBackwardStart the loss} and
 * the {@link Network#backward backward pass} at the broadcast {@code θ}, and the partition
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
final class PartitionPass implements FlatMapFunction<Iterator<RowBlocks.Block>, GradientSum> {
    private static final long serialVersionUID = 1L;

    /** Called at the start of every task; tests inject faults through it. */
    interface TaskHook extends Serializable {
        void beforePartition(TaskContext context);
    }

    private final int inputs;
    private final int[] widths;          // outputs of layer m = 0..n
    private final String[] activations;  // φᵐ by name
    private final String loss;
    private final Broadcast<float[]> theta;
    private final Broadcast<int[]> positions;   // null: position = row number
    private final long start;
    private final long end;
    private final double dropout;
    private final long seed;
    private final int epoch;
    private final int step;
    private final TaskHook hook;

    PartitionPass(Network network, Loss loss, Broadcast<float[]> theta, Broadcast<int[]> positions, long start,
                  long end, double dropout, long seed, int epoch, int step, TaskHook hook) {
        this.inputs = network.inputs();
        this.widths = network.layers().stream().mapToInt(Dense::outputs).toArray();
        this.activations = network.layers().stream().map(d -> d.activation().toString()).toArray(String[]::new);
        this.loss = loss.name();
        this.theta = theta;
        this.positions = positions;
        this.start = start;
        this.end = end;
        this.dropout = dropout;
        this.seed = seed;
        this.epoch = epoch;
        this.step = step;
        this.hook = hook;
    }

    @Override
    public Iterator<GradientSum> call(Iterator<RowBlocks.Block> blocks) {
        if (hook != null) {
            hook.beforePartition(TaskContext.get());
        }
        Network network = network(theta.value());
        int size = network.parameters().size();
        Selection rows = select(blocks, positions == null ? null : positions.value());
        double[] sum = new double[size];
        double lossSum = 0;
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
            }
        }
        return List.of(GradientSum.of(sum, lossSum, rows.count)).iterator();
    }

    /**
     * The partition's rows of the batch, in position order, as a reader of consecutive ranges:
     * the rows whose position lies in {@code [start, end)}.
     */
    private Selection select(Iterator<RowBlocks.Block> blocks, int[] pos) {
        List<RowBlocks.Block> list = new ArrayList<>();
        blocks.forEachRemaining(list::add);
        list.sort(Comparator.comparingLong(RowBlocks.Block::firstRow));
        int[] offsets = new int[list.size() + 1];   // row i of the partition is row i − offsets[b] of block b
        for (int b = 0; b < list.size(); b++) {
            offsets[b + 1] = offsets[b] + list.get(b).rows();
        }
        long[] picked;   // (position << 32) | partition row, sorted by position
        int count = 0;
        if (pos == null) {
            picked = new long[offsets[list.size()]];
            for (int b = 0; b < list.size(); b++) {
                RowBlocks.Block block = list.get(b);
                long from = Math.max(start, block.firstRow());
                long to = Math.min(end, block.firstRow() + block.rows());
                for (long p = from; p < to; p++) {
                    picked[count++] = (p << 32) | (offsets[b] + (p - block.firstRow()));
                }
            }
        } else {
            picked = new long[offsets[list.size()]];
            for (int b = 0; b < list.size(); b++) {
                RowBlocks.Block block = list.get(b);
                for (int r = 0; r < block.rows(); r++) {
                    long p = pos[(int) (block.firstRow() + r)];
                    if (p >= start && p < end) {
                        picked[count++] = (p << 32) | (offsets[b] + r);
                    }
                }
            }
        }
        Arrays.sort(picked, 0, count);
        return new Selection(list, offsets, Arrays.copyOf(picked, count), inputs, widths[widths.length - 1]);
    }

    /** The selected rows, read for {@link BlockedPass} by index in position order. */
    private static final class Selection implements BlockedPass.Reader {
        private final List<RowBlocks.Block> blocks;
        private final int[] offsets;
        private final long[] picked;
        private final int in;
        private final int k;
        final int count;
        final long firstPosition;
        final boolean contiguous;

        Selection(List<RowBlocks.Block> blocks, int[] offsets, long[] picked, int in, int k) {
            this.blocks = blocks;
            this.offsets = offsets;
            this.picked = picked;
            this.in = in;
            this.k = k;
            this.count = picked.length;
            this.firstPosition = count == 0 ? 0 : picked[0] >>> 32;
            this.contiguous = count == 0 || (picked[count - 1] >>> 32) - firstPosition == count - 1;
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
    }

    private Network network(float[] values) {
        List<Dense> layers = new ArrayList<>();
        int in = inputs;
        for (int m = 0; m < widths.length; m++) {
            layers.add(new Dense(in, widths[m], Activation.parse(activations[m])));
            in = widths[m];
        }
        Parameters p = Network.zeroParameters(layers);
        System.arraycopy(values, 0, p.values(), 0, values.length);
        return Network.of(layers, p);
    }
}

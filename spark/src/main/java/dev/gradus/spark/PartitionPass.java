package dev.gradus.spark;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.tensor.Parameters;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
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
 * A partition visits its batch rows in position order, in chunks of at most
 * {@code chunkRows}, so one partition holding a whole batch computes exactly what
 * {@link dev.gradus.train.Trainer} computes for it.
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
    private final int chunkRows;
    private final double dropout;
    private final long seed;
    private final int epoch;
    private final int step;
    private final TaskHook hook;

    PartitionPass(Network network, Loss loss, Broadcast<float[]> theta, Broadcast<int[]> positions, long start,
                  long end, int chunkRows, double dropout, long seed, int epoch, int step, TaskHook hook) {
        this.inputs = network.inputs();
        this.widths = network.layers().stream().mapToInt(Dense::outputs).toArray();
        this.activations = network.layers().stream().map(d -> d.activation().toString()).toArray(String[]::new);
        this.loss = loss.name();
        this.theta = theta;
        this.positions = positions;
        this.start = start;
        this.end = end;
        this.chunkRows = chunkRows;
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
        Loss l = Loss.parse(loss);
        int[] pos = positions == null ? null : positions.value();
        int k = widths[widths.length - 1];
        GradientSum sum = GradientSum.zero(network.parameters().size());
        float[] dTheta = new float[network.parameters().size()];
        Workspace w = null;
        float[] xChunk = null;
        float[] yChunk = null;
        while (blocks.hasNext()) {
            RowBlocks.Block b = blocks.next();
            int[] rows = selected(b, pos);   // local row indices in position order
            for (int from = 0; from < rows.length; from += chunkRows) {
                int n = Math.min(chunkRows, rows.length - from);
                if (w == null) {
                    int capacity = Math.min(chunkRows, Math.max(n, rows.length));
                    w = network.workspace(capacity, Kernels.singleThreaded());
                    xChunk = new float[capacity * inputs];
                    yChunk = new float[capacity * k];
                } else if (n > w.capacity()) {
                    w = network.workspace(n, Kernels.singleThreaded());
                    xChunk = new float[n * inputs];
                    yChunk = new float[n * k];
                }
                for (int r = 0; r < n; r++) {
                    int row = rows[from + r];
                    System.arraycopy(b.x(), row * inputs, xChunk, r * inputs, inputs);
                    System.arraycopy(b.y(), row * k, yChunk, r * k, k);
                }
                if (dropout > 0) {
                    // The masks of a chunk are drawn from the position of its first row in the
                    // batch: a whole batch in one chunk gets the single-JVM trainer's masks.
                    long offset = position(b, rows[from], pos) - start;
                    w.dropout(dropout, seed + 0x9E3779B97F4A7C15L * offset, epoch, step);
                }
                network.forward(xChunk, 0, n, w);
                double value = l.valueAndBackwardStart(w, yChunk, 0);
                if (!Double.isFinite(value)) {
                    sum.addMean(new float[dTheta.length], value, n);    // the driver sees ℓ is not finite
                    continue;
                }
                network.backward(xChunk, 0, w, dTheta);
                sum.addMean(dTheta, value, n);
            }
        }
        return List.of(sum).iterator();
    }

    /** The local indices of the block's rows in {@code [start, end)}, by position. */
    private int[] selected(RowBlocks.Block b, int[] pos) {
        if (pos == null) {
            long from = Math.max(start, b.firstRow());
            long to = Math.min(end, b.firstRow() + b.rows());
            int count = (int) Math.max(0, to - from);
            int[] rows = new int[count];
            for (int r = 0; r < count; r++) {
                rows[r] = (int) (from - b.firstRow()) + r;
            }
            return rows;
        }
        List<long[]> picked = new ArrayList<>();
        for (int r = 0; r < b.rows(); r++) {
            int p = pos[(int) (b.firstRow() + r)];
            if (p >= start && p < end) {
                picked.add(new long[] {p, r});
            }
        }
        long[][] sorted = picked.toArray(new long[0][]);
        Arrays.sort(sorted, (a, c) -> Long.compare(a[0], c[0]));
        int[] rows = new int[sorted.length];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (int) sorted[i][1];
        }
        return rows;
    }

    private static long position(RowBlocks.Block b, int localRow, int[] pos) {
        long row = b.firstRow() + localRow;
        return pos == null ? row : pos[(int) row];
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

package dev.gradus.train;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The loss and gradient of a batch of rows, passed forward and backward in blocks of
 * {@link #BLOCK_ROWS} rows: the pass that every trainer runs, in one JVM, over a disk cache or
 * on a Spark partition.
 *
 * <p>Block {@code j} holds rows {@code [jB, (j+1)B)} of the batch ({@code B = BLOCK_ROWS}, the
 * last block shorter). Each block is the core forward pass, the loss and the backward pass,
 * which give its mean loss {@code Lⱼ} and mean gradient {@code gⱼ} (float32) over its
 * {@code nⱼ} rows; the batch's values are sums in {@code double}, in block order:
 * <pre>
 * ℓ = (Σⱼ nⱼ·Lⱼ) / N        ∂ℓ/∂θ = float( (Σⱼ nⱼ·gⱼ) / N )
 * </pre>
 * {@code nⱼ·gⱼ} is exact in {@code double}, so a batch of one block gives {@code g₀} bit for
 * bit, as an unblocked pass would.
 *
 * <p>When the {@link Reader} gives row weights {@code wᵢ} (sample and class weights), each
 * block's loss is the weighted mean {@code Lⱼ = Σᵢ wᵢ Lᵢ / Wⱼ} with {@code Wⱼ = Σᵢ wᵢ} over its
 * rows, and {@code Wⱼ} takes the place of {@code nⱼ} and {@code W = Σⱼ Wⱼ} that of {@code N}:
 * <pre>
 * ℓ = (Σⱼ Wⱼ·Lⱼ) / W = Σᵢ wᵢ Lᵢ / Σᵢ wᵢ        ∂ℓ/∂θ = float( (Σⱼ Wⱼ·gⱼ) / W )
 * </pre>
 * Unweighted rows have {@code Wⱼ = nⱼ}, and the loss's weighted form with every weight 1 is its
 * unweighted form bit for bit, so weights of 1 give exactly the unweighted bits. A batch whose
 * weights are all 0 has loss 0 and gradient 0. {@code B} is a constant (DESIGN §3): never derived from the
 * heap, the workspace, the thread count or the partitioning, so the same rows give the same bits
 * everywhere; a Spark partition that holds whole blocks in the same order computes the same
 * sums. A block's working set (its rows, {@code Zᵐ}, {@code Aᵐ}, {@code G} and {@code Δ}) stays
 * in cache: a full-batch epoch streams each row once instead of writing and re-reading
 * activation buffers as large as the data.
 *
 * <p>With {@code threads > 1}, blocks run side by side, one per thread (single-threaded products):
 * each thread claims the next block not yet taken and leaves its {@code gⱼ} in one of
 * {@link #SLOTS_PER_THREAD}{@code × threads} result slots, and the calling thread adds the slots
 * in block order as they fill, so the result does not depend on the thread count or on which
 * thread ran which block. A thread that the operating system holds back delays the sum only once
 * the others have filled every slot, not at every block. A batch of one block uses
 * {@code threads} cores inside its products instead.
 *
 * <p>Not thread-safe: one pass belongs to one trainer. It reads {@code θ} from the network it
 * was made for at every call.
 *
 * <pre>{@code
 * try (BlockedPass pass = new BlockedPass(network, Loss.CROSS_ENTROPY, rows, 2)) {
 *     double loss = pass.lossAndGradient((from, n, x, y) -> copyRows(from, n, x, y), rows, dTheta);
 * }
 * }</pre>
 */
public final class BlockedPass implements AutoCloseable {

    /**
     * Rows per block, {@code B}. 1024 rows of a 20 → 32 → 2 network are ~600 KB of rows and
     * activations, inside a 1 MiB L2 cache; wider networks spill to L3 but keep the products
     * large enough for the kernels' full speed. A constant: changing it changes the rounding of
     * every batch larger than one block.
     */
    public static final int BLOCK_ROWS = 1024;

    /** Result slots per thread: how far the threads may run ahead of the block-order sum. */
    static final int SLOTS_PER_THREAD = 4;

    /**
     * Rows {@code [from, from + n)} of a batch, in the batch's order, copied into {@code x}
     * ({@code n × inputs}) and {@code y} ({@code n × outputs}) from index 0. May be called from
     * several threads at once for disjoint ranges.
     */
    @FunctionalInterface
    public interface Reader {
        void read(int from, int n, float[] x, float[] y);

        /**
         * The weights {@code wᵢ ≥ 0} of rows {@code [from, from + n)} copied into {@code w} from
         * index 0, returning true; or false, leaving {@code w} alone, when the rows are unweighted
         * (every {@code wᵢ = 1}), which the default says.
         */
        default boolean weights(int from, int n, float[] w) {
            return false;
        }
    }

    private final Network network;
    private final Loss loss;
    private final int threads;
    private final int size;
    private final Block single;          // a batch of one block: products over `threads` cores
    private Block[] blocks;              // a batch of several: one block per thread, made on first use
    private Result[] slots;              // block j's result in slot j mod slots.length
    private double[] sum;                // Σⱼ Wⱼ·gⱼ
    private double weight;               // W = Σⱼ Wⱼ of the last call
    private ExecutorService pool;
    private Future<?>[] running;
    private double dropout;
    private long seed;
    private int epoch;
    private int step;

    /**
     * A pass for {@code network} (whose parameters it reads at every call) under {@code loss},
     * for batches of up to {@code batchRows} rows, over up to {@code threads} cores.
     */
    public BlockedPass(Network network, Loss loss, int batchRows, int threads) {
        if (batchRows < 1 || threads < 1) {
            throw new IllegalArgumentException("batchRows and threads must be at least 1, got " + batchRows + " and "
                    + threads);
        }
        this.network = network;
        this.loss = loss;
        this.threads = threads;
        this.size = network.parameters().size();
        this.single = new Block(network, Math.min(batchRows, BLOCK_ROWS), Kernels.create(threads), size);
    }

    /**
     * Inverted dropout at {@code rate} for the following calls, masks drawn from
     * {@code (seed, epoch, step)} and each row's place in the batch; rate 0 turns it off.
     */
    public void dropout(double rate, long seed, int epoch, int step) {
        this.dropout = rate;
        this.seed = seed;
        this.epoch = epoch;
        this.step = step;
    }

    /**
     * The mean loss {@code ℓ} of the batch's {@code count} rows and the mean gradient
     * {@code ∂ℓ/∂θ} into {@code dTheta} (overwritten), weighted by the reader's row weights if it
     * gives them. A non-finite loss is returned as it is, with {@code dTheta} unspecified.
     */
    public double lossAndGradient(Reader batch, int count, float[] dTheta) {
        if (dTheta.length != size) {
            throw new IllegalArgumentException("gradient array holds " + dTheta.length + " values, the network has "
                    + size + " parameters");
        }
        if (count <= BLOCK_ROWS) {
            weightsChanged();
            // One block: its mean is the batch's mean (Wⱼ·gⱼ/Wⱼ = gⱼ exactly; the loss goes
            // through the same double arithmetic as the blocked sum).
            single.run(network, loss, batch, 0, count, dropout, seed, epoch, step);
            weight = single.weight;
            if (weight == 0) {
                java.util.Arrays.fill(dTheta, 0f);
                return 0;
            }
            System.arraycopy(single.g, 0, dTheta, 0, size);
            return single.value * weight / weight;
        }
        if (sum == null) {
            sum = new double[size];
        }
        java.util.Arrays.fill(sum, 0);
        double lossSum = accumulate(batch, count, 0, sum);
        if (weight == 0) {
            java.util.Arrays.fill(dTheta, 0f);
            return 0;
        }
        for (int i = 0; i < size; i++) {
            dTheta[i] = (float) (sum[i] / weight);
        }
        return lossSum / weight;
    }

    /**
     * {@code W = Σᵢ wᵢ} over the rows of the last {@link #lossAndGradient} or {@link #accumulate}:
     * the row count when the rows are unweighted.
     */
    public double weight() {
        return weight;
    }

    /**
     * Adds {@code Σⱼ Wⱼ·gⱼ} over the blocks of rows {@code [0, count)} of {@code batch} into
     * {@code sum} (laid out as {@code θ}) and returns {@code Σⱼ Wⱼ·Lⱼ}: the sums a Spark partition
     * returns ({@code Wⱼ = nⱼ} for unweighted rows; {@link #weight()} then gives {@code Σⱼ Wⱼ}).
     * Row 0 of {@code batch} is row {@code firstRow} of the step's batch, for the dropout
     * masks. A block with a non-finite loss adds its loss (making the total non-finite) and no
     * gradient.
     */
    public double accumulate(Reader batch, int count, long firstRow, double[] sum) {
        if (sum.length != size) {
            throw new IllegalArgumentException("sum array holds " + sum.length + " values, the network has "
                    + size + " parameters");
        }
        int blockCount = (count + BLOCK_ROWS - 1) / BLOCK_ROWS;
        weightsChanged();
        if (threads == 1 || blockCount == 1) {
            Block b = single.capacity == BLOCK_ROWS || count <= single.capacity ? single : block(0);
            double lossSum = 0;
            double weightSum = 0;
            for (int j = 0; j < blockCount; j++) {
                int from = j * BLOCK_ROWS;
                int n = Math.min(BLOCK_ROWS, count - from);
                b.run(network, loss, batch, from, n, dropout, seed, epoch, step, firstRow);
                lossSum += b.addTo(sum);
                weightSum += b.weight;
            }
            weight = weightSum;
            return lossSum;
        }
        if (slots == null) {
            slots = new Result[SLOTS_PER_THREAD * threads];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = new Result(size);
            }
        }
        Schedule schedule = new Schedule(blockCount, slots.length);
        int helpers = Math.min(threads, blockCount) - 1;
        for (int t = 1; t <= helpers; t++) {
            Block b = block(t);
            running[t] = pool().submit(() -> {
                try {
                    for (int j = schedule.claim(); j >= 0; j = schedule.claim()) {
                        runBlock(b, batch, j, count, firstRow);
                        schedule.done(j);
                    }
                } catch (RuntimeException | Error e) {
                    schedule.fail(e);
                    throw e;
                }
            });
        }
        double lossSum = 0;
        double weightSum = 0;
        try {
            // This thread adds block j = added as soon as it is there, and runs blocks itself
            // while it waits; the sum is in block order whichever thread ran which block.
            for (int added = 0; added < blockCount; ) {
                if (schedule.ready(added)) {
                    Result r = slots[added % slots.length];
                    lossSum += r.addTo(sum);
                    weightSum += r.weight;
                    schedule.consumed(added);
                    added++;
                    continue;
                }
                int j = schedule.tryClaim();
                if (j >= 0) {
                    runBlock(block(0), batch, j, count, firstRow);
                    schedule.done(j);
                } else {
                    schedule.awaitReady(added);
                }
            }
        } finally {
            schedule.stop();
            for (int t = 1; t <= helpers; t++) {
                await(running[t]);
            }
        }
        weight = weightSum;
        return lossSum;
    }

    /** θ may have changed since the last batch; within a batch each Wᵐ is packed once per workspace. */
    private void weightsChanged() {
        single.w.weightsChanged();
        if (blocks != null) {
            for (Block b : blocks) {
                if (b != null) {
                    b.w.weightsChanged();
                }
            }
        }
    }

    /** Runs block {@code j} of the batch on {@code b}, its result into slot {@code j mod slots}. */
    private void runBlock(Block b, Reader batch, int j, int count, long firstRow) {
        int from = j * BLOCK_ROWS;
        b.run(network, loss, batch, from, Math.min(BLOCK_ROWS, count - from), dropout, seed, epoch, step, firstRow);
        slots[j % slots.length].take(b);
    }

    private Block block(int t) {
        if (blocks == null) {
            blocks = new Block[threads];
            running = new Future<?>[threads];
        }
        if (blocks[t] == null) {
            blocks[t] = new Block(network, BLOCK_ROWS, Kernels.singleThreaded(), size);
        }
        return blocks[t];
    }

    private ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "gradus-blocks");
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private static void await(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while passing blocks", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the threads, if any were started. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    /**
     * Who runs which block of a batch, and which results wait to be added: blocks are claimed in
     * order, block {@code j} may start once block {@code j − slots} has been added (its slot is
     * free), and the adding thread waits for block {@code added} when it has nothing to run.
     */
    private static final class Schedule {
        private final int count;
        private final int slots;
        private final boolean[] filled;   // slot j mod slots holds block j's result, not yet added
        private int next;                 // the next block to claim
        private int added;                // blocks added so far
        private boolean stopped;
        private Throwable failure;

        Schedule(int count, int slots) {
            this.count = count;
            this.slots = slots;
            this.filled = new boolean[slots];
        }

        /** The next block, waiting for its slot; -1 when every block is taken or the pass stopped. */
        synchronized int claim() {
            while (!stopped && next < count && next - added >= slots) {
                waitHere();
            }
            return stopped || next >= count ? -1 : next++;
        }

        /** The next block if its slot is free now, else -1. */
        synchronized int tryClaim() {
            return !stopped && next < count && next - added < slots ? next++ : -1;
        }

        synchronized void done(int j) {
            filled[j % slots] = true;
            notifyAll();
        }

        synchronized boolean ready(int j) {
            rethrow();
            return filled[j % slots];
        }

        /** Waits until block {@code j} is done, or a slot frees for a block to claim. */
        synchronized void awaitReady(int j) {
            while (!filled[j % slots] && failure == null && !(next < count && next - added < slots)) {
                waitHere();
            }
            rethrow();
        }

        synchronized void consumed(int j) {
            filled[j % slots] = false;
            added = j + 1;
            notifyAll();
        }

        synchronized void fail(Throwable e) {
            failure = e;
            notifyAll();
        }

        /** No more blocks are handed out (the pass ended, or failed). */
        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        private void rethrow() {
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        }

        private void waitHere() {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
                throw new IllegalStateException("interrupted while passing blocks", e);
            }
        }
    }

    /** One block's result waiting in a slot to be added: {@code gⱼ}, {@code Lⱼ} and {@code Wⱼ}. */
    private static final class Result {
        final float[] g;
        double value;
        double weight;

        Result(int size) {
            this.g = new float[size];
        }

        void take(Block b) {
            System.arraycopy(b.g, 0, g, 0, g.length);
            value = b.value;
            weight = b.weight;
        }

        /** {@code sum += Wⱼ·gⱼ} (skipped for a non-finite loss); returns {@code Wⱼ·Lⱼ}. */
        double addTo(double[] sum) {
            if (Double.isFinite(value)) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += (double) g[i] * weight;
                }
            }
            return value * weight;
        }
    }

    /** One block's buffers and results: its rows, weights, workspace, mean gradient and mean loss. */
    private static final class Block {
        final int capacity;
        final Workspace w;
        final float[] x;
        final float[] y;
        final float[] rowWeights;  // wᵢ of the block's rows, when the reader gives them
        final float[] g;           // gⱼ, the block's mean gradient
        double value;              // Lⱼ, the block's mean loss
        double weight;             // Wⱼ = Σᵢ wᵢ, or nⱼ for unweighted rows

        Block(Network network, int capacity, Kernels kernels, int size) {
            this.capacity = capacity;
            this.w = network.workspace(capacity, kernels);
            w.keepPackedWeights();        // accumulate says when θ changes
            this.x = new float[capacity * network.inputs()];
            this.y = new float[capacity * network.outputs()];
            this.rowWeights = new float[capacity];
            this.g = new float[size];
        }

        void run(Network network, Loss loss, Reader batch, int from, int n, double dropout, long seed, int epoch,
                 int step) {
            run(network, loss, batch, from, n, dropout, seed, epoch, step, 0);
        }

        void run(Network network, Loss loss, Reader batch, int from, int n, double dropout, long seed, int epoch,
                 int step, long firstRow) {
            batch.read(from, n, x, y);
            float[] weights = batch.weights(from, n, rowWeights) ? rowWeights : null;
            if (dropout > 0) {
                w.dropout(dropout, seed, epoch, step, firstRow + from);
            } else {
                w.noDropout();
            }
            weight = Loss.weightSum(weights, n);
            network.forward(x, 0, n, w, loss);
            value = loss.valueAndBackwardStart(w, y, 0, weights);
            if (Double.isFinite(value)) {
                network.backward(x, 0, w, g);
            }
        }

        /** {@code sum += Wⱼ·gⱼ} (skipped for a non-finite loss); returns {@code Wⱼ·Lⱼ}. */
        double addTo(double[] sum) {
            if (Double.isFinite(value)) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += (double) g[i] * weight;
                }
            }
            return value * weight;
        }
    }
}

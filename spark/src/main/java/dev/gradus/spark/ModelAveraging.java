package dev.gradus.spark;

import dev.gradus.internal.RowOrder;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.Clipping;
import dev.gradus.train.EarlyStopping;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingDivergedException;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationRows;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Local SGD with periodic model averaging ({@code gradus-spark train --sync-every K}): the
 * scalable mini-batch mode. It is <b>not</b> the single-machine training of the exact mode; it
 * trades exactness for one Spark job per {@code K} mini-batch steps instead of one per step.
 *
 * <p>A round starts from the driver's parameters {@code θ} and optimizer state {@code s}, which
 * travel inside the round's one Spark job ({@link OrderedSum#eachPartition}). Every
 * partition {@code p} runs up to {@code K} steps of the core optimizer on mini-batches of
 * {@code B} of its own rows (the core {@link BlockedPass}, clipping, the epoch's learning rate),
 * visiting its {@code nₚ} rows in the order {@link RowOrder#epoch} draws from
 * {@code (seedₚ, epoch)} ({@code seed₀} = the run's seed), and returns {@code θₚ}, {@code sₚ} and
 * {@code Wₚ}, the rows (or row weight) it passed in the round. The driver then sets
 * <pre>
 * θ = float( Σₚ Wₚ θₚ / Σₚ Wₚ )        s = the same weighted mean of the state's arrays (counts: the largest)
 * </pre>
 * adding the partitions in partition order, so the same seed, rows and partitioning give the
 * same bits, task retries included. An epoch is {@code ⌈maxₚ ⌈nₚ/B⌉ / K⌉} rounds: every
 * partition passes its rows once; one that has passed them all sits out the epoch's last rounds.
 * The epoch's loss is the mean of the steps' batch losses weighted by their rows, as in
 * {@link Trainer}; its {@code steps} are the optimizer steps the partitions took (on one
 * partition, {@link Trainer}'s), and a listener's {@code onBatch} hears after every round the
 * epoch's steps so far (capped at {@code ⌈N/B⌉}, so that a progress bar fills as the rows pass).
 *
 * <p>With one partition the average is that partition's model and state, so the run is
 * {@link Trainer}'s, step for step, bit for bit, whatever {@code K} (tested). Validation,
 * early stopping and checkpoints ({@link EarlyStopping}, shared with {@link Trainer}), the
 * schedule, dropout, clipping ({@link Clipping}), row weights and the divergence rule are
 * {@link Trainer}'s; full-batch methods (L-BFGS, Rprop) are refused.
 */
final class ModelAveraging {
    /** The training record's key for {@code K} in a model file trained this way. */
    static final String SYNC_EVERY = "sync_every";

    private final TrainingOptions options;
    private final int syncEvery;
    private final List<TrainingListener> listeners;
    private final CheckpointListener checkpoints;   // or null

    ModelAveraging(TrainingOptions options, int syncEvery, List<TrainingListener> listeners) {
        if (syncEvery < 1) {
            throw new IllegalArgumentException("sync every must be at least 1 step, got " + syncEvery);
        }
        if (options.optimizer().fullBatch()) {
            throw new IllegalArgumentException("--sync-every needs a mini-batch optimizer (sgd, momentum, nesterov, "
                    + "rmsprop, adam, adamw); " + options.optimizer().name() + " works on the full batch");
        }
        if (options.batchSize() == 0) {
            throw new IllegalArgumentException("--sync-every needs mini-batches: give --batch-size above 0 "
                    + "(the rows of one partition's step)");
        }
        CheckpointListener c = null;
        for (TrainingListener l : listeners) {
            if (l instanceof CheckpointListener cl) {
                if (c != null) {
                    throw new IllegalArgumentException("a trainer takes one checkpoint listener; one is added already");
                }
                if (cl.every() < 1) {
                    throw new IllegalArgumentException("checkpoint listener: every must be at least 1 epoch, got "
                            + cl.every());
                }
                c = cl;
            }
        }
        this.options = options;
        this.syncEvery = syncEvery;
        this.listeners = List.copyOf(listeners);
        this.checkpoints = c;
    }

    /**
     * Trains a copy of {@code initial} on the rows of {@code source}, scoring {@code validation}
     * (or null) after every epoch. A checkpoint listener receives the state after an epoch (the
     * averaged {@code θ} and optimizer state, and {@link EarlyStopping}'s), and a run resumed from
     * it takes the uninterrupted run's rounds bit for bit: each round starts from the driver's
     * state, and each partition's order is drawn from {@code (seedₚ, epoch)}. The checkpoint's
     * settings add {@value #SYNC_EVERY} to the exact mode's, so neither resumes the other.
     */
    Trainer.Result fit(Network initial, SparkRows source, ValidationRows validation) {
        RowBlocks train = source.blocks();
        Network network = initial.copy();
        List<EpochStats> epochs = new ArrayList<>();
        Loss loss = options.loss();
        loss.checkOutput(network.layer(network.layerCount() - 1).activation(), network.outputs());
        EarlyStopping stopping = new EarlyStopping(options, validation != null, network.parameters().size(),
                checkpoints != null);
        Checkpoint from = checkpoints == null ? null : checkpoints.resumeFrom().orElse(null);
        if ((options.epochs() == 0 || train.rows() == 0) && from == null) {
            return new Trainer.Result(network, new History(epochs));
        }
        Map<String, String> settings = null;
        if (checkpoints != null) {
            settings = new TreeMap<>(options.settings());
            settings.putAll(source.fingerprint());
            if (validation != null) {
                settings.put("validation_rows_sha256", validation.sha256());
            }
            settings.put(SYNC_EVERY, Integer.toString(syncEvery));
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.blocks().context());
        long[] counts = partitionRows(train);
        int b = options.batchSize();
        long maxSteps = 0;
        for (long n : counts) {
            maxSteps = Math.max(maxSteps, (n + b - 1) / b);
        }
        int rounds = (int) ((maxSteps + syncEvery - 1) / syncEvery);
        // what a progress bar counts an epoch in: gradus train's steps of B rows over all the rows
        long stepsOfAllRows = (train.rows() + b - 1) / b;

        Optimizer optimizer = options.optimizer();
        float[] theta = network.parameters().values();
        State state = State.of(optimizer.init(theta.length).snapshot());
        if (from != null) {
            from.checkResumes(network, settings, options.epochs());
            System.arraycopy(from.network().parameters().values(), 0, theta, 0, theta.length);
            state = State.of(from.optimizer());
            epochs.addAll(from.history().epochs());
            stopping.resume(from);
        }
        Steps task = new Steps(options, syncEvery);
        for (int epoch = epochs.size() + 1; epoch <= options.epochs() && !stopping.stopped(); epoch++) {
            long started = System.nanoTime();
            double lr = optimizer.learningRate() * options.schedule().factor(epoch - 1);
            double lossSum = 0;
            double weightSum = 0;
            int steps = 0;   // the epoch's optimizer steps, over all partitions
            for (int round = 0; round < rounds; round++) {
                // one job straight on the cached rows; θ and the state travel in the task (in
                // broadcasts of their own for a network past TaskNetwork.THETA_IN_TASK parameters)
                TaskNetwork t = TaskNetwork.of(sc, network);
                Broadcast<State> s = network.parameters().size() > TaskNetwork.THETA_IN_TASK ? sc.broadcast(state) : null;
                List<Local> locals;   // in partition order
                try {
                    locals = OrderedSum.eachPartition(train.blocks(), new Round(task, t, s == null ? state : null, s,
                            epoch, round, lr, options.epochs()), Local.class);
                } finally {
                    t.release();
                    if (s != null) {
                        s.destroy();
                    }
                }
                double roundLoss = 0;
                double roundWeight = 0;
                for (Local l : locals) {
                    if (l.diverged()) {   // θ is still the round's start: the last good weights
                        // the partition's steps of the epoch: K in each round before, then the round's
                        int step = round * syncEvery + l.losses().length;
                        throw new TrainingDivergedException(epoch, step, " of partition " + l.partition() + ", in round "
                                + (round + 1) + " of model averaging every " + syncEvery + " steps",
                                l.losses()[l.losses().length - 1],
                                new Trainer.Result(network, new History(epochs, stopping.bestEpoch(), false)));
                    }
                }
                for (Local l : locals) {   // step by step, as Trainer adds them
                    for (int i = 0; i < l.weights().length; i++) {
                        roundLoss += l.losses()[i] * l.weights()[i];
                        roundWeight += l.weights()[i];
                        lossSum += l.losses()[i] * l.weights()[i];
                        weightSum += l.weights()[i];
                    }
                    steps += l.weights().length;
                }
                if (roundWeight == 0) {
                    continue;
                }
                state = average(locals, theta);
                int done = (int) Math.min(steps, stepsOfAllRows);
                for (int i = 0; i < listeners.size(); i++) {
                    listeners.get(i).onBatch(epoch, done, roundLoss / roundWeight);
                }
            }
            stopping.endEpoch(epoch, lossSum / weightSum, steps, started, lr, network, validation, listeners, epochs);
            if (stopping.checkpointDue(checkpoints, epoch)) {
                // θ is the last good weights too: a round that diverges leaves them as they were
                stopping.checkpoint(checkpoints, settings, network, theta, state.snapshot(), epochs);
            }
        }
        stopping.restoreBest(theta);
        return new Trainer.Result(network, stopping.history(epochs));
    }

    /** The rows each partition holds, in partition order (one small job). */
    static long[] partitionRows(RowBlocks rows) {
        List<long[]> counted = rows.blocks().mapPartitionsWithIndex((Integer p, Iterator<RowBlocks.Block> it) -> {
            long n = 0;
            while (it.hasNext()) {
                n += it.next().rows();
            }
            return List.of(new long[] {p, n}).iterator();
        }, true).collect();
        long[] counts = new long[rows.partitions()];
        for (long[] c : counted) {
            counts[(int) c[0]] = c[1];
        }
        return counts;
    }

    /**
     * Sets {@code theta} to the partitions' weighted mean {@code Σ Wₚθₚ / Σ Wₚ} (in double, added in
     * partition order, rounded once) and returns the mean state; one partition's own arrays are
     * taken as they are.
     */
    static State average(List<Local> locals, float[] theta) {
        List<Local> taking = locals.stream().filter(l -> l.weight() > 0).toList();
        if (taking.size() == 1) {
            System.arraycopy(taking.get(0).theta, 0, theta, 0, theta.length);
            return taking.get(0).state;
        }
        double total = 0;
        for (Local l : taking) {
            total += l.weight();
        }
        double[] sum = new double[theta.length];
        for (Local l : taking) {
            addWeighted(sum, l.theta, l.weight());
        }
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (float) (sum[i] / total);
        }
        TreeMap<String, float[]> floats = new TreeMap<>();
        TreeMap<String, double[]> doubles = new TreeMap<>();
        TreeMap<String, long[]> longs = new TreeMap<>();
        State first = taking.get(0).state;
        for (String name : first.floats.keySet()) {
            double[] acc = new double[first.floats.get(name).length];
            for (Local l : taking) {
                addWeighted(acc, l.state.floats.get(name), l.weight());
            }
            float[] mean = new float[acc.length];
            for (int i = 0; i < acc.length; i++) {
                mean[i] = (float) (acc[i] / total);
            }
            floats.put(name, mean);
        }
        for (String name : first.doubles.keySet()) {
            double[] acc = new double[first.doubles.get(name).length];
            for (Local l : taking) {
                double[] v = l.state.doubles.get(name);
                for (int i = 0; i < acc.length; i++) {
                    acc[i] += l.weight() * v[i];
                }
            }
            for (int i = 0; i < acc.length; i++) {
                acc[i] /= total;
            }
            doubles.put(name, acc);
        }
        for (String name : first.longs.keySet()) {
            long[] max = first.longs.get(name).clone();
            for (Local l : taking) {
                long[] v = l.state.longs.get(name);
                for (int i = 0; i < max.length; i++) {
                    max[i] = Math.max(max[i], v[i]);
                }
            }
            longs.put(name, max);
        }
        return new State(floats, doubles, longs);
    }

    private static void addWeighted(double[] sum, float[] values, double weight) {
        for (int i = 0; i < sum.length; i++) {
            sum[i] += weight * values[i];
        }
    }

    /** An optimizer's state as Spark ships it: {@link Optimizer.Snapshot}'s arrays by name. */
    record State(TreeMap<String, float[]> floats, TreeMap<String, double[]> doubles, TreeMap<String, long[]> longs)
            implements Serializable {
        static State of(Optimizer.Snapshot s) {
            return new State(new TreeMap<>(s.floats()), new TreeMap<>(s.doubles()), new TreeMap<>(s.longs()));
        }

        Optimizer.Snapshot snapshot() {
            return new Optimizer.Snapshot(floats, doubles, longs);
        }
    }

    /**
     * One partition's round: its model {@code θₚ} and state after its steps, and each step's batch
     * loss {@code ℓⱼ} and rows (or row weight) {@code Wⱼ}; a step whose loss is not finite ends the
     * round, last in {@code losses}, with no weight.
     */
    record Local(int partition, float[] theta, State state, double[] losses, double[] weights)
            implements Serializable {
        /** {@code Wₚ = Σⱼ Wⱼ}: the partition's share of the average. */
        double weight() {
            double w = 0;
            for (double v : weights) {
                w += v;
            }
            return w;
        }

        boolean diverged() {
            return losses.length > weights.length;
        }
    }

    /**
     * A round's task on one partition: the partition's steps ({@link Steps#run}) from the round's
     * {@code θ} and optimizer state, and its share of the run announced to the kernels (as
     * {@link PartitionPass} does).
     */
    private static final class Round implements OrderedSum.PartitionFunction<RowBlocks.Block, Local> {
        private static final long serialVersionUID = 1L;
        private final Steps steps;
        private final TaskNetwork theta;
        private final State state;                  // in the task, or null
        private final Broadcast<State> broadcast;   // or broadcast
        private final int epoch;
        private final int round;
        private final double lr;
        private final int epochs;

        Round(Steps steps, TaskNetwork theta, State state, Broadcast<State> broadcast, int epoch, int round, double lr,
              int epochs) {
            this.steps = steps;
            this.theta = theta;
            this.state = state;
            this.broadcast = broadcast;
            this.epoch = epoch;
            this.round = round;
            this.lr = lr;
            this.epochs = epochs;
        }

        @Override
        public Local call(Iterator<RowBlocks.Block> blocks) {
            Network network = theta.network();
            PartitionRows rows = PartitionRows.of(blocks, network.inputs(), theta.outputs());
            PartitionPass.workHint.accept(Trainer.plannedOperations(network, rows.count, epochs - epoch + 1));
            return steps.run(TaskContext.get().partitionId(), rows, network, state != null ? state : broadcast.value(),
                    epoch, round, lr);
        }
    }

    /**
     * What a round's task carries besides θ and the state: the optimizer and loss by name (neither
     * is serialisable), and the run's options that a step reads.
     */
    static final class Steps implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String loss;
        private final String optimizer;
        private final int batch;
        private final boolean shuffle;
        private final long seed;
        private final double dropout;
        private final double clipNorm;
        private final int syncEvery;

        Steps(TrainingOptions options, int syncEvery) {
            this.loss = options.loss().name();
            this.optimizer = options.optimizer().toString();
            this.batch = options.batchSize();
            this.shuffle = options.shuffle();
            this.seed = options.seed();
            this.dropout = options.dropout();
            this.clipNorm = options.clipNorm();
            this.syncEvery = syncEvery;
        }

        /**
         * Partition {@code p}'s steps {@code round·K + 1 … min((round + 1)·K, ⌈nₚ/B⌉)} of epoch
         * {@code epoch} on its rows, numbered as {@link Trainer} numbers an epoch's steps, from the
         * round's {@code network} (which they change) and state.
         */
        Local run(int p, PartitionRows rows, Network network, State state0, int epoch, int round, double lr) {
            float[] theta0 = network.parameters().values().clone();
            int steps = (rows.count + batch - 1) / batch;
            int first = round * syncEvery + 1;
            int last = Math.min(steps, (round + 1) * syncEvery);
            if (first > last) {
                return new Local(p, theta0, state0, new double[0], new double[0]);
            }
            long seedP = p == 0 ? seed : seed ^ (0x9E3779B97F4A7C15L * p);
            float[] theta = network.parameters().values();
            float[] dTheta = new float[theta.length];
            Optimizer opt = Optimizer.parse(optimizer);
            Optimizer.State state = opt.restore(theta.length, state0.snapshot());
            if (shuffle && batch < rows.count) {
                rows.order = new int[rows.count];
                RowOrder.epoch(rows.order, seedP, epoch);
            }
            double[] losses = new double[last - first + 1];
            double[] weights = new double[last - first + 1];
            try (BlockedPass pass = new BlockedPass(network, Loss.parse(loss), batch, 1)) {
                for (int step = first; step <= last; step++) {
                    int start = (step - 1) * batch;
                    int count = Math.min(batch, rows.count - start);
                    rows.start = start;
                    pass.dropout(dropout, seedP, epoch, step);
                    double l = opt.step(theta, dTheta, d -> {
                        double value = pass.lossAndGradient(rows, count, d);
                        if (Double.isFinite(value) && clipNorm > 0) {
                            Clipping.clipByGlobalNorm(d, clipNorm);
                        }
                        return value;
                    }, state, lr);
                    if (!Double.isFinite(l)) {
                        return new Local(p, theta0, state0, new double[] {l}, new double[0]);
                    }
                    losses[step - first] = l;
                    weights[step - first] = pass.weight();
                }
            }
            return new Local(p, theta, State.of(state.snapshot()), losses, weights);
        }
    }

    /**
     * A partition's rows numbered {@code 0 .. n−1} in row order (its blocks sorted by first row,
     * not copied), read at positions {@code [start + from, …)} of the epoch's order.
     */
    private static final class PartitionRows implements BlockedPass.Reader {
        private final List<RowBlocks.Block> blocks;
        private final int[] offsets;   // row i lies in block b when offsets[b] ≤ i < offsets[b + 1]
        private final int in;
        private final int k;
        final int count;
        int[] order;                   // position → row; null: row order
        int start;

        private PartitionRows(List<RowBlocks.Block> blocks, int in, int k) {
            this.blocks = blocks;
            this.offsets = new int[blocks.size() + 1];
            for (int b = 0; b < blocks.size(); b++) {
                offsets[b + 1] = offsets[b] + blocks.get(b).rows();
            }
            this.in = in;
            this.k = k;
            this.count = offsets[blocks.size()];
        }

        static PartitionRows of(Iterator<RowBlocks.Block> it, int in, int k) {
            List<RowBlocks.Block> list = new ArrayList<>();
            it.forEachRemaining(list::add);
            list.sort(Comparator.comparingLong(RowBlocks.Block::firstRow));
            return new PartitionRows(list, in, k);
        }

        private int row(int position) {
            return order == null ? position : order[position];
        }

        private int block(int row) {
            int b = Arrays.binarySearch(offsets, row);
            b = b >= 0 ? b : -b - 2;
            while (offsets[b + 1] <= row) {   // equal offsets: empty blocks
                b++;
            }
            return b;
        }

        @Override
        public void read(int from, int n, float[] x, float[] y) {
            for (int i = 0; i < n; i++) {
                int row = row(start + from + i);
                int b = block(row);
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
            for (int i = 0; i < n; i++) {
                int row = row(start + from + i);
                int b = block(row);
                w[i] = blocks.get(b).w()[row - offsets[b]];
            }
            return true;
        }
    }
}

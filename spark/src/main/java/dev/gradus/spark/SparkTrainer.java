package dev.gradus.spark;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.optim.Clipping;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import dev.gradus.train.Trainer;
import dev.gradus.train.Validation;
import dev.gradus.train.TrainingDivergedException;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Synchronous data-parallel training on Spark, step for step the loop of
 * {@link Trainer}: the same epochs, batches, shuffling order {@code (seed, epoch)}, schedule,
 * clipping, optimizer, validation, early stopping and divergence handling. Only the gradient
 * is computed elsewhere.
 *
 * <p>Each evaluation of the objective (once per step, more for L-BFGS's line search and
 * iRPROP+) broadcasts {@code θ}; every partition runs the core forward and backward passes
 * over its rows of the batch and returns its {@link GradientSum}; the sums are added in
 * partition order ({@link OrderedSum}) and the driver forms
 * <pre>
 * ℓ = Σᵢ Lᵢ / N_batch      ∂ℓ/∂θ = Σᵢ ∂Lᵢ/∂θ / N_batch
 * </pre>
 * then clips and hands both to the core optimizer. With batch size 0 every step is the seed's
 * gradient descent over the whole set {@code S}.
 *
 * <p><b>Equality with single-JVM training.</b> Every row's contribution is computed by the core
 * code, and float32 partition sums are added in {@code double}; what differs from
 * {@link Trainer} is only where the float32 sum over rows is split. With one partition the
 * weights are bit-identical to {@link Trainer}'s; with several they agree to float32 rounding
 * (tested to 1e-5 relative), and two runs with the same partitioning are bit-identical, task
 * retries included.
 *
 * <p>Validation rows are scored on the driver after every epoch. The {@code threads} option
 * applies to that; each task uses one core (Spark runs one task per core). With dropout, a
 * partition's chunk draws its masks from the chunk's first position in the batch: the same
 * masks as {@link Trainer} when one partition holds the whole batch, other (equally
 * distributed, repeatable) masks otherwise.
 *
 * <pre>{@code
 * try (RowBlocks rows = RowBlocks.of(new JavaSparkContext(spark.sparkContext()), x, y, 8)) {
 *     Trainer.Result r = new SparkTrainer(TrainingOptions.defaults().withBatchSize(0)).fit(network, rows);
 * }
 * }</pre>
 */
public final class SparkTrainer {
    /** Partition results added per executor task before the driver adds the groups. */
    private static final int FAN_IN = 32;
    /** Rows per forward/backward chunk inside a task: bounds a task's workspace to ~64 MiB. */
    private static final int WORKSPACE_FLOATS = 1 << 24;

    private final TrainingOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private PartitionPass.TaskHook hook;

    public SparkTrainer(TrainingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Adds a listener called after every epoch and every step. */
    public SparkTrainer addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Test seam: runs {@code h} at the start of every partition task. */
    SparkTrainer withTaskHook(PartitionPass.TaskHook h) {
        this.hook = h;
        return this;
    }

    /**
     * Trains a copy of {@code initial} on the rows; with a validation fraction {@code f > 0} a
     * seeded {@code round(f·N)} of the rows are held out (the same rows as {@link Trainer} holds
     * out) and collected to the driver for scoring.
     *
     * @throws IllegalArgumentException for mismatched widths or options that do not fit together
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public Trainer.Result fit(Network initial, RowBlocks train) {
        checkWidths(initial, train);
        double f = options.validationFraction();
        if (f == 0 || options.epochs() == 0) {
            return run(initial, train, null, null);
        }
        int rows = (int) train.rows();
        int[] validation = Trainer.validationSplit(rows, f, options.seed())[1];   // the rows Trainer holds out
        int held = validation.length;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.blocks().context());
        Broadcast<int[]> heldOut = sc.broadcast(validation);
        try {
            int in = train.inputs();
            int k = train.outputs();
            // Validation rows to the driver, in row order as Trainer keeps them.
            List<RowBlocks.Block> picked = train.blocks().map(b -> pick(b, heldOut.value(), true, in, k)).collect();
            float[] xv = new float[held * in];
            float[] yv = new float[held * k];
            int at = 0;
            for (RowBlocks.Block b : picked.stream().sorted((a, c) -> Long.compare(a.firstRow(), c.firstRow())).toList()) {
                System.arraycopy(b.x(), 0, xv, at * in, b.rows() * in);
                System.arraycopy(b.y(), 0, yv, at * k, b.rows() * k);
                at += b.rows();
            }
            // Training rows renumbered 0 .. N − held − 1 in row order, as Trainer renumbers them.
            JavaRDD<RowBlocks.Block> kept = train.blocks().map(b -> pick(b, heldOut.value(), false, in, k));
            try (RowBlocks trainRows = RowBlocks.of(kept, rows - held, in, k)) {
                return run(initial, trainRows, Matrix.wrap(held, in, xv), Matrix.wrap(held, k, yv));
            }
        } finally {
            heldOut.destroy();
        }
    }

    /**
     * Trains a copy of {@code initial} on the rows and scores the separate validation rows
     * {@code (xValidation, yValidation)} on the driver after every epoch.
     */
    public Trainer.Result fit(Network initial, RowBlocks train, Matrix xValidation, Matrix yValidation) {
        checkWidths(initial, train);
        if (options.validationFraction() != 0) {
            throw new IllegalArgumentException("a validation set was given and a validation fraction of "
                    + options.validationFraction() + " too; use one of them");
        }
        if (xValidation.rows() == 0 || xValidation.rows() != yValidation.rows()
                || xValidation.cols() != initial.inputs() || yValidation.cols() != initial.outputs()) {
            throw new IllegalArgumentException("the validation set must have rows, " + initial.inputs()
                    + " feature and " + initial.outputs() + " target columns; got " + xValidation.rows() + "x"
                    + xValidation.cols() + " and " + yValidation.rows() + "x" + yValidation.cols());
        }
        return run(initial, train, xValidation, yValidation);
    }

    private Trainer.Result run(Network initial, RowBlocks train, Matrix xVal, Matrix yVal) {
        Network network = initial.copy();
        List<EpochStats> epochs = new ArrayList<>();
        Loss loss = options.loss();
        int n = network.layerCount() - 1;
        loss.checkOutput(network.layer(n).activation(), network.outputs());
        boolean watchTraining = options.monitor().equals(TrainingOptions.TRAIN_LOSS);
        if (options.patience() > 0 && xVal == null && !watchTraining) {
            throw new IllegalArgumentException("early stopping (patience " + options.patience()
                    + ") needs validation rows: give a validation set or a validation fraction");
        }
        int rows = (int) train.rows();
        if (options.epochs() == 0 || rows == 0) {
            return new Trainer.Result(network, new History(epochs));
        }
        int batch = options.effectiveBatchSize(rows);
        Optimizer optimizer = options.optimizer();
        if (optimizer.fullBatch() && batch < rows) {
            throw new IllegalArgumentException("optimizer " + optimizer.name() + " is a full-batch method;"
                    + " use batch size 0 (all " + rows + " rows), got " + options.batchSize());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.blocks().context());
        Optimizer.State state = optimizer.init(network.parameters().size());
        float[] theta = network.parameters().values();
        float[] dTheta = new float[theta.length];
        float[] lastGood = theta.clone();
        float[] candidate = new float[theta.length];
        float[] best = options.patience() > 0 && options.restoreBest() ? new float[theta.length] : null;
        Objective objective = new Objective(sc, network, train, loss, chunkRows(network, batch));
        Validation validation = xVal == null ? null : new Validation(xVal, yVal);
        Workspace validationSpace = xVal == null ? null
                : network.workspace(Math.min(batch, xVal.rows()), Kernels.create(options.threads()));
        int[] order = new int[rows];
        int[] positions = new int[rows];

        int bestEpoch = 0;
        double bestValue = Double.NaN;
        int sinceBest = 0;
        boolean stoppedEarly = false;
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            long started = System.nanoTime();
            double lr = optimizer.learningRate() * options.schedule().factor(epoch - 1);
            Broadcast<int[]> visit = null;
            if (options.shuffle()) {
                // position of row r in this epoch = the index of r in Trainer's visiting order
                Trainer.shuffledOrder(order, options.seed(), epoch);
                for (int p = 0; p < rows; p++) {
                    positions[order[p]] = p;
                }
                visit = sc.broadcast(positions.clone());
            }
            double lossSum = 0;
            int step = 0;
            try {
                for (int start = 0; start < rows; start += batch) {
                    step++;
                    int rowsInBatch = Math.min(batch, rows - start);
                    objective.batch(visit, start, rowsInBatch, epoch, step);
                    System.arraycopy(theta, 0, candidate, 0, theta.length);
                    double batchLoss = optimizer.step(theta, dTheta, objective, state, lr);
                    if (!Double.isFinite(batchLoss)) {
                        System.arraycopy(lastGood, 0, theta, 0, theta.length);
                        throw new TrainingDivergedException(epoch, step, batchLoss,
                                new Trainer.Result(network, new History(epochs, bestEpoch, false)));
                    }
                    float[] t = lastGood;
                    lastGood = candidate;
                    candidate = t;
                    lossSum += batchLoss * rowsInBatch;
                    for (int l = 0; l < listeners.size(); l++) {
                        listeners.get(l).onBatch(epoch, step, batchLoss);
                    }
                }
            } finally {
                if (visit != null) {
                    visit.destroy();
                }
            }
            double validationLoss = Double.NaN;
            Map<String, Double> metrics = Map.of();
            if (validation != null) {
                validationLoss = validation.evaluate(network, validationSpace, loss);
                metrics = validation.metrics(options.metrics());
            }
            EpochStats stats = new EpochStats(epoch, lossSum / rows, step, (System.nanoTime() - started) / 1e9, lr,
                    validationLoss, metrics);
            epochs.add(stats);
            for (TrainingListener listener : listeners) {
                listener.onEpoch(stats);
            }
            if (validation != null || watchTraining) {
                double value = watchTraining ? stats.loss()
                        : options.monitor().equals("loss") ? validationLoss : metrics.get(options.monitor());
                if (bestEpoch == 0 || improves(value, bestValue)) {
                    bestValue = value;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    if (best != null) {
                        System.arraycopy(theta, 0, best, 0, theta.length);
                    }
                } else if (options.patience() > 0 && ++sinceBest >= options.patience()) {
                    stoppedEarly = epoch < options.epochs();
                    break;
                }
            }
        }
        if (best != null && bestEpoch > 0) {
            System.arraycopy(best, 0, theta, 0, theta.length);
        }
        return new Trainer.Result(network, new History(epochs, bestEpoch, stoppedEarly));
    }

    private boolean improves(double value, double bestValue) {
        boolean higher = options.metrics().stream().filter(m -> m.name().equals(options.monitor())).findFirst()
                .map(ValidationMetric::higherIsBetter).orElse(false);
        return higher ? value > bestValue + options.minDelta() : value < bestValue - options.minDelta();
    }

    /** Rows per chunk so that a task's workspace stays near {@link #WORKSPACE_FLOATS} floats. */
    private static int chunkRows(Network network, int batch) {
        long perRow = network.inputs();
        for (Dense d : network.layers()) {
            perRow += 4L * d.outputs();   // Zᵐ, Aᵐ, and the shared G and Δ
        }
        return (int) Math.max(1, Math.min(batch, WORKSPACE_FLOATS / perRow));
    }

    /**
     * The objective of one batch evaluated on the cluster: broadcast {@code θ}, one
     * {@link PartitionPass} per partition, the partition sums added in order, then the mean and
     * clipping on the driver.
     */
    private final class Objective implements Optimizer.Objective {
        private final JavaSparkContext sc;
        private final Network network;
        private final RowBlocks train;
        private final Loss loss;
        private final int chunkRows;
        private Broadcast<int[]> positions;
        private long start;
        private int rows;
        private int epoch;
        private int step;

        Objective(JavaSparkContext sc, Network network, RowBlocks train, Loss loss, int chunkRows) {
            this.sc = sc;
            this.network = network;
            this.train = train;
            this.loss = loss;
            this.chunkRows = chunkRows;
        }

        void batch(Broadcast<int[]> positions, long start, int rows, int epoch, int step) {
            this.positions = positions;
            this.start = start;
            this.rows = rows;
            this.epoch = epoch;
            this.step = step;
        }

        @Override
        public double evaluate(float[] dTheta) {
            Broadcast<float[]> theta = sc.broadcast(network.parameters().values().clone());
            try {
                PartitionPass pass = new PartitionPass(network, loss, theta, positions, start, start + rows, chunkRows,
                        options.dropout(), options.seed(), epoch, step, hook);
                GradientSum sum = OrderedSum.treeSum(train.blocks().mapPartitions(pass, true), FAN_IN);
                if (sum.rows() != rows) {
                    throw new IllegalStateException("the partitions returned " + sum.rows() + " rows for a batch of "
                            + rows + "; the row blocks do not number the rows 0.." + (train.rows() - 1) + " once each");
                }
                double value = sum.meanInto(dTheta, rows);
                if (Double.isFinite(value) && options.clipNorm() > 0) {
                    Clipping.clipByGlobalNorm(dTheta, options.clipNorm());
                }
                return value;
            } finally {
                theta.destroy();
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
        int at = 0;
        for (int r = 0; r < b.rows(); r++) {
            if (isHeld[r] == wanted) {
                System.arraycopy(b.x(), r * in, x, at * in, in);
                System.arraycopy(b.y(), r * k, y, at * k, k);
                at++;
            }
        }
        int before = Arrays.binarySearch(heldSorted, (int) b.firstRow());
        long heldBefore = before >= 0 ? before : -before - 1;       // held rows numbered below firstRow
        long first = wanted ? heldBefore : b.firstRow() - heldBefore;
        return new RowBlocks.Block(first, count, x, y);
    }

    private static void checkWidths(Network network, RowBlocks rows) {
        if (rows.inputs() != network.inputs() || rows.outputs() != network.outputs()) {
            throw new IllegalArgumentException("the network maps " + network.inputs() + " inputs to "
                    + network.outputs() + " outputs but the rows have " + rows.inputs() + " features and "
                    + rows.outputs() + " targets");
        }
    }
}

package dev.gradus.spark;

import dev.gradus.internal.RowOrder;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.GradientSource;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingDivergedException;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Synchronous data-parallel training on Spark: {@link Trainer}'s epoch loop (epochs, batches,
 * shuffling order {@code (seed, epoch)}, schedule, clipping, optimizer, validation, early
 * stopping, divergence rule, best and last weights, listeners and checkpoints) with every
 * batch's loss and gradient computed on the executors.
 *
 * <p>Each evaluation of the objective (once per step, more for L-BFGS's line search and
 * iRPROP+) broadcasts {@code θ}; every partition passes its rows of the batch through the core
 * {@link dev.gradus.train.BlockedPass} and returns its {@link GradientSum}; the sums are added in
 * partition order ({@link OrderedSum}) and the driver forms
 * <pre>
 * ℓ = Σᵢ Lᵢ / N_batch      ∂ℓ/∂θ = Σᵢ ∂Lᵢ/∂θ / N_batch
 * </pre>
 * With batch size 0 every step is the seed's gradient descent over the whole set {@code S}.
 *
 * <p><b>Equality with single-JVM training.</b> Every block of rows is computed by the core code
 * and block sums are added in {@code double} in block order, as {@link Trainer} adds them. With
 * one partition the weights are bit-identical to {@link Trainer}'s; with several they differ
 * only in where the {@code double} sum over blocks is split (tested to 1e-5 relative), and two
 * runs with the same partitioning are bit-identical, task retries included.
 *
 * <p><b>Checkpoints.</b> A {@link CheckpointListener} works as with {@link Trainer}; the
 * checkpoint's fingerprint of the rows is computed on the executors (and includes the partition
 * count), so a run resumes bit-identically on the same rows and partitioning.
 *
 * <p>Validation rows (a validation fraction's share of the partitions' rows, or a separate set)
 * stay on the executors and are scored there after every epoch ({@link SparkValidation}: the
 * core's chunked loss and per-row metrics, partition sums added in order). Each task uses one
 * core (Spark runs one task per core). With dropout, a partition's rows draw the masks of
 * their positions in the batch when those are consecutive (always without shuffling, and on
 * one partition), other (equally distributed, repeatable) masks otherwise.
 *
 * <pre>{@code
 * try (RowBlocks rows = RowBlocks.of(new JavaSparkContext(spark.sparkContext()), x, y, 8)) {
 *     Trainer.Result r = new SparkTrainer(TrainingOptions.defaults().withBatchSize(0)).fit(network, rows);
 * }
 * }</pre>
 */
public final class SparkTrainer {
    private final TrainingOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private PartitionPass.TaskHook hook;
    private int syncEvery;   // 0: the exact mode

    public SparkTrainer(TrainingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Adds a listener called after every epoch and every step; a {@link CheckpointListener}
     * receives checkpoints and may give one to resume from, as with {@link Trainer#addListener}.
     */
    public SparkTrainer addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Trains by local SGD with periodic model averaging instead of the exact mode: every
     * partition runs {@code k} mini-batch steps of its own rows from the broadcast parameters and
     * optimizer state, then the partitions' models and states are averaged, weighted by the rows
     * they passed, in partition order ({@link ModelAveraging}). Not equal to single-machine
     * training (except on one partition); one Spark job per {@code k} steps instead of one per
     * step. Needs a mini-batch optimizer and a batch size above 0, which is each partition's batch.
     * A {@link CheckpointListener} works as in the exact mode (the checkpoint records {@code k}, so
     * it resumes only a run averaged every {@code k} steps). {@code k = 0} is the exact mode (the
     * default).
     *
     * @throws IllegalArgumentException for {@code k < 0}
     */
    public SparkTrainer syncEvery(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("sync every must be at least 1 step (0: exact mode), got " + k);
        }
        this.syncEvery = k;
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
     * out) and scored on the executors, where they stay.
     *
     * @throws IllegalArgumentException for mismatched widths or options that do not fit together
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public Trainer.Result fit(Network initial, RowBlocks train) {
        if (syncEvery == 0) {
            return trainer().fit(initial, new SparkRows(train, hook));
        }
        ModelAveraging averaging = new ModelAveraging(options, syncEvery, listeners);
        double f = options.validationFraction();
        if (f == 0 || options.epochs() == 0) {
            return averaging.fit(initial, new SparkRows(train, hook), null);
        }
        GradientSource.HeldOut split = new SparkRows(train, hook).holdOut(
                RowOrder.validationSplit((int) train.rows(), f, options.seed())[1]);
        try (SparkRows rest = (SparkRows) split.train()) {
            return averaging.fit(initial, rest, split.validation());
        }
    }

    /**
     * Trains a copy of {@code initial} on the rows and scores the separate validation rows
     * {@code (xValidation, yValidation)} after every epoch: they are sent to the executors once,
     * in as many partitions as {@code train} (cut as {@link RowBlocks#of} cuts), and scored there.
     */
    public Trainer.Result fit(Network initial, RowBlocks train, Matrix xValidation, Matrix yValidation) {
        return fit(initial, train, xValidation, yValidation, null);
    }

    /**
     * As {@link #fit(Network, RowBlocks, Matrix, Matrix)} with validation rows weighted by
     * {@code validationWeights} ({@code null}: unweighted), scored by the weighted loss and metrics.
     */
    public Trainer.Result fit(Network initial, RowBlocks train, Matrix xValidation, Matrix yValidation,
                              float[] validationWeights) {
        if (xValidation.rows() != yValidation.rows()) {
            throw new IllegalArgumentException("validation x has " + xValidation.rows() + " rows but y has "
                    + yValidation.rows());
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(train.blocks().context());
        try (RowBlocks held = RowBlocks.of(sc, xValidation, yValidation, validationWeights, train.partitions())) {
            return fit(initial, train, held);
        }
    }

    /**
     * Trains a copy of {@code initial} on the rows and scores the validation rows {@code validation}
     * (numbered {@code 0 .. V−1}, each partition holding consecutive rows in partition order, as
     * {@link RowBlocks#of} and {@link RowBlocks#inPartitions} leave them) on the executors after
     * every epoch; they stay there.
     */
    public Trainer.Result fit(Network initial, RowBlocks train, RowBlocks validation) {
        SparkValidation rows = new SparkValidation(validation);
        try {
            if (syncEvery > 0) {
                if (options.validationFraction() != 0) {
                    throw new IllegalArgumentException("a validation set was given and a validation fraction of "
                            + options.validationFraction() + " too; use one of them");
                }
                return new ModelAveraging(options, syncEvery, listeners).fit(initial, new SparkRows(train, hook), rows);
            }
            return trainer().fit(initial, new SparkRows(train, hook), rows);
        } finally {
            rows.close();
        }
    }

    private Trainer trainer() {
        Trainer trainer = new Trainer(options);
        listeners.forEach(trainer::addListener);
        return trainer;
    }
}

package dev.gradus.train;

import dev.gradus.internal.RowOrder;
import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Matrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Trains a network by gradient descent on batches of rows.
 *
 * <p>Each step takes a batch of {@code N} rows and hands the optimizer an
 * {@link Optimizer.Objective} whose value and gradient come from a {@link GradientSource}: for
 * rows in this JVM, the {@link BlockedPass} (forward pass, the loss writing {@code Gⁿ} or
 * {@code Δⁿ} for a fused output, backward pass, block by block); for rows on a Spark cluster, the
 * same pass on every partition. The trainer clips {@code ∂ℓ/∂θ} and the optimizer evaluates the
 * objective (once, or more for a line search) and updates {@code θ} at the learning rate
 * {@code α·f(e)} of the schedule. With batch size 0 every step uses all rows: the seed's
 * gradient descent over the whole set {@code S}, visited in row order.
 *
 * <p>After each epoch the network is evaluated on the validation rows (a separate set, or a
 * seeded share of the training rows), the metrics are recorded, listeners are called and
 * early stopping is decided. A non-finite loss stops training with a
 * {@link TrainingDivergedException} carrying the last weights whose loss was finite. This loop
 * is the only one: every source gets the same epochs, stopping, best and last weights,
 * listeners and checkpoints.
 *
 * <pre>{@code
 * Trainer.Result result = new Trainer(TrainingOptions.defaults().withEpochs(200)).fit(network, x, y);
 * Network trained = result.network();
 * }</pre>
 *
 * <p>The trainer never changes the network it is given; it trains a copy. Within a run, the
 * workspaces, the batch buffers, the gradient and the weight copies are allocated once and
 * reused, so steady-state steps allocate nothing.
 */
public final class Trainer {
    private final TrainingOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private CheckpointListener checkpoints;

    public Trainer(TrainingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Adds a listener called after every epoch (and, if it overrides it, every step). A
     * {@link CheckpointListener} also receives the training state every few epochs and may give
     * a checkpoint to resume from; a trainer takes at most one.
     *
     * @throws IllegalArgumentException for a second checkpoint listener, or one whose
     *     {@code every()} is below 1
     */
    public Trainer addListener(TrainingListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (listener instanceof CheckpointListener c) {
            if (checkpoints != null) {
                throw new IllegalArgumentException("a trainer takes one checkpoint listener; one is added already");
            }
            if (c.every() < 1) {
                throw new IllegalArgumentException("checkpoint listener: every must be at least 1 epoch, got "
                        + c.every());
            }
            checkpoints = c;
        }
        listeners.add(listener);
        return this;
    }

    /** The trained network and its history. */
    public record Result(Network network, History history) {}

    /**
     * Trains a copy of {@code initial} on features {@code x} ({@code N × inputs}) and targets
     * {@code y} ({@code N × outputs}); with a validation fraction {@code f > 0}, a seeded
     * {@code round(f·N)} of the rows are held out for validation.
     *
     * @throws IllegalArgumentException for mismatched shapes or options that do not fit
     *     together (the message names them)
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public Result fit(Network initial, Matrix x, Matrix y) {
        checkShapes(initial, x, y, "x", "y");
        return fit(initial, GradientSource.of(x, y));
    }

    /**
     * Trains a copy of {@code initial} on {@code (x, y)} and validates on the separate
     * {@code (xValidation, yValidation)} after every epoch.
     *
     * @throws IllegalArgumentException for mismatched shapes, or a validation fraction set as well
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public Result fit(Network initial, Matrix x, Matrix y, Matrix xValidation, Matrix yValidation) {
        checkShapes(initial, x, y, "x", "y");
        return fit(initial, GradientSource.of(x, y), xValidation, yValidation);
    }

    /**
     * Trains a copy of {@code initial} on rows that live elsewhere (on a Spark cluster, in a
     * disk cache): the same epochs, batches, steps, validation, early stopping and checkpoints as
     * the in-memory {@link #fit(Network, Matrix, Matrix)}, with each batch's loss and gradient
     * from {@code train}; a validation fraction holds out the same rows
     * ({@link GradientSource#holdOut}).
     *
     * @throws IllegalArgumentException for mismatched widths or options that do not fit together
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public Result fit(Network initial, GradientSource train) {
        checkWidths(initial, train);
        double f = options.validationFraction();
        if (f == 0 || options.epochs() == 0) {
            return run(initial, train, null);
        }
        GradientSource.HeldOut split = train.holdOut(RowOrder.validationSplit(train.rows(), f, options.seed())[1]);
        try (GradientSource rest = split.train()) {
            if (split.validation() instanceof Validation v && v.streamed()) {   // held rows left in a disk cache
                Validation.checkTallies(options.metrics());
            }
            return run(initial, rest, split.validation());
        }
    }

    /**
     * As {@link #fit(Network, GradientSource)}, validating on {@code (xValidation, yValidation)}
     * after every epoch.
     */
    public Result fit(Network initial, GradientSource train, Matrix xValidation, Matrix yValidation) {
        return fit(initial, train, xValidation, yValidation, null);
    }

    /**
     * As {@link #fit(Network, GradientSource, Matrix, Matrix)} with validation rows weighted by
     * {@code validationWeights} (one per row, finite, at least 0, not all 0; {@code null}:
     * unweighted): the validation loss and metrics are the weighted ones, as the training loss
     * of weighted rows ({@link GradientSource#of(Matrix, Matrix, float[])}).
     *
     * @throws IllegalArgumentException for mismatched shapes, no validation rows, bad weights or a
     *     validation fraction set as well
     */
    public Result fit(Network initial, GradientSource train, Matrix xValidation, Matrix yValidation,
                      float[] validationWeights) {
        checkShapes(initial, xValidation, yValidation, "validation x", "validation y");
        return fit(initial, train, ValidationRows.of(xValidation, yValidation, validationWeights));
    }

    /**
     * As {@link #fit(Network, GradientSource, Matrix, Matrix, float[])} with validation rows read
     * a chunk at a time from {@code validation} (a disk cache) at every epoch, so that a
     * validation set larger than the heap can be scored: the same loss, metrics, early stopping
     * and history, bit for bit, as the same rows in memory. Every metric of the options must
     * tally chunk by chunk ({@link ValidationMetric#tally()}).
     *
     * @throws IllegalArgumentException for mismatched widths, no validation rows, a metric that
     *     needs every prediction at once, or a validation fraction set as well
     */
    public Result fit(Network initial, GradientSource train, RowSource validation) {
        Validation.checkTallies(options.metrics());
        return fit(initial, train, ValidationRows.of(validation));
    }

    /**
     * As {@link #fit(Network, GradientSource, Matrix, Matrix)} with validation rows that live
     * elsewhere (on a Spark cluster), scored where they are after every epoch.
     *
     * @throws IllegalArgumentException for mismatched widths, no validation rows or a validation
     *     fraction set as well
     */
    public Result fit(Network initial, GradientSource train, ValidationRows validation) {
        checkWidths(initial, train);
        if (options.validationFraction() != 0) {
            throw new IllegalArgumentException("a validation set was given and a validation fraction of "
                    + options.validationFraction() + " too; use one of them");
        }
        if (validation.rows() == 0) {
            throw new IllegalArgumentException("the validation set has no rows");
        }
        if (validation.inputs() != initial.inputs() || validation.outputs() != initial.outputs()) {
            throw new IllegalArgumentException("the network maps " + initial.inputs() + " inputs to "
                    + initial.outputs() + " outputs but the validation rows have " + validation.inputs()
                    + " features and " + validation.outputs() + " targets");
        }
        return run(initial, train, validation);
    }

    /**
     * The multiply-adds (counted as two) of {@code epochs} epochs over {@code rows} rows: per row
     * and layer, {@code Zᵐ = Aᵐ⁻¹Wᵐᵀ}, {@code ∂ℓ/∂Aᵐ⁻¹ = δᵐWᵐ} and {@code ∂ℓ/∂Wᵐ = δᵐᵀAᵐ⁻¹},
     * 2·inputs·outputs each; saturates at {@link Long#MAX_VALUE}. What a run announces to
     * {@link Kernels#expectWork} before its first epoch, and a Spark executor for its partition's
     * share of the run.
     */
    public static long plannedOperations(Network network, long rows, int epochs) {
        double perRow = 0;
        for (int m = 0; m < network.layerCount(); m++) {
            perRow += 6.0 * network.layer(m).inputs() * network.layer(m).outputs();
        }
        return (long) Math.min(Long.MAX_VALUE, perRow * rows * Math.max(0, epochs));
    }

    /**
     * The epoch loop, once for every source: steps, the divergence rule, validation, early
     * stopping, best and last weights, listeners and checkpoints.
     */
    private Result run(Network initial, GradientSource train, ValidationRows validation) {
        Network network = initial.copy();
        int rows = train.rows();
        List<EpochStats> epochs = new ArrayList<>();
        Loss loss = options.loss();
        int n = network.layerCount() - 1;
        loss.checkOutput(network.layer(n).activation(), network.outputs());
        // The best weights are kept to be restored, and for checkpoints (which keep the best).
        EarlyStopping stopping = new EarlyStopping(options, validation != null, network.parameters().size(),
                checkpoints != null);
        Checkpoint from = checkpoints == null ? null : checkpoints.resumeFrom().orElse(null);
        if ((options.epochs() == 0 || rows == 0) && from == null) {
            return new Result(network, new History(epochs));
        }
        int batch = options.effectiveBatchSize(rows);
        Optimizer optimizer = options.optimizer();
        if (optimizer.fullBatch() && batch < rows) {
            throw new IllegalArgumentException("optimizer " + optimizer.name() + " is a full-batch method;"
                    + " use batch size 0 (all " + rows + " rows), got " + options.batchSize());
        }
        Map<String, String> settings = checkpoints == null ? null : settings(train, validation);
        Optimizer.State state = optimizer.init(network.parameters().size());
        float[] theta = network.parameters().values();
        float[] dTheta = new float[theta.length];
        float[] lastGood = theta.clone();        // the latest θ whose loss was finite
        float[] candidate = new float[theta.length];
        if (from != null) {
            from.checkResumes(network, settings, options.epochs());
            System.arraycopy(from.network().parameters().values(), 0, theta, 0, theta.length);
            state = optimizer.restore(theta.length, from.optimizer());
            lastGood = from.lastGood();
            epochs.addAll(from.history().epochs());
            stopping.resume(from);
        }
        Kernels.expectWork(plannedOperations(network, rows, options.epochs() - epochs.size()));
        // A full batch is the same set whatever the order: it is visited in row order, so an
        // epoch streams the rows once, block by block.
        boolean shuffled = options.shuffle() && batch < rows;
        try (GradientSource.Pass pass = train.open(network, options, batch, shuffled)) {
            BatchObjective objective = new BatchObjective(pass, options.clipNorm(), theta,
                    optimizer.fullBatch() && options.dropout() == 0);
            for (int epoch = epochs.size() + 1; epoch <= options.epochs() && !stopping.stopped(); epoch++) {
                long started = System.nanoTime();
                double lr = optimizer.learningRate() * options.schedule().factor(epoch - 1);
                double lossSum = 0;      // Σ over batches of ℓ_b·W_b
                double weightSum = 0;    // Σ W_b: the rows, or their total weight
                int step = 0;
                for (int start = 0; start < rows; start += batch) {
                    step++;
                    int rowsInBatch = Math.min(batch, rows - start);
                    objective.batch(epoch, step, start, rowsInBatch);
                    System.arraycopy(theta, 0, candidate, 0, theta.length);
                    double batchLoss = optimizer.step(theta, dTheta, objective, state, lr);
                    if (!Double.isFinite(batchLoss)) {
                        System.arraycopy(lastGood, 0, theta, 0, theta.length);
                        throw new TrainingDivergedException(epoch, step, batchLoss,
                                new Result(network, new History(epochs, stopping.bestEpoch(), false)));
                    }
                    float[] t = lastGood;     // θ before this step had a finite loss: it is the last good one
                    lastGood = candidate;
                    candidate = t;
                    double batchWeight = pass.batchWeight(rowsInBatch);
                    lossSum += batchLoss * batchWeight;
                    weightSum += batchWeight;
                    for (int l = 0; l < listeners.size(); l++) {   // indexed: no iterator per step
                        listeners.get(l).onBatch(epoch, step, batchLoss);
                    }
                }
                // early stopping ends the loop after the checkpoint
                stopping.endEpoch(epoch, lossSum / weightSum, step, started, lr, network, validation, listeners, epochs);
                if (stopping.checkpointDue(checkpoints, epoch)) {
                    stopping.checkpoint(checkpoints, settings, network, lastGood, state.snapshot(), epochs);
                }
            }
        }
        stopping.restoreBest(theta);
        return new Result(network, stopping.history(epochs));
    }

    /** The options' settings and the fingerprints of the training and validation rows. */
    private Map<String, String> settings(GradientSource train, ValidationRows validation) {
        Map<String, String> s = new TreeMap<>(options.settings());
        s.putAll(train.fingerprint());
        if (validation != null) {
            s.put("validation_rows_sha256", validation.sha256());
        }
        return s;
    }

    /** SHA-256 over the shapes and float bits of {@code x} and {@code y}, in hex. */
    static String sha256(Matrix x, Matrix y) {
        Digest sha = new Digest();
        for (Matrix m : List.of(x, y)) {
            sha.shape(m.rows(), m.cols());
            Matrix c = m.copy();   // contiguous
            sha.values(c.data(), c.data().length);
        }
        return sha.hex();
    }

    /**
     * SHA-256 over shapes (two little-endian ints) and float bits (little-endian ints) added in
     * pieces: the bytes, and so the digest, of {@link #sha256(Matrix, Matrix)} for rows read a
     * chunk at a time.
     */
    static final class Digest {
        private final MessageDigest sha;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform provides SHA-256", e);
            }
        }

        void shape(int rows, int cols) {
            room(8);
            buffer.putInt(rows).putInt(cols);
        }

        /** The first {@code count} values of {@code v}. */
        void values(float[] v, int count) {
            for (int i = 0; i < count; i++) {
                room(4);
                buffer.putInt(Float.floatToRawIntBits(v[i]));
            }
        }

        private void room(int bytes) {
            if (buffer.remaining() < bytes) {
                sha.update(buffer.flip());
                buffer.clear();
            }
        }

        /** The digest in hex; the digest is finished. */
        String hex() {
            sha.update(buffer.flip());
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    /**
     * The objective of one batch: {@code ℓ} at the current {@code θ} and {@code ∂ℓ/∂θ} from the
     * source, clipped to the global norm when clipping is on. One instance per run, re-pointed at
     * every batch.
     *
     * <p>A full-batch method evaluates each step at the {@code θ} its previous step's line search
     * last evaluated (L-BFGS starts where its accepted trial point was). Without dropout that is
     * the same function at the same point, so the last evaluation is kept and given again instead
     * of passing every row once more: the same bits, one evaluation fewer per iteration (on Spark,
     * one job fewer).
     */
    private static final class BatchObjective implements Optimizer.Objective {
        private final GradientSource.Pass pass;
        private final double clipNorm;
        private final float[] theta;        // the network's θ, read at every evaluation
        private final float[] keptTheta;    // the point of the kept evaluation; null: nothing is kept
        private final float[] keptGradient;
        private double keptLoss = Double.NaN;
        private int keptStart = -1;
        private int keptRows = -1;
        private int epoch;
        private int step;
        private int start;
        private int rows;

        BatchObjective(GradientSource.Pass pass, double clipNorm, float[] theta, boolean keepLast) {
            this.pass = pass;
            this.clipNorm = clipNorm;
            this.theta = theta;
            this.keptTheta = keepLast ? new float[theta.length] : null;
            this.keptGradient = keepLast ? new float[theta.length] : null;
        }

        void batch(int epoch, int step, int start, int rows) {
            this.epoch = epoch;
            this.step = step;
            this.start = start;
            this.rows = rows;
        }

        @Override
        public double evaluate(float[] dTheta) {
            if (keptTheta != null && keptStart == start && keptRows == rows && Arrays.equals(keptTheta, theta)) {
                System.arraycopy(keptGradient, 0, dTheta, 0, dTheta.length);
                return keptLoss;
            }
            double value = pass.lossAndGradient(epoch, step, start, rows, dTheta);
            if (Double.isFinite(value) && clipNorm > 0) {
                Clipping.clipByGlobalNorm(dTheta, clipNorm);
            }
            if (keptTheta != null) {
                boolean keep = Double.isFinite(value);
                keptStart = keep ? start : -1;
                keptRows = keep ? rows : -1;
                if (keep) {
                    System.arraycopy(theta, 0, keptTheta, 0, theta.length);
                    System.arraycopy(dTheta, 0, keptGradient, 0, dTheta.length);
                    keptLoss = value;
                }
            }
            return value;
        }
    }

    private static void checkWidths(Network network, GradientSource rows) {
        if (rows.inputs() != network.inputs() || rows.outputs() != network.outputs()) {
            throw new IllegalArgumentException("the network maps " + network.inputs() + " inputs to "
                    + network.outputs() + " outputs but the rows have " + rows.inputs() + " features and "
                    + rows.outputs() + " targets");
        }
    }

    private static void checkShapes(Network network, Matrix x, Matrix y, String xName, String yName) {
        if (x.cols() != network.inputs()) {
            throw new IllegalArgumentException("the network reads " + network.inputs() + " features but " + xName
                    + " has " + x.cols() + " columns");
        }
        if (y.cols() != network.outputs()) {
            throw new IllegalArgumentException("the network writes " + network.outputs() + " outputs but " + yName
                    + " has " + y.cols() + " columns");
        }
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException(xName + " has " + x.rows() + " rows but " + yName + " has " + y.rows());
        }
    }
}

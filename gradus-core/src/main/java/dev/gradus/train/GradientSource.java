package dev.gradus.train;

import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import java.util.Map;

/**
 * Where {@link Trainer}'s epoch loop gets its gradient: the training rows, and the loss and
 * gradient of a batch of them at the current {@code θ}.
 *
 * <p>The loop owns everything else (epochs, batches, the learning-rate schedule, clipping, the
 * optimizer, validation, early stopping, the divergence rule, best and last weights, listeners
 * and checkpoints), so a source supplies only
 * <pre>
 * ℓ = (1/N_batch) Σᵢ Lᵢ      ∂ℓ/∂θ = (1/N_batch) Σᵢ ∂Lᵢ/∂θ      over the rows i of the batch
 * </pre>
 * or, for rows with weights {@code wᵢ} (sample and class weights),
 * {@code ℓ = Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} and its gradient, so that in full-batch gradient descent an
 * integer weight equals that many copies of the row.
 * {@link #of(Matrix, Matrix)} holds the rows in this JVM; the Spark module's source holds them
 * on the executors. A source computes batches with {@link BlockedPass}'s block order, so that
 * sources agree bit for bit wherever they see the same blocks.
 *
 * <p>The rows are numbered {@code 0 .. N−1}. Epoch {@code e} visits them in row order, or, when
 * the run shuffles, in a Fisher–Yates order drawn from {@code (seed, e)} alone (Gradus's own
 * sources share it, so a resumed or distributed run visits the rows as a local one does);
 * batch {@code s} is the rows at positions {@code [start, start + count)} of that order.
 */
public interface GradientSource extends AutoCloseable {

    /** The number of training rows {@code N}. */
    int rows();

    /** The width of a feature row. */
    int inputs();

    /** The width of a target row. */
    int outputs();

    /**
     * Entries that identify the rows, added to a checkpoint's settings (a run resumes only on
     * rows with the same entries), for example {@code train_rows_sha256}. Computed where the rows
     * live; called only when the run takes checkpoints.
     */
    Map<String, String> fingerprint();

    /**
     * Opens the passes of one run of {@code network} (whose parameters the optimizer updates in
     * place between calls) under {@code options}: its loss, dropout, seed and threads;
     * {@code shuffled} says whether epochs visit the rows in a shuffled order.
     */
    Pass open(Network network, TrainingOptions options, int batchRows, boolean shuffled);

    /** The passes of one run; closing releases what the run held (threads, broadcasts). */
    interface Pass extends AutoCloseable {

        /**
         * {@code ℓ} of the rows at positions {@code [start, start + count)} of epoch
         * {@code epoch}'s order, at the network's current {@code θ}, with {@code ∂ℓ/∂θ}
         * (unclipped) written into {@code dTheta}; dropout masks are those of step {@code step}.
         * A non-finite loss is returned as it is, with {@code dTheta} unspecified.
         */
        double lossAndGradient(int epoch, int step, int start, int count, float[] dTheta);

        /**
         * {@code W = Σᵢ wᵢ} over the rows of the last {@link #lossAndGradient} call, which
         * passed {@code count} rows: the weight of its loss in the epoch's mean. The default,
         * for unweighted rows, is {@code count}.
         */
        default double batchWeight(int count) {
            return count;
        }

        @Override
        void close();
    }

    /**
     * This source without the rows numbered {@code held} (sorted, distinct), the rest renumbered
     * {@code 0 .. N − held.length − 1} in row order, and the held rows, in row order, as
     * validation rows (with their weights): {@link Trainer}'s validation fraction. The held rows
     * may stay where the source keeps its rows. The caller closes the new source.
     */
    HeldOut holdOut(int[] held);

    /**
     * Training rows and the validation rows held out of them.
     *
     * @param train the training rows left
     * @param validation the held rows, numbered {@code 0 .. held.length − 1} in row order
     */
    record HeldOut(GradientSource train, ValidationRows validation) {
        /** Held-out rows copied into this JVM, weighted by {@code weights} ({@code null}: unweighted). */
        public HeldOut(GradientSource train, Matrix x, Matrix y, float[] weights) {
            this(train, ValidationRows.of(x, y, weights));
        }

        /** Unweighted held-out rows copied into this JVM. */
        public HeldOut(GradientSource train, Matrix x, Matrix y) {
            this(train, x, y, null);
        }
    }

    /** Releases what the source holds (cached rows of a split); the default holds nothing. */
    @Override
    default void close() {
    }

    /**
     * The rows of {@code x} ({@code N × inputs}) and {@code y} ({@code N × outputs}), copied into
     * this JVM.
     *
     * @throws IllegalArgumentException when the row counts differ
     */
    static GradientSource of(Matrix x, Matrix y) {
        return new LocalRows(x, y, null);
    }

    /**
     * The rows of {@code x} and {@code y} with row weights {@code weights} ({@code N} of them,
     * finite and at least 0, not all 0; {@code null}: unweighted), copied into this JVM: the loss
     * of a batch is {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}.
     *
     * @throws IllegalArgumentException when the row counts differ, or naming the first row whose
     *     weight is negative or not finite, or when every weight is 0
     */
    static GradientSource of(Matrix x, Matrix y, float[] weights) {
        return new LocalRows(x, y, weights);
    }
}

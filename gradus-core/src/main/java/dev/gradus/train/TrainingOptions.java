package dev.gradus.train;

import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Sgd;
import java.util.Objects;

/**
 * How to train: the loss, the optimizer, the number of epochs, the batch size, shuffling,
 * the seed and the number of threads.
 *
 * <pre>{@code
 * TrainingOptions options = TrainingOptions.defaults()
 *         .withOptimizer(new Sgd(0.05))
 *         .withBatchSize(0)        // full batch: N = all samples, the seed's S
 *         .withEpochs(500);
 * }</pre>
 *
 * @param loss the loss {@code ℓ} (default the seed's {@link Loss#MSE})
 * @param optimizer the update rule (default {@code Sgd(0.01)})
 * @param epochs passes over the data; 0 trains nothing
 * @param batchSize rows per step; 0 means full batch (all rows in one step)
 * @param shuffle whether each epoch visits the rows in a fresh seeded order
 * @param seed the seed of the shuffling order
 * @param threads cores the matrix products may use
 */
public record TrainingOptions(Loss loss, Optimizer optimizer, int epochs, int batchSize, boolean shuffle,
                              long seed, int threads) {

    /** The default seed, fixed so that two identical runs give identical models. */
    public static final long DEFAULT_SEED = 42L;

    public TrainingOptions {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be 0 or more, got " + epochs);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size must be 0 (full batch) or more, got " + batchSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    /** MSE, {@code Sgd(0.01)}, 100 epochs, batches of 32, shuffled, seed 42, all cores. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(Loss.MSE, new Sgd(0.01), 100, 32, true, DEFAULT_SEED,
                Runtime.getRuntime().availableProcessors());
    }

    public TrainingOptions withLoss(Loss value) {
        return new TrainingOptions(value, optimizer, epochs, batchSize, shuffle, seed, threads);
    }

    public TrainingOptions withOptimizer(Optimizer value) {
        return new TrainingOptions(loss, value, epochs, batchSize, shuffle, seed, threads);
    }

    public TrainingOptions withEpochs(int value) {
        return new TrainingOptions(loss, optimizer, value, batchSize, shuffle, seed, threads);
    }

    public TrainingOptions withBatchSize(int value) {
        return new TrainingOptions(loss, optimizer, epochs, value, shuffle, seed, threads);
    }

    public TrainingOptions withShuffle(boolean value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, value, seed, threads);
    }

    public TrainingOptions withSeed(long value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, value, threads);
    }

    public TrainingOptions withThreads(int value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, value);
    }

    /** The rows per step for a dataset of {@code rows} rows: {@code batchSize}, or all for 0. */
    public int effectiveBatchSize(int rows) {
        return batchSize == 0 ? rows : Math.min(batchSize, rows);
    }
}

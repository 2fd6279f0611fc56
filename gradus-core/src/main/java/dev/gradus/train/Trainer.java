package dev.gradus.train;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a network by gradient descent on batches of rows.
 *
 * <p>Each step takes a batch {@code (X, Y)} of {@code N} rows, runs the forward pass, lets the
 * loss write {@code Gⁿ = ∂ℓ/∂Ŷ}, runs the backward pass into {@code ∂ℓ/∂θ} and lets the
 * optimizer update {@code θ}. With batch size 0 every step uses all rows: the seed's gradient
 * descent over the whole set {@code S}.
 *
 * <pre>{@code
 * Trainer.Result result = new Trainer(TrainingOptions.defaults().withEpochs(200)).fit(network, x, y);
 * Network trained = result.network();
 * }</pre>
 *
 * <p>The trainer never changes the network it is given; it trains a copy. Within a run, the
 * workspace, the batch buffers and the gradient array are allocated once and reused.
 */
public final class Trainer {
    private final TrainingOptions options;
    private final List<TrainingListener> listeners = new ArrayList<>();

    public Trainer(TrainingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Adds a listener called after every epoch. */
    public Trainer addListener(TrainingListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** The trained network and its history. */
    public record Result(Network network, History history) {}

    /**
     * Trains a copy of {@code initial} on features {@code x} ({@code N × inputs}) and targets
     * {@code y} ({@code N × outputs}).
     *
     * @throws TrainingDivergedException if the loss becomes NaN or infinite
     */
    public Result fit(Network initial, Matrix x, Matrix y) {
        checkShapes(initial, x, y);
        Network network = initial.copy();
        int rows = x.rows();
        List<EpochStats> epochs = new ArrayList<>();
        if (options.epochs() == 0 || rows == 0) {
            return new Result(network, new History(epochs));
        }
        int batch = options.effectiveBatchSize(rows);
        int in = network.inputs();
        int k = network.outputs();
        Loss loss = options.loss();
        Optimizer optimizer = options.optimizer();
        Optimizer.State state = optimizer.init(network.parameters().size());
        float[] theta = network.parameters().values();
        float[] dTheta = new float[theta.length];
        Workspace w = network.workspace(batch, Kernels.create(options.threads()));

        // Contiguous copies so that a batch is always rows [start, start + N) of one array.
        float[] xs = x.copy().data();
        float[] ys = y.copy().data();
        float[] xBatch = options.shuffle() ? new float[batch * in] : null;
        float[] yBatch = options.shuffle() ? new float[batch * k] : null;
        int[] order = new int[rows];

        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            long started = System.nanoTime();
            if (options.shuffle()) {
                shuffledOrder(order, options.seed(), epoch);
            }
            double lossSum = 0;
            int step = 0;
            for (int start = 0; start < rows; start += batch, step++) {
                int n = Math.min(batch, rows - start);
                float[] xb = xs;
                float[] yb = ys;
                int xOff = start * in;
                int yOff = start * k;
                if (options.shuffle()) {
                    gather(xs, order, start, n, in, xBatch);
                    gather(ys, order, start, n, k, yBatch);
                    xb = xBatch;
                    yb = yBatch;
                    xOff = 0;
                    yOff = 0;
                }
                network.forward(xb, xOff, n, w);
                double batchLoss = loss.valueAndGradient(w.output(), yb, yOff, w.g(), n, k);
                if (!Double.isFinite(batchLoss)) {
                    throw new TrainingDivergedException(epoch, step + 1, batchLoss);
                }
                lossSum += batchLoss * n;
                network.backward(xb, xOff, w, dTheta);
                optimizer.step(theta, dTheta, state);
            }
            EpochStats stats = new EpochStats(epoch, lossSum / rows, step, (System.nanoTime() - started) / 1e9);
            epochs.add(stats);
            for (TrainingListener listener : listeners) {
                listener.onEpoch(stats);
            }
        }
        return new Result(network, new History(epochs));
    }

    /**
     * The visiting order of epoch {@code epoch}: a Fisher–Yates shuffle drawn from a generator
     * seeded by {@code (seed, epoch)} alone, so an epoch's order does not depend on what came
     * before it.
     */
    static void shuffledOrder(int[] order, long seed, int epoch) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * epoch);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private static void gather(float[] source, int[] order, int start, int n, int width, float[] target) {
        for (int r = 0; r < n; r++) {
            System.arraycopy(source, order[start + r] * width, target, r * width, width);
        }
    }

    private static void checkShapes(Network network, Matrix x, Matrix y) {
        if (x.cols() != network.inputs()) {
            throw new IllegalArgumentException("the network reads " + network.inputs() + " features but x has "
                    + x.cols() + " columns");
        }
        if (y.cols() != network.outputs()) {
            throw new IllegalArgumentException("the network writes " + network.outputs() + " outputs but y has "
                    + y.cols() + " columns");
        }
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException("x has " + x.rows() + " rows but y has " + y.rows());
        }
    }
}

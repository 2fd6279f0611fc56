package dev.gradus.nn;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import java.util.Objects;

/**
 * A network prepared for prediction: immutable, shared by any number of threads.
 *
 * <p>{@code Ŷ = φⁿ(… φ⁰(X W⁰ᵀ + b⁰) … Wⁿᵀ + bⁿ)} over row-major batches {@code X}
 * ({@code rows × inputs}).
 *
 * <p><b>Same bits, alone or in a batch.</b> Every {@code Zᵐ(i,j)} is the chain
 * {@code z ← fma(Aᵐ⁻¹(i,p), Wᵐ(j,p), z)} over {@code p = 0..in-1} in order from {@code z = 0},
 * then {@code z + bᵐ(j)}, then {@code φᵐ}: the same operations in the same order as
 * {@link Network#predict(Matrix)} and training's forward pass, whatever the number of rows or
 * threads. So a row predicted alone, in a batch of any size, or with several threads gives the
 * same bits.
 *
 * <pre>{@code
 * Inference inf = Inference.of(network);
 * Inference.Scratch s = inf.scratch(1);        // one per thread, reused
 * float[] y = new float[inf.outputs()];
 * inf.predict(x, 0, 1, y, 0, s);               // allocates nothing
 * }</pre>
 */
public final class Inference {
    private final Network network;
    private final Kernels batchKernels;

    private Inference(Network network, int threads) {
        this.network = Objects.requireNonNull(network, "network");
        this.batchKernels = Kernels.create(threads);
    }

    /** The network prepared for prediction on the calling thread. */
    public static Inference of(Network network) {
        return new Inference(network, 1);
    }

    /**
     * The network prepared for prediction; {@link #predictBatch} may use up to {@code threads}
     * cores.
     */
    public static Inference of(Network network, int threads) {
        return new Inference(network, threads);
    }

    /** The width of an input row. */
    public int inputs() {
        return network.inputs();
    }

    /** The width of an output row. */
    public int outputs() {
        return network.outputs();
    }

    /** Buffers for passes over up to {@code rows} rows; one thread at a time. */
    public Scratch scratch(int rows) {
        return new Scratch(network.workspace(rows, Kernels.singleThreaded()));
    }

    /**
     * {@code Ŷ} for {@code rows} rows of {@code x} (from {@code xOff}) into {@code y} (from
     * {@code yOff}) on the calling thread; allocates nothing.
     *
     * @throws IllegalArgumentException if {@code rows} exceeds the scratch's capacity
     */
    public void predict(float[] x, int xOff, int rows, float[] y, int yOff, Scratch scratch) {
        if (rows == 0) {
            return;
        }
        network.forward(x, xOff, rows, scratch.workspace);
        System.arraycopy(scratch.workspace.output(), 0, y, yOff, rows * outputs());
    }

    /** {@code ŷ(x)} for one row. */
    public float[] predict(float[] x) {
        if (x.length != inputs()) {
            throw new IllegalArgumentException("the network reads " + inputs() + " features, got " + x.length);
        }
        float[] y = new float[outputs()];
        predict(x, 0, 1, y, 0, scratch(1));
        return y;
    }

    /** {@code Ŷ} for {@code rows} rows of {@code x} into {@code y}, on up to the configured threads. */
    public void predictBatch(float[] x, int rows, float[] y) {
        Matrix out = network.predict(Matrix.wrap(rows, inputs(), x));
        System.arraycopy(out.data(), 0, y, 0, rows * outputs());
    }

    /** {@code Ŷ}, one row of outputs per row of {@code x}. */
    public Matrix predict(Matrix x) {
        return network.predict(x);
    }

    /** Per-thread buffers for {@link #predict(float[], int, int, float[], int, Scratch)}. */
    public static final class Scratch {
        final Workspace workspace;

        Scratch(Workspace workspace) {
            this.workspace = workspace;
        }

        /** The most rows one pass may hold. */
        public int capacity() {
            return workspace.capacity();
        }
    }
}

package dev.gradus.nn;

import dev.gradus.kernel.BiasEpilogue;
import dev.gradus.kernel.Epilogue;
import dev.gradus.kernel.Kernels;
import dev.gradus.kernel.PackedWeights;
import dev.gradus.kernel.RowGemm;
import dev.gradus.tensor.Matrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network prepared for prediction: every {@code Wᵐ} packed once into the forward layout of
 * {@link PackedWeights} — the representation training's products read — then only read.
 * Immutable; any number of threads may predict at once.
 *
 * <p>{@code Ŷ = φⁿ(… φ⁰(X W⁰ᵀ + b⁰) … Wⁿᵀ + bⁿ)} over row-major batches {@code X}
 * ({@code rows × inputs}). A few rows (fewer than {@value #BLOCKED_MIN_ROWS}) go through
 * {@link RowGemm}, which reads {@code X} and the packed panels in place; more rows go through the
 * blocked product of {@link Kernels} (depth blocks whose weight panels stay in the first-level
 * cache, the rows packed per block), with {@code + bᵐ} and {@code φᵐ} fused into its epilogue.
 * A batch passes in blocks of {@value #BLOCK_ROWS} rows, each through every layer while its
 * activations are in cache; threads share a batch by claiming whole blocks.
 *
 * <p><b>Same bits, alone or in a batch.</b> Every {@code Zᵐ(i,j)} is the chain
 * {@code z ← fma(Aᵐ⁻¹(i,p), Wᵐ(j,p), z)} over {@code p = 0..in-1} in order from {@code z = 0},
 * then {@code z + bᵐ(j)}, then {@code φᵐ} — on both paths, and the operations, in the same
 * order, of {@link Network#predict(Matrix)} and of training's forward pass. Rows never mix, so a
 * row predicted alone, in a batch of any size, or on any number of threads gives the same bits,
 * on the Vector API and the plain engine alike (tested against {@link Network#predict(Matrix)}
 * in {@code InferenceTest}).
 *
 * <pre>{@code
 * Inference inf = Inference.of(network);
 * Inference.Scratch s = inf.scratch(1);          // one per thread, reused
 * float[] y = new float[inf.outputs()];
 * inf.predict(x, 0, 1, y, 0, s);                 // allocates nothing
 * }</pre>
 */
public final class Inference {
    /**
     * Rows per block of a batch: the block's activations ({@code 64 × 256} floats = 64 KiB for a
     * 256-wide layer) stay in the second-level cache from one layer to the next, and a batch of
     * 1,024 rows gives the threads 16 blocks to share.
     */
    static final int BLOCK_ROWS = 64;
    /** From this many rows on, a pass uses the blocked product; below, {@link RowGemm}. */
    static final int BLOCKED_MIN_ROWS = 16;
    /** Rows below which a batch is not split over threads: handing work over costs more. */
    static final int PARALLEL_MIN_ROWS = 64;
    /** Each thread's scratch for the blocks of a batch, see {@link #blockScratch()}. */
    private static final ThreadLocal<Scratch> BLOCK_SCRATCH = new ThreadLocal<>();
    /** The blocked products run on the calling thread; a batch is split over threads by rows. */
    private static final Kernels KERNELS = Kernels.singleThreaded();

    private final int layers;
    private final int[] out;
    private final int[] ld;                 // row stride of Aᵐ on the few-rows path: whole panels
    private final PackedWeights[] w;        // Wᵐ in the forward layout
    private final float[][] b;              // bᵐ padded with zeros to whole panels
    private final Activation[] phi;
    private final int threads;

    private Inference(Network network, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        layers = network.layerCount();
        out = new int[layers];
        ld = new int[layers];
        w = new PackedWeights[layers];
        b = new float[layers][];
        phi = new Activation[layers];
        float[] theta = network.parameters().values();
        for (int m = 0; m < layers; m++) {
            Dense d = network.layer(m);
            out[m] = d.outputs();
            w[m] = PackedWeights.of(theta, network.parameters().weightView(m).offset(), d.outputs(), d.inputs());
            ld[m] = w[m].paddedOutputs();
            int bOff = network.parameters().biasView(m).offset();
            b[m] = Arrays.copyOf(Arrays.copyOfRange(theta, bOff, bOff + out[m]), ld[m]);
            phi[m] = d.activation();
        }
    }

    /**
     * The blocked pass's epilogue of layer {@code m}, writing {@code Aᵐ} over {@code Zᵐ} in
     * {@code a}: {@code + bᵐ} and a ReLU or identity {@code φᵐ} (or softmax's bias, the softmax
     * following the product) go into the product's register tiles ({@link BiasEpilogue}, over
     * the padded {@code bᵐ}); other {@code φᵐ} finish each block in a pass.
     */
    private Epilogue epilogue(int m, float[] a) {
        if (phi[m] instanceof Activation.Relu) {
            return BiasEpilogue.relu(b[m], 0);
        }
        if (phi[m] instanceof Activation.Identity || !phi[m].elementWise()) {
            return BiasEpilogue.identity(b[m], 0);
        }
        return new BiasActivation(phi[m], a).bias(b[m], 0);
    }

    /** {@code network} prepared for prediction on the calling thread; later changes to its weights are not seen. */
    public static Inference of(Network network) {
        return new Inference(network, 1);
    }

    /**
     * {@code network} prepared for prediction; {@link #predictBatch} and {@link #predict(Matrix)}
     * may split large batches over up to {@code threads} cores (same bits as one).
     */
    public static Inference of(Network network, int threads) {
        return new Inference(network, threads);
    }

    /** The width of an input row. */
    public int inputs() {
        return w[0].inputs();
    }

    /** The width of an output row. */
    public int outputs() {
        return out[layers - 1];
    }

    /** Buffers for passes over up to {@code rows} rows at a time; one thread at a time. */
    public Scratch scratch(int rows) {
        return new Scratch(this, rows);
    }

    /**
     * {@code Ŷ} for {@code rows} rows of {@code x} (from {@code xOff}) into {@code y} (from
     * {@code yOff}), on the calling thread; allocates nothing.
     *
     * @throws IllegalArgumentException if {@code rows} exceeds the scratch's capacity or an array
     *     is too short
     */
    public void predict(float[] x, int xOff, int rows, float[] y, int yOff, Scratch scratch) {
        if (rows < 0 || rows > scratch.capacity || scratch.owner != this) {
            throw new IllegalArgumentException(scratch.owner != this ? "the scratch belongs to another network"
                    : rows + " rows do not fit a scratch of " + scratch.capacity);
        }
        if (xOff < 0 || xOff + (long) rows * inputs() > x.length || yOff < 0
                || yOff + (long) rows * outputs() > y.length) {
            throw new IllegalArgumentException(rows + " rows: x holds " + x.length + " floats from " + xOff
                    + " (need " + (long) rows * inputs() + "), y " + y.length + " from " + yOff + " (need "
                    + (long) rows * outputs() + ")");
        }
        if (rows == 0) {
            return;
        }
        if (rows < BLOCKED_MIN_ROWS) {
            fewRows(x, xOff, rows, y, yOff, scratch);
        } else {
            blocked(x, xOff, rows, y, yOff, scratch);
        }
    }

    /** The few-rows pass: {@link RowGemm} straight from {@code X}, rows {@code ld[m]} apart. */
    private void fewRows(float[] x, int xOff, int rows, float[] y, int yOff, Scratch scratch) {
        float[] aPrev = x;
        int aPrevOff = xOff;
        int ldPrev = inputs();
        for (int m = 0; m < layers; m++) {
            float[] a = scratch.a[m];
            // Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ                          (rows, out), A⁻¹ = X
            RowGemm.abtBias(aPrev, aPrevOff, ldPrev, rows, w[m], b[m], a, 0, ld[m]);
            // Aᵐ = φᵐ(Zᵐ), in place                        (rows, out)
            for (int i = 0; i < rows; i++) {
                phi[m].applyRows(a, i * ld[m], a, i * ld[m], 1, out[m]);
            }
            aPrev = a;
            aPrevOff = 0;
            ldPrev = ld[m];
        }
        int n = outputs();
        for (int i = 0; i < rows; i++) {
            System.arraycopy(aPrev, i * ldPrev, y, yOff + i * n, n);
        }
    }

    /** The blocked pass: {@link Kernels}' product over the packed weights, dense rows. */
    private void blocked(float[] x, int xOff, int rows, float[] y, int yOff, Scratch scratch) {
        float[] aPrev = x;
        int aPrevOff = xOff;
        for (int m = 0; m < layers; m++) {
            float[] a = scratch.a[m];
            // Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ and Aᵐ = φᵐ(Zᵐ) in place  (rows, out), bias and φᵐ fused into the product
            KERNELS.abt(a, 0, aPrev, aPrevOff, w[m], rows, scratch.epilogue[m]);
            if (!phi[m].elementWise()) {
                // a row-wise φⁿ (softmax) needs whole rows: after the product
                phi[m].applyRows(a, 0, a, 0, rows, out[m]);
            }
            aPrev = a;
            aPrevOff = 0;
        }
        System.arraycopy(aPrev, 0, y, yOff, rows * outputs());
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

    /**
     * {@code Ŷ} for {@code rows} rows of {@code x} (from 0) into {@code y} (from 0), in blocks of
     * rows, shared by up to the configured threads when the batch is large. Allocates no buffers
     * once each thread has predicted a batch with this network (the block's buffers are kept per
     * thread).
     */
    public void predictBatch(float[] x, int rows, float[] y) {
        if (rows < 0 || (long) rows * inputs() > x.length || (long) rows * outputs() > y.length) {
            throw new IllegalArgumentException(rows + " rows do not fit x (" + x.length + " floats) or y ("
                    + y.length + " floats)");
        }
        int blocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        int parts = rows < PARALLEL_MIN_ROWS ? 1 : Math.min(threads, blocks);
        if (parts <= 1) {
            predictBlocks(x, rows, y, null, blocks);
            return;
        }
        // The caller and parts − 1 pool threads claim blocks from one counter until none is
        // left: a thread that the machine does not schedule holds nobody back. Who predicts a
        // block changes none of its bits.
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int t = 1; t < parts; t++) {
            others.add(Pool.EXECUTOR.submit(() -> predictBlocks(x, rows, y, next, blocks)));
        }
        predictBlocks(x, rows, y, next, blocks);
        try {
            for (Future<?> f : others) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while predicting", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("prediction failed on a worker thread", e.getCause());
        }
    }

    /** The blocks of {@code BLOCK_ROWS} rows claimed from {@code next}, or all of them when it is null. */
    private void predictBlocks(float[] x, int rows, float[] y, AtomicInteger next, int blocks) {
        Scratch s = null;
        int b = next == null ? 0 : next.getAndIncrement();
        while (b < blocks) {
            int r = b * BLOCK_ROWS;
            int n = Math.min(BLOCK_ROWS, rows - r);
            if (s == null) {
                s = blockScratch();
            }
            predict(x, r * inputs(), n, y, r * outputs(), s);
            b = next == null ? b + 1 : next.getAndIncrement();
        }
    }

    /**
     * The calling thread's scratch for blocks of this network, kept from one batch to the next
     * (a batch would otherwise allocate {@code BLOCK_ROWS × Σ out[m]} floats per thread). A
     * thread keeps only the scratch of the network it predicted with last, so a thread of the
     * shared pool holds at most one network's buffers (and the network) after a model is
     * replaced, until its next batch.
     */
    private Scratch blockScratch() {
        Scratch s = BLOCK_SCRATCH.get();
        if (s == null || s.owner != this) {
            s = scratch(BLOCK_ROWS);
            BLOCK_SCRATCH.set(s);
        }
        return s;
    }

    /** {@code Ŷ}, one row of outputs per row of {@code x} ({@code N × inputs}). */
    public Matrix predict(Matrix x) {
        if (x.cols() != inputs()) {
            throw new IllegalArgumentException("the network reads " + inputs() + " features, got " + x.cols()
                    + " columns");
        }
        Matrix y = Matrix.zeros(x.rows(), outputs());
        float[] data = x.offset() == 0 ? x.data() : x.copy().data();
        predictBatch(data, x.rows(), y.data());
        return y;
    }

    /**
     * Per-thread buffers: {@code Aᵐ} for up to {@link #capacity()} rows per layer (rows
     * {@code ld[m]} apart on the few-rows path, {@code out[m]} apart on the blocked one), and
     * the epilogues that write them.
     */
    public static final class Scratch {
        final Inference owner;
        final int capacity;
        final float[][] a;
        final Epilogue[] epilogue;

        Scratch(Inference owner, int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("a scratch needs room for at least 1 row, got " + capacity);
            }
            this.owner = owner;
            this.capacity = capacity;
            a = new float[owner.layers][];
            epilogue = new Epilogue[owner.layers];
            for (int m = 0; m < owner.layers; m++) {
                a[m] = new float[Math.multiplyExact(capacity, owner.ld[m])];
                epilogue[m] = owner.epilogue(m, a[m]);
            }
        }

        /** The most rows one pass may hold. */
        public int capacity() {
            return capacity;
        }
    }

    /** The threads that share large batches with the caller: daemons, one per core beyond the first. */
    private static final class Pool {
        static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
                    Thread t = new Thread(r, "gradus-inference");
                    t.setDaemon(true);
                    return t;
                });
    }
}

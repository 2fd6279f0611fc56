package dev.gradus.kernel;

import java.util.Arrays;

/**
 * A weight matrix {@code W} ({@code outputs × inputs}, row-major, as the flat parameters store
 * it) packed into the column panels that the micro-kernels read, so that the products with
 * {@code W} do no packing of their own. One instance serves every product with one {@code Wᵐ}:
 * <ul>
 *   <li>the <b>forward</b> layout, for {@code Z = A Wᵀ}
 *       ({@link Kernels#abt(float[], int, float[], int, PackedWeights, int, Epilogue)}): panels
 *       of {@code NR} outputs; panel {@code q} holds, for each input {@code p}, the {@code NR}
 *       values {@code W[q·NR + c][p]}. This is the transpose of {@code W}, done here once
 *       (with vector gathers where the Vector API is on);</li>
 *   <li>the <b>backward</b> layout, for {@code G = Δ W}
 *       ({@link Kernels#ab(float[], int, float[], int, PackedWeights, int, Epilogue)}): panels
 *       of {@code NR} inputs; panel {@code q} holds, for each output {@code p}, the {@code NR}
 *       values {@code W[p][q·NR + c]}. Only instances made {@link #forTraining} have it.</li>
 * </ul>
 * Panels are zero-padded to full width. Packing moves values and computes nothing, so a
 * product with packed weights is bit-identical to the same product on the unpacked
 * {@code W} ({@link Kernels#abt(float[], int, float[], int, float[], int, int, int, int)}).
 *
 * <p><b>Life cycle.</b> An instance owns its buffers and is reused: training packs each
 * {@code Wᵐ} once per step ({@link #packForward} before the forward pass, {@link #packBackward}
 * before the backward pass) into the same arrays, so steps allocate nothing. An inference path
 * ({@code nn.Inference}) packs once ({@link #of}) and then only reads, with {@link RowGemm} for a
 * few rows and with {@link Kernels} for batches: once packed, an instance may be read by any
 * number of threads at once, provided none packs it again meanwhile (packing is not
 * synchronised; publish a packed instance to other threads safely, e.g. through a final field).
 *
 * <p>The layout depends on the engine's register block, fixed once per JVM, so packed weights
 * fit the {@link Kernels} of the same JVM. They are not a file format: model files keep the
 * row-major {@code W}.
 *
 * <pre>{@code
 * PackedWeights w0 = PackedWeights.of(theta, w0Offset, 256, 784);    // W⁰, 256 × 784
 * kernels.abt(z, 0, x, 0, w0, rows, null);                             // Z = X W⁰ᵀ
 * }</pre>
 */
public final class PackedWeights {
    private final int engine;
    private final int outputs;
    private final int inputs;
    private final int nr;
    private final float[] forward;
    private final boolean withBackward;
    private float[] backward;       // allocated by the first packBackward
    /** Offsets {@code c·inputs} of one vector's lanes, for the gathers of the forward packing. */
    private final int[] rowOffsets;
    /**
     * For training instances, the rows of the products they serve; {@code -1}: packed on the
     * plain engine only while this JVM warms up ({@link Engine#warmingUp}), see {@link #current}.
     */
    private final int rows;

    PackedWeights(int engine, int outputs, int inputs, boolean withBackward) {
        this(engine, outputs, inputs, withBackward, 0);
    }

    private PackedWeights(int engine, int outputs, int inputs, boolean withBackward, int rows) {
        if (outputs < 1 || inputs < 1) {
            throw new IllegalArgumentException("packed weights need at least 1 output and 1 input, got "
                    + outputs + " x " + inputs);
        }
        this.engine = engine;
        this.outputs = outputs;
        this.inputs = inputs;
        this.nr = TiledGemm.nr(engine);
        this.forward = new float[Math.multiplyExact(roundUp(outputs, nr), inputs)];
        this.withBackward = withBackward;
        this.rows = rows;
        this.rowOffsets = new int[nr];
        for (int c = 0; c < nr; c++) {
            rowOffsets[c] = c * inputs;
        }
    }

    /**
     * Buffers for an {@code outputs × inputs} matrix in both layouts, for products over up to
     * {@code rows} rows, not packed yet: call {@link #packForward} and {@link #packBackward}
     * whenever {@code W} changes.
     */
    public static PackedWeights forTraining(int outputs, int inputs, int rows) {
        int engine = engineFor(outputs, inputs, rows);
        if (engine != Engine.PLAIN && 2L * rows * outputs * inputs < Kernels.WARM_UP_BELOW_FLOPS && !Engine.warm()) {
            // small products run plain while the JVM warms up, as unpacked ones do (Kernels)
            return new PackedWeights(Engine.PLAIN, outputs, inputs, true, -rows);
        }
        return new PackedWeights(engine, outputs, inputs, true, rows);
    }

    /**
     * This instance, or, once this JVM is warm, new buffers for the engine that
     * {@link #forTraining} chooses now, when this one was packed plain only for the warm-up
     * ({@link Engine#warmingUp}). Both give the same bits; a training pass calls it before
     * packing, so the switch allocates once in a run.
     */
    public PackedWeights current() {
        return rows < 0 && Engine.warm() ? forTraining(outputs, inputs, -rows) : this;
    }

    /** Whether this instance was packed plain only while the JVM warms up (its products count as warm-up work). */
    boolean warmingUp() {
        return rows < 0;
    }

    /**
     * The plain engine for matrices of at most {@link #PLAIN_MAX_SIZE} values, whose products
     * are mostly too small to gain from vectors before the JIT has compiled them (see
     * {@link Kernels#PLAIN_BELOW_FLOPS}); the default engine otherwise. Both give the same bits.
     */
    static int engineFor(int outputs, int inputs) {
        return (long) outputs * inputs <= PLAIN_MAX_SIZE ? Engine.PLAIN : Engine.DEFAULT;
    }

    /**
     * As {@link #engineFor(int, int)}, but a small matrix whose products over {@code rows} rows
     * reach {@link Kernels#PLAIN_BELOW_FLOPS} (the rule of {@link Kernels} for unpacked products)
     * takes the default engine: a blocked full-batch pass multiplies a 2 × 32 output layer by
     * 1,024 rows, where the plain kernel, padded to its 16 columns, ran at a fraction of the
     * vector kernel's speed.
     */
    static int engineFor(int outputs, int inputs, int rows) {
        long flops = 2L * rows * outputs * inputs;
        return flops >= Kernels.PLAIN_BELOW_FLOPS ? Engine.DEFAULT : engineFor(outputs, inputs);
    }

    /** Weight matrices up to this many values are packed for the plain engine. */
    static final long PLAIN_MAX_SIZE = Long.getLong("gradus.plainMaxWeights", 512L);

    /**
     * {@code W} ({@code outputs × inputs} from {@code w[offset]}) packed in the forward layout,
     * for inference: {@code Z = A Wᵀ}. Later changes to {@code w} are not seen.
     */
    public static PackedWeights of(float[] w, int offset, int outputs, int inputs) {
        PackedWeights p = new PackedWeights(engineFor(outputs, inputs), outputs, inputs, false);
        p.packForward(w, offset);
        return p;
    }

    /** The rows of {@code W}: the outputs of its layer. */
    public int outputs() {
        return outputs;
    }

    /** The columns of {@code W}: the inputs of its layer. */
    public int inputs() {
        return inputs;
    }

    /** Whether this instance holds the backward layout ({@link #forTraining}). */
    public boolean hasBackward() {
        return withBackward;
    }

    /**
     * {@link #outputs()} rounded up to whole panels of the forward layout: the row stride of the
     * {@code Z} that {@link RowGemm} writes, and the length of a bias padded for it.
     */
    public int paddedOutputs() {
        return roundUp(outputs, nr);
    }

    int engine() {
        return engine;
    }

    /** Columns per panel. */
    int nr() {
        return nr;
    }

    float[] forwardPanels() {
        return forward;
    }

    float[] backwardPanels() {
        return backward;
    }

    /** Packs {@code W} from {@code w[offset]} into the forward layout (the transpose). */
    public void packForward(float[] w, int offset) {
        checkSource(w, offset);
        int full = outputs / nr * nr;
        if (engine == Engine.VECTOR && full > 0) {
            VectorGemm.packTransposed(w, offset, full, inputs, rowOffsets, forward);
        } else {
            full = 0;
        }
        // The remaining panels (all of them on the plain engine), zero-padded.
        for (int j0 = full; j0 < outputs; j0 += nr) {
            int cols = Math.min(nr, outputs - j0);
            int panel = j0 * inputs;
            for (int c = 0; c < cols; c++) {
                int src = offset + (j0 + c) * inputs;
                for (int p = 0; p < inputs; p++) {
                    forward[panel + p * nr + c] = w[src + p];
                }
            }
            for (int c = cols; c < nr; c++) {
                for (int p = 0; p < inputs; p++) {
                    forward[panel + p * nr + c] = 0f;
                }
            }
        }
    }

    /**
     * Packs {@code W} from {@code w[offset]} into the backward layout.
     *
     * @throws IllegalStateException if this instance was made for inference only
     */
    public void packBackward(float[] w, int offset) {
        if (!withBackward) {
            throw new IllegalStateException("these packed weights were made for inference; use forTraining");
        }
        checkSource(w, offset);
        if (backward == null) {
            backward = new float[Math.multiplyExact(roundUp(inputs, nr), outputs)];
        }
        for (int j0 = 0; j0 < inputs; j0 += nr) {
            int cols = Math.min(nr, inputs - j0);
            int panel = j0 * outputs;
            for (int p = 0; p < outputs; p++) {
                int dst = panel + p * nr;
                System.arraycopy(w, offset + p * inputs + j0, backward, dst, cols);
                if (cols < nr) {
                    Arrays.fill(backward, dst + cols, dst + nr, 0f);
                }
            }
        }
    }

    private void checkSource(float[] w, int offset) {
        if (offset < 0 || offset + (long) outputs * inputs > w.length) {
            throw new IllegalArgumentException("packed weights: W needs " + (long) outputs * inputs
                    + " floats from offset " + offset + " but the array holds " + w.length);
        }
    }

    private static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    @Override
    public String toString() {
        return "PackedWeights[" + outputs + " x " + inputs + (!withBackward ? ", forward]" : ", forward + backward]");
    }
}

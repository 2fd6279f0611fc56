package dev.gradus.kernel;

/**
 * The forward epilogue {@code C ← φ(C + b)} for {@code φ} the identity or ReLU
 * ({@code z > 0 ? z : 0}), in place: {@code C(i,j) ← φ(C(i,j) + b[bOff + j])}. The blocked
 * product with prepacked weights ({@link Kernels#abt(float[], int, float[], int, PackedWeights,
 * int, Epilogue)}) on the Vector API applies it to each register tile as soon as the tile's sums
 * are complete, while the tile is in the first-level cache, when {@code b} has a value for every
 * column of the padded panels ({@link PackedWeights#paddedOutputs()} from {@code bOff}, zeros
 * past the outputs); elsewhere {@link #finish} makes the same operations in a pass over the
 * finished block. Either way the bits are those of {@link Functions#addBias}
 * then ReLU, each element finished once after its whole sum.
 *
 * <p>Immutable; one instance may serve any number of threads.
 *
 * <pre>{@code
 * float[] b0 = Arrays.copyOf(bias, w0.paddedOutputs());
 * kernels.abt(a, 0, x, 0, w0, rows, BiasEpilogue.relu(b0, 0));   // A⁰ = relu(X W⁰ᵀ + b⁰)
 * }</pre>
 */
public final class BiasEpilogue implements Epilogue {
    private final float[] b;
    private final int bOff;
    private final boolean relu;

    private BiasEpilogue(float[] b, int bOff, boolean relu) {
        if (bOff < 0 || bOff > b.length) {
            throw new IllegalArgumentException("bias offset " + bOff + " outside an array of " + b.length);
        }
        this.b = b;
        this.bOff = bOff;
        this.relu = relu;
    }

    /** {@code C ← C + b}. */
    public static BiasEpilogue identity(float[] b, int bOff) {
        return new BiasEpilogue(b, bOff, false);
    }

    /** {@code C ← relu(C + b)}. */
    public static BiasEpilogue relu(float[] b, int bOff) {
        return new BiasEpilogue(b, bOff, true);
    }

    /** Whether {@code b} covers {@code columns} columns, so that whole register tiles may read it. */
    boolean covers(int columns) {
        return bOff + (long) columns <= b.length;
    }

    float[] bias() {
        return b;
    }

    int biasOffset() {
        return bOff;
    }

    boolean relu() {
        return relu;
    }

    @Override
    public void finish(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
        int at = cOff + i0 * ldc + j0;
        if (relu) {
            Functions.addBiasRelu(c, at, ldc, i1 - i0, j1 - j0, b, bOff + j0, c, at);
        } else {
            Functions.addBias(c, at, ldc, i1 - i0, j1 - j0, b, bOff + j0);
        }
    }
}

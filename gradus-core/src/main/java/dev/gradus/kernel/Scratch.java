package dev.gradus.kernel;

/**
 * The packing buffers of one thread: a block of {@code A} packed in row panels, a block of
 * {@code B} packed in column panels, one register tile for the ragged edges, and a product's
 * {@code Cᵀ} when {@link Kernels} computes the transpose.
 *
 * <p>Buffers grow on first use to the largest block seen and are then reused, so a thread that
 * repeats the same products allocates nothing. A scratch belongs to exactly one thread.
 */
final class Scratch {
    private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);

    float[] packedA = new float[0];
    float[] packedB = new float[0];
    float[] tile = new float[0];
    float[] transposed = new float[0];

    /** The calling thread's scratch. */
    static Scratch ofCurrentThread() {
        return OF_THREAD.get();
    }

    float[] packedA(int size) {
        if (packedA.length < size) {
            packedA = new float[size];
        }
        return packedA;
    }

    float[] packedB(int size) {
        if (packedB.length < size) {
            packedB = new float[size];
        }
        return packedB;
    }

    /** A product's {@code Cᵀ} before it is transposed into {@code C}. */
    float[] transposed(int size) {
        if (transposed.length < size) {
            transposed = new float[size];
        }
        return transposed;
    }

    float[] tile(int size) {
        if (tile.length < size) {
            tile = new float[size];
        }
        return tile;
    }
}

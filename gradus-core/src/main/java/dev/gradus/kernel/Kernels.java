package dev.gradus.kernel;

/**
 * The matrix products used by the forward and backward passes, for a chosen number of threads.
 *
 * <p>Every product gives bit-identical results whatever the thread count: work is split by
 * output tiles, never by the order of a sum. An instance holds no per-call state and may be
 * shared by the threads that use it.
 */
public final class Kernels {
    private final int threads;

    private Kernels(int threads) {
        this.threads = threads;
    }

    /** Kernels that may use up to {@code threads} cores. */
    public static Kernels create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return new Kernels(threads);
    }

    /** Single-threaded kernels, the safe choice for serving many callers at once. */
    public static Kernels singleThreaded() {
        return new Kernels(1);
    }

    /** The number of threads a product may use. */
    public int threads() {
        return threads;
    }

    /** {@code C[m×n] = A[m×k] · B[n×k]ᵀ}. */
    public void abt(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        NaiveGemm.abt(c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /** {@code C[m×n] = A[k×m]ᵀ · B[k×n]}. */
    public void atb(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        NaiveGemm.atb(c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /** {@code C[m×n] = A[m×k] · B[k×n]}. */
    public void ab(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        NaiveGemm.ab(c, cOff, a, aOff, b, bOff, m, n, k);
    }
}

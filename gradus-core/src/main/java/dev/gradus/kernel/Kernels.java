package dev.gradus.kernel;

/**
 * The matrix products used by the forward and backward passes, for a chosen number of threads.
 *
 * <p>Each product packs blocks of its operands (handling the transposes on the way), runs a
 * register-blocked micro-kernel with the JDK Vector API ({@code jdk.incubator.vector}) or, when
 * that module is not enabled, a plain-Java one, and splits the output {@code C} into tiles over
 * up to {@link #threads()} cores when the product is large enough to pay for the handover.
 *
 * <p><b>Reproducibility.</b> Every {@code C(i,j)} is the chain
 * {@code c ← fma(A(i,p), B(p,j), c)} over {@code p = 0..k-1} in order, from {@code c = 0}.
 * Work is split by output tiles, never by the order of a sum, so results are bit-identical for
 * every thread count, and the Vector API and plain paths agree bit for bit. The naive twins in
 * {@link NaiveGemm} round the product before adding it, so they agree only to rounding.
 *
 * <p>An instance holds no per-call state and may be shared by the threads that use it; packing
 * buffers belong to threads and are reused, so repeated products allocate nothing.
 *
 * <pre>{@code
 * Kernels kernels = Kernels.create(2);
 * kernels.abt(z, 0, x, 0, w, 0, rows, out, in);     // Z = X Wᵀ
 * }</pre>
 */
public final class Kernels {
    /**
     * Below this many floating-point operations ({@code 2mnk}) one thread computes the whole
     * product: waking a second core costs 10–30 µs, more than it saves on smaller products.
     */
    static final long PARALLEL_MIN_FLOPS = Long.getLong("gradus.parallelMinFlops", 4_000_000L);

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final int threads;
    private final int engine;
    private final long parallelMinFlops;

    private Kernels(int threads, int engine, long parallelMinFlops) {
        this.threads = threads;
        this.engine = engine;
        this.parallelMinFlops = parallelMinFlops;
    }

    /** Kernels that may use up to {@code threads} cores. */
    public static Kernels create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return new Kernels(threads, Engine.DEFAULT, PARALLEL_MIN_FLOPS);
    }

    /** Single-threaded kernels, the safe choice for serving many callers at once. */
    public static Kernels singleThreaded() {
        return new Kernels(1, Engine.DEFAULT, PARALLEL_MIN_FLOPS);
    }

    /**
     * Kernels on a chosen engine that split every product of at least {@code parallelMinFlops}
     * operations (for tests and measurements).
     */
    static Kernels of(int threads, int engine, long parallelMinFlops) {
        return new Kernels(threads, engine, parallelMinFlops);
    }

    /** The number of threads a product may use. */
    public int threads() {
        return threads;
    }

    /** Whether the products run on the Vector API ({@code jdk.incubator.vector}) in this JVM. */
    public static boolean vectorized() {
        return Engine.DEFAULT == Engine.VECTOR;
    }

    /** A short description of the engine, e.g. {@code vector(512-bit, 6x32)} or {@code plain(4x16)}. */
    public static String description() {
        return Engine.name(Engine.DEFAULT);
    }

    /** {@code C[m×n] = A[m×k] · B[n×k]ᵀ} (forward: {@code Z = A Wᵀ}); {@code C} is overwritten. */
    public void abt(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(Product.ABT, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /** {@code C[m×n] = A[k×m]ᵀ · B[k×n]} (weight gradient: {@code ∂ℓ/∂W = Δᵀ A}); {@code C} is overwritten. */
    public void atb(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(Product.ATB, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /** {@code C[m×n] = A[m×k] · B[k×n]} (input gradient: {@code G = Δ W}); {@code C} is overwritten. */
    public void ab(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(Product.AB, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /** {@link #abt}, {@link #atb} or {@link #ab} by product code (for tests). */
    void multiplyForTest(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(op, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    private void multiply(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                          int m, int n, int k) {
        check(op, c, cOff, a, aOff, b, bOff, m, n, k);
        if (m == 0 || n == 0) {
            return;
        }
        long flops = 2L * m * n * k;
        int executors = Math.min(threads, CORES);
        if (threads > 1 && flops >= parallelMinFlops) {
            int mr = TiledGemm.mr(engine);
            int nr = TiledGemm.nr(engine);
            // Tiles: column strips when there are enough NR-wide columns, else row strips.
            boolean byColumns = n >= threads * nr || n >= m;
            int extent = byColumns ? n : m;
            int unit = byColumns ? nr : mr;
            int tileSize = roundUp(ceilDiv(extent, threads), unit);
            int tiles = ceilDiv(extent, tileSize);
            if (tiles > 1 && TilePool.SHARED.tryRun(executors, engine, op, c, cOff, a, aOff, b, bOff, m, n, k,
                    byColumns, tileSize, tiles)) {
                return;
            }
        }
        TiledGemm.multiply(engine, op, c, cOff, a, aOff, b, bOff, m, n, k, 0, m, 0, n, Scratch.ofCurrentThread());
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int unit) {
        return ceilDiv(x, unit) * unit;
    }

    private static void check(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                              int m, int n, int k) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(Product.name(op) + ": sizes must be non-negative, got m=" + m
                    + ", n=" + n + ", k=" + k);
        }
        fits("c", c, cOff, (long) m * n, op);
        fits("a", a, aOff, (long) m * k, op);
        fits("b", b, bOff, (long) n * k, op);
    }

    private static void fits(String name, float[] array, int offset, long size, int op) {
        if (offset < 0 || offset + size > array.length) {
            throw new IllegalArgumentException(Product.name(op) + ": " + name + " needs " + size
                    + " floats from offset " + offset + " but holds " + array.length);
        }
    }
}

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

    /**
     * Below this many operations a product runs on the plain-Java kernel, which gives the same
     * bits: until the JIT's last tier has compiled the Vector API kernels they run hundreds of
     * times slower than plain Java, which is most of the time of a short training of a tiny
     * network (a 4-32-3 network's products are 6–8 kFLOP); once compiled, the vector kernel
     * wins from a few tens of kFLOP on.
     */
    static final long PLAIN_BELOW_FLOPS = Long.getLong("gradus.plainBelowFlops", 16_384L);

    /**
     * Products below this many operations also run on the plain kernel while the JVM warms up
     * ({@link Engine#warmingUp}); larger ones repay the vector code's warm-up within the run.
     */
    static final long WARM_UP_BELOW_FLOPS = 1L << 22;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final int threads;
    private final int engine;
    private final long parallelMinFlops;
    private final long plainBelowFlops;
    private final boolean warmUp;   // small products run plain while the JVM warms up (Engine.warmingUp)

    private Kernels(int threads, int engine, long parallelMinFlops, long plainBelowFlops, boolean warmUp) {
        this.threads = threads;
        this.engine = engine;
        this.parallelMinFlops = parallelMinFlops;
        this.plainBelowFlops = plainBelowFlops;
        this.warmUp = warmUp;
    }

    /** Kernels that may use up to {@code threads} cores. */
    public static Kernels create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return new Kernels(threads, Engine.DEFAULT, PARALLEL_MIN_FLOPS, PLAIN_BELOW_FLOPS, true);
    }

    /** Single-threaded kernels, the safe choice for serving many callers at once. */
    public static Kernels singleThreaded() {
        return new Kernels(1, Engine.DEFAULT, PARALLEL_MIN_FLOPS, PLAIN_BELOW_FLOPS, true);
    }

    /**
     * Kernels on a chosen engine, for every product size, that split every product of at least
     * {@code parallelMinFlops} operations (for tests and measurements).
     */
    static Kernels of(int threads, int engine, long parallelMinFlops) {
        return new Kernels(threads, engine, parallelMinFlops, 0, false);
    }

    /**
     * Announces a run of about {@code operations} operations (multiply-adds counted as two), such
     * as a training run's epochs × rows × operations per row, so that this JVM's kernels choose
     * between plain-first and vector-from-the-start once, before the run, rather than switching
     * in its middle. Results are the same bits either way.
     */
    public static void expectWork(long operations) {
        Engine.expect(operations);
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

    /**
     * {@code C[m×n] = A[m×k] · B[n×k]ᵀ}, then each finished block of {@code C} through
     * {@code epilogue} (may be null): the forward product {@code Zᵐ = Aᵐ⁻¹ Wᵐᵀ} with {@code Wᵐ}
     * as the flat parameters hold it, for the passes where {@link #packsWeightsInProduct} says
     * so. Bit-identical to the product with {@link PackedWeights}.
     */
    public void abt(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
                    Epilogue epilogue) {
        multiply(Product.ABT, c, cOff, a, aOff, b, bOff, m, n, k, epilogue);
    }

    /**
     * Whether the forward product of an {@code outputs × inputs} layer over {@code rows} rows
     * should read {@code W} unpacked ({@link #abt(float[], int, float[], int, float[], int, int,
     * int, int, Epilogue)}), each panel transposed inside the product on the thread that uses
     * it, rather than from {@link PackedWeights} packed once for the pass: true on 8-float
     * vectors for batches of at most 80 rows and products of at least 2²² operations (a
     * mini-batch step of a wide layer), where every panel is read once anyway, so packing
     * inside the product is split over the threads with the tiles and stays in cache. Layers of
     * at most four outputs keep their own path, small products the warm-up rules of
     * {@link PackedWeights#forTraining}.
     */
    public boolean packsWeightsInProduct(int rows, int outputs, int inputs) {
        return engine == Engine.VECTOR && PackedAbt.PANELS_IN_PRODUCT && rows <= PackedAbt.MC
                && outputs > VectorNarrow.MAX_OUTPUTS && 2L * rows * outputs * inputs >= WARM_UP_BELOW_FLOPS;
    }

    /** {@code C[m×n] = A[k×m]ᵀ · B[k×n]} (weight gradient: {@code ∂ℓ/∂W = Δᵀ A}); {@code C} is overwritten. */
    public void atb(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(Product.ATB, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /** {@code C[m×n] = A[m×k] · B[k×n]} (input gradient: {@code G = Δ W}); {@code C} is overwritten. */
    public void ab(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(Product.AB, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    /**
     * {@code C[m×n] = A[m×k] · Wᵀ} with {@code W} ({@code n×k}) packed in the forward layout
     * (forward: {@code Zᵐ = Aᵐ⁻¹ Wᵐᵀ}), {@code n = w.outputs()}, {@code k = w.inputs()};
     * {@code C} is overwritten, then each finished block goes through {@code epilogue} (may be
     * null). Bit-identical to {@link #abt(float[], int, float[], int, float[], int, int, int, int)}
     * on the unpacked {@code W}, before the epilogue. On the AVX2 register block a product of
     * few column panels reads the rows of {@code A} in place instead of packing them, and a
     * {@link BiasEpilogue} is applied to each register tile as it is stored (same bits).
     *
     * @throws IllegalArgumentException if {@code w} was packed for another engine or a size does not fit
     */
    public void abt(float[] c, int cOff, float[] a, int aOff, PackedWeights w, int m, Epilogue epilogue) {
        checkPacked(w, "abt");
        check(Product.ABT, c, cOff, a, aOff, null, 0, m, w.outputs(), w.inputs(), false);
        countWarmUp(w, m);
        if (w.engine() == Engine.VECTOR && w.outputs() <= VectorNarrow.MAX_OUTPUTS && w.nr() >= VectorNarrow.MAX_OUTPUTS
                && m > 0) {
            // a layer of a few outputs, on this thread (the product is small): rows as the lanes,
            // or with 8-float vectors scalar sums over the rows where they lie
            if (VectorNarrow.IN_PLACE) {
                VectorNarrow.abtInPlace(c, cOff, a, aOff, w.forwardPanels(), w.nr(), m, w.outputs(), w.inputs(),
                        epilogue);
            } else {
                VectorNarrow.abt(c, cOff, a, aOff, w.forwardPanels(), w.nr(), m, w.outputs(), w.inputs(), epilogue,
                        Scratch.ofCurrentThread());
            }
            return;
        }
        multiply(w.engine(), Product.ABT, c, cOff, a, aOff, w.forwardPanels(), 0, true, m, w.outputs(), w.inputs(),
                epilogue);
    }

    /**
     * {@code C[m×n] = A[m×k] · W} with {@code W} ({@code k×n}) packed in the backward layout
     * (input gradient: {@code Gᵐ⁻¹ = Δᵐ Wᵐ}), {@code k = w.outputs()}, {@code n = w.inputs()};
     * {@code C} is overwritten, then each finished block goes through {@code epilogue} (may be
     * null). Bit-identical to {@link #ab(float[], int, float[], int, float[], int, int, int, int)}
     * on the unpacked {@code W}, before the epilogue.
     *
     * @throws IllegalArgumentException if {@code w} has no backward layout, was packed for
     *     another engine, or a size does not fit
     */
    public void ab(float[] c, int cOff, float[] a, int aOff, PackedWeights w, int m, Epilogue epilogue) {
        if (w.backwardPanels() == null) {
            throw new IllegalArgumentException("ab: " + w + " holds no backward layout (made for inference, or"
                    + " packBackward not called)");
        }
        checkPacked(w, "ab");
        check(Product.AB, c, cOff, a, aOff, null, 0, m, w.inputs(), w.outputs(), false);
        countWarmUp(w, m);
        if (w.engine() == Engine.VECTOR && w.outputs() <= VectorNarrow.MAX_OUTPUTS && m > 0) {
            // sums of at most four terms: each row of C in place, on this thread (the product is small)
            VectorNarrow.ab(c, cOff, a, aOff, w.backwardPanels(), w.nr(), m, w.inputs(), w.outputs(), epilogue);
            return;
        }
        multiply(w.engine(), Product.AB, c, cOff, a, aOff, w.backwardPanels(), 0, true, m, w.inputs(), w.outputs(),
                epilogue);
    }

    /** Products with weights packed plain for the warm-up count as warm-up work ({@link Engine#warmingUp}). */
    private static void countWarmUp(PackedWeights w, int m) {
        if (w.warmingUp()) {
            Engine.warmingUp(2L * m * w.outputs() * w.inputs());
        }
    }

    private void checkPacked(PackedWeights w, String name) {
        if (w.engine() != engine && w.engine() != Engine.PLAIN) {
            throw new IllegalArgumentException(name + ": the weights were packed for " + Engine.name(w.engine())
                    + " but these kernels run " + Engine.name(engine));
        }
    }

    /** {@link #abt}, {@link #atb} or {@link #ab} by product code (for tests). */
    void multiplyForTest(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        multiply(op, c, cOff, a, aOff, b, bOff, m, n, k);
    }

    private void multiply(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                          int m, int n, int k) {
        multiply(op, c, cOff, a, aOff, b, bOff, m, n, k, null);
    }

    private void multiply(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                          int m, int n, int k, Epilogue epilogue) {
        check(op, c, cOff, a, aOff, b, bOff, m, n, k, true);
        long flops = 2L * m * n * k;
        int e = flops < plainBelowFlops
                || warmUp && flops < WARM_UP_BELOW_FLOPS && Engine.warmingUp(flops) ? Engine.PLAIN : engine;
        boolean small = e == Engine.PLAIN && flops < SmallGemm.MAX_FLOPS;   // SmallGemm pads nothing
        if (op == Product.ATB && epilogue == null && !small && m > 0 && n > 0 && paddedArea(e, n, m) < paddedArea(e, m, n)) {
            // Cᵀ = Bᵀ A is the same kind of product with the operands swapped, and each of its
            // elements is the same chain of fused multiply-adds (fma(a, b, c) = fma(b, a, c)):
            // when C's shape wastes more of the register tiles (∂ℓ/∂W⁰ of a 20-input layer,
            // 32 × 20, pads its 20 columns to 32 on 16-wide tiles), compute Cᵀ and transpose.
            float[] t = Scratch.ofCurrentThread().transposed(n * m);
            multiply(e, op, t, 0, b, bOff, a, aOff, false, n, m, k, null);
            for (int i = 0; i < m; i++) {
                int row = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    c[row + j] = t[j * m + i];
                }
            }
            return;
        }
        multiply(e, op, c, cOff, a, aOff, b, bOff, false, m, n, k, epilogue);
    }

    /** The area of {@code C} ({@code m × n}) rounded up to whole register tiles of {@code engine}. */
    private static long paddedArea(int engine, int m, int n) {
        return (long) roundUp(m, TiledGemm.mr(engine)) * roundUp(n, TiledGemm.nr(engine));
    }

    private void multiply(int engine, int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                          boolean bPacked, int m, int n, int k, Epilogue epilogue) {
        if (m == 0 || n == 0) {
            return;
        }
        long flops = 2L * m * n * k;
        if (engine == Engine.PLAIN && flops < SmallGemm.MAX_FLOPS) {
            SmallGemm.multiply(op, c, cOff, a, aOff, b, bOff, bPacked, PlainGemm.NR, m, n, k, epilogue);
            return;
        }
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
            if (tiles > 1 && TilePool.SHARED.tryRun(executors, engine, op, c, cOff, a, aOff, b, bOff, bPacked, m, n,
                    k, byColumns, tileSize, tiles, epilogue)) {
                return;
            }
        }
        TiledGemm.multiply(engine, op, c, cOff, a, aOff, b, bOff, bPacked, m, n, k, 0, m, 0, n, epilogue,
                Scratch.ofCurrentThread());
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int unit) {
        return ceilDiv(x, unit) * unit;
    }

    private static void check(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                              int m, int n, int k, boolean checkB) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(Product.name(op) + ": sizes must be non-negative, got m=" + m
                    + ", n=" + n + ", k=" + k);
        }
        fits("c", c, cOff, (long) m * n, op);
        fits("a", a, aOff, (long) m * k, op);
        if (checkB) {
            fits("b", b, bOff, (long) n * k, op);
        }
    }

    private static void fits(String name, float[] array, int offset, long size, int op) {
        if (offset < 0 || offset + size > array.length) {
            throw new IllegalArgumentException(Product.name(op) + ": " + name + " needs " + size
                    + " floats from offset " + offset + " but holds " + array.length);
        }
    }
}

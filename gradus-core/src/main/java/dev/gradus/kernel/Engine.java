package dev.gradus.kernel;

/**
 * Chooses, once per JVM, how the micro-kernels run: with the Vector API when the module
 * {@code jdk.incubator.vector} is in the boot layer, otherwise in plain Java with a one-line
 * warning through {@link System.Logger} (logger {@code dev.gradus.kernel}). {@link VectorGemm} is never loaded when the module is absent.
 *
 * <p>{@code -Dgradus.kernels=plain} forces the plain path (for measuring it).
 *
 * <p><b>Warm-up.</b> Until the JIT's last tier has compiled them, Vector API code runs through
 * the API's Java fallbacks, hundreds of times slower than plain Java; the JIT needs a fixed
 * amount of such slow work before it compiles them (a few tenths of a second), whenever that work
 * happens. A short run of a small network (iris, a second of training) is faster without ever
 * paying it. So small products and element-wise loops run on the plain engine until this JVM
 * has done {@link #PLAIN_FIRST_WORK} operations of them, and on the vector engine from then on
 * ({@link #warmingUp}); a training run planned at more than {@link #VECTOR_FIRST_RUN} operations
 * starts on the vector engine ({@link #expect}). Both engines give the same bits, so the switch
 * changes no result.
 */
final class Engine {
    static final int PLAIN = 0;
    static final int VECTOR = 1;

    /** The engine every {@link Kernels} uses. */
    static final int DEFAULT = choose();

    /**
     * Operations (multiply-adds counted as two, element-wise evaluations as their cost) that small
     * products and element-wise loops run on the plain engine before the vector engine takes over,
     * {@code -Dgradus.plainFirstWork=N} to change (0: vector from the start). 2²⁸ ≈ 2.7·10⁸ take
     * about 0.1 s on the plain kernels at these sizes: the default iris training (4-100-3, batch
     * 32: ~1.1·10⁵ per step, ~1.7·10⁸ in all) never runs the Vector API. A training run planned
     * well past this budget starts on the vector engine instead ({@link #expect}), so that W2
     * (8-32-32-1, 20,000 rows, ~1.6·10⁸ per epoch) pays the vector code's warm-up in its first
     * epoch rather than in its second.
     */
    static final long PLAIN_FIRST_WORK = Long.getLong("gradus.plainFirstWork", 1L << 28);

    /**
     * The planned work above which {@link #expect} starts a run on the vector engine: twice
     * {@link #PLAIN_FIRST_WORK}, so that a run planned just above the plain-first budget, which
     * early stopping often ends below it, stays plain.
     */
    static final long VECTOR_FIRST_RUN = PLAIN_FIRST_WORK < Long.MAX_VALUE / 2
            ? 2 * PLAIN_FIRST_WORK : Long.MAX_VALUE;

    /** The work done by {@link #warmingUp} so far; updated without locks (a lost update only delays the switch). */
    private static long plainWork;
    /** Set once {@link #plainWork} reaches {@link #PLAIN_FIRST_WORK}: from then on the default engine runs. */
    private static volatile boolean warm = PLAIN_FIRST_WORK <= 0;

    private Engine() {}

    /** Whether small work now runs on the default engine: this JVM is warm, or the default engine is plain. */
    static boolean warm() {
        return warm || DEFAULT == PLAIN;
    }

    /**
     * Whether work of {@code operations} that could run on the vector engine should run on the
     * plain one, because this JVM has not yet done {@link #PLAIN_FIRST_WORK} operations of such
     * work (the call counts them). Always false once warm, and when the default engine is plain.
     */
    static boolean warmingUp(long operations) {
        if (warm || DEFAULT == PLAIN) {
            return false;
        }
        long done = plainWork + operations;
        plainWork = done;
        if (done >= PLAIN_FIRST_WORK) {
            warm = true;
        }
        return true;
    }

    /**
     * Tells the engine that a run of about {@code operations} operations of small work is about
     * to start (a training run's plan: epochs × rows × operations per row). A run planned at
     * more than {@link #VECTOR_FIRST_RUN} operations starts on the vector engine: it would switch
     * anyway, and the vector code's JIT warm-up then falls at its start rather than in the middle
     * of its epochs, where a short run of a mid-sized network (W2, 1 + 3 epochs) measured it
     * costing 0.1–0.3 s more in all and most of the speed of the epoch it fell in. Smaller runs
     * (the default iris training: ~2.4·10⁸ planned) keep the plain-first rule.
     */
    static void expect(long operations) {
        if (operations > VECTOR_FIRST_RUN) {
            warm = true;
        }
    }

    private static int choose() {
        if ("plain".equals(System.getProperty("gradus.kernels"))) {
            return PLAIN;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            // The library prints nothing itself: the hint goes to System.Logger, which an
            // application routes to its own logging (java.util.logging by default).
            System.getLogger("dev.gradus.kernel").log(System.Logger.Level.WARNING, "matrix products run without "
                    + "SIMD; for full speed add --add-modules jdk.incubator.vector to the java command line");
            return PLAIN;
        }
        return VectorGemm.usable() ? VECTOR : PLAIN;
    }

    /** Whether {@code jdk.incubator.vector} can be used in this JVM. */
    static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() && VectorGemm.usable();
    }

    static String name(int engine) {
        return engine == VECTOR ? "vector(" + VectorGemm.S.vectorBitSize() + "-bit, " + VectorGemm.MR + "x"
                + VectorGemm.NR + ")" : "plain(" + PlainGemm.MR + "x" + PlainGemm.NR + ")";
    }
}

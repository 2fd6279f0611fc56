package dev.gradus.kernel;

/**
 * Chooses, once per JVM, how the micro-kernels run: with the Vector API when the module
 * {@code jdk.incubator.vector} is in the boot layer, otherwise in plain Java with a one-line
 * warning through {@link System.Logger} (logger {@code dev.gradus.kernel}). {@link VectorGemm} is never loaded when the module is absent.
 *
 * <p>{@code -Dgradus.kernels=plain} forces the plain path (for measuring it).
 */
final class Engine {
    static final int PLAIN = 0;
    static final int VECTOR = 1;

    /** The engine every {@link Kernels} uses. */
    static final int DEFAULT = choose();

    private Engine() {}

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

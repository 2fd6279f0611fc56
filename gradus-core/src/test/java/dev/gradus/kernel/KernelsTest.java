package dev.gradus.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The fast products against their naive twins, and against themselves across thread counts
 * and engines.
 */
class KernelsTest {

    /**
     * Small work runs plain until the JVM has done {@link Engine#PLAIN_FIRST_WORK} operations of
     * it, then on the default engine for good (the engines give the same bits, tested below).
     */
    @Test
    void smallWorkRunsPlainUntilTheJvmIsWarm() {
        assumeTrue(Engine.DEFAULT == Engine.VECTOR, "the vector engine is not on in this JVM");
        Engine.warmingUp(Engine.PLAIN_FIRST_WORK);   // this JVM may or may not be warm yet
        assertEquals(false, Engine.warmingUp(1), "warm after PLAIN_FIRST_WORK operations");
        assertEquals(false, Engine.warmingUp(Engine.PLAIN_FIRST_WORK), "and stays warm");
    }


    @Test
    void aRunPlannedPastTwiceThePlainFirstWorkStartsOnTheVectorEngine() {
        assumeTrue(Engine.DEFAULT == Engine.VECTOR, "the vector engine is not on in this JVM");
        Kernels.expectWork(Engine.VECTOR_FIRST_RUN + 1);
        assertEquals(false, Engine.warmingUp(1), "small work runs on the vector engine from the run's start");
    }

    /** m, n, k: 1×1×1, sizes below, at and just past the register block (4/6/8 × 16/32), the
     * packing blocks (KC = 256, MC = 16 panels), blocks of few columns that read {@code A} in
     * place (ragged rows and columns, several depth blocks) and the workload shapes. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {1, 1, 7}, {1, 17, 1}, {3, 5, 2}, {4, 16, 8}, {5, 17, 9}, {6, 32, 31}, {7, 33, 33},
        {8, 31, 64}, {9, 48, 100}, {13, 65, 257}, {31, 1, 40}, {2, 100, 513}, {97, 95, 3}, {100, 129, 300},
        {64, 10, 128}, {32, 1, 32}, {33, 8, 32}, {21, 40, 600}, {130, 64, 257}, {1027, 32, 20}, {0, 5, 3}, {5, 0, 3},
        {4, 6, 0},
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int op : new int[] {Product.ABT, Product.ATB, Product.AB}) {
            for (int[] s : SHAPES) {
                out.add(Arguments.of(Product.name(op), op, s[0], s[1], s[2]));
            }
        }
        return out.stream();
    }

    static List<Integer> engines() {
        return Engine.vectorAvailable() ? List.of(Engine.PLAIN, Engine.VECTOR) : List.of(Engine.PLAIN);
    }

    @ParameterizedTest(name = "{0} {2}x{3}x{4}")
    @MethodSource("cases")
    void agreesWithNaiveTwinWithinRounding(String name, int op, int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(31L * m + 7L * n + k + op);
        // Offsets on every operand, and sentinels around C that must survive.
        int aOff = 3;
        int bOff = 5;
        int cOff = 2;
        float[] a = randomArray(aOff + m * k + 4, random);
        float[] b = randomArray(bOff + n * k + 4, random);
        float[] expected = new float[cOff + m * n + 3];
        naive(op, expected, cOff, a, aOff, b, bOff, m, n, k);
        double[] bound = errorBound(op, a, aOff, b, bOff, m, n, k);
        for (int engine : engines()) {
            for (int threads : new int[] {1, 2, 4}) {
                float[] c = new float[expected.length];
                Arrays.fill(c, 12345f);                      // C must be overwritten, not added to
                float[] sentinel = c.clone();
                Kernels.of(threads, engine, 0).multiplyForTest(op, c, cOff, a, aOff, b, bOff, m, n, k);
                for (int i = 0; i < cOff; i++) {
                    assertEquals(sentinel[i], c[i], "before C");
                }
                for (int i = cOff + m * n; i < c.length; i++) {
                    assertEquals(sentinel[i], c[i], "after C");
                }
                for (int e = 0; e < m * n; e++) {
                    float got = c[cOff + e];
                    float want = expected[cOff + e];
                    assertTrue(Math.abs(got - want) <= bound[e], () -> name + " " + Engine.name(engine) + " threads "
                            + threads + " element " + "(" + "): got " + got + ", naive " + want);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {2}x{3}x{4}")
    @MethodSource("cases")
    void bitIdenticalForEveryThreadCountAndEngine(String name, int op, int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(99L * m + n + 13L * k + op);
        float[] a = randomArray(m * k, random);
        float[] b = randomArray(n * k, random);
        float[] reference = new float[m * n];
        Kernels.of(1, Engine.PLAIN, 0).multiplyForTest(op, reference, 0, a, 0, b, 0, m, n, k);
        for (int engine : engines()) {
            for (int threads : new int[] {1, 2, 3, 4}) {
                float[] c = new float[m * n];
                Kernels.of(threads, engine, 0).multiplyForTest(op, c, 0, a, 0, b, 0, m, n, k);
                assertBitIdentical(reference, c, name + " " + Engine.name(engine) + " threads " + threads);
            }
        }
    }

    @Test
    void largeProductsSplitOverThreadsStayBitIdentical() {
        // Above the default crossover, through the public factory: column strips (n wide) and
        // row strips (n narrow, m tall).
        int[][] shapes = {{64, 784, 256}, {256, 256, 784}, {1000, 20, 129}, {300, 300, 300}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            assertTrue(2L * m * n * k >= Kernels.PARALLEL_MIN_FLOPS);
            SplittableRandom random = new SplittableRandom(m + n + k);
            float[] a = randomArray(m * k, random);
            float[] b = randomArray(n * k, random);
            for (int op : new int[] {Product.ABT, Product.ATB, Product.AB}) {
                float[] one = new float[m * n];
                Kernels.create(1).multiplyForTest(op, one, 0, a, 0, b, 0, m, n, k);
                for (int threads : new int[] {2, 4}) {
                    float[] many = new float[m * n];
                    Kernels.create(threads).multiplyForTest(op, many, 0, a, 0, b, 0, m, n, k);
                    assertBitIdentical(one, many, Product.name(op) + " " + m + "x" + n + "x" + k + " threads " + threads);
                }
            }
        }
    }

    @Test
    void oneByOneIsTheProduct() {
        float[] c = {0f};
        Kernels.create(1).abt(c, 0, new float[] {3f}, 0, new float[] {-2.5f}, 0, 1, 1, 1);
        assertEquals(-7.5f, c[0]);
        Kernels.create(1).atb(c, 0, new float[] {3f}, 0, new float[] {4f}, 0, 1, 1, 1);
        assertEquals(12f, c[0]);
        Kernels.create(1).ab(c, 0, new float[] {0.5f}, 0, new float[] {4f}, 0, 1, 1, 1);
        assertEquals(2f, c[0]);
    }

    @Test
    void eachElementIsOneFusedMultiplyAddChain() {
        // The documented contract: c ← fma(a_p, b_p, c) for p ascending, from 0.
        SplittableRandom random = new SplittableRandom(5);
        int k = 700;
        float[] a = randomArray(k, random);
        float[] b = randomArray(k, random);
        float chain = 0f;
        for (int p = 0; p < k; p++) {
            chain = Math.fma(a[p], b[p], chain);
        }
        for (int engine : engines()) {
            float[] c = new float[1];
            Kernels.of(1, engine, 0).abt(c, 0, a, 0, b, 0, 1, 1, k);
            assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(c[0]), Engine.name(engine));
        }
    }

    @Test
    void everyElementOfABlockedProductIsOneChainOverTheWholeDepth() {
        // 9 rows: two full 4-row panels (packed four rows side by side) and a ragged one; k = 784
        // runs in depth blocks that continue each chain from C, never as partial sums added later.
        SplittableRandom random = new SplittableRandom(6);
        int m = 9;
        int n = 20;
        int k = 784;
        float[] a = randomArray(m * k, random);
        float[] b = randomArray(n * k, random);
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float chain = 0f;
                for (int p = 0; p < k; p++) {
                    chain = Math.fma(a[i * k + p], b[j * k + p], chain);
                }
                expected[i * n + j] = chain;
            }
        }
        for (int engine : engines()) {
            float[] c = new float[m * n];
            Kernels.of(1, engine, 0).abt(c, 0, a, 0, b, 0, m, n, k);
            assertBitIdentical(expected, c, Engine.name(engine));
        }
    }

    @Test
    void depthBlocksAreEvenAndAtMostKc() {
        for (int k = 1; k <= 3000; k++) {
            int kc = TiledGemm.depthBlock(k);
            int blocks = (k + kc - 1) / kc;
            assertTrue(kc >= 1 && kc <= TiledGemm.KC, "k=" + k + ": kc=" + kc);
            assertEquals((k + TiledGemm.KC - 1) / TiledGemm.KC, blocks, "k=" + k + ": no more blocks than KC needs");
            assertTrue(k - (blocks - 1) * kc > kc - 4 * blocks, "k=" + k + ": kc=" + kc + " leaves a short last block");
        }
        assertEquals(196, TiledGemm.depthBlock(784));
        assertEquals(256, TiledGemm.depthBlock(256));
        assertEquals(100, TiledGemm.depthBlock(100));
    }

    @Test
    void concurrentCallersGetCorrectResults() throws Exception {
        int m = 128;
        int n = 256;
        int k = 200;
        SplittableRandom random = new SplittableRandom(8);
        float[] a = randomArray(m * k, random);
        float[] b = randomArray(n * k, random);
        float[] expected = new float[m * n];
        Kernels.create(1).abt(expected, 0, a, 0, b, 0, m, n, k);
        Kernels shared = Kernels.of(2, Engine.DEFAULT, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Callable<float[]> job = () -> {
                    float[] c = new float[m * n];
                    for (int rep = 0; rep < 20; rep++) {
                        shared.abt(c, 0, a, 0, b, 0, m, n, k);
                    }
                    return c;
                };
                results.add(pool.submit(job));
            }
            for (Future<float[]> f : results) {
                assertBitIdentical(expected, f.get(), "concurrent caller");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)   // a deadlock guard, not a speed check
    void manyBackToBackSplitProductsAllComplete() {
        // Workers that are still leaving one job while the next is published must neither lose
        // a tile nor hang the caller (a lost completion count once hung here under load).
        int m = 8;
        int n = 96;
        int k = 8;
        SplittableRandom random = new SplittableRandom(21);
        float[] a = randomArray(m * k, random);
        float[] b = randomArray(n * k, random);
        float[] expected = new float[m * n];
        Kernels.create(1).abt(expected, 0, a, 0, b, 0, m, n, k);
        Kernels split = Kernels.of(2, Engine.DEFAULT, 0);
        float[] c = new float[m * n];
        for (int rep = 0; rep < 50_000; rep++) {
            split.abt(c, 0, a, 0, b, 0, m, n, k);
        }
        assertBitIdentical(expected, c, "after 50,000 split products");
    }

    @Test
    void aWeightGradientComputedThroughItsTransposeIsStillOneChainPerElement() {
        // ∂ℓ/∂W = Δᵀ A for 32 outputs and 20 inputs: Kernels computes (Aᵀ Δ)ᵀ, which fills the
        // register tiles better; every element must still be fma(Δ(p,i), A(p,j), c) over p in order.
        SplittableRandom random = new SplittableRandom(23);
        int m = 32;
        int n = 20;
        int k = 1100;          // several KC blocks
        float[] delta = randomArray(k * m, random);
        float[] a = randomArray(k * n, random);
        for (int engine : engines()) {
            for (int threads : new int[] {1, 2}) {
                float[] c = new float[m * n + 2];
                c[0] = 42f;
                c[m * n + 1] = 42f;
                Kernels.of(threads, engine, 0).atb(c, 1, delta, 0, a, 0, m, n, k);
                assertEquals(42f, c[0], "wrote before C");
                assertEquals(42f, c[m * n + 1], "wrote past C");
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        float chain = 0f;
                        for (int p = 0; p < k; p++) {
                            chain = Math.fma(delta[p * m + i], a[p * n + j], chain);
                        }
                        assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(c[1 + i * n + j]),
                                "C(" + i + "," + j + ") on " + Engine.name(engine) + ", " + threads + " threads");
                    }
                }
            }
        }
    }

    @Test
    void vectorAndPlainPathsAgreeBitForBit() {
        assumeTrue(Engine.vectorAvailable(), "the Vector API module is not enabled in this JVM");
        SplittableRandom random = new SplittableRandom(17);
        int m = 77;
        int n = 301;
        int k = 530;
        float[] a = randomArray(m * k, random);
        float[] b = randomArray(n * k, random);
        for (int op : new int[] {Product.ABT, Product.ATB, Product.AB}) {
            float[] plain = new float[m * n];
            float[] vector = new float[m * n];
            Kernels.of(2, Engine.PLAIN, 0).multiplyForTest(op, plain, 0, a, 0, b, 0, m, n, k);
            Kernels.of(2, Engine.VECTOR, 0).multiplyForTest(op, vector, 0, a, 0, b, 0, m, n, k);
            assertBitIdentical(plain, vector, Product.name(op));
        }
    }

    @Test
    void badArgumentsNameTheParameter() {
        Kernels kernels = Kernels.create(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.abt(new float[4], 0, new float[4], 0, new float[3], 0, 2, 2, 2));
        assertTrue(e.getMessage().contains("b needs 4 floats"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernels.ab(new float[4], 0, new float[4], 0, new float[4], 0, -1, 2, 2));
        assertTrue(e.getMessage().contains("m=-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kernels.create(0));
    }

    static void naive(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        switch (op) {
            case Product.ABT -> NaiveGemm.abt(c, cOff, a, aOff, b, bOff, m, n, k);
            case Product.ATB -> NaiveGemm.atb(c, cOff, a, aOff, b, bOff, m, n, k);
            default -> NaiveGemm.ab(c, cOff, a, aOff, b, bOff, m, n, k);
        }
    }

    /**
     * |fast − naive| per element. Both are float sums of k terms; each is within
     * k·u·Σ|A(i,p)B(p,j)| of the exact sum (u = 2⁻²⁴, the standard recursive-summation bound,
     * with one more rounding for the naive product), so they are within twice that of each
     * other. The factor 2·(k+1) keeps it valid for every k.
     */
    static double[] errorBound(int op, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        double u = Math.ulp(1f) / 2;
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    float aip = op == Product.ATB ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    float bpj = op == Product.ABT ? b[bOff + j * k + p] : b[bOff + p * n + j];
                    abs += Math.abs((double) aip * bpj);
                }
                bound[i * n + j] = 2.0 * (k + 1) * u * abs;
            }
        }
        return bound;
    }

    static float[] randomArray(int size, SplittableRandom random) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]
                        + " bit for bit");
            }
        }
        assertArrayEquals(expected, actual, what);
    }
}

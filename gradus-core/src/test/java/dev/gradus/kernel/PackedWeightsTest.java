package dev.gradus.kernel;

import static dev.gradus.kernel.KernelsTest.assertBitIdentical;
import static dev.gradus.kernel.KernelsTest.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Products with packed weights against the same products on the row-major {@code W}: packing
 * only moves values, so the results must agree bit for bit, on every engine and thread count,
 * and an epilogue must see every element exactly once, after its whole sum.
 */
class PackedWeightsTest {

    /** rows, outputs, inputs: ragged and full panels, several KC blocks, the workload shapes. */
    static final int[][] SHAPES = {
        {1, 1, 1}, {3, 5, 2}, {6, 32, 31}, {7, 33, 33}, {64, 10, 128}, {32, 1, 32}, {33, 8, 32}, {13, 65, 257},
        {64, 256, 784}, {64, 128, 256}, {0, 4, 3}, {200, 70, 520},
        // a few outputs (rows as lanes on the vector engine): whole and ragged row panels
        {1024, 2, 32}, {301, 1, 20}, {37, 3, 7}, {9, 4, 1}, {300, 5, 32},
        // a few outputs over two row chunks with ragged rows and k mod 8 = 1; forward panels by
        // 8 × 8 register transposes (8-float vectors) with inputs mod 8 = 5, and exactly 8 and 16
        {135, 3, 41}, {16, 2, 8}, {19, 48, 13}, {5, 16, 8}, {4, 32, 16},
        // more than 8 panels of 8-float vectors (PackedAbt's five-row blocks on AVX2): every
        // ragged row count of a five-row panel, ragged columns, more than one block of 80 rows,
        // depths past 1,024 (depth blocks that continue the sums)
        {1, 144, 3}, {2, 150, 33}, {3, 160, 1}, {4, 176, 17}, {7, 150, 33}, {83, 272, 40}, {81, 129, 1100},
        {10, 176, 2049}, {165, 256, 100},
    };

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : SHAPES) {
            out.add(Arguments.of(s[0], s[1], s[2]));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} rows, W {1}x{2}")
    @MethodSource("shapes")
    void packedProductsAreBitIdenticalToUnpackedOnes(int rows, int outputs, int inputs) {
        SplittableRandom random = new SplittableRandom(rows * 31L + outputs * 7L + inputs);
        int wOff = 3;
        float[] theta = randomArray(wOff + outputs * inputs + 2, random);
        float[] x = randomArray(rows * inputs, random);        // Aᵐ⁻¹ for the forward product
        float[] delta = randomArray(rows * outputs, random);   // Δᵐ for the backward product
        for (int engine : KernelsTest.engines()) {
            PackedWeights w = new PackedWeights(engine, outputs, inputs, true);
            w.packForward(theta, wOff);
            w.packBackward(theta, wOff);
            float[] zWant = new float[rows * outputs];
            float[] gWant = new float[rows * inputs];
            Kernels.of(1, engine, Long.MAX_VALUE).abt(zWant, 0, x, 0, theta, wOff, rows, outputs, inputs);
            Kernels.of(1, engine, Long.MAX_VALUE).ab(gWant, 0, delta, 0, theta, wOff, rows, inputs, outputs);
            for (int threads = 1; threads <= 3; threads++) {
                Kernels kernels = Kernels.of(threads, engine, 0);
                String what = Engine.name(engine) + " threads " + threads;
                float[] z = new float[rows * outputs + 1];
                z[rows * outputs] = 42f;       // a sentinel past C
                kernels.abt(z, 0, x, 0, w, rows, null);
                assertBitIdentical(zWant, java.util.Arrays.copyOf(z, rows * outputs), "abt " + what);
                assertEquals(42f, z[rows * outputs], "abt wrote past C");
                float[] g = new float[rows * inputs];
                kernels.ab(g, 0, delta, 0, w, rows, null);
                assertBitIdentical(gWant, g, "ab " + what);
            }
        }
    }

    /**
     * {@link BiasEpilogue} finished in the register tiles (a bias padded to whole panels) or in a
     * pass (a bias of exactly {@code outputs} values) gives the bits of the product followed by
     * {@link Functions#addBias} and ReLU, on every engine and thread count.
     */
    @ParameterizedTest(name = "{0} rows, W {1}x{2}")
    @MethodSource("shapes")
    void theBiasEpilogueFusedOrNotIsTheProductThenThePasses(int rows, int outputs, int inputs) {
        SplittableRandom random = new SplittableRandom(rows * 13L + outputs * 5L + inputs);
        float[] theta = randomArray(outputs * inputs, random);
        float[] x = randomArray(rows * inputs, random);
        float[] bias = randomArray(outputs, random);
        if (rows > 1 && outputs > 1) {
            x[inputs] = Float.NaN;     // a row of NaN sums: ReLU keeps 0 for them, as the pass does
        }
        for (int engine : KernelsTest.engines()) {
            PackedWeights w = new PackedWeights(engine, outputs, inputs, false);
            w.packForward(theta, 0);
            float[] plus = new float[rows * outputs];
            Kernels.of(1, engine, Long.MAX_VALUE).abt(plus, 0, x, 0, theta, 0, rows, outputs, inputs);
            Functions.addBias(Engine.PLAIN, plus, 0, outputs, rows, outputs, bias, 0);
            float[] relu = plus.clone();
            for (int e = 0; e < relu.length; e++) {
                relu[e] = relu[e] > 0f ? relu[e] : 0f;
            }
            float[] padded = java.util.Arrays.copyOf(bias, w.paddedOutputs() + 1);
            for (int threads = 1; threads <= 2; threads++) {
                Kernels kernels = Kernels.of(threads, engine, 0);
                for (float[] b : new float[][] {padded, bias}) {
                    String what = Engine.name(engine) + " threads " + threads + (b == padded ? ", fused" : ", a pass");
                    float[] z = new float[rows * outputs];
                    kernels.abt(z, 0, x, 0, w, rows, BiasEpilogue.identity(b, 0));
                    assertBitIdentical(plus, z, "Z + b, " + what);
                    kernels.abt(z, 0, x, 0, w, rows, BiasEpilogue.relu(b, 0));
                    assertBitIdentical(relu, z, "relu(Z + b), " + what);
                }
            }
        }
    }

    /**
     * {@code Z = A Wᵀ} with {@code W} unpacked over at most 80 rows, where the vector engine on
     * 8-float vectors packs each panel of {@code W} inside the product ({@link PackedAbt}), gives
     * the plain engine's bits and the prepacked product's, before and after each epilogue, with
     * {@code W} at an offset in {@code θ}, on 1–3 threads: whole and ragged panels, every ragged
     * five-row panel, depths past 1,024 and inputs not a multiple of 8 (the panels' scalar rest).
     */
    @ParameterizedTest(name = "{0} rows, W {1}x{2}")
    @MethodSource("fewRowShapes")
    void unpackedWeightsOverFewRowsGiveThePackedBits(int rows, int outputs, int inputs) {
        SplittableRandom random = new SplittableRandom(rows * 17L + outputs * 3L + inputs);
        int wOff = 5;
        float[] theta = randomArray(wOff + outputs * inputs + 3, random);
        float[] x = randomArray(rows * inputs, random);
        float[] bias = randomArray(outputs, random);
        float[] want = new float[rows * outputs];
        Kernels.of(1, Engine.PLAIN, Long.MAX_VALUE).abt(want, 0, x, 0, theta, wOff, rows, outputs, inputs);
        float[] plus = want.clone();
        Functions.addBias(Engine.PLAIN, plus, 0, outputs, rows, outputs, bias, 0);
        float[] relu = plus.clone();
        for (int e = 0; e < relu.length; e++) {
            relu[e] = relu[e] > 0f ? relu[e] : 0f;
        }
        for (int engine : KernelsTest.engines()) {
            PackedWeights w = new PackedWeights(engine, outputs, inputs, false);
            w.packForward(theta, wOff);
            float[] padded = java.util.Arrays.copyOf(bias, w.paddedOutputs());
            for (int threads = 1; threads <= 3; threads++) {
                Kernels kernels = Kernels.of(threads, engine, 0);
                String what = Engine.name(engine) + " threads " + threads;
                float[] z = new float[rows * outputs + 1];
                z[rows * outputs] = 42f;       // a sentinel past C
                kernels.abt(z, 0, x, 0, theta, wOff, rows, outputs, inputs, null);
                assertBitIdentical(want, java.util.Arrays.copyOf(z, rows * outputs), "Z, " + what);
                assertEquals(42f, z[rows * outputs], "abt wrote past C");
                float[] zPacked = new float[rows * outputs];
                kernels.abt(zPacked, 0, x, 0, w, rows, null);
                assertBitIdentical(zPacked, java.util.Arrays.copyOf(z, rows * outputs), "Z against packed, " + what);
                for (float[] b : new float[][] {padded, bias}) {
                    String how = what + (b == padded ? ", on the tiles" : ", a pass");
                    float[] c = new float[rows * outputs];
                    kernels.abt(c, 0, x, 0, theta, wOff, rows, outputs, inputs, BiasEpilogue.identity(b, 0));
                    assertBitIdentical(plus, c, "Z + b, " + how);
                    kernels.abt(c, 0, x, 0, theta, wOff, rows, outputs, inputs, BiasEpilogue.relu(b, 0));
                    assertBitIdentical(relu, c, "relu(Z + b), " + how);
                }
            }
        }
    }

    static Stream<Arguments> fewRowShapes() {
        int[][] shapes = {
            {64, 256, 784}, {64, 128, 256}, {80, 150, 33}, {79, 16, 8}, {1, 17, 9}, {5, 32, 7}, {6, 48, 1100},
            {63, 33, 2049}, {32, 200, 20}, {2, 5, 3}, {64, 10, 128},
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes) {
            out.add(Arguments.of(s[0], s[1], s[2]));
        }
        return out.stream();
    }

    @Test
    void theEpilogueFinishesEveryElementOnceAfterItsWholeSum() {
        theEpilogueFinishesEveryElementOnceAfterItsWholeSum(50, 70);
        theEpilogueFinishesEveryElementOnceAfterItsWholeSum(300, 2);     // a few outputs: rows as lanes
    }

    private static void theEpilogueFinishesEveryElementOnceAfterItsWholeSum(int rows, int outputs) {
        int inputs = 600;      // three KC blocks: a block finished early would show a partial sum
        SplittableRandom random = new SplittableRandom(5);
        float[] theta = randomArray(outputs * inputs, random);
        float[] x = randomArray(rows * inputs, random);
        for (int engine : KernelsTest.engines()) {
            float[] want = new float[rows * outputs];
            Kernels.of(1, engine, Long.MAX_VALUE).abt(want, 0, x, 0, theta, 0, rows, outputs, inputs);
            PackedWeights w = new PackedWeights(engine, outputs, inputs, false);
            w.packForward(theta, 0);
            for (int threads = 1; threads <= 2; threads++) {
                float[] z = new float[rows * outputs];
                float[] seen = new float[rows * outputs];
                int[] visits = new int[rows * outputs];
                Epilogue copy = (c, cOff, ldc, i0, i1, j0, j1) -> {
                    for (int i = i0; i < i1; i++) {
                        for (int j = j0; j < j1; j++) {
                            seen[i * ldc + j] = c[cOff + i * ldc + j];
                            synchronized (visits) {
                                visits[i * ldc + j]++;
                            }
                        }
                    }
                };
                Kernels.of(threads, engine, 0).abt(z, 0, x, 0, w, rows, copy);
                for (int e = 0; e < visits.length; e++) {
                    assertEquals(1, visits[e], "element " + e + " finished " + visits[e] + " times");
                }
                assertBitIdentical(want, seen, "values the epilogue saw, " + Engine.name(engine) + " threads " + threads);
            }
        }
    }

    /**
     * {@link PackedAbt#pack}'s five-row panels (a vector store per step, each row's vector
     * loaded from column {@code p − r} and blended) hold exactly the values of a copy, value by
     * value: every ragged row count, depths below, at and just past a vector, rows wider than the
     * depth (a depth block from an offset), and panels whose last row ends the array (a load past
     * its row would throw or read the wrong value).
     */
    @Test
    void thePackedRowPanelsOfPackedAbtHoldTheRowsValues() {
        if (!Kernels.vectorized() || !PackedAbt.ENABLED) {
            return;
        }
        int s = PackedAbt.STRIDE;
        int[][] cases = {   // mc, kc, lda, at
            {5, 1, 1, 0}, {5, 7, 7, 0}, {5, 8, 8, 0}, {5, 9, 9, 0}, {10, 15, 15, 0}, {10, 16, 16, 3},
            {80, 784, 784, 0}, {64, 256, 256, 0}, {1, 33, 33, 0}, {2, 33, 40, 5}, {3, 9, 9, 0}, {4, 20, 20, 0},
            {7, 40, 40, 0}, {13, 100, 300, 100}, {80, 550, 1100, 550}, {6, 17, 17, 0},
        };
        SplittableRandom random = new SplittableRandom(17);
        for (int[] c : cases) {
            int mc = c[0], kc = c[1], lda = c[2], at = c[3];
            // A ends with the last row's kc values: nothing past them to read
            float[] a = randomArray(at + (mc - 1) * lda + kc, random);
            int panels = (mc + PackedAbt.MR - 1) / PackedAbt.MR;
            float[] packed = new float[panels * s * kc];
            java.util.Arrays.fill(packed, Float.NaN);
            PackedAbt.pack(a, at, lda, mc, kc, packed);
            for (int q = 0; q < panels; q++) {
                for (int p = 0; p < kc; p++) {
                    for (int r = 0; r < PackedAbt.MR; r++) {
                        int i = q * PackedAbt.MR + r;
                        float want = i < mc ? a[at + i * lda + p] : 0f;
                        assertEquals(Float.floatToRawIntBits(want),
                                Float.floatToRawIntBits(packed[q * s * kc + p * s + r]),
                                "mc " + mc + ", kc " + kc + ", lda " + lda + ": row " + i + ", step " + p);
                    }
                }
            }
        }
    }

    /**
     * Both forms of {@code Z = A Wᵀ} for a few outputs, rows as lanes and rows in place (only one
     * of which {@link Kernels} runs on a given vector width), give the unpacked product's bits.
     */
    @Test
    void bothNarrowForwardFormsGiveTheSameBits() {
        if (!Kernels.vectorized()) {
            return;
        }
        int[][] shapes = {{1024, 2, 32}, {301, 1, 20}, {37, 3, 7}, {9, 4, 1}, {135, 3, 41}, {130, 4, 33}};
        for (int[] s : shapes) {
            int rows = s[0], outputs = s[1], inputs = s[2];
            SplittableRandom random = new SplittableRandom(rows + 7L * inputs);
            float[] theta = randomArray(outputs * inputs, random);
            float[] x = randomArray(rows * inputs + 3, random);
            float[] want = new float[rows * outputs];
            Kernels.of(1, Engine.VECTOR, Long.MAX_VALUE).abt(want, 0, x, 3, theta, 0, rows, outputs, inputs);
            PackedWeights w = new PackedWeights(Engine.VECTOR, outputs, inputs, false);
            w.packForward(theta, 0);
            float[] lanes = new float[rows * outputs];
            VectorNarrow.abt(lanes, 0, x, 3, w.forwardPanels(), w.nr(), rows, outputs, inputs, null,
                    Scratch.ofCurrentThread());
            float[] inPlace = new float[rows * outputs];
            VectorNarrow.abtInPlace(inPlace, 0, x, 3, w.forwardPanels(), w.nr(), rows, outputs, inputs, null);
            String what = rows + " rows, W " + outputs + "x" + inputs;
            assertBitIdentical(want, lanes, "rows as lanes, " + what);
            assertBitIdentical(want, inPlace, "rows in place, " + what);
        }
    }

    /** The same for {@code G = Δ W} of a layer of two outputs (sums of two terms, rows in place). */
    @Test
    void theEpilogueOfANarrowInputGradientFinishesEveryElementOnce() {
        int rows = 300, outputs = 2, inputs = 45;
        SplittableRandom random = new SplittableRandom(6);
        float[] theta = randomArray(outputs * inputs, random);
        float[] delta = randomArray(rows * outputs, random);
        for (int engine : KernelsTest.engines()) {
            float[] want = new float[rows * inputs];
            Kernels.of(1, engine, Long.MAX_VALUE).ab(want, 0, delta, 0, theta, 0, rows, inputs, outputs);
            PackedWeights w = new PackedWeights(engine, outputs, inputs, true);
            w.packBackward(theta, 0);
            for (int threads = 1; threads <= 2; threads++) {
                float[] g = new float[rows * inputs];
                float[] seen = new float[rows * inputs];
                int[] visits = new int[rows * inputs];
                Epilogue copy = (c, cOff, ldc, i0, i1, j0, j1) -> {
                    for (int i = i0; i < i1; i++) {
                        for (int j = j0; j < j1; j++) {
                            seen[i * ldc + j] = c[cOff + i * ldc + j];
                            synchronized (visits) {
                                visits[i * ldc + j]++;
                            }
                        }
                    }
                };
                Kernels.of(threads, engine, 0).ab(g, 0, delta, 0, w, rows, copy);
                for (int e = 0; e < visits.length; e++) {
                    assertEquals(1, visits[e], "element " + e + " finished " + visits[e] + " times");
                }
                assertBitIdentical(want, seen, "values the epilogue saw, " + Engine.name(engine) + " threads " + threads);
            }
        }
    }

    /**
     * Training weights whose products are small are packed plain while the JVM warms up and
     * repacked for the default engine by {@code current()} once it is warm; the products agree
     * bit for bit either way.
     */
    @Test
    void smallTrainingWeightsSwitchEngineOnceTheJvmIsWarm() {
        int rows = 32, outputs = 100, inputs = 4;   // iris's first layer at batch 32: 25.6 kFLOP
        SplittableRandom random = new SplittableRandom(7);
        float[] w = randomArray(outputs * inputs, random);
        float[] x = randomArray(rows * inputs, random);
        Kernels kernels = Kernels.create(1);
        PackedWeights first = PackedWeights.forTraining(outputs, inputs, rows);
        if (!Engine.warm()) {
            assertEquals(Engine.PLAIN, first.engine(), "plain while the JVM warms up");
            assertTrue(first.warmingUp());
        }
        first.packForward(w, 0);
        float[] before = new float[rows * outputs];
        kernels.abt(before, 0, x, 0, first, rows, null);
        Engine.warmingUp(Engine.PLAIN_FIRST_WORK);   // now warm
        PackedWeights now = first.current();
        assertEquals(Engine.DEFAULT, now.engine(), "the default engine once warm");
        assertEquals(now, now.current(), "and no further switch");
        now.packForward(w, 0);
        float[] after = new float[rows * outputs];
        kernels.abt(after, 0, x, 0, now, rows, null);
        assertBitIdentical(before, after, "plain before and " + Engine.name(Engine.DEFAULT) + " after the switch");
    }

    @Test
    void misuseIsRefusedWithAMessage() {
        PackedWeights inference = PackedWeights.of(new float[6], 0, 2, 3);
        assertTrue(!inference.hasBackward());
        Kernels kernels = Kernels.create(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kernels.ab(new float[3], 0, new float[2], 0, inference, 1, null));
        assertTrue(e.getMessage().contains("no backward layout"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> inference.packBackward(new float[6], 0));
        e = assertThrows(IllegalArgumentException.class, () -> PackedWeights.of(new float[5], 0, 2, 3));
        assertTrue(e.getMessage().contains("needs 6 floats"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> kernels.abt(new float[1], 0, new float[3], 0, inference, 1, null));
        assertTrue(e.getMessage().contains("c needs 2 floats"), e.getMessage());
    }
}

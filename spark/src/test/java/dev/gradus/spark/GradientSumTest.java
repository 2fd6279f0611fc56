package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The laws of the distributed sum: identity and associativity, and the mean round trip. */
class GradientSumTest {

    private static GradientSum random(SplittableRandom r, int size, boolean dyadic) {
        double[] g = new double[size];
        for (int i = 0; i < size; i++) {
            // Dyadic values (k / 1024, |k| < 2²⁰) add exactly in double, so any order gives one answer.
            g[i] = dyadic ? r.nextInt(-1 << 20, 1 << 20) / 1024.0 : r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-6, 6));
        }
        double loss = dyadic ? r.nextInt(0, 1 << 20) / 1024.0 : r.nextDouble() * 100;
        return GradientSum.of(g, loss, r.nextInt(0, 1000));
    }

    @Test
    void zeroIsTheIdentityOnBothSides() {
        SplittableRandom r = new SplittableRandom(1);
        for (int t = 0; t < 20; t++) {
            GradientSum s = random(r, 17, false);
            assertEquals(s, GradientSum.zero(17).plus(s));
            assertEquals(s, s.plus(GradientSum.zero(17)));
        }
    }

    @Test
    void additionIsAssociativeExactlyOnExactValues() {
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 50; t++) {
            GradientSum a = random(r, 9, true);
            GradientSum b = random(r, 9, true);
            GradientSum c = random(r, 9, true);
            assertEquals(a.plus(b).plus(c), a.plus(b.plus(c)));
            assertEquals(a.plus(b), b.plus(a));
        }
    }

    @Test
    void additionIsAssociativeUpToDoubleRoundingOnAnyValues() {
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 50; t++) {
            GradientSum a = random(r, 9, false);
            GradientSum b = random(r, 9, false);
            GradientSum c = random(r, 9, false);
            double[] left = a.plus(b).plus(c).gradient();
            double[] right = a.plus(b.plus(c)).gradient();
            for (int i = 0; i < left.length; i++) {
                // Two roundings of a sum of three terms each at most 1e6: a few ulps of 1e6 ≈ 1e-9.
                assertEquals(left[i], right[i], 1e-9, "element " + i);
            }
            assertEquals(a.plus(b).plus(c).rows(), a.plus(b.plus(c)).rows());
        }
    }

    @Test
    void plusLeavesItsOperandsUnchanged() {
        GradientSum a = GradientSum.of(new double[] {1, 2}, 3, 4);
        GradientSum b = GradientSum.of(new double[] {10, 20}, 30, 40);
        GradientSum c = a.plus(b);
        assertEquals(GradientSum.of(new double[] {1, 2}, 3, 4), a);
        assertEquals(GradientSum.of(new double[] {11, 22}, 33, 44), c);
    }

    @Test
    void aMeanOverOneBatchComesBackBitForBit() {
        SplittableRandom r = new SplittableRandom(4);
        float[] mean = new float[100];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-8, 3)));
        }
        for (int rows : new int[] {1, 3, 77, 1000, 123457}) {
            float[] back = new float[mean.length];
            GradientSum.ofMean(mean, 0.25, rows).meanInto(back, rows);
            assertArrayEquals(mean, back, "rows " + rows);
        }
    }

    @Test
    void partsOfABatchAddToTheWholeMean() {
        // two halves with means 1 and 3 over 2 and 6 rows: overall mean (2·1 + 6·3)/8 = 2.5
        GradientSum s = GradientSum.ofMean(new float[] {1f}, 10, 2).plus(GradientSum.ofMean(new float[] {3f}, 20, 6));
        float[] out = new float[1];
        assertEquals((2 * 10 + 6 * 20) / 8.0, s.meanInto(out, s.rows()));
        assertEquals(2.5f, out[0]);
        assertNotEquals(0, s.hashCode() - GradientSum.zero(1).hashCode());
    }

    @Test
    void mismatchedSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientSum.zero(3).plus(GradientSum.zero(4)));
        assertEquals("cannot add a gradient of 4 parameters to one of 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradientSum.zero(0));
    }
}

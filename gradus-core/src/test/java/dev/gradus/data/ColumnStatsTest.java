package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ColumnStats is a monoid: empty() is the identity and merge is associative. */
class ColumnStatsTest {

    /** Small integers: every sum, mean and m2 below is exact in double, so the laws hold exactly. */
    private static float[] exactValues(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(10) == 0 ? Float.NaN : random.nextInt(-8, 9);
        }
        return v;
    }

    @Test
    void identity() {
        ColumnStats a = ColumnStats.of(new float[] {1, 2, Float.NaN, 4});
        assertEquals(a, a.merge(ColumnStats.empty()));
        assertEquals(a, ColumnStats.empty().merge(a));
        ColumnStats t = ColumnStats.ofCodes(new int[] {0, 1, -1, 0}, List.of("x", "y"));
        assertEquals(t, t.merge(ColumnStats.empty()));
        assertEquals(t, ColumnStats.empty().merge(t));
    }

    @Test
    void associativeExactlyInCountsAndExtremesAndUpToRoundingInMoments() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            ColumnStats a = ColumnStats.of(exactValues(random, random.nextInt(0, 20)));
            ColumnStats b = ColumnStats.of(exactValues(random, random.nextInt(0, 20)));
            ColumnStats c = ColumnStats.of(exactValues(random, random.nextInt(0, 20)));
            ColumnStats left = a.merge(b).merge(c);
            ColumnStats right = a.merge(b.merge(c));
            assertEquals(left.count(), right.count());
            assertEquals(left.missing(), right.missing());
            assertEquals(left.min(), right.min());
            assertEquals(left.max(), right.max());
            // Chan's update divides by the counts, so the grouping changes the last bits at most.
            assertEquals(left.mean(), right.mean(), 1e-14 * Math.max(1, Math.abs(left.mean())));
            assertEquals(left.m2(), right.m2(), 1e-13 * Math.max(1, left.m2()));
        }
        // Parts of 2, 2 and 4 cells: every division is by a power of two, so both groupings are exact.
        ColumnStats a = ColumnStats.of(new float[] {3, -5});
        ColumnStats b = ColumnStats.of(new float[] {7, 1});
        ColumnStats c = ColumnStats.of(new float[] {-2, 0, 8, 4});
        assertEquals(a.merge(b).merge(c), a.merge(b).merge(c.merge(ColumnStats.empty())));
        assertEquals(ColumnStats.of(new float[] {3, -5, 7, 1, -2, 0, 8, 4}), a.merge(b).merge(c));
    }

    @Test
    void partsMergeToTheWholeUpToRounding() {
        SplittableRandom random = new SplittableRandom(5);
        float[] all = exactValues(random, 10_000);
        for (int i = 0; i < all.length; i += 7) {
            all[i] = (float) (random.nextGaussian() * 1e3);
        }
        ColumnStats whole = ColumnStats.of(all);
        ColumnStats merged = ColumnStats.empty();
        int at = 0;
        while (at < all.length) {
            int n = Math.min(all.length - at, random.nextInt(1, 900));
            merged = merged.merge(ColumnStats.of(Arrays.copyOfRange(all, at, at + n)));
            at += n;
        }
        assertEquals(whole.count(), merged.count());
        assertEquals(whole.missing(), merged.missing());
        assertEquals(whole.min(), merged.min());
        assertEquals(whole.max(), merged.max());
        assertEquals(whole.mean(), merged.mean(), 1e-12 * Math.abs(whole.mean()) + 1e-12);
        assertEquals(whole.m2(), merged.m2(), 1e-11 * whole.m2());
    }

    @Test
    void categoriesAddUpAndGiveTheMode() {
        ColumnStats a = ColumnStats.ofCodes(new int[] {0, 1, 1, -1}, List.of("b", "a"));
        ColumnStats b = ColumnStats.ofCodes(new int[] {0, 0, 0}, List.of("b"));
        ColumnStats c = ColumnStats.ofCodes(new int[] {1, 1, 1, 1}, List.of("z", "a"));
        assertEquals(a.merge(b).merge(c), a.merge(b.merge(c)));
        ColumnStats all = a.merge(b).merge(c);
        assertEquals(Map.of("a", 6L, "b", 4L), all.categories());
        assertEquals(1, all.missing());
        assertEquals("a", all.mode());
    }

    @Test
    void scalerFromStatsMatchesTheTwoPassFit() {
        SplittableRandom random = new SplittableRandom(9);
        int rows = 1000;
        float[] data = new float[rows * 2];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (random.nextGaussian() * 7 + 3);
        }
        float[] col0 = new float[rows];
        float[] col1 = new float[rows];
        for (int i = 0; i < rows; i++) {
            col0[i] = data[2 * i];
            col1[i] = data[2 * i + 1];
        }
        Scaler fromData = Scaler.fit(Scaling.STANDARD, data, rows, 2, null);
        Scaler fromStats = Scaler.fit(Scaling.STANDARD, new ColumnStats[] {ColumnStats.of(col0), ColumnStats.of(col1)});
        assertEquals(fromData, fromStats);
        // By hand: mean and population std of column 0, in double.
        double mean = 0;
        for (float v : col0) {
            mean += v;
        }
        mean /= rows;
        double ss = 0;
        for (float v : col0) {
            ss += (v - mean) * (v - mean);
        }
        assertEquals((float) mean, fromStats.shift()[0]);
        assertEquals((float) Math.sqrt(ss / rows), fromStats.scale()[0]);
    }
}

package dev.gradus.data;

/**
 * The exact medians of several float columns whose values arrive a chunk at a time and can be
 * read again: a radix selection on each value's order-preserving 32 bits, 11, 11 and 10 bits a
 * pass, so three passes over the values find the two middle ones of every column with
 * {@code 2 × 2,048} counts per column on the heap, whatever the number of rows.
 *
 * <p>A value {@code v}'s key is its IEEE-754 bits with the other bits flipped for negatives and
 * the sign bit flipped, compared unsigned: the order of {@link Float#compare} (so {@code −0.0}
 * comes before {@code 0.0}), which is {@link java.util.Arrays#sort(float[])}'s order. The median
 * is that of {@code Preprocessing}'s numeric fill on the whole column: the middle value of the
 * sorted present values, or the mean in {@code double} of the two middle ones.
 */
final class RadixSelect {
    private static final int[] SHIFT = {21, 10, 0};   // the key's bits counted in pass p: [SHIFT[p], SHIFT[p] + WIDTH[p])
    private static final int[] WIDTH = {11, 11, 10};

    private final int columns;
    private final long[] present;     // per column: values counted in the first pass
    private final int[] prefix;       // per selection (2 per column): the key's bits above this pass's, chosen
    private final long[] rank;        // per selection: the rank sought among the values with that prefix
    private final int[][] counts;     // per selection (first pass: per column): counts of this pass's bits
    private int pass;

    /** A selection over {@code columns} columns, in its first pass. */
    RadixSelect(int columns) {
        this.columns = columns;
        this.present = new long[columns];
        this.prefix = new int[2 * columns];
        this.rank = new long[2 * columns];
        this.counts = new int[2 * columns][];
        for (int s = 0; s < counts.length; s++) {
            counts[s] = new int[1 << WIDTH[0]];
        }
    }

    /** The order-preserving key of {@code v}, compared unsigned. */
    private static int key(float v) {
        int bits = Float.floatToRawIntBits(v);
        return bits ^ ((bits >> 31) & 0x7fffffff) ^ 0x80000000;
    }

    /** The value of {@code key}. */
    private static float value(int key) {
        int k = key ^ 0x80000000;
        return Float.intBitsToFloat(k ^ ((k >> 31) & 0x7fffffff));
    }

    /** Counts the present values (NaN is missing) of column {@code column} in this pass. */
    void add(int column, float[] values) {
        if (pass == 0) {
            int[] c = counts[2 * column];
            for (float v : values) {
                if (!Float.isNaN(v)) {
                    c[key(v) >>> SHIFT[0]]++;
                    present[column]++;
                }
            }
            return;
        }
        int above = SHIFT[pass] + WIDTH[pass];   // the bits already chosen: the key's top 32 − above
        int mask = (1 << WIDTH[pass]) - 1;
        for (int s = 2 * column; s <= 2 * column + 1; s++) {
            int[] c = counts[s];
            int want = prefix[s];
            for (float v : values) {
                if (!Float.isNaN(v)) {
                    int k = key(v);
                    if (k >>> above == want) {
                        c[(k >>> SHIFT[pass]) & mask]++;
                    }
                }
            }
        }
    }

    /** Forgets what this pass counted (the rows come again). */
    void restart() {
        for (int[] c : counts) {
            java.util.Arrays.fill(c, 0);
        }
        if (pass == 0) {
            java.util.Arrays.fill(present, 0);
        }
    }

    /**
     * Ends a pass: every selection keeps the bucket holding its rank. Returns whether another pass
     * over the same values is needed.
     */
    boolean endPass() {
        if (pass == 0) {
            for (int col = 0; col < columns; col++) {
                long n = present[col];
                rank[2 * col] = (n - 1) / 2;   // the two middle ranks (the same one for odd n)
                rank[2 * col + 1] = n / 2;
                counts[2 * col + 1] = counts[2 * col].clone();
            }
        }
        for (int s = 0; s < counts.length; s++) {
            int[] c = counts[s];
            long r = rank[s];
            int bucket = 0;
            while (bucket < c.length - 1 && r >= c[bucket]) {
                r -= c[bucket];
                bucket++;
            }
            prefix[s] = (prefix[s] << WIDTH[pass]) | bucket;
            rank[s] = r;
        }
        pass++;
        if (pass == SHIFT.length) {
            return false;
        }
        for (int s = 0; s < counts.length; s++) {
            counts[s] = new int[1 << WIDTH[pass]];
        }
        return true;
    }

    /** The number of present values of column {@code column}, after the first pass. */
    long present(int column) {
        return present[column];
    }

    /**
     * The median of column {@code column}'s present values, after the last pass: the middle one,
     * or the mean of the two middle ones in {@code double}.
     *
     * @throws IllegalStateException before the last pass, or for a column without values
     */
    double median(int column) {
        if (pass != SHIFT.length || present[column] == 0) {
            throw new IllegalStateException("no median yet: pass " + pass + ", " + present[column] + " values");
        }
        float low = value(prefix[2 * column]);
        float high = value(prefix[2 * column + 1]);
        return present[column] % 2 == 1 ? low : (low + (double) high) / 2;
    }
}

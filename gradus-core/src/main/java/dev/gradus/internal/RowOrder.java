package dev.gradus.internal;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The seeded orders in which Gradus visits and holds out rows, in one place so that every
 * caller (local training, Spark partitions, splits and folds, the command line) draws the same
 * rows from the same seed.
 */
public final class RowOrder {
    private RowOrder() {}

    /** Fills {@code order} with a Fisher–Yates permutation of {@code 0..order.length−1} drawn from {@code random}. */
    public static void permute(int[] order, SplittableRandom random) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /**
     * The visiting order of epoch {@code epoch}: a permutation drawn from a generator seeded by
     * {@code (seed, epoch)} alone, so an epoch's order does not depend on what came before it (a
     * resumed run, or a distributed trainer, visits the rows exactly as this one).
     */
    public static void epoch(int[] order, long seed, int epoch) {
        permute(order, new SplittableRandom(seed + 0x9E3779B97F4A7C15L * epoch));
    }

    /**
     * The rows a validation fraction {@code f} holds out of {@code rows}: a seeded
     * {@code round(f·rows)} of them. Returns {@code {training rows, validation rows}}, each in
     * increasing order.
     *
     * @throws IllegalArgumentException when either part would be empty
     */
    public static int[][] validationSplit(int rows, double f, long seed) {
        int held = (int) Math.round(f * rows);
        if (held < 1 || held >= rows) {
            throw new IllegalArgumentException("validation fraction " + f + " of " + rows
                    + " rows leaves " + held + " validation and " + (rows - held)
                    + " training rows; both need at least 1");
        }
        int[] order = new int[rows];
        epoch(order, seed ^ 0x5DEECE66DL, 0);
        int[] validation = Arrays.copyOfRange(order, 0, held);
        int[] training = Arrays.copyOfRange(order, held, rows);
        Arrays.sort(validation);
        Arrays.sort(training);
        return new int[][] {training, validation};
    }
}

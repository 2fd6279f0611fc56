package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RadixSelect}'s medians, from values handed over in chunks and three passes, are those of
 * sorting every present value ({@link Arrays#sort(float[])}), to the bit: odd and even counts,
 * negatives, {@code ±0.0}, repeats, subnormals, extremes and missing values.
 */
class RadixSelectTest {

    /** The median as Preprocessing's numeric fill computes it on a whole column. */
    private static double sortedMedian(float[] values) {
        float[] present = presentOf(values);
        Arrays.sort(present);
        int n = present.length;
        return n % 2 == 1 ? present[n / 2] : (present[n / 2 - 1] + (double) present[n / 2]) / 2;
    }

    private static float[] presentOf(float[] values) {
        float[] out = new float[values.length];
        int n = 0;
        for (float v : values) {
            if (!Float.isNaN(v)) {
                out[n++] = v;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The medians of the columns, each handed over in chunks of {@code chunk} values, three times. */
    private static double[] select(float[][] columns, int chunk) {
        RadixSelect s = new RadixSelect(columns.length);
        boolean again = true;
        int passes = 0;
        while (again) {
            for (int c = 0; c < columns.length; c++) {
                for (int from = 0; from < columns[c].length; from += chunk) {
                    s.add(c, Arrays.copyOfRange(columns[c], from, Math.min(columns[c].length, from + chunk)));
                }
            }
            passes++;
            again = s.endPass();
        }
        assertEquals(3, passes);
        double[] out = new double[columns.length];
        for (int c = 0; c < columns.length; c++) {
            out[c] = s.median(c);
        }
        return out;
    }

    @Test
    void mediansAreThoseOfTheSortedValues() {
        SplittableRandom random = new SplittableRandom(17);
        for (int trial = 0; trial < 40; trial++) {
            int columns = 1 + random.nextInt(4);
            float[][] data = new float[columns][];
            for (int c = 0; c < columns; c++) {
                int n = 1 + random.nextInt(trial < 20 ? 12 : 5_000);
                data[c] = new float[n];
                for (int i = 0; i < n; i++) {
                    data[c][i] = switch (random.nextInt(9)) {
                        case 0 -> Float.NaN;
                        case 1 -> 0f;
                        case 2 -> -0f;
                        case 3 -> random.nextInt(5) - 2;                      // repeats
                        case 4 -> Float.MIN_VALUE * random.nextInt(1, 100);   // subnormals
                        case 5 -> random.nextBoolean() ? Float.MAX_VALUE : -Float.MAX_VALUE;
                        default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-8, 9)));
                    };
                }
                if (presentOf(data[c]).length == 0) {
                    data[c][0] = 1f;
                }
            }
            double[] medians = select(data, 1 + random.nextInt(700));
            for (int c = 0; c < columns; c++) {
                assertEquals(Double.doubleToRawLongBits(sortedMedian(data[c])), Double.doubleToRawLongBits(medians[c]),
                        "trial " + trial + ", column " + c + ": " + sortedMedian(data[c]) + " vs " + medians[c]);
            }
        }
    }

    @Test
    void zeroesOfBothSignsAreOrderedAsArraysSortOrdersThem() {
        float[][] data = {{0f, -0f, 0f}, {-0f, 0f, -0f}, {0f, -0f}, {-0f, -0f, 1f, 0f}};
        double[] medians = select(data, 2);
        for (int c = 0; c < data.length; c++) {
            assertEquals(Double.doubleToRawLongBits(sortedMedian(data[c])), Double.doubleToRawLongBits(medians[c]),
                    "column " + c);
        }
    }
}

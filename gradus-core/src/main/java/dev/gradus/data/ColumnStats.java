package dev.gradus.data;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What preprocessing learns from one column's training cells, as a mergeable summary: the
 * number of present and missing cells, their mean, the sum of squared deviations from it
 * ({@code m2}), minimum and maximum (numeric cells), and the count of every category (text
 * cells). Scaling (mean, population standard deviation, range), mean imputation and the most
 * frequent category all come from it.
 *
 * <p>{@link #empty()} is the identity and {@link #merge} is associative (Chan, Golub and
 * LeVeque's pairwise update of mean and m2), so partitions of a column can be summarised apart
 * (on Spark executors, say) and merged in any grouping: exactly so when the arithmetic is exact,
 * and up to rounding otherwise. {@link #of(float[])} summarises one partition in two passes
 * (sum, then squared deviations from the mean, in double), as scaling always has.
 *
 * <pre>{@code
 * ColumnStats s = ColumnStats.of(part1).merge(ColumnStats.of(part2));
 * double mean = s.mean(), std = s.std();   // population standard deviation
 * }</pre>
 *
 * @param count present (non-missing) cells
 * @param missing missing cells
 * @param mean the mean of the present numeric cells (0 when none)
 * @param m2 Σ (x − mean)² over the present numeric cells
 * @param min the smallest present numeric cell (+∞ when none)
 * @param max the largest present numeric cell (−∞ when none)
 * @param categories for text cells: each distinct cell and how often it occurs (sorted), else empty
 */
public record ColumnStats(long count, long missing, double mean, double m2, double min, double max,
                          Map<String, Long> categories) {

    public ColumnStats {
        if (count < 0 || missing < 0) {
            throw new IllegalArgumentException("counts must not be negative: count " + count + ", missing " + missing);
        }
        categories = Collections.unmodifiableMap(new TreeMap<>(categories));
    }

    /** The summary of no cells: the identity of {@link #merge}. */
    public static ColumnStats empty() {
        return new ColumnStats(0, 0, 0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Map.of());
    }

    /** The summary of numeric cells ({@code NaN} = missing), in two passes. */
    public static ColumnStats of(float[] values) {
        return of(values, 0, values.length);
    }

    /** The summary of numeric cells {@code values[from, to)} ({@code NaN} = missing). */
    public static ColumnStats of(float[] values, int from, int to) {
        long n = 0;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            float v = values[i];
            if (!Float.isNaN(v)) {
                n++;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double m2 = 0;
        for (int i = from; i < to; i++) {
            float v = values[i];
            if (!Float.isNaN(v)) {
                double d = v - mean;
                m2 += d * d;
            }
        }
        return new ColumnStats(n, (to - from) - n, mean, m2, min, max, Map.of());
    }

    /** The summary of text cells given as dictionary codes ({@code -1} = missing). */
    public static ColumnStats ofCodes(int[] codes, java.util.List<String> dictionary) {
        long[] counts = new long[dictionary.size()];
        long missing = 0;
        for (int code : codes) {
            if (code < 0) {
                missing++;
            } else {
                counts[code]++;
            }
        }
        Map<String, Long> categories = new TreeMap<>();
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0) {
                categories.merge(dictionary.get(k), counts[k], Long::sum);
            }
        }
        return new ColumnStats(codes.length - missing, missing, 0, 0, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, categories);
    }

    /** The summary of this column's cells and {@code other}'s together. */
    public ColumnStats merge(ColumnStats other) {
        long na = numericCount();
        long nb = other.numericCount();
        long n = na + nb;
        double mean;
        double m2;
        if (na == 0) {
            mean = other.mean;
            m2 = other.m2;
        } else if (nb == 0) {
            mean = this.mean;
            m2 = this.m2;
        } else {
            double delta = other.mean - this.mean;
            mean = this.mean + delta * ((double) nb / n);
            m2 = this.m2 + other.m2 + delta * delta * ((double) na * nb / n);
        }
        Map<String, Long> categories = new TreeMap<>(this.categories);
        other.categories.forEach((k, v) -> categories.merge(k, v, Long::sum));
        return new ColumnStats(count + other.count, missing + other.missing, mean, m2, Math.min(min, other.min),
                Math.max(max, other.max), categories);
    }

    /** Present numeric cells (a text summary has none). */
    private long numericCount() {
        return categories.isEmpty() ? count : 0;
    }

    /** The population standard deviation √(m2 / count) of the numeric cells (0 when none). */
    public double std() {
        long n = numericCount();
        return n == 0 ? 0 : Math.sqrt(m2 / n);
    }

    /** The most frequent category (the first in sorted order among ties), or null when there is none. */
    public String mode() {
        String best = null;
        long bestCount = 0;
        for (Map.Entry<String, Long> e : categories.entrySet()) {
            if (e.getValue() > bestCount) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }
}

package dev.gradus.data;

import java.nio.charset.StandardCharsets;

/**
 * Decimal text (ASCII bytes) to the nearest {@code float}, without building a {@code String}
 * for the common cases: the result is always what {@link Float#parseFloat} gives.
 *
 * <p>Accepted: {@code [+-]? (d+ (. d*)? | . d+) ([eE] [+-]? d+)?} with a finite value; anything
 * else ({@code NaN}, {@code Infinity}, hex, {@code 1f}, {@code 1e39}) is "not a number" and
 * gives NaN. Three paths, each correctly rounded:
 * <ol>
 *   <li>mantissa m ≤ 2²⁴ and |e| ≤ 10: m and 10^|e| are exact floats, so one float multiply
 *       or divide rounds once;</li>
 *   <li>m < 2⁵³ and |e| ≤ 22 (Clinger's fast path): one double operation gives the nearest
 *       double d; rounding d to float is then the nearest float unless d lies exactly halfway
 *       between two floats (a float midpoint is a double, so no other midpoint can separate
 *       d from the exact value), and that case takes path 3;</li>
 *   <li>otherwise {@link Float#parseFloat}.</li>
 * </ol>
 */
final class FloatParser {
    private FloatParser() {}

    private static final float[] POW10_F = {1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f};
    private static final double[] POW10_D = new double[23];

    static {
        for (int i = 0; i < POW10_D.length; i++) {
            POW10_D[i] = Double.parseDouble("1e" + i);
        }
    }

    /** The float written in {@code b[start, end)} (no surrounding spaces), or NaN when it is not a number. */
    static float parse(byte[] b, int start, int end) {
        int i = start;
        if (i >= end) {
            return Float.NaN;
        }
        boolean negative = false;
        if (b[i] == '-' || b[i] == '+') {
            negative = b[i] == '-';
            i++;
        }
        long m = 0;
        int digits = 0;        // significant digits held in m (at most 18, so m < 2⁶³)
        int exp10 = 0;
        boolean anyDigit = false;
        boolean truncated = false;
        while (i < end) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            anyDigit = true;
            if (digits < 18) {
                if (m != 0 || d != 0) {
                    m = m * 10 + d;
                    digits++;
                }
            } else {
                exp10++;
                truncated |= d != 0;
            }
            i++;
        }
        if (i < end && b[i] == '.') {
            i++;
            while (i < end) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                anyDigit = true;
                if (digits < 18) {
                    if (m != 0 || d != 0) {
                        m = m * 10 + d;
                        digits++;
                    }
                    exp10--;
                } else {
                    truncated |= d != 0;
                }
                i++;
            }
        }
        if (!anyDigit) {
            return Float.NaN;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < end && (b[i] == '-' || b[i] == '+')) {
                expNegative = b[i] == '-';
                i++;
            }
            if (i >= end) {
                return Float.NaN;
            }
            int e = 0;
            while (i < end) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    return Float.NaN;
                }
                e = Math.min(e * 10 + d, 100_000);
                i++;
            }
            exp10 += expNegative ? -e : e;
        }
        if (i != end) {
            return Float.NaN;
        }
        if (m == 0) {
            return negative ? -0f : 0f;
        }
        float value;
        if (!truncated && m <= (1L << 24) && exp10 >= -10 && exp10 <= 10) {
            float f = m;
            value = exp10 >= 0 ? f * POW10_F[exp10] : f / POW10_F[-exp10];
        } else if (!truncated && m < (1L << 53) && exp10 >= -22 && exp10 <= 22) {
            double d = exp10 >= 0 ? m * POW10_D[exp10] : m / POW10_D[-exp10];
            float f = (float) d;
            if (isFloatMidpoint(d, f)) {
                return slow(b, start, end);
            }
            value = f;
        } else {
            return slow(b, start, end);
        }
        if (!Float.isFinite(value)) {
            return Float.NaN;
        }
        return negative ? -value : value;
    }

    /** True when d lies exactly halfway between f (its float rounding) and f's other neighbour. */
    private static boolean isFloatMidpoint(double d, float f) {
        double df = f;
        if (df == d || !Float.isFinite(f)) {
            return false;
        }
        float other = df < d ? Math.nextUp(f) : Math.nextDown(f);
        return Math.abs((double) other - d) == Math.abs(d - df);
    }

    private static float slow(byte[] b, int start, int end) {
        float v = Float.parseFloat(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
        return Float.isFinite(v) ? v : Float.NaN;
    }
}

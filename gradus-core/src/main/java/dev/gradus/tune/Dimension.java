package dev.gradus.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * One axis of a {@link SearchSpace}: a list of values drawn with equal chance, or a range of
 * integers or reals drawn uniformly (on a log scale for the axes that span orders of
 * magnitude: width, learning rate, weight decay). Values are handled as text, as a
 * {@code gradus train} flag would take them.
 *
 * <p>Text form ({@link #parse}): {@code A..B} a range, {@code a,b,c} a choice, {@code a} one
 * fixed value.
 */
public sealed interface Dimension {

    /** Draws one value. Draws exactly one number from {@code random}, whatever the dimension. */
    String sample(RandomGenerator random);

    /** True when the dimension has one value only. */
    boolean fixed();

    /** A choice among {@code values}, each drawn with probability 1/size. */
    record Choice(List<String> values) implements Dimension {
        public Choice {
            values = List.copyOf(values);
            if (values.isEmpty()) {
                throw new IllegalArgumentException("a choice needs at least one value");
            }
        }

        @Override
        public String sample(RandomGenerator random) {
            return values.get(random.nextInt(values.size()));
        }

        @Override
        public boolean fixed() {
            return values.size() == 1;
        }

        @Override
        public String toString() {
            return String.join(",", values);
        }
    }

    /** Integers {@code lo..hi} inclusive, uniform, or log-uniform when {@code log}. */
    record IntRange(int lo, int hi, boolean log) implements Dimension {
        public IntRange {
            if (lo > hi || (log && lo < 1)) {
                throw new IllegalArgumentException("the range " + lo + ".." + hi + " is empty"
                        + (log && lo < 1 ? " or not positive (it is drawn on a log scale)" : ""));
            }
        }

        @Override
        public String sample(RandomGenerator random) {
            double u = random.nextDouble();
            if (!log) {
                return Integer.toString(lo + (int) Math.min(hi - lo, Math.floor(u * (hi - lo + 1.0))));
            }
            // log-uniform over [lo, hi + 1), floored: each integer weighted by log((k+1)/k)
            double v = Math.exp(Math.log(lo) + u * (Math.log(hi + 1.0) - Math.log(lo)));
            return Integer.toString((int) Math.min(hi, Math.floor(v)));
        }

        @Override
        public boolean fixed() {
            return lo == hi;
        }

        @Override
        public String toString() {
            return lo + ".." + hi;
        }
    }

    /** Reals in {@code [lo, hi]}, uniform, or log-uniform when {@code log}; drawn to 3 significant digits. */
    record RealRange(double lo, double hi, boolean log) implements Dimension {
        public RealRange {
            if (!(lo <= hi) || !Double.isFinite(lo) || !Double.isFinite(hi) || (log && !(lo > 0))) {
                throw new IllegalArgumentException("the range " + lo + ".." + hi + " is empty"
                        + (log && !(lo > 0) ? " or not positive (it is drawn on a log scale)" : ""));
            }
        }

        @Override
        public String sample(RandomGenerator random) {
            double u = random.nextDouble();
            double v = log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo);
            return format(Math.min(hi, Math.max(lo, round3(v))));
        }

        @Override
        public boolean fixed() {
            return lo == hi;
        }

        @Override
        public String toString() {
            return format(lo) + ".." + format(hi);
        }

        private static double round3(double v) {
            return v == 0 ? 0 : Double.parseDouble(String.format(Locale.ROOT, "%.3g", v));
        }
    }

    /**
     * Reads {@code text}: {@code A..B} a range ({@code real} decides integers or reals,
     * {@code log} the scale), {@code a,b,c} a choice, {@code a} one value.
     *
     * @throws IllegalArgumentException for an empty text, a bad number or an empty range
     */
    static Dimension parse(String text, boolean real, boolean log) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("no value given");
        }
        int dots = t.indexOf("..");
        if (dots >= 0) {
            String a = t.substring(0, dots).strip();
            String b = t.substring(dots + 2).strip();
            if (real) {
                return new RealRange(number(a), number(b), log);
            }
            return new IntRange(integer(a), integer(b), log);
        }
        List<String> values = new ArrayList<>();
        for (String v : t.split(",", -1)) {
            String s = v.strip();
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty value in '" + text + "'");
            }
            values.add(s);
        }
        return new Choice(values);
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number");
        }
    }

    private static int integer(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not an integer");
        }
    }

    /** Shortest plain text of {@code v}: {@code 0.001}, {@code 1e-05}, {@code 0.25}. */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return Long.toString((long) v);
        }
        String g = String.format(Locale.ROOT, "%.3g", v);
        double back = Double.parseDouble(g);
        if (back == v && Math.abs(v) >= 1e-4) {
            return new java.math.BigDecimal(g).stripTrailingZeros().toPlainString();
        }
        return back == v ? String.format(Locale.ROOT, "%.2e", v).replaceAll("\\.?0+e", "e") : Double.toString(v);
    }
}

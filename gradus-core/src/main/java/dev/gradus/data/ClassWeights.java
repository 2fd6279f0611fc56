package dev.gradus.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Weights of the classes in the weighted loss {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}: every row of class
 * {@code c} weighs {@code w_c} (times its sample weight, if it has one), as scikit-learn's
 * {@code class_weight}.
 *
 * <ul>
 *   <li>{@link #NONE}: every class weighs 1.</li>
 *   <li>{@link #BALANCED}: {@code w_c = N / (K · N_c)} for {@code N} training rows, {@code K}
 *       classes and {@code N_c} rows of class {@code c} (scikit-learn's {@code "balanced"},
 *       counted over the training rows, not weighted by sample weights), so that every class
 *       carries the same total weight.</li>
 *   <li>{@link Given}: the listed classes weigh what is given, the others 1.</li>
 * </ul>
 *
 * <pre>{@code
 * ClassWeights.parse("balanced");
 * ClassWeights.parse("fraud=10,ok=1");
 * }</pre>
 */
public sealed interface ClassWeights {

    /** Every class weighs 1. */
    ClassWeights NONE = new Uniform();

    /** {@code w_c = N / (K · N_c)}. */
    ClassWeights BALANCED = new Balanced();

    /** Every class weighs 1. */
    record Uniform() implements ClassWeights {
        @Override
        public double[] resolveCounts(List<String> labels, long[] classCounts) {
            return null;
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /** scikit-learn's {@code "balanced"}. */
    record Balanced() implements ClassWeights {
        @Override
        public double[] resolveCounts(List<String> labels, long[] classCounts) {
            long n = 0;
            for (long c : classCounts) {
                n += c;
            }
            double[] w = new double[labels.size()];
            for (int c = 0; c < w.length; c++) {
                // a class with no training rows weighs nothing anywhere; 1 keeps it harmless
                w[c] = classCounts[c] == 0 ? 1 : (double) n / ((double) labels.size() * classCounts[c]);
            }
            return w;
        }

        @Override
        public String toString() {
            return "balanced";
        }
    }

    /**
     * Weights given by label; labels not listed weigh 1.
     *
     * @param weights label → weight, each finite and at least 0
     */
    record Given(Map<String, Double> weights) implements ClassWeights {
        public Given {
            weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
            if (weights.isEmpty()) {
                throw new IllegalArgumentException("no class weights given");
            }
            weights.forEach((label, w) -> {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("class '" + label + "': weight " + w
                            + " must be finite and at least 0");
                }
            });
        }

        /** @throws IllegalArgumentException naming a label that is not one of {@code labels} */
        @Override
        public double[] resolveCounts(List<String> labels, long[] classCounts) {
            double[] w = new double[labels.size()];
            java.util.Arrays.fill(w, 1);
            weights.forEach((label, value) -> {
                int id = labels.indexOf(label);
                if (id < 0) {
                    throw new IllegalArgumentException("class weight for '" + label + "': no such class; the classes "
                            + "are " + String.join(", ", labels));
                }
                w[id] = value;
            });
            return w;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            weights.forEach((label, w) -> s.append(s.isEmpty() ? "" : ",").append(label).append('=')
                    .append(w == Math.rint(w) && Math.abs(w) < 1e15 ? Long.toString((long) (double) w) : w));
            return s.toString();
        }
    }

    /**
     * The weight of each class id of {@code labels}, given the training rows' class ids
     * {@code classIds} (for {@link #BALANCED}); {@code null} for {@link #NONE}.
     *
     * @throws IllegalArgumentException naming a given label that is not a class
     */
    default double[] resolve(List<String> labels, int[] classIds) {
        long[] counts = new long[labels.size()];
        for (int id : classIds) {
            counts[id]++;
        }
        return resolveCounts(labels, counts);
    }

    /**
     * As {@link #resolve}, given how many training rows each class id has ({@code classCounts},
     * one count per label; {@link #BALANCED} reads them): for rows counted where they are, such
     * as on a cluster's executors.
     *
     * @throws IllegalArgumentException naming a given label that is not a class
     */
    double[] resolveCounts(List<String> labels, long[] classCounts);

    /**
     * {@code none}, {@code balanced}, or {@code LABEL=W,LABEL=W,…} (a label may be quoted
     * {@code "a,b"=2} when it holds a comma or an equals sign).
     *
     * @throws IllegalArgumentException naming the part that does not parse
     */
    static ClassWeights parse(String text) {
        String s = Objects.requireNonNull(text, "text").strip();
        switch (s.toLowerCase(Locale.ROOT)) {
            case "none":
                return NONE;
            case "balanced":
                return BALANCED;
            default:
                break;
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            String label;
            int eq;
            if (s.charAt(i) == '"') {
                int close = s.indexOf('"', i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("'" + text + "': unclosed quote");
                }
                label = s.substring(i + 1, close);
                eq = close + 1;
                if (eq >= s.length() || s.charAt(eq) != '=') {
                    throw new IllegalArgumentException("'" + text + "': expected = after \"" + label + "\"");
                }
            } else {
                eq = s.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException("'" + s.substring(i) + "' is not LABEL=WEIGHT; write balanced "
                            + "or LABEL=WEIGHT,…");
                }
                label = s.substring(i, eq).strip();
            }
            int comma = s.indexOf(',', eq + 1);
            int end = comma < 0 ? s.length() : comma;
            String number = s.substring(eq + 1, end).strip();
            double w;
            try {
                w = Double.parseDouble(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("class '" + label + "': weight '" + number + "' is not a number");
            }
            if (label.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': a class label is empty");
            }
            if (weights.put(label, w) != null) {
                throw new IllegalArgumentException("class '" + label + "' is given twice");
            }
            i = end + 1;
        }
        return new Given(weights);
    }
}

package dev.gradus.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads named hyperparameters for {@link Optimizer#of}, and rejects the ones it never read. */
final class Hyperparameters {
    private final String optimizer;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> known = new ArrayList<>();

    Hyperparameters(String optimizer, Map<String, String> given) {
        this.optimizer = optimizer;
        for (Map.Entry<String, String> e : given.entrySet()) {
            String key = e.getKey().trim().toLowerCase(Locale.ROOT).replace('-', '_');
            if (key.equals("learning_rate")) {
                key = "lr";
            }
            values.put(key, e.getValue().trim());
        }
    }

    double get(String key, double fallback) {
        known.add(key);
        String text = values.get(key);
        if (text == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(optimizer + ": " + key + " '" + text + "' is not a number");
        }
    }

    int getInt(String key, int fallback) {
        double v = get(key, fallback);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(optimizer + ": " + key + " must be a whole number, got "
                    + values.get(key));
        }
        return (int) v;
    }

    String getString(String key, String fallback) {
        known.add(key);
        return values.getOrDefault(key, fallback);
    }

    void finish() {
        finishFor("optimizer");
    }

    /** Rejects a key that was never read, naming {@code what} ("optimizer", "schedule"). */
    void finishFor(String what) {
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException(what + " " + optimizer + " has no "
                        + (what.equals("optimizer") ? "hyperparameter" : "parameter") + " '" + key + "'; it has "
                        + (known.isEmpty() ? "none" : String.join(", ", known)));
            }
        }
    }

    /** Checks {@code lr > 0} and finite. */
    static void checkLearningRate(String optimizer, double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException(optimizer + ": learning rate must be positive and finite, got " + lr);
        }
    }

    /** Checks {@code 0 ≤ value} and finite. */
    static void checkNonNegative(String optimizer, String name, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be 0 or more and finite, got " + value);
        }
    }

    /** Checks {@code 0 ≤ value < 1}. */
    static void checkUnitInterval(String optimizer, String name, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be in [0, 1), got " + value);
        }
    }

    /** Checks {@code value > 0} and finite. */
    static void checkPositive(String optimizer, String name, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be positive and finite, got " + value);
        }
    }

    /** A number the way {@link Optimizer#parse} reads it back. */
    static String format(double v) {
        return Double.toString(v);
    }
}

package dev.gradus.data;

import java.util.Locale;

/** What the targets are: numbers to predict, or class labels to choose from. */
public enum Task {
    REGRESSION,
    CLASSIFICATION;

    /** Parses {@code regression} or {@code classification}. */
    public static Task parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "regression" -> REGRESSION;
            case "classification" -> CLASSIFICATION;
            default -> throw new IllegalArgumentException("unknown task '" + text
                    + "'; known: regression, classification");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.gradus.data;

import java.util.Locale;

/**
 * What to do with missing feature cells (empty or {@code NA}); the fill values are fitted on
 * the training rows and stored with the model.
 * <ul>
 *   <li>{@link #NONE}: a missing cell is an error naming its line and column;</li>
 *   <li>{@link #MEAN} / {@link #MEDIAN}: a numeric column's missing cells take the mean or
 *       median of its present training values; a categorical column's take its most frequent
 *       category (ties: the first in sorted order).</li>
 * </ul>
 * Missing target cells are always an error.
 */
public enum Impute {
    NONE,
    MEAN,
    MEDIAN;

    /** Parses {@code none}, {@code mean} or {@code median}. */
    public static Impute parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "mean" -> MEAN;
            case "median" -> MEDIAN;
            default -> throw new IllegalArgumentException("unknown imputation '" + text + "'; known: none, mean, median");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.gradus.data;

import java.util.Locale;

/**
 * How input columns are scaled before the network sees them; fitted on training rows only.
 * <ul>
 *   <li>{@link #STANDARD}: {@code (x − mean) / std}, population std; a zero-variance column is
 *       divided by 1;</li>
 *   <li>{@link #MINMAX}: {@code (x − min) / (max − min)}, mapping training rows to
 *       {@code [0, 1]}; a constant column is divided by 1;</li>
 *   <li>{@link #NONE}: no scaling at all, of features or of targets.</li>
 * </ul>
 */
public enum Scaling {
    STANDARD,
    MINMAX,
    NONE;

    /** Parses {@code standard}, {@code minmax} or {@code none}. */
    public static Scaling parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT).replace("-", "")) {
            case "standard", "zscore" -> STANDARD;
            case "minmax" -> MINMAX;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("unknown scaling '" + text
                    + "'; known: standard, minmax, none");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

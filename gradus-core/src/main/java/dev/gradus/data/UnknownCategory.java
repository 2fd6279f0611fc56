package dev.gradus.data;

import java.util.Locale;

/**
 * What prediction does with a category that training never saw (in a column without an
 * "other" input, where unseen categories go): an error naming the column, line and value
 * ({@code ERROR}, the default), or an all-zero one-hot ({@code IGNORE}, as scikit-learn's
 * {@code handle_unknown='ignore'}).
 */
public enum UnknownCategory {
    ERROR, IGNORE;

    /** Parses {@code error} or {@code ignore}. */
    public static UnknownCategory parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "error" -> ERROR;
            case "ignore" -> IGNORE;
            default -> throw new IllegalArgumentException("unknown-category policy '" + text
                    + "' is not error or ignore");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}

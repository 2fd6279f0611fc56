package dev.gradus.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How a CSV file is read: its separator, which cells are missing values, and which numeric
 * columns keep their cells' text as written.
 *
 * <pre>{@code
 * CsvOptions options = CsvOptions.defaults().withSeparator(';').withNaValues(List.of("?"));
 * Table t = Csv.read(Path.of("data.csv"), options);
 * }</pre>
 *
 * @param separator the cell separator, or {@code null} to detect it among {@code , ; TAB |}
 *     from the first lines (the one that splits them all into the same number, at least 2, of
 *     cells; the most cells wins, then that order)
 * @param naValues spellings of a missing value besides {@link #PANDAS_NA} (compared after
 *     removing surrounding spaces, case-sensitive as in pandas)
 * @param keepText numeric columns (by name, or by 0-based index written as a number, negative
 *     from the end) whose cells keep their text as written, whatever their number of distinct
 *     values: class labels and id columns. Other numeric columns keep it only while they have at
 *     most {@link #KEPT_DISTINCT_TEXTS} distinct cells.
 */
public record CsvOptions(Character separator, List<String> naValues, List<String> keepText) {

    /**
     * pandas' default missing-value spellings ({@code pandas.read_csv}'s {@code na_values}
     * default, pandas 2.x); a blank cell is missing too.
     */
    public static final List<String> PANDAS_NA = List.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
            "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

    /** The separators that detection considers, in order of preference. */
    public static final List<Character> DETECTED_SEPARATORS = List.of(',', ';', '\t', '|');

    /** A numeric column not in {@link #keepText()} keeps its written text up to this many distinct cells. */
    public static final int KEPT_DISTINCT_TEXTS = 1024;

    public CsvOptions {
        if (separator != null && (separator == '"' || separator == '\n' || separator == '\r' || separator > 0x7f)) {
            throw new IllegalArgumentException("separator " + describe(separator)
                    + " cannot separate cells (use one ASCII character other than a quote or line break)");
        }
        naValues = naValues.stream().map(String::strip).toList();
        keepText = List.copyOf(keepText);
    }

    /** Detected separator, pandas' missing values, no column asked to keep its text. */
    public static CsvOptions defaults() {
        return new CsvOptions(null, List.of(), List.of());
    }

    public CsvOptions withSeparator(Character value) {
        return new CsvOptions(value, naValues, keepText);
    }

    public CsvOptions withNaValues(List<String> value) {
        return new CsvOptions(separator, value, keepText);
    }

    public CsvOptions withKeepText(List<String> value) {
        return new CsvOptions(separator, naValues, value);
    }

    /**
     * A separator as the user writes it: one character, or {@code \t} / {@code tab} for a tab.
     *
     * @throws IllegalArgumentException naming the value when it is not one usable character
     */
    public static char parseSeparator(String text) {
        String t = text.equals("\\t") || text.equalsIgnoreCase("tab") ? "\t" : text;
        if (t.length() != 1) {
            throw new IllegalArgumentException("'" + text + "' is not one character (write \\t or tab for a tab)");
        }
        char c = t.charAt(0);
        if (c == '"' || c == '\n' || c == '\r' || c > 0x7f) {
            throw new IllegalArgumentException(describe(c) + " cannot separate cells");
        }
        return c;
    }

    /** A separator for messages: {@code ','} or {@code tab}. */
    public static String describe(char separator) {
        return separator == '\t' ? "tab" : "'" + separator + "'";
    }

    /** True when {@code stripped} (a cell without surrounding spaces) spells a missing value. */
    public boolean isMissing(String stripped) {
        return PANDAS_NA.contains(stripped) || naValues.contains(stripped);
    }

    /** Every missing-value spelling as UTF-8 bytes, without surrounding spaces, duplicates removed. */
    byte[][] missingSpellings() {
        Set<String> all = new LinkedHashSet<>(PANDAS_NA);
        for (String s : naValues) {
            all.add(s.strip());
        }
        List<byte[]> out = new ArrayList<>();
        for (String s : all) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return out.toArray(new byte[0][]);
    }
}

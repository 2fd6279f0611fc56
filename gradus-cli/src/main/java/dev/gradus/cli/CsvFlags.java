package dev.gradus.cli;

import dev.gradus.data.CsvOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The flags that say how a command reads CSV files: {@code --sep} and {@code --na-values}. */
final class CsvFlags {
    @Option(names = "--sep", paramLabel = "CHAR",
            description = "Cell separator (one character; tab or \\t for a tab). Default: detected among , ; tab |.")
    String separator;

    @Option(names = "--na-values", split = ",", paramLabel = "TEXT",
            description = "More spellings of a missing value, besides pandas' defaults (empty, NA, N/A, NaN, null, "
                    + "None, #N/A, nan, n/a, ...).")
    List<String> naValues = new ArrayList<>();

    /**
     * The options for reading; {@code keepText} names the numeric columns whose cells keep their
     * text as written (class labels, id columns).
     *
     * @throws UsageException naming --sep when it is not one usable character
     */
    CsvOptions options(List<String> keepText) {
        Character sep = null;
        if (separator != null) {
            try {
                sep = CsvOptions.parseSeparator(separator);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--sep: " + e.getMessage());
            }
        }
        return new CsvOptions(sep, naValues, keepText);
    }
}

package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --sep, separator detection and --na-values, through the command line. */
class CsvFlagsTest {
    @TempDir
    Path dir;

    /** A small two-class file written with {@code sep}; every 7th x2 cell is {@code gap}. */
    private Path file(String name, char sep, String gap) throws Exception {
        StringBuilder csv = new StringBuilder("x1" + sep + "x2" + sep + "y\n");
        for (int i = 0; i < 60; i++) {
            String x2 = i % 7 == 3 ? gap : String.format(Locale.ROOT, "%.2f", (i % 5) * 0.5);
            csv.append(String.format(Locale.ROOT, "%.2f%c%s%c%s%n", i * 0.1, sep, x2, sep, i < 30 ? "a" : "b"));
        }
        Path p = dir.resolve(name);
        Files.writeString(p, csv);
        return p;
    }

    private static void assertOneLineFailure(Cli run, int code, String... fragments) {
        assertEquals(code, run.code(), run.toString());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("gradus: ")).count(), run.toString());
        for (String f : fragments) {
            assertTrue(run.err().contains(f), "'" + f + "' in:\n" + run);
        }
        assertFalse(run.err().contains("\tat "), run.toString());
    }

    @Test
    void semicolonsAreDetectedAndPandasMissingValuesImputed() throws Exception {
        Path data = file("semi.csv", ';', "N/A");
        Path model = dir.resolve("m.gradus");
        Cli run = Cli.run("train", "--data", data.toString(), "--out", model.toString(), "--epochs", "2",
                "--impute", "mean", "--quiet");
        assertEquals(0, run.code(), run.toString());
        assertTrue(Files.exists(model));
    }

    @Test
    void aWrongSepIsOneLineWithAHintAndWritesNothing() throws Exception {
        Path data = file("semi.csv", ';', "1");
        Path model = dir.resolve("m.gradus");
        Cli run = Cli.run("train", "--data", data.toString(), "--out", model.toString(), "--sep", "|");
        // Every line is one cell with '|': the file reads as one column named "x1;x2;y" and fails for lack of features.
        assertEquals(1, run.code(), run.toString());
        assertFalse(Files.exists(model));
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a;b;c\n1;2;x\n3;4,5;y\n");
        Cli hinted = Cli.run("train", "--data", ragged.toString(), "--out", model.toString(), "--sep", ",");
        assertOneLineFailure(hinted, 1, "line 3 has 2 cells but the header has 1 columns", "try --sep ';'");
        assertFalse(Files.exists(model));
    }

    @Test
    void badSepIsAUsageError() throws Exception {
        Path data = file("c.csv", ',', "1");
        Cli run = Cli.run("train", "--data", data.toString(), "--out", dir.resolve("m.gradus").toString(), "--sep",
                "ab");
        assertOneLineFailure(run, 2, "--sep", "'ab' is not one character");
        assertFalse(Files.exists(dir.resolve("m.gradus")));
    }

    @Test
    void naValuesAddSpellings() throws Exception {
        Path data = file("q.csv", ',', "?");
        Path model = dir.resolve("m.gradus");
        Cli without = Cli.run("train", "--data", data.toString(), "--out", model.toString(), "--epochs", "1",
                "--impute", "mean", "--quiet");
        assertOneLineFailure(without, 1, "column 'x2'", "'?' is not a finite number");
        assertFalse(Files.exists(model));
        Cli with = Cli.run("train", "--data", data.toString(), "--out", model.toString(), "--epochs", "1",
                "--impute", "mean", "--na-values", "?", "--quiet");
        assertEquals(0, with.code(), with.toString());
        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--na-values", "?");
        assertEquals(0, predict.code(), predict.toString());
        assertEquals(61, predict.out().lines().count());
    }
}

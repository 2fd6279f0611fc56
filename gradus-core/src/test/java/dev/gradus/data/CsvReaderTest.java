package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The columnar reader: separators, missing values, chunks and threads, messages. */
class CsvReaderTest {

    private static Table read(String text) throws DataException {
        return Csv.read(new StringReader(text), "t.csv");
    }

    private static Table read(String text, CsvOptions options) throws DataException {
        return Csv.read(new StringReader(text), "t.csv", options);
    }

    /** Reads with tiny chunks, so that records, quotes and blank lines cross chunk boundaries. */
    private static Table readInChunks(String text, int threads, int chunk) throws DataException, IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new CsvParser(() -> new ByteArrayInputStream(bytes), "t.csv", CsvOptions.defaults(), threads, chunk,
                chunk).read();
    }

    @Test
    void detectsTheSeparator() throws DataException {
        for (String sep : new String[] {",", ";", "\t", "|"}) {
            Table t = read(String.join(sep, "a", "b c", "y") + "\n" + String.join(sep, "1.5", "x", "2") + "\n"
                    + String.join(sep, "3", "z", "4") + "\n");
            assertEquals(List.of("a", "b c", "y"), t.names(), "separator " + sep);
            assertEquals(2, t.rows());
        }
        // A semicolon file whose numbers use a decimal comma is still split by the semicolon.
        Table semi = read("x;y\n1,5;2\n3,25;4\n");
        assertEquals(List.of("x", "y"), semi.names());
        assertEquals("3,25", semi.text(1, 0));
    }

    @Test
    void theSeparatorCanBeGiven() throws DataException {
        Table t = read("a|b;c\n1|2;3\n", CsvOptions.defaults().withSeparator(';'));
        assertEquals(List.of("a|b", "c"), t.names());
        assertEquals('\t', CsvOptions.parseSeparator("\\t"));
        assertEquals('\t', CsvOptions.parseSeparator("tab"));
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class,
                () -> CsvOptions.parseSeparator(";;"));
        assertTrue(two.getMessage().contains("';;' is not one character"), two.getMessage());
    }

    @Test
    void aWrongSeparatorGetsAHint() {
        DataException e = assertThrows(DataException.class,
                () -> read("a;b;c\n1;2;3\n4;5,6;7\n", CsvOptions.defaults().withSeparator(',')));
        assertEquals("t.csv: line 3 has 2 cells but the header has 1 columns (the file was read with ',' as the "
                + "separator; it looks separated by ';': try --sep ';')", e.getMessage());
    }

    @Test
    void pandasMissingValuesAndMore() throws DataException {
        Table t = read("a,b,c\n1,N/A,x\nnull,2,#N/A\nNaN,None,?\n-nan,<NA>,y\n");
        assertTrue(t.isNumeric(0) && t.isNumeric(1));
        assertTrue(Float.isNaN(t.numbers(0)[1]) && Float.isNaN(t.numbers(0)[2]) && Float.isNaN(t.numbers(0)[3]));
        assertTrue(Float.isNaN(t.numbers(1)[0]) && Float.isNaN(t.numbers(1)[2]) && Float.isNaN(t.numbers(1)[3]));
        assertFalse(t.isNumeric(2));
        assertNull(t.text(1, 2));
        assertEquals("?", t.text(2, 2), "? is not missing by default, as in pandas");
        Table more = read("a,c\n1,x\n?,?\n", CsvOptions.defaults().withNaValues(List.of("?")));
        assertTrue(Float.isNaN(more.numbers(0)[1]));
        assertNull(more.text(1, 1));
        assertEquals(List.of("x"), more.dictionary(1));
    }

    @Test
    void textColumnsAreDictionaryEncoded() throws DataException {
        Table t = read("c,y\nred,1\nblue,2\nred,3\n,4\n");
        assertEquals(List.of("red", "blue"), t.dictionary(0));
        assertEquals(List.of(0, 1, 0, -1), java.util.Arrays.stream(t.codes(0)).boxed().toList());
    }

    @Test
    void numericColumnsKeepTextOnlyWhereAsked() throws DataException {
        StringBuilder csv = new StringBuilder("id,v,label\n");
        for (int i = 0; i < CsvOptions.KEPT_DISTINCT_TEXTS + 10; i++) {
            csv.append(String.format(Locale.ROOT, "%07d,%d.50,%d%n", i, i, i % 3));
        }
        Table plain = read(csv.toString());
        assertFalse(plain.keepsWrittenText(0), "many distinct numbers: the text is not kept");
        assertEquals("7", plain.text(7, 0));
        assertTrue(plain.keepsWrittenText(2), "few distinct numbers (class labels) keep their text");
        Table kept = read(csv.toString(), CsvOptions.defaults().withKeepText(List.of("id", "-2")));
        assertEquals("0000007", kept.text(7, 0));
        assertEquals("7.50", kept.text(7, 1));
        assertEquals(7f, kept.numbers(0)[7]);
    }

    @Test
    void chunksAndThreadsGiveTheSameTable() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder csv = new StringBuilder("x,\"name\",y,late\n");
        for (int i = 0; i < 3000; i++) {
            if (i % 97 == 5) {
                csv.append('\n');   // a blank line
            }
            String name = switch (i % 5) {
                case 0 -> "\"multi\nline, \"\"quoted\"\"\"";
                case 1 -> "\"a,b\"";
                case 2 -> "plain";
                case 3 -> "";
                default -> "n" + random.nextInt(40);
            };
            String late = i == 2900 ? "text" : Integer.toString(i % 7);   // turns text in a late chunk
            csv.append(String.format(Locale.ROOT, "%.5f,%s,%d,%s%n", random.nextGaussian(), name, i % 3, late));
        }
        String text = csv.toString();
        Table expected = readInChunks(text, 1, 1 << 24);
        assertFalse(expected.isNumeric(3));
        assertEquals("multi\nline, \"quoted\"", expected.text(0, 1));
        for (int threads : new int[] {1, 2, 3}) {
            for (int chunk : new int[] {64, 1000, 7777}) {
                Table t = readInChunks(text, threads, chunk);
                assertEquals(expected, t, threads + " threads, chunks of " + chunk);
                for (int r = 0; r < t.rows(); r += 13) {
                    assertEquals(expected.line(r), t.line(r));
                }
            }
        }
        assertEquals(3000, expected.rows());
    }

    @Test
    void errorsNameTheLineAcrossChunks() {
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int i = 0; i < 500; i++) {
            csv.append(i).append(",\"x\ny\"\n");
        }
        csv.append("1,2,3\n");
        for (int threads : new int[] {1, 2}) {
            DataException e = assertThrows(DataException.class, () -> readInChunks(csv.toString(), threads, 100));
            assertEquals("t.csv: line 1002 has 3 cells but the header has 2 columns", e.getMessage());
        }
        DataException open = assertThrows(DataException.class, () -> read("a,b\n1,\"x\n2,3\n"));
        assertEquals("t.csv: line 2: a quoted cell is not closed before the end of the file", open.getMessage());
    }

    @Test
    void gzipAndCarriageReturns(@TempDir Path dir) throws Exception {
        Path gz = dir.resolve("t.csv.gz");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write("a,b\r\n1,x\r\n2,y\r\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.write(gz, bytes.toByteArray());
        Table t = Csv.read(gz);
        assertEquals(List.of("a", "b"), t.names());
        assertEquals("y", t.text(1, 1));
        Table oldMac = read("a,b\r1,x\r2,y\r");
        assertEquals(2, oldMac.rows());
        assertEquals(3, oldMac.line(1));
    }

    @Test
    void emptyFiles() {
        assertEquals("t.csv: the file is empty (a header row is required)",
                assertThrows(DataException.class, () -> read("\n\n")).getMessage());
        assertEquals("t.csv: the file has a header but no data rows",
                assertThrows(DataException.class, () -> read("a,b\n\n")).getMessage());
    }
}

package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A split drawn from rows read a chunk at a time ({@link Split.Classes}, {@link Split#randomTestRows})
 * holds out the rows {@link Split#stratified} and {@link Split#random} hold out of the whole table,
 * and {@link Split#only} / {@link Split#allBut} hand a sink exactly the test and the training rows.
 */
class SplitStreamTest {
    @TempDir
    Path dir;

    /** The line numbers of the rows handed over, in order; a restart forgets them. */
    private static final class Lines implements Csv.Chunks {
        final List<Long> lines = new ArrayList<>();
        int chunks;

        @Override
        public void accept(Table rows) {
            chunks++;
            for (int r = 0; r < rows.rows(); r++) {
                lines.add(rows.line(r));
            }
        }

        @Override
        public void restart() {
            lines.clear();
            chunks = 0;
        }
    }

    private static List<Long> lines(Table t) {
        List<Long> out = new ArrayList<>();
        for (int r = 0; r < t.rows(); r++) {
            out.add(t.line(r));
        }
        return out;
    }

    @Test
    void aSplitOfStreamedRowsIsTheSplitOfTheWholeTable() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        StringBuilder s = new StringBuilder("x,kind\n");
        String[] kinds = {"rare", "common", " common", "mid"};
        for (int r = 0; r < 120_000; r++) {
            int k = random.nextInt(20) == 0 ? 0 : random.nextInt(4) == 0 ? 3 : 1 + random.nextInt(2);
            s.append(random.nextDouble()).append(',').append(kinds[k]).append('\n');
        }
        Path file = dir.resolve("rows.csv");
        Files.writeString(file, s);
        Table whole = Csv.read(file);
        for (double fraction : new double[] {0.1, 0.37}) {
            Split stratified = Split.stratified(whole, "kind", fraction, 5);
            Split.Classes classes = new Split.Classes("kind");
            Csv.stream(file, CsvOptions.defaults(), List.of(), classes);
            assertEquals(whole.rows(), classes.rows());
            int[] test = classes.testRows(fraction, 5);
            assertSame(file, test, stratified);
            Split plain = Split.random(whole, fraction, 8);
            assertSame(file, Split.randomTestRows(whole.rows(), fraction, 8, file.toString()), plain);
        }
    }

    /** {@code test} numbers the rows of {@code expected.test()}, and the filters give both parts over several chunks. */
    private static void assertSame(Path file, int[] test, Split expected) throws Exception {
        long[] testLines = new long[test.length];
        for (int i = 0; i < test.length; i++) {
            testLines[i] = test[i] + 2;   // a header, then one row a line
        }
        assertArrayEquals(lines(expected.test()).stream().mapToLong(Long::longValue).toArray(), testLines);
        Lines only = new Lines();
        Csv.stream(file, CsvOptions.defaults(), List.of(), Split.only(test, only));
        assertEquals(lines(expected.test()), only.lines);
        Lines rest = new Lines();
        Csv.stream(file, CsvOptions.defaults(), List.of(), Split.allBut(test, rest));
        assertEquals(lines(expected.train()), rest.lines);
        assertTrue(rest.chunks > 1, "several chunks");
    }

    @Test
    void aClassOfOneRowFailsAsInTheWholeTable() throws Exception {
        Path file = dir.resolve("lone.csv");
        Files.writeString(file, "x,kind\n1,a\n2,b\n3,a\n4,c\n5,b\n");
        DataException whole = assertThrows(DataException.class,
                () -> Split.stratified(Csv.read(file), "kind", 0.5, 1));
        Split.Classes classes = new Split.Classes("kind");
        Csv.stream(file, CsvOptions.defaults(), List.of(), classes);
        DataException streamed = assertThrows(DataException.class, () -> classes.testRows(0.5, 1));
        assertEquals(whole.getMessage(), streamed.getMessage());
        assertTrue(streamed.getMessage().contains("class 'c' of column 'kind' has only one row (line 5)"),
                streamed.getMessage());
    }
}

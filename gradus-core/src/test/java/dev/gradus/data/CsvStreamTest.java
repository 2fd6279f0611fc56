package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Csv#stream}: the rows of {@link Csv#read}, a chunk at a time, every chunk with the same column types. */
class CsvStreamTest {
    @TempDir
    Path dir;

    /** Collects the chunks; a restart forgets them. */
    private static final class Collect implements Csv.Chunks {
        final List<Table> chunks = new ArrayList<>();
        int restarts;

        @Override
        public void accept(Table rows) {
            chunks.add(rows);
        }

        @Override
        public void restart() {
            chunks.clear();
            restarts++;
        }
    }

    @Test
    void chunksHoldTheRowsAndLinesOfTheWholeFileAndAColumnThatTurnsTextLateIsTextInEveryChunk() throws Exception {
        StringBuilder s = new StringBuilder("x,y,label\n");
        int rows = 150_000;
        for (int r = 0; r < rows; r++) {
            if (r == 10) {
                s.append('\n');   // an empty line: counted, not a row
            }
            s.append(r == rows - 5 ? "late" : Integer.toString(r % 97)).append(',').append(r * 0.5).append(',')
                    .append(r % 3 == 0 ? "a" : "b").append('\n');
        }
        Path file = dir.resolve("late.csv");
        Files.writeString(file, s);
        Table whole = Csv.read(file);
        Collect sink = new Collect();
        Csv.stream(file, CsvOptions.defaults(), List.of(), sink);
        assertTrue(sink.chunks.size() > 1, "several chunks");
        assertEquals(1, sink.restarts, "the late text column restarts the stream once");
        int at = 0;
        for (Table chunk : sink.chunks) {
            assertFalse(chunk.isNumeric(0), "x is text in every chunk");
            for (int r = 0; r < chunk.rows(); r++, at++) {
                assertEquals(whole.line(at), chunk.line(r));
                assertEquals(whole.text(at, 0), chunk.text(r, 0));
                assertEquals(whole.numbers(1)[at], chunk.numbers(1)[r]);
                assertEquals(whole.text(at, 2), chunk.text(r, 2));
            }
        }
        assertEquals(whole.rows(), at);

        Collect named = new Collect();
        Csv.stream(file, CsvOptions.defaults(), List.of("x"), named);
        assertEquals(0, named.restarts, "a column named as text needs no restart");
    }

    @Test
    void aRaggedRowFarIntoTheFileIsReportedWithItsLine() throws Exception {
        StringBuilder s = new StringBuilder("a,b\n");
        for (int r = 0; r < 200_000; r++) {
            s.append(r).append(',').append(r == 150_000 ? "1,2" : "3").append('\n');
        }
        Path file = dir.resolve("ragged.csv");
        Files.writeString(file, s);
        DataException whole = assertThrows(DataException.class, () -> Csv.read(file));
        DataException streamed = assertThrows(DataException.class,
                () -> Csv.stream(file, CsvOptions.defaults(), List.of(), new Collect()));
        assertEquals(whole.getMessage(), streamed.getMessage());
        assertTrue(streamed.getMessage().contains("line 150002"), streamed.getMessage());
    }
}

package dev.gradus.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvTest {

    private static Table read(String text) throws DataException {
        return Csv.read(new StringReader(text), "t.csv");
    }

    @Test
    void byteOrderMarkQuotesAndCrlfAsSpreadsheetsWriteThem() throws DataException {
        Table t = read("\uFEFF\"name, full\",x,y\r\n\"a, b\",1,0\r\n\r\n\"c\",2,1\r\n");
        assertEquals(List.of("name, full", "x", "y"), t.names());
        assertEquals(2, t.rows());
        assertEquals("a, b", t.text(0, 0));
        assertEquals(4, t.line(1), "the empty line 3 is skipped but counted");
        assertTrue(t.isNumeric(1));
        assertEquals(2f, t.numbers(1)[1]);
    }

    @Test
    void numbersKeepTheirWrittenText() throws DataException {
        Table t = read("id,v\n007,1.50\n16777217, 2\n");
        assertEquals("007", t.text(0, 0));
        assertEquals("16777217", t.text(1, 0));
        assertEquals("1.50", t.text(0, 1));
        assertEquals("2", t.text(1, 1));
        assertEquals(1.5f, t.numbers(1)[0]);
    }

    @Test
    void malformedFilesNameTheirLine() {
        DataException ragged = assertThrows(DataException.class, () -> read("a,b\n1,2\n3\n"));
        assertEquals("t.csv: line 3 has 1 cells but the header has 2 columns", ragged.getMessage());
        DataException twice = assertThrows(DataException.class, () -> read("a,a\n1,2\n"));
        assertTrue(twice.getMessage().contains("'a' appears twice"), twice.getMessage());
        DataException blank = assertThrows(DataException.class, () -> read("a,,c\n1,2,3\n"));
        assertTrue(blank.getMessage().contains("column 2 of the header has no name"), blank.getMessage());
    }

    @Test
    void missingCellsAndNotNumbers() throws DataException {
        Table t = read("a,b,c\n1,NA,x\n,2,NaN\n");
        assertTrue(t.isNumeric(0) && t.isNumeric(1));
        assertTrue(Float.isNaN(t.numbers(0)[1]) && Float.isNaN(t.numbers(1)[0]));
        assertTrue(!t.isNumeric(2), "NaN is not a number here: the column is text");
    }
}

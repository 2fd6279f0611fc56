package dev.gradus.data;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Reads comma-separated files with a header row into a {@link Table}, through FastCSV.
 *
 * <p>UTF-8, RFC 4180 quoting, gzip-compressed files read transparently (recognised by their
 * magic bytes). Every row must have as many cells as the header; empty cells and {@code NA}
 * are missing values.
 *
 * <pre>{@code
 * Table iris = Csv.read(Path.of("data/iris_train.csv"));
 * }</pre>
 */
public final class Csv {
    private Csv() {}

    /**
     * Reads {@code path}.
     *
     * @throws DataException naming the file (and line) when it is missing, empty, has no data
     *     rows, a ragged row, a blank or repeated column name, or cannot be parsed
     */
    public static Table read(Path path) throws DataException {
        if (Files.isDirectory(path)) {
            throw new DataException(path + ": is a directory, not a CSV file");
        }
        try (Reader reader = open(path)) {
            return read(reader, path.toString());
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": file not found");
        } catch (AccessDeniedException e) {
            throw new DataException(path + ": permission denied");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads CSV text from {@code reader} and closes it; {@code source} names it in messages.
     */
    public static Table read(Reader reader, String source) throws DataException {
        try (CsvReader<CsvRecord> csv = CsvReader.builder()
                     .allowExtraFields(true)
                     .allowMissingFields(true)
                     .skipEmptyLines(true)
                     .ofCsvRecord(withoutByteOrderMark(reader))) {
            List<String> header = null;
            List<String[]> rows = new ArrayList<>();
            List<Long> lines = new ArrayList<>();
            for (CsvRecord record : csv) {
                if (header == null) {
                    header = checkHeader(source, record);
                    continue;
                }
                if (record.getFieldCount() != header.size()) {
                    throw new DataException(source + ": line " + record.getStartingLineNumber() + " has "
                            + record.getFieldCount() + " cells but the header has " + header.size() + " columns");
                }
                rows.add(record.getFields().toArray(new String[0]));
                lines.add(record.getStartingLineNumber());
            }
            if (header == null) {
                throw new DataException(source + ": the file is empty (a header row is required)");
            }
            if (rows.isEmpty()) {
                throw new DataException(source + ": the file has a header but no data rows");
            }
            long[] lineNumbers = new long[lines.size()];
            for (int i = 0; i < lineNumbers.length; i++) {
                lineNumbers[i] = lines.get(i);
            }
            return Table.fromCells(source, header, rows, lineNumbers);
        } catch (CsvParseException e) {
            throw new DataException(source + ": malformed CSV: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new DataException(source + ": cannot read: " + e.getCause().getMessage(), e);
        } catch (IOException e) {
            throw new DataException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static List<String> checkHeader(String path, CsvRecord record) throws DataException {
        List<String> header = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < record.getFieldCount(); c++) {
            String name = record.getField(c).strip();
            if (name.isEmpty()) {
                throw new DataException(path + ": line " + record.getStartingLineNumber() + ": column " + (c + 1)
                        + " of the header has no name");
            }
            if (!seen.add(name)) {
                throw new DataException(path + ": line " + record.getStartingLineNumber() + ": column name '" + name
                        + "' appears twice in the header");
            }
            header.add(name);
        }
        return header;
    }

    /**
     * The reader without a leading byte order mark (as spreadsheet programs write in UTF-8 CSV),
     * removed before parsing so that a quoted first header cell stays one cell.
     */
    private static Reader withoutByteOrderMark(Reader reader) throws IOException {
        PushbackReader in = new PushbackReader(reader, 1);
        int first = in.read();
        if (first != -1 && first != '\uFEFF') {
            in.unread(first);
        }
        return in;
    }

    private static Reader open(Path path) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }
}

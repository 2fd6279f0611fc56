package dev.gradus.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads delimited text files with a header row into a {@link Table}, column by column.
 *
 * <p>UTF-8 (a leading byte order mark is skipped), RFC 4180 quoting, gzip-compressed files
 * read transparently (recognised by their magic bytes). The separator is detected among
 * {@code , ; TAB |} unless given ({@link CsvOptions#separator()}). Every row must have as many
 * cells as the header; a blank cell and pandas' default spellings ({@code NA}, {@code N/A},
 * {@code NaN}, {@code null}, …: {@link CsvOptions#PANDAS_NA}) are missing values. Numbers are
 * parsed straight from the bytes into {@code float} columns and text into dictionary-encoded
 * columns, on all cores for a large file (see {@code docs/performance.md} for the speed).
 *
 * <pre>{@code
 * Table iris = Csv.read(Path.of("data/iris_train.csv"));
 * Table semi = Csv.read(Path.of("sales.csv"), CsvOptions.defaults().withSeparator(';'));
 * }</pre>
 */
public final class Csv {
    private Csv() {}

    /** Reads {@code path} with {@link CsvOptions#defaults()}. */
    public static Table read(Path path) throws DataException {
        return read(path, CsvOptions.defaults());
    }

    /**
     * Reads {@code path}.
     *
     * @throws DataException naming the file (and line) when it is missing, empty, has no data
     *     rows, a ragged row (with a hint when another separator would fit), a blank or repeated
     *     column name, or a quoted cell that is never closed
     */
    public static Table read(Path path, CsvOptions options) throws DataException {
        if (Files.isDirectory(path)) {
            throw new DataException(path + ": is a directory, not a CSV file");
        }
        try {
            return new CsvParser(() -> open(path), path.toString(), options, threads()).read();
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": file not found");
        } catch (AccessDeniedException e) {
            throw new DataException(path + ": permission denied");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Where {@link #stream} hands the rows of a file, a chunk of consecutive rows at a time (a
     * few thousand; each a {@link Table} whose {@link Table#line} numbers the file's lines).
     */
    public interface Chunks {
        /** The next rows, in file order. */
        void accept(Table rows) throws DataException, IOException;

        /**
         * Forget every chunk handed over so far: a column turned out to be text after chunks
         * holding it as numbers were handed over, and every chunk comes again.
         */
        void restart() throws DataException, IOException;
    }

    /**
     * Reads {@code path} a chunk of rows at a time into {@code sink}, holding only a few chunks
     * in memory, so that a file larger than the heap can be read. The columns named in
     * {@code text} are read as text; every chunk holds each column as the same type (numbers or
     * text). The errors are those of {@link #read(Path, CsvOptions)}, raised when the reading
     * reaches them.
     */
    public static void stream(Path path, CsvOptions options, java.util.Collection<String> text, Chunks sink)
            throws DataException {
        if (Files.isDirectory(path)) {
            throw new DataException(path + ": is a directory, not a CSV file");
        }
        try {
            // Chunks of 1 MiB: the few held at once stay small beside a small heap.
            new CsvParser(() -> open(path), path.toString(), options, threads(), CsvParser.FIRST_CHUNK,
                    CsvParser.FIRST_CHUNK).stream(text, sink);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": file not found");
        } catch (AccessDeniedException e) {
            throw new DataException(path + ": permission denied");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads CSV text from {@code reader} and closes it; {@code source} names it in messages. */
    public static Table read(Reader reader, String source) throws DataException {
        return read(reader, source, CsvOptions.defaults());
    }

    /** Reads CSV text from {@code reader} with {@code options} and closes it. */
    public static Table read(Reader reader, String source, CsvOptions options) throws DataException {
        byte[] bytes;
        try (Reader r = reader) {
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[1 << 14];
            for (int n; (n = r.read(buffer)) >= 0; ) {
                text.append(buffer, 0, n);
            }
            bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DataException(source + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return new CsvParser(() -> new ByteArrayInputStream(bytes), source, options, threads()).read();
        } catch (IOException e) {
            throw new DataException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The file's bytes, uncompressed when it starts with gzip's magic bytes. */
    static InputStream open(Path path) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
    }
}

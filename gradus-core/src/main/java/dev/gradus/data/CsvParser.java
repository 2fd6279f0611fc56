package dev.gradus.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The columnar CSV reader behind {@link Csv}: bytes straight to {@code float} columns and
 * dictionary-encoded text columns, with no {@code String} per cell.
 *
 * <p>The file is cut into chunks of whole records (a cut never falls inside a quoted cell); the
 * first chunk is parsed on the calling thread, which settles the column types, and the others on
 * a pool of worker threads while the caller reads on. Each chunk parses into its own column
 * pieces with local dictionaries and line numbers relative to its start; the pieces are then
 * joined in file order, so the result does not depend on the number of threads. A column that a
 * late chunk finds to be text after earlier chunks stored it as numbers (their text is gone) is
 * read again: the whole file is parsed a second time with that column as text.
 *
 * <p>Quoting follows RFC 4180 as FastCSV reads it: a cell is quoted when its first byte is a
 * quote; {@code ""} inside is one quote; a quote elsewhere is an ordinary character. Cells lose
 * their surrounding ASCII white space. A line is ended by LF (a CR before it is white space), or
 * by CR in a file that has no LF at all. Empty lines are skipped but counted.
 */
final class CsvParser {
    /** A source that can be read more than once (a second pass is sometimes needed). */
    interface Source {
        InputStream open() throws IOException;
    }

    static final int FIRST_CHUNK = 1 << 20;
    static final int CHUNK = 1 << 22;
    private static final int SNIFF_RECORDS = 20;

    private final Source source;
    private final String name;
    private final CsvOptions options;
    private final byte[][] missing;
    private final int longestMissing;
    private final int threads;
    private final int firstChunk;
    private final int chunk;

    CsvParser(Source source, String name, CsvOptions options, int threads) {
        this(source, name, options, threads, FIRST_CHUNK, CHUNK);
    }

    /** A parser with the given chunk sizes in bytes (small ones let tests cross chunk boundaries). */
    CsvParser(Source source, String name, CsvOptions options, int threads, int firstChunk, int chunk) {
        this.firstChunk = firstChunk;
        this.chunk = chunk;
        this.source = source;
        this.name = name;
        this.options = options;
        this.missing = options.missingSpellings();
        this.longestMissing = Arrays.stream(missing).mapToInt(m -> m.length).max().orElse(0);
        this.threads = Math.max(1, threads);
    }

    /** Reads the whole source into a table. */
    Table read() throws DataException, IOException {
        boolean[] forcedText = null;
        while (true) {
            Pass pass = new Pass(forcedText, null);
            Table t = pass.run();
            if (t != null) {
                return t;
            }
            forcedText = pass.finalText();
        }
    }

    /**
     * Hands the source to {@code sink} a chunk of rows at a time, in file order, keeping only a
     * few chunks in memory. Columns named in {@code text} are read as text. When a column turns
     * out to be text after chunks holding it as numbers were handed over, {@code sink} is
     * restarted and every chunk is handed over again with that column as text.
     */
    void stream(java.util.Collection<String> text, Csv.Chunks sink) throws DataException, IOException {
        boolean[] forcedText = null;
        java.util.Set<String> named = new java.util.HashSet<>(text);
        while (true) {
            Pass pass = new Pass(forcedText, sink);
            pass.named = named;
            if (pass.run() != null) {
                return;
            }
            forcedText = pass.finalText();
            named = java.util.Set.of();
            sink.restart();
        }
    }

    // ---- one pass over the file -------------------------------------------------------------

    /** The layout every chunk of one pass shares. */
    private record Layout(byte sep, byte eol, int columns, boolean[] keepText, AtomicIntegerArray text,
                          AtomicIntegerArray writtenDropped, java.util.concurrent.BlockingQueue<byte[]> spare,
                          java.util.concurrent.atomic.AtomicInteger bytesPerRow) {}

    private final class Pass {
        private final boolean[] forcedText;
        private final Csv.Chunks sink;            // streaming: chunks go here as they are parsed; else joined
        private java.util.Set<String> named = java.util.Set.of();   // streaming: columns read as text
        private Layout layout;
        private byte[] headerBytes;
        private List<String> names;
        private long lineOffset;                  // streaming: the line of the next chunk's first line
        private long delivered;                   // streaming: rows handed over so far
        private boolean[] asNumbers;              // streaming: columns handed over as numbers

        Pass(boolean[] forcedText, Csv.Chunks sink) {
            this.forcedText = forcedText;
            this.sink = sink;
        }

        boolean[] finalText() {
            boolean[] out = new boolean[layout.columns];
            for (int c = 0; c < out.length; c++) {
                out[c] = layout.text.get(c) != 0;
            }
            return out;
        }

        /** The table, or null when a column turned out to be text too late (read again with finalText()). */
        Table run() throws DataException, IOException {
            try (InputStream in = source.open()) {
                Chunker chunker = new Chunker(in);
                byte[] first = chunker.fillFirst(firstChunk);
                int length = chunker.length;
                int p = 0;
                if (length >= 3 && (first[0] & 0xff) == 0xEF && (first[1] & 0xff) == 0xBB && (first[2] & 0xff) == 0xBF) {
                    p = 3;
                }
                byte eol = indexOf(first, p, length, (byte) '\n') >= 0 || indexOf(first, p, length, (byte) '\r') < 0
                        ? (byte) '\n' : (byte) '\r';
                chunker.eol = eol;
                // The header: the first non-empty line.
                long line = 1;
                while (p < length && (first[p] == eol || (first[p] == '\r' && eol == '\n' && p + 1 < length
                        && first[p + 1] == '\n'))) {
                    if (first[p] == eol) {
                        line++;
                    }
                    p++;
                }
                if (p >= length) {
                    throw new DataException(name + ": the file is empty (a header row is required)");
                }
                byte sep = options.separator() != null ? (byte) options.separator().charValue()
                        : detect(first, p, length, eol, chunker.atEnd);
                chunker.sep = sep;
                Record header = split(first, p, length, sep, eol);
                if (header.end < 0) {
                    throw new DataException(name + ": line " + line + ": a quoted cell is not closed before the end "
                            + "of the file");
                }
                names = checkHeader(header.cells, line);
                headerBytes = Arrays.copyOfRange(first, p, header.end);
                long headerLines = countByte(first, p, header.end, eol);
                long firstDataLine = line + headerLines;
                int columns = names.size();
                layout = new Layout(sep, eol, columns, keepTextColumns(names), new AtomicIntegerArray(columns),
                        new AtomicIntegerArray(columns), new java.util.concurrent.ArrayBlockingQueue<>(threads + 4),
                        new java.util.concurrent.atomic.AtomicInteger());
                chunker.spare = layout.spare;
                if (forcedText != null) {
                    for (int c = 0; c < columns; c++) {
                        layout.text.set(c, forcedText[c] ? 1 : 0);
                    }
                }
                for (int c = 0; c < columns; c++) {
                    if (named.contains(names.get(c))) {
                        layout.text.set(c, 1);
                    }
                }
                lineOffset = firstDataLine;
                asNumbers = new boolean[columns];
                chunker.start = header.end;
                List<ChunkResult> results = new ArrayList<>();
                List<Future<ChunkResult>> pending = new ArrayList<>();
                ExecutorService pool = null;
                try {
                    byte[][] bytes = new byte[1][];
                    int[] bounds = new int[2];
                    boolean onCaller = true;
                    while (chunker.next(bytes, bounds, chunk)) {
                        ChunkParser job = new ChunkParser(layout, bytes[0], bounds[0], bounds[1]);
                        if (onCaller || threads == 1) {
                            add(results, job.call());
                            onCaller = false;
                            if (last(results).error != null) {
                                break;
                            }
                        } else {
                            if (pool == null) {
                                pool = Executors.newFixedThreadPool(threads, r -> {
                                    Thread t = new Thread(r, "gradus-csv");
                                    t.setDaemon(true);
                                    return t;
                                });
                            }
                            pending.add(pool.submit(job));
                            // Bound the chunks in memory: wait for the oldest when too many are queued.
                            while (pending.size() > threads + 1 && last(results).error == null) {
                                add(results, take(pending.remove(0)));
                            }
                            if (last(results).error != null) {
                                break;
                            }
                        }
                    }
                    while (!pending.isEmpty() && (results.isEmpty() || last(results).error == null)) {
                        add(results, take(pending.remove(0)));
                    }
                } finally {
                    if (pool != null) {
                        pool.shutdownNow();
                    }
                }
                if (sink == null) {
                    return join(names, results, firstDataLine);
                }
                if (!results.isEmpty()) {
                    deliver(last(results));
                }
                if (restartNeeded()) {
                    return null;
                }
                if (delivered == 0) {
                    throw new DataException(name + ": the file has a header but no data rows");
                }
                return Table.ofNumbers(name, List.of(), new float[0][]);   // done (not null: no second pass)
            }
        }

        /**
         * Keeps a parsed chunk. Streaming, the chunk before it is handed to the sink (the last
         * one is kept for the error checks of the loop) and dropped.
         */
        private void add(List<ChunkResult> results, ChunkResult r) throws DataException, IOException {
            if (sink != null && !results.isEmpty()) {
                deliver(results.remove(0));
            }
            results.add(r);
        }

        /** True when a column handed over as numbers has turned out to be text. */
        private boolean restartNeeded() {
            for (int c = 0; c < asNumbers.length; c++) {
                if (asNumbers[c] && layout.text.get(c) != 0) {
                    return true;
                }
            }
            return false;
        }

        /** Hands one chunk's rows to the sink as a table, or reports its error. */
        private void deliver(ChunkResult r) throws DataException, IOException {
            if (r.error != null) {
                throw new DataException(name + ": line " + (lineOffset + r.errorLine) + r.error + hint(r, lineOffset));
            }
            if (r.rows > 0 && !restartNeeded()) {
                int columns = names.size();
                Table.Column[] out = new Table.Column[columns];
                for (int c = 0; c < columns; c++) {
                    if (r.numbers[c] == null) {
                        out[c] = new Table.Texts(Arrays.copyOf(r.codes[c], r.rows), r.dictionaries[c]);
                        continue;
                    }
                    asNumbers[c] = true;
                    float[] values = Arrays.copyOf(r.numbers[c], r.rows);
                    boolean written = r.writtenCodes[c] != null && (layout.keepText[c]
                            || r.dictionaries[c].length <= CsvOptions.KEPT_DISTINCT_TEXTS);
                    out[c] = written ? new Table.Numbers(values, Arrays.copyOf(r.writtenCodes[c], r.rows),
                            r.dictionaries[c]) : new Table.Numbers(values, null, null);
                }
                long[] lines = new long[r.rows];
                for (int i = 0; i < r.rows; i++) {
                    lines[i] = lineOffset + r.relLines[i];
                }
                if (!restartNeeded()) {
                    sink.accept(new Table(name, names, out, r.rows, 0, lines));
                    delivered += r.rows;
                }
            }
            lineOffset += r.lineCount;
        }

        private boolean[] keepTextColumns(List<String> names) {
            boolean[] keep = new boolean[names.size()];
            for (String k : options.keepText()) {
                int c = names.indexOf(k);
                if (c < 0) {
                    try {
                        int i = Integer.parseInt(k.strip());
                        c = i < 0 ? names.size() + i : i;
                    } catch (NumberFormatException e) {
                        c = -1;
                    }
                }
                if (c >= 0 && c < keep.length) {
                    keep[c] = true;
                }
            }
            return keep;
        }

        private Table join(List<String> names, List<ChunkResult> results, long firstDataLine) throws DataException {
            int columns = names.size();
            long lineOffset = firstDataLine;
            int rows = 0;
            boolean consecutive = true;
            for (ChunkResult r : results) {
                if (r.error != null) {
                    throw new DataException(name + ": line " + (lineOffset + r.errorLine) + r.error
                            + hint(r, lineOffset));
                }
                consecutive &= r.consecutive && (rows == 0 || r.rows == 0 || r.relLines[0] == 0);
                lineOffset += r.lineCount;
                rows = Math.addExact(rows, r.rows);
            }
            if (rows == 0) {
                throw new DataException(name + ": the file has a header but no data rows");
            }
            boolean[] text = finalText();
            for (ChunkResult r : results) {
                for (int c = 0; c < columns; c++) {
                    if (text[c] && r.numbers[c] != null && r.rows > 0) {
                        return null;   // stored as numbers before the column turned out to be text: read again
                    }
                }
            }
            long[] lines = null;
            if (!consecutive) {
                lines = new long[rows];
                long offset = firstDataLine;
                int at = 0;
                for (ChunkResult r : results) {
                    for (int i = 0; i < r.rows; i++) {
                        lines[at++] = offset + r.relLines[i];
                    }
                    offset += r.lineCount;
                }
            }
            Table.Column[] out = new Table.Column[columns];
            for (int c = 0; c < columns; c++) {
                if (text[c]) {
                    Dictionary merged = new Dictionary();
                    int[] codes = merged.join(results, c, rows, false);
                    out[c] = new Table.Texts(codes, merged.values());
                } else {
                    float[] values = new float[rows];
                    int at = 0;
                    boolean written = layout.keepText[c] || layout.writtenDropped.get(c) == 0;
                    for (ChunkResult r : results) {
                        System.arraycopy(r.numbers[c], 0, values, at, r.rows);
                        at += r.rows;
                        written &= r.rows == 0 || r.writtenCodes[c] != null;
                    }
                    int[] writtenCodes = null;
                    String[] dictionary = null;
                    if (written) {
                        Dictionary merged = new Dictionary();
                        writtenCodes = merged.join(results, c, rows, true);
                        if (layout.keepText[c] || merged.size() <= CsvOptions.KEPT_DISTINCT_TEXTS) {
                            dictionary = merged.values();
                        } else {
                            writtenCodes = null;
                        }
                    }
                    out[c] = new Table.Numbers(values, writtenCodes, dictionary);
                }
            }
            return new Table(name, names, out, rows, firstDataLine, lines);
        }

        /** For a row with the wrong number of cells: the separator that would have split it as the header. */
        private String hint(ChunkResult r, long lineOffset) {
            if (r.badRecord == null) {
                return "";
            }
            for (char candidate : CsvOptions.DETECTED_SEPARATORS) {
                if (candidate == layout.sep) {
                    continue;
                }
                Record header = split(headerBytes, 0, headerBytes.length, (byte) candidate, layout.eol);
                Record row = split(r.badRecord, 0, r.badRecord.length, (byte) candidate, layout.eol);
                if (header.cells.size() > 1 && header.cells.size() == row.cells.size()) {
                    return " (the file was read with " + CsvOptions.describe((char) layout.sep)
                            + " as the separator; it looks separated by " + CsvOptions.describe(candidate)
                            + ": try --sep " + (candidate == '\t' ? "tab" : "'" + candidate + "'") + ")";
                }
            }
            return "";
        }
    }

    private static ChunkResult last(List<ChunkResult> results) {
        return results.get(results.size() - 1);
    }

    private ChunkResult take(Future<ChunkResult> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(name + ": interrupted while reading", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private List<String> checkHeader(List<String> cells, long line) throws DataException {
        List<String> header = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < cells.size(); c++) {
            String n = cells.get(c);
            if (n.isEmpty()) {
                throw new DataException(name + ": line " + line + ": column " + (c + 1) + " of the header has no name");
            }
            if (!seen.add(n)) {
                throw new DataException(name + ": line " + line + ": column name '" + n + "' appears twice in the header");
            }
            header.add(n);
        }
        return header;
    }

    /**
     * The separator among {@link CsvOptions#DETECTED_SEPARATORS} that splits the first complete
     * records into the same number (at least 2) of cells; the most cells wins, then list order;
     * a comma when none does.
     */
    static byte detect(byte[] b, int p, int end, byte eol, boolean atEnd) {
        byte best = ',';
        int bestCells = 1;
        for (char candidate : CsvOptions.DETECTED_SEPARATORS) {
            int at = p;
            int cells = -1;
            boolean consistent = true;
            for (int k = 0; k < SNIFF_RECORDS && at < end && consistent; k++) {
                while (at < end && (b[at] == eol || b[at] == '\r' || b[at] == '\n')) {
                    at++;
                }
                if (at >= end) {
                    break;
                }
                Record r = split(b, at, end, (byte) candidate, eol);
                if (r.end < 0 || (r.end >= end && !atEnd && k > 0)) {
                    break;   // unfinished: not a record to judge by
                }
                if (cells < 0) {
                    cells = r.cells.size();
                } else if (r.cells.size() != cells) {
                    consistent = false;
                }
                at = r.end;
            }
            if (consistent && cells > bestCells) {
                best = (byte) candidate;
                bestCells = cells;
            }
        }
        return best;
    }

    /** One record's cells as strings, and where the next one starts (-1 when a quote is not closed). */
    record Record(List<String> cells, int end) {}

    /** Splits the record starting at {@code p} into cells (quotes removed, surrounding spaces stripped). */
    static Record split(byte[] b, int p, int end, byte sep, byte eol) {
        List<String> cells = new ArrayList<>();
        byte[] scratch = new byte[64];
        int i = p;
        while (true) {
            int n = 0;
            if (i < end && b[i] == '"') {
                i++;
                while (true) {
                    if (i >= end) {
                        return new Record(cells, -1);
                    }
                    if (b[i] == '"') {
                        if (i + 1 < end && b[i + 1] == '"') {
                            scratch = put(scratch, n++, (byte) '"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    scratch = put(scratch, n++, b[i++]);
                }
            }
            while (i < end && b[i] != sep && b[i] != eol) {
                scratch = put(scratch, n++, b[i++]);
            }
            cells.add(new String(scratch, 0, n, StandardCharsets.UTF_8).strip());
            if (i >= end) {
                return new Record(cells, end);
            }
            if (b[i] == eol) {
                return new Record(cells, i + 1);
            }
            i++;   // the separator
        }
    }

    private static byte[] put(byte[] a, int i, byte v) {
        if (i == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[i] = v;
        return a;
    }

    static int indexOf(byte[] b, int from, int to, byte v) {
        for (int i = from; i < to; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static long countByte(byte[] b, int from, int to, byte v) {
        long n = 0;
        for (int i = from; i < to; i++) {
            if (b[i] == v) {
                n++;
            }
        }
        return n;
    }

    // ---- cutting the stream into chunks of whole records ---------------------------------------

    /**
     * Reads the stream into chunks that end after a line break outside quotes (or at the end of
     * the file). Each chunk is a fresh array, owned by whoever parses it.
     */
    private static final class Chunker {
        private final InputStream in;
        private byte[] buffer;
        int length;
        int start;       // where the next chunk starts in buffer
        boolean atEnd;
        byte eol = '\n';
        byte sep = ',';
        java.util.Queue<byte[]> spare;   // parsed chunks' arrays, to be filled again

        Chunker(InputStream in) {
            this.in = in;
        }

        byte[] fillFirst(int size) throws IOException {
            buffer = new byte[size];
            fill();
            return buffer;
        }

        private void fill() throws IOException {
            while (length < buffer.length) {
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    atEnd = true;
                    return;
                }
                length += n;
            }
        }

        /** The next chunk: {@code chunk[0]} holds it in {@code [bounds[0], bounds[1])}; false at the end. */
        boolean next(byte[][] chunk, int[] bounds, int size) throws IOException {
            while (true) {
                if (start >= length && atEnd) {
                    return false;
                }
                int cut = atEnd ? length : lastRecordEnd(buffer, start, length, sep, eol);
                if (cut > start) {
                    chunk[0] = buffer;
                    bounds[0] = start;
                    bounds[1] = cut;
                    // The rest (an unfinished record) moves to a new buffer.
                    byte[] next = spare == null ? null : spare.poll();
                    if (next == null || next.length < Math.max(size, (length - cut) * 2)) {
                        next = new byte[Math.max(size, (length - cut) * 2)];
                    }
                    System.arraycopy(buffer, cut, next, 0, length - cut);
                    length -= cut;
                    start = 0;
                    buffer = next;
                    if (!atEnd) {
                        fill();
                    }
                    return true;
                }
                // No whole record in the buffer: make room and read more.
                if (start > 0) {
                    System.arraycopy(buffer, start, buffer, 0, length - start);
                    length -= start;
                    start = 0;
                }
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                fill();
            }
        }

        /** The index after the last line break outside quotes in {@code [from, to)}, or {@code from}. */
        static int lastRecordEnd(byte[] b, int from, int to, byte sep, byte eol) {
            int last = from;
            boolean fieldStart = true;
            int state = 0;   // 0 unquoted, 1 inside quotes, 2 just after a closing (or doubled) quote
            for (int i = from; i < to; i++) {
                byte c = b[i];
                if (c == '"') {
                    if (state == 1) {
                        state = 2;
                    } else if (state == 2) {
                        state = 1;
                    } else if (fieldStart) {
                        state = 1;
                    }
                    fieldStart = false;
                } else if (state == 1) {
                    fieldStart = false;
                } else if (c == eol) {
                    last = i + 1;
                    state = 0;
                    fieldStart = true;
                } else {
                    state = 0;
                    fieldStart = c == sep;
                }
            }
            return last;
        }
    }

    // ---- one chunk ----------------------------------------------------------------------------

    /** What a chunk parses into; line numbers are relative to the chunk's first line. */
    private static final class ChunkResult {
        int rows;
        float[][] numbers;      // per column, or null for a text column
        int[][] codes;          // text codes, or written-text codes of a numeric column (else null)
        int[][] writtenCodes;   // alias of codes for numeric columns that keep their text
        String[][] dictionaries;
        int[] relLines;
        boolean consecutive = true;
        long lineCount;
        String error;           // the message after "line N", or null
        long errorLine;
        byte[] badRecord;       // the record with the wrong number of cells, for the separator hint
    }

    private final class ChunkParser implements java.util.concurrent.Callable<ChunkResult> {
        private final Layout layout;
        private final byte[] b;
        private final int from;
        private final int to;
        private byte[] scratch = new byte[256];

        ChunkParser(Layout layout, byte[] b, int from, int to) {
            this.layout = layout;
            this.b = b;
            this.from = from;
            this.to = to;
        }

        @Override
        public ChunkResult call() {
            while (true) {
                ChunkResult r = parse();
                if (r != null) {
                    if (r.rows > 0) {
                        layout.bytesPerRow.set(Math.max(1, (to - from) / r.rows));
                    }
                    layout.spare.offer(b);   // the array can hold another chunk now
                    return r;
                }
                // A numeric column met text: it is text from now on; parse the chunk again.
            }
        }

        /** The parsed chunk, or null when a column changed to text and the chunk must be parsed again. */
        private ChunkResult parse() {
            int columns = layout.columns;
            boolean[] text = new boolean[columns];
            boolean[] written = new boolean[columns];
            for (int c = 0; c < columns; c++) {
                text[c] = layout.text.get(c) != 0;
                written[c] = !text[c] && (layout.keepText[c] || layout.writtenDropped.get(c) == 0);
            }
            // Rows expected from the bytes per row seen so far (grown below when more come).
            int perRow = layout.bytesPerRow.get();
            int capacity = perRow == 0 ? 1024 : (int) Math.min(Integer.MAX_VALUE - 8, (to - from) / perRow * 11L / 10 + 16);
            float[][] numbers = new float[columns][];
            int[][] codes = new int[columns][];
            LocalDictionary[] dictionaries = new LocalDictionary[columns];
            for (int c = 0; c < columns; c++) {
                if (!text[c]) {
                    numbers[c] = new float[capacity];
                }
                if (text[c] || written[c]) {
                    codes[c] = new int[capacity];
                    dictionaries[c] = new LocalDictionary();
                }
            }
            int[] relLines = new int[capacity];
            int rows = 0;
            long line = 0;
            boolean consecutive = true;
            final byte sep = layout.sep;
            final byte eol = layout.eol;
            int i = from;
            ChunkResult result = new ChunkResult();
            while (i < to) {
                // Skip empty lines (counted).
                if (b[i] == eol) {
                    line++;
                    i++;
                    consecutive = false;
                    continue;
                }
                if (b[i] == '\r' && eol == '\n' && i + 1 < to && b[i + 1] == '\n') {
                    line++;
                    i += 2;
                    consecutive = false;
                    continue;
                }
                if (rows == capacity) {
                    capacity *= 2;
                    for (int c = 0; c < columns; c++) {
                        if (numbers[c] != null) {
                            numbers[c] = Arrays.copyOf(numbers[c], capacity);
                        }
                        if (codes[c] != null) {
                            codes[c] = Arrays.copyOf(codes[c], capacity);
                        }
                    }
                    relLines = Arrays.copyOf(relLines, capacity);
                }
                int recordStart = i;
                long recordLine = line;
                relLines[rows] = (int) Math.min(line, Integer.MAX_VALUE);
                int c = 0;
                while (true) {
                    // One cell: [s, e) after unquoting and stripping; the bytes are in b, or in scratch when unescaped.
                    byte[] cell = b;
                    int s;
                    int e;
                    if (i < to && b[i] == '"') {
                        int q = i + 1;
                        int n = 0;
                        boolean copied = false;
                        int contentStart = q;
                        while (true) {
                            if (q >= to) {
                                result.error = ": a quoted cell is not closed before the end of the file";
                                result.errorLine = recordLine;
                                return finish(result, line);
                            }
                            byte x = b[q];
                            if (x == '"') {
                                if (q + 1 < to && b[q + 1] == '"') {
                                    if (!copied) {
                                        n = copyToScratch(contentStart, q);
                                        copied = true;
                                    }
                                    scratch = put(scratch, n++, (byte) '"');
                                    q += 2;
                                    continue;
                                }
                                break;
                            }
                            if (x == eol) {
                                line++;
                                consecutive = false;
                            }
                            if (copied) {
                                scratch = put(scratch, n++, x);
                            }
                            q++;
                        }
                        int contentEnd = q;
                        q++;   // the closing quote
                        // Anything after the closing quote, up to the separator, belongs to the cell.
                        int tail = q;
                        while (q < to && b[q] != sep && b[q] != eol) {
                            q++;
                        }
                        if (q > tail && !isBlank(b, tail, q)) {
                            if (!copied) {
                                n = copyToScratch(contentStart, contentEnd);
                                copied = true;
                            }
                            for (int k = tail; k < q; k++) {
                                scratch = put(scratch, n++, b[k]);
                            }
                        }
                        if (copied) {
                            cell = scratch;
                            s = 0;
                            e = n;
                        } else {
                            s = contentStart;
                            e = contentEnd;
                        }
                        i = q;
                    } else {
                        s = i;
                        while (i < to && b[i] != sep && b[i] != eol) {
                            i++;
                        }
                        e = i;
                    }
                    while (s < e && isSpace(cell[s])) {
                        s++;
                    }
                    while (e > s && isSpace(cell[e - 1])) {
                        e--;
                    }
                    if (c < columns) {
                        if (!store(cell, s, e, c, rows, text, written, numbers, codes, dictionaries)) {
                            return null;
                        }
                    }
                    c++;
                    if (i >= to || b[i] == eol) {
                        break;
                    }
                    i++;   // the separator
                }
                if (i < to) {
                    i++;   // the line break
                }
                line++;
                if (c != columns) {
                    result.error = " has " + c + " cells but the header has " + columns + " columns";
                    result.errorLine = recordLine;
                    result.badRecord = Arrays.copyOfRange(b, recordStart, i);
                    return finish(result, line);
                }
                rows++;
            }
            result.rows = rows;
            result.numbers = numbers;
            result.codes = codes;
            result.writtenCodes = new int[columns][];
            result.dictionaries = new String[columns][];
            for (int c = 0; c < columns; c++) {
                if (dictionaries[c] != null) {
                    result.dictionaries[c] = dictionaries[c].strings();
                    if (!text[c]) {
                        result.writtenCodes[c] = codes[c];
                    }
                }
            }
            result.relLines = relLines;
            result.consecutive = consecutive;
            return finish(result, line);
        }

        private ChunkResult finish(ChunkResult r, long lines) {
            r.lineCount = lines;
            return r;
        }

        private int copyToScratch(int s, int e) {
            int n = e - s;
            if (scratch.length < n * 2) {
                scratch = new byte[Math.max(n * 2, 256)];
            }
            System.arraycopy(b, s, scratch, 0, n);
            return n;
        }

        /**
         * Stores one cell; false when a numeric column met a cell that is not a number (the column
         * is marked text for everyone and the chunk must be parsed again).
         */
        private boolean store(byte[] cell, int s, int e, int c, int row, boolean[] text, boolean[] written,
                              float[][] numbers, int[][] codes, LocalDictionary[] dictionaries) {
            if (text[c]) {
                codes[c][row] = isMissing(cell, s, e) ? -1 : dictionaries[c].code(cell, s, e);
                return true;
            }
            // A number first: most cells of a numeric column are (no missing spelling parses as one).
            float v = FloatParser.parse(cell, s, e);
            if (Float.isNaN(v)) {
                if (isMissing(cell, s, e)) {
                    numbers[c][row] = Float.NaN;
                    if (written[c]) {
                        codes[c][row] = -1;
                    }
                    return true;
                }
                layout.text.set(c, 1);
                return false;
            }
            numbers[c][row] = v;
            if (written[c]) {
                LocalDictionary d = dictionaries[c];
                codes[c][row] = d.code(cell, s, e);
                if (!layout.keepText[c] && d.size() > CsvOptions.KEPT_DISTINCT_TEXTS) {
                    layout.writtenDropped.set(c, 1);
                    written[c] = false;
                    codes[c] = null;
                    dictionaries[c] = null;
                }
            }
            return true;
        }

        private boolean isMissing(byte[] cell, int s, int e) {
            int n = e - s;
            if (n == 0) {
                return true;
            }
            if (n > longestMissing) {
                return false;
            }
            for (byte[] m : missing) {
                if (m.length == n && Arrays.equals(m, 0, n, cell, s, e)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean isSpace(byte x) {
        return x == ' ' || (x >= 0x09 && x <= 0x0D) || (x >= 0x1C && x <= 0x1F);
    }

    private static boolean isBlank(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (!isSpace(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** Distinct byte strings of one chunk's column, each given a code in order of first appearance. */
    private static final class LocalDictionary {
        private byte[] bytes = new byte[1024];
        private int used;
        private int[] offsets = new int[64];
        private int[] lengths = new int[64];
        private int[] hashes = new int[64];
        private int size;
        private int[] table = new int[128];   // code + 1, 0 = empty

        int size() {
            return size;
        }

        int code(byte[] b, int s, int e) {
            int h = 1;
            for (int i = s; i < e; i++) {
                h = 31 * h + b[i];
            }
            h ^= h >>> 16;
            int mask = table.length - 1;
            int slot = h & mask;
            while (true) {
                int k = table[slot] - 1;
                if (k < 0) {
                    break;
                }
                if (hashes[k] == h && lengths[k] == e - s && Arrays.equals(bytes, offsets[k], offsets[k] + lengths[k], b, s, e)) {
                    return k;
                }
                slot = (slot + 1) & mask;
            }
            int n = e - s;
            if (used + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, used + n));
            }
            System.arraycopy(b, s, bytes, used, n);
            if (size == offsets.length) {
                offsets = Arrays.copyOf(offsets, size * 2);
                lengths = Arrays.copyOf(lengths, size * 2);
                hashes = Arrays.copyOf(hashes, size * 2);
            }
            offsets[size] = used;
            lengths[size] = n;
            hashes[size] = h;
            used += n;
            table[slot] = size + 1;
            size++;
            if (size * 2 > table.length) {
                rehash();
            }
            return size - 1;
        }

        private void rehash() {
            table = new int[table.length * 2];
            int mask = table.length - 1;
            for (int k = 0; k < size; k++) {
                int slot = hashes[k] & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = k + 1;
            }
        }

        String[] strings() {
            String[] out = new String[size];
            for (int k = 0; k < size; k++) {
                out[k] = new String(bytes, offsets[k], lengths[k], StandardCharsets.UTF_8);
            }
            return out;
        }
    }

    /** The global dictionary of one column, joined from the chunks' local ones in file order. */
    private static final class Dictionary {
        private final Map<String, Integer> index = new HashMap<>();
        private final List<String> values = new ArrayList<>();

        int size() {
            return values.size();
        }

        String[] values() {
            return values.toArray(new String[0]);
        }

        int[] join(List<ChunkResult> results, int c, int rows, boolean written) {
            int[] out = new int[rows];
            int at = 0;
            for (ChunkResult r : results) {
                if (r.rows == 0) {
                    continue;
                }
                String[] local = r.dictionaries[c];
                int[] map = new int[local.length];
                for (int k = 0; k < local.length; k++) {
                    map[k] = index.computeIfAbsent(local[k], v -> {
                        values.add(v);
                        return values.size() - 1;
                    });
                }
                int[] codes = written ? r.writtenCodes[c] : r.codes[c];
                for (int i = 0; i < r.rows; i++) {
                    out[at++] = codes[i] < 0 ? -1 : map[codes[i]];
                }
            }
            return out;
        }
    }
}

package dev.gradus.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The safetensors layout under the {@linkplain ModelFile model file} and the
 * {@linkplain CheckpointFile checkpoint file}, and every check of it:
 * <pre>
 * bytes [0, 8)          H, the header length, unsigned 64-bit little-endian, at most {@link #MAX_HEADER_BYTES}
 * bytes [8, 8+H)        UTF-8 JSON object, padded with spaces to a multiple of 8:
 *                         "__metadata__": { string: string, …, "data_sha256": hex SHA-256 of the data section },
 *                         name: {"dtype": F32|F64|I64, "shape": [d₀] or [d₀,d₁], "data_offsets": [begin,end]}, …
 * bytes [8+H, end)      the data section: raw little-endian values; data_offsets are relative to 8+H
 * </pre>
 * Writing is atomic and durable ({@link AtomicFiles}). Reading checks the header against the
 * file's size before anything is allocated (JSON, dtypes, shapes, offsets that tile the data
 * section without gap or overlap), then reads the data once and compares its SHA-256. Every
 * problem is a {@link ModelFileException} naming the file, byte offset and field.
 *
 * <p>What a file holds beyond the layout (tensor names, format and version keys) is checked by
 * its own reader, which calls the steps of {@link Reader} in the order its messages need.
 */
final class Safetensors {
    private Safetensors() {
    }

    /** The largest JSON header accepted, in bytes (16 MiB), on writing and on reading. */
    static final long MAX_HEADER_BYTES = 16L << 20;
    static final String METADATA = "__metadata__";
    static final String KEY_DATA_SHA256 = "data_sha256";
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    // Duplicate keys are an error (a later entry must not silently win). Field names are not
    // interned into the JVM's string pool. (Canonicalisation stays on: without it Jackson reads
    // bytes through a Reader, losing byte offsets and replacing invalid UTF-8 silently.)
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    /**
     * One kind of file in this layout: its name in messages ("model file": "too short to be a
     * model file") and the dtypes its tensors may have.
     */
    record Kind(String noun, List<String> dtypes) {
        /** Any file of this layout (tests use it to edit files). */
        static final Kind ANY = new Kind("file", List.of("F32", "F64", "I64"));
    }

    private static int bytesPer(String dtype) {
        return dtype.equals("F32") ? 4 : 8;
    }

    // ------------------------------------------------------------------------------------------
    // Writing

    /**
     * A tensor to write: {@code values[from, from + ∏shape)} of a {@code float[]} (F32),
     * {@code double[]} (F64) or {@code long[]} (I64), so that a slice of a flat parameter array
     * is written without a copy.
     */
    record Tensor(String name, Object values, int from, long[] shape) {
        Tensor {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (from < 0 || from + count > length(values)) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds "
                        + count + " values from index " + from + ", the array has " + length(values));
            }
        }

        /** The whole array with the given shape. */
        Tensor(String name, Object values, long[] shape) {
            this(name, values, 0, shape);
            if (count() != length(values)) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds "
                        + count() + " values, the array has " + length(values));
            }
        }

        /** A rank-1 tensor of the whole array. */
        static Tensor of(String name, Object values) {
            return new Tensor(name, values, new long[] {length(values)});
        }

        String dtype() {
            return values instanceof float[] ? "F32" : values instanceof double[] ? "F64" : "I64";
        }

        /** The number of values, {@code ∏shape}. */
        int count() {
            return (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }
    }

    private static int length(Object values) {
        if (values instanceof float[] f) {
            return f.length;
        }
        if (values instanceof double[] d) {
            return d.length;
        }
        if (values instanceof long[] l) {
            return l.length;
        }
        throw new IllegalArgumentException("a tensor holds float[], double[] or long[], got " + values);
    }

    /** Writes {@code tensors} and {@code metadata} atomically; see {@link #write(Path, Kind, Map, List, AtomicFiles.BeforeRename)}. */
    static void write(Path path, Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        write(path, Kind.ANY, metadata, tensors, AtomicFiles.BeforeRename.NONE);
    }

    /**
     * Writes {@code metadata} and {@code tensors}, in the given orders and contiguous from data
     * offset 0, atomically to {@code path}. The {@code data_sha256} is computed here and takes
     * the place of that key in {@code metadata} if it is there (its value is ignored), else
     * comes last.
     *
     * @throws IllegalArgumentException if the header would exceed {@link #MAX_HEADER_BYTES};
     *     nothing is written then
     */
    static void write(Path path, Kind kind, Map<String, String> metadata, List<Tensor> tensors,
                      AtomicFiles.BeforeRename beforeRename) throws IOException {
        MessageDigest sha = sha256();
        for (Tensor t : tensors) {
            encode(t, sha::update);
        }
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put(KEY_DATA_SHA256, HexFormat.of().formatHex(sha.digest()));   // keeps an existing key's place
        byte[] header = header(kind, all, tensors);
        AtomicFiles.write(path, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Tensor t : tensors) {
                encode(t, chunk -> out.write(chunk.array(), chunk.position(), chunk.remaining()));
            }
        }, beforeRename);
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Kind kind, Map<String, String> metadata, List<Tensor> tensors) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeObjectFieldStart(METADATA);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            long begin = 0;
            for (Tensor t : tensors) {
                long end = begin + (long) bytesPer(t.dtype()) * t.count();
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(begin);
                g.writeNumber(end);
                g.writeEndArray();
                g.writeEndObject();
                begin = end;
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        while (bytes.size() % 8 != 0) {
            bytes.write(' ');
        }
        if (bytes.size() > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the metadata makes the header " + bytes.size() + " bytes; a "
                    + kind.noun() + " header holds at most " + MAX_HEADER_BYTES + " bytes");
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Feeds the raw little-endian bits of the tensor's values, in chunks. */
    private static void encode(Tensor t, ChunkSink sink) throws IOException {
        int width = bytesPer(t.dtype());
        int end = t.from() + t.count();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(8, Math.min(CHUNK_BYTES, (long) width * t.count())))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = t.from(); i < end; i++) {
            if (chunk.remaining() < width) {
                sink.accept(chunk.flip());
                chunk.clear();
            }
            if (t.values() instanceof float[] f) {
                chunk.putInt(Float.floatToRawIntBits(f[i]));
            } else if (t.values() instanceof double[] d) {
                chunk.putLong(Double.doubleToRawLongBits(d[i]));
            } else {
                chunk.putLong(((long[]) t.values())[i]);
            }
        }
        if (chunk.position() > 0) {
            sink.accept(chunk.flip());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Reading

    /** One tensor entry as the header states it; {@code at} is the file offset of its name. */
    record Entry(String name, String dtype, long[] shape, long begin, long end, long at) {
        /** The number of values, {@code ∏shape} (the offsets span exactly that, once checked). */
        long count() {
            return (end - begin) / bytesPer(dtype);
        }
    }

    /** A file's metadata and tensors, in header order, read and checked against its size and checksum. */
    record Contents(Map<String, String> metadata, Map<String, Entry> entries, Map<String, Object> values) {
    }

    /** Checks the metadata of a file before its tensors are judged. */
    @FunctionalInterface
    interface MetadataCheck {
        void check(Map<String, String> metadata) throws ModelFileException;
    }

    /** Reads any file of this layout; see {@link #read(Path, Kind, MetadataCheck)}. */
    static Contents read(Path path, MetadataCheck checkMetadata) throws IOException {
        return read(path, Kind.ANY, checkMetadata);
    }

    /**
     * Reads the whole file into one array per tensor. {@code checkMetadata} runs before the
     * tensors are judged, so that a file of another format or a newer version is refused with
     * its own message.
     */
    static Contents read(Path path, Kind kind, MetadataCheck checkMetadata) throws IOException {
        try (Reader in = Reader.open(path, kind)) {
            Map<String, String> metadata = in.metadata();
            checkMetadata.check(metadata);
            List<Entry> entries = in.entries();
            List<Entry> stored = in.storageOrder(entries);
            for (Entry e : entries) {
                if (e.count() > MAX_ARRAY) {
                    throw in.problem("shape " + Arrays.toString(e.shape()) + " holds " + e.count() + " values; at most "
                            + MAX_ARRAY + " fit in one array", e.at(), e.name() + ".shape");
                }
            }
            String sha = in.expectedSha256(metadata);
            Map<String, Entry> byName = new LinkedHashMap<>();
            Map<String, Object> values = new LinkedHashMap<>();
            for (Entry e : entries) {
                int n = (int) e.count();
                byName.put(e.name(), e);
                values.put(e.name(), e.dtype().equals("F32") ? new float[n] : e.dtype().equals("F64") ? new double[n]
                        : new long[n]);
            }
            in.readData(stored, sha, e -> new Slot(values.get(e.name()), 0));
            return new Contents(metadata, byName, values);
        }
    }

    /** Where one tensor's values go: {@code array[offset, offset + count)}. */
    record Slot(Object array, int offset) {
    }

    /** Chooses the {@link Slot} of each tensor. */
    @FunctionalInterface
    interface Slots {
        Slot of(Entry e);
    }

    /**
     * An open file whose header length has been checked against the file's size and whose
     * header bytes are read. Its steps, in the order a reader calls them: {@link #metadata},
     * {@link #entries}, {@link #storageOrder}, {@link #expectedSha256}, {@link #readData}.
     */
    static final class Reader implements Closeable {
        private final Path path;
        private final Kind kind;
        private final FileChannel in;
        private final long fileSize;
        private final long dataStart;
        private final byte[] header;

        /** Opens {@code path} and reads its header's bytes. */
        static Reader open(Path path, Kind kind) throws IOException {
            Objects.requireNonNull(path, "path");
            if (Files.isDirectory(path)) {
                throw new ModelFileException(path, "is a folder, not a " + kind.noun());
            }
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                throw new ModelFileException(path, "is not a regular file");
            }
            FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
            try {
                return new Reader(path, kind, in);
            } catch (Throwable e) {
                try {
                    in.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }

        private Reader(Path path, Kind kind, FileChannel in) throws IOException {
            this.path = path;
            this.kind = kind;
            this.in = in;
            fileSize = in.size();
            String what = "a " + kind.noun() + " starts with the 8-byte little-endian length of its JSON header";
            if (fileSize == 0) {
                throw problem("the file is empty; " + what, -1, null);
            }
            if (fileSize < 8) {
                throw problem("the file is only " + fileSize + " bytes, too short to be a " + kind.noun() + "; " + what,
                        -1, null);
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(prefix, 0);
            long length = prefix.flip().getLong();
            if (Long.compareUnsigned(length, MAX_HEADER_BYTES) > 0) {
                throw problem("header length " + Long.toUnsignedString(length) + " is more than the limit of "
                        + MAX_HEADER_BYTES + " bytes; this is not a Gradus " + kind.noun() + " (" + what + ")", 0, null);
            }
            if (length < 2) {
                throw problem("header length " + length + " is too short for a JSON object", 0, null);
            }
            if (length > fileSize - 8) {
                throw problem("the file is truncated (or not a " + kind.noun() + "): its header length says the header"
                        + " ends at byte " + (8 + length) + ", but the file is only " + fileSize + " bytes", 0, null);
            }
            dataStart = 8 + length;
            header = new byte[(int) length];
            readFully(ByteBuffer.wrap(header), 8);
            if (header[0] != '{') {
                throw problem("the header does not start with '{'; this is not a safetensors " + kind.noun(), 8, null);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        Path path() {
            return path;
        }

        ModelFileException problem(String problem, long at, String field) {
            return new ModelFileException(path, problem, at, field);
        }

        private long fileOffset(JsonLocation location) {
            long offset = location.getByteOffset();
            return offset < 0 ? -1 : 8 + offset;
        }

        private ModelFileException badJson(IOException e) {
            if (e instanceof JsonProcessingException j) {
                long at = j.getLocation() == null ? -1 : fileOffset(j.getLocation());
                return new ModelFileException(path, "the header is not valid JSON: " + j.getOriginalMessage(), at,
                        null, e);
            }
            // e.g. CharConversionException: bytes that look like UTF-16/32 but are not valid text
            return new ModelFileException(path, "the header is not valid JSON: " + e.getMessage(), -1, null, e);
        }

        /**
         * The {@code __metadata__} object, in key order; also checks that the whole header is
         * well-formed JSON (the tensor entries are skipped, and judged by {@link #entries}).
         */
        Map<String, String> metadata() throws IOException {
            Map<String, String> metadata = null;
            try (JsonParser p = JSON.createParser(header)) {
                p.nextToken();   // '{', checked on opening
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (!name.equals(METADATA)) {
                        p.skipChildren();
                        continue;
                    }
                    if (value != JsonToken.START_OBJECT) {
                        throw problem("must be a JSON object of strings", fileOffset(p.currentTokenLocation()),
                                METADATA);
                    }
                    metadata = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String key = p.currentName();
                        if (p.nextToken() != JsonToken.VALUE_STRING) {
                            throw problem("must be a string (safetensors metadata holds strings only), got "
                                    + describe(p.currentToken()), fileOffset(p.currentTokenLocation()),
                                    METADATA + "." + key);
                        }
                        metadata.put(key, p.getText());
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw problem("unexpected " + describe(t) + " in the header object",
                            fileOffset(p.currentTokenLocation()), null);
                }
                JsonToken after = p.nextToken();
                if (after != null) {
                    throw problem("unexpected " + describe(after) + " after the header's JSON object",
                            fileOffset(p.currentTokenLocation()), null);
                }
            } catch (ModelFileException e) {
                throw e;
            } catch (IOException e) {
                throw badJson(e);
            }
            if (metadata == null) {
                throw problem("the header has no __metadata__; this is a safetensors file but not a Gradus "
                        + kind.noun(), 8, null);
            }
            return metadata;
        }

        /**
         * Every top-level entry other than {@code __metadata__}, in header order, each checked on
         * its own: one of the kind's dtypes, dimensions of 1 to 2³¹−1, and data_offsets spanning
         * exactly {@code bytes(dtype)·∏shape} bytes.
         */
        List<Entry> entries() throws IOException {
            List<Entry> entries = new ArrayList<>();
            try (JsonParser p = JSON.createParser(header)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    long at = fileOffset(p.currentTokenLocation());
                    if (name.equals(METADATA)) {
                        p.nextToken();
                        p.skipChildren();
                    } else {
                        entries.add(entry(p, name, at));
                    }
                }
            } catch (ModelFileException e) {
                throw e;
            } catch (IOException e) {
                throw badJson(e);
            }
            for (Entry e : entries) {
                check(e);
            }
            return entries;
        }

        private Entry entry(JsonParser p, String name, long at) throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw problem("a tensor entry must be an object with dtype, shape and data_offsets, got "
                        + describe(p.currentToken()), fileOffset(p.currentTokenLocation()), name);
            }
            String dtype = null;
            long[] shape = null;
            long[] offsets = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                String field = name + "." + key;
                JsonToken value = p.nextToken();
                switch (key) {
                    case "dtype" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw problem("must be a string, got " + describe(value),
                                    fileOffset(p.currentTokenLocation()), field);
                        }
                        dtype = p.getText();
                    }
                    // Tensors have rank 1 or 2; reading stops at 3 so that a hostile array
                    // cannot make this allocate.
                    case "shape" -> shape = longs(p, field, 1, 2);
                    case "data_offsets" -> offsets = longs(p, field, 2, 2);
                    default -> throw problem("unknown field in a tensor entry (expected dtype, shape, data_offsets)",
                            fileOffset(p.currentTokenLocation()), field);
                }
            }
            String missing = dtype == null ? "dtype"
                    : shape == null ? "shape"
                    : offsets == null ? "data_offsets"
                    : null;
            if (missing != null) {
                throw problem("the tensor entry has no " + missing, at, name);
            }
            return new Entry(name, dtype, shape, offsets[0], offsets[1], at);
        }

        /** An array of {@code min..max} non-negative integers that fit in a long. */
        private long[] longs(JsonParser p, String field, int min, int max) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw problem("must be an array of integers, got " + describe(p.currentToken()),
                        fileOffset(p.currentTokenLocation()), field);
            }
            long[] values = new long[max];
            int n = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                long at = fileOffset(p.currentTokenLocation());
                if (n == max) {
                    throw problem("has more than " + max + " entries", at, field);
                }
                if (t != JsonToken.VALUE_NUMBER_INT) {
                    throw problem("must hold integers, got " + describe(t), at, field);
                }
                JsonParser.NumberType type = p.getNumberType();
                if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
                    throw problem("integer " + p.getText() + " is too large", at, field);
                }
                long v = p.getLongValue();
                if (v < 0) {
                    throw problem("must not be negative, got " + v, at, field);
                }
                values[n++] = v;
            }
            if (n < min) {
                throw problem("has " + n + " entries, needs at least " + min, fileOffset(p.currentTokenLocation()),
                        field);
            }
            return Arrays.copyOf(values, n);
        }

        private void check(Entry e) throws ModelFileException {
            String shape = Arrays.toString(e.shape());
            if (!kind.dtypes().contains(e.dtype())) {
                String allowed = String.join(", ", kind.dtypes()).replaceFirst(", ([^,]*)$", " or $1");
                throw problem("dtype is " + e.dtype() + "; Gradus " + kind.noun() + "s hold " + allowed
                        + " tensors only", e.at(), e.name() + ".dtype");
            }
            long bytes = bytesPer(e.dtype());
            for (long d : e.shape()) {
                if (d < 1 || d > Integer.MAX_VALUE) {
                    throw problem("dimension " + d + " in shape " + shape + " is outside 1.." + Integer.MAX_VALUE,
                            e.at(), e.name() + ".shape");
                }
                try {
                    bytes = Math.multiplyExact(bytes, d);
                } catch (ArithmeticException overflow) {
                    throw problem("shape " + shape + " is too large", e.at(), e.name() + ".shape");
                }
            }
            if (e.begin() > e.end()) {
                throw problem("data_offsets [" + e.begin() + ", " + e.end() + "] end before they begin", e.at(),
                        e.name() + ".data_offsets");
            }
            if (e.end() - e.begin() != bytes) {
                throw problem("data_offsets [" + e.begin() + ", " + e.end() + "] span " + (e.end() - e.begin())
                        + " bytes, but shape " + shape + " of " + e.dtype() + " needs " + bytes, e.at(),
                        e.name() + ".data_offsets");
            }
        }

        /**
         * The entries sorted by offset, checked to tile {@code [0, end)} without gap or overlap,
         * with the file exactly {@code 8 + H + end} bytes long.
         */
        List<Entry> storageOrder(List<Entry> entries) throws ModelFileException {
            List<Entry> stored = new ArrayList<>(entries);
            stored.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long expected = 0;
            Entry previous = null;
            for (Entry e : stored) {
                if (e.begin() < expected) {
                    throw problem("data bytes [" + e.begin() + ", " + e.end() + ") overlap those of "
                            + previous.name() + " [" + previous.begin() + ", " + previous.end() + ")", e.at(),
                            e.name() + ".data_offsets");
                }
                if (e.begin() > expected) {
                    throw problem("data bytes [" + expected + ", " + e.begin() + ") belong to no tensor (a gap before "
                            + e.name() + ")", e.at(), e.name() + ".data_offsets");
                }
                expected = e.end();
                previous = e;
            }
            long dataBytes = fileSize - dataStart;
            if (expected > dataBytes) {
                throw problem("the file is truncated: its header describes " + expected + " data bytes, so the file"
                        + " should be " + (dataStart + expected) + " bytes, but it is " + fileSize + " bytes", -1,
                        null);
            }
            if (expected < dataBytes) {
                throw problem("the file has " + (dataBytes - expected) + " bytes after the data section: the header"
                        + " describes a file of " + (dataStart + expected) + " bytes, but it is " + fileSize
                        + " bytes", dataStart + expected, null);
            }
            return stored;
        }

        /** The {@code data_sha256} entry of {@code metadata}, checked to be 64 hex digits. */
        String expectedSha256(Map<String, String> metadata) throws ModelFileException {
            String sha = metadata.get(KEY_DATA_SHA256);
            if (sha == null || !SHA256_HEX.matcher(sha).matches()) {
                throw problem(sha == null ? "there is no data_sha256 entry" : "data_sha256 is not 64 hex digits", -1,
                        METADATA + "." + KEY_DATA_SHA256);
            }
            return sha;
        }

        /**
         * Reads the tensors {@code stored} (in {@link #storageOrder}, so the data section is read
         * once, front to back) into their slots, then compares the data's SHA-256 with
         * {@code expectedSha}.
         */
        void readData(List<Entry> stored, String expectedSha, Slots slots) throws IOException {
            MessageDigest sha = sha256();
            for (Entry e : stored) {
                Slot slot = slots.of(e);
                int width = bytesPer(e.dtype());
                int i = slot.offset();
                long position = dataStart + e.begin();
                long remaining = e.end() - e.begin();
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, remaining))
                        .order(ByteOrder.LITTLE_ENDIAN);
                while (remaining > 0) {
                    chunk.clear().limit((int) Math.min(chunk.capacity() / width * width, remaining));
                    readFully(chunk, position);
                    chunk.flip();
                    sha.update(chunk.duplicate());
                    while (chunk.hasRemaining()) {
                        if (slot.array() instanceof float[] f) {
                            f[i++] = Float.intBitsToFloat(chunk.getInt());
                        } else if (slot.array() instanceof double[] d) {
                            d[i++] = Double.longBitsToDouble(chunk.getLong());
                        } else {
                            ((long[]) slot.array())[i++] = chunk.getLong();
                        }
                    }
                    position += chunk.limit();
                    remaining -= chunk.limit();
                }
            }
            String actualSha = HexFormat.of().formatHex(sha.digest());
            if (!actualSha.equalsIgnoreCase(expectedSha)) {
                throw problem("data checksum mismatch (file is corrupted): the data section's SHA-256 is " + actualSha
                        + ", the header says " + expectedSha, dataStart, METADATA + "." + KEY_DATA_SHA256);
            }
        }

        private void readFully(ByteBuffer buffer, long position) throws IOException {
            long at = position;
            while (buffer.hasRemaining()) {
                int n = in.read(buffer, at);
                if (n < 0) {
                    throw problem("the file ended at byte " + at + " while " + buffer.remaining()
                            + " more bytes were expected (was it changed while being read?)", at, null);
                }
                at += n;
            }
        }
    }

    /** A JSON token in words, for messages ("an array", "the end of the text"). */
    static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the text";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }
}

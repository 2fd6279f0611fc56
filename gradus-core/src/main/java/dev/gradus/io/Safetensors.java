package dev.gradus.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.gradus.internal.AtomicFiles;
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
 * <p>Every Gradus file of this layout names its {@code format} and {@code format_version} in its
 * metadata; {@link Reader#open} checks them (one check, {@link MetadataCodec#formatVersion})
 * right after the JSON, so that a file of another kind or a newer version is refused with its
 * own message before its tensors are judged by this version's rules. What a file holds beyond
 * that (tensor names and shapes, its metadata schema) is checked by its own reader between
 * {@link Reader#open} and reading the data.
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

    /** A tensor's element type, as the header spells it, and its width in bytes. */
    enum DType {
        F32(4), F64(8), I64(8);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** The values of one tensor, typed by their dtype. */
    sealed interface Values permits Values.F32, Values.F64, Values.I64 {
        DType dtype();

        int length();

        /** float32 values. */
        record F32(float[] array) implements Values {
            public DType dtype() {
                return DType.F32;
            }

            public int length() {
                return array.length;
            }
        }

        /** float64 values. */
        record F64(double[] array) implements Values {
            public DType dtype() {
                return DType.F64;
            }

            public int length() {
                return array.length;
            }
        }

        /** int64 values. */
        record I64(long[] array) implements Values {
            public DType dtype() {
                return DType.I64;
            }

            public int length() {
                return array.length;
            }
        }

        /** {@code n} zeros of {@code dtype}. */
        static Values zeros(DType dtype, int n) {
            return switch (dtype) {
                case F32 -> new F32(new float[n]);
                case F64 -> new F64(new double[n]);
                case I64 -> new I64(new long[n]);
            };
        }
    }

    /**
     * One kind of file in this layout: the value of its {@code format} entry ({@code null}:
     * any file of the layout, unchecked, as tests use to edit files), its name in messages
     * ("model": "too short to be a model file") and the dtypes its tensors may have.
     */
    record Kind(String format, String name, List<DType> dtypes) {
        /** Any file of this layout (tests use it to edit files). */
        static final Kind ANY = new Kind(null, "safetensors", List.of(DType.values()));

        String noun() {
            return name + " file";
        }
    }

    /** The {@code format} of each kind of Gradus file, so that one kind's reader can name another's. */
    private static final Map<String, String> GRADUS_FORMATS =
            Map.of("gradus", "model file", "gradus-checkpoint", "checkpoint file");

    // ------------------------------------------------------------------------------------------
    // Writing

    /**
     * A tensor to write: {@code values[from, from + ∏shape)}, so that a slice of a flat
     * parameter array is written without a copy.
     */
    record Tensor(String name, Values values, int from, long[] shape) {
        Tensor {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (from < 0 || from + count > values.length()) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds "
                        + count + " values from index " + from + ", the array has " + values.length());
            }
        }

        /** The whole array with the given shape. */
        Tensor(String name, Values values, long[] shape) {
            this(name, values, 0, shape);
            if (count() != values.length()) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds "
                        + count() + " values, the array has " + values.length());
            }
        }

        /** A rank-1 tensor of the whole array. */
        static Tensor of(String name, Values values) {
            return new Tensor(name, values, new long[] {values.length()});
        }

        static Tensor of(String name, float[] values) {
            return of(name, new Values.F32(values));
        }

        static Tensor of(String name, double[] values) {
            return of(name, new Values.F64(values));
        }

        static Tensor of(String name, long[] values) {
            return of(name, new Values.I64(values));
        }

        /** The number of values, {@code ∏shape}. */
        int count() {
            return (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }
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
                long end = begin + (long) t.values().dtype().bytes * t.count();
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.values().dtype().name());
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
        int width = t.values().dtype().bytes;
        int end = t.from() + t.count();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(8, Math.min(CHUNK_BYTES, (long) width * t.count())))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = t.from(); i < end; i++) {
            if (chunk.remaining() < width) {
                sink.accept(chunk.flip());
                chunk.clear();
            }
            if (t.values() instanceof Values.F32 f) {
                chunk.putInt(Float.floatToRawIntBits(f.array()[i]));
            } else if (t.values() instanceof Values.F64 d) {
                chunk.putLong(Double.doubleToRawLongBits(d.array()[i]));
            } else {
                chunk.putLong(((Values.I64) t.values()).array()[i]);
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
    record Entry(String name, DType dtype, long[] shape, long begin, long end, long at) {
        /** The number of values, {@code ∏shape} (the offsets span exactly that, once checked). */
        long count() {
            return (end - begin) / dtype.bytes;
        }
    }

    /**
     * A whole file, read and checked: its metadata, its format version ({@code null} for
     * {@link Kind#ANY}), its tensor entries and their typed values, both in header order.
     */
    record Contents(Map<String, String> metadata, ModelMetadata.FileVersion version, Map<String, Entry> entries,
                    Map<String, Values> values) {
    }

    /** Reads the whole file into one array per tensor. */
    static Contents read(Path path, Kind kind) throws IOException {
        try (Reader in = Reader.open(path, kind)) {
            Map<String, Entry> byName = new LinkedHashMap<>();
            for (Entry e : in.entries()) {
                byName.put(e.name(), e);
            }
            return new Contents(in.metadata(), in.version, byName, in.readAll());
        }
    }

    /** Where one tensor's values go: {@code array[offset, offset + count)}, of the tensor's dtype. */
    record Slot(Values array, int offset) {
    }

    /** Chooses the {@link Slot} of each tensor. */
    @FunctionalInterface
    interface Slots {
        Slot of(Entry e) throws ModelFileException;
    }

    /**
     * An open file whose whole header is checked: {@link #open} reads the header, then checks,
     * in this order, the JSON, the format and its version (before any tensor is judged), each
     * tensor entry, the file kind's own {@link EntriesCheck}, that the entries tile the data
     * section and match the file's size, and that the checksum entry is well-formed. Only then are {@link #metadata} and {@link #entries}
     * available; the data is read once, by {@link #readInto} or {@link #readAll}, and its
     * SHA-256 compared with the header's.
     */
    static final class Reader implements Closeable {
        private final Path path;
        private final Kind kind;
        private final FileChannel in;
        private final long fileSize;
        private final long dataStart;
        private final byte[] header;
        private Map<String, String> metadata;
        private ModelMetadata.FileVersion version;
        private List<Entry> entries;
        private List<Entry> stored;
        private String sha;
        private boolean dataRead;

        /** What a kind of file checks of its tensor entries before they are checked against the file's size. */
        @FunctionalInterface
        interface EntriesCheck {
            /** Checks {@code header}'s {@link #metadata} and {@link #entries}; the data is not readable yet. */
            void check(Reader header) throws IOException;
        }

        /** Opens {@code path} and checks its header; see {@link #open(Path, Kind, EntriesCheck)}. */
        static Reader open(Path path, Kind kind) throws IOException {
            return open(path, kind, header -> { });
        }

        /**
         * Opens {@code path} and checks its whole header, running {@code entriesCheck} (the
         * file kind's own checks of its tensor names and shapes) after each entry has been
         * checked on its own and before the entries are checked against the file's size.
         */
        static Reader open(Path path, Kind kind, EntriesCheck entriesCheck) throws IOException {
            Objects.requireNonNull(path, "path");
            if (Files.isDirectory(path)) {
                throw new ModelFileException(path, "is a folder, not a " + kind.noun());
            }
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                throw new ModelFileException(path, "is not a regular file");
            }
            FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
            try {
                Reader reader = new Reader(path, kind, in);
                reader.metadata = reader.readMetadata();
                reader.version = reader.checkFormat();
                reader.entries = List.copyOf(reader.readEntries());
                entriesCheck.check(reader);
                reader.stored = reader.storageOrder();
                reader.sha = reader.expectedSha256();
                return reader;
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

        /** The {@code __metadata__} object, in key order. */
        Map<String, String> metadata() {
            return metadata;
        }

        /** The format version and the library that wrote the file. */
        ModelMetadata.FileVersion version() {
            if (version == null) {
                throw new IllegalStateException("a file read as any safetensors file has no Gradus version");
            }
            return version;
        }

        /** Every tensor entry, in header order, each checked on its own and as a tiling of the data. */
        List<Entry> entries() {
            return entries;
        }

        /**
         * The {@code format} entry names this kind, and {@code format_version} is one this
         * library reads ({@link MetadataCodec#formatVersion}).
         */
        private ModelMetadata.FileVersion checkFormat() throws ModelFileException {
            if (kind.format() == null) {
                return null;
            }
            String format = metadata.get("format");
            if (!kind.format().equals(format)) {
                String other = format == null ? null : GRADUS_FORMATS.get(format);
                throw problem(format == null
                        ? "there is no 'format' entry; this is a safetensors file but not a Gradus " + kind.noun()
                        : "format is '" + format + "', expected '" + kind.format() + "'; this is not a Gradus "
                        + kind.noun() + (other == null ? "" : " (this is a " + other + ", not a " + kind.noun() + ")"),
                        -1, METADATA + ".format");
            }
            try {
                int v = MetadataCodec.formatVersion(metadata.get("format_version"), kind.name(),
                        METADATA + ".format_version");
                String by = metadata.get("gradus_version");
                return new ModelMetadata.FileVersion(v, by == null ? "unknown" : by);
            } catch (MetadataException e) {
                throw problem(e);
            }
        }

        /** The file's exception for a metadata entry that does not fit the schema. */
        ModelFileException problem(MetadataException e) {
            String field = e.field().startsWith(METADATA) ? e.field() : METADATA + "." + e.field();
            return new ModelFileException(path, e.problem(), -1, field, e);
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
        private Map<String, String> readMetadata() throws IOException {
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
        private List<Entry> readEntries() throws IOException {
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
            DType type = null;
            for (DType d : kind.dtypes()) {
                if (d.name().equals(dtype)) {
                    type = d;
                }
            }
            if (type == null) {
                String allowed = String.join(", ", kind.dtypes().stream().map(DType::name).toList())
                        .replaceFirst(", ([^,]*)$", " or $1");
                throw problem("dtype is " + dtype + "; Gradus " + kind.noun() + "s hold " + allowed
                        + " tensors only", at, name + ".dtype");
            }
            return new Entry(name, type, shape, offsets[0], offsets[1], at);
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
            long bytes = e.dtype().bytes;
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
        private List<Entry> storageOrder() throws ModelFileException {
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

        /** The {@code data_sha256} entry of the metadata, checked to be 64 hex digits. */
        private String expectedSha256() throws ModelFileException {
            String sha = metadata.get(KEY_DATA_SHA256);
            if (sha == null || !SHA256_HEX.matcher(sha).matches()) {
                throw problem(sha == null ? "there is no data_sha256 entry" : "data_sha256 is not 64 hex digits", -1,
                        METADATA + "." + KEY_DATA_SHA256);
            }
            return sha;
        }

        /**
         * Reads every tensor into one array of its dtype, after checking that each fits in one
         * array; see {@link #readInto}.
         */
        Map<String, Values> readAll() throws IOException {
            for (Entry e : entries) {
                if (e.count() > MAX_ARRAY) {
                    throw problem("shape " + Arrays.toString(e.shape()) + " holds " + e.count() + " values; at most "
                            + MAX_ARRAY + " fit in one array", e.at(), e.name() + ".shape");
                }
            }
            Map<String, Values> values = new LinkedHashMap<>();
            for (Entry e : entries) {
                values.put(e.name(), Values.zeros(e.dtype(), (int) e.count()));
            }
            readInto(e -> new Slot(values.get(e.name()), 0));
            return values;
        }

        /**
         * Reads each tensor into its slot, front to back through the data section (once), then
         * compares the data's SHA-256 with the header's {@code data_sha256}.
         *
         * @throws IllegalStateException if the data has been read already
         */
        void readInto(Slots slots) throws IOException {
            if (dataRead) {
                throw new IllegalStateException("the data section of " + path + " has been read already");
            }
            dataRead = true;
            MessageDigest digest = sha256();
            for (Entry e : stored) {
                Slot slot = slots.of(e);
                if (slot.array().dtype() != e.dtype() || slot.offset() < 0
                        || slot.offset() + e.count() > slot.array().length()) {
                    throw new IllegalArgumentException("tensor " + e.name() + " (" + e.dtype() + ", " + e.count()
                            + " values) does not fit its slot: " + slot.array().dtype() + " of " + slot.array().length()
                            + " from " + slot.offset());
                }
                int width = e.dtype().bytes;
                int i = slot.offset();
                long position = dataStart + e.begin();
                long remaining = e.end() - e.begin();
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, remaining))
                        .order(ByteOrder.LITTLE_ENDIAN);
                while (remaining > 0) {
                    chunk.clear().limit((int) Math.min(chunk.capacity() / width * width, remaining));
                    readFully(chunk, position);
                    chunk.flip();
                    digest.update(chunk.duplicate());
                    if (slot.array() instanceof Values.F32 f) {
                        int n = chunk.remaining() / 4;
                        chunk.asFloatBuffer().get(f.array(), i, n);
                        i += n;
                    } else if (slot.array() instanceof Values.F64 d) {
                        int n = chunk.remaining() / 8;
                        chunk.asDoubleBuffer().get(d.array(), i, n);
                        i += n;
                    } else {
                        int n = chunk.remaining() / 8;
                        chunk.asLongBuffer().get(((Values.I64) slot.array()).array(), i, n);
                        i += n;
                    }
                    position += chunk.limit();
                    remaining -= chunk.limit();
                }
            }
            String actualSha = HexFormat.of().formatHex(digest.digest());
            if (!actualSha.equalsIgnoreCase(sha)) {
                throw problem("data checksum mismatch (file is corrupted): the data section's SHA-256 is " + actualSha
                        + ", the header says " + sha, dataStart, METADATA + "." + KEY_DATA_SHA256);
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

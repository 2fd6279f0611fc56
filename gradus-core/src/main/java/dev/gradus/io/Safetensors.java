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
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A generic reader and writer of the safetensors layout for the files that hold more than a
 * model (checkpoints): tensors of dtype {@code F32}, {@code F64} or {@code I64} and rank 1 or
 * 2, string metadata, and the {@code data_sha256} of the data section. The same layout,
 * limits and checks as {@link ModelFile}: the header is checked against the file's size before
 * any tensor is allocated, the tensors must tile the data section exactly, and every problem is
 * a {@link ModelFileException} naming the file, byte offset and field.
 */
final class Safetensors {
    private Safetensors() {
    }

    static final String METADATA = "__metadata__";
    static final String KEY_DATA_SHA256 = "data_sha256";
    private static final int CHUNK_BYTES = 1 << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    /** A tensor to write: {@code float[]}, {@code double[]} or {@code long[]} with its shape. */
    record Tensor(String name, Object values, long[] shape) {
        Tensor {
            long count = 1;
            for (long d : shape) {
                count *= d;
            }
            if (count != length(values)) {
                throw new IllegalArgumentException("tensor " + name + ": shape " + Arrays.toString(shape) + " holds "
                        + count + " values, the array has " + length(values));
            }
        }

        /** A rank-1 tensor of the whole array. */
        static Tensor of(String name, Object values) {
            return new Tensor(name, values, new long[] {length(values)});
        }

        String dtype() {
            return values instanceof float[] ? "F32" : values instanceof double[] ? "F64" : "I64";
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

    private static int bytesPer(String dtype) {
        return dtype.equals("F32") ? 4 : 8;
    }

    // ------------------------------------------------------------------------------------------
    // Writing

    /**
     * Writes {@code tensors} in the given order and {@code metadata} (plus {@code data_sha256},
     * computed here) atomically to {@code path}.
     */
    static void write(Path path, Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        MessageDigest sha = sha256();
        for (Tensor t : tensors) {
            encode(t.values(), sha::update);
        }
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put(KEY_DATA_SHA256, HexFormat.of().formatHex(sha.digest()));
        byte[] header = header(all, tensors);
        AtomicFiles.write(path, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Tensor t : tensors) {
                encode(t.values(), chunk -> write(out, chunk));
            }
        });
    }

    private static void write(OutputStream out, ByteBuffer chunk) throws IOException {
        out.write(chunk.array(), chunk.position(), chunk.remaining());
    }

    private static byte[] header(Map<String, String> metadata, List<Tensor> tensors) {
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
                long end = begin + (long) bytesPer(t.dtype()) * length(t.values());
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
        if (bytes.size() > ModelFile.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the metadata makes the header " + bytes.size()
                    + " bytes; a header holds at most " + ModelFile.MAX_HEADER_BYTES + " bytes");
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Feeds the raw little-endian bits of {@code values}, in chunks. */
    private static void encode(Object values, ChunkSink sink) throws IOException {
        int n = length(values);
        int width = values instanceof float[] ? 4 : 8;
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(8, Math.min(CHUNK_BYTES, (long) width * n)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (chunk.remaining() < width) {
                sink.accept(chunk.flip());
                chunk.clear();
            }
            if (values instanceof float[] f) {
                chunk.putInt(Float.floatToRawIntBits(f[i]));
            } else if (values instanceof double[] d) {
                chunk.putLong(Double.doubleToRawLongBits(d[i]));
            } else {
                chunk.putLong(((long[]) values)[i]);
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
        /** The number of values, {@code ∏shape} (checked to fit an array). */
        int count() {
            return (int) ((end - begin) / bytesPer(dtype));
        }
    }

    /** A file's metadata and tensors, read and checked against its size and checksum. */
    record Contents(Map<String, String> metadata, Map<String, Entry> entries, Map<String, Object> values) {
    }

    /**
     * Reads the whole file: the header is validated first (JSON, dtypes, shapes, offsets tiling
     * the data section, the file's size), then the data is read once and its SHA-256 compared
     * with {@code data_sha256}. {@code checkMetadata} runs after the metadata is parsed and
     * before the tensors are judged, so that a file of another format or a newer version is
     * refused with its own message.
     */
    static Contents read(Path path, MetadataCheck checkMetadata) throws IOException {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new ModelFileException(path, "is a folder, not a file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new ModelFileException(path, "is not a regular file");
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            return new Reader(path, in).read(checkMetadata);
        }
    }

    /** Checks the metadata of a file before its tensors are read. */
    @FunctionalInterface
    interface MetadataCheck {
        void check(Map<String, String> metadata) throws ModelFileException;
    }

    private static final class Reader {
        private final Path path;
        private final FileChannel in;
        private long fileSize;
        private long dataStart;

        Reader(Path path, FileChannel in) {
            this.path = path;
            this.in = in;
        }

        private ModelFileException problem(String problem, long at, String field) {
            return new ModelFileException(path, problem, at, field);
        }

        Contents read(MetadataCheck checkMetadata) throws IOException {
            byte[] header = readHeader();
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = parse(header, metadata);
            checkMetadata.check(metadata);
            for (Entry e : entries) {
                checkEntry(e);
            }
            List<Entry> stored = checkCoverage(entries);
            String expectedSha = metadata.get(KEY_DATA_SHA256);
            if (expectedSha == null || !expectedSha.matches("[0-9a-fA-F]{64}")) {
                throw problem(expectedSha == null ? "there is no data_sha256 entry" : "data_sha256 is not 64 hex digits",
                        -1, METADATA + "." + KEY_DATA_SHA256);
            }
            // Everything is consistent with the file's size: allocate and read.
            Map<String, Object> values = new LinkedHashMap<>();
            MessageDigest sha = sha256();
            for (Entry e : stored) {
                values.put(e.name(), readValues(e, sha));
            }
            String actualSha = HexFormat.of().formatHex(sha.digest());
            if (!actualSha.equalsIgnoreCase(expectedSha)) {
                throw problem("data checksum mismatch (file is corrupted): the data section's SHA-256 is " + actualSha
                        + ", the header says " + expectedSha, dataStart, METADATA + "." + KEY_DATA_SHA256);
            }
            Map<String, Entry> byName = new LinkedHashMap<>();
            Map<String, Object> inHeaderOrder = new LinkedHashMap<>();
            for (Entry e : entries) {
                byName.put(e.name(), e);
                inHeaderOrder.put(e.name(), values.get(e.name()));
            }
            return new Contents(metadata, byName, inHeaderOrder);
        }

        private byte[] readHeader() throws IOException {
            fileSize = in.size();
            String what = "the file should start with the 8-byte little-endian length of its JSON header";
            if (fileSize < 8) {
                throw problem(fileSize == 0 ? "the file is empty; " + what
                        : "the file is only " + fileSize + " bytes, too short; " + what, -1, null);
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(prefix, 0);
            long length = prefix.flip().getLong();
            if (Long.compareUnsigned(length, ModelFile.MAX_HEADER_BYTES) > 0) {
                throw problem("header length " + Long.toUnsignedString(length) + " is more than the limit of "
                        + ModelFile.MAX_HEADER_BYTES + " bytes (" + what + ")", 0, null);
            }
            if (length < 2) {
                throw problem("header length " + length + " is too short for a JSON object", 0, null);
            }
            if (length > fileSize - 8) {
                throw problem("the file is truncated: its header length says the header ends at byte " + (8 + length)
                        + ", but the file is only " + fileSize + " bytes", 0, null);
            }
            byte[] header = new byte[(int) length];
            readFully(ByteBuffer.wrap(header), 8);
            dataStart = 8 + length;
            return header;
        }

        private long fileOffset(JsonLocation location) {
            long b = location.getByteOffset();
            return b < 0 ? -1 : 8 + b;
        }

        /** The metadata (into {@code metadata}) and the tensor entries, in header order. */
        private List<Entry> parse(byte[] header, Map<String, String> metadata) throws IOException {
            List<Entry> entries = new ArrayList<>();
            boolean sawMetadata = false;
            try (JsonParser p = JSON.createParser(header)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw problem("the header must be a JSON object", 8, null);
                }
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    long at = fileOffset(p.currentTokenLocation());
                    JsonToken value = p.nextToken();
                    if (value != JsonToken.START_OBJECT) {
                        throw problem("must be a JSON object", fileOffset(p.currentTokenLocation()), name);
                    }
                    if (name.equals(METADATA)) {
                        sawMetadata = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_STRING) {
                                throw problem("must be a string (safetensors metadata holds strings only)",
                                        fileOffset(p.currentTokenLocation()), METADATA + "." + key);
                            }
                            metadata.put(key, p.getText());
                        }
                    } else {
                        entries.add(entry(p, name, at));
                    }
                }
                if (t != JsonToken.END_OBJECT) {
                    throw problem("unexpected token " + t + " in the header object", fileOffset(p.currentTokenLocation()),
                            null);
                }
                if (p.nextToken() != null) {
                    throw problem("unexpected text after the header's JSON object", fileOffset(p.currentTokenLocation()),
                            null);
                }
            } catch (ModelFileException e) {
                throw e;
            } catch (JsonProcessingException e) {
                throw new ModelFileException(path, "the header is not valid JSON: " + e.getOriginalMessage(),
                        e.getLocation() == null ? -1 : fileOffset(e.getLocation()), null, e);
            } catch (IOException e) {
                // e.g. CharConversionException: bytes that look like UTF-16/32 but are not valid text
                throw new ModelFileException(path, "the header is not valid JSON text: " + e.getMessage(), 8, null, e);
            }
            if (!sawMetadata) {
                throw problem("the header has no __metadata__; this is a safetensors file but not a Gradus file", 8,
                        null);
            }
            return entries;
        }

        private Entry entry(JsonParser p, String name, long at) throws IOException {
            String dtype = null;
            long[] shape = null;
            long[] offsets = null;
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                String field = name + "." + key;
                seen.add(key);
                JsonToken value = p.nextToken();
                switch (key) {
                    case "dtype" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw problem("must be a string", fileOffset(p.currentTokenLocation()), field);
                        }
                        dtype = p.getText();
                    }
                    case "shape" -> shape = longs(p, field, 1, 2);
                    case "data_offsets" -> offsets = longs(p, field, 2, 2);
                    default -> throw problem("unknown field in a tensor entry (expected dtype, shape, data_offsets)",
                            fileOffset(p.currentTokenLocation()), field);
                }
            }
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
            if (missing != null) {
                throw problem("the tensor entry has no " + missing, at, name);
            }
            return new Entry(name, dtype, shape, offsets[0], offsets[1], at);
        }

        /** An array of {@code min..max} non-negative integers that fit in a long. */
        private long[] longs(JsonParser p, String field, int min, int max) throws IOException {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw problem("must be an array of integers", fileOffset(p.currentTokenLocation()), field);
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
                    throw problem("must hold integers", at, field);
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

        /** A known dtype, dimensions of at least 1, and offsets spanning exactly the shape's bytes. */
        private void checkEntry(Entry e) throws ModelFileException {
            if (!e.dtype().equals("F32") && !e.dtype().equals("F64") && !e.dtype().equals("I64")) {
                throw problem("dtype is " + e.dtype() + "; expected F32, F64 or I64", e.at(), e.name() + ".dtype");
            }
            long count = 1;
            for (long d : e.shape()) {
                if (d < 1 || d > Integer.MAX_VALUE) {
                    throw problem("dimension " + d + " in shape " + Arrays.toString(e.shape()) + " is outside 1.."
                            + Integer.MAX_VALUE, e.at(), e.name() + ".shape");
                }
                count *= d;   // two factors below 2³¹: no overflow
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw problem("shape " + Arrays.toString(e.shape()) + " holds " + count + " values; at most "
                        + (Integer.MAX_VALUE - 8) + " fit in one array", e.at(), e.name() + ".shape");
            }
            if (e.begin() > e.end() || e.end() - e.begin() != count * bytesPer(e.dtype())) {
                throw problem("data_offsets [" + e.begin() + ", " + e.end() + "] must span " + count * bytesPer(e.dtype())
                        + " bytes for shape " + Arrays.toString(e.shape()) + " of " + e.dtype(), e.at(),
                        e.name() + ".data_offsets");
            }
        }

        /** The entries, by offset, tile {@code [0, end)} exactly and the file is {@code 8 + H + end} bytes. */
        private List<Entry> checkCoverage(List<Entry> entries) throws ModelFileException {
            List<Entry> stored = new ArrayList<>(entries);
            stored.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long expected = 0;
            Entry previous = null;
            for (Entry e : stored) {
                if (e.begin() < expected) {
                    throw problem("data bytes [" + e.begin() + ", " + e.end() + ") overlap those of " + previous.name(),
                            e.at(), e.name() + ".data_offsets");
                }
                if (e.begin() > expected) {
                    throw problem("data bytes [" + expected + ", " + e.begin() + ") belong to no tensor", e.at(),
                            e.name() + ".data_offsets");
                }
                expected = e.end();
                previous = e;
            }
            long dataBytes = fileSize - dataStart;
            if (expected > dataBytes) {
                throw problem("the file is truncated: its header describes " + expected + " data bytes, so the file"
                        + " should be " + (dataStart + expected) + " bytes, but it is " + fileSize + " bytes", -1, null);
            }
            if (expected < dataBytes) {
                throw problem("the file has " + (dataBytes - expected) + " bytes after the data section", dataStart
                        + expected, null);
            }
            return stored;
        }

        private Object readValues(Entry e, MessageDigest sha) throws IOException {
            int n = e.count();
            Object values = e.dtype().equals("F32") ? new float[n] : e.dtype().equals("F64") ? new double[n]
                    : new long[n];
            int width = bytesPer(e.dtype());
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(8, e.end() - e.begin())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long position = dataStart + e.begin();
            long remaining = e.end() - e.begin();
            int i = 0;
            while (remaining > 0) {
                chunk.clear().limit((int) Math.min(chunk.capacity() / width * width, remaining));
                readFully(chunk, position);
                chunk.flip();
                sha.update(chunk.duplicate());
                while (chunk.hasRemaining()) {
                    if (values instanceof float[] f) {
                        f[i++] = Float.intBitsToFloat(chunk.getInt());
                    } else if (values instanceof double[] d) {
                        d[i++] = Double.longBitsToDouble(chunk.getLong());
                    } else {
                        ((long[]) values)[i++] = chunk.getLong();
                    }
                }
                position += chunk.limit();
                remaining -= chunk.limit();
            }
            return values;
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
}

package dev.gradus.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Parameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gradus model file: a standard <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * file holding a {@link Network}'s weights and biases, its activations and whatever the caller
 * needs to predict (loss, scaling, class labels, …) as string metadata.
 *
 * <p>Layout (all integers little-endian):
 * <pre>
 * bytes [0, 8)          H, the header length, unsigned 64-bit
 * bytes [8, 8+H)        UTF-8 JSON object, padded with spaces to a multiple of 8:
 *                         "__metadata__": { string: string, … },
 *                         "layers.{m}.weight": {"dtype":"F32","shape":[out,in],"data_offsets":[begin,end]},
 *                         "layers.{m}.bias":   {"dtype":"F32","shape":[out],   "data_offsets":[begin,end]}
 * bytes [8+H, end)      the data section: raw float32 values, W⁰, b⁰, W¹, b¹, …, Wⁿ, bⁿ,
 *                       each Wᵐ row-major [out, in]; data_offsets are relative to 8+H
 * </pre>
 *
 * <p>{@code ModelFile} owns these metadata keys ({@link #RESERVED_KEYS}): {@code format}
 * ({@code "gradus"}), {@code format_version} ({@code "1"}), {@code gradus_version} (the
 * library that wrote the file), {@code activations} (JSON array text of
 * each layer's {@link Activation} as its {@code toString()}, e.g. {@code ["relu","leaky_relu(0.01)","identity"]})
 * and {@code data_sha256} (lower-case hex SHA-256 of the data section, checked on load).
 * Every other key is the caller's and is stored exactly as given.
 *
 * <p>Loading validates every size and offset in the header against the file's size before
 * allocating anything, so a truncated, corrupted or hostile file fails with a
 * {@link ModelFileException} naming the file, the byte offset and the field, and never makes
 * the JVM allocate more than the file's size justifies.
 *
 * <pre>{@code
 * ModelFile.write(Path.of("xor.safetensors"), network, Map.of("loss", "mse"));
 * ModelFile.Stored stored = ModelFile.read(Path.of("xor.safetensors"));
 * Network same = stored.network();                 // bit-identical parameters
 * String loss = stored.metadata().get("loss");     // "mse"
 * }</pre>
 */
public final class ModelFile {

    /** The format version this library writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    /** The value of the {@code format} metadata key. */
    public static final String FORMAT = "gradus";

    /** The largest JSON header accepted, in bytes (16 MiB), on writing and on reading. */
    public static final long MAX_HEADER_BYTES = 16L << 20;

    static final String KEY_FORMAT = "format";
    static final String KEY_FORMAT_VERSION = "format_version";
    static final String KEY_GRADUS_VERSION = "gradus_version";
    static final String KEY_ACTIVATIONS = "activations";
    static final String KEY_DATA_SHA256 = "data_sha256";

    /** The metadata keys written and read by {@code ModelFile} itself; callers may not use them. */
    public static final Set<String> RESERVED_KEYS =
            Set.of(KEY_FORMAT, KEY_FORMAT_VERSION, KEY_GRADUS_VERSION, KEY_ACTIVATIONS, KEY_DATA_SHA256);

    private static final String METADATA = "__metadata__";
    private static final String DTYPE_F32 = "F32";
    private static final int FLOAT_BYTES = 4;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final Pattern TENSOR_NAME = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.(weight|bias)");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,9}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    // Duplicate keys are an error (a later entry must not silently win). Field names are not
    // interned into the JVM's string pool. (Canonicalisation stays on: without it Jackson reads
    // bytes through a Reader, losing byte offsets and replacing invalid UTF-8 silently.)
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private ModelFile() {
    }

    /**
     * A loaded model: the network and the caller's metadata.
     *
     * @param network the network, with parameters bit-identical to those written
     * @param metadata the caller's metadata as written, in key order; the
     *     {@linkplain #RESERVED_KEYS reserved keys} are not included, so
     *     {@code write(path, stored.network(), stored.metadata())} writes the model again
     */
    public record Stored(Network network, Map<String, String> metadata) {
        public Stored {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(metadata, "metadata");
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /** Called between writing the temporary file and renaming it over the target (tests inject failures). */
    @FunctionalInterface
    interface BeforeRename {
        void run(Path temporary) throws IOException;
    }

    // ------------------------------------------------------------------------------------------
    // Writing

    /**
     * Writes {@code network} and {@code metadata} to {@code path}, atomically: the bytes go to a
     * temporary file in the same folder, which is flushed, synced to disk and then renamed over
     * {@code path}. If anything fails, {@code path} keeps its previous content (or stays absent)
     * and the temporary file is removed.
     *
     * <p>Equal networks and metadata give byte-identical files (the caller's keys are written in
     * sorted order), apart from {@code gradus_version}.
     *
     * @param path the model file to create or replace
     * @param network the network; its parameters are written bit for bit
     * @param metadata the caller's string metadata (often JSON text), stored as given
     * @throws IllegalArgumentException if a metadata key is one of {@link #RESERVED_KEYS}, a key
     *     or value is not valid Unicode (an unpaired surrogate), or the header would exceed
     *     {@link #MAX_HEADER_BYTES}
     * @throws IOException if the file cannot be written; {@code path} is then unchanged
     */
    public static void write(Path path, Network network, Map<String, String> metadata) throws IOException {
        write(path, network, metadata, temporary -> { });
    }

    static void write(Path path, Network network, Map<String, String> metadata, BeforeRename beforeRename)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(metadata, "metadata");
        byte[] header = header(network, allMetadata(network, metadata));

        Path target = path.toAbsolutePath();
        Path folder = target.getParent();
        Path temporary = AtomicFiles.createTemporary(folder, target.getFileName().toString());
        try {
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
                writeFully(out, length.flip());
                writeFully(out, ByteBuffer.wrap(header));
                encodeData(network.parameters(), chunk -> writeFully(out, chunk));
                out.force(true);
            }
            beforeRename.run(temporary);
            // On POSIX a rename within one folder replaces the target atomically.
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        AtomicFiles.syncFolder(folder);
    }

    /** The reserved keys followed by the caller's keys in sorted order. */
    private static Map<String, String> allMetadata(Network network, Map<String, String> metadata) {
        Map<String, String> caller = new TreeMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "metadata key");
            String value = Objects.requireNonNull(e.getValue(), () -> "metadata value of '" + key + "'");
            if (RESERVED_KEYS.contains(key)) {
                throw new IllegalArgumentException("metadata key '" + key + "' is reserved by the model file; "
                        + "reserved keys are " + new TreeSet<>(RESERVED_KEYS));
            }
            checkUnicode("metadata key", key, key);
            checkUnicode("metadata value of '" + key + "'", value, key);
            caller.put(key, value);
        }
        Map<String, String> all = new LinkedHashMap<>();
        all.put(KEY_FORMAT, FORMAT);
        all.put(KEY_FORMAT_VERSION, Integer.toString(FORMAT_VERSION));
        all.put(KEY_GRADUS_VERSION, gradusVersion());
        all.put(KEY_ACTIVATIONS, activationsJson(network));
        all.put(KEY_DATA_SHA256, dataSha256(network.parameters()));
        all.putAll(caller);
        return all;
    }

    private static void checkUnicode(String what, String text, String key) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " has an unpaired surrogate at index " + i
                        + " and cannot be written as UTF-8 (key '" + key + "')");
            }
        }
    }

    /** {@code ["φ⁰","φ¹",…]}, checking that each activation's text parses back to it. */
    private static String activationsJson(Network network) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartArray();
            for (int m = 0; m < network.layerCount(); m++) {
                Activation phi = network.layer(m).activation();
                String name = phi.toString();
                Activation back;
                try {
                    back = Activation.parse(name);
                } catch (IllegalArgumentException e) {
                    back = null;
                }
                if (!phi.equals(back)) {
                    throw new IllegalArgumentException("layer " + m + ": activation " + name
                            + " cannot be stored, its text does not parse back to the same activation");
                }
                g.writeString(name);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string failed", e);
        }
        return text.toString();
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(Network network, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName(METADATA);
            g.writeStartObject();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            // Tensors in storage order W⁰, b⁰, W¹, b¹, …, contiguous from offset 0.
            long begin = 0;
            for (Parameters.View v : network.parameters().views()) {
                long end = begin + (long) FLOAT_BYTES * v.size();
                g.writeFieldName(v.name());
                g.writeStartObject();
                g.writeStringField("dtype", DTYPE_F32);
                g.writeArrayFieldStart("shape");
                g.writeNumber(v.rows());
                if (v.name().endsWith(".weight")) {
                    g.writeNumber(v.cols());
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
            throw new IllegalArgumentException("the metadata makes the header " + bytes.size()
                    + " bytes; a model file header holds at most " + MAX_HEADER_BYTES + " bytes");
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** Feeds the data section, W⁰, b⁰, …, Wⁿ, bⁿ as raw little-endian float32 bits, in chunks. */
    private static void encodeData(Parameters parameters, ChunkSink sink) throws IOException {
        float[] theta = parameters.values();
        long total = (long) FLOAT_BYTES * theta.length;
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.max(FLOAT_BYTES, Math.min(CHUNK_BYTES, total)))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (Parameters.View v : parameters.views()) {
            for (int i = v.offset(); i < v.offset() + v.size(); i++) {
                if (!chunk.hasRemaining()) {
                    sink.accept(chunk.flip());
                    chunk.clear();
                }
                chunk.putInt(Float.floatToRawIntBits(theta[i]));
            }
        }
        if (chunk.position() > 0) {
            sink.accept(chunk.flip());
        }
    }

    private static String dataSha256(Parameters parameters) {
        MessageDigest sha = sha256();
        try {
            encodeData(parameters, sha::update);
        } catch (IOException e) {
            throw new IllegalStateException("hashing in memory failed", e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /**
     * The version of this library, written into every model file; from the build
     * ({@code "unknown"} when run outside a Maven build).
     */
    public static String gradusVersion() {
        try (InputStream in = ModelFile.class.getResourceAsStream("gradus-version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isEmpty() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the library's own version resource", e);
        }
        return "unknown";
    }

    // ------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads a model file written by {@link #write} (format version {@value #FORMAT_VERSION} or
     * older).
     *
     * <p>Before allocating room for the parameters, every tensor's dtype, shape and offsets are
     * checked against each other, against the layer chain and against the file's size; then the
     * data section is read once and its SHA-256 compared with {@code data_sha256}. Tensors may
     * appear in any order in the header and the data section (the writer uses W⁰, b⁰, W¹, …),
     * but must cover the data section exactly.
     *
     * @return the network and the caller's metadata (without {@link #RESERVED_KEYS})
     * @throws ModelFileException if the file is not a valid Gradus model file: truncated,
     *     corrupted (checksum), malformed, inconsistent, or of a newer format version
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException if the file cannot be read
     */
    public static Stored read(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new ModelFileException(path, "is a folder, not a model file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new ModelFileException(path, "is not a regular file");
        }
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            return new Reader(path, in).read();
        }
    }

    /** One tensor entry as the header states it; {@code at} is the file offset of its name. */
    private record Tensor(String name, String dtype, long[] shape, long begin, long end, long at) {
    }

    private static final class Reader {
        private final Path path;
        private final FileChannel in;
        private long fileSize;
        private long headerLength;
        private long dataStart;

        Reader(Path path, FileChannel in) {
            this.path = path;
            this.in = in;
        }

        private ModelFileException problem(String problem, long at, String field) {
            return new ModelFileException(path, problem, at, field);
        }

        Stored read() throws IOException {
            byte[] header = readHeader();

            // Pass 1: the metadata (and JSON well-formedness), so that a newer format version is
            // refused with its own message before its tensors are judged by this version's rules.
            Map<String, String> metadata = parseMetadata(header);
            checkFormat(metadata);

            // Pass 2: the tensors, each checked on its own, then as a chain of layers.
            List<Tensor> tensors = parseTensors(header);
            for (Tensor t : tensors) {
                checkTensor(t);
            }
            Tensor[][] layers = checkNames(tensors);
            Tensor[] w = layers[0];
            Tensor[] b = layers[1];
            checkShapes(w, b);
            List<Tensor> stored = checkCoverage(tensors);
            List<Activation> activations = parseActivations(metadata.get(KEY_ACTIVATIONS), w.length);
            String expectedSha = metadata.get(KEY_DATA_SHA256);
            if (expectedSha == null || !SHA256_HEX.matcher(expectedSha).matches()) {
                throw problem(expectedSha == null ? "there is no data_sha256 entry"
                        : "data_sha256 is not 64 hex digits", -1, METADATA + "." + KEY_DATA_SHA256);
            }

            // Everything is consistent with the file size: allocate and read.
            List<Dense> dense = new ArrayList<>();
            for (int m = 0; m < w.length; m++) {
                dense.add(new Dense((int) w[m].shape()[1], (int) w[m].shape()[0], activations.get(m)));
            }
            Parameters parameters = Network.zeroParameters(dense);
            String actualSha = readData(stored, parameters);
            if (!actualSha.equalsIgnoreCase(expectedSha)) {
                throw problem("data checksum mismatch (file is corrupted): the data section's SHA-256 is "
                        + actualSha + ", the header says " + expectedSha, dataStart, METADATA + "." + KEY_DATA_SHA256);
            }

            Map<String, String> caller = new LinkedHashMap<>(metadata);
            caller.keySet().removeAll(RESERVED_KEYS);
            return new Stored(Network.of(dense, parameters), caller);
        }

        /** Checks the 8-byte length against the file and reads the header's bytes. */
        private byte[] readHeader() throws IOException {
            fileSize = in.size();
            String what = "a model file starts with the 8-byte little-endian length of its JSON header";
            if (fileSize == 0) {
                throw problem("the file is empty; " + what, -1, null);
            }
            if (fileSize < 8) {
                throw problem("the file is only " + fileSize + " bytes, too short to be a model file; " + what, -1,
                        null);
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(prefix, 0);
            headerLength = prefix.flip().getLong();
            String length = Long.toUnsignedString(headerLength);
            if (Long.compareUnsigned(headerLength, MAX_HEADER_BYTES) > 0) {
                throw problem("header length " + length + " is more than the limit of " + MAX_HEADER_BYTES
                        + " bytes; this is not a Gradus model file (" + what + ")", 0, null);
            }
            if (headerLength < 2) {
                throw problem("header length " + length + " is too short for a JSON object", 0, null);
            }
            if (headerLength > fileSize - 8) {
                throw problem("the file is truncated (or not a model file): its header length says the header ends"
                        + " at byte " + (8 + headerLength) + ", but the file is only " + fileSize + " bytes", 0,
                        null);
            }
            dataStart = 8 + headerLength;
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(header, 8);
            byte[] bytes = header.array();
            if (bytes[0] != '{') {
                throw problem("the header does not start with '{'; this is not a safetensors model file", 8, null);
            }
            return bytes;
        }

        private JsonParser parser(byte[] header) throws IOException {
            return JSON.createParser(header);
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
            return new ModelFileException(path, "the header is not valid JSON: " + e.getMessage(), -1, null, e);
        }

        /** The {@code __metadata__} object; also checks that the whole header is well-formed JSON. */
        private Map<String, String> parseMetadata(byte[] header) throws IOException {
            Map<String, String> metadata = null;
            try (JsonParser p = parser(header)) {
                p.nextToken();   // '{', checked by readHeader
                JsonToken t;
                while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (!name.equals(METADATA)) {
                        p.skipChildren();   // a tensor entry, read in pass 2
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
                throw problem("the header has no __metadata__; this is a safetensors file but not a Gradus model",
                        8, null);
            }
            return metadata;
        }

        private void checkFormat(Map<String, String> metadata) throws ModelFileException {
            String format = metadata.get(KEY_FORMAT);
            if (!FORMAT.equals(format)) {
                throw problem(format == null
                        ? "there is no 'format' entry; this is a safetensors file but not a Gradus model"
                        : "format is '" + format + "', expected '" + FORMAT + "'; this is not a Gradus model",
                        -1, METADATA + "." + KEY_FORMAT);
            }
            String version = metadata.get(KEY_FORMAT_VERSION);
            String field = METADATA + "." + KEY_FORMAT_VERSION;
            if (version == null) {
                throw problem("there is no format_version entry", -1, field);
            }
            if (!DECIMAL.matcher(version).matches()) {
                if (version.matches("[0-9]+")) {
                    throw newer(version);
                }
                throw problem("format_version '" + version + "' is not a whole number", -1, field);
            }
            int v = Integer.parseInt(version);
            if (v > FORMAT_VERSION) {
                throw newer(version);
            }
            if (v < 1) {
                throw problem("format_version " + v + " does not exist; versions start at 1", -1, field);
            }
        }

        private ModelFileException newer(String version) {
            return problem("the file has model format version " + version + ", newer than this Gradus ("
                    + gradusVersion() + ") supports: it reads format version " + FORMAT_VERSION
                    + " and older; use a newer Gradus to load it", -1, METADATA + "." + KEY_FORMAT_VERSION);
        }

        /** Every top-level entry other than {@code __metadata__}, as stated. */
        private List<Tensor> parseTensors(byte[] header) throws IOException {
            List<Tensor> tensors = new ArrayList<>();
            try (JsonParser p = parser(header)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    long at = fileOffset(p.currentTokenLocation());
                    if (name.equals(METADATA)) {
                        p.nextToken();
                        p.skipChildren();
                    } else {
                        tensors.add(parseTensor(p, name, at));
                    }
                }
            } catch (ModelFileException e) {
                throw e;
            } catch (IOException e) {
                throw badJson(e);
            }
            return tensors;
        }

        private Tensor parseTensor(JsonParser p, String name, long at) throws IOException {
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
                    // Gradus tensors have rank 1 or 2; reading stops at 3 so that a hostile
                    // array cannot make this allocate.
                    case "shape" -> shape = readLongs(p, field, 1, 2);
                    case "data_offsets" -> offsets = readLongs(p, field, 2, 2);
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
            return new Tensor(name, dtype, shape, offsets[0], offsets[1], at);
        }

        /** An array of {@code min..max} non-negative integers that fit in a long. */
        private long[] readLongs(JsonParser p, String field, int min, int max) throws IOException {
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

        /** dtype F32, positive dimensions, and data_offsets spanning exactly 4·∏shape bytes. */
        private void checkTensor(Tensor t) throws ModelFileException {
            if (!DTYPE_F32.equals(t.dtype())) {
                throw problem("dtype is " + t.dtype() + "; Gradus model files hold F32 tensors only", t.at(),
                        t.name() + ".dtype");
            }
            long bytes = FLOAT_BYTES;
            for (long d : t.shape()) {
                if (d < 1 || d > Integer.MAX_VALUE) {
                    throw problem("dimension " + d + " in shape " + shape(t) + " is outside 1.." + Integer.MAX_VALUE,
                            t.at(), t.name() + ".shape");
                }
                try {
                    bytes = Math.multiplyExact(bytes, d);
                } catch (ArithmeticException e) {
                    throw problem("shape " + shape(t) + " is too large", t.at(), t.name() + ".shape");
                }
            }
            if (t.begin() > t.end()) {
                throw problem("data_offsets [" + t.begin() + ", " + t.end() + "] end before they begin", t.at(),
                        t.name() + ".data_offsets");
            }
            if (t.end() - t.begin() != bytes) {
                throw problem("data_offsets [" + t.begin() + ", " + t.end() + "] span " + (t.end() - t.begin())
                        + " bytes, but shape " + shape(t) + " of F32 needs " + bytes, t.at(),
                        t.name() + ".data_offsets");
            }
        }

        /** Exactly {@code layers.m.weight} and {@code layers.m.bias} for {@code m = 0..n}; returns {W, b}. */
        private Tensor[][] checkNames(List<Tensor> tensors) throws ModelFileException {
            int weights = 0;
            for (Tensor t : tensors) {
                if (!TENSOR_NAME.matcher(t.name()).matches()) {
                    throw problem("unexpected tensor '" + t.name()
                            + "'; a Gradus model holds only layers.{m}.weight and layers.{m}.bias", t.at(), t.name());
                }
                if (t.name().endsWith(".weight")) {
                    weights++;
                }
            }
            if (weights == 0) {
                throw problem("the file holds no weight tensor (layers.0.weight); a network has at least one layer",
                        -1, null);
            }
            Tensor[] w = new Tensor[weights];
            Tensor[] b = new Tensor[weights];
            for (Tensor t : tensors) {
                Matcher match = TENSOR_NAME.matcher(t.name());
                match.matches();
                int m = Integer.parseInt(match.group(1));
                boolean weight = match.group(2).equals("weight");
                if (m >= weights) {
                    // With `weights` distinct weight indices, one below `weights` must be missing.
                    if (weight) {
                        continue;
                    }
                    throw problem("unexpected tensor '" + t.name() + "': there is no layers." + m + ".weight",
                            t.at(), t.name());
                }
                (weight ? w : b)[m] = t;
            }
            for (int m = 0; m < weights; m++) {
                if (w[m] == null) {
                    throw problem("missing tensor layers." + m + ".weight", -1, null);
                }
                if (b[m] == null) {
                    throw problem("missing tensor layers." + m + ".bias (layers." + m + ".weight is present)", -1,
                            null);
                }
            }
            return new Tensor[][] {w, b};
        }

        /** Wᵐ is [out, in], bᵐ is [out], and Wᵐ⁺¹ reads what Wᵐ writes. */
        private void checkShapes(Tensor[] w, Tensor[] b) throws ModelFileException {
            for (int m = 0; m < w.length; m++) {
                if (w[m].shape().length != 2) {
                    throw problem("shape " + shape(w[m]) + " must be [outputs, inputs]", w[m].at(),
                            w[m].name() + ".shape");
                }
                if (b[m].shape().length != 1 || b[m].shape()[0] != w[m].shape()[0]) {
                    throw problem("shape " + shape(b[m]) + " must be [" + w[m].shape()[0] + "]: layers." + m
                            + ".weight has shape " + shape(w[m]), b[m].at(), b[m].name() + ".shape");
                }
                if (m > 0 && w[m].shape()[1] != w[m - 1].shape()[0]) {
                    throw problem("shape " + shape(w[m]) + " reads " + w[m].shape()[1] + " inputs, but layers."
                            + (m - 1) + ".weight has shape " + shape(w[m - 1]) + " and writes " + w[m - 1].shape()[0],
                            w[m].at(), w[m].name() + ".shape");
                }
            }
        }

        /**
         * The tensors, sorted by offset, tile {@code [0, end)} without gap or overlap, and the
         * file is exactly {@code 8 + H + end} bytes. Returns them in storage order.
         */
        private List<Tensor> checkCoverage(List<Tensor> tensors) throws ModelFileException {
            List<Tensor> stored = new ArrayList<>(tensors);
            stored.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
            long expected = 0;
            Tensor previous = null;
            for (Tensor t : stored) {
                if (t.begin() < expected) {
                    throw problem("data bytes [" + t.begin() + ", " + t.end() + ") overlap those of "
                            + previous.name() + " [" + previous.begin() + ", " + previous.end() + ")", t.at(),
                            t.name() + ".data_offsets");
                }
                if (t.begin() > expected) {
                    throw problem("data bytes [" + expected + ", " + t.begin() + ") belong to no tensor (a gap before "
                            + t.name() + ")", t.at(), t.name() + ".data_offsets");
                }
                expected = t.end();
                previous = t;
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
            if (expected / FLOAT_BYTES > Integer.MAX_VALUE - 8) {
                throw problem("the network has " + expected / FLOAT_BYTES + " parameters; at most "
                        + (Integer.MAX_VALUE - 8) + " fit in one array", -1, null);
            }
            return stored;
        }

        /** {@code ["relu", …]}, one per layer, each accepted by {@link Activation#parse}. */
        private List<Activation> parseActivations(String text, int layers) throws IOException {
            String field = METADATA + "." + KEY_ACTIVATIONS;
            if (text == null) {
                throw problem("there is no activations entry", -1, field);
            }
            List<Activation> activations = new ArrayList<>();
            try (JsonParser p = JSON.createParser(text)) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    throw problem("must be a JSON array of activation names, got " + describe(p.currentToken()),
                            -1, field);
                }
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.VALUE_STRING) {
                        throw problem("must be a JSON array of activation names, got " + describe(t)
                                + " at character " + p.currentTokenLocation().getCharOffset(), -1, field);
                    }
                    if (activations.size() == layers) {
                        throw problem("lists more activations than the " + layers + " layers", -1, field);
                    }
                    try {
                        activations.add(Activation.parse(p.getText()));
                    } catch (IllegalArgumentException e) {
                        throw new ModelFileException(path, "layer " + activations.size() + ": " + e.getMessage(), -1,
                                field, e);
                    }
                }
                if (p.nextToken() != null) {
                    throw problem("has text after the JSON array", -1, field);
                }
            } catch (ModelFileException e) {
                throw e;
            } catch (JsonProcessingException e) {
                throw new ModelFileException(path, "is not valid JSON: " + e.getOriginalMessage()
                        + (e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset()), -1,
                        field, e);
            }
            if (activations.size() != layers) {
                throw problem("lists " + activations.size() + " activations for " + layers + " layers", -1, field);
            }
            return activations;
        }

        /** Reads every tensor into its place in {@code parameters}; returns the hex SHA-256 of the data section. */
        private String readData(List<Tensor> stored, Parameters parameters) throws IOException {
            MessageDigest sha = sha256();
            float[] theta = parameters.values();
            Map<String, Parameters.View> views = new LinkedHashMap<>();
            for (Parameters.View v : parameters.views()) {
                views.put(v.name(), v);
            }
            long total = stored.get(stored.size() - 1).end();
            ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, total)).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : stored) {
                int to = views.get(t.name()).offset();
                long position = dataStart + t.begin();
                long remaining = t.end() - t.begin();
                while (remaining > 0) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), remaining));
                    readFully(chunk, position);
                    chunk.flip();
                    sha.update(chunk.duplicate());
                    while (chunk.hasRemaining()) {
                        theta[to++] = Float.intBitsToFloat(chunk.getInt());
                    }
                    position += chunk.limit();
                    remaining -= chunk.limit();
                }
            }
            return HexFormat.of().formatHex(sha.digest());
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

        private static String shape(Tensor t) {
            return Arrays.toString(t.shape());
        }

        private static String describe(JsonToken t) {
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
}

package dev.gradus.io;

import dev.gradus.data.Preprocessing;
import dev.gradus.internal.AtomicFiles;
import dev.gradus.io.Safetensors.Entry;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    /**
     * The newest format version this library reads. Version 2 added column transformations
     * (date features, an "other" input of rare categories, ignored unseen categories) that a
     * version-1 reader would misread; a file that uses none of them is still written as version
     * {@link #BASE_FORMAT_VERSION}, so older readers keep reading it. Version 3 added a stored
     * decision threshold ({@link ModelMetadata#decision()}), which changes the labels a model
     * predicts; only files that store one are version 3.
     */
    public static final int FORMAT_VERSION = 3;

    /** The version of a file that uses nothing newer. */
    public static final int BASE_FORMAT_VERSION = 1;

    /** The value of the {@code format} metadata key. */
    public static final String FORMAT = "gradus";

    /** The largest JSON header accepted, in bytes (16 MiB), on writing and on reading. */
    public static final long MAX_HEADER_BYTES = Safetensors.MAX_HEADER_BYTES;

    static final String KEY_FORMAT = "format";
    static final String KEY_FORMAT_VERSION = "format_version";
    static final String KEY_GRADUS_VERSION = "gradus_version";
    static final String KEY_ACTIVATIONS = "activations";
    static final String KEY_DATA_SHA256 = Safetensors.KEY_DATA_SHA256;

    /** The metadata keys written and read by {@code ModelFile} itself; callers may not use them. */
    public static final Set<String> RESERVED_KEYS =
            Set.of(KEY_FORMAT, KEY_FORMAT_VERSION, KEY_GRADUS_VERSION, KEY_ACTIVATIONS, KEY_DATA_SHA256);

    private static final Safetensors.Kind KIND =
            new Safetensors.Kind(FORMAT, "model", List.of(Safetensors.DType.F32));
    private static final String METADATA = Safetensors.METADATA;
    private static final Pattern TENSOR_NAME = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.(weight|bias)");

    private ModelFile() {
    }

    /**
     * A loaded model: the network and the caller's metadata.
     *
     * @param network the network, with parameters bit-identical to those written
     * @param metadata the caller's metadata as written, in key order; the
     *     {@linkplain #RESERVED_KEYS reserved keys} are not included, so
     *     {@code write(path, stored.network(), stored.metadata())} writes the model again
     * @param version the file's format version and the library that wrote it
     */
    public record Stored(Network network, Map<String, String> metadata, ModelMetadata.FileVersion version) {
        public Stored {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(metadata, "metadata");
            Objects.requireNonNull(version, "version");
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * A loaded model: the network and its {@linkplain ModelMetadata typed metadata}.
     *
     * @param network the network, with parameters bit-identical to those written
     * @param metadata loss, preprocessing, training record and the file's version stamp
     */
    public record Loaded(Network network, ModelMetadata metadata) {
        public Loaded {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(metadata, "metadata");
        }
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
        write(path, network, metadata, BASE_FORMAT_VERSION);
    }

    /**
     * As {@link #write(Path, Network, Map)}, marking the file with {@code formatVersion}: the
     * oldest version whose readers understand everything in {@code metadata}.
     */
    public static void write(Path path, Network network, Map<String, String> metadata, int formatVersion)
            throws IOException {
        write(path, network, metadata, formatVersion, AtomicFiles.BeforeRename.NONE);
    }

    /**
     * Writes {@code network} with its typed {@code metadata} ({@link MetadataCodec#encode}),
     * atomically, as {@link #write(Path, Network, Map)} does; the file is stamped with the
     * oldest format version that reads everything in it ({@link ModelMetadata#formatVersion()}),
     * whatever {@code metadata.version()} says.
     */
    public static void write(Path path, Network network, ModelMetadata metadata) throws IOException {
        Objects.requireNonNull(metadata, "metadata");
        write(path, network, MetadataCodec.encode(metadata), metadata.formatVersion());
    }

    static void write(Path path, Network network, Map<String, String> metadata,
                      AtomicFiles.BeforeRename beforeRename) throws IOException {
        write(path, network, metadata, BASE_FORMAT_VERSION, beforeRename);
    }

    static void write(Path path, Network network, Map<String, String> metadata, int formatVersion,
                      AtomicFiles.BeforeRename beforeRename) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(metadata, "metadata");
        if (formatVersion < BASE_FORMAT_VERSION || formatVersion > FORMAT_VERSION) {
            throw new IllegalArgumentException("format version " + formatVersion + " is outside "
                    + BASE_FORMAT_VERSION + ".." + FORMAT_VERSION);
        }
        Safetensors.write(path, KIND, allMetadata(network, metadata, formatVersion), layerTensors(network),
                beforeRename);
    }

    /** The reserved keys followed by the caller's keys in sorted order. */
    private static Map<String, String> allMetadata(Network network, Map<String, String> metadata, int formatVersion) {
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
        all.put(KEY_FORMAT_VERSION, Integer.toString(formatVersion));
        all.put(KEY_GRADUS_VERSION, gradusVersion());
        all.put(KEY_ACTIVATIONS, MetadataCodec.activations(activations(network)));
        all.put(KEY_DATA_SHA256, "");   // its place; Safetensors.write computes the value
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

    static List<Activation> activations(Network network) {
        return network.layers().stream().map(Dense::activation).toList();
    }

    /**
     * W⁰ [out, in], b⁰ [out], W¹, b¹, …, Wⁿ, bⁿ as F32 tensors: slices of the network's flat
     * parameter array, in storage order.
     */
    static List<Safetensors.Tensor> layerTensors(Network network) {
        Parameters p = network.parameters();
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        for (Parameters.View v : p.views()) {
            long[] shape = v.name().endsWith(".weight") ? new long[] {v.rows(), v.cols()} : new long[] {v.rows()};
            tensors.add(new Safetensors.Tensor(v.name(), new Safetensors.Values.F32(p.values()), v.offset(), shape));
        }
        return tensors;
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
        // The tensors as a chain of layers, checked before their offsets are checked against the file.
        Entry[][][] layers = new Entry[1][][];
        Safetensors.Reader.EntriesCheck chain = header -> {
            layers[0] = checkNames(header, header.entries());
            checkShapes(header, layers[0][0], layers[0][1]);
        };
        try (Safetensors.Reader in = Safetensors.Reader.open(path, KIND, chain)) {
            List<Entry> entries = in.entries();
            Entry[] w = layers[0][0];
            long parameters = 0;
            for (Entry e : entries) {
                parameters += e.count();
            }
            if (parameters > Integer.MAX_VALUE - 8) {
                throw in.problem("the network has " + parameters + " parameters; at most "
                        + (Integer.MAX_VALUE - 8) + " fit in one array", -1, null);
            }
            List<Activation> activations;
            try {
                activations = MetadataCodec.activations(in.metadata().get(KEY_ACTIVATIONS), KEY_ACTIVATIONS, w.length);
            } catch (MetadataException e) {
                throw in.problem(e);
            }

            // Everything is consistent with the file size: allocate θ and read each tensor into its view.
            List<Dense> dense = new ArrayList<>();
            for (int m = 0; m < w.length; m++) {
                dense.add(new Dense((int) w[m].shape()[1], (int) w[m].shape()[0], activations.get(m)));
            }
            Parameters theta = Network.zeroParameters(dense);
            Safetensors.Values.F32 values = new Safetensors.Values.F32(theta.values());
            Map<String, Integer> offsets = new LinkedHashMap<>();
            for (Parameters.View v : theta.views()) {
                offsets.put(v.name(), v.offset());
            }
            in.readInto(e -> new Safetensors.Slot(values, offsets.get(e.name())));

            Map<String, String> caller = new LinkedHashMap<>(in.metadata());
            caller.keySet().removeAll(RESERVED_KEYS);
            return new Stored(Network.of(dense, theta), caller, in.version());
        }
    }

    /**
     * Reads a model file with its {@linkplain ModelMetadata typed metadata}: {@link #read},
     * then {@link MetadataCodec#decode} of its entries.
     *
     * @throws ModelFileException as {@link #read} does, and naming the metadata field
     *     ({@code __metadata__.preprocessing.features[0].name}) that does not fit the schema
     */
    public static Loaded readModel(Path path) throws IOException {
        Stored stored = read(path);
        try {
            return new Loaded(stored.network(), MetadataCodec.decode(stored.metadata(), stored.version()));
        } catch (MetadataException e) {
            throw new ModelFileException(path, e.problem(), -1, METADATA + "." + e.field(), e);
        }
    }

    /** Exactly {@code layers.m.weight} and {@code layers.m.bias} for {@code m = 0..n}; returns {W, b}. */
    private static Entry[][] checkNames(Safetensors.Reader in, List<Entry> entries) throws ModelFileException {
        int weights = 0;
        for (Entry t : entries) {
            if (!TENSOR_NAME.matcher(t.name()).matches()) {
                throw in.problem("unexpected tensor '" + t.name()
                        + "'; a Gradus model holds only layers.{m}.weight and layers.{m}.bias", t.at(), t.name());
            }
            if (t.name().endsWith(".weight")) {
                weights++;
            }
        }
        if (weights == 0) {
            throw in.problem("the file holds no weight tensor (layers.0.weight); a network has at least one layer",
                    -1, null);
        }
        Entry[] w = new Entry[weights];
        Entry[] b = new Entry[weights];
        for (Entry t : entries) {
            Matcher match = TENSOR_NAME.matcher(t.name());
            match.matches();
            int m = Integer.parseInt(match.group(1));
            boolean weight = match.group(2).equals("weight");
            if (m >= weights) {
                // With `weights` distinct weight indices, one below `weights` must be missing.
                if (weight) {
                    continue;
                }
                throw in.problem("unexpected tensor '" + t.name() + "': there is no layers." + m + ".weight",
                        t.at(), t.name());
            }
            (weight ? w : b)[m] = t;
        }
        for (int m = 0; m < weights; m++) {
            if (w[m] == null) {
                throw in.problem("missing tensor layers." + m + ".weight", -1, null);
            }
            if (b[m] == null) {
                throw in.problem("missing tensor layers." + m + ".bias (layers." + m + ".weight is present)", -1,
                        null);
            }
        }
        return new Entry[][] {w, b};
    }

    /** Wᵐ is [out, in], bᵐ is [out], and Wᵐ⁺¹ reads what Wᵐ writes. */
    private static void checkShapes(Safetensors.Reader in, Entry[] w, Entry[] b) throws ModelFileException {
        for (int m = 0; m < w.length; m++) {
            if (w[m].shape().length != 2) {
                throw in.problem("shape " + shape(w[m]) + " must be [outputs, inputs]", w[m].at(),
                        w[m].name() + ".shape");
            }
            if (b[m].shape().length != 1 || b[m].shape()[0] != w[m].shape()[0]) {
                throw in.problem("shape " + shape(b[m]) + " must be [" + w[m].shape()[0] + "]: layers." + m
                        + ".weight has shape " + shape(w[m]), b[m].at(), b[m].name() + ".shape");
            }
            if (m > 0 && w[m].shape()[1] != w[m - 1].shape()[0]) {
                throw in.problem("shape " + shape(w[m]) + " reads " + w[m].shape()[1] + " inputs, but layers."
                        + (m - 1) + ".weight has shape " + shape(w[m - 1]) + " and writes " + w[m - 1].shape()[0],
                        w[m].at(), w[m].name() + ".shape");
            }
        }
    }

    private static String shape(Entry t) {
        return Arrays.toString(t.shape());
    }
}

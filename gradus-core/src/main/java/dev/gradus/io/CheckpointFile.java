package dev.gradus.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Parameters;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.EpochStats;
import dev.gradus.train.History;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoint file: one {@link Checkpoint} in the safetensors layout of the
 * {@linkplain ModelFile model file}, written atomically and durably, and validated on reading
 * as strictly as a model file (sizes and offsets against the file's size before allocating,
 * the SHA-256 of the data section, every field), so a resumed run never starts from a damaged
 * or foreign state.
 *
 * <p>Tensors (all rank 1 but the weights):
 * <pre>
 * layers.{m}.weight, layers.{m}.bias   F32   the network after the epoch, as in a model file
 * last_good                            F32   [P]  θ before the last step
 * best                                 F32   [P]  the best epoch's θ, where the run keeps it
 * optimizer.{name}                     F32 / F64 / I64   the optimizer's {@link Optimizer.Snapshot}
 * </pre>
 * Metadata ({@link #RESERVED_KEYS}): {@code format} ({@code "gradus-checkpoint"}),
 * {@code format_version} ({@code "1"}), {@code gradus_version}, {@code activations} (as in a
 * model file), {@code data_sha256} and {@code checkpoint}: JSON text with the {@code settings}
 * object, {@code best_epoch}, {@code best_value}, {@code since_best}, {@code stopped_early} and
 * the {@code history} array of epochs ({@code epoch}, {@code loss}, {@code steps},
 * {@code seconds}, {@code learning_rate}, {@code validation_loss}, {@code metrics}), every
 * floating-point number written as a string by {@link Double#toString(double)} so that it
 * reads back exactly (NaN included). Other keys are the caller's, stored as given (the command
 * line keeps the model's preprocessing there).
 *
 * <pre>{@code
 * CheckpointFile.write(Path.of("run/latest.gradus-ckpt"), checkpoint, Map.of());
 * Checkpoint back = CheckpointFile.read(Path.of("run/latest.gradus-ckpt")).checkpoint();
 * }</pre>
 */
public final class CheckpointFile {

    /** The value of the {@code format} metadata key. */
    public static final String FORMAT = "gradus-checkpoint";

    /** The format version this library writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;

    /** The metadata keys of the file itself; callers may not use them. */
    public static final Set<String> RESERVED_KEYS = Set.of("format", "format_version", "gradus_version", "activations",
            Safetensors.KEY_DATA_SHA256, "checkpoint");

    private static final String OPTIMIZER_PREFIX = "optimizer.";
    private static final Pattern LAYER_TENSOR = Pattern.compile("layers\\.(0|[1-9][0-9]{0,8})\\.(weight|bias)");
    private static final int MAX_JSON_DEPTH = 4;
    private static final Safetensors.Kind KIND = new Safetensors.Kind("checkpoint file", List.of("F32", "F64", "I64"));

    private CheckpointFile() {
    }

    /**
     * A loaded checkpoint and the caller's metadata.
     *
     * @param checkpoint the checkpoint, bit-identical to the one written
     * @param metadata the caller's metadata, without {@link #RESERVED_KEYS}
     */
    public record Stored(Checkpoint checkpoint, Map<String, String> metadata) {
        public Stored {
            Objects.requireNonNull(checkpoint, "checkpoint");
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * Writes {@code checkpoint} and the caller's {@code metadata} to {@code path} atomically: a
     * temporary file in the same folder, synced, renamed over {@code path}, the folder synced.
     * A crash at any moment leaves the previous file whole.
     *
     * @throws IllegalArgumentException for a reserved metadata key, or a header over
     *     {@link ModelFile#MAX_HEADER_BYTES} (a history of about 100,000 epochs)
     * @throws IOException if the file cannot be written; {@code path} is then unchanged
     */
    public static void write(Path path, Checkpoint checkpoint, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("format", FORMAT);
        all.put("format_version", Integer.toString(FORMAT_VERSION));
        all.put("gradus_version", ModelFile.gradusVersion());
        Network network = checkpoint.network();
        all.put("activations", ModelFile.activationsJson(network));
        all.put("checkpoint", checkpointJson(checkpoint));
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            if (RESERVED_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is reserved by the checkpoint "
                        + "file; reserved keys are " + new TreeSet<>(RESERVED_KEYS));
            }
            all.put(e.getKey(), Objects.requireNonNull(e.getValue(), "metadata value"));
        }
        List<Safetensors.Tensor> tensors = new ArrayList<>(ModelFile.layerTensors(network));
        tensors.add(Safetensors.Tensor.of("last_good", checkpoint.lastGood()));
        checkpoint.best().ifPresent(b -> tensors.add(Safetensors.Tensor.of("best", b.parameters().values())));
        Optimizer.Snapshot s = checkpoint.optimizer();
        s.floats().forEach((k, v) -> tensors.add(Safetensors.Tensor.of(OPTIMIZER_PREFIX + k, v)));
        s.doubles().forEach((k, v) -> tensors.add(Safetensors.Tensor.of(OPTIMIZER_PREFIX + k, v)));
        s.longs().forEach((k, v) -> tensors.add(Safetensors.Tensor.of(OPTIMIZER_PREFIX + k, v)));
        Safetensors.write(path, KIND, all, tensors, AtomicFiles.BeforeRename.NONE);
    }

    private static String checkpointJson(Checkpoint c) throws IOException {
        return json(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("settings");
            for (Map.Entry<String, String> e : c.settings().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("best_epoch", c.history().bestEpoch());
            g.writeStringField("best_value", Double.toString(c.bestValue()));
            g.writeNumberField("since_best", c.sinceBest());
            g.writeBooleanField("stopped_early", c.history().stoppedEarly());
            g.writeArrayFieldStart("history");
            for (EpochStats e : c.history().epochs()) {
                g.writeStartObject();
                g.writeNumberField("epoch", e.epoch());
                g.writeStringField("loss", Double.toString(e.loss()));
                g.writeNumberField("steps", e.steps());
                g.writeStringField("seconds", Double.toString(e.seconds()));
                g.writeStringField("learning_rate", Double.toString(e.learningRate()));
                g.writeStringField("validation_loss", Double.toString(e.validationLoss()));
                g.writeObjectFieldStart("metrics");
                for (Map.Entry<String, Double> m : new TreeMap<>(e.validationMetrics()).entrySet()) {
                    g.writeStringField(m.getKey(), Double.toString(m.getValue()));
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    @FunctionalInterface
    private interface JsonWriting {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(JsonWriting body) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = Safetensors.JSON.createGenerator(text)) {
            body.write(g);
        }
        return text.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Reading

    /**
     * Reads a checkpoint written by {@link #write} (format version {@value #FORMAT_VERSION} or
     * older), checking the layout, the checksum, the network's layer chain, the history and that
     * the optimizer state fits the optimizer named in the settings.
     *
     * @throws ModelFileException naming the file, byte offset and field when the file is not a
     *     valid checkpoint: truncated, corrupted, inconsistent, foreign or of a newer version
     * @throws java.nio.file.NoSuchFileException if there is no such file
     * @throws IOException if the file cannot be read
     */
    public static Stored read(Path path) throws IOException {
        Safetensors.Contents contents = Safetensors.read(path, KIND, metadata -> checkFormat(path, metadata));
        return new Decoder(path, contents).decode();
    }

    private static void checkFormat(Path path, Map<String, String> metadata) throws ModelFileException {
        String format = metadata.get("format");
        if (!FORMAT.equals(format)) {
            throw new ModelFileException(path, format == null ? "there is no 'format' entry; not a Gradus checkpoint"
                    : "format is '" + format + "', expected '" + FORMAT + "'"
                    + (ModelFile.FORMAT.equals(format) ? " (this is a model file, not a checkpoint)" : ""),
                    -1, "__metadata__.format");
        }
        String version = metadata.get("format_version");
        if (version == null || !version.matches("[0-9]{1,9}") || Integer.parseInt(version) < 1) {
            if (version != null && version.matches("[0-9]{10,}")) {
                throw newer(path, version);
            }
            throw new ModelFileException(path, version == null ? "there is no format_version entry"
                    : "format_version '" + version + "' is not a version number", -1, "__metadata__.format_version");
        }
        if (Integer.parseInt(version) > FORMAT_VERSION) {
            throw newer(path, version);
        }
    }

    private static ModelFileException newer(Path path, String version) {
        return new ModelFileException(path, "checkpoint format version " + version + " is newer than this Gradus "
                + "reads (up to version " + FORMAT_VERSION + "); resume it with a newer Gradus", -1,
                "__metadata__.format_version");
    }

    /** Turns the checked tensors and metadata into a {@link Checkpoint}. */
    private static final class Decoder {
        private final Path path;
        private final Safetensors.Contents contents;

        Decoder(Path path, Safetensors.Contents contents) {
            this.path = path;
            this.contents = contents;
        }

        private ModelFileException problem(String problem, String field) {
            return new ModelFileException(path, problem, -1, field);
        }

        private ModelFileException problem(String problem, Safetensors.Entry at, String field) {
            return new ModelFileException(path, problem, at.at(), field);
        }

        Stored decode() throws IOException {
            Map<String, Safetensors.Entry> entries = contents.entries();
            int layers = 0;
            for (Safetensors.Entry e : entries.values()) {
                String name = e.name();
                Matcher m = LAYER_TENSOR.matcher(name);
                if (m.matches()) {
                    if (m.group(2).equals("weight")) {
                        layers++;
                    }
                } else if (!name.equals("last_good") && !name.equals("best") && !name.startsWith(OPTIMIZER_PREFIX)) {
                    throw problem("unexpected tensor '" + name + "'; a checkpoint holds layers.{m}.weight, "
                            + "layers.{m}.bias, last_good, best and optimizer.{name}", e, name);
                }
                if (!name.startsWith(OPTIMIZER_PREFIX) && !e.dtype().equals("F32")) {
                    throw problem("dtype is " + e.dtype() + ", expected F32", e, name + ".dtype");
                }
                if (!m.matches() && e.shape().length != 1) {
                    throw problem("shape " + Arrays.toString(e.shape()) + " must have one dimension", e, name + ".shape");
                }
            }
            Network network = network(entries, layers);
            int size = network.parameters().size();
            float[] lastGood = (float[]) vector("last_good", size, true);
            float[] best = (float[]) vector("best", size, false);

            Map<String, float[]> floats = new TreeMap<>();
            Map<String, double[]> doubles = new TreeMap<>();
            Map<String, long[]> longs = new TreeMap<>();
            for (Map.Entry<String, Object> e : contents.values().entrySet()) {
                if (e.getKey().startsWith(OPTIMIZER_PREFIX)) {
                    String name = e.getKey().substring(OPTIMIZER_PREFIX.length());
                    if (e.getValue() instanceof float[] f) {
                        floats.put(name, f);
                    } else if (e.getValue() instanceof double[] d) {
                        doubles.put(name, d);
                    } else {
                        longs.put(name, (long[]) e.getValue());
                    }
                }
            }
            Optimizer.Snapshot snapshot;
            try {
                snapshot = new Optimizer.Snapshot(floats, doubles, longs);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, e.getMessage(), -1, OPTIMIZER_PREFIX + "*", e);
            }

            String field = "__metadata__.checkpoint";
            Map<String, Object> json = parseJson(contents.metadata().get("checkpoint"), field);
            Map<String, String> settings = new TreeMap<>();
            for (Map.Entry<String, Object> e : object(json, "settings", field).entrySet()) {
                settings.put(e.getKey(), string(e.getValue(), field + ".settings." + e.getKey()));
            }
            String optimizerText = settings.get("optimizer");
            if (optimizerText == null) {
                throw problem("has no optimizer", field + ".settings");
            }
            try {
                Optimizer.parse(optimizerText).restore(size, snapshot);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, "the optimizer state does not fit " + optimizerText + ": "
                        + e.getMessage(), -1, OPTIMIZER_PREFIX + "*", e);
            }
            List<EpochStats> epochs = new ArrayList<>();
            List<Object> history = list(json.get("history"), field + ".history");
            for (int i = 0; i < history.size(); i++) {
                String at = field + ".history[" + i + "]";
                Map<String, Object> e = map(history.get(i), at);
                Map<String, Double> metrics = new TreeMap<>();
                for (Map.Entry<String, Object> m : object(e, "metrics", at).entrySet()) {
                    metrics.put(m.getKey(), number(m.getValue(), at + ".metrics." + m.getKey()));
                }
                epochs.add(new EpochStats(integer(e, "epoch", at), number(e.get("loss"), at + ".loss"),
                        integer(e, "steps", at), number(e.get("seconds"), at + ".seconds"),
                        number(e.get("learning_rate"), at + ".learning_rate"),
                        number(e.get("validation_loss"), at + ".validation_loss"), metrics));
            }
            Object stopped = json.get("stopped_early");
            if (!(stopped instanceof Boolean)) {
                throw problem("must be true or false", field + ".stopped_early");
            }
            Checkpoint checkpoint;
            try {
                History h = new History(epochs, integer(json, "best_epoch", field), (Boolean) stopped);
                checkpoint = new Checkpoint(settings, network, lastGood, snapshot, h,
                        number(json.get("best_value"), field + ".best_value"), integer(json, "since_best", field),
                        best == null ? Optional.empty()
                                : Optional.of(network.withParameters(network.parameters().withValues(best))));
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, e.getMessage(), -1, field, e);
            }
            Map<String, String> caller = new LinkedHashMap<>(contents.metadata());
            caller.keySet().removeAll(RESERVED_KEYS);
            return new Stored(checkpoint, caller);
        }

        /** The layers {@code 0..n}: weights {@code [out, in]} chained, biases {@code [out]}, activations. */
        private Network network(Map<String, Safetensors.Entry> entries, int layers) throws IOException {
            if (layers == 0) {
                throw problem("the file holds no layers.0.weight", null);
            }
            List<Dense> dense = new ArrayList<>();
            List<Activation> activations = activations(layers);
            for (int m = 0; m < layers; m++) {
                Safetensors.Entry w = entries.get("layers." + m + ".weight");
                Safetensors.Entry b = entries.get("layers." + m + ".bias");
                if (w == null || b == null) {
                    throw problem("missing tensor layers." + m + (w == null ? ".weight" : ".bias"), null);
                }
                if (w.shape().length != 2) {
                    throw problem("shape " + Arrays.toString(w.shape()) + " must be [outputs, inputs]", w,
                            w.name() + ".shape");
                }
                if (b.shape().length != 1 || b.shape()[0] != w.shape()[0]) {
                    throw problem("shape " + Arrays.toString(b.shape()) + " must be [" + w.shape()[0] + "]", b,
                            b.name() + ".shape");
                }
                if (m > 0 && w.shape()[1] != dense.get(m - 1).outputs()) {
                    throw problem("shape " + Arrays.toString(w.shape()) + " reads " + w.shape()[1]
                            + " inputs, but layer " + (m - 1) + " writes " + dense.get(m - 1).outputs(), w,
                            w.name() + ".shape");
                }
                dense.add(new Dense((int) w.shape()[1], (int) w.shape()[0], activations.get(m)));
            }
            long total = 0;
            for (Dense d : dense) {
                total += (long) d.inputs() * d.outputs() + d.outputs();
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw problem("the network has " + total + " parameters; at most " + (Integer.MAX_VALUE - 8)
                        + " fit in one array", null);
            }
            Parameters parameters;
            try {
                parameters = Network.zeroParameters(dense);
                for (Parameters.View v : parameters.views()) {
                    float[] values = (float[]) contents.values().get(v.name());
                    System.arraycopy(values, 0, parameters.values(), v.offset(), v.size());
                }
                return Network.of(dense, parameters);
            } catch (IllegalArgumentException e) {
                throw new ModelFileException(path, e.getMessage(), -1, "__metadata__.activations", e);
            }
        }

        private List<Activation> activations(int layers) throws IOException {
            String field = "__metadata__.activations";
            String text = contents.metadata().get("activations");
            if (text == null) {
                throw problem("there is no activations entry", field);
            }
            List<Object> names = list(parseJsonValue(text, field), field);
            if (names.size() != layers) {
                throw problem("lists " + names.size() + " activations for " + layers + " layers", field);
            }
            List<Activation> out = new ArrayList<>();
            for (int m = 0; m < layers; m++) {
                try {
                    out.add(Activation.parse(string(names.get(m), field + "[" + m + "]")));
                } catch (IllegalArgumentException e) {
                    throw new ModelFileException(path, "layer " + m + ": " + e.getMessage(), -1, field, e);
                }
            }
            return out;
        }

        /** The F32 vector {@code name} of {@code size} values; {@code null} if absent and optional. */
        private Object vector(String name, int size, boolean required) throws ModelFileException {
            Safetensors.Entry e = contents.entries().get(name);
            if (e == null) {
                if (required) {
                    throw problem("missing tensor " + name, null);
                }
                return null;
            }
            if (e.count() != size) {
                throw problem("has " + e.count() + " values, the network has " + size + " parameters", e,
                        name + ".shape");
            }
            return contents.values().get(name);
        }

        private Map<String, Object> parseJson(String text, String field) throws ModelFileException {
            if (text == null) {
                throw problem("there is no checkpoint entry", field);
            }
            return map(parseJsonValue(text, field), field);
        }

        private Object parseJsonValue(String text, String field) throws ModelFileException {
            try (JsonParser p = Safetensors.JSON.createParser(text)) {
                p.nextToken();
                Object value = value(p, field, 0);
                if (p.nextToken() != null) {
                    throw problem("has text after the JSON value", field);
                }
                return value;
            } catch (ModelFileException e) {
                throw e;
            } catch (JsonProcessingException e) {
                throw new ModelFileException(path, "is not valid JSON: " + e.getOriginalMessage()
                        + (e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset()), -1,
                        field, e);
            } catch (IOException e) {
                throw new ModelFileException(path, "is not valid JSON: " + e.getMessage(), -1, field, e);
            }
        }

        /** A JSON value as Map, List, String, Long, Boolean or null; at most {@value #MAX_JSON_DEPTH} deep. */
        private Object value(JsonParser p, String field, int depth) throws IOException {
            JsonToken t = p.currentToken();
            if (t == null) {
                throw problem("is empty", field);
            }
            if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && depth == MAX_JSON_DEPTH) {
                throw problem("nests deeper than " + MAX_JSON_DEPTH + " levels", field);
            }
            switch (t) {
                case START_OBJECT -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        p.nextToken();
                        out.put(name, value(p, field + "." + name, depth + 1));
                    }
                    return out;
                }
                case START_ARRAY -> {
                    List<Object> out = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        out.add(value(p, field + "[" + out.size() + "]", depth + 1));
                    }
                    return out;
                }
                case VALUE_STRING -> {
                    return p.getText();
                }
                case VALUE_NUMBER_INT -> {
                    if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
                        throw problem("integer " + p.getText() + " is too large", field);
                    }
                    return p.getLongValue();
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    return t == JsonToken.VALUE_TRUE;
                }
                default -> throw problem("holds an unexpected " + t, field);
            }
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> map(Object value, String field) throws ModelFileException {
            if (!(value instanceof Map)) {
                throw problem("must be a JSON object", field);
            }
            return (Map<String, Object>) value;
        }

        private Map<String, Object> object(Map<String, Object> parent, String key, String field)
                throws ModelFileException {
            return map(parent.get(key), field + "." + key);
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Object value, String field) throws ModelFileException {
            if (!(value instanceof List)) {
                throw problem("must be a JSON array", field);
            }
            return (List<Object>) value;
        }

        private String string(Object value, String field) throws ModelFileException {
            if (!(value instanceof String s)) {
                throw problem("must be a string", field);
            }
            return s;
        }

        /** A number written as a string by {@link Double#toString(double)}. */
        private double number(Object value, String field) throws ModelFileException {
            String s = string(value, field);
            if (!s.matches("-?(NaN|Infinity|[0-9]+\\.[0-9]+(E-?[0-9]+)?)")) {
                throw problem("'" + s + "' is not a number as Double.toString writes it", field);
            }
            return Double.parseDouble(s);
        }

        private int integer(Map<String, Object> parent, String key, String field) throws ModelFileException {
            Object v = parent.get(key);
            if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw problem("must be a whole number from 0 to " + Integer.MAX_VALUE, field + "." + key);
            }
            return (int) (long) l;
        }
    }
}

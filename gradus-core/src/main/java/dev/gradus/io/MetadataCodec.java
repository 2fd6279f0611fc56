package dev.gradus.io;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON codec of Gradus metadata: {@link ModelMetadata} to and from the string entries
 * of a file's {@code __metadata__} (model files, checkpoints, and the {@code gradus.*} keys
 * of an exported ONNX file), plus the small JSON values those files also hold (string lists
 * and maps, activations).
 *
 * <p>The entries, each a JSON text but {@code loss}:
 * <pre>
 * loss            "cross-entropy"                       {@link Loss#name()}
 * preprocessing   {"task": "classification" | "regression",
 *                  "features": [{"name": s, "categories": [s, …]?, "fill": s?,
 *                                "other": true?, "date": true?}, …],
 *                  "unknown": "ignore"?,
 *                  "left_out": [{"name": s, "reason": s}, …]?,
 *                  "feature_scaler": {"shift": [f, …], "scale": [f, …]},
 *                  "targets": [s, …], "classes": [s, …],
 *                  "target_scaler": {"shift": [f, …], "scale": [f, …]}}
 * training        {"optimizer": s, "learning_rate": s, …}     strings only; optional
 * decision        {"positive": s, "threshold": d}           optional; format version 3
 * </pre>
 * {@code d} is a double as {@link Double#toString} writes it, in a JSON string.
 * {@code other}, {@code date}, {@code unknown} and {@code left_out} came with format version 2;
 * absent, they mean what version 1 meant: no shared "other" input, not a date, an unseen
 * category is an error, no column left out.
 * Numbers {@code f} are float32 values written as their shortest decimal text, so they read
 * back bit for bit. Reading is strict: a missing field, a field this version does not know
 * (an addition that changes a file's meaning comes with a new format version, which the
 * version check refuses first), or a value of the wrong type is a {@link MetadataException}
 * naming the field ({@code preprocessing.features[1].categories}).
 *
 * <p>To add a field: write it in {@link #writeFeature} (or the object it belongs to), read it
 * in the matching {@code read…} method with the value it has in older files as its default,
 * raise {@link ModelFile#FORMAT_VERSION} if it changes what a file means, and freeze a fixture
 * of the new version ({@code docs/model-file.md}).
 */
public final class MetadataCodec {
    /** The metadata entry of the loss. */
    public static final String LOSS = "loss";
    /** The metadata entry of the preprocessing. */
    public static final String PREPROCESSING = "preprocessing";
    /** The metadata entry of the training record. */
    public static final String TRAINING = "training";
    /** The metadata entry of the stored binary decision (format version 3). */
    public static final String DECISION = "decision";

    private MetadataCodec() {
    }

    // ---- the model's entries ------------------------------------------------------------

    /**
     * The entries {@code loss}, {@code preprocessing} and {@code training}, in that order, and
     * {@code decision} when the metadata stores one.
     */
    public static Map<String, String> encode(ModelMetadata m) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(LOSS, m.loss().name());
        out.put(PREPROCESSING, preprocessing(m.preprocessing()));
        out.put(TRAINING, stringMap(m.training()));
        m.decision().ifPresent(d -> out.put(DECISION, decision(d)));
        return out;
    }

    /** The {@code decision} entry's JSON text. */
    public static String decision(ModelMetadata.Decision d) {
        return JsonCursor.write(g -> {
            g.writeStartObject();
            g.writeStringField("positive", d.positive());
            g.writeStringField("threshold", Double.toString(d.threshold()));
            g.writeEndObject();
        });
    }

    /**
     * Reads the {@code decision} entry's JSON text.
     *
     * @throws MetadataException naming the field at fault
     */
    public static ModelMetadata.Decision decision(String json) throws MetadataException {
        return JsonCursor.read(json, DECISION, in -> {
            var v = new Object() {
                String positive;
                Double threshold;
            };
            in.object(DECISION, (name, at) -> {
                switch (name) {
                    case "positive" -> v.positive = in.string(at);
                    case "threshold" -> v.threshold = in.doubleText(at);
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            JsonCursor.require(v.positive, DECISION + ".positive");
            JsonCursor.require(v.threshold, DECISION + ".threshold");
            try {
                return new ModelMetadata.Decision(v.positive, v.threshold);
            } catch (IllegalArgumentException e) {
                throw new MetadataException(DECISION + ".threshold", e.getMessage(), e);
            }
        });
    }

    /**
     * The model's metadata from the entries {@link #encode} writes (other entries are not
     * looked at); {@code training} may be absent, as in files written by other tools.
     *
     * @param version the version stamp of the file the entries come from
     * @throws MetadataException naming the entry and field at fault
     */
    public static ModelMetadata decode(Map<String, String> entries, ModelMetadata.FileVersion version)
            throws MetadataException {
        String lossName = entries.get(LOSS);
        if (lossName == null) {
            throw new MetadataException(LOSS, "is missing");
        }
        Loss loss;
        try {
            loss = Loss.parse(lossName);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(LOSS, e.getMessage(), e);
        }
        Preprocessing prep = preprocessing(entries.get(PREPROCESSING));
        Map<String, String> training = entries.containsKey(TRAINING) ? stringMap(entries.get(TRAINING), TRAINING)
                : Map.of();
        java.util.Optional<ModelMetadata.Decision> decision = java.util.Optional.empty();
        if (entries.containsKey(DECISION)) {
            if (version.format() < ModelMetadata.DECISION_FORMAT_VERSION) {
                throw new MetadataException(DECISION, "came with format version " + ModelMetadata.DECISION_FORMAT_VERSION
                        + ", but the file says it is version " + version.format());
            }
            decision = java.util.Optional.of(decision(entries.get(DECISION)));
        }
        return new ModelMetadata(version, loss, prep, training, decision);
    }

    // ---- preprocessing --------------------------------------------------------------------

    /** The {@code preprocessing} entry's JSON text. */
    public static String preprocessing(Preprocessing p) {
        return JsonCursor.write(g -> {
            g.writeStartObject();
            g.writeStringField("task", p.task().toString());
            g.writeArrayFieldStart("features");
            for (Preprocessing.Feature f : p.features()) {
                writeFeature(g, f);
            }
            g.writeEndArray();
            if (p.unknown() != UnknownCategory.ERROR) {
                g.writeStringField("unknown", p.unknown().toString());
            }
            if (!p.leftOut().isEmpty()) {
                g.writeArrayFieldStart("left_out");
                for (Preprocessing.LeftOut l : p.leftOut()) {
                    g.writeStartObject();
                    g.writeStringField("name", l.name());
                    g.writeStringField("reason", l.reason());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            writeScaler(g, "feature_scaler", p.featureScaler());
            g.writeFieldName("targets");
            JsonCursor.writeStrings(g, p.targetNames());
            g.writeFieldName("classes");
            JsonCursor.writeStrings(g, p.classLabels());
            writeScaler(g, "target_scaler", p.targetScaler());
            g.writeEndObject();
        });
    }

    /**
     * Reads the {@code preprocessing} entry's JSON text.
     *
     * @throws MetadataException naming the field at fault ({@code preprocessing.features[0].name})
     */
    public static Preprocessing preprocessing(String json) throws MetadataException {
        String root = PREPROCESSING;
        return JsonCursor.read(json, root, in -> {
            var v = new Object() {
                Task task;
                List<Preprocessing.Feature> features;
                Scaler featureScaler;
                Scaler targetScaler;
                List<String> targets;
                List<String> classes;
                UnknownCategory unknown = UnknownCategory.ERROR;
                List<Preprocessing.LeftOut> leftOut = new ArrayList<>();
            };
            in.object(root, (name, at) -> {
                switch (name) {
                    case "task" -> v.task = parse(at, Task::parse, in.string(at));
                    case "features" -> {
                        v.features = new ArrayList<>();
                        in.array(at, (i, element) -> v.features.add(readFeature(in, element)));
                    }
                    case "feature_scaler" -> v.featureScaler = readScaler(in, at);
                    case "target_scaler" -> v.targetScaler = readScaler(in, at);
                    case "targets" -> v.targets = in.strings(at);
                    case "classes" -> v.classes = in.strings(at);
                    case "unknown" -> v.unknown = parse(at, UnknownCategory::parse, in.string(at));
                    case "left_out" -> in.array(at, (i, element) -> v.leftOut.add(readLeftOut(in, element)));
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            JsonCursor.require(v.task, root + ".task");
            JsonCursor.require(v.features, root + ".features");
            JsonCursor.require(v.featureScaler, root + ".feature_scaler");
            JsonCursor.require(v.targets, root + ".targets");
            JsonCursor.require(v.classes, root + ".classes");
            JsonCursor.require(v.targetScaler, root + ".target_scaler");
            try {
                return new Preprocessing(v.task, v.features, v.featureScaler, v.targets, v.classes, v.targetScaler,
                        v.unknown, v.leftOut);
            } catch (IllegalArgumentException e) {
                throw new MetadataException(root, e.getMessage(), e);
            }
        });
    }

    /** One input column: {@code {"name": s, "categories": [s, …]?, "fill": s?, "other": true?, "date": true?}}. */
    private static void writeFeature(JsonGenerator g, Preprocessing.Feature f) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", f.name());
        if (f.isCategorical()) {
            g.writeFieldName("categories");
            JsonCursor.writeStrings(g, f.categories());
        }
        if (f.fill() != null) {
            g.writeStringField("fill", f.fill());
        }
        if (f.other()) {
            g.writeBooleanField("other", true);
        }
        if (f.date()) {
            g.writeBooleanField("date", true);
        }
        g.writeEndObject();
    }

    /** Reads what {@link #writeFeature} writes; an absent field has its version-1 meaning. */
    private static Preprocessing.Feature readFeature(JsonCursor in, String path) throws IOException, MetadataException {
        var v = new Object() {
            String name;
            List<String> categories = List.of();
            String fill;
            boolean other;
            boolean date;
        };
        in.object(path, (field, at) -> {
            switch (field) {
                case "name" -> v.name = in.string(at);
                case "categories" -> v.categories = in.strings(at);
                case "fill" -> v.fill = in.string(at);
                case "other" -> v.other = in.bool(at);
                case "date" -> v.date = in.bool(at);
                default -> {
                    return false;
                }
            }
            return true;
        });
        JsonCursor.require(v.name, path + ".name");
        try {
            return new Preprocessing.Feature(v.name, v.categories, v.fill, v.other, v.date);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(path, e.getMessage(), e);
        }
    }

    /** A column left out of training: {@code {"name": s, "reason": s}}. */
    private static Preprocessing.LeftOut readLeftOut(JsonCursor in, String path) throws IOException, MetadataException {
        var v = new Object() {
            String name;
            String reason;
        };
        in.object(path, (field, at) -> {
            switch (field) {
                case "name" -> v.name = in.string(at);
                case "reason" -> v.reason = in.string(at);
                default -> {
                    return false;
                }
            }
            return true;
        });
        JsonCursor.require(v.name, path + ".name");
        JsonCursor.require(v.reason, path + ".reason");
        return new Preprocessing.LeftOut(v.name, v.reason);
    }

    private static void writeScaler(JsonGenerator g, String field, Scaler s) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeFieldName("shift");
        JsonCursor.writeNumbers(g, s.shift());
        g.writeFieldName("scale");
        JsonCursor.writeNumbers(g, s.scale());
        g.writeEndObject();
    }

    private static Scaler readScaler(JsonCursor in, String path) throws IOException, MetadataException {
        var v = new Object() {
            float[] shift;
            float[] scale;
        };
        in.object(path, (field, at) -> {
            switch (field) {
                case "shift" -> v.shift = in.numbers(at);
                case "scale" -> v.scale = in.numbers(at);
                default -> {
                    return false;
                }
            }
            return true;
        });
        JsonCursor.require(v.shift, path + ".shift");
        JsonCursor.require(v.scale, path + ".scale");
        try {
            return new Scaler(v.shift, v.scale);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(path, e.getMessage(), e);
        }
    }

    // ---- small values ---------------------------------------------------------------------

    /** {@code ["φ⁰","φ¹",…]}, checking that each activation's text parses back to it. */
    public static String activations(List<Activation> activations) {
        List<String> names = new ArrayList<>();
        for (int m = 0; m < activations.size(); m++) {
            Activation phi = activations.get(m);
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
            names.add(name);
        }
        return strings(names);
    }

    /**
     * Reads {@code ["relu", …]}: one activation per layer, each accepted by {@link Activation#parse}.
     *
     * @param field the entry's name, for messages
     * @param layers how many layers there are
     */
    public static List<Activation> activations(String json, String field, int layers) throws MetadataException {
        List<String> names = strings(json, field);
        if (names.size() != layers) {
            throw new MetadataException(field, names.size() > layers
                    ? "lists more activations (" + names.size() + ") than the " + layers + " layers"
                    : "lists " + names.size() + " activations for " + layers + " layers");
        }
        List<Activation> out = new ArrayList<>();
        for (int m = 0; m < layers; m++) {
            try {
                out.add(Activation.parse(names.get(m)));
            } catch (IllegalArgumentException e) {
                throw new MetadataException(field, "layer " + m + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** {@code ["a","b",…]}. */
    public static String strings(List<String> values) {
        return JsonCursor.write(g -> JsonCursor.writeStrings(g, values));
    }

    /** Reads {@code ["a","b",…]}; {@code field} names the entry in messages. */
    public static List<String> strings(String json, String field) throws MetadataException {
        return JsonCursor.read(json, field, in -> in.strings(field));
    }

    /** {@code {"key":"value",…}} in the map's order. */
    public static String stringMap(Map<String, String> values) {
        return JsonCursor.write(g -> JsonCursor.writeStringMap(g, values));
    }

    /** Reads {@code {"key":"value",…}} in key order; {@code field} names the entry in messages. */
    public static Map<String, String> stringMap(String json, String field) throws MetadataException {
        return JsonCursor.read(json, field, in -> in.stringMap(field));
    }

    /** {@code {"key":["a","b"],…}} in the map's order. */
    public static String stringListMap(Map<String, List<String>> values) {
        return JsonCursor.write(g -> {
            g.writeStartObject();
            for (Map.Entry<String, List<String>> e : values.entrySet()) {
                g.writeFieldName(e.getKey());
                JsonCursor.writeStrings(g, e.getValue());
            }
            g.writeEndObject();
        });
    }

    // ---- the version check ------------------------------------------------------------------

    /**
     * The one format-version check of every Gradus file: {@code text} must be a version from 1
     * to {@link ModelFile#FORMAT_VERSION}. A newer version is refused, never read by this
     * version's rules: its fields may mean what this library cannot know.
     *
     * @param noun what the file is, for messages ("model", "checkpoint")
     * @param field the entry's name, for messages
     * @throws MetadataException for a missing, malformed, impossible or newer version
     */
    public static int formatVersion(String text, String noun, String field) throws MetadataException {
        if (text == null) {
            throw new MetadataException(field, "there is no format_version entry");
        }
        if (!text.matches("[0-9]+")) {
            throw new MetadataException(field, "format_version '" + text + "' is not a whole number");
        }
        if (text.length() > 9 || Integer.parseInt(text) > ModelFile.FORMAT_VERSION) {
            throw new MetadataException(field, noun + " format version " + text + " is newer than this Gradus ("
                    + ModelFile.gradusVersion() + ") reads: it reads format version " + ModelFile.FORMAT_VERSION
                    + " and older; use a newer Gradus to load it");
        }
        int v = Integer.parseInt(text);
        if (v < 1) {
            throw new MetadataException(field, "format_version " + v + " does not exist; versions start at 1");
        }
        return v;
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(String field, Parser<T> parser, String text) throws MetadataException {
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MetadataException(field, e.getMessage(), e);
        }
    }
}

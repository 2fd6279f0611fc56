package dev.gradus.tune;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.gradus.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study file: a small JSON document that records a search's settings and every finished
 * trial, replaced atomically after each trial, so that an interrupted search resumes where it
 * stopped ({@link Tuner}). No Java serialization.
 *
 * <pre>{@code
 * {"format": "gradus-study", "version": 1,
 *  "settings": {"rows": "8000", "space": "depth=1..3 …", "scoring": "holdout 0.2", …},
 *  "trials": [{"number": 0, "seed": 1939301, "params": {"depth": "2", …}, "state": "complete",
 *              "rungs": [0.91, 0.95], "score": 0.962, "epochs": 31, "seconds": 12.4}, …]}
 * }</pre>
 *
 * <p>A score that is not a number is written as {@code null}.
 *
 * @param settings what the search was run with; a resumed search must agree on every entry
 * @param trials the finished trials in the order they finished (by number when trials run one at a time)
 */
public record StudyFile(Map<String, String> settings, List<Trial> trials) {

    /** The value of {@code format}. */
    public static final String FORMAT = "gradus-study";
    /** The version this code writes and reads. */
    public static final int VERSION = 1;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    public StudyFile {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        trials = List.copyOf(trials);
    }

    /** Writes the study to {@code path} atomically (a temporary file, then a rename). */
    public void write(Path path) throws IOException {
        AtomicFiles.write(path, out -> {
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.useDefaultPrettyPrinter();
                g.writeStartObject();
                g.writeStringField("format", FORMAT);
                g.writeNumberField("version", VERSION);
                g.writeObjectFieldStart("settings");
                for (Map.Entry<String, String> e : settings.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
                g.writeArrayFieldStart("trials");
                for (Trial t : trials) {
                    g.writeStartObject();
                    g.writeNumberField("number", t.number());
                    g.writeNumberField("seed", t.seed());
                    g.writeObjectFieldStart("params");
                    for (Map.Entry<String, String> e : t.params().entrySet()) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                    g.writeStringField("state", t.state().label());
                    g.writeArrayFieldStart("rungs");
                    for (double r : t.rungs()) {
                        number(g, r);
                    }
                    g.writeEndArray();
                    g.writeFieldName("score");
                    number(g, t.score());
                    g.writeFieldName("epochs");
                    number(g, t.epochs());
                    g.writeNumberField("best_epoch", t.bestEpoch());
                    g.writeFieldName("seconds");
                    number(g, t.seconds());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeRaw('\n');
            }
        });
    }

    private static void number(JsonGenerator g, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumber(v);
        } else {
            g.writeNull();
        }
    }

    /**
     * Reads a study file.
     *
     * @throws IOException when it cannot be read, or (naming the file and the field) is not a
     *     study file of this version
     */
    public static StudyFile read(Path path) throws IOException {
        Object root;
        try (JsonParser p = JSON.createParser(Files.newBufferedReader(path))) {
            if (p.nextToken() == null) {
                throw new IOException(path + ": empty study file");
            }
            root = value(p);
            if (p.nextToken() != null) {
                throw new IOException(path + ": text after the study's JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new IOException(path + ": not a study file: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        }
        try {
            Map<String, Object> o = object(root, "the file");
            if (!FORMAT.equals(o.get("format"))) {
                throw new IllegalArgumentException("format: expected \"" + FORMAT + "\"");
            }
            if (!(o.get("version") instanceof Double v) || v != VERSION) {
                throw new IllegalArgumentException("version: expected " + VERSION + ", got " + o.get("version"));
            }
            Map<String, String> settings = strings(object(o.get("settings"), "settings"), "settings");
            List<Trial> trials = new ArrayList<>();
            List<?> list = list(o.get("trials"), "trials");
            java.util.Set<Integer> numbers = new java.util.HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String at = "trials[" + i + "]";
                Map<String, Object> t = object(list.get(i), at);
                List<Double> rungs = new ArrayList<>();
                for (Object r : list(t.get("rungs"), at + ".rungs")) {
                    rungs.add(r == null ? Double.NaN : num(r, at + ".rungs"));
                }
                int number = (int) num(t.get("number"), at + ".number");
                // trials are listed as they finished: with several workers not in number order
                if (number < 0 || !numbers.add(number)) {
                    throw new IllegalArgumentException(at + ".number: " + number + (number < 0 ? " is negative"
                            : " is listed twice"));
                }
                trials.add(new Trial(number, (long) num(t.get("seed"), at + ".seed"),
                        strings(object(t.get("params"), at + ".params"), at + ".params"),
                        Trial.State.parse(str(t.get("state"), at + ".state")), rungs,
                        t.get("score") == null ? Double.NaN : num(t.get("score"), at + ".score"),
                        num(t.get("epochs"), at + ".epochs"), (int) num(t.get("best_epoch"), at + ".best_epoch"),
                        num(t.get("seconds"), at + ".seconds")));
            }
            return new StudyFile(settings, trials);
        } catch (IllegalArgumentException e) {
            throw new IOException(path + ": not a study file of version " + VERSION + ": " + e.getMessage());
        }
    }

    /** A JSON value as Map, List, String, Double (numbers are read exactly as longs fit), Boolean or null. */
    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return (double) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
            case VALUE_FALSE:
                return p.getBooleanValue();
            case VALUE_NULL:
                return null;
            default:
                throw new IOException("unexpected JSON token " + t);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String at) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(at + ": expected an object");
        }
        return (Map<String, Object>) o;
    }

    private static List<?> list(Object o, String at) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(at + ": expected an array");
        }
        return l;
    }

    private static double num(Object o, String at) {
        if (!(o instanceof Double d)) {
            throw new IllegalArgumentException(at + ": expected a number");
        }
        return d;
    }

    private static String str(Object o, String at) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(at + ": expected a string");
        }
        return s;
    }

    private static Map<String, String> strings(Map<String, Object> o, String at) {
        Map<String, String> m = new LinkedHashMap<>();
        o.forEach((k, v) -> m.put(k, str(v, at + "." + k)));
        return m;
    }
}

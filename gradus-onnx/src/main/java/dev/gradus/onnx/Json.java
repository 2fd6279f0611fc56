package dev.gradus.onnx;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The small JSON texts stored in ONNX {@code metadata_props}. */
final class Json {
    private static final JsonFactory JSON = new JsonFactory();

    private Json() {
    }

    /** {@code ["a","b",…]}. */
    static String array(List<String> values) {
        return write(g -> {
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        });
    }

    /** {@code {"name":["a","b"],…}}. */
    static String objectOfArrays(Map<String, List<String>> values) {
        return write(g -> {
            g.writeStartObject();
            for (Map.Entry<String, List<String>> e : values.entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (String v : e.getValue()) {
                    g.writeString(v);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    /** {@code {"key":"value",…}}. */
    static String flatObject(Map<String, String> values) {
        return write(g -> {
            g.writeStartObject();
            for (Map.Entry<String, String> e : values.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        });
    }

    /**
     * Parses {@code {"key":"value",…}} (values of any scalar type are kept as their text).
     *
     * @throws IllegalArgumentException if it is not such an object
     */
    static Map<String, String> parseFlatObject(String json) {
        Map<String, String> out = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken value = p.nextToken();
                if (value == null || value.isStructStart()) {
                    throw new IllegalArgumentException("the value of '" + key + "' is not a string or number");
                }
                out.put(key, p.getText());
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException("malformed JSON object");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
        return out;
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string failed", e);
        }
        return out.toString();
    }
}

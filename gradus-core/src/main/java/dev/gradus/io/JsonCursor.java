package dev.gradus.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one strict reader (and writer) of the JSON texts inside Gradus metadata. Reading is
 * driven by the schema, value by value, so nothing is skipped: an unknown field, a value of
 * the wrong type, a duplicate key or text after the value is a {@link MetadataException}
 * naming the field by its dotted path ({@code preprocessing.features[2].categories[0]}).
 *
 * <p>Each {@code read…} method reads the value the cursor is on and leaves the cursor on that
 * value's last token; {@link #read} positions the cursor on the text's value first and checks
 * that nothing follows it.
 */
final class JsonCursor {
    private final JsonParser p;

    private JsonCursor(JsonParser p) {
        this.p = p;
    }

    /** Reads one value of a JSON text. */
    @FunctionalInterface
    interface Body<T> {
        T read(JsonCursor in) throws IOException, MetadataException;
    }

    /** Reads one field of an object: {@code name} at {@code path}; returns false for a field it does not know. */
    @FunctionalInterface
    interface Fields {
        boolean read(String name, String path) throws IOException, MetadataException;
    }

    /** Reads the element {@code index} of an array at {@code path}. */
    @FunctionalInterface
    interface Elements {
        void read(int index, String path) throws IOException, MetadataException;
    }

    /** Writes one JSON value. */
    @FunctionalInterface
    interface Writing {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * Reads {@code text} (the value of field {@code root}) with {@code body}.
     *
     * @throws MetadataException for text that is absent, not JSON, or not what {@code body} reads
     */
    static <T> T read(String text, String root, Body<T> body) throws MetadataException {
        if (text == null) {
            throw new MetadataException(root, "is missing");
        }
        try (JsonParser p = Safetensors.JSON.createParser(text)) {
            JsonCursor in = new JsonCursor(p);
            if (p.nextToken() == null) {
                throw new MetadataException(root, "is empty, expected JSON");
            }
            T value = body.read(in);
            if (p.nextToken() != null) {
                throw new MetadataException(root, "has text after its JSON value, at character "
                        + p.currentTokenLocation().getCharOffset());
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new MetadataException(root, "is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset()), e);
        } catch (IOException e) {
            throw new MetadataException(root, "is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** {@code body}'s JSON value as text. */
    static String write(Writing body) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = Safetensors.JSON.createGenerator(text)) {
            body.write(g);
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string failed", e);
        }
        return text.toString();
    }

    /** A field that must be present: {@code value} was set by reading it. */
    static void require(Object value, String field) throws MetadataException {
        if (value == null) {
            throw new MetadataException(field, "is missing");
        }
    }

    private MetadataException expected(String what, String path) {
        return new MetadataException(path, "must be " + what + ", got " + Safetensors.describe(p.currentToken()));
    }

    /** An object: each field is handed to {@code fields}; a field it does not know is an error. */
    void object(String path, Fields fields) throws IOException, MetadataException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw expected("a JSON object", path);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (!fields.read(name, path + "." + name)) {
                throw new MetadataException(path + "." + name, "is not a field this Gradus knows (it reads format "
                        + "version " + ModelFile.FORMAT_VERSION + " and older)");
            }
        }
    }

    /** An array: each element is handed to {@code elements}. */
    void array(String path, Elements elements) throws IOException, MetadataException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw expected("a JSON array", path);
        }
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            elements.read(i, path + "[" + i + "]");
            i++;
        }
    }

    String string(String path) throws MetadataException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw expected("a string", path);
        }
        try {
            return p.getText();
        } catch (IOException e) {
            throw new MetadataException(path, "is not readable text: " + e.getMessage(), e);
        }
    }

    boolean bool(String path) throws MetadataException {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw expected("true or false", path);
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** A whole number from 0 to 2³¹−1. */
    int count(String path) throws IOException, MetadataException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                || p.getIntValue() < 0) {
            throw new MetadataException(path, "must be a whole number from 0 to " + Integer.MAX_VALUE + ", got "
                    + (p.currentToken() != null && p.currentToken().isNumeric() ? p.getText()
                    : Safetensors.describe(p.currentToken())));
        }
        return p.getIntValue();
    }

    /** A float32 written as a JSON number (a float's shortest decimal text reads back to the same float). */
    float number(String path) throws IOException, MetadataException {
        if (p.currentToken() == null || !p.currentToken().isNumeric()) {
            throw expected("a number", path);
        }
        return Float.parseFloat(p.getText());
    }

    /** A double written as a string by {@link Double#toString(double)}, so that NaN and ±∞ read back too. */
    double doubleText(String path) throws MetadataException {
        String s = string(path);
        if (!s.matches("-?(NaN|Infinity|[0-9]+\\.[0-9]+(E-?[0-9]+)?)")) {
            throw new MetadataException(path, "'" + s + "' is not a number as Double.toString writes it");
        }
        return Double.parseDouble(s);
    }

    List<String> strings(String path) throws IOException, MetadataException {
        List<String> out = new ArrayList<>();
        array(path, (i, at) -> out.add(string(at)));
        return out;
    }

    float[] numbers(String path) throws IOException, MetadataException {
        List<Float> values = new ArrayList<>();
        array(path, (i, at) -> values.add(number(at)));
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** {@code {"key": "value", …}} in key order. */
    Map<String, String> stringMap(String path) throws IOException, MetadataException {
        Map<String, String> out = new LinkedHashMap<>();
        object(path, (name, at) -> {
            out.put(name, string(at));
            return true;
        });
        return out;
    }

    static void writeStrings(JsonGenerator g, List<String> values) throws IOException {
        g.writeStartArray();
        for (String s : values) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    static void writeNumbers(JsonGenerator g, float[] values) throws IOException {
        g.writeStartArray();
        for (float v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    static void writeStringMap(JsonGenerator g, Map<String, String> values) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, String> e : values.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}

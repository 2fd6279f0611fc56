package dev.gradus.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Parameters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Minimal safetensors model file (interim version). */
public final class ModelFile {
    public static final int FORMAT_VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    private ModelFile() {}

    public record Stored(Network network, Map<String, String> metadata) {}

    public static void write(Path path, Network network, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        Parameters p = network.parameters();
        try (JsonGenerator g = JSON.createGenerator(header)) {
            g.writeStartObject();
            g.writeObjectFieldStart("__metadata__");
            g.writeStringField("format", "gradus");
            g.writeStringField("format_version", Integer.toString(FORMAT_VERSION));
            StringBuilder acts = new StringBuilder("[");
            for (int m = 0; m < network.layerCount(); m++) {
                acts.append(m == 0 ? "" : ",").append('"').append(network.layer(m).activation()).append('"');
            }
            g.writeStringField("activations", acts.append(']').toString());
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            for (Parameters.View v : p.views()) {
                g.writeObjectFieldStart(v.name());
                g.writeStringField("dtype", "F32");
                g.writeArrayFieldStart("shape");
                g.writeNumber(v.rows());
                if (v.name().endsWith("weight")) {
                    g.writeNumber(v.cols());
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(4L * v.offset());
                g.writeNumber(4L * (v.offset() + v.size()));
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        byte[] h = header.toByteArray();
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + 4 * p.size()).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(h);
        for (int i = h.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        for (float v : p.values()) {
            buf.putInt(Float.floatToRawIntBits(v));
        }
        Path tmp = Files.createTempFile(path.toAbsolutePath().getParent(), "." + path.getFileName(), ".tmp");
        try {
            Files.write(tmp, buf.array());
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static Stored read(Path path) throws IOException {
        byte[] all = Files.readAllBytes(path);
        if (all.length < 8) {
            throw new IOException(path + ": not a Gradus model file (too short)");
        }
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        if (n < 2 || n > all.length - 8) {
            throw new IOException(path + ": not a Gradus model file (bad header length " + n + ")");
        }
        String header = new String(all, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(header)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("__metadata__")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        p.nextToken();
                        meta.put(k, p.getText());
                    }
                } else {
                    long[] shape = new long[] {0, 1};
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        p.nextToken();
                        if (k.equals("shape")) {
                            int i = 0;
                            while (p.nextToken() != JsonToken.END_ARRAY) {
                                shape[i++] = p.getLongValue();
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    shapes.put(name, shape);
                }
            }
        }
        if (!"gradus".equals(meta.get("format"))) {
            throw new IOException(path + ": not a Gradus model file");
        }
        String acts = meta.get("activations");
        List<Activation> activations = new ArrayList<>();
        for (String a : acts.substring(1, acts.length() - 1).split(",")) {
            activations.add(Activation.parse(a.replace("\"", "")));
        }
        List<Dense> layers = new ArrayList<>();
        for (int m = 0; m < activations.size(); m++) {
            long[] w = shapes.get("layers." + m + ".weight");
            layers.add(new Dense((int) w[1], (int) w[0], activations.get(m)));
        }
        Parameters params = Network.zeroParameters(layers);
        ByteBuffer data = ByteBuffer.wrap(all, 8 + (int) n, all.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < params.size(); i++) {
            params.values()[i] = Float.intBitsToFloat(data.getInt());
        }
        meta.remove("format");
        meta.remove("format_version");
        meta.remove("activations");
        return new Stored(Network.of(layers, params), meta);
    }
}

package dev.gradus.io;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the frozen format-version-1 fixture {@code src/test/resources/fixtures/model-v1.safetensors}.
 * Run once when the format was defined; never rerun it for an existing version (the point of
 * the fixture is that files written back then keep loading). A new format version gets a new
 * fixture and a new generator method.
 *
 * <pre>
 * mvn -q test-compile -pl gradus-core
 * java -cp gradus-core/target/test-classes:gradus-core/target/classes:JACKSON_CORE_JAR \
 *     dev.gradus.io.ModelFileFixtureGenerator gradus-core/src/test/resources/fixtures/model-v1.safetensors
 * </pre>
 */
final class ModelFileFixtureGenerator {

    private ModelFileFixtureGenerator() {
    }

    /** 3 → 4 leaky_relu(0.2) → 2 elu(0.5) → 1 sigmoid, with θᵢ = (i − 14)/8 (exact in float32). */
    static Network version1Network() {
        Network net = Network.input(3)
                .dense(4, Activation.parse("leaky_relu(0.2)"))
                .dense(2, Activation.parse("elu(0.5)"))
                .dense(1, Activation.SIGMOID)
                .build(0);
        float[] theta = net.parameters().values();
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (i - 14) / 8f;
        }
        return net;
    }

    static Map<String, String> version1Metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("loss", "bce");
        metadata.put("task", "classification");
        metadata.put("classes", "[\"négatif\",\"positif\"]");
        metadata.put("features", "[\"x₀\",\"x₁\",\"x₂\"]");
        metadata.put("scaling", "{\"kind\":\"standard\",\"mean\":[0.5,-1,2],\"std\":[1,0.25,4]}");
        return metadata;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ModelFileFixtureGenerator OUTPUT_FILE");
        }
        ModelFile.write(Path.of(args[0]), version1Network(), version1Metadata());
    }
}

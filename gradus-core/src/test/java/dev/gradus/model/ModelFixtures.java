package dev.gradus.model;

import dev.gradus.data.Preprocessing;
import dev.gradus.data.Preprocessing.Feature;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models of the frozen model-file fixtures {@code src/test/resources/fixtures/model-v{N}-*.safetensors},
 * built by hand so that every stored value is typed out here and exact in float32.
 *
 * <p>{@link #main} wrote the version-1 files once, with the version-1 writer (before the
 * metadata schema had its own codec), the version-2 file once with the version-2 writer and the
 * version-3 file once with the version-3 writer;
 * never rerun it for an existing version: the point of a fixture is that files written back
 * then keep loading. A new format version adds its own fixtures (and models here) and leaves
 * these alone.
 *
 * <pre>
 * mvn -q test-compile -pl gradus-core
 * java -cp gradus-core/target/test-classes:gradus-core/target/classes:JACKSON_CORE_JAR \
 *     dev.gradus.model.ModelFixtures VERSION gradus-core/src/test/resources/fixtures
 * </pre>
 */
final class ModelFixtures {

    private ModelFixtures() {
    }

    /** A network whose parameters are θᵢ = (i − offset)/16, exact in float32. */
    private static Network network(Network.Builder builder, int offset) {
        Network net = builder.build(0);
        float[] theta = net.parameters().values();
        for (int i = 0; i < theta.length; i++) {
            theta[i] = (i - offset) / 16f;
        }
        return net;
    }

    /**
     * Three classes from a numeric column with a fill, a categorical column with a fill and a
     * numeric column without: 5 inputs → 4 relu → 3 softmax, cross-entropy.
     */
    static Model classification() {
        Preprocessing prep = new Preprocessing(Task.CLASSIFICATION,
                List.of(new Feature("petal length", List.of(), "1.5"),
                        new Feature("colour", List.of("bleu ciel", "red", "vert"), "red"),
                        new Feature("size₂", List.of())),
                new Scaler(new float[] {0.5f, 0f, 0f, 0f, -2f}, new float[] {2f, 1f, 1f, 1f, 0.25f}),
                List.of("species"), List.of("setosa", "versicolor", "virginica"), Scaler.identity(3));
        Map<String, String> training = new LinkedHashMap<>();
        training.put("optimizer", "adam(lr=0.001)");
        training.put("learning_rate", "0.001");
        training.put("epochs", "10");
        training.put("batch_size", "32");
        training.put("shuffle", "true");
        training.put("seed", "42");
        Network net = network(Network.input(5).dense(4, Activation.RELU).dense(3, Activation.SOFTMAX), 20);
        return new Model(net, prep, Loss.CROSS_ENTROPY, training);
    }

    /** Two scaled regression targets from two numeric columns: 2 → 3 tanh → 2 identity, mse. */
    static Model regression() {
        Preprocessing prep = new Preprocessing(Task.REGRESSION,
                List.of(new Feature("x", List.of()), new Feature("y", List.of())),
                new Scaler(new float[] {1f, -3f}, new float[] {0.5f, 8f}),
                List.of("t1", "t2"), List.of(),
                new Scaler(new float[] {10f, -1f}, new float[] {4f, 0.5f}));
        Map<String, String> training = new LinkedHashMap<>();
        training.put("optimizer", "sgd(lr=0.1)");
        training.put("learning_rate", "0.1");
        training.put("schedule", "step(10,0.5)");
        training.put("epochs", "100");
        training.put("batch_size", "0");
        training.put("shuffle", "false");
        training.put("seed", "7");
        Network net = network(Network.input(2).dense(3, Activation.TANH).dense(2, Activation.IDENTITY), 7);
        return new Model(net, prep, Loss.MSE, training);
    }

    /**
     * Format version 2's column transformations, all in one model: a date column with a fill
     * (three inputs: days since 1970-01-01, month, weekday), a categorical column with a shared
     * "other" input, a categorical column without one under {@code --unknown ignore}, a numeric
     * column, and an id column left out: 9 inputs → 3 relu → 2 softmax, cross-entropy.
     */
    static Model columnTypes() {
        Preprocessing prep = new Preprocessing(Task.CLASSIFICATION,
                List.of(new Feature("signed up", List.of(), "2024-03-01", false, true),
                        new Feature("city", List.of("a", "b"), null, true, false),
                        new Feature("plan", List.of("basic", "pro")),
                        new Feature("x", List.of())),
                new Scaler(new float[] {19783f, 6f, 4f, 0f, 0f, 0f, 0f, 0f, 1f},
                        new float[] {64f, 4f, 2f, 1f, 1f, 1f, 1f, 1f, 2f}),
                List.of("churned"), List.of("no", "yes"), Scaler.identity(2), UnknownCategory.IGNORE,
                List.of(new Preprocessing.LeftOut("customer id", "1000 distinct values in 1000 rows")));
        Map<String, String> training = new LinkedHashMap<>();
        training.put("optimizer", "adam(lr=0.001)");
        training.put("epochs", "3");
        Network net = network(Network.input(9).dense(3, Activation.RELU).dense(2, Activation.SOFTMAX), 12);
        return new Model(net, prep, Loss.CROSS_ENTROPY, training);
    }

    /**
     * Format version 3's stored decision: two classes, "fraud" the positive one, predicted when
     * its probability is at least 0.25: 2 inputs → 3 tanh → 2 softmax, cross-entropy.
     */
    static Model threshold() {
        Preprocessing prep = new Preprocessing(Task.CLASSIFICATION,
                List.of(new Feature("amount", List.of()), new Feature("hour", List.of())),
                new Scaler(new float[] {100f, 12f}, new float[] {50f, 6f}),
                List.of("label"), List.of("fraud", "ok"), Scaler.identity(2));
        Map<String, String> training = new LinkedHashMap<>();
        training.put("optimizer", "adam(lr=0.001)");
        training.put("class_weight", "balanced");
        Network net = network(Network.input(2).dense(3, Activation.TANH).dense(2, Activation.SOFTMAX), 9);
        return new Model(net, prep, Loss.CROSS_ENTROPY, training).withThreshold("fraud", 0.25);
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ModelFixtures VERSION OUTPUT_FOLDER");
        }
        switch (args[0]) {
            case "1" -> {
                classification().save(Path.of(args[1], "model-v1-classification.safetensors"));
                regression().save(Path.of(args[1], "model-v1-regression.safetensors"));
            }
            case "2" -> columnTypes().save(Path.of(args[1], "model-v2-column-types.safetensors"));
            case "3" -> threshold().save(Path.of(args[1], "model-v3-threshold.safetensors"));
            default -> throw new IllegalArgumentException("no fixtures for version " + args[0]);
        }
    }
}

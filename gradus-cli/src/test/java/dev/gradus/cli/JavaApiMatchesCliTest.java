package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradus.data.Csv;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.optim.Optimizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract between the Java API and the command line: a {@link ModelSpec} with a choice
 * made trains the model that {@code gradus train} with the matching flag trains, and with
 * nothing chosen the model of {@code gradus train} without training flags — the same tensors,
 * bit for bit, and the same recorded training setup.
 */
class JavaApiMatchesCliTest {

    @TempDir
    Path dir;

    private static final String IRIS = "iris_train.csv";
    private static final String DIABETES = "diabetes_train.csv";

    /** Trains with the Java API and with the CLI, and checks that both save the same model. */
    private void assertSame(String data, ModelSpec spec, String... flags) throws Exception {
        Path viaJava = dir.resolve("java.gradus");
        Path viaCli = dir.resolve("cli.gradus");
        Model.fit(Csv.read(Path.of(Cli.data(data))), spec).model().save(viaJava);

        List<String> args = new ArrayList<>(List.of("train", "--data", Cli.data(data), "--quiet",
                "--out", viaCli.toString()));
        args.addAll(List.of(flags));
        Cli run = Cli.run(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.toString());

        Model java = Model.load(viaJava);
        Model cli = Model.load(viaCli);
        // θ = W⁰, b⁰, W¹, b¹, … as one flat array; assertArrayEquals compares floats by their bits.
        assertArrayEquals(cli.network().parameters().values(), java.network().parameters().values(),
                "θ of " + String.join(" ", flags));
        // The CLI's record adds how the run went (epochs trained, final loss); how it was set up is the same.
        java.training().forEach((key, value) -> assertEquals(value, cli.training().get(key),
                "recorded " + key + " of " + String.join(" ", flags)));
    }

    @Test
    void classificationDefaults() throws Exception {
        assertSame(IRIS, ModelSpec.classification("label"), "--task", "classification", "--target", "label");
    }

    @Test
    void regressionDefaults() throws Exception {
        assertSame(DIABETES, ModelSpec.regression("target"), "--task", "regression", "--target", "target");
    }

    @Test
    void epochsMeanWhatTheFlagMeans() throws Exception {
        assertSame(IRIS, ModelSpec.classification("label").withEpochs(7),
                "--task", "classification", "--target", "label", "--epochs", "7");
        assertSame(DIABETES, ModelSpec.regression("target").withEpochs(7),
                "--task", "regression", "--target", "target", "--epochs", "7");
    }

    @Test
    void optimizerMeansWhatTheFlagMeans() throws Exception {
        // A chosen optimizer gets no regression weight decay; a full-batch one gets batch size 0.
        assertSame(DIABETES, ModelSpec.regression("target").withOptimizer(Optimizer.parse("sgd")).withEpochs(20),
                "--task", "regression", "--target", "target", "--optimizer", "sgd", "--epochs", "20");
        assertSame(DIABETES, ModelSpec.regression("target").withOptimizer(Optimizer.parse("adam(lr=0.01)")),
                "--task", "regression", "--target", "target", "--optimizer", "adam", "--lr", "0.01");
        assertSame(IRIS, ModelSpec.classification("label").withOptimizer(Optimizer.parse("lbfgs")).withEpochs(5),
                "--task", "classification", "--target", "label", "--optimizer", "lbfgs", "--epochs", "5");
    }

    @Test
    void classWeightsMeanWhatTheFlagMeans() throws Exception {
        assertSame(IRIS, ModelSpec.classification("label").withEpochs(10)
                        .withClassWeight(dev.gradus.data.ClassWeights.parse("0=3,2=0.5")),
                "--task", "classification", "--target", "label", "--epochs", "10", "--class-weight", "0=3,2=0.5");
        assertSame(IRIS, ModelSpec.classification("label").withEpochs(10)
                        .withClassWeight(dev.gradus.data.ClassWeights.BALANCED),
                "--task", "classification", "--target", "label", "--epochs", "10", "--class-weight", "balanced");
    }
}

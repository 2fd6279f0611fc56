package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.Model;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training toolkit through the command line: losses, optimizers, validation, early stopping, health. */
class TrainingFlagsTest {
    @TempDir
    Path dir;

    private Cli train(String data, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--data", Cli.data(data), "--out",
                dir.resolve("m.gradus").toString(), "--quiet"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(new String[0]));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "lbfgs", "rprop", "irprop+"})
    void everyOptimizerTrainsIris(String optimizer) {
        Cli run = train("iris_train.csv", "--task", "classification", "--optimizer", optimizer, "--epochs", "40",
                "--json");
        assertEquals(0, run.code(), run.toString());
        double loss = Double.parseDouble(run.out().replaceAll(".*\"final_loss\":([0-9.Ee-]+).*\\s*", "$1"));
        // Cross-entropy of a uniform guess over 3 classes is ln 3 = 1.10; every optimizer must beat it.
        assertTrue(loss < 1.0, optimizer + " final loss " + loss);
    }

    @Test
    void bceGivesOneSigmoidOutputAndTwoProbabilityColumns() throws Exception {
        Cli run = train("breast_cancer_train.csv", "--task", "classification", "--loss", "bce", "--epochs", "30");
        assertEquals(0, run.code(), run.toString());
        Model model = Model.load(dir.resolve("m.gradus"));
        assertEquals(1, model.network().outputs());
        Cli predict = Cli.run("predict", "--model", dir.resolve("m.gradus").toString(), "--data",
                Cli.data("breast_cancer_test.csv"));
        String[] lines = predict.out().split("\n");
        assertEquals("prediction,p_0,p_1", lines[0]);
        String[] cells = lines[1].split(",");
        assertEquals(1.0, Double.parseDouble(cells[1]) + Double.parseDouble(cells[2]), 1e-6);
        Cli evaluate = Cli.run("evaluate", "--model", dir.resolve("m.gradus").toString(), "--data",
                Cli.data("breast_cancer_test.csv"), "--json");
        assertTrue(evaluate.out().contains("\"log_loss\":") && evaluate.out().contains("\"roc_auc\":"), evaluate.out());
    }

    @Test
    void validationAndEarlyStoppingKeepTheBestEpoch() {
        Cli run = train("digits_train.csv", "--task", "classification", "--validation", Cli.data("digits_test.csv"),
                "--patience", "3", "--monitor", "accuracy", "--lr", "0.05", "--epochs", "300", "--json");
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.out().contains("\"stopped_early\":true"), "a high learning rate plateaus early: " + run.out());
        assertTrue(run.out().matches("(?s).*\"validation\":\\{\"epoch\":\\d+,\"loss\":[0-9.]+,\"accuracy\":0\\.9.*"),
                run.out());
        int epochs = Integer.parseInt(run.out().replaceAll(".*\"epochs\":(\\d+).*\\s*", "$1"));
        assertTrue(epochs < 300, "stopped after " + epochs + " epochs");
    }

    @Test
    void withoutEpochsTheTrainingLossPlateauStopsTraining() {
        Cli run = train("iris_train.csv", "--task", "classification", "--lr", "0.05", "--json");
        assertEquals(0, run.code(), run.toString());
        int epochs = Integer.parseInt(run.out().replaceAll(".*\"epochs\":(\\d+).*\\s*", "$1"));
        assertTrue(run.out().contains("\"stopped_early\":true") && epochs < dev.gradus.train.Defaults.MAX_EPOCHS,
                "stopped after " + epochs + " epochs: " + run.out());
        Cli exact = train("iris_train.csv", "--task", "classification", "--lr", "0.05", "--epochs", "300", "--json");
        assertTrue(exact.out().contains("\"epochs\":300"), "--epochs alone runs exactly that many: " + exact.out());
    }

    @Test
    void restoredWeightsAreReportedAsTheKeptEpoch() {
        // Patience 300 of 300 epochs: the run cannot stop early, yet the best epoch's weights are
        // the ones kept, and the report must say which.
        Cli run = train("iris_train.csv", "--task", "classification", "--validation-fraction", "0.25",
                "--epochs", "300", "--patience", "300", "--lr", "0.05", "--json");
        assertEquals(0, run.code(), run.toString());
        int kept = Integer.parseInt(run.out().replaceAll(".*\"kept_epoch\":(\\d+).*\\s*", "$1"));
        assertTrue(run.out().contains("\"stopped_early\":false"), run.out());
        assertTrue(kept < 300, "an overfitting run keeps an earlier epoch: " + run.out());
        assertTrue(run.out().contains("\"validation\":{\"epoch\":" + kept + ","), run.out());
        assertTrue(run.out().contains("\"rows\":84"), "112 rows less the 28 held out for validation: " + run.out());
    }

    @Test
    void theTrainingLossRuleKeepsTheLastWeightsAsScikitLearnDoes() {
        Cli run = train("iris_train.csv", "--task", "classification", "--json");
        assertEquals(0, run.code(), run.toString());
        int epochs = Integer.parseInt(run.out().replaceAll(".*\"epochs\":(\\d+).*\\s*", "$1"));
        assertTrue(run.out().contains("\"kept_epoch\":" + epochs + ","), run.out());
    }

    @Test
    void monitorAloneTurnsEarlyStoppingOn() {
        Cli run = train("iris_train.csv", "--task", "classification", "--validation-fraction", "0.25",
                "--monitor", "accuracy", "--epochs", "300", "--lr", "0.05", "--json");
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.out().contains("\"stopped_early\":true"), "accuracy on 28 rows plateaus within 300 epochs: "
                + run.out());
    }

    @Test
    void healthReportIsPrinted() {
        Cli run = Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification", "--scale", "none",
                "--epochs", "3", "--health", "--out", dir.resolve("m.gradus").toString());
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.out().toLowerCase(java.util.Locale.ROOT).contains("unscaled"),
                "wine's proline column (~1000) is far from unit scale:\n" + run.out());
    }

    @Test
    void invalidCombinationsAreUsageErrors() {
        assertUsage(train("iris_train.csv", "--optimizer", "adam", "--momentum", "0.5"), "momentum");
        assertUsage(train("iris_train.csv", "--monitor", "loss"), "--monitor loss needs validation rows");
        assertUsage(train("iris_train.csv", "--optimizer", "lbfgs", "--batch-size", "16"), "full batch");
        assertUsage(train("iris_train.csv", "--task", "classification", "--loss", "bce"), "two classes");
        assertUsage(train("diabetes_train.csv", "--loss", "cross-entropy"), "classification");
        assertUsage(train("iris_train.csv", "--dropout", "1"), "--dropout");
        assertUsage(train("iris_train.csv", "--schedule", "zigzag"), "--schedule");
        assertUsage(train("iris_train.csv", "--loss", "hinge"), "--loss");
        assertUsage(train("iris_train.csv", "--validation", Cli.data("iris_test.csv"), "--validation-fraction", "0.2"),
                "cannot be combined");
        assertUsage(train("diabetes_train.csv", "--validation-fraction", "0.2", "--monitor", "accuracy"), "--monitor");
        Cli init = train("iris_train.csv", "--task", "classification", "--epochs", "0");
        assertEquals(0, init.code(), init.toString());
        Path model = dir.resolve("init.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification", "--epochs",
                "0", "--quiet", "--out", model.toString()).code());
        assertUsage(train("iris_train.csv", "--init", model.toString(), "--scale", "minmax"),
                "--scale minmax cannot be combined with --init");
        assertUsage(train("iris_train.csv", "--init", model.toString(), "--impute", "mean"),
                "--impute cannot be combined with --init");
        assertUsage(train("iris_train.csv", "--init", model.toString(), "--bias-init", "zero"),
                "--bias-init cannot be combined with --init");
        assertUsage(train("iris_train.csv", "--bias-init", "normal"), "--bias-init");
    }

    @Test
    void biasInitChoosesHowANewNetworksBiasesStart() throws Exception {
        // --epochs 0 writes the initialised network: drawn biases by default, zeros on request,
        // and the same weights of layer 0 either way (they are drawn first).
        assertEquals(0, train("diabetes_train.csv", "--epochs", "0").code());
        Model drawn = Model.load(dir.resolve("m.gradus"));
        assertEquals(0, train("diabetes_train.csv", "--epochs", "0", "--bias-init", "zero").code());
        Model zero = Model.load(dir.resolve("m.gradus"));
        double a = dev.gradus.nn.Init.XAVIER_UNIFORM.bound(drawn.network().inputs(), 100);
        double largest = 0;
        for (int j = 0; j < 100; j++) {
            float b = drawn.network().bias(0).get(0, j);
            assertTrue(Math.abs(b) <= a, "bias " + b + " outside ±" + a);
            largest = Math.max(largest, Math.abs(b));
            assertEquals(0f, zero.network().bias(0).get(0, j));
        }
        assertTrue(largest > 0.5 * a, "100 biases drawn from ±" + a + " reach only " + largest);
        assertEquals(drawn.network().weights(0).get(3, 2), zero.network().weights(0).get(3, 2));
    }

    private static void assertUsage(Cli run, String fragment) {
        assertEquals(2, run.code(), run.toString());
        assertTrue(run.err().contains(fragment), "'" + fragment + "' in " + run.err());
    }
}

package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command says around its results: failures, typos, --quiet, task inference, inspect. */
class MessagesTest {
    @TempDir
    Path dir;

    private Path wineModel() {
        Path model = dir.resolve("wine.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification", "--epochs", "5",
                "--quiet", "--out",
                model.toString());
        assertEquals(0, train.code(), train.toString());
        return model;
    }

    @Test
    void aFailingCommandPrintsNothingOnStdout() throws Exception {
        Path model = wineModel();
        // The rows load and the first line could be printed; a class the model never saw fails the scoring.
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(Cli.data("wine_test.csv"))));
        String row = lines.get(5);
        lines.set(5, row.substring(0, row.lastIndexOf(',') + 1) + "7");
        Path data = Files.write(dir.resolve("unseen_class.csv"), lines);
        Cli evaluate = Cli.run("evaluate", "--model", model.toString(), "--data", data.toString());
        assertEquals(1, evaluate.code(), evaluate.toString());
        assertEquals("", evaluate.out(), "no partial result on stdout");
        assertTrue(evaluate.err().startsWith("gradus: ") && evaluate.err().contains("line 6, column 'label': class '7' was not seen"), evaluate.err());
    }

    @Test
    void typosGetSuggestions() {
        Cli flag = Cli.run("train", "--data", Cli.data("iris_train.csv"), "--activaton", "tanh", "--out",
                dir.resolve("m.gradus").toString());
        assertEquals(2, flag.code(), flag.toString());
        assertTrue(flag.err().contains("unknown option '--activaton'; did you mean '--activation'"), flag.err());
        Cli command = Cli.run("trian", "--data", Cli.data("iris_train.csv"));
        assertEquals(2, command.code(), command.toString());
        assertTrue(command.err().contains("unknown command 'trian'; did you mean 'train'"), command.err());
        assertEquals("", flag.out() + command.out());
    }

    /**
     * {@code gradus train …} builds only train's options; help, no subcommand and an option
     * before the subcommand still see every subcommand, and {@code --verbose} reaches it.
     */
    @Test
    void helpListsEverySubcommandAndVerboseReachesTheOneRun() {
        Cli help = Cli.run("--help");
        assertEquals(0, help.code(), help.toString());
        for (String name : List.of("train", "cv", "tune", "evaluate", "predict", "inspect", "export", "import", "demo",
                "bench", "serve", "help")) {
            assertTrue(help.out().contains("\n  " + name + " "), name + " in\n" + help.out());
        }
        Cli helpTrain = Cli.run("help", "train");
        assertEquals(0, helpTrain.code(), helpTrain.toString());
        assertTrue(helpTrain.out().startsWith("Usage: gradus train "), helpTrain.out());
        Cli none = Cli.run();
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().contains("missing subcommand"), none.err());
        String missing = dir.resolve("absent.csv").toString();
        String out = dir.resolve("m.gradus").toString();
        for (Cli verbose : List.of(Cli.run("train", "--data", missing, "--out", out, "--verbose"),
                Cli.run("--verbose", "train", "--data", missing, "--out", out))) {
            assertEquals(1, verbose.code(), verbose.toString());
            assertTrue(verbose.err().contains("absent.csv") && verbose.err().contains("\tat "),
                    "a stack trace with --verbose:\n" + verbose.err());
        }
    }

    @Test
    void quietSilencesStderrAndKeepsEveryResult() {
        Path model = dir.resolve("m.gradus");
        Cli run = Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification", "--epochs", "5",
                "--test",
                Cli.data("wine_test.csv"), "--health", "--quiet", "--out", model.toString());
        assertEquals(0, run.code(), run.toString());
        assertEquals("", run.err(), "no progress or notices with --quiet");
        assertTrue(run.out().contains("test rows (45):") && run.out().contains("accuracy"), "test scores:\n" + run.out());
        assertTrue(run.out().contains("model written to"), run.out());
        Cli loud = Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification", "--epochs", "5",
                "--test",
                Cli.data("wine_test.csv"), "--health", "--progress", "plain", "--out", model.toString());
        assertEquals(loud.out().replaceAll("[0-9.]+ s \\([0-9]+ samples/s\\)", "T"),
                run.out().replaceAll("[0-9.]+ s \\([0-9]+ samples/s\\)", "T"), "--quiet changes stderr only");
        assertTrue(loud.err().contains("epoch 5/5"), loud.err());
    }

    @Test
    void aMissingTargetCellIsNeverImputedAndSaysSo() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(Cli.data("iris_train.csv"))));
        String row = lines.get(3);
        lines.set(3, row.substring(0, row.lastIndexOf(',') + 1));
        Path data = Files.write(dir.resolve("no_target.csv"), lines);
        Cli run = Cli.run("train", "--data", data.toString(), "--impute", "mean", "--out",
                dir.resolve("m.gradus").toString());
        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().contains("line 4") && run.err().contains("missing target value (targets are never "
                + "imputed; --impute fills missing feature cells only)"), run.err());
        assertFalse(run.err().contains("no fill value"), run.err());
    }

    @Test
    void taskInferenceIsExplainedAndSuspiciousTasksWarned() throws Exception {
        // Integer class ids 0..4 and no --task: a regression, with a warning.
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int r = 0; r < 200; r++) {
            csv.append(r % 7).append(',').append(r % 11).append(',').append(r % 5).append('\n');
        }
        Path ids = Files.writeString(dir.resolve("ids.csv"), csv);
        Cli regression = Cli.run("train", "--data", ids.toString(), "--epochs", "2", "--out",
                dir.resolve("r.gradus").toString());
        assertEquals(0, regression.code(), regression.toString());
        assertTrue(regression.err().contains("task: regression (target y) inferred (every target cell is a number); 200 training rows"),
                regression.err());
        assertTrue(regression.err().contains("warning: target 'y' holds only 5 distinct integer values (0 to 4); "
                + "trained as a regression. If these are class ids, give --task classification"), regression.err());
        Cli quiet = Cli.run("train", "--data", ids.toString(), "--epochs", "2", "--quiet", "--out",
                dir.resolve("r.gradus").toString());
        assertTrue(quiet.err().startsWith("warning: target 'y'"), "warnings show with --quiet: " + quiet.err());
        Cli told = Cli.run("train", "--data", ids.toString(), "--epochs", "2", "--task", "regression", "--out",
                dir.resolve("r.gradus").toString());
        assertFalse(told.err().contains("warning"), "--task regression was a choice: " + told.err());

        // A continuous target made into classes: about one class per row.
        Cli classes = Cli.run("train", "--data", Cli.data("diabetes_train.csv"), "--task", "classification",
                "--epochs", "1", "--out", dir.resolve("c.gradus").toString());
        assertEquals(0, classes.code(), classes.toString());
        assertTrue(classes.err().matches("(?s).*warning: [0-9]+ classes from 331 training rows: is target 'target' a "
                + "continuous quantity\\? For a regression, give --task regression.*"), classes.err());
        assertTrue(classes.err().contains("task: classification (target 'target', ") && classes.err().contains(
                "classes) as chosen; 331 training rows"), classes.err());

        Cli wine = Cli.run("train", "--data", Cli.data("wine_train.csv"), "--task", "classification", "--epochs", "1",
                "--out", dir.resolve("w.gradus").toString());
        assertFalse(wine.err().contains("warning"), wine.err());
    }

    @Test
    void inspectShowsHowTrainingEnded() {
        Path model = dir.resolve("d.gradus");
        Cli train = Cli.run("train", "--data", Cli.data("diabetes_train.csv"), "--validation-fraction", "0.2",
                "--patience", "3", "--epochs", "300", "--quiet", "--json", "--out", model.toString());
        assertEquals(0, train.code(), train.toString());
        String json = train.out();
        String epochs = json.replaceAll("(?s).*\"epochs\":([0-9]+).*", "$1");
        String kept = json.replaceAll("(?s).*\"kept_epoch\":([0-9]+).*", "$1");
        assertTrue(json.contains("\"stopped_early\":true"), json);
        Cli inspect = Cli.run("inspect", "--model", model.toString());
        assertEquals(0, inspect.code(), inspect.toString());
        assertTrue(inspect.out().contains("trained     " + epochs + " epochs (at most 300), stopped early, keeping "
                + "epoch " + kept), inspect.out());
        assertTrue(inspect.out().matches("(?s).*final loss  [0-9.e+-]+ \\(mse\\) on all training rows, in the "
                + "targets' own units.*"), inspect.out());
        assertTrue(inspect.out().contains("max_epochs=300"), inspect.out());
        Cli inspectJson = Cli.run("inspect", "--model", model.toString(), "--json");
        assertTrue(inspectJson.out().contains("\"epochs_trained\":\"" + epochs + "\"")
                && inspectJson.out().contains("\"kept_epoch\":\"" + kept + "\""), inspectJson.out());
    }
}

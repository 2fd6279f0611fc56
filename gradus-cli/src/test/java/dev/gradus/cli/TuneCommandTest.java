package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gradus tune} through the real entry point, on iris (small networks, at most 30 epochs). */
class TuneCommandTest {

    static String[] tune(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("tune", "--data", Cli.data("iris.csv"), "--task", "classification",
                "--space", "width=4..16", "--space", "depth=1..2", "--epochs", "30", "--threads", "1", "--out",
                out.toString()));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    static String field(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return m.group(1).replace("\\\"", "\"");
    }

    static float[] weights(Path model) throws Exception {
        return Model.load(model).network().parameters().values();
    }

    @Test
    void thePrintedTrainCommandGivesTheModelWritten(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("best.gradus");
        // no --epochs: trials stop early on the held-out rows, the retraining runs the best trial's kept epochs
        Cli r = Cli.run("tune", "--data", Cli.data("iris.csv"), "--task", "classification", "--space", "width=4..16",
                "--space", "depth=1..2", "--threads", "1", "--trials", "6", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        String[] lines = r.out().strip().split("\n");
        String command = lines[lines.length - 1];
        assertTrue(command.startsWith("gradus train --data " + Cli.data("iris.csv") + " --task classification "
                + "--layers "), command);
        assertTrue(command.matches(".* --dropout [0-9.]+ --epochs \\d+ --seed \\d+ --out .*"), command);
        assertTrue(r.out().contains("best: trial "), r.out());
        // stderr: the live table, a row per trial, and the retraining
        assertTrue(r.err().contains("trial       seed depth width"), r.err());
        assertEquals(6, r.err().lines().filter(l -> l.matches("\\s+\\d+ +\\d+ .*")).count(), r.err());
        assertTrue(r.err().contains("retraining trial"), r.err());

        Path again = dir.resolve("again.gradus");
        String[] train = command.replace(out.toString(), again.toString()).split(" ");
        Cli t = Cli.run(Arrays.copyOfRange(train, 1, train.length));
        assertEquals(0, t.code(), t.toString());
        assertArrayEquals(weights(out), weights(again));
    }

    /**
     * Weights in a search: trials train weighted and are scored on held-out rows weighted by their
     * sample weights; the printed command carries the weight flags and gives the model written.
     */
    @Test
    void aWeightedSearchPrintsItsWeightFlagsAndTheirModel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("best.gradus");
        Cli r = Cli.run("tune", "--data", Cli.data("customers.csv"), "--target", "churned", "--impute", "mean",
                "--sample-weight", "visits", "--class-weight", "balanced", "--space", "width=4..16",
                "--space", "depth=1", "--threads", "1", "--trials", "3", "--epochs", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("; weighted by "), r.err());
        assertTrue(r.err().contains("scores weighted by visits"), r.err());
        String[] lines = r.out().strip().split("\n");
        String command = lines[lines.length - 1];
        assertTrue(command.contains(" --sample-weight visits --class-weight balanced "), command);
        Path again = dir.resolve("again.gradus");
        String[] train = command.replace(out.toString(), again.toString()).split(" ");
        Cli t = Cli.run(Arrays.copyOfRange(train, 1, train.length));
        assertEquals(0, t.code(), t.toString());
        assertArrayEquals(weights(out), weights(again));
        assertTrue(Model.load(out).preprocessing().features().stream().noneMatch(f -> f.name().equals("visits")),
                "the sample-weight column is not a feature");
    }

    @Test
    void withANumberOfTrialsTheSearchRepeatsAndAStudyResumes(@TempDir Path dir) throws Exception {
        Cli a = Cli.run(tune(dir.resolve("a.gradus"), "--trials", "7", "--json", "--quiet"));
        Cli b = Cli.run(tune(dir.resolve("b.gradus"), "--trials", "7", "--json", "--quiet"));
        assertEquals(0, a.code(), a.toString());
        assertEquals("", a.err());
        assertEquals(field(a.out(), "command").replace("a.gradus", "b.gradus"), field(b.out(), "command"));
        assertEquals(a.out().replaceAll("\"seconds\":[0-9.eE-]+", "").replace("a.gradus", "x"),
                b.out().replaceAll("\"seconds\":[0-9.eE-]+", "").replace("b.gradus", "x"));
        assertArrayEquals(weights(dir.resolve("a.gradus")), weights(dir.resolve("b.gradus")));

        Path study = dir.resolve("study.json");
        Cli first = Cli.run(tune(dir.resolve("c.gradus"), "--trials", "3", "--study", study.toString(), "--quiet"));
        assertEquals(0, first.code(), first.toString());
        assertTrue(Files.readString(study).contains("\"format\" : \"gradus-study\""), Files.readString(study));
        Cli rest = Cli.run(tune(dir.resolve("c.gradus"), "--trials", "7", "--study", study.toString(), "--json"));
        assertEquals(0, rest.code(), rest.toString());
        assertTrue(rest.out().contains("\"resumed\":3"), rest.out());
        assertTrue(rest.err().contains("resumed"), rest.err());
        assertEquals(field(a.out(), "command").replace("a.gradus", "c.gradus"), field(rest.out(), "command"));
        assertArrayEquals(weights(dir.resolve("a.gradus")), weights(dir.resolve("c.gradus")));

        Cli other = Cli.run(tune(dir.resolve("d.gradus"), "--trials", "7", "--study", study.toString(),
                "--space", "lr=1e-3..1e-2"));
        assertEquals(1, other.code(), other.toString());
        assertTrue(other.err().contains("the study was run with space"), other.err());
    }

    @Test
    void crossValidatedSearchReportsTheMeanOfTheFolds(@TempDir Path dir) {
        Cli r = Cli.run(tune(dir.resolve("m.gradus"), "--trials", "3", "--folds", "3", "--metric", "f1_macro"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("f1_macro") && r.out().contains("(mean of 3 folds)"), r.out());
        assertTrue(r.err().contains("3-fold cross-validation"), r.err());
    }

    @Test
    void aTimeLimitEndsASearchWithoutANumberOfTrials(@TempDir Path dir) {
        Cli r = Cli.run(tune(dir.resolve("m.gradus"), "--time-limit", "8s", "--json", "--quiet"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("\"stopped_by_time\":true"), r.out());
    }

    static String[] twoThreads(String[] args) {
        String[] a = args.clone();
        a[Arrays.asList(a).indexOf("--threads") + 1] = "2";
        return a;
    }

    @Test
    void aTimeLimitRunsTrialsOnEveryThreadAtOnce(@TempDir Path dir) {
        Cli r = Cli.run(twoThreads(tune(dir.resolve("m.gradus"), "--time-limit", "8s")));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains(", 2 trials at a time"), r.err());
        Cli one = Cli.run(twoThreads(tune(dir.resolve("n.gradus"), "--trials", "2")));
        assertEquals(0, one.code(), one.toString());
        assertFalse(one.err().contains("trials at a time"), "without --time-limit one worker: " + one.err());
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag(@TempDir Path dir) {
        Path out = dir.resolve("m.gradus");
        String[][] cases = {
            {"--space", "lr=fast", "--space lr: 'fast' is not a number"},
            {"--space", "colour=red", "--space colour: unknown search key 'colour'"},
            {"--space", "lr", "--space needs KEY=SPEC"},
            {"--time-limit", "4x", "--time-limit: '4x' is not a duration"},
            {"--trials", "0", "--trials must be between 1 and 1000000, got 0"},
            {"--folds", "1", "--folds must be 0 (a holdout) or between 2 and 1000, got 1"},
            {"--holdout", "1.5", "--holdout must be strictly between 0 and 1, got 1.5"},
            {"--metric", "r2", "--metric: r2 is for regression"},
            {"--metric", "speed", "--metric: unknown metric 'speed'"},
            {"--optimizer", "sgd", "--optimizer cannot be combined with tune"},
            {"--lr", "0.01", "--lr and --space lr both set the search's lr"},
            {"--layers", "8", "--layers and --space depth both set the search's depth"},
            {"--eta", "1", "--eta must be above 1"},
            {"--workers", "0", "--workers must be between 1 and 1024, got 0"},
        };
        for (String[] c : cases) {
            String[] args = c[0].equals("--lr") ? tune(out, c[0], c[1], "--space", "lr=1e-3..1e-2")
                    : tune(out, c[0], c[1]);
            Cli r = Cli.run(args);
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().startsWith("gradus: " + c[2]), c[2] + " in " + r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("gradus:")).count(), r.err());
            assertEquals("", r.out());
        }
        Cli layers = Cli.run("tune", "--data", Cli.data("iris.csv"), "--layers", "8,16", "--out", out.toString());
        assertEquals(2, layers.code(), layers.toString());
        assertTrue(layers.err().startsWith("gradus: --layers: the search gives every hidden layer one width"),
                layers.err());
    }
}

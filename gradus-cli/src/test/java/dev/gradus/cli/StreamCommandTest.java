package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.model.Model;
import dev.gradus.model.RowCache;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gradus train --stream}: the rows go through the disk cache (here a temporary folder, never
 * the real home), the model's weights are those of the in-memory run, the cache is reused and
 * {@code --no-cache} leaves nothing behind; flags that need every row in memory are usage errors.
 */
class StreamCommandTest {
    @TempDir
    Path dir;

    private Path cache;
    private String previous;

    @BeforeEach
    void pointTheCacheAtATemporaryFolder() {
        cache = dir.resolve("cache");
        previous = System.getProperty(RowCache.DIRECTORY_PROPERTY);
        System.setProperty(RowCache.DIRECTORY_PROPERTY, cache.toString());
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty(RowCache.DIRECTORY_PROPERTY);
        } else {
            System.setProperty(RowCache.DIRECTORY_PROPERTY, previous);
        }
    }

    private Cli train(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", Cli.data("customers.csv"), "--target",
                "churned", "--impute", "mean", "--epochs", "3", "--batch-size", "32", "--validation-fraction", "0.2",
                "--out", out.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    /**
     * Runs {@code args} with {@code --stream off} and with {@code --stream on}: both succeed and
     * print the same; the streamed run is returned. {@code args} is left ending in {@code --stream on}.
     */
    private static Cli assertStreamedAsWhole(List<String> args, String what) {
        args.addAll(List.of("--stream", "off"));
        Cli whole = Cli.run(args.toArray(String[]::new));
        args.set(args.size() - 1, "on");
        Cli streamed = Cli.run(args.toArray(String[]::new));
        assertEquals(0, whole.code(), whole.toString());
        assertEquals(0, streamed.code(), streamed.toString());
        assertEquals(whole.out(), streamed.out(), what);
        return streamed;
    }

    /** The warning lines of {@code gradus train args… --stream off} and {@code --stream on}, which must agree. */
    private static List<String> trainWarnings(String... args) {
        List<List<String>> warned = new ArrayList<>();
        for (String stream : List.of("off", "on")) {
            List<String> run = new ArrayList<>(List.of("train"));
            run.addAll(List.of(args));
            run.addAll(List.of("--stream", stream));
            Cli cli = Cli.run(run.toArray(String[]::new));
            assertEquals(0, cli.code(), cli.toString());
            warned.add(cli.err().lines().filter(l -> l.startsWith("warning: ")).toList());
        }
        assertEquals(warned.get(0), warned.get(1), "--stream off, then on");
        return warned.get(1);
    }

    @Test
    void aStreamedRunWarnsOfASuspiciousTaskAsAWholeOneDoes() throws Exception {
        // integer class ids 0..4 and no --task: inferred as a regression, with a warning
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int r = 0; r < 200; r++) {
            csv.append(r % 7).append(',').append(r % 11).append(',').append(r % 5).append('\n');
        }
        Path ids = Files.writeString(dir.resolve("ids.csv"), csv);
        assertEquals(List.of("warning: target 'y' holds only 5 distinct integer values (0 to 4); trained as a "
                + "regression. If these are class ids, give --task classification"),
                trainWarnings("--data", ids.toString(), "--epochs", "1", "--out", dir.resolve("r.gradus").toString()));

        // a continuous target made into classes: about one class per row
        List<String> classes = trainWarnings("--data", Cli.data("diabetes_train.csv"), "--task", "classification",
                "--epochs", "1", "--out", dir.resolve("c.gradus").toString());
        assertEquals(1, classes.size(), classes.toString());
        assertTrue(classes.get(0).matches("warning: [0-9]+ classes from 331 training rows: is target 'target' a "
                + "continuous quantity\\? For a regression, give --task regression"), classes.toString());
    }

    /** data/customers.csv's rows repeated to 1.5 MiB: two chunks of the streamed reader. */
    private static StringBuilder manyCustomers() throws Exception {
        List<String> lines = Files.readAllLines(Path.of(Cli.data("customers.csv")));
        StringBuilder big = new StringBuilder(lines.get(0)).append('\n');
        for (int rows = 0; big.length() < 3 << 19; rows++) {
            big.append(lines.get(1 + rows % (lines.size() - 1))).append('\n');
        }
        return big;
    }

    private static long files(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.count();
        }
    }

    @Test
    void aStreamedRunGivesTheInMemoryWeightsAndReusesItsCache() throws Exception {
        Path memory = dir.resolve("memory.gradus");
        Path streamed = dir.resolve("streamed.gradus");
        Cli a = train(memory, "--stream", "off");
        assertEquals(0, a.code(), a.toString());
        assertEquals(0, files(cache), "an in-memory run writes no cache");
        Cli b = train(streamed, "--stream");
        assertEquals(0, b.code(), b.toString());
        assertTrue(b.err().contains("streaming the rows from a new cache"), b.err());
        assertTrue(b.err().contains("'customer_id' is left out"), b.err());
        assertArrayEquals(Model.load(memory).network().parameters().values(),
                Model.load(streamed).network().parameters().values());
        assertEquals(Model.load(memory).preprocessing(), Model.load(streamed).preprocessing());
        assertEquals(2, files(cache), "one rows file and one description");

        Cli c = train(dir.resolve("again.gradus"), "--stream", "on");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("streaming the rows from the cache"), c.err());
        assertTrue(c.err().contains("'customer_id' is left out"), "the warnings come again: " + c.err());
        assertArrayEquals(Model.load(memory).network().parameters().values(),
                Model.load(dir.resolve("again.gradus")).network().parameters().values());

        Cli d = train(dir.resolve("temporary.gradus"), "--stream", "--no-cache", "--json");
        assertEquals(0, d.code(), d.toString());
        assertTrue(d.out().contains("\"rows\":480"), d.out());
        assertEquals(2, files(cache), "--no-cache adds nothing to the cache");
    }

    @Test
    void streamedPredictionsAreThoseOfTheWholeFileAndAnErrorOnStdoutSaysWhereItStopped() throws Exception {
        Path model = dir.resolve("m.gradus");
        assertEquals(0, train(model, "--stream", "off").code());
        // Many rows (more than one chunk of the reader), then one with an unknown city.
        StringBuilder big = manyCustomers();
        int rows = (int) big.chars().filter(c -> c == '\n').count() - 1;
        Path data = dir.resolve("many.csv");
        Files.writeString(data, big);
        for (String format : List.of("csv", "json")) {
            List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--data",
                    data.toString(), "--id", "customer_id"));
            if (format.equals("json")) {
                args.add("--json");
            }
            Cli streamed = assertStreamedAsWhole(args, format);
            Path out = dir.resolve("p." + format);
            args.addAll(List.of("--out", out.toString()));
            assertEquals(0, Cli.run(args.toArray(String[]::new)).code());
            assertEquals(streamed.out(), Files.readString(out), format + " to --out");
        }
        assertEquals(1 + rows, Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--stream")
                .out().lines().count());

        Files.writeString(data, big.append("CU-99999;2023-01-01;Atlantis;40;3;10.00;no\n"));
        Path out = dir.resolve("bad.csv");
        Cli toFile = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--stream", "--out",
                out.toString());
        assertEquals(1, toFile.code(), toFile.toString());
        assertFalse(Files.exists(out), "nothing is written to --out");
        Cli toStdout = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--stream");
        assertEquals(1, toStdout.code(), toStdout.toString());
        assertEquals(1, toStdout.err().lines().count(), toStdout.err());
        assertTrue(toStdout.err().contains("line " + (rows + 2) + ", column 'city': unknown category 'Atlantis'"),
                toStdout.err());
        assertTrue(toStdout.err().contains("predictions for the " + rows + " rows before it were written to stdout"),
                toStdout.err());
        assertEquals(1 + rows, toStdout.out().lines().count(), "the rows before the bad one are out");
    }

    /**
     * A streamed run's {@code --validation} file is encoded into the cache and scored from it a
     * block at a time: the validation loss and accuracy of every epoch, early stopping and the
     * kept weights are those of the run with every row in memory, bit for bit; a bad row of the
     * validation file fails the run before training, naming the file and line.
     */
    @Test
    void aStreamedValidationFileIsScoredAsTheWholeFile() throws Exception {
        StringBuilder big = manyCustomers();
        int rows = (int) big.chars().filter(c -> c == '\n').count() - 1;
        Path validation = dir.resolve("validation.csv");
        Files.writeString(validation, big);
        for (List<String> more : List.of(List.of("--epochs", "4"),
                List.of("--epochs", "40", "--patience", "2", "--monitor", "accuracy", "--json"),
                List.of("--epochs", "6", "--patience", "3", "--loss", "bce"))) {
            Path memory = dir.resolve("memory.gradus");
            Path streamed = dir.resolve("streamed.gradus");
            List<String> args = new ArrayList<>(List.of("train", "--data", Cli.data("customers.csv"), "--target",
                    "churned", "--impute", "mean", "--batch-size", "32", "--validation", validation.toString(),
                    "--seed", "3"));
            args.addAll(more);
            args.addAll(List.of("--out", memory.toString(), "--stream", "off"));
            Cli whole = Cli.run(args.toArray(String[]::new));
            assertEquals(0, whole.code(), whole.toString());
            args.set(args.size() - 3, streamed.toString());
            args.set(args.size() - 1, "on");
            Cli chunked = Cli.run(args.toArray(String[]::new));
            assertEquals(0, chunked.code(), chunked.toString());
            assertArrayEquals(Model.load(memory).network().parameters().values(),
                    Model.load(streamed).network().parameters().values(), more.toString());
            String validated = more.contains("--json") ? "\"validation\":{" : "validation (epoch";
            String line = whole.out().lines().filter(l -> l.contains(validated)).findFirst().orElseThrow();
            String streamedLine = chunked.out().lines().filter(l -> l.contains(validated)).findFirst().orElseThrow();
            if (more.contains("--json")) {   // the final loss of a streamed run is a mean of block losses
                line = line.substring(line.indexOf(validated), line.indexOf("\"model\""));
                streamedLine = streamedLine.substring(streamedLine.indexOf(validated), streamedLine.indexOf("\"model\""));
                assertTrue(line.contains("\"stopped_early\":true"), "early stopping is exercised: " + line);
            }
            assertEquals(line, streamedLine, more.toString());
        }
        assertEquals(4, files(cache), "the training rows and the validation rows, each a rows file and a description");

        Files.writeString(validation, big.append("CU-99999;2023-01-01;Lille;forty;3;10.00;no\n"));
        Path out = dir.resolve("bad.gradus");
        Cli bad = Cli.run("train", "--data", Cli.data("customers.csv"), "--target", "churned", "--impute", "mean",
                "--validation", validation.toString(), "--out", out.toString(), "--stream");
        assertEquals(1, bad.code(), bad.toString());
        List<String> errors = bad.err().lines().filter(l -> !l.startsWith("warning: ")).toList();
        assertEquals(1, errors.size(), bad.err());
        assertTrue(errors.get(0).startsWith("gradus: " + validation + ": line " + (rows + 2) + ", column 'age'"),
                bad.err());
        assertFalse(Files.exists(out), "nothing is written");
    }

    /**
     * The rows a validation fraction holds out of a streamed run stay in the cache and are scored
     * from it a block at a time: with the default stopping rule (10% of 2,000 rows or more) and
     * with early stopping on accuracy over 5,706 held rows (six blocks), the validation scores,
     * the stopping epoch and the kept weights are those of the run with every row in memory.
     */
    @Test
    void heldOutRowsOfAStreamedRunAreScoredAsInMemory() throws Exception {
        Path many = dir.resolve("many.csv");
        Files.writeString(many, manyCustomers());
        List<String> lines = Files.readAllLines(many);
        Path some = dir.resolve("some.csv");
        Files.write(some, lines.subList(0, 2_501));
        for (List<String> more : List.of(List.of("--data", some.toString(), "--patience", "1"),
                List.of("--data", many.toString(), "--validation-fraction", "0.15", "--epochs", "12", "--patience", "1",
                        "--monitor", "accuracy", "--class-weight", "balanced", "--json"))) {
            List<String> scores = new ArrayList<>();
            List<Path> models = new ArrayList<>();
            for (String how : List.of("off", "on")) {
                Path out = dir.resolve("held-" + how + ".gradus");
                List<String> args = new ArrayList<>(List.of("train", "--target", "churned",
                        "--impute", "mean", "--batch-size", "64", "--seed", "5", "--out", out.toString(), "--stream",
                        how));
                args.addAll(more);
                Cli c = Cli.run(args.toArray(String[]::new));
                assertEquals(0, c.code(), c.toString());
                models.add(out);
                String line = c.out().lines().filter(l -> l.contains("validation")).findFirst().orElseThrow();
                if (more.contains("--json")) {   // the final loss of a streamed run is a mean of block losses
                    line = line.substring(line.indexOf("\"validation\""), line.indexOf("\"model\""));
                    assertTrue(line.contains("\"stopped_early\":true"), "early stopping is exercised: " + line);
                }
                scores.add(line);
            }
            assertArrayEquals(weights(models.get(0)), weights(models.get(1)), more.toString());
            assertEquals(scores.get(0), scores.get(1), more.toString());
        }
    }

    private static Cli customers(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", Cli.data("customers.csv"), "--target",
                "churned", "--impute", "mean", "--batch-size", "32", "--validation-fraction", "0.2", "--optimizer",
                "adam", "--out", out.toString()));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    private static float[] weights(Path model) throws Exception {
        return Model.load(model).network().parameters().values();
    }

    /**
     * {@code --checkpoint} and {@code --resume} in streamed runs: a streamed run stopped after 3
     * epochs and resumed to 7 (streamed, or from an in-memory run's checkpoint) ends with the
     * weights of the uninterrupted run, bit for bit; {@code --init} trains a model further on rows
     * encoded for its preprocessing as the in-memory run does.
     */
    @Test
    void aResumedStreamedRunEndsWithTheUninterruptedWeights() throws Exception {
        Path whole = dir.resolve("whole.gradus");
        Cli a = customers(whole, "--epochs", "7", "--stream", "off");
        assertEquals(0, a.code(), a.toString());
        for (String first : List.of("on", "off")) {
            Path ckpt = dir.resolve("ckpt-" + first);
            Cli b = customers(dir.resolve("part.gradus"), "--epochs", "3", "--checkpoint", ckpt.toString(), "--stream",
                    first);
            assertEquals(0, b.code(), b.toString());
            Path resumed = dir.resolve("resumed-" + first + ".gradus");
            Cli c = Cli.run("train", "--data", Cli.data("customers.csv"), "--resume", ckpt.toString(), "--epochs", "7",
                    "--out", resumed.toString(), "--stream", "on");
            assertEquals(0, c.code(), c.toString());
            assertTrue(c.err().contains("resuming " + ckpt + " after epoch 3 of 7"), c.err());
            assertTrue(c.err().contains("streaming the rows"), c.err());
            assertArrayEquals(weights(whole), weights(resumed), "resumed streamed from a run with --stream " + first);
        }
        Path streamedFull = dir.resolve("streamed-whole.gradus");
        Path checkpointed = dir.resolve("ckpt-whole");
        Cli d = customers(streamedFull, "--epochs", "7", "--stream", "on", "--checkpoint", checkpointed.toString());
        assertEquals(0, d.code(), d.toString());
        assertArrayEquals(weights(whole), weights(streamedFull), "a checkpointed streamed run");
        assertTrue(Files.exists(checkpointed.resolve(CheckpointDirectory.LATEST)));

        List<Path> further = new ArrayList<>();
        for (String how : List.of("off", "on")) {
            Path out = dir.resolve("further-" + how + ".gradus");
            Cli e = Cli.run("train", "--data", Cli.data("customers.csv"), "--init", whole.toString(), "--epochs", "2",
                    "--batch-size", "32", "--validation-fraction", "0.2", "--out", out.toString(), "--stream", how);
            assertEquals(0, e.code(), e.toString());
            further.add(out);
        }
        assertArrayEquals(weights(further.get(0)), weights(further.get(1)), "--init, streamed and in memory");

        // A run that held out test rows, stopped after 2 epochs in memory and resumed streamed to 4:
        // the test rows are held out again and the uninterrupted run's weights and test scores come out.
        Path split = dir.resolve("ckpt-split");
        Path splitWhole = dir.resolve("split-whole.gradus");
        Cli w = customers(splitWhole, "--epochs", "4", "--test-fraction", "0.2", "--unknown", "ignore", "--stream",
                "off");
        assertEquals(0, w.code(), w.toString());
        Cli e = customers(dir.resolve("split.gradus"), "--epochs", "2", "--test-fraction", "0.2", "--unknown",
                "ignore", "--checkpoint", split.toString(), "--stream", "off");
        assertEquals(0, e.code(), e.toString());
        Path splitResumed = dir.resolve("split-resumed.gradus");
        Cli f = Cli.run("train", "--data", Cli.data("customers.csv"), "--resume", split.toString(), "--epochs", "4",
                "--out", splitResumed.toString(), "--stream", "on");
        assertEquals(0, f.code(), f.toString());
        assertArrayEquals(weights(splitWhole), weights(splitResumed), "resumed streamed with --test-fraction");
        assertEquals(testScores(w), testScores(f));
    }

    /** The lines of a run's report from the test rows' to the model file's. */
    private static String testScores(Cli run) {
        String out = run.out();
        int at = out.indexOf("test rows");
        int end = out.indexOf("model written to");
        assertTrue(at >= 0 && end > at, out);
        return out.substring(out.lastIndexOf('\n', at) + 1, end);
    }

    /**
     * {@code --test-fraction} in streamed runs: the test rows (stratified by class, or random for a
     * regression) are left out of the cache and of the preprocessing's fit and scored from the CSV
     * a chunk at a time after training: the model, the test scores and the notes are those of the
     * in-memory run, with a new network or {@code --init}; a file with a class of one row fails as
     * in memory. {@code --health} checks the first training rows gathered from the cache: the
     * in-memory report. {@code --impute median} fills with the exact medians of the training rows.
     */
    @Test
    void aStreamedTestFractionIsTheInMemorySplit() throws Exception {
        Path many = dir.resolve("many.csv");
        Files.writeString(many, manyCustomers());
        Path start = dir.resolve("start.gradus");
        assertEquals(0, customers(start, "--epochs", "1", "--stream", "off").code());
        List<List<String>> runs = List.of(
                List.of("--data", many.toString(), "--target", "churned", "--test-fraction", "0.25", "--epochs", "2"),
                List.of("--data", many.toString(), "--target", "churned", "--test-fraction", "0.1", "--epochs", "2",
                        "--json"),
                List.of("--data", Cli.data("customers.csv"), "--target", "visits", "--test-fraction", "0.3", "--epochs",
                        "3", "--validation-fraction", "0.2", "--unknown", "ignore", "--health"),
                List.of("--data", many.toString(), "--target", "churned", "--epochs", "1", "--scale", "none",
                        "--health"),
                List.of("--data", Cli.data("customers.csv"), "--target", "churned", "--impute", "median",
                        "--test-fraction", "0.2", "--unknown", "ignore", "--epochs", "2"),
                List.of("--data", Cli.data("customers.csv"), "--init", start.toString(), "--test-fraction", "0.2",
                        "--epochs", "2", "--unknown", "ignore"));
        for (List<String> run : runs) {
            List<Cli> outputs = new ArrayList<>();
            List<Path> models = new ArrayList<>();
            for (String how : List.of("off", "on")) {
                Path out = dir.resolve("t-" + how + ".gradus");
                List<String> args = new ArrayList<>(List.of("train", "--batch-size", "32", "--seed", "9", "--out",
                        out.toString(), "--stream", how));
                if (!run.contains("--init") && !run.contains("--impute")) {
                    args.addAll(List.of("--impute", "mean"));
                }
                args.addAll(run);
                Cli c = Cli.run(args.toArray(String[]::new));
                assertEquals(0, c.code(), c.toString());
                outputs.add(c);
                models.add(out);
            }
            assertArrayEquals(weights(models.get(0)), weights(models.get(1)), run.toString());
            assertEquals(Model.load(models.get(0)).preprocessing(), Model.load(models.get(1)).preprocessing(),
                    run.toString());
            if (run.contains("--health")) {   // the report checks the first 2,048 training rows
                String a = outputs.get(0).out();
                String b = outputs.get(1).out();
                assertTrue(a.contains("training health"), a);
                assertTrue(!run.contains("--scale") || a.contains("unscaled"), "warnings are compared: " + a);
                assertEquals(a.substring(a.indexOf('\n', a.indexOf("model written to"))),
                        b.substring(b.indexOf('\n', b.indexOf("model written to"))), run.toString());
            }
            if (!run.contains("--test-fraction")) {
                continue;
            }
            if (run.contains("--json")) {
                String a = outputs.get(0).out();
                String b = outputs.get(1).out();
                assertEquals(a.substring(a.indexOf("\"test\""), a.indexOf("\"model\"")),
                        b.substring(b.indexOf("\"test\""), b.indexOf("\"model\"")), run.toString());
            } else {
                assertEquals(testScores(outputs.get(0)), testScores(outputs.get(1)), run.toString());
                String note = outputs.get(0).err().lines().filter(l -> l.contains("test rows")).findFirst().orElse("");
                assertTrue(outputs.get(1).err().contains(note), outputs.get(1).err());
            }
        }

        List<String> lines = Files.readAllLines(Path.of(Cli.data("customers.csv")));
        lines.set(5, lines.get(5).replaceFirst(";(yes|no)$", ";maybe"));
        Path lone = dir.resolve("lone.csv");
        Files.write(lone, lines);
        List<String> errors = new ArrayList<>();
        for (String how : List.of("off", "on")) {
            Path out = dir.resolve("lone-" + how + ".gradus");
            Cli c = Cli.run("train", "--data", lone.toString(), "--target", "churned", "--impute", "mean",
                    "--test-fraction", "0.2", "--out", out.toString(), "--stream", how);
            assertEquals(1, c.code(), c.toString());
            assertFalse(Files.exists(out));
            errors.add(c.err().lines().filter(l -> !l.startsWith("warning: ")).toList().toString());
        }
        assertEquals(errors.get(0), errors.get(1));
        assertTrue(errors.get(1).contains("class 'maybe' of column 'churned' has only one row (line 6)"), errors.get(1));
    }

    /**
     * {@code --sample-weight} and {@code --class-weight} in streamed runs: each row's sample weight
     * is cached beside it and multiplied by its class's weight as it is gathered, so the weights,
     * the weighted validation scores (of held-out rows and of a {@code --validation} file) and a
     * resumed run are those of the in-memory run, bit for bit; a bad weight names its line.
     */
    @Test
    void weightedStreamedRunsGiveTheInMemoryWeights() throws Exception {
        Path validation = dir.resolve("validation.csv");
        StringBuilder big = manyCustomers();
        Files.writeString(validation, big);
        List<List<String>> runs = List.of(
                List.of("--sample-weight", "visits"),
                List.of("--class-weight", "balanced", "--json"),
                List.of("--sample-weight", "visits", "--class-weight", "yes=3", "--validation-fraction", "0",
                        "--validation", validation.toString(), "--patience", "2", "--epochs", "30"));
        for (List<String> run : runs) {
            List<Path> models = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (String how : List.of("off", "on")) {
                Path out = dir.resolve("w-" + how + ".gradus");
                List<String> args = new ArrayList<>(List.of("train", "--data", Cli.data("customers.csv"), "--target",
                        "churned", "--impute", "mean", "--batch-size", "32", "--optimizer", "adam", "--out",
                        out.toString(), "--stream", how));
                if (!run.contains("--validation-fraction")) {
                    args.addAll(List.of("--validation-fraction", "0.2"));
                }
                if (!run.contains("--epochs")) {
                    args.addAll(List.of("--epochs", "3"));
                }
                args.addAll(run);
                Cli c = Cli.run(args.toArray(String[]::new));
                assertEquals(0, c.code(), c.toString());
                models.add(out);
                String line = c.out().lines().filter(l -> l.contains("validation")).findFirst().orElseThrow();
                lines.add(run.contains("--json") ? line.substring(line.indexOf("\"validation\""), line.indexOf("\"model\""))
                        : line);
                if (!run.contains("--json")) {
                    assertTrue(c.out().contains("training rows (weighted)"), c.out());
                }
            }
            assertArrayEquals(weights(models.get(0)), weights(models.get(1)), run.toString());
            assertEquals(lines.get(0), lines.get(1), run.toString());
            assertEquals(Model.load(models.get(0)).training().get("sample_weight"),
                    Model.load(models.get(1)).training().get("sample_weight"), run.toString());
        }

        // Stopped after 2 epochs and resumed streamed (the checkpoint's --sample-weight is taken): the whole run's weights.
        Path whole = dir.resolve("whole.gradus");
        assertEquals(0, customers(whole, "--epochs", "5", "--sample-weight", "visits", "--stream", "off").code());
        Path ckpt = dir.resolve("ckpt");
        assertEquals(0, customers(dir.resolve("part.gradus"), "--epochs", "2", "--sample-weight", "visits",
                "--checkpoint", ckpt.toString(), "--stream", "on").code());
        Path resumed = dir.resolve("resumed.gradus");
        Cli r = Cli.run("train", "--data", Cli.data("customers.csv"), "--resume", ckpt.toString(), "--epochs", "5",
                "--out", resumed.toString(), "--stream", "on");
        assertEquals(0, r.code(), r.toString());
        assertArrayEquals(weights(whole), weights(resumed), "resumed weighted streamed run");

        Cli regression = Cli.run("train", "--data", Cli.data("customers.csv"), "--target", "visits", "--impute", "mean",
                "--class-weight", "balanced", "--out", dir.resolve("r.gradus").toString(), "--stream", "on");
        assertEquals(2, regression.code(), regression.toString());
        assertEquals(1, regression.err().lines().filter(l -> !l.startsWith("warning: ")).count(), regression.err());
        assertTrue(regression.err().contains("gradus: --class-weight: class weights are for classification"),
                regression.err());

        List<String> rows = Files.readAllLines(Path.of(Cli.data("customers.csv")));
        Path bad = dir.resolve("bad.csv");
        rows.set(7, rows.get(7).replaceFirst(";(\\d+);([0-9.]+);(yes|no)$", ";-2;$2;$3"));
        Files.write(bad, rows);
        Path out = dir.resolve("bad.gradus");
        Cli b = Cli.run("train", "--data", bad.toString(), "--target", "churned", "--impute", "mean",
                "--sample-weight", "visits", "--out", out.toString(), "--stream", "on");
        assertEquals(1, b.code(), b.toString());
        List<String> errors = b.err().lines().filter(l -> !l.startsWith("warning: ")).toList();
        assertEquals(1, errors.size(), b.err());
        assertTrue(errors.get(0).contains(bad + ": line 8, column 'visits'"), b.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void flagsThatNeedEveryRowInMemoryAreUsageErrors() throws Exception {
        Path out = dir.resolve("m.gradus");
        Path images = dir.resolve("images.idx");
        Files.write(images, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0});
        Cli idx = Cli.run("train", "--data", images.toString(), "--out", out.toString(), "--stream");
        assertEquals(2, idx.code(), idx.toString());
        assertEquals(1, idx.err().lines().count(), idx.err());
        assertTrue(idx.err().startsWith("gradus: --stream reads CSV files; " + images + " holds IDX images"), idx.err());
        Cli resumed = Cli.run("train", "--data", Cli.data("customers.csv"), "--resume", dir.resolve("none").toString(),
                "--out", out.toString(), "--stream");
        assertEquals(2, resumed.code(), resumed.toString());
        assertTrue(resumed.err().contains("--resume"), resumed.err());
        Cli b = train(out, "--stream", "off", "--no-cache");
        assertEquals(2, b.code(), b.toString());
        assertTrue(b.err().contains("--no-cache"), b.err());
        Cli c = train(out, "--stream", "sometimes");
        assertEquals(2, c.code(), c.toString());
        assertTrue(c.err().contains("'sometimes' is not on, off or auto"), c.err());
        assertFalse(Files.exists(out));
        assertEquals(0, files(cache));
    }

    /**
     * A file whose rows do not fit in a 32 MB heap: read into memory it runs out of memory (one
     * line, exit 1); streamed (chosen automatically, the file being larger than a sixth of the
     * heap) it trains.
     */
    @Test
    void aFileLargerThanTheHeapTrainsWhenStreamed() throws Exception {
        Path data = dir.resolve("big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(data, StandardCharsets.UTF_8)) {
            w.write("a,b,c,d,y\n");
            for (int i = 0; i < 400_000; i++) {
                w.write(String.format(Locale.ROOT, "%d.5,%d,%d,%d,%d%n", i, i % 7, i % 11, i % 13, i % 2));
            }
        }
        Path model = dir.resolve("m.gradus");
        Process memory = gradus("32m", data, model, "--stream", "off");
        String inMemory = new String(memory.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(memory.waitFor(300, TimeUnit.SECONDS));
        assertEquals(1, memory.exitValue(), inMemory);
        assertTrue(inMemory.contains("gradus: out of memory working on " + data), inMemory);
        assertFalse(Files.exists(model));

        // The same file as --test: too large for the heap too, so it is checked and scored a chunk at a time.
        Process streamed = gradus("32m", data, model, "--test", data.toString());
        String output = new String(streamed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(streamed.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, streamed.exitValue(), output);
        assertTrue(output.contains("on all 400000 training rows"), output);
        assertTrue(output.contains("test rows (400000):"), output);
        assertTrue(Files.exists(model));
        assertEquals(2, files(cache), "streamed automatically: the file is larger than a sixth of the heap");

        // evaluate: read whole, out of memory; streamed (automatically), scored.
        Process whole = gradus("32m", List.of("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--stream", "off"));
        String wholeOut = new String(whole.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(whole.waitFor(300, TimeUnit.SECONDS));
        assertEquals(1, whole.exitValue(), wholeOut);
        assertTrue(wholeOut.contains("gradus: out of memory working on " + data), wholeOut);
        Process scored = gradus("32m", List.of("evaluate", "--model", model.toString(), "--data", data.toString()));
        String scoredOut = new String(scored.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(scored.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, scored.exitValue(), scoredOut);
        assertTrue(scoredOut.contains("on 400000 rows of " + data), scoredOut);
        assertTrue(scoredOut.contains("rmse"), scoredOut);
    }

    /**
     * {@code evaluate --stream}: a file of several chunks scored a chunk at a time prints what
     * scoring it whole prints, to the last digit and in JSON to the last bit: two classes (ROC
     * AUC and average precision rank every row), weighted, and regression; a bad row names its line.
     */
    @Test
    void streamedScoresAreThoseOfTheWholeFile() throws Exception {
        Path classifier = dir.resolve("c.gradus");
        assertEquals(0, train(classifier, "--stream", "off").code());
        Path regressor = dir.resolve("r.gradus");
        Cli r = Cli.run("train", "--data", Cli.data("customers.csv"), "--target", "visits", "--impute", "mean",
                "--epochs", "3", "--out", regressor.toString());
        assertEquals(0, r.code(), r.toString());
        StringBuilder big = manyCustomers();
        int rows = (int) big.chars().filter(c -> c == '\n').count() - 1;
        Path data = dir.resolve("many.csv");
        Files.writeString(data, big);
        List<List<String>> runs = List.of(
                List.of("--model", classifier.toString()),
                List.of("--model", classifier.toString(), "--json"),
                List.of("--model", classifier.toString(), "--sample-weight", "visits", "--json"),
                List.of("--model", classifier.toString(), "--threshold", "0.3"),
                List.of("--model", regressor.toString(), "--json"),
                List.of("--model", regressor.toString(), "--sample-weight", "visits"));
        for (List<String> run : runs) {
            List<String> args = new ArrayList<>(List.of("evaluate", "--data", data.toString()));
            args.addAll(run);
            Cli streamed = assertStreamedAsWhole(args, run.toString());
            assertTrue(streamed.out().contains(Integer.toString(rows)), streamed.out());
        }
        Files.writeString(data, big.append("CU-99999;2023-01-01;Lille;forty;3;10.00;no\n"));
        Cli bad = Cli.run("evaluate", "--model", classifier.toString(), "--data", data.toString(), "--stream");
        assertEquals(1, bad.code(), bad.toString());
        assertEquals("", bad.out());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("line " + (rows + 2)), bad.err());
    }

    private Process gradus(String heap, Path data, Path model, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", model.toString(),
                "--epochs", "1", "--batch-size", "0", "--quiet"));
        args.addAll(List.of(more));
        return gradus(heap, args);
    }

    private Process gradus(String heap, List<String> args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
                "-D" + RowCache.DIRECTORY_PROPERTY + "=" + cache, "-cp", System.getProperty("java.class.path"),
                "dev.gradus.cli.Main"));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        return p;
    }
}

package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.io.CheckpointFile;
import dev.gradus.io.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --checkpoint}, {@code --checkpoint-every} and {@code --resume}: a run stopped after
 * some epochs and resumed ends with the model of the uninterrupted run, bit for bit, and flags
 * that disagree with the checkpoint are usage errors naming the flag.
 */
class CheckpointCommandTest {

    @TempDir
    Path dir;

    /** Classification on wine with everything that has state: dropout, a schedule, validation, patience. */
    private List<String> command(String optimizer, int epochs, String out) {
        return new ArrayList<>(List.of("train", "--data", Cli.data("wine_train.csv"), "--task", "classification",
                "--layers", "12,8", "--threads", "2", "--dropout", "0.2", "--optimizer", optimizer,
                "--schedule", "cosine(epochs=8, warmup=2)", "--validation-fraction", "0.2", "--patience", "50",
                "--epochs", Integer.toString(epochs), "--out", dir.resolve(out).toString(), "--quiet"));
    }

    private static Cli ok(List<String> args) {
        Cli r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r::toString);
        return r;
    }

    private static float[] weights(Path model) throws IOException {
        return ModelFile.read(model).network().parameters().values();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw", "rprop", "irprop+", "lbfgs"})
    void stoppedAndResumedEqualsUninterrupted(String optimizer) throws IOException {
        ok(command(optimizer, 8, "whole.safetensors"));

        Path ckpt = dir.resolve("ckpt");
        List<String> first = command(optimizer, 3, "first.safetensors");
        first.addAll(List.of("--checkpoint", ckpt.toString()));
        ok(first);
        assertEquals(3, CheckpointFile.read(ckpt.resolve(CheckpointDirectory.LATEST)).checkpoint().epoch());

        List<String> rest = command(optimizer, 8, "resumed.safetensors");
        rest.addAll(List.of("--resume", ckpt.toString()));
        ok(rest);
        assertArrayEquals(weights(dir.resolve("whole.safetensors")), weights(dir.resolve("resumed.safetensors")),
                "resumed with " + optimizer);
        assertEquals(8, CheckpointFile.read(ckpt.resolve(CheckpointDirectory.LATEST)).checkpoint().epoch());
    }

    @Test
    void resumeNeedsOnlyTheDataAndTheFolderAndKeepsTheBestModel() throws IOException {
        Path ckpt = dir.resolve("ckpt");
        // A seed and held-out test rows: both choose the training rows, and must be taken from the checkpoint.
        List<String> first = command("adam", 4, "first.safetensors");
        first.addAll(List.of("--checkpoint", ckpt.toString(), "--checkpoint-every", "2", "--seed", "7",
                "--test-fraction", "0.25"));
        ok(first);
        List<String> whole = command("adam", 6, "whole.safetensors");
        whole.addAll(List.of("--seed", "7", "--test-fraction", "0.25"));
        ok(whole);
        // Resumed with no training flag but the required ones and --epochs.
        ok(List.of("train", "--data", Cli.data("wine_train.csv"), "--out", dir.resolve("again.safetensors").toString(),
                "--resume", ckpt.toString(), "--epochs", "6", "--quiet"));
        assertArrayEquals(weights(dir.resolve("whole.safetensors")), weights(dir.resolve("again.safetensors")));
        // Resumed at its end: nothing more to train, the same model.
        ok(List.of("train", "--data", Cli.data("wine_train.csv"), "--out", dir.resolve("end.safetensors").toString(),
                "--resume", ckpt.toString(), "--quiet"));
        assertArrayEquals(weights(dir.resolve("whole.safetensors")), weights(dir.resolve("end.safetensors")));
        // The best epoch's model is a model file that evaluate reads.
        Path best = ckpt.resolve(CheckpointDirectory.BEST);
        assertTrue(Files.exists(best));
        Cli eval = Cli.run("evaluate", "--model", best.toString(), "--data", Cli.data("wine_test.csv"));
        assertEquals(0, eval.code(), eval::toString);
        assertTrue(eval.out().contains("accuracy"), eval.out());
    }

    @Test
    void flagsThatDisagreeWithTheCheckpointAreUsageErrors() {
        Path ckpt = dir.resolve("ckpt");
        List<String> first = command("adam", 2, "first.safetensors");
        first.addAll(List.of("--checkpoint", ckpt.toString()));
        ok(first);
        String[] base = {"train", "--data", Cli.data("wine_train.csv"), "--out", dir.resolve("x.safetensors").toString(),
                "--resume", ckpt.toString(), "--epochs", "4"};

        assertUsage(with(base, "--optimizer", "sgd"), "--optimizer sgd disagrees with the checkpoint");
        assertUsage(with(base, "--layers", "12,9"), "--layers [12, 9] disagrees");
        assertUsage(with(base, "--dropout", "0.3"), "--dropout 0.3 disagrees");
        assertUsage(with(base, "--seed", "7"), "--seed 7 disagrees");
        assertUsage(with(base, "--schedule", "constant"), "--schedule constant disagrees");
        assertUsage(with(base, "--init", dir.resolve("first.safetensors").toString()), "--resume and --init");
        assertUsage(with(base, "--checkpoint-every", "0"), "--checkpoint-every must be at least 1");
        assertUsage(with(Arrays.copyOf(base, 7), "--epochs", "1"), "--epochs 1 is fewer than the 2 epochs");
        assertUsage(with(Arrays.copyOf(base, 6), dir.resolve("nothing").toString()), "there is no checkpoint");
        assertUsage(new String[] {"train", "--data", Cli.data("wine_train.csv"), "--out",
                dir.resolve("y.safetensors").toString(), "--checkpoint-every", "2"}, "--checkpoint-every needs");
        String[] otherRows = base.clone();
        otherRows[2] = Cli.data("wine_test.csv");
        assertUsage(otherRows, "the training rows differ");

        // Agreeing flags, given again, are fine.
        Cli same = Cli.run(with(base, "--optimizer", "adam", "--dropout", "0.2", "--quiet"));
        assertEquals(0, same.code(), same::toString);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static void assertUsage(String[] args, String message) {
        Cli r = Cli.run(args);
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains(message), r::toString);
        assertFalse(r.err().contains("internal error"), r::toString);
    }
}

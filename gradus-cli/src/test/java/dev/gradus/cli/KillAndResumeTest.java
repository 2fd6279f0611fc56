package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.io.CheckpointFile;
import dev.gradus.io.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a training process: {@code gradus train --checkpoint DIR --checkpoint-every 1}
 * runs in a child JVM and is killed with SIGKILL ({@link Process#destroyForcibly()}) once a
 * checkpoint exists, mid-epoch or mid-save; {@code --resume DIR} then ends with the model of
 * an uninterrupted run, bit for bit.
 */
class KillAndResumeTest {

    private static final int EPOCHS = 10;

    @TempDir
    Path dir;

    private List<String> train(String out) {
        return new ArrayList<>(List.of("train", "--data", Cli.data("digits_train.csv"), "--layers", "128,128",
                "--epochs", Integer.toString(EPOCHS), "--threads", "2", "--dropout", "0.1",
                "--schedule", "cosine(warmup=2)", "--validation-fraction", "0.1", "--patience", "50",
                "--out", dir.resolve(out).toString(), "--quiet"));
    }

    @Test
    void aKilledTrainingResumesBitIdentically() throws Exception {
        Path ckpt = dir.resolve("ckpt");
        Path latest = ckpt.resolve(CheckpointDirectory.LATEST);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(train("killed.safetensors"));
        command.addAll(List.of("--checkpoint", ckpt.toString(), "--checkpoint-every", "1"));
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int epochAtKill = 0;
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (epochAtKill < 2 && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                if (Files.exists(latest)) {
                    // Safe to read while the child writes: each checkpoint replaces the file atomically.
                    epochAtKill = CheckpointFile.read(latest).checkpoint().epoch();
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        assertEquals(137, child.exitValue(), () -> "the child was not killed by SIGKILL: " + read(log));
        int saved = CheckpointFile.read(latest).checkpoint().epoch();
        assertTrue(saved >= 2 && saved < EPOCHS, "killed with checkpoint " + saved + " of " + EPOCHS
                + " (the run must outlast the kill)");
        assertTrue(Files.notExists(dir.resolve("killed.safetensors")), "the killed run wrote no model");

        List<String> resume = train("resumed.safetensors");
        resume.addAll(List.of("--resume", ckpt.toString()));
        Cli resumed = Cli.run(resume.toArray(String[]::new));
        assertEquals(0, resumed.code(), resumed::toString);

        Cli whole = Cli.run(train("whole.safetensors").toArray(String[]::new));
        assertEquals(0, whole.code(), whole::toString);
        assertArrayEquals(ModelFile.read(dir.resolve("whole.safetensors")).network().parameters().values(),
                ModelFile.read(dir.resolve("resumed.safetensors")).network().parameters().values(),
                "resumed after a kill -9 following checkpoint " + saved);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}

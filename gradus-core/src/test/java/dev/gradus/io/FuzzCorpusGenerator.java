package dev.gradus.io;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes the seed corpus of {@link FileReadersFuzzTest}: for each reader a valid file, a file
 * of the other kind, truncations, a flipped data byte and an absurd header length. Run from
 * the repository root with the test class path:
 * {@code java -cp … dev.gradus.io.FuzzCorpusGenerator gradus-core/src/test/resources/dev/gradus/io/FileReadersFuzzTestInputs}.
 */
public final class FuzzCorpusGenerator {
    private FuzzCorpusGenerator() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Path scratch = Files.createTempDirectory("corpus");
        Path model = scratch.resolve("m.safetensors");
        ModelFile.write(model, Network.input(3).dense(4, Activation.parse("leaky_relu(0.1)"))
                .dense(2, Activation.SOFTMAX).build(1), Map.of("loss", "cross_entropy"));
        Path checkpoint = scratch.resolve("c.gradus-ckpt");
        Matrix x = Matrix.of(new double[][] {{0, 1}, {1, 0}, {1, 1}, {0, 0}});
        Matrix y = Matrix.of(new double[][] {{1}, {1}, {0}, {0}});
        new Trainer(TrainingOptions.plain().withOptimizer(Optimizer.parse("lbfgs(history=2)")).withBatchSize(0)
                .withEpochs(3).withThreads(1).withLoss(Loss.MSE)).addListener(new CheckpointListener() {
                    @Override public int every() { return 1; }
                    @Override public void onCheckpoint(Checkpoint c) throws IOException {
                        CheckpointFile.write(checkpoint, c, Map.of("note", "seed"));
                    }
                }).fit(Network.input(2).dense(3, Activation.TANH).dense(1, Activation.IDENTITY).build(2), x, y);
        seeds(root.resolve("modelFile"), Files.readAllBytes(model), Files.readAllBytes(checkpoint));
        seeds(root.resolve("checkpointFile"), Files.readAllBytes(checkpoint), Files.readAllBytes(model));
    }

    private static void seeds(Path dir, byte[] valid, byte[] other) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("valid"), valid);
        Files.write(dir.resolve("other-kind"), other);
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        for (int n : new int[] {0, 7, 8, 40, headerEnd - 1, headerEnd, valid.length - 1}) {
            Files.write(dir.resolve("truncated-" + n), Arrays.copyOf(valid, n));
        }
        byte[] flipped = valid.clone();
        flipped[valid.length - 3] ^= 0x40;
        Files.write(dir.resolve("flipped-data-byte"), flipped);
        byte[] huge = valid.clone();
        ByteBuffer.wrap(huge, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        Files.write(dir.resolve("header-length-max"), huge);
    }
}

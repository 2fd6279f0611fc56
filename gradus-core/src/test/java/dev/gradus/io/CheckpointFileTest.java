package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.EpochStats;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checkpoint file stores a {@link Checkpoint} bit for bit, a run resumed from the file
 * ends bit-identical to the uninterrupted one, and damaged or foreign files are refused with
 * a {@link ModelFileException} naming the file and field.
 */
class CheckpointFileTest {

    @TempDir
    Path dir;

    static Stream<String> optimizers() {
        return Stream.of("sgd(lr=0.05)", "momentum(lr=0.05)", "nesterov(lr=0.05)", "rmsprop(lr=0.005)",
                "adam(lr=0.01)", "adamw(lr=0.01)", "rprop", "irprop+", "lbfgs(history=3)");
    }

    /** Three noisy blobs in 2-D, one-hot targets. */
    static Matrix[] blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        double[][] y = new double[n][3];
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            x[i][0] = centres[c][0] + r.nextGaussian();
            x[i][1] = centres[c][1] + r.nextGaussian();
            y[i][c] = 1;
        }
        return new Matrix[] {Matrix.of(x), Matrix.of(y)};
    }

    static Network network() {
        return Network.input(2).dense(10, Activation.parse("leaky_relu(0.1)")).dense(3, Activation.SOFTMAX).build(3);
    }

    static TrainingOptions options(Optimizer o, int epochs) {
        return TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withOptimizer(o)
                .withBatchSize(o.fullBatch() ? 0 : 16).withEpochs(epochs)
                .withSchedule(Schedule.parse("step(size=3, gamma=0.5)", epochs)).withDropout(0.1).withThreads(1)
                .withValidationFraction(0.2).withMetrics(List.of(ValidationMetric.ACCURACY)).withPatience(50);
    }

    /** Writes every checkpoint to {@code file}; resumes from {@code from} when given. */
    static final class ToFile implements CheckpointListener {
        final Path file;
        final Checkpoint from;
        final List<Checkpoint> written = new ArrayList<>();

        ToFile(Path file, Checkpoint from) {
            this.file = file;
            this.from = from;
        }

        @Override public int every() { return 1; }

        @Override public void onCheckpoint(Checkpoint c) throws IOException {
            CheckpointFile.write(file, c, Map.of("note", "test"));
            written.add(c);
        }

        @Override public Optional<Checkpoint> resumeFrom() { return Optional.ofNullable(from); }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void aRunResumedFromTheFileEndsBitIdentical(String spec) throws IOException {
        Optimizer o = Optimizer.parse(spec);
        Matrix[] d = blobs(90, 4);
        Trainer.Result whole = new Trainer(options(o, 8)).fit(network(), d[0], d[1]);

        Path file = dir.resolve("latest.gradus-ckpt");
        ToFile first = new ToFile(file, null);
        new Trainer(options(o, 5)).addListener(first).fit(network(), d[0], d[1]);   // "interrupted" after 5
        CheckpointFile.Stored stored = CheckpointFile.read(file);
        assertSame(first.written.get(4), stored.checkpoint());
        assertEquals(Map.of("note", "test"), stored.metadata());

        Trainer.Result resumed = new Trainer(options(o, 8)).addListener(new ToFile(file, stored.checkpoint()))
                .fit(network(), d[0], d[1]);
        assertArrayEquals(whole.network().parameters().values(), resumed.network().parameters().values());
        assertEquals(8, CheckpointFile.read(file).checkpoint().epoch());
    }

    /** Equal in every stored bit. */
    static void assertSame(Checkpoint a, Checkpoint b) {
        assertEquals(a.settings(), b.settings());
        assertEquals(a.network().layers(), b.network().layers());
        assertArrayEquals(a.network().parameters().values(), b.network().parameters().values());
        assertArrayEquals(a.lastGood(), b.lastGood());
        assertEquals(a.optimizer(), b.optimizer());
        assertEquals(a.history(), b.history());
        assertEquals(Double.doubleToRawLongBits(a.bestValue()), Double.doubleToRawLongBits(b.bestValue()));
        assertEquals(a.sinceBest(), b.sinceBest());
        assertEquals(a.best().isPresent(), b.best().isPresent());
        a.best().ifPresent(n -> assertArrayEquals(n.parameters().values(), b.best().get().parameters().values()));
    }

    private Checkpoint sample() throws IOException {
        Matrix[] d = blobs(60, 2);
        ToFile r = new ToFile(dir.resolve("sample.gradus-ckpt"), null);
        new Trainer(options(Optimizer.parse("adam"), 3)).addListener(r).fit(network(), d[0], d[1]);
        return r.written.get(2);
    }

    @Test
    void theModelsMetadataTravelsTypedWithTheCheckpoint() throws IOException {
        Checkpoint c = sample();
        dev.gradus.data.Preprocessing prep = new dev.gradus.data.Preprocessing(dev.gradus.data.Task.REGRESSION,
                List.of(new dev.gradus.data.Preprocessing.Feature("a", List.of()),
                        new dev.gradus.data.Preprocessing.Feature("b", List.of())),
                dev.gradus.data.Scaler.identity(2), List.of("y"), List.of(), dev.gradus.data.Scaler.identity(1));
        ModelMetadata model = ModelMetadata.of(Loss.MSE, prep, Map.of("seed", "3"));
        Path file = dir.resolve("with-model.gradus-ckpt");
        CheckpointFile.write(file, c, model, Map.of("command", "{}"));
        CheckpointFile.Stored back = CheckpointFile.read(file);
        assertEquals(Map.of("command", "{}"), back.metadata());
        ModelMetadata m = back.model().orElseThrow();
        assertEquals(Loss.MSE, m.loss());
        assertEquals(prep.features(), m.preprocessing().features());
        assertEquals(prep.targetNames(), m.preprocessing().targetNames());
        assertEquals(Map.of("seed", "3"), m.training());
        assertEquals(ModelFile.FORMAT_VERSION, m.version().format());
        assertTrue(CheckpointFile.read(dir.resolve("sample.gradus-ckpt")).model().isEmpty());
        assertThrows(IllegalArgumentException.class,
                () -> CheckpointFile.write(dir.resolve("x"), c, model, Map.of("loss", "mse")));

        Path unknown = rewrite(file, e -> e.put("preprocessing", e.get("preprocessing").replace("\"name\":\"a\"",
                "\"name\":\"a\",\"unknown_policy\":\"ignore\"")), t -> { });
        ModelFileException e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(unknown));
        assertEquals("__metadata__.preprocessing.features[0].unknown_policy", e.field().orElseThrow(), e.getMessage());
    }

    @Test
    void historyWithNaNAndMetricsRoundTrips() throws IOException {
        Checkpoint c = sample();
        List<EpochStats> epochs = new ArrayList<>(c.history().epochs());
        epochs.set(0, new EpochStats(1, 0.1 + 0.2, 3, 1e-300, Double.MIN_VALUE, Double.NaN, Map.of("accuracy", -0.0)));
        Checkpoint odd = new Checkpoint(c.settings(), c.network(), c.lastGood(), c.optimizer(),
                new dev.gradus.train.History(epochs, 2, true), Double.NaN, 1, Optional.empty());
        Path file = dir.resolve("odd.gradus-ckpt");
        CheckpointFile.write(file, odd, Map.of());
        assertSame(odd, CheckpointFile.read(file).checkpoint());
    }

    @Test
    void everyTruncationAndAFlippedDataByteAreRefused() throws IOException {
        Path file = dir.resolve("c.gradus-ckpt");
        CheckpointFile.write(file, sample(), Map.of());
        byte[] valid = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.gradus-ckpt");
        for (int n = 0; n < valid.length; n += 1 + n / 64) {
            Files.write(cut, java.util.Arrays.copyOf(valid, n));
            ModelFileException e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(cut), "length " + n);
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        }
        byte[] flipped = valid.clone();
        flipped[valid.length - 5] ^= 0x10;
        Files.write(cut, flipped);
        ModelFileException e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(cut));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void aModelFileIsNotACheckpointAndANewerVersionIsRefused() throws IOException {
        Path model = dir.resolve("m.safetensors");
        ModelFile.write(model, network(), Map.of());
        ModelFileException e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(model));
        assertTrue(e.getMessage().contains("model file, not a checkpoint"), e.getMessage());

        Path file = dir.resolve("c.gradus-ckpt");
        CheckpointFile.write(file, sample(), Map.of());
        ModelFileException back = assertThrows(ModelFileException.class, () -> ModelFile.read(file));
        assertTrue(back.getMessage().startsWith(file.toString()), back.getMessage());

        int next = CheckpointFile.FORMAT_VERSION + 1;
        Path newer = rewrite(file, m -> m.put("format_version", Integer.toString(next)), t -> { });
        e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(newer));
        assertTrue(e.getMessage().contains("version " + next + " is newer")
                && e.getMessage().contains("reads format version " + CheckpointFile.FORMAT_VERSION), e.getMessage());
    }

    @Test
    void inconsistentContentsAreNamed() throws IOException {
        Path file = dir.resolve("c.gradus-ckpt");
        CheckpointFile.write(file, sample(), Map.of());

        Path noMoment = rewrite(file, m -> { }, t -> t.remove("optimizer.m"));
        ModelFileException e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(noMoment));
        assertTrue(e.getMessage().contains("optimizer") && e.getMessage().contains("'m'"), e.getMessage());

        Path stranger = rewrite(file, m -> { }, t -> t.put("extra", new float[] {1}));
        e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(stranger));
        assertTrue(e.getMessage().contains("unexpected tensor 'extra'"), e.getMessage());

        Path shortGood = rewrite(file, m -> { }, t -> t.put("last_good", new float[] {1, 2}));
        e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(shortGood));
        assertTrue(e.getMessage().contains("last_good"), e.getMessage());

        Path badJson = rewrite(file, m -> m.put("checkpoint", m.get("checkpoint").replaceFirst("\"since_best\":[0-9]+", "\"since_best\":-1")),
                t -> { });
        e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(badJson));
        assertTrue(e.getMessage().contains("since_best"), e.getMessage());

        Path badNumber = rewrite(file, m -> m.put("checkpoint", m.get("checkpoint").replaceFirst("\"epoch\":1,\"loss\":\"[^\"]*\"",
                "\"epoch\":1,\"loss\":\"0x1p3\"")), t -> { });
        e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(badNumber));
        assertTrue(e.getMessage().contains("history[0].loss"), e.getMessage());

        Path step = rewrite(file, m -> { }, t -> t.put("optimizer.t", new long[] {-1}));
        e = assertThrows(ModelFileException.class, () -> CheckpointFile.read(step));
        assertTrue(e.getMessage().contains("step count"), e.getMessage());

        assertThrows(IllegalArgumentException.class,
                () -> CheckpointFile.write(dir.resolve("x"), sample(), Map.of("checkpoint", "mine")));
    }

    /**
     * A copy of {@code file} with edited metadata and tensors, written with a valid checksum
     * (so that the check under test, not the checksum, refuses it).
     */
    private Path rewrite(Path file, java.util.function.Consumer<Map<String, String>> metadata,
                         java.util.function.Consumer<Map<String, Object>> tensors) throws IOException {
        Safetensors.Contents c = Safetensors.read(file, Safetensors.Kind.ANY);
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        m.remove(Safetensors.KEY_DATA_SHA256);
        metadata.accept(m);
        Map<String, Object> t = new LinkedHashMap<>();
        c.values().forEach((name, v) -> t.put(name, v instanceof Safetensors.Values.F32 f ? f.array()
                : v instanceof Safetensors.Values.F64 d ? d.array() : ((Safetensors.Values.I64) v).array()));
        tensors.accept(t);
        List<Safetensors.Tensor> list = new ArrayList<>();
        for (Map.Entry<String, Object> e : t.entrySet()) {
            Safetensors.Values values = e.getValue() instanceof float[] f ? new Safetensors.Values.F32(f)
                    : e.getValue() instanceof double[] d ? new Safetensors.Values.F64(d)
                    : new Safetensors.Values.I64((long[]) e.getValue());
            Safetensors.Entry entry = c.entries().get(e.getKey());
            list.add(entry != null && entry.count() == values.length()
                    ? new Safetensors.Tensor(e.getKey(), values, entry.shape())
                    : Safetensors.Tensor.of(e.getKey(), values));
        }
        Path out = dir.resolve("edited-" + System.nanoTime() + ".gradus-ckpt");
        Safetensors.write(out, m, list);
        return out;
    }
}

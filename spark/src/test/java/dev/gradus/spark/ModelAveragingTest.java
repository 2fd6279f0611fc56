package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Optimizer;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.Checkpoint;
import dev.gradus.train.CheckpointListener;
import dev.gradus.train.EpochStats;
import dev.gradus.train.GradientSource;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingDivergedException;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code --sync-every K}: local SGD with model averaging ({@link ModelAveraging}). On one
 * partition the average is the partition's own model, so the run must be {@link Trainer}'s bit
 * for bit; on several it is another algorithm, checked for repeatability and for training.
 */
class ModelAveragingTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    /** Three blocks of rows (1,024, 1,024, 500): on three partitions, one holds fewer rows. */
    private static final Matrix X = SparkTestSupport.features(2 * BlockedPass.BLOCK_ROWS + 500, 4, 11);
    private static final Matrix Y = SparkTestSupport.oneHot(X, 3);

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session("ModelAveragingTest");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Network net() {
        return Network.input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).build(5);
    }

    private static TrainingOptions options(String optimizer, int batch, int epochs) {
        return TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY).withOptimizer(Optimizer.parse(optimizer))
                .withBatchSize(batch).withEpochs(epochs).withThreads(1);
    }

    private static Trainer.Result averaged(TrainingOptions o, int k, int partitions, float[] w) {
        try (RowBlocks rows = RowBlocks.of(sc, X, Y, w, partitions)) {
            return new SparkTrainer(o).syncEvery(k).fit(net(), rows);
        }
    }

    /**
     * One partition: K local steps, then an "average" of one model, is K steps of the core
     * trainer; the optimizer's state (Adam's moments and step count) crosses the rounds intact,
     * the epoch's order, dropout masks, clipping, schedule, weights and the held-out rows are the
     * core's. Rounds of 1, 4 and more steps than an epoch has (one round per epoch).
     */
    @ParameterizedTest
    @CsvSource({"1, adam(lr=0.01)", "4, adam(lr=0.01)", "1000, momentum(lr=0.05)", "4, rmsprop(lr=0.003)"})
    void onePartitionRunsTheStepsOfCoreTraining(int k, String optimizer) {
        float[] w = new float[X.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5f * (1 + i % 3);
        }
        TrainingOptions o = options(optimizer, 100, 5).withDropout(0.1).withClipNorm(1.0)
                .withValidationFraction(0.2).withMetrics(List.of(ValidationMetric.ACCURACY));
        Trainer.Result expected = new Trainer(o).fit(net(), GradientSource.of(X, Y, w));
        Trainer.Result actual = averaged(o, k, 1, w);
        assertArrayEquals(expected.network().parameters().values(), actual.network().parameters().values());
        List<EpochStats> e = expected.history().epochs();
        List<EpochStats> a = actual.history().epochs();
        assertEquals(e.size(), a.size());
        for (int i = 0; i < e.size(); i++) {
            assertEquals(e.get(i).loss(), a.get(i).loss(), "training loss, epoch " + (i + 1));
            assertEquals(e.get(i).validationLoss(), a.get(i).validationLoss(), "validation loss, epoch " + (i + 1));
            assertEquals(e.get(i).validationMetrics(), a.get(i).validationMetrics());
            assertEquals(e.get(i).steps(), a.get(i).steps(), "optimizer steps, epoch " + (i + 1));
        }
        assertFalse(Arrays.equals(net().parameters().values(), actual.network().parameters().values()));
    }

    /** The same seed, rows and partitioning give the same bits; the rounds do train the network. */
    @Test
    void severalPartitionsAreRepeatableAndTrain() {
        TrainingOptions o = options("adam(lr=0.01)", 32, 6);
        Trainer.Result first = averaged(o, 8, 3, null);
        Trainer.Result second = averaged(o, 8, 3, null);
        assertArrayEquals(first.network().parameters().values(), second.network().parameters().values());
        assertEquals(first.history().epochs().stream().map(EpochStats::loss).toList(),
                second.history().epochs().stream().map(EpochStats::loss).toList());
        double before = Loss.CROSS_ENTROPY.value(net().predict(X).data(), Y.data(), 0, X.rows(), 3);
        double after = Loss.CROSS_ENTROPY.value(first.network().predict(X).data(), Y.data(), 0, X.rows(), 3);
        assertTrue(after < before / 2, "loss " + before + " -> " + after);
        // 1,024 rows / 32 = 32 steps on the largest partitions (4 rounds of 8), 500 / 32 = 16 on the third
        assertEquals(32 + 32 + 16, first.history().epochs().get(0).steps());
        // and it is not the exact mode's computation (which is the core trainer's, to rounding)
        float[] exact = new Trainer(o).fit(net(), X, Y).network().parameters().values();
        assertFalse(Arrays.equals(exact, first.network().parameters().values()));
    }

    /** Σ Wₚθₚ / Σ Wₚ in partition order; the state's arrays alike, its counts the largest. */
    @Test
    void theAverageIsWeightedByThePartitionsRows() {
        ModelAveraging.State s1 = state(new float[] {1, 1}, 3);
        ModelAveraging.State s2 = state(new float[] {4, 7}, 2);
        ModelAveraging.Local a = new ModelAveraging.Local(0, new float[] {1, 2}, s1, new double[] {0.5, 0.5},
                new double[] {1, 2});
        ModelAveraging.Local b = new ModelAveraging.Local(1, new float[] {3, 6}, s2, new double[] {0.1}, new double[] {6});
        ModelAveraging.Local idle = new ModelAveraging.Local(2, new float[] {100, 100}, s1, new double[0], new double[0]);
        float[] theta = new float[2];
        ModelAveraging.State mean = ModelAveraging.average(List.of(a, b, idle), theta);
        assertArrayEquals(new float[] {(1 * 3 + 3 * 6) / 9f, (2 * 3 + 6 * 6) / 9f}, theta);
        assertArrayEquals(new float[] {(1 * 3 + 4 * 6) / 9f, (1 * 3 + 7 * 6) / 9f}, mean.floats().get("m"));
        assertArrayEquals(new long[] {3}, mean.longs().get("t"));
        // one partition taking part: its own arrays
        float[] alone = new float[2];
        assertEquals(s2, ModelAveraging.average(List.of(idle, b), alone));
        assertArrayEquals(new float[] {3, 6}, alone);
    }

    private static ModelAveraging.State state(float[] m, long t) {
        TreeMap<String, float[]> floats = new TreeMap<>();
        floats.put("m", m);
        TreeMap<String, long[]> longs = new TreeMap<>();
        longs.put("t", new long[] {t});
        return new ModelAveraging.State(floats, new TreeMap<>(), longs);
    }

    @Test
    void fullBatchMethodsAndFullBatchesAreRefused() {
        try (RowBlocks rows = RowBlocks.of(sc, X, Y, 2)) {
            IllegalArgumentException lbfgs = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(options("lbfgs", 0, 1)).syncEvery(2).fit(net(), rows));
            assertTrue(lbfgs.getMessage().contains("mini-batch optimizer"), lbfgs.getMessage());
            IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(options("adam", 0, 1)).syncEvery(2).fit(net(), rows));
            assertTrue(full.getMessage().contains("--batch-size above 0"), full.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(options("adam", 10, 1)).syncEvery(-1));
        }
    }

    /** Keeps the checkpoints it is given, and resumes from {@code from} (or starts afresh). */
    private static final class Kept implements CheckpointListener {
        private final Checkpoint from;
        Checkpoint last;

        Kept(Checkpoint from) {
            this.from = from;
        }

        @Override
        public int every() {
            return 1;
        }

        @Override
        public void onCheckpoint(Checkpoint c) {
            last = c;
        }

        @Override
        public Optional<Checkpoint> resumeFrom() {
            return Optional.ofNullable(from);
        }
    }

    /**
     * Checkpoints: a run on three partitions stopped after epoch 2 and resumed from its checkpoint
     * ends with the uninterrupted run's weights, history and early stop, bit for bit (Adam's state
     * averaged into the checkpoint, a validation fraction, patience and the best weights); the
     * checkpoint records K, so the exact mode and another K do not resume it.
     */
    @Test
    void aStoppedAndResumedAveragedRunEndsAsTheUninterruptedRun() {
        TrainingOptions o = options("adam(lr=0.02)", 32, 12).withValidationFraction(0.2).withPatience(2)
                .withMinDelta(0.01).withMetrics(List.of(ValidationMetric.ACCURACY));
        try (RowBlocks rows = RowBlocks.of(sc, X, Y, 3)) {
            Trainer.Result whole = new SparkTrainer(o).syncEvery(4).fit(net(), rows);
            assertTrue(whole.history().epochs().size() > 3, "epochs run: " + whole.history().epochs().size());
            Kept first = new Kept(null);
            new SparkTrainer(o.withEpochs(2)).syncEvery(4).addListener(first).fit(net(), rows);
            assertEquals(2, first.last.epoch());
            assertEquals("4", first.last.settings().get("sync_every"));
            Kept rest = new Kept(first.last);
            Trainer.Result resumed = new SparkTrainer(o).syncEvery(4).addListener(rest).fit(net(), rows);
            assertArrayEquals(whole.network().parameters().values(), resumed.network().parameters().values());
            assertEquals(whole.history().epochs().stream().map(EpochStats::loss).toList(),
                    resumed.history().epochs().stream().map(EpochStats::loss).toList());
            assertEquals(whole.history().epochs().stream().map(EpochStats::validationLoss).toList(),
                    resumed.history().epochs().stream().map(EpochStats::validationLoss).toList());
            assertEquals(whole.history().bestEpoch(), resumed.history().bestEpoch());
            assertEquals(whole.history().stoppedEarly(), resumed.history().stoppedEarly());

            IllegalArgumentException exact = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(o).addListener(new Kept(first.last)).fit(net(), rows));
            assertTrue(exact.getMessage().contains("sync_every = 4"), exact.getMessage());
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(o).syncEvery(8).addListener(new Kept(first.last)).fit(net(), rows));
            assertTrue(other.getMessage().contains("sync_every = 4, this run has sync_every = 8"), other.getMessage());
        }
    }

    @Test
    void aDivergingRoundStopsWithTheWeightsItStartedFrom() {
        try (RowBlocks rows = RowBlocks.of(sc, X, SparkTestSupport.regressionTargets(X), 2)) {
            TrainingOptions o = TrainingOptions.defaults().withOptimizer(Optimizer.parse("sgd(lr=1e6)"))
                    .withBatchSize(64).withEpochs(5).withThreads(1);
            Network regression = Network.input(4).dense(8, Activation.TANH).dense(1, Activation.IDENTITY).build(3);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> new SparkTrainer(o).syncEvery(4).fit(regression, rows));
            // the partition's own step, in the epoch's numbering (steps of round r are r·K + 1 … (r + 1)·K)
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "at epoch (\\d+), step (\\d+) of partition \\d, in round (\\d+) of model averaging every 4 steps")
                    .matcher(e.getMessage());
            assertTrue(m.find(), e.getMessage());
            assertEquals(e.step(), Integer.parseInt(m.group(2)));
            int round = Integer.parseInt(m.group(3));
            assertTrue(e.step() > (round - 1) * 4 && e.step() <= round * 4, e.getMessage());
            for (float v : e.lastGood().network().parameters().values()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    /**
     * A network past {@link TaskNetwork#THETA_IN_TASK} parameters: θ and Adam's state travel in
     * broadcasts of their own, and one partition still takes core training's steps bit for bit.
     */
    @Test
    void aWideNetworkAveragesThroughBroadcastsAsCoreTrains() {
        Network wide = Network.input(4).dense(700, Activation.TANH).dense(300, Activation.TANH)
                .dense(3, Activation.SOFTMAX).build(3);
        assertTrue(wide.parameters().size() > TaskNetwork.THETA_IN_TASK, "the broadcast path is taken");
        Matrix x = SparkTestSupport.features(60, 4, 5);
        Matrix y = SparkTestSupport.oneHot(x, 3);
        TrainingOptions o = options("adam(lr=0.001)", 20, 2);
        float[] expected = new Trainer(o).fit(wide, x, y).network().parameters().values();
        try (RowBlocks rows = RowBlocks.of(sc, x, y, 1)) {
            assertArrayEquals(expected, new SparkTrainer(o).syncEvery(2).fit(wide, rows).network().parameters()
                    .values());
        }
    }

    /** Each round's task announces its partition's share of what is left of the run: rows × epochs to come. */
    @Test
    void eachRoundAnnouncesItsPartitionsShareOfTheRun() {
        java.util.Set<Long> heard = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.function.LongConsumer before = PartitionPass.workHint;
        PartitionPass.workHint = heard::add;
        try {
            averaged(options("adam(lr=0.01)", 256, 2), 2, 2, null);
        } finally {
            PartitionPass.workHint = before;
        }
        // 2 partitions: 1,024 rows and 1,024 + 500
        java.util.Set<Long> expected = new java.util.HashSet<>();
        for (int left = 2; left >= 1; left--) {
            expected.add(Trainer.plannedOperations(net(), BlockedPass.BLOCK_ROWS, left));
            expected.add(Trainer.plannedOperations(net(), BlockedPass.BLOCK_ROWS + 500, left));
        }
        assertEquals(expected, heard);
    }
}

package dev.gradus.spark;

import static dev.gradus.spark.SparkTestSupport.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Distributed training against the single-JVM {@link Trainer} on the same rows, initial
 * weights and options, in {@code local[2]}.
 *
 * <p>Tolerance: the two trainers differ only in where float32 sums over rows are split (at
 * partition boundaries), a relative rounding difference of order 1e-7 per step; over the
 * few dozen steps here it stays well below the 1e-5.
 */
class SparkTrainerTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    private static final Matrix X = SparkTestSupport.features(240, 4, 7);
    private static final Matrix Y_REG = SparkTestSupport.regressionTargets(X);
    private static final Matrix Y_CLASS = SparkTestSupport.oneHot(X, 3);
    /**
     * Three blocks of {@link BlockedPass#BLOCK_ROWS} rows (the last one short): on 2 partitions,
     * the second holds two blocks, so the partition sums split the block sum differently from
     * the single-JVM trainer (which is what the tolerance covers).
     */
    private static final Matrix X_BIG = SparkTestSupport.features(2 * BlockedPass.BLOCK_ROWS + 500, 4, 11);
    private static final Matrix Y_BIG_REG = SparkTestSupport.regressionTargets(X_BIG);
    private static final Matrix Y_BIG_CLASS = SparkTestSupport.oneHot(X_BIG, 3);

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session("SparkTrainerTest");
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Network regressionNet() {
        return Network.input(4).dense(8, Activation.TANH).dense(1, Activation.IDENTITY).build(3);
    }

    private static Network net(Loss loss) {
        Network.Builder b = Network.input(4).dense(8, Activation.TANH);
        if (loss == Loss.CROSS_ENTROPY) {
            return b.dense(3, Activation.SOFTMAX).build(5);
        }
        if (loss == Loss.BCE) {
            return b.dense(3, Activation.SIGMOID).build(5);
        }
        return b.dense(1, Activation.IDENTITY).build(5);
    }

    private static float[] core(Network net, Matrix x, Matrix y, TrainingOptions o) {
        return new Trainer(o).fit(net, x, y).network().parameters().values();
    }

    private static float[] spark(Network net, Matrix x, Matrix y, TrainingOptions o, int partitions) {
        try (RowBlocks rows = RowBlocks.of(sc, x, y, partitions)) {
            return new SparkTrainer(o).fit(net, rows).network().parameters().values();
        }
    }

    private static TrainingOptions fullBatch(int epochs) {
        return TrainingOptions.defaults().withBatchSize(0).withShuffle(false).withEpochs(epochs).withThreads(1);
    }

    @Test
    void partitionsHoldWholeBlocks() {
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_REG, 2)) {
            List<RowBlocks.Block> blocks = rows.blocks().collect();
            assertEquals(0, blocks.get(0).firstRow());
            assertEquals(BlockedPass.BLOCK_ROWS, blocks.get(0).rows());
            assertEquals(BlockedPass.BLOCK_ROWS, blocks.get(1).firstRow());
            assertEquals(X_BIG.rows() - BlockedPass.BLOCK_ROWS, blocks.get(1).rows());
        }
    }

    @Test
    void fullBatchOnSeveralPartitionsEqualsCoreTraining() {
        TrainingOptions o = fullBatch(30).withOptimizer(Optimizer.parse("sgd(lr=0.1)"));
        float[] expected = core(regressionNet(), X_BIG, Y_BIG_REG, o);
        float[] actual = spark(regressionNet(), X_BIG, Y_BIG_REG, o, 2);
        assertClose(expected, actual, 1e-5, "2 partitions");
        // and training did move the weights: the comparison is not of two copies of the start
        assertTrue(Math.abs(expected[0] - regressionNet().parameters().values()[0]) > 1e-3);
    }

    @Test
    void onePartitionIsBitIdenticalToCoreTraining() {
        TrainingOptions o = fullBatch(20).withOptimizer(Optimizer.parse("adam(lr=0.01)"));
        assertArrayEquals(core(regressionNet(), X, Y_REG, o), spark(regressionNet(), X, Y_REG, o, 1));
        // and over several blocks: one partition adds them in the order of the single JVM
        assertArrayEquals(core(regressionNet(), X_BIG, Y_BIG_REG, o), spark(regressionNet(), X_BIG, Y_BIG_REG, o, 1));
    }

    /**
     * A network past {@link TaskNetwork#THETA_IN_TASK} parameters gets θ in a broadcast of its own
     * (smaller ones inside the task): the same bits as core training on one partition.
     */
    @Test
    void aNetworkWhoseParametersAreBroadcastTrainsAsInCore() {
        Network wide = Network.input(4).dense(700, Activation.TANH).dense(300, Activation.TANH)
                .dense(1, Activation.IDENTITY).build(3);
        assertTrue(wide.parameters().size() > TaskNetwork.THETA_IN_TASK, "the broadcast path is taken");
        TrainingOptions o = fullBatch(2).withOptimizer(Optimizer.parse("sgd(lr=0.01)"));
        Matrix x = SparkTestSupport.features(40, 4, 5);
        Matrix y = SparkTestSupport.regressionTargets(x);
        assertArrayEquals(core(wide, x, y, o), spark(wide, x, y, o, 1));
    }

    /**
     * More partitions than the driver adds itself (32): the partition sums are added in groups on
     * the executors, still in partition order, so two runs agree bit for bit and follow core
     * training to rounding.
     */
    @Test
    void morePartitionsThanTheFanInAreAddedInOrderOnTheExecutors() {
        TrainingOptions o = fullBatch(5).withOptimizer(Optimizer.parse("sgd(lr=0.1)"));
        Matrix x = SparkTestSupport.features(34 * BlockedPass.BLOCK_ROWS + 100, 4, 9);   // a block or two each
        Matrix y = SparkTestSupport.regressionTargets(x);
        float[] first = spark(regressionNet(), x, y, o, 34);
        assertArrayEquals(first, spark(regressionNet(), x, y, o, 34));
        assertClose(core(regressionNet(), x, y, o), first, 1e-5, "34 partitions");
    }

    @Test
    void twoRunsOnTheSamePartitionsAreBitIdentical() {
        TrainingOptions o = fullBatch(10).withOptimizer(Optimizer.parse("momentum(lr=0.05)"));
        assertArrayEquals(spark(regressionNet(), X_BIG, Y_BIG_REG, o, 2), spark(regressionNet(), X_BIG, Y_BIG_REG, o, 2));
    }

    /**
     * L-BFGS runs fewer steps: its curvature pairs are differences of nearby gradients, which
     * magnify rounding differences as it converges (on the separable classes, 12 steps of
     * cross-entropy drift to 4e-4 relative; with the FMA kernels, 8 steps of mse drift to
     * 1.02e-5; 5 stay within 1e-5).
     */
    @ParameterizedTest
    @CsvSource({
        "mse, sgd(lr=0.1), 12", "mse, momentum(lr=0.05), 12", "mse, nesterov(lr=0.05), 12",
        "mse, rmsprop(lr=0.01), 12", "mse, adam(lr=0.01), 12", "mse, adamw(lr=0.01), 12", "mse, rprop, 12",
        "mse, irprop+, 12", "mse, lbfgs, 5", "mae, adam(lr=0.01), 12", "huber, sgd(lr=0.2), 12",
        "cross-entropy, adam(lr=0.02), 12", "cross-entropy, lbfgs, 5", "bce, sgd(lr=0.5), 12"})
    void everyLossAndOptimizerTrainsAsInCore(String lossName, String optimizer, int epochs) {
        Loss loss = Loss.parse(lossName);
        Matrix y = loss == Loss.CROSS_ENTROPY || loss == Loss.BCE ? Y_BIG_CLASS : Y_BIG_REG;
        TrainingOptions o = fullBatch(epochs).withLoss(loss).withOptimizer(Optimizer.parse(optimizer));
        assertClose(core(net(loss), X_BIG, y, o), spark(net(loss), X_BIG, y, o, 2), 1e-5,
                lossName + " / " + optimizer);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void shuffledMiniBatchesVisitTheRowsInCoreOrder(int partitions) {
        TrainingOptions o = TrainingOptions.defaults().withBatchSize(50).withEpochs(3).withThreads(1)
                .withOptimizer(Optimizer.parse("sgd(lr=0.05)")).withClipNorm(1.0);
        float[] expected = core(regressionNet(), X, Y_REG, o);
        float[] actual = spark(regressionNet(), X, Y_REG, o, partitions);
        if (partitions == 1) {
            assertArrayEquals(expected, actual);
        } else {
            assertClose(expected, actual, 1e-5, partitions + " partitions");
        }
    }

    @Test
    void miniBatchTrainingReachesTheQualityOfCoreTraining() {
        TrainingOptions o = TrainingOptions.defaults().withBatchSize(16).withEpochs(15).withThreads(1)
                .withOptimizer(Optimizer.parse("adam(lr=0.01)"));
        Network start = regressionNet();
        double before = Loss.MSE.value(start.predict(X).data(), Y_REG.data(), 0, X.rows(), 1);
        try (RowBlocks rows = RowBlocks.of(sc, X, Y_REG, 3)) {
            Trainer.Result r = new SparkTrainer(o).fit(start, rows);
            Network coreNet = new Trainer(o).fit(start, X, Y_REG).network();
            double spark = Loss.MSE.value(r.network().predict(X).data(), Y_REG.data(), 0, X.rows(), 1);
            double core = Loss.MSE.value(coreNet.predict(X).data(), Y_REG.data(), 0, X.rows(), 1);
            assertTrue(spark < before / 4, "loss " + before + " -> " + spark);
            // same batches, same steps: the final losses agree to well within 1%
            assertEquals(core, spark, 0.01 * core);
        }
    }

    @Test
    void dropoutOnOnePartitionDrawsTheMasksOfCoreTraining() {
        TrainingOptions o = fullBatch(5).withDropout(0.3).withOptimizer(Optimizer.parse("sgd(lr=0.1)"));
        assertArrayEquals(core(regressionNet(), X, Y_REG, o), spark(regressionNet(), X, Y_REG, o, 1));
    }

    /**
     * Early stopping on validation rows: the same epoch as the single-JVM trainer, bit-identical
     * on one partition; on several, histories within 1e-5 and weights within 1e-4 (the issue's
     * bound; 40 Adam epochs of rounding differences measured ~1e-6 here).
     */
    @ParameterizedTest
    @CsvSource({"1, 0", "3, 0", "1, 512", "3, 512"})
    void validationFractionAndEarlyStoppingFollowCoreTraining(int partitions, int batch) {
        TrainingOptions o = TrainingOptions.defaults().withBatchSize(batch).withEpochs(40).withThreads(1)
                .withLoss(Loss.CROSS_ENTROPY).withOptimizer(Optimizer.parse(batch == 0 ? "adam(lr=0.05)" : "adam(lr=0.01)"))
                .withValidationFraction(0.25).withMetrics(List.of(ValidationMetric.ACCURACY))
                .withPatience(3).withMonitor("loss").withMinDelta(0.01);   // stops after ~25 epochs
        Trainer.Result expected = new Trainer(o).fit(net(Loss.CROSS_ENTROPY), X_BIG, Y_BIG_CLASS);
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_CLASS, partitions)) {
            Trainer.Result actual = new SparkTrainer(o).fit(net(Loss.CROSS_ENTROPY), rows);
            List<EpochStats> e = expected.history().epochs();
            List<EpochStats> a = actual.history().epochs();
            assertTrue(expected.history().stoppedEarly(), "the run is meant to stop early");
            assertEquals(e.size(), a.size(), "epochs run");
            assertEquals(expected.history().stoppedEarly(), actual.history().stoppedEarly());
            assertEquals(expected.history().bestEpoch(), actual.history().bestEpoch());
            if (partitions == 1) {
                assertArrayEquals(expected.network().parameters().values(), actual.network().parameters().values());
                for (int i = 0; i < e.size(); i++) {
                    assertEquals(e.get(i).loss(), a.get(i).loss(), "training loss, epoch " + (i + 1));
                    assertEquals(e.get(i).validationLoss(), a.get(i).validationLoss(), "epoch " + (i + 1));
                    assertEquals(e.get(i).validationMetrics(), a.get(i).validationMetrics(), "epoch " + (i + 1));
                }
                return;
            }
            for (int i = 0; i < e.size(); i++) {
                assertEquals(e.get(i).loss(), a.get(i).loss(), 1e-5 * e.get(i).loss(), "training loss, epoch " + (i + 1));
                assertEquals(e.get(i).validationLoss(), a.get(i).validationLoss(), 1e-5 * e.get(i).validationLoss(),
                        "validation loss, epoch " + (i + 1));
                assertEquals(e.get(i).validationMetrics().get("accuracy"), a.get(i).validationMetrics().get("accuracy"));
            }
            assertClose(expected.network().parameters().values(), actual.network().parameters().values(), 1e-4,
                    "restored best weights");
        }
    }

    /**
     * Row weights (ℓ = Σ wᵢLᵢ / Σ wᵢ) as in core training: bit for bit on one partition, within
     * 1e-5 on three; full batch and shuffled mini-batches, with a weighted validation fraction.
     */
    @ParameterizedTest
    @CsvSource({"1, 0", "3, 0", "1, 700", "3, 700"})
    void weightedRowsTrainAsInCore(int partitions, int batch) {
        float[] w = new float[X_BIG.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 5 == 0 ? 0 : 0.5f * (1 + i % 4);
        }
        TrainingOptions o = TrainingOptions.defaults().withBatchSize(batch).withEpochs(6).withThreads(1)
                .withLoss(Loss.CROSS_ENTROPY).withOptimizer(Optimizer.parse("adam(lr=0.02)"))
                .withValidationFraction(0.2).withMetrics(List.of(ValidationMetric.ACCURACY));
        Trainer.Result expected = new Trainer(o).fit(net(Loss.CROSS_ENTROPY),
                GradientSource.of(X_BIG, Y_BIG_CLASS, w));
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_CLASS, w, partitions)) {
            Trainer.Result actual = new SparkTrainer(o).fit(net(Loss.CROSS_ENTROPY), rows);
            List<EpochStats> e = expected.history().epochs();
            List<EpochStats> a = actual.history().epochs();
            assertEquals(e.size(), a.size());
            if (partitions == 1) {
                assertArrayEquals(expected.network().parameters().values(), actual.network().parameters().values());
                assertEquals(e, a.stream().map(s -> new EpochStats(s.epoch(), s.loss(), s.steps(), e.get(s.epoch() - 1)
                        .seconds(), s.learningRate(), s.validationLoss(), s.validationMetrics())).toList());
                return;
            }
            assertClose(expected.network().parameters().values(), actual.network().parameters().values(), 1e-5,
                    "3 partitions");
            for (int i = 0; i < e.size(); i++) {
                assertEquals(e.get(i).loss(), a.get(i).loss(), 1e-5 * e.get(i).loss(), "epoch " + (i + 1));
                assertEquals(e.get(i).validationLoss(), a.get(i).validationLoss(), 1e-5 * e.get(i).validationLoss());
            }
        }
        float[] bad = w.clone();
        bad[7] = -1;
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> RowBlocks.of(sc, X_BIG, Y_BIG_CLASS, bad, 2));
        assertTrue(refused.getMessage().contains("row 7"), refused.getMessage());
    }

    /** The rows a validation fraction holds out stay on the executors: the split gives no rows to the driver. */
    @Test
    void heldOutRowsStayOnTheExecutors() {
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_CLASS, 3);
             SparkRows source = new SparkRows(rows, null)) {
            GradientSource.HeldOut split = source.holdOut(new int[] {0, 5, 1500, 2000, 2547});
            try (GradientSource train = split.train()) {
                SparkValidation v = assertInstanceOf(SparkValidation.class, split.validation());
                assertEquals(5, v.rows());
                assertEquals(X_BIG.rows() - 5, train.rows());
                assertEquals(3, v.outputs());
            }
        }
    }

    /**
     * A separate validation set, sent to the executors and scored there: every epoch's validation
     * loss and accuracy as the single-JVM trainer's, bit for bit on one partition; on several,
     * within 1e-5 (the validation chunks are the same; the sums over them are split elsewhere).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aSeparateValidationSetIsScoredOnTheExecutorsAsInCore(int partitions) {
        Matrix xv = SparkTestSupport.features(BlockedPass.BLOCK_ROWS + 300, 4, 23);
        Matrix yv = SparkTestSupport.oneHot(xv, 3);
        TrainingOptions o = fullBatch(8).withLoss(Loss.CROSS_ENTROPY).withOptimizer(Optimizer.parse("adam(lr=0.05)"))
                .withMetrics(List.of(ValidationMetric.ACCURACY)).withPatience(2).withMonitor("accuracy");
        Trainer.Result expected = new Trainer(o).fit(net(Loss.CROSS_ENTROPY), X_BIG, Y_BIG_CLASS, xv, yv);
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_CLASS, partitions)) {
            Trainer.Result actual = new SparkTrainer(o).fit(net(Loss.CROSS_ENTROPY), rows, xv, yv);
            List<EpochStats> e = expected.history().epochs();
            List<EpochStats> a = actual.history().epochs();
            assertEquals(e.size(), a.size(), "epochs run");
            for (int i = 0; i < e.size(); i++) {
                if (partitions == 1) {
                    assertEquals(e.get(i).validationLoss(), a.get(i).validationLoss(), "epoch " + (i + 1));
                } else {
                    assertEquals(e.get(i).validationLoss(), a.get(i).validationLoss(), 1e-5 * e.get(i).validationLoss(),
                            "epoch " + (i + 1));
                }
                assertEquals(e.get(i).validationMetrics(), a.get(i).validationMetrics(), "epoch " + (i + 1));
            }
        }
    }

    private static CheckpointListener keep(List<Checkpoint> into, int every, Checkpoint from) {
        return new CheckpointListener() {
            @Override
            public int every() {
                return every;
            }

            @Override
            public void onCheckpoint(Checkpoint c) {
                into.add(c);
            }

            @Override
            public Optional<Checkpoint> resumeFrom() {
                return Optional.ofNullable(from);
            }
        };
    }

    /**
     * Checkpoints through the core loop: a run resumed from epoch 3's checkpoint on the same rows
     * and partitioning ends bit-identical to the uninterrupted run, with full batches (L-BFGS,
     * whose state is curvature pairs), shuffled mini-batches with dropout, and early stopping.
     */
    @ParameterizedTest
    @CsvSource({"1, 0, lbfgs, 0", "2, 0, adam(lr=0.02), 0", "3, 512, adam(lr=0.02), 0.2", "3, 512, rprop, 0"})
    void aResumedRunEndsBitIdenticalToAnUninterruptedOne(int partitions, int batch, String optimizer,
                                                         double dropout) {
        Matrix y = Y_BIG_REG;
        TrainingOptions o = TrainingOptions.defaults().withBatchSize(batch).withEpochs(7).withThreads(1)
                .withOptimizer(Optimizer.parse(optimizer)).withDropout(dropout);
        if (optimizer.equals("rprop")) {
            o = o.withBatchSize(0).withValidationFraction(0.2).withPatience(2);
        }
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, y, partitions)) {
            List<Checkpoint> saved = new ArrayList<>();
            Trainer.Result whole = new SparkTrainer(o).addListener(keep(saved, 3, null)).fit(regressionNet(), rows);
            Checkpoint third = saved.get(0);
            assertEquals(3, third.epoch());
            assertTrue(third.settings().get("train_rows_sha256").endsWith(" on " + partitions + " partitions"),
                    third.settings().toString());
            List<Checkpoint> again = new ArrayList<>();
            Trainer.Result resumed = new SparkTrainer(o).addListener(keep(again, 3, third)).fit(regressionNet(), rows);
            assertArrayEquals(whole.network().parameters().values(), resumed.network().parameters().values());
            assertEquals(whole.history().epochs().size(), resumed.history().epochs().size());
            assertEquals(whole.history().bestEpoch(), resumed.history().bestEpoch());
            // the resumed run's checkpoints are those of the uninterrupted run after epoch 3
            assertEquals(saved.size() - 1, again.size());
            assertArrayEquals(saved.get(saved.size() - 1).network().parameters().values(),
                    again.get(again.size() - 1).network().parameters().values());
        }
    }

    @Test
    void aCheckpointResumesOnlyOnTheSameRowsAndPartitioning() {
        TrainingOptions o = fullBatch(4).withOptimizer(Optimizer.parse("adam(lr=0.02)"));
        List<Checkpoint> saved = new ArrayList<>();
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_REG, 2)) {
            new SparkTrainer(o).addListener(keep(saved, 2, null)).fit(regressionNet(), rows);
        }
        Checkpoint second = saved.get(0);
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_REG, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(o).addListener(keep(new ArrayList<>(), 2, second)).fit(regressionNet(), rows));
            assertTrue(e.getMessage().contains("on 2 partitions") && e.getMessage().contains("on 3 partitions"),
                    e.getMessage());
        }
        Matrix other = SparkTestSupport.regressionTargets(SparkTestSupport.features(X_BIG.rows(), 4, 12));
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, other, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(o).addListener(keep(new ArrayList<>(), 2, second)).fit(regressionNet(), rows));
            assertTrue(e.getMessage().contains("training rows differ"), e.getMessage());
        }
    }

    @Test
    void aFailedTaskIsRetriedAndTheResultIsUnchanged() {
        TrainingOptions o = fullBatch(6).withOptimizer(Optimizer.parse("lbfgs"));
        float[] clean = spark(regressionNet(), X, Y_REG, o, 3);
        try (RowBlocks rows = RowBlocks.of(sc, X, Y_REG, 3)) {
            Trainer.Result r = new SparkTrainer(o).withTaskHook(FailFirstAttempt.INSTANCE).fit(regressionNet(), rows);
            assertArrayEquals(clean, r.network().parameters().values());
        }
        // and the hook did fail tasks, so the equality above was met through retries
        assertTrue(FailFirstAttempt.failures() > 0, "no task failed");
    }

    /** Fails the first attempt of partition 1's task in every job; the retry (attempt 1) succeeds. */
    private enum FailFirstAttempt implements PartitionPass.TaskHook {
        INSTANCE;
        private static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public void beforePartition(org.apache.spark.TaskContext context) {
            if (context.partitionId() == 1 && context.attemptNumber() == 0) {
                FAILURES.incrementAndGet();   // local mode: executors share this JVM, so the count is seen
                throw new IllegalStateException("injected failure of partition 1, attempt 0");
            }
        }

        static int failures() {
            return FAILURES.get();
        }
    }

    @Test
    void aDivergingRunStopsWithTheLastGoodWeights() {
        TrainingOptions o = fullBatch(50).withOptimizer(Optimizer.parse("sgd(lr=1e6)"));
        try (RowBlocks rows = RowBlocks.of(sc, X, Y_REG, 2)) {
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> new SparkTrainer(o).fit(regressionNet(), rows));
            for (float v : e.lastGood().network().parameters().values()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void mismatchedWidthsAndFullBatchMethodsOnMiniBatchesAreRefused() {
        try (RowBlocks rows = RowBlocks.of(sc, X, Y_CLASS, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(fullBatch(1)).fit(regressionNet(), rows));
            assertTrue(e.getMessage().contains("3 targets"), e.getMessage());
        }
        try (RowBlocks rows = RowBlocks.of(sc, X, Y_REG, 2)) {
            TrainingOptions o = fullBatch(1).withBatchSize(10).withOptimizer(Optimizer.parse("lbfgs"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SparkTrainer(o).fit(regressionNet(), rows));
            assertTrue(e.getMessage().contains("full-batch"), e.getMessage());
        }
    }

    /**
     * Every task announces its partition's share of what is left of the run to the kernels
     * (an executor's JVM hears nothing from the driver's Trainer): partition rows × epochs to come.
     */
    @Test
    void eachTaskAnnouncesItsPartitionsShareOfTheRun() {
        List<Long> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.function.LongConsumer before = PartitionPass.workHint;
        PartitionPass.workHint = heard::add;
        try (RowBlocks rows = RowBlocks.of(sc, X_BIG, Y_BIG_REG, 2)) {
            new SparkTrainer(fullBatch(3)).fit(regressionNet(), rows);
        } finally {
            PartitionPass.workHint = before;
        }
        // 3 blocks on 2 partitions: 1,024 rows and 1,024 + 500
        List<Long> expected = new ArrayList<>();
        for (int left = 3; left >= 1; left--) {
            expected.add(Trainer.plannedOperations(regressionNet(), BlockedPass.BLOCK_ROWS, left));
            expected.add(Trainer.plannedOperations(regressionNet(), BlockedPass.BLOCK_ROWS + 500, left));
        }
        List<Long> sorted = new ArrayList<>(heard);
        sorted.sort(java.util.Comparator.reverseOrder());
        expected.sort(java.util.Comparator.reverseOrder());
        assertEquals(expected, sorted);
        assertEquals(6L * (4 * 8 + 8) * (BlockedPass.BLOCK_ROWS + 500) * 3, sorted.get(0));
    }

    /**
     * Validation rows of a network past {@link TaskNetwork#THETA_IN_TASK} parameters are scored
     * at a broadcast θ: each epoch's validation loss is core training's, bit for bit, on one partition.
     */
    @Test
    void aWideNetworksValidationRowsAreScoredAsInCore() {
        Network wide = Network.input(4).dense(700, Activation.TANH).dense(300, Activation.TANH)
                .dense(1, Activation.IDENTITY).build(3);
        assertTrue(wide.parameters().size() > TaskNetwork.THETA_IN_TASK, "the broadcast path is taken");
        TrainingOptions o = fullBatch(2).withOptimizer(Optimizer.parse("sgd(lr=0.01)")).withValidationFraction(0.25);
        Matrix x = SparkTestSupport.features(40, 4, 5);
        Matrix y = SparkTestSupport.regressionTargets(x);
        Trainer.Result expected = new Trainer(o).fit(wide, x, y);
        try (RowBlocks rows = RowBlocks.of(sc, x, y, 1)) {
            Trainer.Result actual = new SparkTrainer(o).fit(wide, rows);
            assertArrayEquals(expected.network().parameters().values(), actual.network().parameters().values());
            assertEquals(expected.history().epochs().stream().map(EpochStats::validationLoss).toList(),
                    actual.history().epochs().stream().map(EpochStats::validationLoss).toList());
            assertTrue(Double.isFinite(actual.history().epochs().get(1).validationLoss()));
        }
    }
}

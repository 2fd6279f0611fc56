package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Lbfgs;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import dev.gradus.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run interrupted after some epoch and resumed from its last checkpoint ends with weights
 * bit-identical to the uninterrupted run, for every optimizer, with a schedule, dropout,
 * clipping, validation and early stopping all on.
 */
class TrainerResumeTest {

    static final int EPOCHS = 12;

    /** Every optimizer, with settings that make each state matter (L-BFGS's ring wraps around). */
    static Stream<Optimizer> optimizers() {
        return Stream.of(
                Optimizer.parse("sgd(lr=0.05, weight_decay=0.001)"),
                Optimizer.parse("momentum(lr=0.05, momentum=0.9)"),
                Optimizer.parse("nesterov(lr=0.05, weight_decay=0.001)"),
                Optimizer.parse("rmsprop(lr=0.005)"),
                Optimizer.parse("adam(lr=0.01, weight_decay=0.001)"),
                Optimizer.parse("adamw(lr=0.01)"),
                Optimizer.parse("rprop"),
                Optimizer.parse("irprop+"),
                Optimizer.parse("lbfgs(history=3)"),
                Optimizer.parse("lbfgs(history=4, line_search=none, lr=0.5)"));
    }

    static TrainingOptions options(Optimizer optimizer) {
        return TrainingOptions.defaults()
                .withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(optimizer)
                .withBatchSize(optimizer.fullBatch() ? 0 : 16)
                .withEpochs(EPOCHS)
                .withSchedule(Schedule.parse("cosine(warmup=2)", EPOCHS))
                .withDropout(0.2)
                .withClipNorm(5)
                .withThreads(2)
                .withValidationFraction(0.25)
                .withMetrics(List.of(ValidationMetric.ACCURACY))
                .withPatience(100);
    }

    static Network network() {
        return Network.input(2).dense(12, Activation.TANH).dense(8, Activation.RELU).dense(3, Activation.SOFTMAX)
                .build(7);
    }

    /** Keeps every checkpoint in memory; may resume from one. */
    static final class Recorder implements CheckpointListener {
        final List<Checkpoint> saved = new ArrayList<>();
        final int every;
        final Checkpoint from;

        Recorder(int every, Checkpoint from) {
            this.every = every;
            this.from = from;
        }

        @Override public int every() { return every; }
        @Override public void onCheckpoint(Checkpoint c) { saved.add(c); }
        @Override public Optional<Checkpoint> resumeFrom() { return Optional.ofNullable(from); }

        Checkpoint last() {
            return saved.get(saved.size() - 1);
        }
    }

    /** Stands for a crash: stops the run inside epoch {@code epoch}, before its checkpoint. */
    static final class Crash extends RuntimeException {
        Crash() {
            super("interrupted");
        }
    }

    static TrainingListener crashAt(int epoch) {
        return stats -> {
            if (stats.epoch() == epoch) {
                throw new Crash();
            }
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void anInterruptedRunResumesBitIdentically(Optimizer optimizer) {
        Matrix[] d = TrainerFeaturesTest.blobs(120, 11);
        TrainingOptions options = options(optimizer);

        Recorder whole = new Recorder(1, null);
        Trainer.Result uninterrupted = new Trainer(options).addListener(whole).fit(network(), d[0], d[1]);
        assertEquals(EPOCHS, whole.saved.size(), "one checkpoint per epoch");

        Recorder first = new Recorder(1, null);
        assertThrows(Crash.class, () -> new Trainer(options).addListener(first).addListener(crashAt(6))
                .fit(network(), d[0], d[1]));
        Checkpoint last = first.last();
        assertEquals(5, last.epoch(), "the crash in epoch 6 came before its checkpoint");
        assertEquals(whole.saved.get(4).optimizer(), last.optimizer(), "the same state after epoch 5");

        Recorder second = new Recorder(1, last);
        Trainer.Result resumed = new Trainer(options).addListener(second).fit(network(), d[0], d[1]);

        assertArrayEquals(uninterrupted.network().parameters().values(), resumed.network().parameters().values(),
                "weights after a resume must be bit-identical");
        assertEquals(losses(uninterrupted.history()), losses(resumed.history()));
        assertEquals(EPOCHS - 5, second.saved.size(), "checkpoints only for the epochs run after the resume");
        for (int e = 6; e <= EPOCHS; e++) {
            Checkpoint a = whole.saved.get(e - 1);
            Checkpoint b = second.saved.get(e - 6);
            assertEquals(e, b.epoch());
            assertEquals(a.optimizer(), b.optimizer(), "optimizer state after epoch " + e);
            assertArrayEquals(a.lastGood(), b.lastGood(), "last good weights after epoch " + e);
        }
    }

    @Test
    void earlyStoppingStateSurvivesTheResume() {
        Matrix[] train = TrainerFeaturesTest.blobs(60, 2);
        Matrix[] val = TrainerFeaturesTest.blobs(60, 3);
        // As in TrainerFeaturesTest: a large rate on a small set makes the validation loss wander.
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Optimizer.parse("adam(lr=0.05)")).withEpochs(300).withBatchSize(8)
                .withThreads(1).withPatience(5);
        Trainer.Result whole = new Trainer(options).fit(TrainerFeaturesTest.classifier(4), train[0], train[1],
                val[0], val[1]);
        History h = whole.history();
        assertTrue(h.stoppedEarly());
        int stop = h.epochs().size();
        assertTrue(stop > h.bestEpoch() + 1, "the crash below falls between the best epoch and the stop");

        // Crash after the best epoch, while the patience counter runs.
        Recorder first = new Recorder(1, null);
        assertThrows(Crash.class, () -> new Trainer(options).addListener(first).addListener(crashAt(stop - 1))
                .fit(TrainerFeaturesTest.classifier(4), train[0], train[1], val[0], val[1]));
        assertTrue(first.last().sinceBest() > 0);
        assertTrue(first.last().best().isPresent());
        Recorder second = new Recorder(1, first.last());
        Trainer.Result resumed = new Trainer(options).addListener(second)
                .fit(TrainerFeaturesTest.classifier(4), train[0], train[1], val[0], val[1]);

        assertTrue(resumed.history().stoppedEarly());
        assertEquals(h.bestEpoch(), resumed.history().bestEpoch());
        assertEquals(stop, resumed.history().epochs().size());
        assertArrayEquals(whole.network().parameters().values(), resumed.network().parameters().values(),
                "the best weights, restored, are bit-identical");
        assertTrue(second.last().history().stoppedEarly(), "the last checkpoint records the early stop");

        // Resuming a run that has stopped trains nothing more and returns the same result.
        Trainer.Result again = new Trainer(options).addListener(new Recorder(1, second.last()))
                .fit(TrainerFeaturesTest.classifier(4), train[0], train[1], val[0], val[1]);
        assertArrayEquals(whole.network().parameters().values(), again.network().parameters().values());
        assertEquals(stop, again.history().epochs().size());
    }

    @Test
    void checkpointsComeEveryNEpochsAndAfterTheLast() {
        Matrix[] d = TrainerFeaturesTest.blobs(60, 5);
        Recorder r = new Recorder(3, null);
        new Trainer(options(Optimizer.parse("adam")).withEpochs(10)).addListener(r).fit(network(), d[0], d[1]);
        assertEquals(List.of(3, 6, 9, 10), r.saved.stream().map(Checkpoint::epoch).toList());
    }

    @Test
    void aResumeWithMoreEpochsEqualsALongerRun() {
        Matrix[] d = TrainerFeaturesTest.blobs(90, 6);
        // A constant schedule does not depend on the epoch count, so 4 + 4 epochs equal 8.
        TrainingOptions eight = options(Optimizer.parse("adam(lr=0.01)")).withSchedule(Schedule.CONSTANT)
                .withEpochs(8);
        Trainer.Result whole = new Trainer(eight).fit(network(), d[0], d[1]);
        Recorder first = new Recorder(2, null);
        new Trainer(eight.withEpochs(4)).addListener(first).fit(network(), d[0], d[1]);
        Trainer.Result more = new Trainer(eight).addListener(new Recorder(2, first.last())).fit(network(), d[0], d[1]);
        assertArrayEquals(whole.network().parameters().values(), more.network().parameters().values());
    }

    @Test
    void aCheckpointOnlyResumesTheRunItCameFrom() {
        Matrix[] d = TrainerFeaturesTest.blobs(60, 8);
        TrainingOptions options = options(Optimizer.parse("adam")).withEpochs(4);
        Recorder r = new Recorder(1, null);
        new Trainer(options).addListener(r).fit(network(), d[0], d[1]);
        Checkpoint c = r.saved.get(1);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(
                options.withOptimizer(Optimizer.parse("sgd"))).addListener(new Recorder(1, c)).fit(network(), d[0], d[1]));
        assertTrue(e.getMessage().contains("optimizer"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(options.withSeed(1))
                .addListener(new Recorder(1, c)).fit(network(), d[0], d[1]));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());

        Matrix[] other = TrainerFeaturesTest.blobs(60, 9);
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(options).addListener(new Recorder(1, c))
                .fit(network(), other[0], other[1]));
        assertTrue(e.getMessage().contains("the training rows differ"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(options.withEpochs(1))
                .addListener(new Recorder(1, c)).fit(network(), d[0], d[1]));
        assertTrue(e.getMessage().contains("2 epochs"), e.getMessage());

        Network wider = Network.input(2).dense(13, Activation.TANH).dense(8, Activation.RELU)
                .dense(3, Activation.SOFTMAX).build(7);
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(options).addListener(new Recorder(1, c))
                .fit(wider, d[0], d[1]));
        assertTrue(e.getMessage().contains("network"), e.getMessage());

        // Threads do not change results, so they may differ.
        Trainer.Result fewer = new Trainer(options.withThreads(1)).addListener(new Recorder(1, c))
                .fit(network(), d[0], d[1]);
        assertFalse(fewer.history().epochs().isEmpty());
    }

    @Test
    void oneCheckpointListenerPerTrainer() {
        Trainer t = new Trainer(TrainingOptions.defaults()).addListener(new Recorder(1, null));
        assertThrows(IllegalArgumentException.class, () -> t.addListener(new Recorder(1, null)));
        assertThrows(IllegalArgumentException.class,
                () -> new Trainer(TrainingOptions.defaults()).addListener(new Recorder(0, null)));
    }

    @Test
    void lbfgsStateRoundTripsWithAWrappedRing() {
        // Not through training: a direct check that restore(snapshot) gives back the same snapshot.
        Lbfgs lbfgs = Lbfgs.defaults().withHistory(2);
        Matrix[] d = TrainerFeaturesTest.blobs(30, 1);
        Recorder r = new Recorder(1, null);
        new Trainer(options(lbfgs).withEpochs(6)).addListener(r).fit(network(), d[0], d[1]);
        Optimizer.Snapshot s = r.last().optimizer();
        assertEquals(s, lbfgs.restore(network().parameters().size(), s).snapshot());
        assertTrue(s.floats().containsKey("s.1"), "after 6 iterations the ring of 2 has wrapped: " + s);
    }

    private static List<Double> losses(History h) {
        List<Double> out = new ArrayList<>();
        for (EpochStats e : h.epochs()) {
            out.add(e.loss());
            out.add(e.validationLoss());
        }
        return out;
    }
}

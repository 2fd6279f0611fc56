package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import org.junit.jupiter.api.Test;

/** Early stopping on the training loss (scikit-learn's default rule) with a minimum improvement. */
class TrainingLossStoppingTest {
    static final Matrix X = Matrix.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
    static final Matrix Y = Matrix.of(new double[][] {{0}, {1}, {1}, {0}});

    private static TrainingOptions options() {
        return TrainingOptions.defaults().withOptimizer(new Sgd(0.5)).withBatchSize(0).withShuffle(false)
                .withEpochs(200).withThreads(1).withMonitor(TrainingOptions.TRAIN_LOSS);
    }

    @Test
    void anImprovementSmallerThanMinDeltaDoesNotCount() {
        Network net = Network.input(2).dense(4, Activation.TANH).dense(1, Activation.SIGMOID).build(1);
        // Each full-batch step lowers ℓ by far less than 1: no epoch after the first improves enough.
        Trainer.Result result = new Trainer(options().withPatience(3).withMinDelta(1.0)).fit(net, X, Y);
        assertEquals(4, result.history().epochs().size(), "epoch 1 is best, then 3 epochs of patience");
        assertTrue(result.history().stoppedEarly());
        assertEquals(1, result.history().bestEpoch());
    }

    @Test
    void withoutMinDeltaSteadyProgressRunsAllEpochs() {
        Network net = Network.input(2).dense(4, Activation.TANH).dense(1, Activation.SIGMOID).build(1);
        Trainer.Result result = new Trainer(options().withPatience(3)).fit(net, X, Y);
        assertEquals(200, result.history().epochs().size());
    }

    @Test
    void negativeMinDeltaIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> options().withMinDelta(-1));
        assertTrue(e.getMessage().contains("min delta"), e.getMessage());
    }
}

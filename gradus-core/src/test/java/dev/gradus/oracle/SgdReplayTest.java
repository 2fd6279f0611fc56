package dev.gradus.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Full-batch gradient descent through the {@link Trainer} (batch size 0, no shuffling), replayed
 * step by step in double by the seed's element-wise formulas ({@link SeedFormulas}): the final
 * weights and every epoch's loss agree to float32 round-off.
 */
class SgdReplayTest {

    static final int STEPS = 50;
    static final double ALPHA = 0.05;

    /**
     * Allowed {@code |θ_float − θ_double|} per parameter after {@link #STEPS} steps. Each float
     * step differs from the double one by the rounding of {@code θ} itself,
     * {@code ≤ u|θ| ≈ 6e-8·|θ|} with {@code |θ| < 3} here, plus {@code α} times the gradient's
     * round-off, {@code ≤ 0.05 · 1e-5 · s} with the scale {@code s < 10}
     * (BackwardMatchesSeedFormulasTest's bound), about {@code 6e-7} per step in all. At this
     * small learning rate the update map is close to non-expansive, so the differences add up
     * rather than grow: {@code 50 · 6e-7 = 3e-5}. The measured largest difference is below
     * {@code 1e-6}; the assertion below also checks that training moved the weights by at least
     * a thousand times this tolerance, so that a replay that did nothing could not pass.
     */
    static final double WEIGHT_TOLERANCE = 3e-5;

    /** Each epoch's loss is measured before its step; relative round-off of the float forward pass. */
    static final double LOSS_TOLERANCE = 1e-5;

    static Stream<Named<Family.Case>> networks() {
        return Stream.of(
                named(List.of(Activation.TANH, Activation.SIGMOID, Activation.IDENTITY), 7, 21),
                named(List.of(Activation.RELU, Activation.SOFTPLUS, Activation.IDENTITY), 6, 22),
                named(List.of(Activation.ELU, Activation.LEAKY_RELU, Activation.TANH), 5, 23),
                named(List.of(Activation.SIGMOID), 1, 24));
    }

    private static Named<Family.Case> named(List<Activation> acts, int rows, long seed) {
        Family.Case c = Family.make(acts, rows, seed);
        return Named.of(SeedFormulas.describe(c.network().layers()) + ", N=" + rows, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void trainerFullBatchSgdEqualsDoubleReplay(Family.Case c) {
        Network initial = c.network();
        TrainingOptions options = TrainingOptions.plain().withOptimizer(new Sgd(ALPHA)).withBatchSize(0)
                .withShuffle(false).withEpochs(STEPS).withThreads(1);
        Trainer.Result result = new Trainer(options).fit(initial, c.x(), c.y());

        double[][] xs = c.x().toDoubles();
        double[][] ys = c.y().toDoubles();
        SeedFormulas replay = SeedFormulas.of(initial);
        List<EpochStats> epochs = result.history().epochs();
        assertEquals(STEPS, epochs.size());
        for (int t = 0; t < STEPS; t++) {
            double expectedLoss = replay.loss(xs, ys);
            assertEquals(expectedLoss, epochs.get(t).loss(), LOSS_TOLERANCE * expectedLoss, "loss of epoch " + (t + 1));
            assertEquals(1, epochs.get(t).steps());
            replay.gradientDescentStep(xs, ys, ALPHA);
        }
        assertTrue(replay.loss(xs, ys) < epochs.get(0).loss(), "training should reduce the loss");

        Network trained = result.network();
        double maxDiff = 0;
        double maxMove = 0;
        for (int m = 0; m <= replay.n(); m++) {
            Matrix w = trained.weights(m);
            Matrix w0 = initial.weights(m);
            for (int i = 0; i < w.rows(); i++) {
                for (int j = 0; j < w.cols(); j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(w.get(i, j) - replay.weights(m)[i][j]));
                    maxMove = Math.max(maxMove, Math.abs(w.get(i, j) - w0.get(i, j)));
                }
                maxDiff = Math.max(maxDiff, Math.abs(trained.bias(m).get(0, i) - replay.bias(m)[i]));
                maxMove = Math.max(maxMove, Math.abs(trained.bias(m).get(0, i) - initial.bias(m).get(0, i)));
            }
        }
        assertTrue(maxMove > 1000 * WEIGHT_TOLERANCE, "training barely moved the weights: " + maxMove);
        assertTrue(maxDiff <= WEIGHT_TOLERANCE, "float training and double replay differ by " + maxDiff);
    }
}

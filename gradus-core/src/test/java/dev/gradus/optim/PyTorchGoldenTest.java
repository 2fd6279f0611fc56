package dev.gradus.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Dense;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import dev.gradus.train.EpochStats;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Trajectories against PyTorch: the fixture {@code golden/trajectories.json} was written by
 * {@code src/test/python/make_golden.py} (PyTorch in float64, from float32-rounded initial
 * weights and data). Each case is trained here through the {@link Trainer} (full batch, no
 * shuffling), with the optimizer, loss and schedule parsed from the fixture's spec strings.
 */
class PyTorchGoldenTest {
    /*
     * Tolerances, relative to 1 + |value|. The Java side runs in float32 (unit roundoff 6e-8);
     * each step adds rounding of that order relative to the numbers involved. Measured worst
     * cases over all cases (printed by the test): loss 7.8e-8, parameters 1.1e-7. The bounds
     * below leave a margin of about 10x, and are far below any formula difference (a wrong
     * bias correction or weight-decay placement changes parameters by 1e-3 or more here).
     */
    private static final double LOSS_TOLERANCE = 1e-6;
    private static final double THETA_TOLERANCE = 1e-6;

    static Stream<Map<String, Object>> cases() {
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.readResource("/golden/trajectories.json");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cases = (List<Map<String, Object>>) root.get("cases");
        assertTrue(cases.size() >= 20, "the fixture holds " + cases.size() + " cases");
        return cases.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("cases")
    void trajectoryMatchesPyTorch(Map<String, Object> c) {
        String name = (String) c.get("name");
        Activation output = Activation.parse((String) c.get("output"));
        List<Dense> layers = List.of(new Dense(3, 4, Activation.TANH), new Dense(4, 2, output));
        Parameters p = Network.zeroParameters(layers);
        float[] theta0 = Json.floats(c.get("theta0"));
        System.arraycopy(theta0, 0, p.values(), 0, theta0.length);
        Network initial = Network.of(layers, p);
        Matrix x = Matrix.wrap(8, 3, Json.floats(c.get("x")));
        Matrix y = Matrix.wrap(8, 2, Json.floats(c.get("y")));
        double[] losses = Json.doubles(c.get("losses"));
        double[] expected = Json.doubles(c.get("theta"));

        TrainingOptions options = TrainingOptions.plain()
                .withLoss(Loss.parse((String) c.get("loss")))
                .withOptimizer(Optimizer.parse((String) c.get("optimizer")))
                .withSchedule(Schedule.parse((String) c.get("schedule"), losses.length))
                .withClipNorm((Double) c.get("clip"))
                .withEpochs(losses.length).withBatchSize(0).withShuffle(false).withThreads(1);
        Trainer.Result result = new Trainer(options).fit(initial, x, y);

        List<EpochStats> epochs = result.history().epochs();
        double worstLoss = 0;
        for (int e = 0; e < losses.length; e++) {
            double diff = Math.abs(epochs.get(e).loss() - losses[e]) / (1 + Math.abs(losses[e]));
            worstLoss = Math.max(worstLoss, diff);
            assertEquals(losses[e], epochs.get(e).loss(), LOSS_TOLERANCE * (1 + Math.abs(losses[e])),
                    name + ": loss before step " + (e + 1));
        }
        float[] theta = result.network().parameters().values();
        double worstTheta = 0;
        double moved = 0;
        for (int i = 0; i < expected.length; i++) {
            worstTheta = Math.max(worstTheta, Math.abs(theta[i] - expected[i]) / (1 + Math.abs(expected[i])));
            moved = Math.max(moved, Math.abs(expected[i] - theta0[i]));
            assertEquals(expected[i], theta[i], THETA_TOLERANCE * (1 + Math.abs(expected[i])),
                    name + ": parameter " + i + " after " + losses.length + " steps");
        }
        assertTrue(moved > 100 * THETA_TOLERANCE, name + ": the reference barely moved (" + moved
                + "), the comparison would be empty");
        System.out.printf("golden %-24s worst loss %.2e  worst theta %.2e%n", name, worstLoss, worstTheta);
    }
}

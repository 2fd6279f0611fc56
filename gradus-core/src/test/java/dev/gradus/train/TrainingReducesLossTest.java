package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingReducesLossTest {

    @Test
    void fullBatchGradientDescentLearnsXor() {
        Matrix x = Matrix.of(new double[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Matrix y = Matrix.of(new double[][] {{0}, {1}, {1}, {0}});
        Network initial = Network.input(2).dense(8, Activation.TANH).dense(1, Activation.SIGMOID).build(7);
        TrainingOptions options = TrainingOptions.plain()
                .withOptimizer(new Sgd(1.0)).withBatchSize(0).withShuffle(false).withEpochs(3000).withThreads(1);

        Trainer.Result result = new Trainer(options).fit(initial, x, y);

        double before = Loss.MSE.value(initial.predict(x).data(), y.data(), 0, 4, 1);
        double after = Loss.MSE.value(result.network().predict(x).data(), y.data(), 0, 4, 1);
        assertTrue(before > 0.2, "an untrained net should be far from XOR, loss " + before);
        // Every output on the right side of 0.5 means a loss below 0.25/4 per sample at worst.
        assertTrue(after < 0.02, "loss after training " + after);
        Matrix yhat = result.network().predict(x);
        for (int i = 0; i < 4; i++) {
            assertEquals(y.get(i, 0), yhat.get(i, 0) > 0.5f ? 1f : 0f, "sample " + i);
        }
    }

    @Test
    void miniBatchShuffledTrainingReducesLossOnRegression() {
        SplittableRandom random = new SplittableRandom(1);
        int n = 256;
        double[][] xs = new double[n][3];
        double[][] ys = new double[n][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                xs[i][j] = random.nextDouble(-1, 1);
            }
            ys[i][0] = Math.sin(xs[i][0] + xs[i][1]);
            ys[i][1] = xs[i][2] * xs[i][0];
        }
        Matrix x = Matrix.of(xs);
        Matrix y = Matrix.of(ys);
        Network initial = Network.input(3).dense(16, Activation.RELU).dense(2, Activation.IDENTITY).build(3);
        TrainingOptions options = TrainingOptions.plain()
                .withOptimizer(new Sgd(0.05)).withBatchSize(16).withEpochs(200);

        Trainer.Result result = new Trainer(options).fit(initial, x, y);

        double before = Loss.MSE.value(initial.predict(x).data(), y.data(), 0, n, 2);
        double after = Loss.MSE.value(result.network().predict(x).data(), y.data(), 0, n, 2);
        assertTrue(after < before / 5, "loss went from " + before + " to " + after);
        assertEquals(200, result.history().epochs().size());
        assertTrue(result.history().finalLoss() < result.history().epochs().get(0).loss());
    }
}

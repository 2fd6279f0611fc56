package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Same data, options and seed give bit-identical weights for any thread count and on every run. */
class ReproducibilityTest {

    @Test
    void weightsAreBitIdenticalForOneTwoAndFourThreads() {
        // Layers wide enough that every product (2·64·256·300 ≈ 9.8 MFLOP and up) is split over
        // threads, plus a narrow tanh layer that stays on one thread.
        int n = 640;
        SplittableRandom random = new SplittableRandom(11);
        Matrix x = Matrix.zeros(n, 300);
        Matrix y = Matrix.zeros(n, 10);
        for (int i = 0; i < x.data().length; i++) {
            x.data()[i] = (float) random.nextDouble(0, 1);
        }
        for (int i = 0; i < n; i++) {
            y.set(i, random.nextInt(10), 1f);
        }
        Network initial = Network.input(300)
                .dense(256, Activation.RELU)
                .dense(64, Activation.TANH)
                .dense(10, Activation.IDENTITY)
                .build(5);
        TrainingOptions options = TrainingOptions.plain()
                .withOptimizer(new Sgd(0.01)).withBatchSize(64).withEpochs(2);

        float[] one = new Trainer(options.withThreads(1)).fit(initial, x, y).network().parameters().values();
        float[] two = new Trainer(options.withThreads(2)).fit(initial, x, y).network().parameters().values();
        float[] four = new Trainer(options.withThreads(4)).fit(initial, x, y).network().parameters().values();
        float[] twoAgain = new Trainer(options.withThreads(2)).fit(initial, x, y).network().parameters().values();

        assertFalse(java.util.Arrays.equals(one, initial.parameters().values()), "training changed nothing");
        assertBits(one, two, "threads 1 vs 2");
        assertBits(one, four, "threads 1 vs 4");
        assertBits(two, twoAgain, "two runs on 2 threads");
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertTrue(expected.length == actual.length, what);
        int[] e = new int[expected.length];
        int[] a = new int[actual.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = Float.floatToRawIntBits(expected[i]);
            a[i] = Float.floatToRawIntBits(actual[i]);
        }
        assertArrayEquals(e, a, what);
    }
}

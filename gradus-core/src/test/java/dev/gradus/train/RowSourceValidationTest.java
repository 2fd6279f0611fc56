package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Adam;
import dev.gradus.tensor.Matrix;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Validation rows read a chunk at a time ({@link RowSource}) are scored as the same rows in
 * memory: every epoch's validation loss and accuracy, early stopping and the kept weights, bit for
 * bit, weighted or not; the checkpoint fingerprint of the rows is the same digest.
 */
class RowSourceValidationTest {
    private static final int B = BlockedPass.BLOCK_ROWS;

    private static Matrix[] data(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Matrix x = Matrix.zeros(rows, 4);
        Matrix y = Matrix.zeros(rows, 3);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) random.nextDouble(-1, 1));
            }
            y.set(i, (x.get(i, 0) > 0 ? 1 : 0) + (random.nextInt(4) == 0 ? 1 : 0), 1f);
        }
        return new Matrix[] {x, y};
    }

    /** The rows of {@code x}, {@code y} and {@code w} (or unweighted), handed out a chunk at a time. */
    private static RowSource source(Matrix x, Matrix y, float[] w) {
        return new RowSource() {
            @Override public int rows() {
                return x.rows();
            }
            @Override public int inputs() {
                return x.cols();
            }
            @Override public int outputs() {
                return y.cols();
            }
            @Override public void read(int from, int n, float[] xb, float[] yb) {
                System.arraycopy(x.data(), from * x.cols(), xb, 0, n * x.cols());
                System.arraycopy(y.data(), from * y.cols(), yb, 0, n * y.cols());
            }
            @Override public boolean weights(int from, int n, float[] wb) {
                if (w == null) {
                    return false;
                }
                System.arraycopy(w, from, wb, 0, n);
                return true;
            }
        };
    }

    private static Network net() {
        return Network.input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).build(5);
    }

    @Test
    void chunkedValidationIsTheInMemoryRunBitForBit() {
        Matrix[] train = data(700, 1);
        Matrix[] validation = data(2 * B + 77, 2);
        float[] w = new float[validation[0].rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.25f * (1 + i % 5);
        }
        for (float[] weights : new float[][] {null, w}) {
            for (String monitor : List.of("loss", "accuracy")) {
                TrainingOptions o = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY)
                        .withOptimizer(Adam.defaults().withLearningRate(0.05)).withBatchSize(16).withEpochs(40)
                        .withShuffle(true).withThreads(1).withMetrics(List.of(ValidationMetric.ACCURACY))
                        .withMonitor(monitor).withPatience(2);
                Trainer.Result memory = new Trainer(o).fit(net(), GradientSource.of(train[0], train[1]),
                        validation[0], validation[1], weights);
                Trainer.Result chunked = new Trainer(o).fit(net(), GradientSource.of(train[0], train[1]),
                        source(validation[0], validation[1], weights));
                String what = (weights == null ? "unweighted" : "weighted") + ", monitor " + monitor;
                assertArrayEquals(memory.network().parameters().values(), chunked.network().parameters().values(),
                        what);
                assertEquals(memory.history().epochs().size(), chunked.history().epochs().size(), what);
                assertEquals(memory.history().bestEpoch(), chunked.history().bestEpoch(), what);
                assertTrue(memory.history().stoppedEarly(), "early stopping is exercised: " + what);
                for (int e = 0; e < memory.history().epochs().size(); e++) {
                    EpochStats a = memory.history().epochs().get(e);
                    EpochStats b = chunked.history().epochs().get(e);
                    assertEquals(a.validationLoss(), b.validationLoss(), 0.0, what);
                    assertEquals(a.validationMetrics(), b.validationMetrics(), what);
                }
                assertEquals(new Validation(validation[0], validation[1], weights).sha256(),
                        ValidationRows.of(source(validation[0], validation[1], weights)).sha256(), what);
            }
        }
    }

    @Test
    void aMetricThatNeedsEveryPredictionIsRefused() {
        ValidationMetric whole = new ValidationMetric() {
            @Override public String name() {
                return "median_error";
            }
            @Override public boolean higherIsBetter() {
                return false;
            }
            @Override public double evaluate(float[] yhat, float[] y, int rows, int cols) {
                return 0;
            }
        };
        Matrix[] d = data(10, 3);
        TrainingOptions o = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withMetrics(List.of(whole));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(o).fit(net(), GradientSource.of(d[0], d[1]), source(d[0], d[1], null)));
        assertTrue(e.getMessage().contains("median_error"), e.getMessage());
    }
}

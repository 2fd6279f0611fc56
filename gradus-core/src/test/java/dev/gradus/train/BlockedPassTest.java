package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.optim.Adam;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The blocked pass against one unblocked pass over the same rows: bit for bit for a batch of one
 * block, to float32 rounding (the sums are split at block boundaries) for several, and the same
 * bits whatever the thread count.
 */
class BlockedPassTest {
    private static final int B = BlockedPass.BLOCK_ROWS;

    private static Matrix[] data(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Matrix x = Matrix.zeros(rows, 5);
        Matrix y = Matrix.zeros(rows, 3);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 5; j++) {
                x.set(i, j, (float) random.nextDouble(-1, 1));
            }
            y.set(i, random.nextInt(3), 1f);
        }
        return new Matrix[] {x, y};
    }

    private static Network net() {
        return Network.input(5).dense(16, Activation.TANH).dense(8, Activation.RELU).dense(3, Activation.SOFTMAX)
                .build(3);
    }

    /** One pass over all rows in one workspace: the computation without blocks. */
    private static double unblocked(Network net, Matrix x, Matrix y, double dropout, float[] dTheta) {
        Workspace w = net.workspace(x.rows(), Kernels.singleThreaded());
        if (dropout > 0) {
            w.dropout(dropout, 9, 1, 1);
        }
        net.forward(x.data(), 0, x.rows(), w);
        double value = Loss.CROSS_ENTROPY.valueAndBackwardStart(w, y.data(), 0);
        net.backward(x.data(), 0, w, dTheta);
        return value;
    }

    private static double blocked(Network net, Matrix x, Matrix y, double dropout, int threads, float[] dTheta) {
        int in = x.cols();
        int k = y.cols();
        try (BlockedPass pass = new BlockedPass(net, Loss.CROSS_ENTROPY, x.rows(), threads)) {
            pass.dropout(dropout, 9, 1, 1);
            return pass.lossAndGradient((from, n, xb, yb) -> {
                System.arraycopy(x.data(), from * in, xb, 0, n * in);
                System.arraycopy(y.data(), from * k, yb, 0, n * k);
            }, x.rows(), dTheta);
        }
    }

    @Test
    void aBatchOfOneBlockIsTheUnblockedPassBitForBit() {
        Matrix[] d = data(B, 1);
        Network net = net();
        float[] expected = new float[net.parameters().size()];
        float[] actual = new float[expected.length];
        double l = unblocked(net, d[0], d[1], 0, expected);
        assertEquals(l, blocked(net, d[0], d[1], 0, 2, actual), Math.ulp(l));
        assertArrayEquals(expected, actual);
    }

    @Test
    void severalBlocksAgreeWithOnePassToFloat32Rounding() {
        Matrix[] d = data(2 * B + 321, 2);
        Network net = net();
        for (double dropout : new double[] {0, 0.3}) {
            float[] expected = new float[net.parameters().size()];
            float[] actual = new float[expected.length];
            double l = unblocked(net, d[0], d[1], dropout, expected);
            double lb = blocked(net, d[0], d[1], dropout, 1, actual);
            assertEquals(l, lb, 1e-6 * l, "loss, dropout " + dropout);
            // a row's mask depends on its place in the batch, not on its block: the same masks
            // give gradients equal to rounding; other masks would differ by far more than 1e-5
            double largest = 0;
            double worst = 0;
            for (int i = 0; i < expected.length; i++) {
                largest = Math.max(largest, Math.abs(expected[i]));
                worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
            }
            assertTrue(worst <= 1e-5 * largest, "dropout " + dropout + ": worst difference " + worst
                    + " of largest " + largest);
        }
    }

    /**
     * A pass packs each {@code Wᵐ} once per batch and keeps it for the batch's blocks: after an
     * optimizer step changes {@code θ} in place, the next batch through the same pass must see the
     * new weights, giving a fresh pass's bits on 1 and 2 threads (a pass that kept the old
     * packing would give the old gradient).
     */
    @Test
    void weightsPackedOncePerBatchFollowTheStepsBetweenBatches() {
        weightsPackedOncePerBatchFollowTheStepsBetweenBatches(B - 24);    // one block
        weightsPackedOncePerBatchFollowTheStepsBetweenBatches(3 * B + 5);
    }

    private static void weightsPackedOncePerBatchFollowTheStepsBetweenBatches(int rows) {
        int inputs = 20;
        SplittableRandom random = new SplittableRandom(4);
        Matrix x = Matrix.zeros(rows, inputs);
        Matrix y = Matrix.zeros(rows, 2);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < inputs; j++) {
                x.set(i, j, (float) random.nextGaussian());
            }
            y.set(i, random.nextInt(2), 1f);
        }
        BlockedPass.Reader reader = (from, n, xb, yb) -> {
            System.arraycopy(x.data(), from * inputs, xb, 0, n * inputs);
            System.arraycopy(y.data(), from * 2, yb, 0, n * 2);
        };
        for (int threads = 1; threads <= 2; threads++) {
            // 20 → 32 ReLU → 2: W⁰ on the vector engine's packed path, W¹ on the narrow one
            Network net = Network.input(inputs).dense(32, Activation.RELU).dense(2, Activation.SOFTMAX).build(5);
            float[] theta = net.parameters().values();
            float[] dTheta = new float[theta.length];
            try (BlockedPass pass = new BlockedPass(net, Loss.CROSS_ENTROPY, rows, threads)) {
                for (int step = 0; step < 3; step++) {
                    double loss = pass.lossAndGradient(reader, rows, dTheta);
                    float[] fresh = new float[theta.length];
                    double freshLoss;
                    try (BlockedPass other = new BlockedPass(net, Loss.CROSS_ENTROPY, rows, threads)) {
                        freshLoss = other.lossAndGradient(reader, rows, fresh);
                    }
                    String what = rows + " rows, " + threads + " threads, step " + step;
                    assertEquals(Double.doubleToRawLongBits(freshLoss), Double.doubleToRawLongBits(loss), what);
                    assertArrayEquals(fresh, dTheta, what);
                    for (int i = 0; i < theta.length; i++) {
                        theta[i] -= 0.5f * dTheta[i];        // θ changes in place, as an optimizer's step
                    }
                }
            }
        }
    }

    @Test
    void theThreadCountDoesNotChangeTheBits() {
        Matrix[] d = data(5 * B + 7, 3);
        Network net = net();
        float[] one = new float[net.parameters().size()];
        double l1 = blocked(net, d[0], d[1], 0.2, 1, one);
        for (int threads : new int[] {2, 3, 8}) {
            float[] many = new float[one.length];
            assertEquals(l1, blocked(net, d[0], d[1], 0.2, threads, many), 0.0, threads + " threads");
            assertArrayEquals(one, many, threads + " threads");
        }
    }

    @Test
    void aFullBatchVisitsTheRowsInRowOrderWhateverTheShuffleFlag() {
        Matrix[] d = data(3 * B, 4);
        TrainingOptions o = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Adam.defaults().withLearningRate(0.01)).withBatchSize(0).withEpochs(3).withThreads(2);
        float[] shuffled = new Trainer(o.withShuffle(true)).fit(net(), d[0], d[1]).network().parameters().values();
        float[] inOrder = new Trainer(o.withShuffle(false)).fit(net(), d[0], d[1]).network().parameters().values();
        assertArrayEquals(inOrder, shuffled);
    }

    @Test
    void trainingOnSeveralBlocksIsRepeatableAcrossThreadCounts() {
        Matrix[] d = data(3 * B + 100, 5);
        TrainingOptions o = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY).withOptimizer(new Sgd(0.5))
                .withBatchSize(2 * B + 10).withEpochs(3).withDropout(0.1);
        float[] one = new Trainer(o.withThreads(1)).fit(net(), d[0], d[1]).network().parameters().values();
        float[] two = new Trainer(o.withThreads(2)).fit(net(), d[0], d[1]).network().parameters().values();
        assertArrayEquals(one, two);
    }
}

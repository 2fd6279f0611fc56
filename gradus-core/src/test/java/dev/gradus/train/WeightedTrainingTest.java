package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Adam;
import dev.gradus.tensor.Matrix;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Row weights through the one training loop: weights of 1 give today's unweighted bits
 * everywhere (blocks, threads, shuffling, dropout, validation), weighted blocks do not depend on
 * the thread count, validation and early stopping score the weighted loss, and bad weights are
 * refused naming the row.
 */
class WeightedTrainingTest {
    private static final int B = BlockedPass.BLOCK_ROWS;

    private record Data(Matrix x, Matrix y, Activation output) {}

    private static Data data(Loss loss, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int k = loss == Loss.BCE ? 1 : 3;
        Matrix x = Matrix.zeros(rows, 4);
        Matrix y = Matrix.zeros(rows, k);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) random.nextDouble(-1, 1));
            }
            if (loss == Loss.CROSS_ENTROPY) {
                y.set(i, random.nextInt(3), 1f);
            } else if (loss == Loss.BCE) {
                y.set(i, 0, random.nextInt(2));
            } else {
                for (int j = 0; j < k; j++) {
                    y.set(i, j, (float) random.nextDouble(-1, 1));
                }
            }
        }
        Activation output = loss == Loss.CROSS_ENTROPY ? Activation.SOFTMAX
                : loss == Loss.BCE ? Activation.SIGMOID : Activation.IDENTITY;
        return new Data(x, y, output);
    }

    private static Network net(Data d) {
        return Network.input(4).dense(8, Activation.TANH).dense(d.y.cols(), d.output).build(5);
    }

    private static float[] filled(int rows, float value) {
        float[] w = new float[rows];
        Arrays.fill(w, value);
        return w;
    }

    @Test
    void weightsOfOneGiveTheUnweightedBits() {
        for (Loss loss : List.of(Loss.MSE, Loss.CROSS_ENTROPY, Loss.BCE, Loss.HUBER)) {
            for (int batch : new int[] {0, 64}) {
                Data d = data(loss, 2 * B + 450, 7);
                TrainingOptions o = TrainingOptions.plain().withLoss(loss)
                        .withOptimizer(Adam.defaults().withLearningRate(0.01)).withBatchSize(batch).withEpochs(3)
                        .withThreads(2).withDropout(0.1).withValidationFraction(0.2).withShuffle(true)
                        .withMetrics(loss == Loss.MSE || loss == Loss.HUBER ? List.of()
                                : List.of(ValidationMetric.ACCURACY));
                Trainer.Result plain = new Trainer(o).fit(net(d), GradientSource.of(d.x, d.y));
                Trainer.Result ones = new Trainer(o).fit(net(d), GradientSource.of(d.x, d.y, filled(d.x.rows(), 1f)));
                String what = loss + ", batch " + batch;
                assertArrayEquals(plain.network().parameters().values(), ones.network().parameters().values(), what);
                assertEquals(plain.history().epochs().size(), ones.history().epochs().size(), what);
                for (int e = 0; e < plain.history().epochs().size(); e++) {
                    EpochStats a = plain.history().epochs().get(e);
                    EpochStats b = ones.history().epochs().get(e);
                    assertEquals(a.loss(), b.loss(), 0.0, what);
                    assertEquals(a.validationLoss(), b.validationLoss(), 0.0, what);
                    assertEquals(a.validationMetrics(), b.validationMetrics(), what);
                }
            }
        }
    }

    /** The same positive weight on every row is the unweighted loss: {@code c·Σ Lᵢ / (c·N)}. */
    @Test
    void aPowerOfTwoOnEveryRowGivesTheUnweightedBits() {
        Data d = data(Loss.CROSS_ENTROPY, B + 100, 8);
        TrainingOptions o = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withBatchSize(0).withEpochs(4)
                .withThreads(1);
        float[] plain = new Trainer(o).fit(net(d), d.x, d.y).network().parameters().values();
        float[] fours = new Trainer(o).fit(net(d), GradientSource.of(d.x, d.y, filled(d.x.rows(), 4f)))
                .network().parameters().values();
        assertArrayEquals(plain, fours);
    }

    @Test
    void theThreadCountDoesNotChangeTheWeightedBits() {
        Data d = data(Loss.CROSS_ENTROPY, 5 * B + 7, 9);
        SplittableRandom random = new SplittableRandom(1);
        float[] w = new float[d.x.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextDouble(0, 3);
        }
        Network net = net(d);
        float[] one = new float[net.parameters().size()];
        double l1 = weightedPass(net, d, w, 1, one);
        for (int threads : new int[] {2, 3}) {
            float[] many = new float[one.length];
            assertEquals(l1, weightedPass(net, d, w, threads, many), 0.0);
            assertArrayEquals(one, many, threads + " threads");
        }
    }

    private static double weightedPass(Network net, Data d, float[] w, int threads, float[] dTheta) {
        int in = d.x.cols();
        int k = d.y.cols();
        try (BlockedPass pass = new BlockedPass(net, Loss.CROSS_ENTROPY, d.x.rows(), threads)) {
            BlockedPass.Reader reader = new BlockedPass.Reader() {
                @Override public void read(int from, int n, float[] xb, float[] yb) {
                    System.arraycopy(d.x.data(), from * in, xb, 0, n * in);
                    System.arraycopy(d.y.data(), from * k, yb, 0, n * k);
                }
                @Override public boolean weights(int from, int n, float[] wb) {
                    System.arraycopy(w, from, wb, 0, n);
                    return true;
                }
            };
            double loss = pass.lossAndGradient(reader, d.x.rows(), dTheta);
            double total = 0;
            for (float v : w) {
                total += v;
            }
            assertEquals(total, pass.weight(), 1e-9 * total, "W = Σ wᵢ");
            return loss;
        }
    }

    /**
     * A weighted pass over several blocks is {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} of the whole batch: against
     * one unblocked weighted pass, to float32 rounding (the sums split at block boundaries).
     */
    @Test
    void severalWeightedBlocksAgreeWithOneWeightedPass() {
        Data d = data(Loss.CROSS_ENTROPY, 2 * B + 321, 10);
        SplittableRandom random = new SplittableRandom(2);
        float[] w = new float[d.x.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextInt(5) == 0 ? 0f : (float) random.nextDouble(0.1, 5);
        }
        Network net = net(d);
        float[] blocked = new float[net.parameters().size()];
        double lb = weightedPass(net, d, w, 2, blocked);
        dev.gradus.nn.Workspace ws = net.workspace(d.x.rows(), Kernels.singleThreaded());
        net.forward(d.x.data(), 0, d.x.rows(), ws);
        float[] whole = new float[blocked.length];
        double l = Loss.CROSS_ENTROPY.valueAndBackwardStart(ws, d.y.data(), 0, w);
        net.backward(d.x.data(), 0, ws, whole);
        assertEquals(l, lb, 1e-6 * l);
        double largest = 0;
        double worst = 0;
        for (int i = 0; i < whole.length; i++) {
            largest = Math.max(largest, Math.abs(whole[i]));
            worst = Math.max(worst, Math.abs(whole[i] - blocked[i]));
        }
        assertTrue(worst <= 1e-5 * largest, "worst difference " + worst + " of largest " + largest);
    }

    /**
     * The validation rows held out of weighted rows keep their weights: the recorded validation
     * loss and accuracy are the weighted ones, which early stopping watches.
     */
    @Test
    void validationScoresTheWeightedLossAndAccuracy() {
        Data d = data(Loss.CROSS_ENTROPY, 600, 11);
        SplittableRandom random = new SplittableRandom(3);
        float[] w = new float[d.x.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextInt(3) == 0 ? 5f : 0.5f;
        }
        TrainingOptions o = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY).withEpochs(1).withBatchSize(32)
                .withValidationFraction(0.25).withMetrics(List.of(ValidationMetric.ACCURACY)).withThreads(1);
        Trainer.Result result = new Trainer(o).fit(net(d), GradientSource.of(d.x, d.y, w));
        int[] held = dev.gradus.internal.RowOrder.validationSplit(d.x.rows(), 0.25, o.seed())[1];
        Matrix xv = d.x.selectRows(held);
        Matrix yv = d.y.selectRows(held);
        float[] wv = new float[held.length];
        for (int i = 0; i < held.length; i++) {
            wv[i] = w[held[i]];
        }
        Matrix yhat = result.network().predict(xv);
        double expectedLoss = Loss.CROSS_ENTROPY.value(yhat.data(), yv.data(), 0, wv, held.length, 3);
        double right = 0;
        double total = 0;
        for (int i = 0; i < held.length; i++) {
            boolean ok = ValidationMetric.argMax(yhat.data(), i * 3, 3) == ValidationMetric.argMax(yv.data(), i * 3, 3);
            right += ok ? wv[i] : 0;
            total += wv[i];
        }
        EpochStats e = result.history().epochs().get(0);
        assertEquals(expectedLoss, e.validationLoss(), 1e-6 * expectedLoss);
        assertEquals(right / total, e.validationMetrics().get("accuracy"), 1e-12);
        double unweighted = Loss.CROSS_ENTROPY.value(yhat.data(), yv.data(), 0, held.length, 3);
        assertNotEquals(unweighted, e.validationLoss(), 1e-4, "the weights should change the validation loss");
    }

    @Test
    void weightedValidationInChunksIsTheWeightedLossOfAllRows() {
        Data d = data(Loss.MSE, 2 * B + 5, 12);
        float[] w = new float[d.x.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 1 + i % 7;
        }
        Network net = net(d);
        Validation v = new Validation(d.x, d.y, w);
        double chunked = v.score(net, TrainingOptions.plain().withLoss(Loss.MSE)).loss();
        Matrix yhat = net.predict(d.x);
        assertEquals(Loss.MSE.value(yhat.data(), d.y.data(), 0, w, d.x.rows(), 3), chunked, 1e-12 * chunked);
    }

    /**
     * Rows held in parts (Spark's partitions) add up to the scores of all rows: the same bits
     * from one part holding them all, to rounding from several (the sums split elsewhere).
     */
    @Test
    void validationSumsOfConsecutivePartsAreTheScoresOfAllRows() {
        Data d = data(Loss.CROSS_ENTROPY, 3 * B + 77, 14);
        float[] w = new float[d.x.rows()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 0.5f + i % 5;
        }
        Network net = net(d);
        TrainingOptions o = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY)
                .withMetrics(List.of(ValidationMetric.ACCURACY));
        for (float[] weights : Arrays.asList(null, w)) {
            ValidationRows.Score all = new Validation(d.x, d.y, weights).score(net, o);
            assertEquals(all, parts(net, o, d, weights, 0, d.x.rows()).score(o.metrics()));
            ValidationRows.Score cut = parts(net, o, d, weights, 0, 500, 1500, 2 * B + 10, d.x.rows()).score(o.metrics());
            assertEquals(all.loss(), cut.loss(), 1e-12 * all.loss());
            assertEquals(all.metrics().get("accuracy"), cut.metrics().get("accuracy"), 1e-15);
        }
    }

    /** The sums of rows [cuts[i], cuts[i+1]) added in order. */
    private static ValidationRows.Sums parts(Network net, TrainingOptions o, Data d, float[] w, int... cuts) {
        ValidationRows.Sums sum = ValidationRows.Sums.zero(o.metrics().size());
        int in = d.x.cols();
        int k = d.y.cols();
        for (int i = 0; i + 1 < cuts.length; i++) {
            int from = cuts[i];
            int to = cuts[i + 1];
            sum = sum.plus(ValidationRows.Sums.of(net, o.loss(), o.metrics(),
                    Arrays.copyOfRange(d.x.copy().data(), from * in, to * in),
                    Arrays.copyOfRange(d.y.copy().data(), from * k, to * k),
                    w == null ? null : Arrays.copyOfRange(w, from, to), from, to - from));
        }
        return sum;
    }

    @Test
    void badWeightsAreRefusedNamingTheRow() {
        Data d = data(Loss.MSE, 5, 13);
        float[] w = {1, 2, -1, 1, 1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientSource.of(d.x, d.y, w));
        assertTrue(e.getMessage().contains("row 2") && e.getMessage().contains("-1"), e.getMessage());
        float[] nan = {1, Float.NaN, 1, 1, 1};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GradientSource.of(d.x, d.y, nan))
                .getMessage().contains("row 1"));
        float[] inf = {1, 1, 1, Float.POSITIVE_INFINITY, 1};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GradientSource.of(d.x, d.y, inf))
                .getMessage().contains("row 3"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GradientSource.of(d.x, d.y, new float[5]))
                .getMessage().contains("every row weight is 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GradientSource.of(d.x, d.y, new float[4]))
                .getMessage().contains("4 row weights"));
    }

    /** A checkpoint remembers the weights: resuming on other weights is refused. */
    @Test
    void theFingerprintCoversTheWeights() {
        Data d = data(Loss.MSE, 20, 14);
        assertEquals(java.util.Set.of("train_rows_sha256"), GradientSource.of(d.x, d.y).fingerprint().keySet());
        var a = GradientSource.of(d.x, d.y, filled(20, 1f)).fingerprint();
        var b = GradientSource.of(d.x, d.y, filled(20, 2f)).fingerprint();
        assertEquals(a.get("train_rows_sha256"), b.get("train_rows_sha256"));
        assertNotEquals(a.get("train_weights_sha256"), b.get("train_weights_sha256"));
    }
}

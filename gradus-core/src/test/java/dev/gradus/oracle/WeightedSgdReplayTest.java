package dev.gradus.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.BlockedPass;
import dev.gradus.train.EpochStats;
import dev.gradus.train.GradientSource;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Weighted full-batch gradient descent through the {@link Trainer}, {@code ℓ = Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}:
 * against the seed's element-wise formulas with weights in {@code double} ({@link SeedFormulas}),
 * and, for integer weights, against the same trainer on the rows repeated {@code wᵢ} times.
 */
class WeightedSgdReplayTest {
    static final int STEPS = 50;
    static final double ALPHA = 0.05;

    /** As {@link SgdReplayTest#WEIGHT_TOLERANCE}: 50 steps of float32 round-off, about 6e-7 each. */
    static final double WEIGHT_TOLERANCE = SgdReplayTest.WEIGHT_TOLERANCE;

    private static TrainingOptions fullBatchSgd(int epochs) {
        return TrainingOptions.plain().withOptimizer(new Sgd(ALPHA)).withBatchSize(0).withShuffle(false)
                .withEpochs(epochs).withThreads(1);
    }

    /** The weighted oracle in double: replayed step by step, it ends where float training ends. */
    @Test
    void weightedFullBatchSgdEqualsTheWeightedSeedFormulasInDouble() {
        Family.Case c = Family.make(List.of(Activation.TANH, Activation.SIGMOID, Activation.IDENTITY), 7, 31);
        float[] weights = {0.5f, 2f, 0f, 1.25f, 3f, 0.75f, 1f};
        Trainer.Result result = new Trainer(fullBatchSgd(STEPS))
                .fit(c.network(), GradientSource.of(c.x(), c.y(), weights));

        double[][] xs = c.x().toDoubles();
        double[][] ys = c.y().toDoubles();
        double[] ws = new double[weights.length];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = weights[i];
        }
        SeedFormulas replay = SeedFormulas.of(c.network());
        SeedFormulas unweighted = SeedFormulas.of(c.network());
        List<EpochStats> epochs = result.history().epochs();
        for (int t = 0; t < STEPS; t++) {
            double expected = replay.loss(xs, ys, ws);
            assertEquals(expected, epochs.get(t).loss(), SgdReplayTest.LOSS_TOLERANCE * expected, "epoch " + (t + 1));
            replay.gradientDescentStep(xs, ys, ws, ALPHA);
            unweighted.gradientDescentStep(xs, ys, ALPHA);
        }
        double[] diff = difference(result.network(), c.network(), replay);
        assertTrue(diff[1] > 1000 * WEIGHT_TOLERANCE, "training barely moved the weights: " + diff[1]);
        assertTrue(diff[0] <= WEIGHT_TOLERANCE, "float training and double replay differ by " + diff[0]);
        // the weights matter: the unweighted descent ends far from the weighted one
        assertTrue(difference(result.network(), c.network(), unweighted)[0] > 100 * WEIGHT_TOLERANCE);
    }

    /**
     * In double, integer weights and repeated rows are the same descent (to double rounding):
     * the oracle's weighted formulas are checked against its own unweighted ones.
     */
    @Test
    void inTheOracleIntegerWeightsEqualRepeatedRows() {
        Family.Case c = Family.make(List.of(Activation.RELU, Activation.SOFTPLUS, Activation.IDENTITY), 5, 32);
        int[] counts = {2, 0, 1, 3, 1};
        Repeated r = repeat(c.x(), c.y(), counts);
        double[] ws = {2, 0, 1, 3, 1};
        SeedFormulas weighted = SeedFormulas.of(c.network());
        SeedFormulas copies = SeedFormulas.of(c.network());
        for (int t = 0; t < 10; t++) {
            assertEquals(copies.loss(r.x.toDoubles(), r.y.toDoubles()), weighted.loss(c.x().toDoubles(),
                    c.y().toDoubles(), ws), 1e-13);
            weighted.gradientDescentStep(c.x().toDoubles(), c.y().toDoubles(), ws, ALPHA);
            copies.gradientDescentStep(r.x.toDoubles(), r.y.toDoubles(), ALPHA);
        }
        for (int m = 0; m <= weighted.n(); m++) {
            for (int i = 0; i < weighted.weights(m).length; i++) {
                for (int j = 0; j < weighted.weights(m)[i].length; j++) {
                    assertEquals(copies.weights(m)[i][j], weighted.weights(m)[i][j], 1e-13);
                }
            }
        }
    }

    /**
     * Integer weights equal repeated rows through the float32 trainer, in one block and across
     * several blocks of {@link BlockedPass#BLOCK_ROWS} rows. Not bit for bit: the repeated set
     * adds {@code wᵢ} copies of a row's float32 gradient inside the products where the weighted
     * set scales it once, and its blocks split elsewhere, so each step's gradient differs by
     * float32 round-off (relative 1e-6 of its scale at most, as the blocked-pass tests bound);
     * over the steps this stays within the same tolerance as the double replay. Measured: the
     * largest difference is 2.4e-7 (9 rows, 50 steps) and 3.6e-7 (1,324 rows, 20 steps), two or
     * three float32 ulps of the parameters, while training moves them by 0.65 and 0.99.
     */
    @Test
    void integerWeightsEqualRepeatedRowsInFullBatchGradientDescent() {
        for (int rows : new int[] {9, BlockedPass.BLOCK_ROWS + 300}) {
            SplittableRandom random = new SplittableRandom(rows);
            Family.Case c = Family.make(List.of(Activation.TANH, Activation.IDENTITY), rows, 40 + rows);
            int[] counts = new int[rows];
            float[] weights = new float[rows];
            for (int i = 0; i < rows; i++) {
                counts[i] = random.nextInt(4);          // 0..3 copies
                weights[i] = counts[i];
            }
            counts[0] = 2;
            weights[0] = 2;
            Repeated r = repeat(c.x(), c.y(), counts);
            int steps = rows > 100 ? 20 : STEPS;
            Trainer.Result weighted = new Trainer(fullBatchSgd(steps))
                    .fit(c.network(), GradientSource.of(c.x(), c.y(), weights));
            Trainer.Result copies = new Trainer(fullBatchSgd(steps)).fit(c.network(), r.x, r.y);
            for (int t = 0; t < steps; t++) {
                double expected = copies.history().epochs().get(t).loss();
                assertEquals(expected, weighted.history().epochs().get(t).loss(), 1e-5 * expected,
                        rows + " rows, epoch " + (t + 1));
            }
            float[] a = weighted.network().parameters().values();
            float[] b = copies.network().parameters().values();
            float[] start = c.network().parameters().values();
            double diff = 0;
            double moved = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                moved = Math.max(moved, Math.abs(a[i] - start[i]));
            }
            assertTrue(moved > 100 * WEIGHT_TOLERANCE, rows + " rows: training barely moved the weights: " + moved);
            assertTrue(diff <= WEIGHT_TOLERANCE, rows + " rows: weighted and repeated rows differ by " + diff);
        }
    }

    private record Repeated(Matrix x, Matrix y) {}

    /** Row {@code i} repeated {@code counts[i]} times, copies side by side. */
    private static Repeated repeat(Matrix x, Matrix y, int[] counts) {
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        Matrix xr = Matrix.zeros(total, x.cols());
        Matrix yr = Matrix.zeros(total, y.cols());
        int at = 0;
        for (int i = 0; i < counts.length; i++) {
            for (int c = 0; c < counts[i]; c++, at++) {
                for (int j = 0; j < x.cols(); j++) {
                    xr.set(at, j, x.get(i, j));
                }
                for (int j = 0; j < y.cols(); j++) {
                    yr.set(at, j, y.get(i, j));
                }
            }
        }
        return new Repeated(xr, yr);
    }

    /** {max |θ − θ_replay|, max |θ − θ_initial|} over every parameter. */
    private static double[] difference(Network trained, Network initial, SeedFormulas replay) {
        double diff = 0;
        double moved = 0;
        for (int m = 0; m <= replay.n(); m++) {
            Matrix w = trained.weights(m);
            for (int i = 0; i < w.rows(); i++) {
                for (int j = 0; j < w.cols(); j++) {
                    diff = Math.max(diff, Math.abs(w.get(i, j) - replay.weights(m)[i][j]));
                    moved = Math.max(moved, Math.abs(w.get(i, j) - initial.weights(m).get(i, j)));
                }
                diff = Math.max(diff, Math.abs(trained.bias(m).get(0, i) - replay.bias(m)[i]));
                moved = Math.max(moved, Math.abs(trained.bias(m).get(0, i) - initial.bias(m).get(0, i)));
            }
        }
        return new double[] {diff, moved};
    }
}

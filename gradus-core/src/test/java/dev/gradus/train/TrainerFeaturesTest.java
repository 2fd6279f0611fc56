package dev.gradus.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.optim.Adam;
import dev.gradus.optim.Lbfgs;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainerFeaturesTest {

    /** Three Gaussian blobs in 2-D, one-hot targets. */
    static Matrix[] blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][2];
        double[][] y = new double[n][3];
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            x[i][0] = centres[c][0] + r.nextGaussian() * 0.7;
            x[i][1] = centres[c][1] + r.nextGaussian() * 0.7;
            y[i][c] = 1;
        }
        return new Matrix[] {Matrix.of(x), Matrix.of(y)};
    }

    static Network classifier(long seed) {
        return Network.input(2).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).build(seed);
    }

    @Test
    void plannedOperationsCountSixOperationsPerWeightPerRowAndEpoch() {
        // The default iris run: 4 -> 100 -> 3, 112 rows, up to 500 epochs.
        Network iris = Network.input(4).dense(100, Activation.RELU).dense(3, Activation.SOFTMAX).build(1);
        assertEquals(6L * (4 * 100 + 100 * 3) * 112 * 500, Trainer.plannedOperations(iris, 112, 500));
        assertEquals(0, Trainer.plannedOperations(iris, 112, 0));
        assertEquals(Long.MAX_VALUE, Trainer.plannedOperations(iris, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void softmaxCrossEntropyWithAdamLearnsBlobsAndRecordsValidation() {
        Matrix[] d = blobs(300, 1);
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Adam.defaults().withLearningRate(0.01)).withEpochs(40).withThreads(1)
                .withValidationFraction(0.2).withMetrics(List.of(ValidationMetric.ACCURACY));
        Trainer.Result result = new Trainer(options).fit(classifier(3), d[0], d[1]);
        EpochStats last = result.history().epochs().get(39);
        assertTrue(last.validated());
        // Blobs 4σ apart: a Bayes-optimal classifier is right on ~99%; 0.9 is a safe floor.
        assertTrue(last.validationMetrics().get("accuracy") > 0.9, "accuracy " + last.validationMetrics());
        assertTrue(last.validationLoss() < result.history().epochs().get(0).validationLoss());
        assertEquals(0.01, last.learningRate(), 1e-15);
    }

    @Test
    void earlyStoppingRestoresTheBestWeights() {
        Matrix[] train = blobs(60, 2);
        Matrix[] val = blobs(60, 3);
        // A large learning rate on a small set overfits and makes the validation loss wander.
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Adam.defaults().withLearningRate(0.05)).withEpochs(300).withBatchSize(8)
                .withThreads(1).withPatience(5);
        Trainer.Result result = new Trainer(options).fit(classifier(4), train[0], train[1], val[0], val[1]);
        History h = result.history();
        assertTrue(h.stoppedEarly(), "stopped after " + h.epochs().size() + " epochs");
        int best = h.bestEpoch();
        assertEquals(best + 5, h.epochs().size(), "stops patience epochs after the best");
        double bestLoss = h.epochs().get(best - 1).validationLoss();
        for (EpochStats e : h.epochs()) {
            assertTrue(e.validationLoss() >= bestLoss, "epoch " + e.epoch() + " beat the best");
        }
        // The returned network is the best epoch's: its validation loss is the recorded best.
        Matrix p = result.network().predict(val[0]);
        double restored = Loss.CROSS_ENTROPY.value(p.data(), val[1].data(), 0, val[0].rows(), 3);
        assertEquals(bestLoss, restored, 1e-5 * (1 + bestLoss));
    }

    @Test
    void divergenceKeepsTheLastGoodWeightsAndNamesEpochAndStep() {
        Matrix x = Matrix.of(new double[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}});
        Matrix y = Matrix.of(new double[][] {{1}, {2}, {3}, {4}});
        Network initial = Network.input(2).dense(1, Activation.IDENTITY).build(1);
        TrainingOptions options = TrainingOptions.defaults().withOptimizer(new Sgd(1.0)).withBatchSize(0)
                .withShuffle(false).withEpochs(1000).withThreads(1);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer(options).fit(initial, x, y));
        assertTrue(e.epoch() > 1 && e.step() == 1, e.getMessage());
        assertTrue(e.getMessage().contains("epoch " + e.epoch()), e.getMessage());
        Trainer.Result lastGood = e.lastGood();
        assertEquals(e.epoch() - 1, lastGood.history().epochs().size());
        Matrix yhat = lastGood.network().predict(x);
        double l = Loss.MSE.value(yhat.data(), y.data(), 0, 4, 1);
        assertTrue(Double.isFinite(l), "the kept weights give a finite loss, got " + l);
        for (float v : lastGood.network().parameters().values()) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void dropoutIsInvertedSeededAndOffAtInference() {
        Matrix[] d = blobs(90, 5);
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Adam.defaults().withLearningRate(0.01)).withEpochs(5).withThreads(1).withDropout(0.5);
        Network a = new Trainer(options).fit(classifier(6), d[0], d[1]).network();
        Network b = new Trainer(options).fit(classifier(6), d[0], d[1]).network();
        Network c = new Trainer(options.withDropout(0)).fit(classifier(6), d[0], d[1]).network();
        assertTrue(a.parameters().sameAs(b.parameters()), "same seed, same masks, same weights");
        assertFalse(a.parameters().sameAs(c.parameters()), "dropout changed training");
        Network d2 = new Trainer(options.withSeed(7)).fit(classifier(6), d[0], d[1]).network();
        assertFalse(a.parameters().sameAs(d2.parameters()), "another seed draws other masks");
        // Prediction is deterministic (no dropout at inference).
        assertArrayEquals(a.predict(d[0]).data(), a.predict(d[0]).data());
    }

    @Test
    void dropoutMasksKeepTheExpectedShareAndScale() {
        Network net = Network.input(1).dense(1000, Activation.IDENTITY).dense(1, Activation.IDENTITY).build(1);
        // With W⁰ = 1, b⁰ = 0 and x = 1 every hidden unit is 1 before dropout.
        java.util.Arrays.fill(net.parameters().values(), 0, 1000, 1f);
        java.util.Arrays.fill(net.parameters().values(), 1000, 2000, 0f);
        dev.gradus.nn.Workspace w = net.workspace(1, dev.gradus.kernel.Kernels.singleThreaded());
        w.dropout(0.3, 42, 1, 1);
        net.forward(new float[] {1f}, 0, 1, w);
        int kept = 0;
        for (int j = 0; j < 1000; j++) {
            float a = w.a(0)[j];
            assertTrue(a == 0f || Math.abs(a - 1 / 0.7f) < 1e-6, "a unit is 0 or 1/(1-p), got " + a);
            kept += a == 0f ? 0 : 1;
        }
        // Binomial(1000, 0.7): mean 700, sd 14.5; ±5 sd.
        assertTrue(Math.abs(kept - 700) < 73, "kept " + kept);
        float[] first = w.a(0).clone();
        net.forward(new float[] {1f}, 0, 1, w);
        assertArrayEquals(first, w.a(0), "the mask depends only on (seed, epoch, step)");
        w.dropout(0.3, 42, 1, 2);
        net.forward(new float[] {1f}, 0, 1, w);
        assertFalse(java.util.Arrays.equals(first, w.a(0)), "the next step draws a new mask");
    }

    @Test
    void listenersSeeEveryBatchAndEpoch() {
        Matrix[] d = blobs(50, 8);
        List<String> calls = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override public void onEpoch(EpochStats stats) { calls.add("epoch " + stats.epoch()); }
            @Override public void onBatch(int epoch, int step, double loss) { calls.add("batch " + epoch + "." + step); }
        };
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY).withEpochs(2)
                .withBatchSize(20).withThreads(1);
        new Trainer(options).addListener(listener).fit(classifier(1), d[0], d[1]);
        assertEquals(List.of("batch 1.1", "batch 1.2", "batch 1.3", "epoch 1", "batch 2.1", "batch 2.2", "batch 2.3",
                "epoch 2"), calls);
    }

    @Test
    void invalidCombinationsAreRejectedWithClearMessages() {
        Matrix[] d = blobs(90, 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(
                TrainingOptions.defaults().withLoss(Loss.MSE)).fit(classifier(1), d[0], d[1]));
        assertTrue(e.getMessage().contains("softmax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(TrainingOptions.defaults()
                .withLoss(Loss.CROSS_ENTROPY).withOptimizer(Lbfgs.defaults())).fit(classifier(1), d[0], d[1]));
        assertTrue(e.getMessage().contains("full-batch") && e.getMessage().contains("32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer(TrainingOptions.defaults()
                .withLoss(Loss.CROSS_ENTROPY).withPatience(3)).fit(classifier(1), d[0], d[1]));
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingOptions.defaults().withMonitor("f1"));
        assertTrue(e.getMessage().contains("'f1'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingOptions.defaults().withDropout(1.0));
        assertTrue(e.getMessage().contains("1.0"), e.getMessage());
    }

    @Test
    void lbfgsTrainsFullBatch() {
        Matrix[] d = blobs(90, 10);
        TrainingOptions options = TrainingOptions.defaults().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Lbfgs.defaults()).withBatchSize(0).withEpochs(50).withThreads(1);
        History h = new Trainer(options).fit(classifier(2), d[0], d[1]).history();
        assertTrue(h.finalLoss() < h.epochs().get(0).loss() / 5, "from " + h.epochs().get(0).loss() + " to "
                + h.finalLoss());
    }

    /**
     * L-BFGS starts each iteration at the point its last line search accepted: the loop gives
     * that evaluation again instead of passing the rows once more, and the weights are those of
     * the same optimizer stepped on a source that evaluates every call, bit for bit.
     */
    @Test
    void lbfgsIsNotEvaluatedTwiceAtOnePoint() {
        Matrix[] d = blobs(90, 10);
        TrainingOptions options = TrainingOptions.plain().withLoss(Loss.CROSS_ENTROPY)
                .withOptimizer(Lbfgs.defaults()).withBatchSize(0).withEpochs(12).withThreads(1);
        List<float[]> points = new ArrayList<>();
        GradientSource rows = GradientSource.of(d[0], d[1]);
        GradientSource recording = new GradientSource() {
            @Override public int rows() { return rows.rows(); }
            @Override public int inputs() { return rows.inputs(); }
            @Override public int outputs() { return rows.outputs(); }
            @Override public java.util.Map<String, String> fingerprint() { return rows.fingerprint(); }
            @Override public HeldOut holdOut(int[] held) { return rows.holdOut(held); }
            @Override public Pass open(Network network, TrainingOptions o, int batchRows, boolean shuffled) {
                Pass pass = rows.open(network, o, batchRows, shuffled);
                return new Pass() {
                    @Override public double lossAndGradient(int epoch, int step, int start, int count, float[] g) {
                        points.add(network.parameters().values().clone());
                        return pass.lossAndGradient(epoch, step, start, count, g);
                    }
                    @Override public void close() { pass.close(); }
                };
            }
        };
        Network trained = new Trainer(options).fit(classifier(2), recording).network();
        for (int i = 1; i < points.size(); i++) {
            assertFalse(java.util.Arrays.equals(points.get(i - 1), points.get(i)), "evaluations " + i + " and "
                    + (i + 1) + " are at the same point");
        }

        // The reference: the optimizer stepped 12 times on an objective that evaluates every call.
        Network reference = classifier(2).copy();
        float[] theta = reference.parameters().values();
        float[] g = new float[theta.length];
        Lbfgs lbfgs = Lbfgs.defaults();
        var state = lbfgs.init(theta.length);
        int[] calls = {0};
        try (GradientSource.Pass pass = GradientSource.of(d[0], d[1]).open(reference, options, 90, false)) {
            for (int epoch = 1; epoch <= 12; epoch++) {
                int e = epoch;
                lbfgs.step(theta, g, dTheta -> {
                    calls[0]++;
                    return pass.lossAndGradient(e, 1, 0, 90, dTheta);
                }, state, lbfgs.learningRate());
            }
        }
        assertArrayEquals(theta, trained.parameters().values());
        assertEquals(calls[0] - 11, points.size(), "one evaluation fewer per iteration after the first");
    }

    @Test
    void healthReportFindsUnscaledInputsDeadUnitsAndOneClass() {
        Matrix[] d = blobs(90, 11);
        Matrix xBig = Matrix.of(d[0].toDoubles());
        for (int i = 0; i < xBig.rows(); i++) {
            xBig.set(i, 1, xBig.get(i, 1) * 1000 + 5000);
        }
        Network net = classifier(1);
        // Kill hidden unit 0 (always z < 0) and make the output favour class 2 everywhere.
        float[] theta = net.parameters().values();
        int w0 = net.parameters().weightView(0).offset();
        int b0 = net.parameters().biasView(0).offset();
        theta[w0] = 0;
        theta[w0 + 1] = 0;
        theta[b0] = -1;
        int b1 = net.parameters().biasView(1).offset();
        theta[b1 + 2] = 5f;
        String unscaled = HealthReport.check(net, xBig, d[1], Loss.CROSS_ENTROPY).toString();
        assertTrue(unscaled.contains("unscaled inputs: column 1 "), unscaled);
        HealthReport report = HealthReport.check(net, d[0], d[1], Loss.CROSS_ENTROPY);
        String text = report.toString();
        assertFalse(text.contains("unscaled"), text);
        assertTrue(text.contains("dead"), text);
        assertTrue(text.contains("predicts class 2"), text);
        assertTrue(report.layers().get(0).deadUnits() >= 1);

        Network fresh = Network.input(2).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).build(3);
        HealthReport good = HealthReport.check(fresh, d[0], d[1], Loss.CROSS_ENTROPY);
        assertTrue(good.healthy(), good.toString());

        Network saturated = Network.input(2).dense(8, Activation.SIGMOID).dense(3, Activation.SOFTMAX).build(3);
        HealthReport sat = HealthReport.check(saturated, xBig, d[1], Loss.CROSS_ENTROPY);
        assertTrue(sat.toString().contains("saturated"), sat.toString());
    }

    @Test
    void healthReportFindsExplodingAndConstant() {
        Matrix[] d = blobs(60, 12);
        Network net = Network.input(2).dense(4, Activation.RELU).dense(1, Activation.IDENTITY).build(1);
        float[] theta = net.parameters().values();
        java.util.Arrays.fill(theta, 0f);                       // every prediction 0: constant
        HealthReport flat = HealthReport.check(net, d[0], Matrix.of(new double[60][1]), Loss.MSE);
        assertTrue(flat.toString().contains("same output"), flat.toString());
        for (int i = 0; i < theta.length; i++) {
            theta[i] = 100f;                                     // huge weights: huge gradients
        }
        double[][] y = new double[60][1];
        HealthReport big = HealthReport.check(net, d[0], Matrix.of(y), Loss.MSE);
        assertTrue(big.toString().contains("exploding"), big.toString());
    }
}

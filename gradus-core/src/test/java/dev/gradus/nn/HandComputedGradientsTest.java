package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gradus.kernel.Kernels;
import dev.gradus.optim.Sgd;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Networks small enough to work out by hand. Every expected value is derived in the comment
 * above it from the seed's formulas; all of them are small integers or powers of two, exact in
 * float32, so the assertions are exact.
 */
class HandComputedGradientsTest {

    /** The forward pass, the loss and the backward pass as training runs them. */
    record Pass(float[] yhat, double loss, float[] dTheta) {}

    static Pass pass(Network net, Matrix x, Matrix y) {
        Workspace w = net.workspace(x.rows(), Kernels.singleThreaded());
        net.forward(x.data(), x.offset(), x.rows(), w);
        float[] yhat = java.util.Arrays.copyOf(w.output(), x.rows() * net.outputs());
        float[] dTheta = new float[net.parameters().size()];
        double loss = Loss.MSE.valueAndGradient(w.output(), y.data(), y.offset(), w.g(), x.rows(), net.outputs());
        net.backward(x.data(), x.offset(), w, dTheta);
        return new Pass(yhat, loss, dTheta);
    }

    static Network network(List<Dense> layers) {
        return Network.of(layers, Network.zeroParameters(layers));
    }

    static void fill(Matrix m, float v) {
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                m.set(i, j, v);
            }
        }
    }

    /** The slice of {@code dTheta} holding view {@code name}. */
    static float[] slice(Network net, float[] dTheta, String name) {
        var v = net.parameters().views().stream().filter(view -> view.name().equals(name)).findFirst().orElseThrow();
        return java.util.Arrays.copyOfRange(dTheta, v.offset(), v.offset() + v.size());
    }

    @Test
    void allOnesReluThenIdentityTwoSamples() {
        // Layers: 0: 2 → 2 ReLU, 1: 2 → 1 identity; every W = 1, every b = 0.
        Network net = network(List.of(new Dense(2, 2, Activation.RELU), new Dense(2, 1, Activation.IDENTITY)));
        fill(net.weights(0), 1f);
        fill(net.weights(1), 1f);
        // x₁ = (1, 2), y₁ = 1;  x₂ = (−1, −2), y₂ = 1.
        Matrix x = Matrix.of(new double[][] {{1, 2}, {-1, -2}});
        Matrix y = Matrix.of(new double[][] {{1}, {1}});

        Pass p = pass(net, x, y);

        // z⁰₁ = (3, 3), a⁰₁ = (3, 3), ŷ₁ = 6;   z⁰₂ = (−3, −3), a⁰₂ = (0, 0), ŷ₂ = 0.
        assertArrayEquals(new float[] {6, 0}, p.yhat());
        // ℓ2 = (1/2)((6 − 1)² + (0 − 1)²) = (25 + 1)/2 = 13.
        assertEquals(13.0, p.loss());
        // G¹ = (2/N)(ŷ − y) = (5, −1).
        // ∂ℓ/∂W¹ = Σₛ G¹ₛ a⁰ₛ = 5·(3, 3) + (−1)·(0, 0) = (15, 15);  ∂ℓ/∂b¹ = 5 − 1 = 4.
        assertArrayEquals(new float[] {15, 15}, slice(net, p.dTheta(), "layers.1.weight"));
        assertArrayEquals(new float[] {4}, slice(net, p.dTheta(), "layers.1.bias"));
        // G⁰ₛ = G¹ₛ W¹ = (5, 5) and (−1, −1); Δ⁰ₛ = φ⁰'(z⁰ₛ) ⊙ G⁰ₛ = (5, 5) and (0, 0).
        // ∂ℓ/∂W⁰ᵢⱼ = Σₛ Δ⁰ₛᵢ xₛⱼ = [[5, 10], [5, 10]];  ∂ℓ/∂b⁰ = (5, 5).
        assertArrayEquals(new float[] {5, 10, 5, 10}, slice(net, p.dTheta(), "layers.0.weight"));
        assertArrayEquals(new float[] {5, 5}, slice(net, p.dTheta(), "layers.0.bias"));
    }

    @Test
    void reluOnTheKinkHasZeroDerivative() {
        // 2 → 1 ReLU → 1 identity, W⁰ = (1, 1), b⁰ = 0, W¹ = 1, b¹ = 0, x = (1, −1), y = 1:
        // z⁰ = 0, ReLU(0) = 0 = ŷ, ℓ = 1, G¹ = −2, ∂ℓ/∂W¹ = −2·0 = 0, ∂ℓ/∂b¹ = −2;
        // Δ⁰ = ReLU'(0)·G⁰ = 0 (the convention ReLU'(0) = 0), so ∂ℓ/∂W⁰ = (0, 0), ∂ℓ/∂b⁰ = 0.
        Network net = network(List.of(new Dense(2, 1, Activation.RELU), new Dense(1, 1, Activation.IDENTITY)));
        fill(net.weights(0), 1f);
        fill(net.weights(1), 1f);
        Pass p = pass(net, Matrix.of(new double[][] {{1, -1}}), Matrix.of(new double[][] {{1}}));
        assertEquals(1.0, p.loss());
        assertArrayEquals(new float[] {0, 0, 0, 0, -2}, p.dTheta());
    }

    @Test
    void sigmoidAtZeroHasDerivativeOneQuarter() {
        // 1 → 1 sigmoid, W = 1, b = 0, x = 0, y = 1: z = 0, ŷ = σ(0) = 1/2, ℓ = (1/2 − 1)² = 1/4.
        // G = 2(ŷ − y) = −1, Δ = σ'(0)·G = (1/2)(1 − 1/2)·(−1) = −1/4.
        // ∂ℓ/∂W = Δ·x = 0 (written as −1/4 · 0), ∂ℓ/∂b = −1/4.
        Network net = network(List.of(new Dense(1, 1, Activation.SIGMOID)));
        net.weights(0).set(0, 0, 1f);
        Pass p = pass(net, Matrix.of(new double[][] {{0}}), Matrix.of(new double[][] {{1}}));
        assertArrayEquals(new float[] {0.5f}, p.yhat());
        assertEquals(0.25, p.loss());
        assertEquals(0f, Math.abs(p.dTheta()[0]));
        assertEquals(-0.25f, p.dTheta()[1]);
    }

    @Test
    void threeIdentityLayersMultiplyTheirWeights() {
        // 1 → 1 → 1 → 1, identity, W⁰ = 2, W¹ = 3, W² = 0.5, b = (1, 0, −1), x = 1, y = 0:
        // z⁰ = 2·1 + 1 = 3, z¹ = 9, ŷ = z² = 4.5 − 1 = 3.5, ℓ = 12.25.
        // G² = 2·3.5 = 7; ∂ℓ/∂W² = 7·9 = 63, ∂ℓ/∂b² = 7;
        // G¹ = 7·0.5 = 3.5; ∂ℓ/∂W¹ = 3.5·3 = 10.5, ∂ℓ/∂b¹ = 3.5;
        // G⁰ = 3.5·3 = 10.5; ∂ℓ/∂W⁰ = 10.5·1 = 10.5, ∂ℓ/∂b⁰ = 10.5.
        List<Dense> layers = List.of(new Dense(1, 1, Activation.IDENTITY), new Dense(1, 1, Activation.IDENTITY),
                new Dense(1, 1, Activation.IDENTITY));
        Network net = network(layers);
        net.weights(0).set(0, 0, 2f);
        net.weights(1).set(0, 0, 3f);
        net.weights(2).set(0, 0, 0.5f);
        net.bias(0).set(0, 0, 1f);
        net.bias(2).set(0, 0, -1f);
        Pass p = pass(net, Matrix.of(new double[][] {{1}}), Matrix.of(new double[][] {{0}}));
        assertArrayEquals(new float[] {3.5f}, p.yhat());
        assertEquals(12.25, p.loss());
        // Layout W⁰, b⁰, W¹, b¹, W², b².
        assertArrayEquals(new float[] {10.5f, 10.5f, 10.5f, 3.5f, 63f, 7f}, p.dTheta());
    }

    /**
     * The seed's ℓ2 sums over the k outputs and averages over the N samples. Any other
     * normalisation changes these numbers by a factor: dividing by N·k (PyTorch's
     * {@code MSELoss()}) halves them here (k = 2), summing over samples doubles them (N = 2).
     */
    @Test
    void twoOutputsTwoSamplesPinTheNormalisation() {
        // 1 → 2 identity, W = (1, 1)ᵀ, b = 0. x₁ = 1, y₁ = (0, 1); x₂ = 2, y₂ = (1, 0).
        Network net = network(List.of(new Dense(1, 2, Activation.IDENTITY)));
        fill(net.weights(0), 1f);
        Matrix x = Matrix.of(new double[][] {{1}, {2}});
        Matrix y = Matrix.of(new double[][] {{0, 1}, {1, 0}});

        Pass p = pass(net, x, y);

        // ŷ₁ = (1, 1), ŷ₂ = (2, 2); residuals r₁ = (1, 0), r₂ = (1, 2).
        assertArrayEquals(new float[] {1, 1, 2, 2}, p.yhat());
        // ℓ2 = (1/N) Σ rᵀr = (1 + 5)/2 = 3   (MSELoss would give 6/4 = 1.5).
        assertEquals(3.0, p.loss());
        assertEquals(3.0, Loss.MSE.value(p.yhat(), y.data(), 0, 2, 2));
        assertEquals(3.0, Loss.MSE.valueDouble(new double[] {1, 1, 2, 2}, new double[] {0, 1, 1, 0}, 2, 2));
        // G = (2/N) R = R.  ∂ℓ/∂W₀₀ = Σ Gₛ₀ xₛ = 1·1 + 1·2 = 3;  ∂ℓ/∂W₁₀ = 0·1 + 2·2 = 4;
        // ∂ℓ/∂b = (1 + 1, 0 + 2) = (2, 2).   (Under N·k: 1.5, 2, 1, 1.)
        assertArrayEquals(new float[] {3, 4, 2, 2}, p.dTheta());

        // One full-batch step of the seed's gradient descent with α = 1/4 through the Trainer:
        // W ← (1, 1) − (3, 4)/4 = (0.25, 0),  b ← −(2, 2)/4 = (−0.5, −0.5).
        TrainingOptions once = TrainingOptions.plain().withOptimizer(new Sgd(0.25)).withBatchSize(0)
                .withShuffle(false).withEpochs(1).withThreads(1);
        Trainer.Result result = new Trainer(once).fit(net, x, y);
        assertArrayEquals(new float[] {0.25f, 0f, -0.5f, -0.5f}, result.network().parameters().values());
        assertEquals(3.0, result.history().epochs().get(0).loss());
    }
}

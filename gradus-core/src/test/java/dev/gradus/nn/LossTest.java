package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Each loss against an independent double-precision formula, and its gradient against central
 * differences of that formula.
 */
class LossTest {
    private static final int ROWS = 5;
    private static final int COLS = 3;
    // Central differences in double with h = 1e-6 are accurate to ~1e-9; the Java gradient is
    // rounded to float (relative 6e-8), so 1e-5 relative to the largest entry is a safe bound.
    private static final double GRADIENT_TOLERANCE = 1e-5;

    @Test
    void squaredErrorMatchesTheSeed() {
        checkPlain(Loss.MSE, (r) -> r * r, false);
    }

    @Test
    void absoluteErrorMatchesItsDefinition() {
        checkPlain(Loss.MAE, Math::abs, true);
    }

    @Test
    void huberMatchesPyTorchsDefinition() {
        checkPlain(Loss.HUBER, r -> Math.abs(r) <= 1 ? 0.5 * r * r : Math.abs(r) - 0.5, true);
        checkPlain(new Loss.Huber(0.5), r -> Math.abs(r) <= 0.5 ? 0.5 * r * r : 0.5 * (Math.abs(r) - 0.25), true);
    }

    /** A loss of the residual only: value, and gradient against central differences. */
    private static void checkPlain(Loss loss, java.util.function.DoubleUnaryOperator element, boolean kinks) {
        SplittableRandom random = new SplittableRandom(11);
        float[] yhat = new float[ROWS * COLS];
        float[] y = new float[ROWS * COLS + 2];   // offset 2, to exercise yOff
        for (int i = 0; i < yhat.length; i++) {
            float r;
            do {
                r = (float) random.nextDouble(-2.5, 2.5);
                // keep away from the kinks at 0 and ±δ, where the gradient is one-sided
            } while (kinks && (Math.abs(r) < 0.05 || Math.abs(Math.abs(r) - 1) < 0.05 || Math.abs(Math.abs(r) - 0.5) < 0.05));
            y[i + 2] = (float) random.nextDouble(-1, 1);
            yhat[i] = y[i + 2] + r;
        }
        ToDoubleFunction<double[]> reference = p -> {
            double sum = 0;
            for (int i = 0; i < p.length; i++) {
                sum += element.applyAsDouble(p[i] - y[i + 2]);
            }
            return sum / ROWS;
        };
        double[] at = toDouble(yhat);
        assertEquals(reference.applyAsDouble(at), loss.value(yhat, y, 2, ROWS, COLS), 1e-6, loss + " value");
        float[] g = new float[yhat.length];
        double l = loss.valueAndGradient(yhat, y, 2, g, ROWS, COLS);
        assertEquals(reference.applyAsDouble(at), l, 1e-6, loss + " value with gradient");
        assertClose(centralDifferences(reference, at), g, loss + " gradient");
    }

    @Test
    void crossEntropyFusedWithSoftmaxGivesStableValueAndDelta() {
        SplittableRandom random = new SplittableRandom(5);
        float[] z = randomArray(random, ROWS * COLS, -3, 3);
        float[] y = new float[ROWS * COLS];
        for (int i = 0; i < ROWS; i++) {
            y[i * COLS + random.nextInt(COLS)] = 1f;
        }
        ToDoubleFunction<double[]> reference = logits -> {
            double sum = 0;
            for (int i = 0; i < ROWS; i++) {
                double norm = 0;
                for (int j = 0; j < COLS; j++) {
                    norm += Math.exp(logits[i * COLS + j]);
                }
                for (int j = 0; j < COLS; j++) {
                    sum -= y[i * COLS + j] * Math.log(Math.exp(logits[i * COLS + j]) / norm);
                }
            }
            return sum / ROWS;
        };
        float[] delta = new float[z.length];
        double l = Loss.CROSS_ENTROPY.valueAndOutputDelta(z, y, 0, delta, ROWS, COLS);
        assertEquals(reference.applyAsDouble(toDouble(z)), l, 1e-6);
        assertEquals(l, Loss.CROSS_ENTROPY.valueFromLogits(z, y, 0, ROWS, COLS), 1e-12);
        assertClose(centralDifferences(reference, toDouble(z)), delta, "∂ℓ/∂Z of softmax cross-entropy");

        // The unfused form on probabilities agrees in value, and its G chained through the
        // softmax Jacobian gives the same Δ: Δ = P ⊙ (G − Σⱼ Gⱼ Pⱼ).
        float[] p = new float[z.length];
        Activation.SOFTMAX.applyRows(z, 0, p, 0, ROWS, COLS);
        float[] g = new float[z.length];
        assertEquals(l, Loss.CROSS_ENTROPY.valueAndGradient(p, y, 0, g, ROWS, COLS), 1e-5);
        for (int i = 0; i < ROWS; i++) {
            double gp = 0;
            for (int j = 0; j < COLS; j++) {
                gp += (double) g[i * COLS + j] * p[i * COLS + j];
            }
            for (int j = 0; j < COLS; j++) {
                int k = i * COLS + j;
                assertEquals(delta[k], p[k] * (g[k] - gp), 1e-5, "row " + i + " column " + j);
            }
        }
    }

    @Test
    void crossEntropyStaysFiniteForHugeLogits() {
        float[] z = {1000f, -1000f, 0f};
        float[] y = {0f, 1f, 0f};
        float[] delta = new float[3];
        double l = Loss.CROSS_ENTROPY.valueAndOutputDelta(z, y, 0, delta, 1, 3);
        // −ln p₁ = logsumexp(z) − z₁ = 1000 + 1000 (the other terms vanish in double)
        assertEquals(2000.0, l, 1e-9);
        assertEquals(1f, delta[0], 0f);
        assertEquals(-1f, delta[1], 0f);
        assertEquals(0f, delta[2], 0f);
    }

    @Test
    void binaryCrossEntropyFusedWithSigmoid() {
        SplittableRandom random = new SplittableRandom(8);
        float[] z = randomArray(random, ROWS * COLS, -4, 4);
        float[] y = new float[ROWS * COLS];
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextBoolean() ? 1f : 0f;
        }
        ToDoubleFunction<double[]> reference = logits -> {
            double sum = 0;
            for (int i = 0; i < logits.length; i++) {
                double p = 1 / (1 + Math.exp(-logits[i]));
                sum -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
            }
            return sum / ROWS;
        };
        float[] delta = new float[z.length];
        double l = Loss.BCE.valueAndOutputDelta(z, y, 0, delta, ROWS, COLS);
        assertEquals(reference.applyAsDouble(toDouble(z)), l, 1e-9);
        assertClose(centralDifferences(reference, toDouble(z)), delta, "∂ℓ/∂Z of sigmoid BCE");

        // Unfused, on probabilities: G ⊙ σ'(z) = Δ.
        float[] p = new float[z.length];
        Activation.SIGMOID.applyAll(z, 0, p, 0, z.length);
        float[] g = new float[z.length];
        assertEquals(l, Loss.BCE.valueAndGradient(p, y, 0, g, ROWS, COLS), 1e-5);
        for (int i = 0; i < z.length; i++) {
            assertEquals(delta[i], g[i] * Activation.SIGMOID.derivative(z[i]), 1e-5, "entry " + i);
        }
        // Stable where σ(z) rounds to 0 or 1 in float: ln(1 + e²⁰⁰) = 200 for y = 0.
        assertEquals(200.0, Loss.BCE.valueFromLogits(new float[] {200f}, new float[] {0f}, 0, 1, 1), 1e-9);
    }

    /** The whole backward pass through a fused output, against central differences in double. */
    @Test
    void networkGradientThroughFusedOutputsMatchesCentralDifferences() {
        checkNetworkGradient(Activation.SOFTMAX, Loss.CROSS_ENTROPY, true);
        checkNetworkGradient(Activation.SIGMOID, Loss.BCE, false);
        checkNetworkGradient(Activation.IDENTITY, Loss.HUBER, false);
        checkNetworkGradient(Activation.IDENTITY, Loss.MSE, false);
    }

    private static void checkNetworkGradient(Activation output, Loss loss, boolean oneHot) {
        int inputs = 3;
        int hidden = 4;
        int outputs = 3;
        int rows = 6;
        Network net = Network.input(inputs).dense(hidden, Activation.TANH).dense(outputs, output).build(21);
        SplittableRandom random = new SplittableRandom(3);
        float[] x = randomArray(random, rows * inputs, -1, 1);
        float[] y = new float[rows * outputs];
        for (int i = 0; i < rows; i++) {
            if (oneHot) {
                y[i * outputs + random.nextInt(outputs)] = 1f;
            } else {
                for (int j = 0; j < outputs; j++) {
                    y[i * outputs + j] = output == Activation.SIGMOID ? (random.nextBoolean() ? 1f : 0f)
                            : (float) random.nextDouble(-2, 2);
                }
            }
        }
        Workspace w = net.workspace(rows, Kernels.singleThreaded());
        net.forward(x, 0, rows, w);
        loss.valueAndBackwardStart(w, y, 0);
        float[] dTheta = new float[net.parameters().size()];
        net.backward(x, 0, w, dTheta);

        ToDoubleFunction<double[]> reference = theta -> DoubleNetwork.loss(net, theta, x, y, rows, loss);
        assertClose(centralDifferences(reference, toDouble(net.parameters().values())), dTheta,
                loss + " through a " + output + " output");
    }

    @Test
    void checkOutputRejectsMismatchedPairs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.CROSS_ENTROPY.checkOutput(Activation.IDENTITY, 3));
        assertTrue(e.getMessage().contains("softmax") && e.getMessage().contains("identity"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Loss.CROSS_ENTROPY.checkOutput(Activation.SOFTMAX, 1));
        assertThrows(IllegalArgumentException.class, () -> Loss.BCE.checkOutput(Activation.TANH, 1));
        assertThrows(IllegalArgumentException.class, () -> Loss.MSE.checkOutput(Activation.SOFTMAX, 3));
        Loss.BCE.checkOutput(Activation.SIGMOID, 1);
        Loss.MSE.checkOutput(Activation.SIGMOID, 2);
    }

    @Test
    void softmaxIsOnlyAnOutputActivation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.input(2).dense(3, Activation.SOFTMAX).dense(2, Activation.SOFTMAX).build(1));
        assertTrue(e.getMessage().contains("layer 0"), e.getMessage());
        Network ok = Network.input(2).dense(3, Activation.RELU).dense(4, Activation.SOFTMAX).build(1);
        Matrix p = ok.predict(Matrix.of(new double[][] {{1, -2}, {0.5, 3}}));
        for (int i = 0; i < 2; i++) {
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                sum += p.get(i, j);
            }
            assertEquals(1.0, sum, 1e-6, "softmax row " + i + " sums to 1");
        }
    }

    @Test
    void parseKnowsEveryNameAndRejectsOthers() {
        assertEquals(Loss.MSE, Loss.parse("mse"));
        assertEquals(Loss.CROSS_ENTROPY, Loss.parse("cross-entropy"));
        assertEquals(Loss.CROSS_ENTROPY, Loss.parse("Cross_Entropy"));
        assertEquals(Loss.BCE, Loss.parse("bce"));
        assertEquals(Loss.MAE, Loss.parse("mae"));
        assertEquals(Loss.HUBER, Loss.parse("huber"));
        assertEquals(new Loss.Huber(2.5), Loss.parse("huber(2.5)"));
        assertEquals(new Loss.Huber(0.5), Loss.parse("huber(delta=0.5)"));
        for (Loss l : new Loss[] {Loss.MSE, Loss.CROSS_ENTROPY, Loss.BCE, Loss.MAE, Loss.HUBER, new Loss.Huber(3)}) {
            assertEquals(l, Loss.parse(l.name()), "name round trip of " + l);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.parse("hinge"));
        assertTrue(e.getMessage().contains("'hinge'") && e.getMessage().contains("cross-entropy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Loss.parse("huber(-1)"));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Loss.parse("huber(x)"));
    }

    // ---- helpers ----

    static double[] centralDifferences(ToDoubleFunction<double[]> f, double[] at) {
        double h = 1e-6;
        double[] grad = new double[at.length];
        for (int i = 0; i < at.length; i++) {
            double keep = at[i];
            at[i] = keep + h;
            double up = f.applyAsDouble(at);
            at[i] = keep - h;
            double down = f.applyAsDouble(at);
            at[i] = keep;
            grad[i] = (up - down) / (2 * h);
        }
        return grad;
    }

    static void assertClose(double[] expected, float[] actual, String what) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(scale > 1e-6, what + ": the reference gradient is all zero, the check would be empty");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], GRADIENT_TOLERANCE * scale + 1e-7,
                    what + " at " + i);
        }
    }

    static float[] randomArray(SplittableRandom random, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(lo, hi);
        }
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}

package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The weighted loss {@code ℓ = Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} of every loss: weights of 1 give the unweighted
 * bits in every form, the value is the weighted mean of the per-row losses, integer weights equal
 * repeated rows, and the backward pass agrees with central differences of the weighted loss in
 * {@code double}.
 */
class WeightedLossTest {
    private static final int N = 7;
    private static final int K = 3;

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of(Loss.MSE, Activation.IDENTITY),
                Arguments.of(Loss.CROSS_ENTROPY, Activation.SOFTMAX),
                Arguments.of(Loss.BCE, Activation.SIGMOID),
                Arguments.of(Loss.MAE, Activation.TANH),
                Arguments.of(Loss.HUBER, Activation.IDENTITY),
                Arguments.of(Loss.parse("huber(0.3)"), Activation.IDENTITY));
    }

    private static Matrix targets(Loss loss, int rows, SplittableRandom random) {
        Matrix y = Matrix.zeros(rows, K);
        for (int i = 0; i < rows; i++) {
            if (loss == Loss.CROSS_ENTROPY) {
                y.set(i, random.nextInt(K), 1f);
            } else {
                for (int j = 0; j < K; j++) {
                    y.set(i, j, loss == Loss.BCE ? random.nextInt(2) : (float) random.nextDouble(-2, 2));
                }
            }
        }
        return y;
    }

    private static Matrix features(int rows, SplittableRandom random) {
        Matrix x = Matrix.zeros(rows, 4);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) random.nextDouble(-1, 1));
            }
        }
        return x;
    }

    private static Network net(Activation output) {
        return Network.input(4).dense(6, Activation.TANH).dense(K, output).build(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void weightsOfOneGiveTheUnweightedBitsInEveryForm(Loss loss, Activation output) {
        SplittableRandom random = new SplittableRandom(1);
        Matrix x = features(N, random);
        Matrix y = targets(loss, N, random);
        float[] ones = new float[N];
        Arrays.fill(ones, 1f);
        Network net = net(output);
        Workspace w = net.workspace(N, Kernels.singleThreaded());
        net.forward(x.data(), 0, N, w);
        float[] yhat = w.output().clone();

        float[] g1 = new float[N * K];
        float[] g2 = new float[N * K];
        assertEquals(loss.valueAndGradient(yhat, y.data(), 0, g1, N, K),
                loss.valueAndGradient(yhat, y.data(), 0, ones, g2, N, K), 0.0);
        assertArrayEquals(g1, g2);
        assertEquals(loss.value(yhat, y.data(), 0, N, K), loss.value(yhat, y.data(), 0, ones, N, K), 0.0);
        assertEquals(loss.value(w, y.data(), 0), loss.value(w, y.data(), 0, ones), 0.0);

        float[] d1 = new float[net.parameters().size()];
        float[] d2 = new float[d1.length];
        double l1 = loss.valueAndBackwardStart(w, y.data(), 0);
        net.backward(x.data(), 0, w, d1);
        double l2 = loss.valueAndBackwardStart(w, y.data(), 0, ones);
        net.backward(x.data(), 0, w, d2);
        assertEquals(l1, l2, 0.0);
        assertArrayEquals(d1, d2);
    }

    /**
     * The weighted value is {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} of the one-row values {@code Lᵢ}, and the
     * gradient of a row of integer weight {@code c} is {@code c} times that of the row repeated
     * (the rows' gradients {@code ∂ℓ/∂ŷᵢ} of the repeated set summed over the copies).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void theValueIsTheWeightedMeanAndIntegerWeightsRepeatRows(Loss loss, Activation output) {
        SplittableRandom random = new SplittableRandom(2);
        Matrix y = targets(loss, N, random);
        float[] yhat = new float[N * K];
        for (int i = 0; i < yhat.length; i++) {
            yhat[i] = loss.fusedActivation() != null ? (float) random.nextDouble(0.05, 0.95)
                    : (float) random.nextDouble(-2, 2);
        }
        float[] weights = {2, 0, 1, 3, 1, 4, 2};
        // value() forms residuals in double, valueAndGradient() in float: each against its own per-row form
        double expected = 0;
        double expectedWithGradient = 0;
        double total = 0;
        float[] scratch = new float[K];
        for (int i = 0; i < N; i++) {
            float[] row = Arrays.copyOfRange(yhat, i * K, (i + 1) * K);
            expected += weights[i] * loss.value(row, y.data(), i * K, 1, K);
            expectedWithGradient += weights[i] * loss.valueAndGradient(row, y.data(), i * K, scratch, 1, K);
            total += weights[i];
        }
        expected /= total;
        expectedWithGradient /= total;
        float[] g = new float[N * K];
        double value = loss.valueAndGradient(yhat, y.data(), 0, weights, g, N, K);
        assertEquals(expectedWithGradient, value, 1e-12 * Math.abs(expected));
        assertEquals(expected, loss.value(yhat, y.data(), 0, weights, N, K), 1e-12 * Math.abs(expected));

        // the same rows repeated wᵢ times, unweighted
        int repeated = (int) total;
        float[] yhatR = new float[repeated * K];
        float[] yR = new float[repeated * K];
        int at = 0;
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < weights[i]; c++, at++) {
                System.arraycopy(yhat, i * K, yhatR, at * K, K);
                System.arraycopy(y.data(), i * K, yR, at * K, K);
            }
        }
        float[] gR = new float[repeated * K];
        assertEquals(value, loss.valueAndGradient(yhatR, yR, 0, gR, repeated, K), 1e-12 * Math.abs(value));
        at = 0;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < K; j++) {
                double sum = 0;
                for (int c = 0; c < weights[i]; c++) {
                    sum += gR[(at + c) * K + j];
                }
                // one float rounding of each side: relative 2⁻²³
                assertEquals(sum, g[i * K + j], 2.4e-7 * Math.abs(sum) + 1e-30, loss + " row " + i + " output " + j);
            }
            at += (int) weights[i];
        }
    }

    @ParameterizedTest(name = "{0} with {1} output")
    @MethodSource("losses")
    void backwardMatchesFiniteDifferencesOfTheWeightedLoss(Loss loss, Activation output) {
        SplittableRandom random = new SplittableRandom(11);
        Matrix x = features(N, random);
        Matrix y = targets(loss, N, random);
        float[] weights = new float[N];
        for (int i = 0; i < N; i++) {
            weights[i] = (float) random.nextDouble(0, 4);
        }
        weights[2] = 0f;                      // a row that counts for nothing
        Network net = net(output);
        GradientCheck.Report report = GradientCheck.check(net, loss, x, y, weights, GradientCheck.DEFAULT_STEP);
        assertTrue(report.passed(), report.toString());

        // a wrong weighting (the unweighted gradient) fails the same check
        Workspace w = net.workspace(N, Kernels.singleThreaded());
        net.forward(x.data(), 0, N, w);
        loss.valueAndBackwardStart(w, y.data(), 0);
        float[] unweighted = new float[net.parameters().size()];
        net.backward(x.data(), 0, w, unweighted);
        assertTrue(!GradientCheck.compareWeighted(net, loss, x, y, weights, unweighted).passed(),
                "the unweighted gradient should fail the weighted check");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void rowsThatAllWeighZeroHaveLossAndGradientZero(Loss loss, Activation output) {
        SplittableRandom random = new SplittableRandom(3);
        Matrix y = targets(loss, N, random);
        float[] yhat = new float[N * K];
        Arrays.fill(yhat, 0.3f);
        float[] g = new float[N * K];
        Arrays.fill(g, 9f);
        assertEquals(0.0, loss.valueAndGradient(yhat, y.data(), 0, new float[N], g, N, K));
        assertArrayEquals(new float[N * K], g);
    }
}

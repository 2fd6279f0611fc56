package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The public gradient check agrees with training's backward pass for every loss. */
class GradientCheckEveryLossTest {

    static Stream<Arguments> losses() {
        return Stream.of(
                Arguments.of(Loss.MSE, Activation.IDENTITY),
                Arguments.of(Loss.CROSS_ENTROPY, Activation.SOFTMAX),
                Arguments.of(Loss.BCE, Activation.SIGMOID),
                Arguments.of(Loss.MAE, Activation.TANH),
                Arguments.of(Loss.HUBER, Activation.IDENTITY),
                Arguments.of(Loss.parse("huber(0.3)"), Activation.IDENTITY));
    }

    @ParameterizedTest(name = "{0} with {1} output")
    @MethodSource("losses")
    void backwardMatchesFiniteDifferences(Loss loss, Activation output) {
        SplittableRandom random = new SplittableRandom(11);
        int n = 5;
        int k = 3;
        double[][] xs = new double[n][4];
        double[][] ys = new double[n][k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                xs[i][j] = random.nextDouble(-1, 1);
            }
            if (loss == Loss.CROSS_ENTROPY) {
                ys[i][random.nextInt(k)] = 1;                       // one-hot classes
            } else if (loss == Loss.BCE) {
                for (int j = 0; j < k; j++) {
                    ys[i][j] = random.nextInt(2);                   // independent 0/1 labels
                }
            } else {
                for (int j = 0; j < k; j++) {
                    ys[i][j] = random.nextDouble(-2, 2);            // far from ŷ: no kink of |r| nearby
                }
            }
        }
        Network net = Network.input(4).dense(6, Activation.TANH).dense(k, output).build(3);
        GradientCheck.Report report = GradientCheck.check(net, loss, Matrix.of(xs), Matrix.of(ys));
        assertTrue(report.passed(), report.toString());
    }
}

package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With dropout active, the backward pass is the gradient of the dropped-out network: checked
 * against central differences of the loss with the same masks (a mask is a pure function of
 * seed, epoch and step). Guards the reuse of Aᵐ = φᵐ(Zᵐ) in φᵐ', which dropout's scaling of
 * Aᵐ would break.
 */
class DropoutGradientTest {

    @ParameterizedTest
    @ValueSource(strings = {"tanh", "sigmoid", "elu", "softplus"})
    void backwardWithDropoutMatchesFiniteDifferences(String activation) {
        SplittableRandom random = new SplittableRandom(4);
        int n = 6;
        double[][] xs = new double[n][3];
        double[][] ys = new double[n][2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                xs[i][j] = random.nextDouble(-1, 1);
            }
            ys[i][0] = random.nextDouble(-1, 1);
            ys[i][1] = random.nextDouble(-1, 1);
        }
        Matrix x = Matrix.of(xs);
        Matrix y = Matrix.of(ys);
        Network net = Network.input(3).dense(8, Activation.parse(activation)).dense(2, Activation.IDENTITY).build(9);
        Workspace w = net.workspace(n, Kernels.singleThreaded());
        float[] theta = net.parameters().values();
        float[] analytic = new float[theta.length];
        double loss = lossWithMasks(net, w, x, y, analytic);

        // Float central differences: h = 1e-2 keeps rounding (~1e-7·ℓ/h) and truncation (~h²)
        // near 1e-4, while reusing the dropped-out Aᵐ in tanh' or sigmoid' is off by tens of percent.
        double h = 1e-2;
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < theta.length; i++) {
            float original = theta[i];
            theta[i] = (float) (original + h);
            double plus = lossWithMasks(net, w, x, y, null);
            theta[i] = (float) (original - h);
            double minus = lossWithMasks(net, w, x, y, null);
            theta[i] = original;
            double numeric = (plus - minus) / (2 * h);
            worst = Math.max(worst, Math.abs(numeric - analytic[i]));
            scale = Math.max(scale, Math.abs(analytic[i]));
        }
        assertTrue(loss > 0);
        assertTrue(worst <= 2e-3 * Math.max(1, scale), activation + ": worst difference " + worst + ", scale " + scale);
    }

    /** ℓ with the dropout masks of (seed 7, epoch 1, step 1); writes ∂ℓ/∂θ when {@code dTheta} is given. */
    private static double lossWithMasks(Network net, Workspace w, Matrix x, Matrix y, float[] dTheta) {
        w.dropout(0.5, 7, 1, 1);
        net.forward(x.data(), 0, x.rows(), w);
        double loss = Loss.MSE.valueAndBackwardStart(w, y.data(), 0);
        if (dTheta != null) {
            net.backward(x.data(), 0, w, dTheta);
        }
        w.noDropout();
        assertEquals(x.rows(), w.rows());
        return loss;
    }
}

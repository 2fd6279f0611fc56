package dev.gradus.nn;

import java.util.Locale;

/**
 * A loss {@code ℓ(Ŷ, Y)} over a batch of {@code N} rows and {@code k} outputs, and its gradient
 * {@code G = ∂ℓ/∂Ŷ} with respect to the network's output.
 *
 * <p>{@link #MSE} is the seed's {@code ℓ2 = (1/N) Σₓ (ŷ(x) − y)ᵀ(ŷ(x) − y)}: summed over the
 * {@code k} outputs, averaged over the {@code N} samples. That is {@code k} times PyTorch's
 * {@code MSELoss()}, which averages over all {@code N·k} elements.
 */
public sealed interface Loss permits Loss.SquaredError {

    /** The seed's {@code ℓ2}: sum over outputs, mean over samples. */
    Loss MSE = new SquaredError();

    /**
     * The loss of predictions {@code yhat} (from index 0) against targets {@code y} (from
     * {@code yOff}), both {@code rows × cols} row-major.
     */
    double value(float[] yhat, float[] y, int yOff, int rows, int cols);

    /**
     * Writes {@code G = ∂ℓ/∂Ŷ} into {@code g} ({@code rows × cols}, from index 0) and returns
     * {@code ℓ}.
     */
    double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols);

    /**
     * The same loss evaluated in {@code double} precision throughout, on {@code double}
     * predictions {@code yhat} and targets {@code y}, both {@code rows × cols} row-major from
     * index 0. Training never calls it; {@link GradientCheck} does, because a finite difference
     * {@code (ℓ(θ+h) − ℓ(θ−h)) / 2h} with {@code h ≈ 1e-6} only survives if neither {@code ŷ}
     * nor {@code ℓ} is rounded to {@code float} on the way. Every loss implements it from its
     * own formula, so that the check works for any loss.
     */
    double valueDouble(double[] yhat, double[] y, int rows, int cols);

    /** The name used on the command line and in model files. */
    String name();

    /** Parses {@code mse} (also {@code l2}). */
    static Loss parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "mse", "l2" -> MSE;
            default -> throw new IllegalArgumentException("unknown loss '" + text + "'; known: mse");
        };
    }

    /**
     * The seed's {@code ℓ2 = (1/N) Σ (ŷ − y)ᵀ(ŷ − y)} with gradient {@code G = (2/N)(Ŷ − Y)}.
     */
    record SquaredError() implements Loss {
        @Override
        public double value(float[] yhat, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                double r = (double) yhat[i] - y[yOff + i];
                sum += r * r;
            }
            return sum / rows;
        }

        @Override
        public double valueDouble(double[] yhat, double[] y, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                double r = yhat[i] - y[i];
                sum += r * r;
            }
            return sum / rows;
        }

        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols) {
            float twoOverN = 2f / rows;
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                float r = yhat[i] - y[yOff + i];
                sum += (double) r * r;
                g[i] = twoOverN * r;
            }
            return sum / rows;
        }

        @Override
        public String name() {
            return "mse";
        }

        @Override
        public String toString() {
            return name();
        }
    }
}

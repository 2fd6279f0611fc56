package dev.gradus.nn;

import java.util.Locale;

/**
 * A loss {@code ℓ(Ŷ, Y)} over a batch of {@code N} rows and {@code k} outputs, and its gradient
 * {@code G = ∂ℓ/∂Ŷ} with respect to the network's output.
 *
 * <p>Every loss here is <b>summed over the {@code k} outputs and averaged over the {@code N}
 * samples</b>, the normalisation of the seed's {@code ℓ2}:
 * <pre>
 * ℓ = (1/N) Σᵢ Σⱼ L(ŷᵢⱼ, yᵢⱼ)
 * </pre>
 * For one output that equals PyTorch's default {@code reduction='mean'}; for {@code k} outputs it
 * is {@code k} times PyTorch's value (except cross-entropy, whose PyTorch form also sums over
 * classes). {@link #MSE} is the seed's loss; the others are additions to the seed.
 *
 * <table>
 *   <caption>The losses and their PyTorch equivalents</caption>
 *   <tr><th>name</th><th>{@code L} per element</th><th>{@code ∂ℓ/∂ŷ} (or {@code ∂ℓ/∂z})</th><th>PyTorch</th></tr>
 *   <tr><td>{@code mse}</td><td>{@code (ŷ − y)²}</td><td>{@code 2(ŷ − y)/N}</td>
 *       <td>{@code ((ŷ−y)**2).sum()/N}</td></tr>
 *   <tr><td>{@code cross-entropy}</td><td>{@code −y ln softmax(z)}</td><td>{@code Δ = (P·Σy − Y)/N}</td>
 *       <td>{@code CrossEntropyLoss()} on logits</td></tr>
 *   <tr><td>{@code bce}</td><td>{@code −y ln σ(z) − (1−y) ln(1−σ(z))}</td><td>{@code Δ = (σ(z) − y)/N}</td>
 *       <td>{@code BCEWithLogitsLoss(reduction='sum')/N}</td></tr>
 *   <tr><td>{@code mae}</td><td>{@code |ŷ − y|}</td><td>{@code sign(ŷ − y)/N}</td>
 *       <td>{@code L1Loss(reduction='sum')/N}</td></tr>
 *   <tr><td>{@code huber}</td><td>{@code ½r²} if {@code |r| ≤ δ}, else {@code δ(|r| − ½δ)}</td>
 *       <td>{@code clamp(r, −δ, δ)/N}</td><td>{@code HuberLoss(reduction='sum', delta=δ)/N}</td></tr>
 * </table>
 *
 * <p><b>Fused output activations.</b> Cross-entropy needs a {@link Activation#SOFTMAX} output
 * and binary cross-entropy a {@link Activation#SIGMOID} output. For those pairs the loss reads
 * the logits {@code Zⁿ} and writes {@code Δⁿ = ∂ℓ/∂Zⁿ} directly ({@link #valueAndBackwardStart}),
 * which is both exact and numerically stable; the backward pass then skips {@code φⁿ'}. The
 * value is computed from the logits as well ({@code log-sum-exp}, {@code softplus}), so it stays
 * finite where the probabilities round to 0 or 1.
 *
 * <pre>{@code
 * Loss loss = Loss.parse("cross-entropy");
 * double l = loss.valueAndBackwardStart(workspace, y, 0);  // after network.forward(...)
 * network.backward(x, 0, workspace, dTheta);
 * }</pre>
 */
public sealed interface Loss
        permits Loss.SquaredError, Loss.CrossEntropy, Loss.BinaryCrossEntropy, Loss.AbsoluteError, Loss.Huber {

    /** The seed's {@code ℓ2}: sum over outputs, mean over samples. */
    Loss MSE = new SquaredError();
    /** Softmax cross-entropy, fused with a softmax output layer. */
    Loss CROSS_ENTROPY = new CrossEntropy();
    /** Binary cross-entropy, fused with a sigmoid output layer. */
    Loss BCE = new BinaryCrossEntropy();
    /** Mean absolute error (summed over outputs). */
    Loss MAE = new AbsoluteError();
    /** Huber with {@code δ = 1}, PyTorch's default. */
    Loss HUBER = new Huber(1.0);

    /**
     * The loss of predictions {@code yhat} (from index 0) against targets {@code y} (from
     * {@code yOff}), both {@code rows × cols} row-major. For the fused losses {@code yhat} holds
     * probabilities (the softmax or sigmoid output).
     */
    double value(float[] yhat, float[] y, int yOff, int rows, int cols);

    /**
     * Writes {@code G = ∂ℓ/∂Ŷ} into {@code g} ({@code rows × cols}, from index 0) and returns
     * {@code ℓ}. For the fused losses this is the unfused form on probabilities, kept for
     * gradient checks; training uses {@link #valueAndBackwardStart}.
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

    /**
     * The output activation this loss is fused with ({@code softmax} for cross-entropy,
     * {@code sigmoid} for BCE), or {@code null} when the loss works on any element-wise output.
     */
    default Activation fusedActivation() {
        return null;
    }

    /**
     * For a fused loss: {@code ℓ} from the logits {@code z} ({@code rows × cols}, from 0), and
     * {@code Δⁿ = ∂ℓ/∂Zⁿ} into {@code delta}.
     *
     * @throws UnsupportedOperationException for a loss that is not fused
     */
    default double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] delta, int rows, int cols) {
        throw new UnsupportedOperationException(name() + " is not fused with an output activation");
    }

    /**
     * Checks that an output layer of {@code outputs} units with activation {@code φⁿ} suits this
     * loss.
     *
     * @throws IllegalArgumentException naming the loss and the activation when they do not fit
     */
    default void checkOutput(Activation outputActivation, int outputs) {
        Activation fused = fusedActivation();
        if (fused == null) {
            if (!outputActivation.elementWise()) {
                throw new IllegalArgumentException("loss " + name() + " cannot train a " + outputActivation
                        + " output layer; softmax is only trained with the cross-entropy loss");
            }
        } else if (!fused.getClass().equals(outputActivation.getClass())) {
            throw new IllegalArgumentException("loss " + name() + " needs a " + fused
                    + " output layer, got " + outputActivation);
        }
    }

    /**
     * {@code ℓ} over the last forward pass held in {@code w} against targets {@code y} (from
     * {@code yOff}, {@code rows × outputs}), and the start of the backward pass: {@code Gⁿ = ∂ℓ/∂Ŷ}
     * into {@link Workspace#g()}, or, when this loss is fused with the output activation,
     * {@code Δⁿ = ∂ℓ/∂Zⁿ} directly (and {@link Network#backward} skips {@code φⁿ'}).
     */
    default double valueAndBackwardStart(Workspace w, float[] y, int yOff) {
        int last = w.z.length - 1;
        if (fusedActivation() != null && w.outputActivation.getClass().equals(fusedActivation().getClass())) {
            w.outputDeltaGiven = true;
            return valueAndOutputDelta(w.z[last], y, yOff, w.delta, w.rows, w.outputs);
        }
        w.outputDeltaGiven = false;
        return valueAndGradient(w.a[last], y, yOff, w.g, w.rows, w.outputs);
    }

    /**
     * {@code ℓ} over the last forward pass held in {@code w}, without a gradient; computed from
     * the logits for a fused loss.
     */
    default double value(Workspace w, float[] y, int yOff) {
        int last = w.z.length - 1;
        if (fusedActivation() != null && w.outputActivation.getClass().equals(fusedActivation().getClass())) {
            return valueFromLogits(w.z[last], y, yOff, w.rows, w.outputs);
        }
        return value(w.a[last], y, yOff, w.rows, w.outputs);
    }

    /** For a fused loss, {@code ℓ} from the logits; otherwise unsupported. */
    default double valueFromLogits(float[] z, float[] y, int yOff, int rows, int cols) {
        throw new UnsupportedOperationException(name() + " is not fused with an output activation");
    }

    /**
     * Parses {@code mse} (also {@code l2}), {@code cross-entropy} (also {@code ce},
     * {@code cross_entropy}), {@code bce}, {@code mae} (also {@code l1}), {@code huber} (δ = 1) or
     * {@code huber(δ)}. Case is ignored.
     *
     * @throws IllegalArgumentException naming the text and the known names
     */
    static Loss parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (s.startsWith("huber(") && s.endsWith(")")) {
            String inner = s.substring("huber(".length(), s.length() - 1).trim();
            if (inner.startsWith("delta=")) {
                inner = inner.substring("delta=".length()).trim();
            }
            try {
                return new Huber(Double.parseDouble(inner));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("loss '" + text + "': delta '" + inner + "' is not a number");
            }
        }
        return switch (s) {
            case "mse", "l2" -> MSE;
            case "cross-entropy", "crossentropy", "ce", "softmax-cross-entropy" -> CROSS_ENTROPY;
            case "bce", "binary-cross-entropy" -> BCE;
            case "mae", "l1" -> MAE;
            case "huber" -> HUBER;
            default -> throw new IllegalArgumentException("unknown loss '" + text
                    + "'; known: mse, cross-entropy, bce, mae, huber, huber(delta)");
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

    /**
     * Softmax cross-entropy (an addition to the seed): {@code ℓ = −(1/N) Σᵢ Σⱼ yᵢⱼ ln pᵢⱼ} with
     * {@code pᵢ = softmax(zᵢ)}, summed over the classes and averaged over the samples, which is
     * PyTorch's {@code CrossEntropyLoss()} for one-hot (or probability) targets.
     *
     * <p>Fused with the softmax output: {@code ln pᵢⱼ = zᵢⱼ − max zᵢ − ln Σₖ e^{zᵢₖ − max zᵢ}} and
     * {@code Δⁿᵢⱼ = (pᵢⱼ Σₖ yᵢₖ − yᵢⱼ)/N}, which is {@code (P − Y)/N} for rows of {@code Y}
     * that sum to 1.
     */
    record CrossEntropy() implements Loss {
        /** {@code −(1/N) Σ y ln p} on probabilities {@code p = ŷ}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                if (y[i] != 0) {
                    sum -= y[i] * Math.log(yhat[i]);
                }
            }
            return sum / rows;
        }

        /** The smallest probability whose logarithm is taken in the unfused form: ln of it ≈ −103.3. */
        private static final float MIN_PROBABILITY = Float.MIN_VALUE;

        @Override
        public Activation fusedActivation() {
            return Activation.SOFTMAX;
        }

        @Override
        public void checkOutput(Activation outputActivation, int outputs) {
            Loss.super.checkOutput(outputActivation, outputs);
            if (outputs < 2) {
                throw new IllegalArgumentException("loss cross-entropy needs at least 2 softmax outputs, got "
                        + outputs + " (a softmax over 1 output is always 1; use bce with a sigmoid output)");
            }
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                float t = y[yOff + i];
                if (t != 0f) {
                    sum -= t * Math.log(Math.max(yhat[i], MIN_PROBABILITY));
                }
            }
            return sum / rows;
        }

        /** The unfused form on probabilities: {@code Gᵢⱼ = −yᵢⱼ / (N pᵢⱼ)}. */
        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols) {
            for (int i = 0; i < rows * cols; i++) {
                g[i] = (float) (-y[yOff + i] / ((double) rows * Math.max(yhat[i], MIN_PROBABILITY)));
            }
            return value(yhat, y, yOff, rows, cols);
        }

        @Override
        public double valueFromLogits(float[] z, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                int row = i * cols;
                double logSumExp = logSumExp(z, row, cols);
                for (int j = 0; j < cols; j++) {
                    float t = y[yOff + row + j];
                    if (t != 0f) {
                        sum -= t * (z[row + j] - logSumExp);
                    }
                }
            }
            return sum / rows;
        }

        @Override
        public double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] delta, int rows, int cols) {
            double sum = 0;
            double invN = 1.0 / rows;
            for (int i = 0; i < rows; i++) {
                int row = i * cols;
                double logSumExp = logSumExp(z, row, cols);
                double targetSum = 0;
                for (int j = 0; j < cols; j++) {
                    float t = y[yOff + row + j];
                    targetSum += t;
                    if (t != 0f) {
                        sum -= t * (z[row + j] - logSumExp);
                    }
                }
                // Δⁿᵢⱼ = (pᵢⱼ Σₖ yᵢₖ − yᵢⱼ) / N                 (rows, cols)
                for (int j = 0; j < cols; j++) {
                    double p = Math.exp(z[row + j] - logSumExp);
                    delta[row + j] = (float) ((p * targetSum - y[yOff + row + j]) * invN);
                }
            }
            return sum / rows;
        }

        /** {@code ln Σⱼ e^{zⱼ}} over one row, as {@code max + ln Σ e^{zⱼ − max}}. */
        private static double logSumExp(float[] z, int off, int cols) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z[off + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp((double) z[off + j] - max);
            }
            return max + Math.log(sum);
        }

        @Override
        public String name() {
            return "cross-entropy";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * Binary cross-entropy (an addition to the seed) on sigmoid outputs {@code p = σ(z)}:
     * {@code ℓ = −(1/N) Σᵢ Σⱼ [yᵢⱼ ln pᵢⱼ + (1 − yᵢⱼ) ln(1 − pᵢⱼ)]}, targets in {@code [0, 1]}.
     * One output is the binary case; several outputs are independent labels.
     *
     * <p>Fused with the sigmoid output, the value is computed from the logits as
     * {@code max(z, 0) − z·y + ln(1 + e^{−|z|})} (PyTorch's {@code BCEWithLogitsLoss}) and
     * {@code Δⁿ = (σ(Zⁿ) − Y)/N}. The unfused form on probabilities clamps each logarithm at
     * −100, as PyTorch's {@code BCELoss} does.
     */
    record BinaryCrossEntropy() implements Loss {
        /** {@code −(1/N) Σ [y ln p + (1 − y) ln(1 − p)]} on probabilities {@code p = ŷ}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                sum -= y[i] * Math.log(yhat[i]) + (1 - y[i]) * Math.log1p(-yhat[i]);
            }
            return sum / rows;
        }

        @Override
        public Activation fusedActivation() {
            return Activation.SIGMOID;
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                double t = y[yOff + i];
                double p = yhat[i];
                sum -= t * Math.max(Math.log(p), -100.0) + (1 - t) * Math.max(Math.log1p(-p), -100.0);
            }
            return sum / rows;
        }

        /** The unfused form on probabilities: {@code Gᵢⱼ = (pᵢⱼ − yᵢⱼ) / (N pᵢⱼ (1 − pᵢⱼ))}. */
        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols) {
            for (int i = 0; i < rows * cols; i++) {
                double p = Math.min(Math.max(yhat[i], 1e-12), 1 - 1e-12);
                g[i] = (float) ((p - y[yOff + i]) / ((double) rows * p * (1 - p)));
            }
            return value(yhat, y, yOff, rows, cols);
        }

        @Override
        public double valueFromLogits(float[] z, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                sum += softplusForm(z[i], y[yOff + i]);
            }
            return sum / rows;
        }

        @Override
        public double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] delta, int rows, int cols) {
            double sum = 0;
            double invN = 1.0 / rows;
            for (int i = 0; i < rows * cols; i++) {
                double t = y[yOff + i];
                sum += softplusForm(z[i], t);
                // Δⁿ = (σ(Zⁿ) − Y) / N
                delta[i] = (float) ((1.0 / (1.0 + Math.exp(-(double) z[i])) - t) * invN);
            }
            return sum / rows;
        }

        /** {@code −y ln σ(z) − (1−y) ln(1−σ(z)) = max(z, 0) − z·y + ln(1 + e^{−|z|})}. */
        private static double softplusForm(double z, double t) {
            return Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
        }

        @Override
        public String name() {
            return "bce";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * Mean absolute error (an addition to the seed): {@code ℓ = (1/N) Σᵢ Σⱼ |ŷᵢⱼ − yᵢⱼ|} with
     * {@code G = sign(Ŷ − Y)/N} and {@code sign(0) = 0}, as PyTorch's {@code L1Loss}.
     */
    record AbsoluteError() implements Loss {
        /** {@code (1/N) Σ |ŷ − y|}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                sum += Math.abs(yhat[i] - y[i]);
            }
            return sum / rows;
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                sum += Math.abs((double) yhat[i] - y[yOff + i]);
            }
            return sum / rows;
        }

        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols) {
            float invN = 1f / rows;
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                float r = yhat[i] - y[yOff + i];
                sum += Math.abs((double) r);
                g[i] = Math.signum(r) * invN;
            }
            return sum / rows;
        }

        @Override
        public String name() {
            return "mae";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    /**
     * Huber loss (an addition to the seed), PyTorch's {@code HuberLoss(delta=δ)} convention:
     * for {@code r = ŷ − y}, {@code L = ½r²} when {@code |r| ≤ δ}, else {@code δ(|r| − ½δ)};
     * {@code ℓ = (1/N) Σᵢ Σⱼ L} and {@code G = clamp(R, −δ, δ)/N}. Note the ½: inside
     * {@code δ} it is half of one sample's squared error, so a quarter of the seed's {@code ℓ2}
     * gradient.
     *
     * @param delta {@code δ > 0}, where the loss turns from quadratic to linear
     */
    record Huber(double delta) implements Loss {
        /** {@code (1/N) Σ h(ŷ − y)} with {@code h(r) = ½r²} for {@code |r| ≤ δ}, else {@code δ(|r| − ½δ)}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                double r = Math.abs(yhat[i] - y[i]);
                sum += r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta);
            }
            return sum / rows;
        }

        public Huber {
            if (!(delta > 0) || !Double.isFinite(delta)) {
                throw new IllegalArgumentException("huber delta must be positive and finite, got " + delta);
            }
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, int rows, int cols) {
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                sum += element((double) yhat[i] - y[yOff + i]);
            }
            return sum / rows;
        }

        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols) {
            float invN = 1f / rows;
            float d = (float) delta;
            double sum = 0;
            for (int i = 0; i < rows * cols; i++) {
                float r = yhat[i] - y[yOff + i];
                sum += element(r);
                g[i] = Math.max(-d, Math.min(d, r)) * invN;
            }
            return sum / rows;
        }

        private double element(double r) {
            double a = Math.abs(r);
            return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
        }

        @Override
        public String name() {
            return delta == 1.0 ? "huber" : "huber(" + delta + ")";
        }

        @Override
        public String toString() {
            return name();
        }
    }
}

package dev.gradus.nn;

import java.util.Arrays;
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
 * <p><b>Row weights.</b> Every method also comes in a weighted form taking one weight
 * {@code wᵢ ≥ 0} per row (an addition to the seed, for sample and class weights):
 * <pre>
 * ℓ = Σᵢ wᵢ Σⱼ L(ŷᵢⱼ, yᵢⱼ) / Σᵢ wᵢ
 * </pre>
 * so an integer weight counts a row that many times. Weights {@code null} mean every
 * {@code wᵢ = 1}, and the weighted form with every {@code wᵢ = 1} computes the same bits as the
 * unweighted one: each term is multiplied by {@code wᵢ} (exact for 1) and divided by
 * {@code W = Σᵢ wᵢ} (which is {@code N}). Rows of weight 0 are ignored; rows that all weigh 0
 * have loss 0 and gradient 0.
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
    default double value(float[] yhat, float[] y, int yOff, int rows, int cols) {
        return value(yhat, y, yOff, null, rows, cols);
    }

    /**
     * The weighted loss {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} with row weights {@code weights} (one per row
     * from index 0, or {@code null} for all 1); otherwise as {@link #value(float[], float[], int, int, int)}.
     */
    double value(float[] yhat, float[] y, int yOff, float[] weights, int rows, int cols);

    /**
     * Writes {@code G = ∂ℓ/∂Ŷ} into {@code g} ({@code rows × cols}, from index 0) and returns
     * {@code ℓ}. For the fused losses this is the unfused form on probabilities, kept for
     * gradient checks; training uses {@link #valueAndBackwardStart}.
     */
    default double valueAndGradient(float[] yhat, float[] y, int yOff, float[] g, int rows, int cols) {
        return valueAndGradient(yhat, y, yOff, null, g, rows, cols);
    }

    /** As {@link #valueAndGradient(float[], float[], int, float[], int, int)} for the weighted loss. */
    double valueAndGradient(float[] yhat, float[] y, int yOff, float[] weights, float[] g, int rows, int cols);

    /**
     * The same loss evaluated in {@code double} precision throughout, on {@code double}
     * predictions {@code yhat} and targets {@code y}, both {@code rows × cols} row-major from
     * index 0. Training never calls it; {@link GradientCheck} does, because a finite difference
     * {@code (ℓ(θ+h) − ℓ(θ−h)) / 2h} with {@code h ≈ 1e-6} only survives if neither {@code ŷ}
     * nor {@code ℓ} is rounded to {@code float} on the way. Every loss implements it from its
     * own formula, so that the check works for any loss.
     */
    default double valueDouble(double[] yhat, double[] y, int rows, int cols) {
        return valueDouble(yhat, y, null, rows, cols);
    }

    /** As {@link #valueDouble(double[], double[], int, int)} for the weighted loss ({@code weights} may be null). */
    double valueDouble(double[] yhat, double[] y, double[] weights, int rows, int cols);

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
     * {@code Δⁿ = ∂ℓ/∂Zⁿ} into {@code delta}, with row weights {@code weights} (or {@code null}).
     *
     * @throws UnsupportedOperationException for a loss that is not fused
     */
    default double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] weights, float[] delta, int rows,
                                       int cols) {
        throw new UnsupportedOperationException(name() + " is not fused with an output activation");
    }

    /** {@link #valueAndOutputDelta(float[], float[], int, float[], float[], int, int)} with every row weighing 1. */
    default double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] delta, int rows, int cols) {
        return valueAndOutputDelta(z, y, yOff, null, delta, rows, cols);
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

    /** Whether {@code loss} is fused with the output activation {@code phi}: it then reads the logits {@code Zⁿ}. */
    static boolean fusedWith(Loss loss, Activation phi) {
        Activation fused = loss.fusedActivation();
        return fused != null && phi.getClass().equals(fused.getClass());
    }

    /**
     * {@code ℓ} over the last forward pass held in {@code w} against targets {@code y} (from
     * {@code yOff}, {@code rows × outputs}), and the start of the backward pass: {@code Gⁿ = ∂ℓ/∂Ŷ}
     * into {@link Workspace#g()}, or, when this loss is fused with the output activation,
     * {@code Δⁿ = ∂ℓ/∂Zⁿ} directly (and {@link Network#backward} skips {@code φⁿ'}).
     */
    default double valueAndBackwardStart(Workspace w, float[] y, int yOff) {
        return valueAndBackwardStart(w, y, yOff, null);
    }

    /**
     * As {@link #valueAndBackwardStart(Workspace, float[], int)} for the weighted loss
     * {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ}: {@code weights} holds one weight per row of the pass from index 0,
     * or is {@code null} for all 1.
     */
    default double valueAndBackwardStart(Workspace w, float[] y, int yOff, float[] weights) {
        int last = w.z.length - 1;
        if (fusedWith(this, w.outputActivation)) {
            w.outputDeltaGiven = true;
            return valueAndOutputDelta(w.z[last], y, yOff, weights, w.delta, w.rows, w.outputs);
        }
        w.outputDeltaGiven = false;
        return valueAndGradient(w.a[last], y, yOff, weights, w.g, w.rows, w.outputs);
    }

    /**
     * {@code ℓ} over the last forward pass held in {@code w}, without a gradient; computed from
     * the logits for a fused loss.
     */
    default double value(Workspace w, float[] y, int yOff) {
        return value(w, y, yOff, null);
    }

    /** As {@link #value(Workspace, float[], int)} with row weights {@code weights} (or {@code null}). */
    default double value(Workspace w, float[] y, int yOff, float[] weights) {
        int last = w.z.length - 1;
        if (fusedWith(this, w.outputActivation)) {
            return valueFromLogits(w.z[last], y, yOff, weights, w.rows, w.outputs);
        }
        return value(w.a[last], y, yOff, weights, w.rows, w.outputs);
    }

    /** For a fused loss, {@code ℓ} from the logits with row weights (or {@code null}); otherwise unsupported. */
    default double valueFromLogits(float[] z, float[] y, int yOff, float[] weights, int rows, int cols) {
        throw new UnsupportedOperationException(name() + " is not fused with an output activation");
    }

    /** For a fused loss, {@code ℓ} from the logits; otherwise unsupported. */
    default double valueFromLogits(float[] z, float[] y, int yOff, int rows, int cols) {
        return valueFromLogits(z, y, yOff, null, rows, cols);
    }

    /**
     * {@code W = Σᵢ wᵢ} over the first {@code rows} weights, added in row order in {@code double}
     * (exact for integer weights); {@code rows} when {@code weights} is {@code null}.
     */
    static double weightSum(float[] weights, int rows) {
        if (weights == null) {
            return rows;
        }
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum += weights[i];
        }
        return sum;
    }

    /** {@code wᵢ}, 1 when there are no weights. */
    private static float weight(float[] weights, int row) {
        return weights == null ? 1f : weights[row];
    }

    /** {@code W = Σᵢ wᵢ} in double for the double-precision forms. */
    private static double weightSum(double[] weights, int rows) {
        if (weights == null) {
            return rows;
        }
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum += weights[i];
        }
        return sum;
    }

    private static double weight(double[] weights, int row) {
        return weights == null ? 1.0 : weights[row];
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
     * The seed's {@code ℓ2 = (1/N) Σ (ŷ − y)ᵀ(ŷ − y)} with gradient {@code G = (2/N)(Ŷ − Y)};
     * weighted, {@code ℓ = Σᵢ wᵢ (ŷᵢ − yᵢ)ᵀ(ŷᵢ − yᵢ) / W} and {@code Gᵢ = (2wᵢ/W)(ŷᵢ − yᵢ)}.
     */
    record SquaredError() implements Loss {
        @Override
        public double value(float[] yhat, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    double d = (double) yhat[i] - y[yOff + i];
                    sum += w * (d * d);
                }
            }
            return sum / total;
        }

        @Override
        public double valueDouble(double[] yhat, double[] y, double[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                double w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    double d = yhat[i] - y[i];
                    sum += w * (d * d);
                }
            }
            return total == 0 ? 0 : sum / total;
        }

        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] weights, float[] g, int rows,
                                       int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(g, 0, rows * cols, 0f);
                return 0;
            }
            float twoOverW = 2f / (float) total;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                float scale = twoOverW * w;     // 2wᵢ/W (2/N for wᵢ = 1)
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    float d = yhat[i] - y[yOff + i];
                    sum += w * ((double) d * d);
                    g[i] = scale * d;
                }
            }
            return sum / total;
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
     * that sum to 1; weighted, {@code 1/N} becomes {@code wᵢ/W}.
     */
    record CrossEntropy() implements Loss {
        /** {@code −Σᵢ wᵢ Σⱼ yᵢⱼ ln pᵢⱼ / W} on probabilities {@code p = ŷ}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, double[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                double w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    if (y[i] != 0) {
                        sum -= w * (y[i] * Math.log(yhat[i]));
                    }
                }
            }
            return total == 0 ? 0 : sum / total;
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
        public double value(float[] yhat, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    float t = y[yOff + i];
                    if (t != 0f) {
                        sum -= w * (t * Math.log(Math.max(yhat[i], MIN_PROBABILITY)));
                    }
                }
            }
            return sum / total;
        }

        /** The unfused form on probabilities: {@code Gᵢⱼ = −wᵢ yᵢⱼ / (W pᵢⱼ)}. */
        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] weights, float[] g, int rows,
                                       int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(g, 0, rows * cols, 0f);
                return 0;
            }
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    g[i] = (float) (-y[yOff + i] * (double) w / (total * Math.max(yhat[i], MIN_PROBABILITY)));
                }
            }
            return value(yhat, y, yOff, weights, rows, cols);
        }

        @Override
        public double valueFromLogits(float[] z, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                int row = i * cols;
                float w = weight(weights, i);
                double logSumExp = logSumExp(z, row, cols);
                for (int j = 0; j < cols; j++) {
                    float t = y[yOff + row + j];
                    if (t != 0f) {
                        sum -= w * (t * (z[row + j] - logSumExp));
                    }
                }
            }
            return sum / total;
        }

        @Override
        public double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] weights, float[] delta, int rows,
                                          int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(delta, 0, rows * cols, 0f);
                return 0;
            }
            double sum = 0;
            double invW = 1.0 / total;
            for (int i = 0; i < rows; i++) {
                int row = i * cols;
                float w = weight(weights, i);
                double scale = w * invW;        // wᵢ/W (1/N for wᵢ = 1)
                // pᵢⱼ = e^{zᵢⱼ − max} / Σₖ e^{zᵢₖ − max},  ln Σₖ e^{zᵢₖ} = max + ln Σₖ e^{zᵢₖ − max}
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, z[row + j]);
                }
                double e0 = 0;
                double e1 = 0;
                double norm;
                if (cols == 2) {
                    // two classes (the default for a binary label): each e^{z − max} once, kept;
                    // the larger logit's is e⁰ = 1 exactly, so one exp per row
                    e0 = z[row] == max ? 1.0 : Math.exp((double) z[row] - max);
                    e1 = z[row + 1] == max ? 1.0 : Math.exp((double) z[row + 1] - max);
                    norm = 0 + e0 + e1;
                } else {
                    norm = 0;
                    for (int j = 0; j < cols; j++) {
                        norm += Math.exp((double) z[row + j] - max);
                    }
                }
                double logSumExp = max + Math.log(norm);
                double targetSum = 0;
                for (int j = 0; j < cols; j++) {
                    float t = y[yOff + row + j];
                    targetSum += t;
                    if (t != 0f) {
                        sum -= w * (t * (z[row + j] - logSumExp));
                    }
                }
                // Δⁿᵢⱼ = (pᵢⱼ Σₖ yᵢₖ − yᵢⱼ) wᵢ/W                 (rows, cols)
                for (int j = 0; j < cols; j++) {
                    double e = cols == 2 ? (j == 0 ? e0 : e1) : Math.exp((double) z[row + j] - max);
                    double p = e / norm;
                    delta[row + j] = (float) ((p * targetSum - y[yOff + row + j]) * scale);
                }
            }
            return sum / total;
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
     * {@code Δⁿ = (σ(Zⁿ) − Y)/N} ({@code wᵢ/W} in place of {@code 1/N} when weighted). The
     * unfused form on probabilities clamps each logarithm at −100, as PyTorch's {@code BCELoss}
     * does.
     */
    record BinaryCrossEntropy() implements Loss {
        /** {@code −Σᵢ wᵢ Σⱼ [y ln p + (1 − y) ln(1 − p)] / W} on probabilities {@code p = ŷ}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, double[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                double w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    sum -= w * (y[i] * Math.log(yhat[i]) + (1 - y[i]) * Math.log1p(-yhat[i]));
                }
            }
            return total == 0 ? 0 : sum / total;
        }

        @Override
        public Activation fusedActivation() {
            return Activation.SIGMOID;
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    double t = y[yOff + i];
                    double p = yhat[i];
                    sum -= w * (t * Math.max(Math.log(p), -100.0) + (1 - t) * Math.max(Math.log1p(-p), -100.0));
                }
            }
            return sum / total;
        }

        /** The unfused form on probabilities: {@code Gᵢⱼ = wᵢ (pᵢⱼ − yᵢⱼ) / (W pᵢⱼ (1 − pᵢⱼ))}. */
        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] weights, float[] g, int rows,
                                       int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(g, 0, rows * cols, 0f);
                return 0;
            }
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    double p = Math.min(Math.max(yhat[i], 1e-12), 1 - 1e-12);
                    g[i] = (float) ((p - y[yOff + i]) * w / (total * p * (1 - p)));
                }
            }
            return value(yhat, y, yOff, weights, rows, cols);
        }

        @Override
        public double valueFromLogits(float[] z, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    sum += w * softplusForm(z[i], y[yOff + i]);
                }
            }
            return sum / total;
        }

        @Override
        public double valueAndOutputDelta(float[] z, float[] y, int yOff, float[] weights, float[] delta, int rows,
                                          int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(delta, 0, rows * cols, 0f);
                return 0;
            }
            double sum = 0;
            double invW = 1.0 / total;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                double scale = w * invW;        // wᵢ/W (1/N for wᵢ = 1)
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    double t = y[yOff + i];
                    sum += w * softplusForm(z[i], t);
                    // Δⁿ = (σ(Zⁿ) − Y) wᵢ/W
                    delta[i] = (float) ((1.0 / (1.0 + Math.exp(-(double) z[i])) - t) * scale);
                }
            }
            return sum / total;
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
     * {@code G = sign(Ŷ − Y)/N} and {@code sign(0) = 0}, as PyTorch's {@code L1Loss}; weighted,
     * {@code Gᵢ = sign(ŷᵢ − yᵢ) wᵢ/W}.
     */
    record AbsoluteError() implements Loss {
        /** {@code Σᵢ wᵢ Σⱼ |ŷ − y| / W}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, double[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                double w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    sum += w * Math.abs(yhat[i] - y[i]);
                }
            }
            return total == 0 ? 0 : sum / total;
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    sum += w * Math.abs((double) yhat[i] - y[yOff + i]);
                }
            }
            return sum / total;
        }

        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] weights, float[] g, int rows,
                                       int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(g, 0, rows * cols, 0f);
                return 0;
            }
            float invW = 1f / (float) total;
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                float scale = invW * w;         // wᵢ/W (1/N for wᵢ = 1)
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    float d = yhat[i] - y[yOff + i];
                    sum += w * Math.abs((double) d);
                    g[i] = Math.signum(d) * scale;
                }
            }
            return sum / total;
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
     * {@code ℓ = (1/N) Σᵢ Σⱼ L} and {@code G = clamp(R, −δ, δ)/N} ({@code wᵢ/W} in place of
     * {@code 1/N} when weighted). Note the ½: inside {@code δ} it is half of one sample's squared
     * error, so a quarter of the seed's {@code ℓ2} gradient.
     *
     * @param delta {@code δ > 0}, where the loss turns from quadratic to linear
     */
    record Huber(double delta) implements Loss {
        /** {@code Σᵢ wᵢ Σⱼ h(ŷ − y) / W} with {@code h(r) = ½r²} for {@code |r| ≤ δ}, else {@code δ(|r| − ½δ)}, in double. */
        @Override
        public double valueDouble(double[] yhat, double[] y, double[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            double sum = 0;
            for (int row = 0; row < rows; row++) {
                double w = weight(weights, row);
                for (int i = row * cols; i < (row + 1) * cols; i++) {
                    double r = Math.abs(yhat[i] - y[i]);
                    sum += w * (r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta));
                }
            }
            return total == 0 ? 0 : sum / total;
        }

        public Huber {
            if (!(delta > 0) || !Double.isFinite(delta)) {
                throw new IllegalArgumentException("huber delta must be positive and finite, got " + delta);
            }
        }

        @Override
        public double value(float[] yhat, float[] y, int yOff, float[] weights, int rows, int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                return 0;
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                float w = weight(weights, r);
                for (int i = r * cols; i < (r + 1) * cols; i++) {
                    sum += w * element((double) yhat[i] - y[yOff + i]);
                }
            }
            return sum / total;
        }

        @Override
        public double valueAndGradient(float[] yhat, float[] y, int yOff, float[] weights, float[] g, int rows,
                                       int cols) {
            double total = Loss.weightSum(weights, rows);
            if (total == 0) {
                Arrays.fill(g, 0, rows * cols, 0f);
                return 0;
            }
            float invW = 1f / (float) total;
            float d = (float) delta;
            double sum = 0;
            for (int row = 0; row < rows; row++) {
                float w = weight(weights, row);
                float scale = invW * w;         // wᵢ/W (1/N for wᵢ = 1)
                for (int i = row * cols; i < (row + 1) * cols; i++) {
                    float r = yhat[i] - y[yOff + i];
                    sum += w * element(r);
                    g[i] = Math.max(-d, Math.min(d, r)) * scale;
                }
            }
            return sum / total;
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

package dev.gradus.train;

import dev.gradus.kernel.Kernels;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.nn.Workspace;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A check of what silently ruins MLP training, on a network (before or after training) and a
 * sample of its data: unscaled inputs, dead ReLU units, saturated sigmoid/tanh units,
 * exploding or vanishing gradient norms per layer, and a network that predicts one constant or
 * one class. Each finding is one line of {@link #warnings()}.
 *
 * <p>Thresholds (chosen once, here):
 * <ul>
 *   <li>an input column is <em>unscaled</em> when its mean is beyond ±{@value #SCALE_LIMIT} or its
 *       standard deviation above {@value #SCALE_LIMIT} or below {@value #TINY_SPREAD} (while not
 *       constant);</li>
 *   <li>a ReLU-family unit is <em>dead</em> when {@code z ≤ 0} on every checked row;</li>
 *   <li>a sigmoid/tanh unit is <em>saturated</em> when {@code φ'(z)} is below
 *       {@value #SATURATED_DERIVATIVE} of its peak on at least {@value #SATURATED_SHARE} of the rows;</li>
 *   <li>a layer's gradient is <em>exploding</em> when {@code ‖∂ℓ/∂Wᵐ‖ > }{@value #EXPLODING_NORM}
 *       and <em>vanishing</em> when it is below {@value #VANISHING_RATIO} of the largest layer's
 *       (or all are below {@value #VANISHING_NORM});</li>
 *   <li>predictions are <em>constant</em> when every output's spread over the rows is below
 *       {@code 1e-6·(1 + |mean|)}, and <em>one class</em> when every row's arg-max (or, for one
 *       sigmoid output, its side of 0.5) is the same while the targets hold several classes.</li>
 * </ul>
 *
 * <pre>{@code
 * HealthReport report = HealthReport.check(network, x, y, Loss.CROSS_ENTROPY);
 * report.warnings().forEach(System.err::println);
 * }</pre>
 *
 * @param layers one entry per layer {@code m = 0..n}
 * @param warnings human-readable findings, empty when nothing looks wrong
 */
public record HealthReport(List<LayerHealth> layers, List<String> warnings) {
    static final double SCALE_LIMIT = 10;
    static final double TINY_SPREAD = 1e-3;
    static final double SATURATED_DERIVATIVE = 0.01;
    static final double SATURATED_SHARE = 0.9;
    static final double EXPLODING_NORM = 1e3;
    static final double VANISHING_RATIO = 1e-4;
    static final double VANISHING_NORM = 1e-8;
    /** Rows checked at most (the first ones): enough for statistics, cheap on large sets. */
    public static final int MAX_ROWS = 2048;

    /**
     * What one layer looked like on the checked rows.
     *
     * @param layer {@code m}
     * @param activation {@code φᵐ}
     * @param units the layer's outputs
     * @param deadUnits ReLU-family units never active (0 for other activations)
     * @param saturatedUnits sigmoid/tanh units saturated on most rows (0 for others)
     * @param gradientNorm {@code ‖∂ℓ/∂Wᵐ‖} over the checked rows
     * @param weightNorm {@code ‖Wᵐ‖}
     */
    public record LayerHealth(int layer, Activation activation, int units, int deadUnits, int saturatedUnits,
                              double gradientNorm, double weightNorm) {}

    public HealthReport {
        layers = List.copyOf(layers);
        warnings = List.copyOf(warnings);
    }

    /** True when there is nothing to warn about. */
    public boolean healthy() {
        return warnings.isEmpty();
    }

    /**
     * Checks {@code network} on the first {@value #MAX_ROWS} rows of {@code x} and {@code y}
     * with {@code loss} (for the gradient norms).
     *
     * @throws IllegalArgumentException when the shapes do not fit the network
     */
    public static HealthReport check(Network network, Matrix x, Matrix y, Loss loss) {
        if (x.cols() != network.inputs() || y.cols() != network.outputs() || x.rows() != y.rows() || x.rows() == 0) {
            throw new IllegalArgumentException("health check: the network maps " + network.inputs() + " -> "
                    + network.outputs() + " columns, got x " + x.rows() + "x" + x.cols() + " and y " + y.rows()
                    + "x" + y.cols());
        }
        int rows = Math.min(x.rows(), MAX_ROWS);
        int in = network.inputs();
        int k = network.outputs();
        float[] xs = new float[rows * in];
        float[] ys = new float[rows * k];
        System.arraycopy(x.data(), x.offset(), xs, 0, rows * in);
        System.arraycopy(y.data(), y.offset(), ys, 0, rows * k);
        List<String> warnings = new ArrayList<>();
        checkInputs(xs, rows, in, warnings);

        Workspace w = network.workspace(rows, Kernels.singleThreaded());
        network.forward(xs, 0, rows, w);
        double lossValue = loss.valueAndBackwardStart(w, ys, 0);
        float[] dTheta = new float[network.parameters().size()];
        if (Double.isFinite(lossValue)) {
            network.backward(xs, 0, w, dTheta);
        } else {
            warnings.add("the loss is " + lossValue + " on these rows: check for NaN inputs or exploding weights");
        }

        Parameters p = network.parameters();
        List<LayerHealth> layers = new ArrayList<>();
        double largest = 0;
        int n = network.layerCount() - 1;
        for (int m = 0; m <= n; m++) {
            Activation phi = network.layer(m).activation();
            int out = network.layer(m).outputs();
            float[] z = w.z(m);
            int dead = 0;
            int saturated = 0;
            for (int j = 0; j < out; j++) {
                if (m < n && isReluFamily(phi)) {
                    boolean active = false;
                    for (int i = 0; i < rows && !active; i++) {
                        active = z[i * out + j] > 0f;
                    }
                    dead += active ? 0 : 1;
                }
                if (phi instanceof Activation.Sigmoid || phi instanceof Activation.Tanh) {
                    float peak = phi.derivative(0f);
                    int flat = 0;
                    for (int i = 0; i < rows; i++) {
                        flat += phi.derivative(z[i * out + j]) < SATURATED_DERIVATIVE * peak ? 1 : 0;
                    }
                    saturated += flat >= SATURATED_SHARE * rows ? 1 : 0;
                }
            }
            double gradientNorm = norm(dTheta, p.weightView(m).offset(), p.weightView(m).size());
            double weightNorm = norm(p.values(), p.weightView(m).offset(), p.weightView(m).size());
            largest = Math.max(largest, gradientNorm);
            layers.add(new LayerHealth(m, phi, out, dead, saturated, gradientNorm, weightNorm));
            if (dead > 0) {
                warnings.add(String.format(Locale.ROOT, "layer %d: %d of %d %s units are dead (never active on %d"
                        + " rows); try a smaller learning rate, leaky_relu, or He initialisation", m, dead, out, phi, rows));
            }
            if (saturated > 0) {
                warnings.add(String.format(Locale.ROOT, "layer %d: %d of %d %s units are saturated on %.0f%%+ of"
                        + " rows (φ' near 0); scale the inputs or use smaller initial weights", m, saturated, out, phi,
                        100 * SATURATED_SHARE));
            }
        }
        if (Double.isFinite(lossValue)) {
            for (LayerHealth h : layers) {
                if (h.gradientNorm() > EXPLODING_NORM) {
                    warnings.add(String.format(Locale.ROOT, "layer %d: exploding gradient, ‖∂ℓ/∂W‖ = %.3g; lower the"
                            + " learning rate, scale the inputs or clip the gradient norm", h.layer(), h.gradientNorm()));
                } else if (largest < VANISHING_NORM || h.gradientNorm() < VANISHING_RATIO * largest) {
                    warnings.add(String.format(Locale.ROOT, "layer %d: vanishing gradient, ‖∂ℓ/∂W‖ = %.3g (largest"
                            + " layer %.3g); saturated or dead units upstream, or too deep a network", h.layer(),
                            h.gradientNorm(), largest));
                }
            }
        }
        checkPredictions(w.output(), ys, rows, k, warnings);
        return new HealthReport(layers, warnings);
    }

    private static boolean isReluFamily(Activation phi) {
        return phi instanceof Activation.Relu;   // leaky ReLU and ELU keep a gradient for z ≤ 0
    }

    private static void checkInputs(float[] x, int rows, int in, List<String> warnings) {
        List<String> bad = new ArrayList<>();
        for (int j = 0; j < in; j++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                mean += x[i * in + j];
            }
            mean /= rows;
            double var = 0;
            for (int i = 0; i < rows; i++) {
                double d = x[i * in + j] - mean;
                var += d * d;
            }
            double sd = Math.sqrt(var / rows);
            if (Math.abs(mean) > SCALE_LIMIT || sd > SCALE_LIMIT || (sd > 0 && sd < TINY_SPREAD)) {
                bad.add(String.format(Locale.ROOT, "%d (mean %.3g, sd %.3g)", j, mean, sd));
            }
        }
        if (!bad.isEmpty()) {
            warnings.add("unscaled inputs: column" + (bad.size() > 1 ? "s " : " ")
                    + String.join(", ", bad.subList(0, Math.min(5, bad.size())))
                    + (bad.size() > 5 ? " and " + (bad.size() - 5) + " more" : "")
                    + "; standardise the features (--scale standard)");
        }
    }

    private static void checkPredictions(float[] yhat, float[] y, int rows, int k, List<String> warnings) {
        if (rows < 2) {
            return;
        }
        boolean constant = true;
        for (int j = 0; j < k && constant; j++) {
            double mean = 0;
            for (int i = 0; i < rows; i++) {
                mean += yhat[i * k + j];
            }
            mean /= rows;
            double spread = 0;
            for (int i = 0; i < rows; i++) {
                spread = Math.max(spread, Math.abs(yhat[i * k + j] - mean));
            }
            constant = spread < 1e-6 * (1 + Math.abs(mean));
        }
        if (constant) {
            warnings.add("the network predicts the same output for all " + rows + " rows");
            return;
        }
        int firstPredicted = classOf(yhat, 0, k);
        boolean oneClass = true;
        boolean targetsVary = false;
        int firstTarget = classOf(y, 0, k);
        for (int i = 1; i < rows; i++) {
            oneClass &= classOf(yhat, i * k, k) == firstPredicted;
            targetsVary |= classOf(y, i * k, k) != firstTarget;
        }
        boolean looksLikeClasses = k > 1 ? isOneHot(y, rows, k) : isBinary(y, rows);
        if (looksLikeClasses && oneClass && targetsVary) {
            warnings.add("the network predicts class " + firstPredicted + " for all " + rows
                    + " rows although the targets hold several classes");
        }
    }

    private static int classOf(float[] v, int off, int k) {
        return k == 1 ? (v[off] >= 0.5f ? 1 : 0) : ValidationMetric.argMax(v, off, k);
    }

    private static boolean isOneHot(float[] y, int rows, int k) {
        for (int i = 0; i < rows; i++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                float v = y[i * k + j];
                if (v != 0f && v != 1f) {
                    return false;
                }
                sum += v;
            }
            if (sum != 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBinary(float[] y, int rows) {
        for (int i = 0; i < rows; i++) {
            if (y[i] != 0f && y[i] != 1f) {
                return false;
            }
        }
        return true;
    }

    private static double norm(float[] a, int off, int length) {
        double sum = 0;
        for (int i = 0; i < length; i++) {
            sum += (double) a[off + i] * a[off + i];
        }
        return Math.sqrt(sum);
    }

    /** The warnings, one per line, or a line saying that all looks healthy. */
    @Override
    public String toString() {
        return warnings.isEmpty() ? "training health: no warnings" : "training health:\n  " + String.join("\n  ", warnings);
    }
}

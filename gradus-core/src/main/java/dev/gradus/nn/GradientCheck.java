package dev.gradus.nn;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks a network's backward pass against central finite differences of its loss, computed in
 * {@code double}.
 *
 * <p>For every parameter {@code θᵢ} (every {@code Wᵐᵢⱼ} and {@code bᵐᵢ}) the check compares
 * <ul>
 *   <li>the <em>analytic</em> gradient {@code ∂ℓ/∂θᵢ}: what training uses, the network's own
 *       float32 {@link Network#forward forward} pass, {@link Loss#valueAndBackwardStart} (as in training) and
 *       {@link Network#backward backward} pass; with</li>
 *   <li>the <em>numeric</em> gradient {@code (ℓ(θ + h eᵢ) − ℓ(θ − h eᵢ)) / 2h}: the central
 *       difference of the loss, where {@code ℓ} is evaluated by a separate forward pass in
 *       {@code double} from the network's parameters converted to {@code double}, with
 *       {@code θᵢ ± h} formed in {@code double}, each layer's
 *       {@link Activation#applyAllDouble} and the loss's {@link Loss#valueDouble}.</li>
 * </ul>
 * Nothing on the numeric side is rounded to {@code float}: with {@code h = 1e-6} the two losses
 * agree in their first five or six significant digits, so in float32 (about seven digits) their
 * difference would keep one or two digits at best. The denominator is the step actually taken, {@code (θᵢ + h) − (θᵢ − h)} in
 * {@code double}.
 *
 * <p><b>Step.</b> The default {@link #DEFAULT_STEP h = 1e-6} keeps both errors of the central
 * difference far below float32 round-off: the truncation error is {@code h²·ℓ'''/6 ≈ 2e-13}
 * and the rounding error about {@code 1e-16·|ℓ| / h ≈ 1e-10·|ℓ|} (the optimum, near
 * {@code ∛1e-16 ≈ 5e-6} for a loss of order one, is flat). It is on the small side of that
 * optimum to lower the chance that {@code θᵢ ± h} moves a pre-activation across a kink of
 * ReLU, leaky ReLU or ELU, where the central difference averages the two one-sided slopes and
 * disagrees with the backward pass by design.
 *
 * <p><b>Reading the errors.</b> For each parameter the absolute error is {@code |a − n|} and
 * the relative error is {@code |a − n| / max(|a|, |n|, f·s)}, where {@code s} is the largest
 * {@code |a|} or {@code |n|} over all parameters (the gradient's scale) and
 * {@code f =} {@value #RELATIVE_FLOOR}. The floor is there because the analytic side runs in
 * float32: its round-off is absolute, a few times {@code u·s} with {@code u = 2⁻²⁴ ≈ 6e-8},
 * whatever the size of a component, so a component a thousand times smaller than the largest
 * (a dead ReLU unit, a saturated sigmoid) would otherwise show a relative error of order
 * {@code 1e-4} that means nothing. With the floor, a correct network shows relative errors of
 * about {@code 1e-8} to {@code 1e-5}, the float32 round-off of its backward pass (on the 120
 * small networks of Gradus's own tests, every activation and depths 1 to 4, the largest is
 * {@code 9e-6}), and
 * {@link #DEFAULT_TOLERANCE} {@code = 1e-3} fails a component that is wrong by more than 0.1%
 * of itself, or by more than {@code 1e-5} of the gradient's scale. A wrong derivative, a
 * missing factor or a swapped index shows up as an error of order {@code 1e-2} to {@code 1} at
 * the parameters it touches, and the report names them.
 *
 * <p><b>Cost.</b> {@code 2·P} forward passes over all {@code N} rows for {@code P} parameters:
 * meant for small networks and a few rows, as a test, not during training.
 *
 * <pre>{@code
 * Network net = Network.input(3).dense(4, Activation.TANH).dense(2, Activation.IDENTITY).build(1);
 * GradientCheck.Report report = GradientCheck.check(net, Loss.MSE, x, y);   // x: N×3, y: N×2
 * if (!report.passed()) {
 *     System.out.println(report);   // names the worst parameter, e.g. layers.1.weight[3]
 * }
 * }</pre>
 */
public final class GradientCheck {

    /** The default step {@code h} of the central difference (see the class comment). */
    public static final double DEFAULT_STEP = 1e-6;

    /**
     * The tolerance on {@link Report#maxRelativeError()} that a correct network passes with a
     * float32 backward pass (see "Reading the errors" above).
     */
    public static final double DEFAULT_TOLERANCE = 1e-3;

    /** The floor of the relative error's denominator, as a fraction of the gradient's scale. */
    public static final double RELATIVE_FLOOR = 1e-2;

    private GradientCheck() {}

    /**
     * One parameter's comparison.
     *
     * @param view the parameter view's name, {@code layers.{m}.weight} or {@code layers.{m}.bias}
     * @param index the index inside the view ({@code i·inputs + j} for {@code Wᵐᵢⱼ}, {@code i}
     *     for {@code bᵐᵢ})
     * @param flatIndex the index in the flat {@link Parameters#values()} array
     * @param analytic {@code ∂ℓ/∂θ} from the network's float32 backward pass
     * @param numeric the central difference in {@code double}
     * @param absoluteError {@code |analytic − numeric|}
     * @param relativeError {@code |analytic − numeric| / max(|analytic|, |numeric|, floor)}
     */
    public record Entry(String view, int index, int flatIndex, double analytic, double numeric,
                        double absoluteError, double relativeError) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s[%d]: analytic %.9g, numeric %.9g, abs %.3g, rel %.3g",
                    view, index, analytic, numeric, absoluteError, relativeError);
        }
    }

    /**
     * The largest errors within one parameter view.
     *
     * @param name {@code layers.{m}.weight} or {@code layers.{m}.bias}
     * @param maxAbsoluteError the largest absolute error in the view
     * @param maxRelativeError the largest relative error in the view
     * @param worst the entry with the largest relative error (the first one on ties)
     */
    public record ViewReport(String name, double maxAbsoluteError, double maxRelativeError, Entry worst) {}

    /**
     * The outcome of a check: immutable, printable.
     *
     * @param step the step {@code h}
     * @param loss {@code ℓ(θ)} evaluated in {@code double}
     * @param scale the gradient's scale {@code s}: the largest {@code |analytic|} or
     *     {@code |numeric|} over all parameters
     * @param views one report per parameter view, in storage order ({@code W⁰, b⁰, W¹, …})
     * @param worst the entry with the largest relative error over all parameters
     */
    public record Report(double step, double loss, double scale, List<ViewReport> views, Entry worst) {
        public Report {
            views = List.copyOf(views);
            Objects.requireNonNull(worst, "worst");
        }

        /** The largest absolute error over all parameters. */
        public double maxAbsoluteError() {
            double max = 0;
            for (ViewReport v : views) {
                max = Math.max(max, v.maxAbsoluteError());
            }
            return max;
        }

        /** The largest relative error over all parameters. */
        public double maxRelativeError() {
            return worst.relativeError();
        }

        /** The report of the view called {@code name}, such as {@code layers.1.weight}. */
        public ViewReport view(String name) {
            for (ViewReport v : views) {
                if (v.name().equals(name)) {
                    return v;
                }
            }
            List<String> names = new ArrayList<>();
            views.forEach(v -> names.add(v.name()));
            throw new IllegalArgumentException("no parameter view '" + name + "'; views are " + names);
        }

        /** {@link #passed(double)} with {@link GradientCheck#DEFAULT_TOLERANCE}. */
        public boolean passed() {
            return passed(DEFAULT_TOLERANCE);
        }

        /** True when every relative error is at most {@code tolerance}. */
        public boolean passed(double tolerance) {
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be 0 or more, got " + tolerance);
            }
            return worst.relativeError() <= tolerance;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "gradient check (h = %.1e, loss %.9g, scale %.3g): max abs %.3g, max rel %.3g at %s",
                    step, loss, scale, maxAbsoluteError(), maxRelativeError(), worst));
            for (ViewReport v : views) {
                s.append(String.format(Locale.ROOT, "%n  %-16s max abs %.3g, max rel %.3g", v.name(),
                        v.maxAbsoluteError(), v.maxRelativeError()));
            }
            return s.toString();
        }
    }

    /** {@link #check(Network, Loss, Matrix, Matrix, double)} with {@link #DEFAULT_STEP}. */
    public static Report check(Network network, Loss loss, Matrix x, Matrix y) {
        return check(network, loss, x, y, DEFAULT_STEP);
    }

    /**
     * Compares the network's backward pass on the batch {@code (x, y)} with central differences
     * of step {@code h}. The network is not changed.
     *
     * @param x features, {@code N × inputs}, {@code N ≥ 1}
     * @param y targets, {@code N × outputs}
     * @param h the step, positive and finite
     * @throws IllegalArgumentException if the shapes do not fit the network or {@code h} is
     *     not positive and finite
     */
    public static Report check(Network network, Loss loss, Matrix x, Matrix y, double h) {
        return check(network, loss, x, y, null, h);
    }

    /**
     * As {@link #check(Network, Loss, Matrix, Matrix, double)} for the weighted loss
     * {@code Σᵢ wᵢ Lᵢ / Σᵢ wᵢ} with one weight per row of {@code x} ({@code null}: unweighted);
     * the numeric side evaluates it in {@code double} by {@link Loss#valueDouble(double[], double[], double[], int, int)}.
     */
    public static Report check(Network network, Loss loss, Matrix x, Matrix y, float[] weights, double h) {
        checkArguments(network, loss, x, y, h);
        int rows = x.rows();
        if (weights != null && weights.length != rows) {
            throw new IllegalArgumentException("x has " + rows + " rows but there are " + weights.length + " weights");
        }
        Workspace w = network.workspace(rows, Kernels.singleThreaded());
        float[] analytic = new float[network.parameters().size()];
        network.forward(x.data(), x.offset(), rows, w);
        loss.valueAndBackwardStart(w, y.data(), y.offset(), weights);
        network.backward(x.data(), x.offset(), w, analytic);
        return compare(network, loss, x, y, weights, analytic, h);
    }

    /**
     * Compares a given analytic gradient {@code analytic} (laid out as the parameters) with the
     * central differences. Package-private so that tests can show that a wrong gradient fails.
     */
    static Report compare(Network network, Loss loss, Matrix x, Matrix y, float[] analytic, double h) {
        return compare(network, loss, x, y, null, analytic, h);
    }

    /** As {@link #compare} for the weighted loss with row weights {@code weights}. */
    static Report compareWeighted(Network network, Loss loss, Matrix x, Matrix y, float[] weights, float[] analytic) {
        return compare(network, loss, x, y, weights, analytic, DEFAULT_STEP);
    }

    private static Report compare(Network network, Loss loss, Matrix x, Matrix y, float[] weights, float[] analytic,
                                  double h) {
        checkArguments(network, loss, x, y, h);
        Parameters parameters = network.parameters();
        if (analytic.length != parameters.size()) {
            throw new IllegalArgumentException("analytic gradient holds " + analytic.length
                    + " values, the network has " + parameters.size() + " parameters");
        }
        DoubleForward forward = new DoubleForward(network, x, y, weights, loss);
        double[] theta = new double[parameters.size()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = parameters.values()[i];
        }
        double lossAtTheta = forward.loss(theta);

        // nᵢ = (ℓ(θ + h eᵢ) − ℓ(θ − h eᵢ)) / ((θᵢ + h) − (θᵢ − h)), all in double.
        double[] numeric = new double[theta.length];
        double scale = 0;
        for (int i = 0; i < theta.length; i++) {
            double original = theta[i];
            double plus = original + h;
            double minus = original - h;
            theta[i] = plus;
            double lossPlus = forward.loss(theta);
            theta[i] = minus;
            double lossMinus = forward.loss(theta);
            theta[i] = original;
            numeric[i] = (lossPlus - lossMinus) / (plus - minus);
            scale = Math.max(scale, Math.max(Math.abs(numeric[i]), Math.abs(analytic[i])));
        }

        double floor = RELATIVE_FLOOR * scale;
        List<ViewReport> views = new ArrayList<>();
        Entry worst = null;
        for (Parameters.View view : parameters.views()) {
            double maxAbs = 0;
            Entry viewWorst = null;
            for (int k = 0; k < view.size(); k++) {
                int flat = view.offset() + k;
                double a = analytic[flat];
                double n = numeric[flat];
                double abs = Math.abs(a - n);
                double denominator = Math.max(Math.max(Math.abs(a), Math.abs(n)), floor);
                // Both sides exactly zero everywhere: no error. NaN stays NaN and fails.
                double rel = denominator == 0 ? abs : abs / denominator;
                Entry e = new Entry(view.name(), k, flat, a, n, abs, rel);
                maxAbs = Math.max(maxAbs, abs);
                if (viewWorst == null || worse(e, viewWorst)) {
                    viewWorst = e;
                }
            }
            views.add(new ViewReport(view.name(), maxAbs, viewWorst.relativeError(), viewWorst));
            if (worst == null || worse(viewWorst, worst)) {
                worst = viewWorst;
            }
        }
        return new Report(h, lossAtTheta, scale, views, worst);
    }

    /** True when {@code e} has a larger relative error than {@code than}; NaN counts as largest. */
    private static boolean worse(Entry e, Entry than) {
        double r = e.relativeError();
        return Double.isNaN(r) ? !Double.isNaN(than.relativeError()) : r > than.relativeError();
    }

    private static void checkArguments(Network network, Loss loss, Matrix x, Matrix y, double h) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(loss, "loss");
        if (x.cols() != network.inputs()) {
            throw new IllegalArgumentException("the network reads " + network.inputs() + " features but x has "
                    + x.cols() + " columns");
        }
        if (y.cols() != network.outputs()) {
            throw new IllegalArgumentException("the network writes " + network.outputs() + " outputs but y has "
                    + y.cols() + " columns");
        }
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException("x has " + x.rows() + " rows but y has " + y.rows());
        }
        if (x.rows() < 1) {
            throw new IllegalArgumentException("a gradient check needs at least one row, x has 0");
        }
        if (!(h > 0) || !Double.isFinite(h)) {
            throw new IllegalArgumentException("step h must be positive and finite, got " + h);
        }
    }

    /**
     * {@code ℓ(θ)} in double: {@code Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ}, {@code Aᵐ = φᵐ(Zᵐ)}, {@code A⁻¹ = X},
     * then the loss of {@code Aⁿ} against {@code Y}, for any {@code θ} in the network's layout.
     */
    private static final class DoubleForward {
        private final List<Dense> layers;
        private final Parameters layout;
        private final Loss loss;
        private final int rows;
        private final double[] x;   // (rows, inputs)
        private final double[] y;   // (rows, outputs)
        private final double[] w;   // (rows), or null: unweighted
        private final double[][] z; // z[m]: (rows, outputs of m)
        private final double[][] a; // a[m]: (rows, outputs of m)

        DoubleForward(Network network, Matrix xs, Matrix ys, float[] weights, Loss loss) {
            this.layers = network.layers();
            this.layout = network.parameters();
            this.loss = loss;
            this.rows = xs.rows();
            this.x = flatten(xs);
            this.y = flatten(ys);
            if (weights == null) {
                this.w = null;
            } else {
                this.w = new double[weights.length];
                for (int i = 0; i < weights.length; i++) {
                    w[i] = weights[i];
                }
            }
            this.z = new double[layers.size()][];
            this.a = new double[layers.size()][];
            for (int m = 0; m < layers.size(); m++) {
                z[m] = new double[rows * layers.get(m).outputs()];
                a[m] = new double[rows * layers.get(m).outputs()];
            }
        }

        private static double[] flatten(Matrix m) {
            double[] out = new double[m.rows() * m.cols()];
            for (int i = 0; i < out.length; i++) {
                out[i] = m.data()[m.offset() + i];
            }
            return out;
        }

        double loss(double[] theta) {
            double[] aPrev = x;
            for (int m = 0; m < layers.size(); m++) {
                Dense layer = layers.get(m);
                int in = layer.inputs();
                int out = layer.outputs();
                int wOff = layout.weightView(m).offset();
                int bOff = layout.biasView(m).offset();
                // Zᵐ[r][i] = Σⱼ Aᵐ⁻¹[r][j] Wᵐ[i][j] + bᵐ[i]      (rows, out)
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < out; i++) {
                        double sum = theta[bOff + i];
                        for (int j = 0; j < in; j++) {
                            sum += aPrev[r * in + j] * theta[wOff + i * in + j];
                        }
                        z[m][r * out + i] = sum;
                    }
                }
                // Aᵐ = φᵐ(Zᵐ)                                   (rows, out)
                layer.activation().applyAllDouble(z[m], a[m], rows, out);
                aPrev = a[m];
            }
            return loss.valueDouble(aPrev, y, w, rows, layers.get(layers.size() - 1).outputs());
        }
    }
}

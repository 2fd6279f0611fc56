package dev.gradus.nn;

import dev.gradus.kernel.Functions;
import java.util.Locale;

/**
 * An element-wise activation {@code φ} and its derivative {@code φ'}, both functions of the
 * pre-activation {@code z}.
 *
 * <p>The derivative takes {@code z}, not {@code φ(z)}, so its name cannot lie. At a kink the
 * derivative is the one PyTorch uses: {@code ReLU'(0) = 0}, {@code LeakyReLU'(0) = slope},
 * {@code ELU'(0) = α}.
 *
 * <pre>{@code
 * Activation phi = Activation.parse("leaky_relu(0.1)");
 * float a = phi.apply(-2f);        // -0.2
 * float d = phi.derivative(-2f);   //  0.1
 * }</pre>
 */
public sealed interface Activation {

    Activation IDENTITY = new Identity();
    Activation SIGMOID = new Sigmoid();
    Activation TANH = new Tanh();
    Activation RELU = new Relu();
    Activation LEAKY_RELU = new LeakyRelu(0.01f);
    Activation ELU = new Elu(1f);
    Activation SOFTPLUS = new Softplus();
    /** The row-wise output activation; see {@link Softmax}. */
    Activation SOFTMAX = new Softmax();

    /** {@code φ(z)}. */
    float apply(float z);

    /** {@code φ'(z)}. */
    float derivative(float z);

    /**
     * {@code φ(z)} evaluated in {@code double} precision throughout, for reference computations
     * such as {@link GradientCheck}; training never calls it. It computes the same function as
     * {@link #apply(float)} without rounding to {@code float} (in particular, it is not
     * {@code apply((float) z)}).
     */
    double applyDouble(double z);

    /** The weight initialiser that suits this activation when none is chosen. */
    Init defaultInit();

    /** {@code a[aOff + i] = φ(z[zOff + i])} for {@code i < length}. */
    default void applyAll(float[] z, int zOff, float[] a, int aOff, int length) {
        for (int i = 0; i < length; i++) {
            a[aOff + i] = apply(z[zOff + i]);
        }
    }

    /**
     * {@code Aᵐ = φᵐ(Zᵐ)} for a {@code rows × cols} block: element-wise for every activation but
     * {@link Softmax}, which normalises each row.
     */
    default void applyRows(float[] z, int zOff, float[] a, int aOff, int rows, int cols) {
        applyAll(z, zOff, a, aOff, rows * cols);
    }

    /** True for the element-wise activations; false for {@link Softmax}, which mixes a row. */
    default boolean elementWise() {
        return true;
    }

    /** {@code delta[i] = φ'(z[i]) · g[i]} for {@code i < length} (the seed's {@code φ' ⊙ …}). */
    default void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
        for (int i = 0; i < length; i++) {
            delta[i] = derivative(z[i]) * g[i];
        }
    }

    /**
     * {@code A = φ(Z)} in {@code double} for {@code rows × cols} values (row-major, from index
     * 0), one row per sample. Element-wise activations apply {@link #applyDouble} to each
     * value; an activation that couples the values of a row (such as a softmax) overrides this
     * row-wise form. {@link GradientCheck} calls only this form.
     */
    default void applyAllDouble(double[] z, double[] a, int rows, int cols) {
        for (int i = 0; i < rows * cols; i++) {
            a[i] = applyDouble(z[i]);
        }
    }

    /**
     * {@code delta[i] = φ'(z[i]) · g[i]} given also {@code a[i] = φ(z[i])} from the forward pass,
     * which lets sigmoid and tanh reuse {@code φ(z)} instead of computing it again; the result
     * is bit-identical to {@link #multiplyDerivative(float[], float[], float[], int)}.
     */
    default void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int length) {
        multiplyDerivative(z, g, delta, length);
    }

    /**
     * {@link #multiplyDerivative(float[], float[], float[], float[], int)} on the elements
     * {@code offset .. offset + length − 1} of all four arrays, which may be the same array for
     * {@code g} and {@code delta} (the backward pass's fused epilogue works in place). The same
     * bits as the whole-array form.
     */
    default void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            delta[i] = derivative(z[i]) * g[i];
        }
    }

    /**
     * Parses an activation by name: {@code identity} (or {@code linear}), {@code sigmoid},
     * {@code tanh}, {@code relu}, {@code leaky_relu} (slope 0.01, or {@code leaky_relu(0.2)}),
     * {@code elu} (α = 1, or {@code elu(0.5)}), {@code softplus}, {@code softmax} (output layer
     * only). Case and {@code -}/{@code _}
     * are ignored.
     *
     * @throws IllegalArgumentException naming the text and the known names
     */
    static Activation parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        String name = s;
        Float argument = null;
        int open = s.indexOf('(');
        if (open >= 0 && s.endsWith(")")) {
            name = s.substring(0, open).trim();
            try {
                argument = Float.parseFloat(s.substring(open + 1, s.length() - 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("activation '" + text + "': the value in brackets is not a number");
            }
        }
        Activation base = switch (name.replace('-', '_')) {   // leaky-relu = leaky_relu; a '-' in brackets is a sign
            case "identity", "linear" -> IDENTITY;
            case "sigmoid", "logistic" -> SIGMOID;
            case "tanh" -> TANH;
            case "relu" -> RELU;
            case "leaky_relu", "leakyrelu" -> argument == null ? LEAKY_RELU : new LeakyRelu(argument);
            case "elu" -> argument == null ? ELU : new Elu(argument);
            case "softplus" -> SOFTPLUS;
            case "softmax" -> SOFTMAX;
            default -> throw new IllegalArgumentException("unknown activation '" + text
                    + "'; known: identity, sigmoid, tanh, relu, leaky_relu, elu, softplus, softmax");
        };
        if (argument != null && !(base instanceof LeakyRelu) && !(base instanceof Elu)) {
            throw new IllegalArgumentException("activation '" + text + "' takes no value in brackets");
        }
        return base;
    }

    /** {@code φ(z) = z}, {@code φ'(z) = 1}. */
    record Identity() implements Activation {
        @Override public float apply(float z) { return z; }
        @Override public float derivative(float z) { return 1f; }
        @Override public double applyDouble(double z) { return z; }
        @Override public Init defaultInit() { return Init.XAVIER_UNIFORM; }
        @Override public void applyAll(float[] z, int zOff, float[] a, int aOff, int length) {
            if (z != a || zOff != aOff) {
                System.arraycopy(z, zOff, a, aOff, length);
            }
        }
        @Override public void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
            System.arraycopy(g, 0, delta, 0, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int offset,
                                                 int length) {
            if (g != delta) {
                System.arraycopy(g, offset, delta, offset, length);
            }
        }
        @Override public String toString() { return "identity"; }
    }

    /** {@code φ(z) = 1 / (1 + e⁻ᶻ)}, {@code φ'(z) = φ(z)(1 − φ(z))}. */
    record Sigmoid() implements Activation {
        /** {@code 1/(1 + e⁻ᶻ)} in double, rounded once: {@link Functions#sigmoid(float)}, the twin of the vector path. */
        static float sigmoid(float z) {
            return Functions.sigmoid(z);
        }
        @Override public float apply(float z) { return sigmoid(z); }
        @Override public float derivative(float z) {
            float s = sigmoid(z);
            return s * (1f - s);
        }
        @Override public double applyDouble(double z) { return 1.0 / (1.0 + Math.exp(-z)); }
        @Override public Init defaultInit() { return Init.XAVIER_UNIFORM; }
        /** Vectorised where the Vector API is on; the same bits as {@link #apply} element by element. */
        @Override public void applyAll(float[] z, int zOff, float[] a, int aOff, int length) {
            Functions.sigmoid(z, zOff, a, aOff, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
            for (int i = 0; i < length; i++) {
                float s = sigmoid(z[i]);
                delta[i] = s * (1f - s) * g[i];
            }
        }
        /** {@code φ'(z) = a(1 − a)} with {@code a = φ(z)} from the forward pass: the same bits, no second exp. */
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int length) {
            multiplyDerivative(z, a, g, delta, 0, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int offset,
                                                 int length) {
            for (int i = offset; i < offset + length; i++) {
                float s = a[i];
                delta[i] = s * (1f - s) * g[i];
            }
        }
        @Override public String toString() { return "sigmoid"; }
    }

    /** {@code φ(z) = tanh z}, {@code φ'(z) = 1 − tanh² z}. */
    record Tanh() implements Activation {
        /**
         * {@code tanh z = sign(z)·(1 − 2/(e^{2|z|} + 1))} in double, rounded to float, with the
         * {@code exp} of {@link Functions} ({@code Math.tanh} is a native call on JDK 17, ~29 ns
         * against ~5 ns here): within one float ulp of {@code tanh z}; below {@code |z| = 10⁻⁴}
         * {@code tanh z} rounds to {@code z} itself. The scalar twin of the vector path.
         */
        static float tanh(float z) {
            return Functions.tanh(z);
        }
        @Override public float apply(float z) { return tanh(z); }
        @Override public float derivative(float z) {
            float t = tanh(z);
            return 1f - t * t;
        }
        @Override public double applyDouble(double z) { return Math.tanh(z); }
        @Override public Init defaultInit() { return Init.XAVIER_UNIFORM; }
        /** Vectorised where the Vector API is on; the same bits as {@link #apply} element by element. */
        @Override public void applyAll(float[] z, int zOff, float[] a, int aOff, int length) {
            Functions.tanh(z, zOff, a, aOff, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
            for (int i = 0; i < length; i++) {
                float t = tanh(z[i]);
                delta[i] = (1f - t * t) * g[i];
            }
        }
        /** {@code φ'(z) = 1 − a²} with {@code a = tanh z} from the forward pass: the same bits, no second tanh. */
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int length) {
            multiplyDerivative(z, a, g, delta, 0, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int offset,
                                                 int length) {
            for (int i = offset; i < offset + length; i++) {
                float t = a[i];
                delta[i] = (1f - t * t) * g[i];
            }
        }
        @Override public String toString() { return "tanh"; }
    }

    /** {@code φ(z) = max(0, z)}, {@code φ'(z) = 1} for {@code z > 0}, else 0. */
    record Relu() implements Activation {
        @Override public float apply(float z) { return z > 0f ? z : 0f; }
        @Override public float derivative(float z) { return z > 0f ? 1f : 0f; }
        @Override public double applyDouble(double z) { return z > 0 ? z : 0.0; }
        @Override public Init defaultInit() { return Init.HE_UNIFORM; }
        /** Vectorised where the Vector API is on, without a branch per element; the same bits as {@link #apply}. */
        @Override public void applyAll(float[] z, int zOff, float[] a, int aOff, int length) {
            Functions.relu(z, zOff, a, aOff, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
            multiplyDerivative(z, null, g, delta, 0, length);
        }
        /**
         * {@code delta[i] = z[i] > 0 ? g[i] : 0}, vectorised like {@link #applyAll}; reads
         * {@code a[i] = relu(z[i])} when given, which is positive exactly where {@code z[i]} is
         * (the forward pass of a hidden ReLU layer keeps only {@code Aᵐ}).
         */
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int offset,
                                                 int length) {
            Functions.reluDerivative(a != null ? a : z, g, delta, offset, length);
        }
        @Override public String toString() { return "relu"; }
    }

    /** {@code φ(z) = z} for {@code z > 0}, else {@code slope·z}. */
    record LeakyRelu(float slope) implements Activation {
        public LeakyRelu {
            if (!Float.isFinite(slope)) {
                throw new IllegalArgumentException("leaky_relu slope must be finite, got " + slope);
            }
        }
        @Override public float apply(float z) { return z > 0f ? z : slope * z; }
        @Override public float derivative(float z) { return z > 0f ? 1f : slope; }
        @Override public double applyDouble(double z) { return z > 0 ? z : slope * z; }
        @Override public Init defaultInit() { return Init.HE_UNIFORM; }
        @Override public void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
            multiplyDerivative(z, null, g, delta, 0, length);
        }
        @Override public void multiplyDerivative(float[] z, float[] a, float[] g, float[] delta, int offset,
                                                 int length) {
            for (int i = offset; i < offset + length; i++) {
                delta[i] = z[i] > 0f ? g[i] : slope * g[i];
            }
        }
        @Override public String toString() { return "leaky_relu(" + slope + ")"; }
    }

    /** {@code φ(z) = z} for {@code z > 0}, else {@code α(eᶻ − 1)}; {@code φ'(z) = αeᶻ} for {@code z ≤ 0}. */
    record Elu(float alpha) implements Activation {
        public Elu {
            if (!Float.isFinite(alpha) || alpha <= 0f) {
                throw new IllegalArgumentException("elu alpha must be positive and finite, got " + alpha);
            }
        }
        @Override public float apply(float z) { return z > 0f ? z : (float) (alpha * Math.expm1(z)); }
        @Override public float derivative(float z) { return z > 0f ? 1f : (float) (alpha * Math.exp(z)); }
        @Override public double applyDouble(double z) { return z > 0 ? z : alpha * Math.expm1(z); }
        @Override public Init defaultInit() { return Init.HE_UNIFORM; }
        @Override public String toString() { return "elu(" + alpha + ")"; }
    }

    /** {@code φ(z) = ln(1 + eᶻ)}, {@code φ'(z) = 1 / (1 + e⁻ᶻ)}. */
    record Softplus() implements Activation {
        @Override public float apply(float z) {
            // max(z, 0) + ln(1 + e^{-|z|}) never overflows.
            return (float) (Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z))));
        }
        @Override public float derivative(float z) { return Sigmoid.sigmoid(z); }
        @Override public double applyDouble(double z) {
            return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
        }
        @Override public Init defaultInit() { return Init.HE_UNIFORM; }
        @Override public String toString() { return "softplus"; }
    }

    /**
     * The output activation {@code softmax(z)ⱼ = e^{zⱼ} / Σₖ e^{zₖ}} over each row of
     * {@code Zⁿ} (DESIGN §6). It is not element-wise, so {@link #apply} and {@link #derivative}
     * do not exist for it; its Jacobian is only ever used fused with cross-entropy, where
     * {@code Δⁿ = ∂ℓ/∂Zⁿ = (P − Y)/N} is written by {@link Loss} directly and the backward pass
     * skips {@code φⁿ'}. Rows are computed stably as {@code e^{zⱼ − max z}}.
     */
    record Softmax() implements Activation {
        @Override public float apply(float z) {
            throw new UnsupportedOperationException("softmax normalises a whole row; it has no element-wise value");
        }
        @Override public float derivative(float z) {
            throw new UnsupportedOperationException("softmax's derivative is only used fused with cross-entropy");
        }
        @Override public double applyDouble(double z) {
            throw new UnsupportedOperationException("softmax normalises a whole row; use applyAllDouble");
        }
        @Override public void applyAllDouble(double[] z, double[] a, int rows, int cols) {
            for (int i = 0; i < rows; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, z[i * cols + j]);
                }
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    a[i * cols + j] = Math.exp(z[i * cols + j] - max);
                    sum += a[i * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    a[i * cols + j] /= sum;
                }
            }
        }
        @Override public Init defaultInit() { return Init.XAVIER_UNIFORM; }
        @Override public boolean elementWise() { return false; }
        @Override public void applyAll(float[] z, int zOff, float[] a, int aOff, int length) {
            throw new UnsupportedOperationException("softmax needs the row width; use applyRows");
        }
        @Override public void applyRows(float[] z, int zOff, float[] a, int aOff, int rows, int cols) {
            double[] e = exps(cols);
            for (int i = 0; i < rows; i++) {
                softmaxRow(z, zOff + i * cols, a, aOff + i * cols, cols, e);
            }
        }
        @Override public void multiplyDerivative(float[] z, float[] g, float[] delta, int length) {
            throw new UnsupportedOperationException("softmax's derivative is only used fused with cross-entropy;"
                    + " train a softmax output with the cross-entropy loss");
        }
        @Override public String toString() { return "softmax"; }

        /**
         * The calling thread's buffer for a row's {@code e^{zⱼ − max z}} (at least {@code cols}
         * long): grown to the widest row seen, then reused, so rows allocate nothing.
         */
        private static double[] exps(int cols) {
            double[] e = EXPS.get();
            if (e.length < cols) {
                e = new double[cols];
                EXPS.set(e);
            }
            return e;
        }

        private static final ThreadLocal<double[]> EXPS = ThreadLocal.withInitial(() -> new double[16]);

        /**
         * {@code p = softmax(z)} for one row of {@code cols} values, accumulated in double; each
         * {@code e^{zⱼ − max z}} is computed once into {@code e} and read back for the division.
         */
        private static void softmaxRow(float[] z, int zOff, float[] p, int pOff, int cols, double[] e) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z[zOff + j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                e[j] = Math.exp((double) z[zOff + j] - max);
                sum += e[j];
            }
            for (int j = 0; j < cols; j++) {
                p[pOff + j] = (float) (e[j] / sum);
            }
        }
    }
}

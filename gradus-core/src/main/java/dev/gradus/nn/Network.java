package dev.gradus.nn;

import dev.gradus.kernel.Epilogue;
import dev.gradus.kernel.Functions;
import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import dev.gradus.tensor.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A feed-forward network {@code ŷ(x) = φⁿ(Wⁿ φⁿ⁻¹(… φ⁰(W⁰x + b⁰) …) + bⁿ)} with layers
 * {@code m = 0..n}.
 *
 * <p>Layer {@code m} is {@link #layer(int) layer(m)}; its weights {@code Wᵐ}
 * ({@code [outputs, inputs]}) and bias {@code bᵐ} are {@link #weights(int) weights(m)} and
 * {@link #bias(int) bias(m)}, views into the one flat {@link Parameters} array.
 *
 * <p>Batched passes work on row-major batches {@code X} ({@code N × inputs}, one sample per
 * row), so the seed's column-vector equations appear transposed (DESIGN §1):
 * <pre>
 * Z⁰ = X W⁰ᵀ + b⁰      Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ      Aᵐ = φᵐ(Zᵐ)      Ŷ = Aⁿ
 * Δᵐ = φᵐ'(Zᵐ) ⊙ Gᵐ    ∂ℓ/∂Wᵐ = Δᵐᵀ Aᵐ⁻¹    ∂ℓ/∂bᵐ = Σ rows of Δᵐ    Gᵐ⁻¹ = Δᵐ Wᵐ
 * </pre>
 * A loss fused with the output activation (softmax + cross-entropy, sigmoid + BCE) gives
 * {@code Δⁿ} itself, see {@link Loss#valueAndBackwardStart}.
 *
 * <pre>{@code
 * Network net = Network.input(2)
 *         .dense(8, Activation.TANH)
 *         .dense(1, Activation.SIGMOID)
 *         .build(42);
 * Matrix yhat = net.predict(Matrix.of(new double[][] {{0, 1}}));   // 1×1
 * }</pre>
 *
 * <p>A network is safe to {@link #predict} from many threads at once; training copies it
 * ({@link dev.gradus.train.Trainer} returns a new network).
 */
public final class Network {
    private static final int PREDICT_CHUNK_ROWS = 1024;

    private final List<Dense> layers;
    private final Parameters parameters;

    private Network(List<Dense> layers, Parameters parameters) {
        this.layers = layers;
        this.parameters = parameters;
    }

    /** Starts describing a network that reads {@code features} inputs. */
    public static Builder input(int features) {
        return new Builder(features);
    }

    /**
     * A network of these layers holding these parameters (not copied).
     *
     * @throws IllegalArgumentException if consecutive layers do not chain or the parameters'
     *     layout does not match the layers
     */
    public static Network of(List<Dense> layers, Parameters parameters) {
        List<Dense> copy = List.copyOf(layers);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (int m = 1; m < copy.size(); m++) {
            if (copy.get(m).inputs() != copy.get(m - 1).outputs()) {
                throw new IllegalArgumentException("layer " + m + " reads " + copy.get(m).inputs()
                        + " inputs but layer " + (m - 1) + " writes " + copy.get(m - 1).outputs());
            }
        }
        for (int m = 0; m < copy.size() - 1; m++) {
            if (!copy.get(m).activation().elementWise()) {
                throw new IllegalArgumentException("layer " + m + ": " + copy.get(m).activation()
                        + " is an output activation; only the last layer (" + (copy.size() - 1) + ") may use it");
            }
        }
        if (parameters.layerCount() != copy.size()) {
            throw new IllegalArgumentException("parameters hold " + parameters.layerCount()
                    + " layers, the network has " + copy.size());
        }
        for (int m = 0; m < copy.size(); m++) {
            Dense d = copy.get(m);
            Parameters.View w = parameters.weightView(m);
            Parameters.View b = parameters.biasView(m);
            if (w.rows() != d.outputs() || w.cols() != d.inputs() || b.rows() != d.outputs()) {
                throw new IllegalArgumentException("layer " + m + ": weights are " + w.rows() + "x" + w.cols()
                        + " and bias has " + b.rows() + " entries, but the layer is " + d.inputs() + " -> "
                        + d.outputs());
            }
        }
        return new Network(copy, parameters);
    }

    /** Parameters laid out for these layers, all zero. */
    public static Parameters zeroParameters(List<Dense> layers) {
        List<int[]> shapes = new ArrayList<>();
        for (Dense d : layers) {
            shapes.add(new int[] {d.outputs(), d.inputs()});
        }
        return Parameters.zeros(shapes);
    }

    /** The layers {@code 0..n}. */
    public List<Dense> layers() {
        return layers;
    }

    /** Layer {@code m}, for {@code m = 0..n}. */
    public Dense layer(int m) {
        return layers.get(m);
    }

    /** The number of layers, {@code n + 1}. */
    public int layerCount() {
        return layers.size();
    }

    /** The width of the input {@code x}. */
    public int inputs() {
        return layers.get(0).inputs();
    }

    /** The width of the output {@code ŷ}. */
    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    /** The flat parameters {@code W⁰, b⁰, …, Wⁿ, bⁿ} (shared, not a copy). */
    public Parameters parameters() {
        return parameters;
    }

    /** {@code Wᵐ}, {@code [outputs, inputs]}, a view into {@link #parameters()}. */
    public Matrix weights(int m) {
        return parameters.weights(m);
    }

    /** {@code bᵐ}, {@code [1, outputs]}, a view into {@link #parameters()}. */
    public Matrix bias(int m) {
        return parameters.bias(m);
    }

    /** A network with the same layers and a copy of the parameters. */
    public Network copy() {
        return new Network(layers, parameters.copy());
    }

    /** A network with the same layers holding {@code parameters} (not copied). */
    public Network withParameters(Parameters newParameters) {
        return of(layers, newParameters);
    }

    /** A workspace for passes over up to {@code capacity} rows. */
    public Workspace workspace(int capacity, Kernels kernels) {
        return new Workspace(layers, capacity, kernels);
    }

    /** {@code ŷ(x)} for one sample. */
    public float[] predict(float[] x) {
        if (x.length != inputs()) {
            throw new IllegalArgumentException("the network reads " + inputs() + " features, got " + x.length);
        }
        return predict(Matrix.wrap(1, x.length, x)).data();
    }

    /** {@code Ŷ}, one row of outputs per row of {@code x} ({@code N × inputs}). */
    public Matrix predict(Matrix x) {
        if (x.cols() != inputs()) {
            throw new IllegalArgumentException("the network reads " + inputs() + " features, got " + x.cols()
                    + " columns");
        }
        Matrix out = Matrix.zeros(x.rows(), outputs());
        if (x.rows() == 0) {
            return out;
        }
        Workspace w = workspace(Math.min(x.rows(), PREDICT_CHUNK_ROWS), Kernels.singleThreaded());
        for (int start = 0; start < x.rows(); start += w.capacity) {
            int rows = Math.min(w.capacity, x.rows() - start);
            forward(x.data(), x.offset() + start * inputs(), rows, w);
            System.arraycopy(w.output(), 0, out.data(), start * outputs(), rows * outputs());
        }
        return out;
    }

    /**
     * The forward pass over {@code rows} samples of {@code x} (row-major from {@code xOff}):
     * {@code Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ} and {@code Aᵐ = φᵐ(Zᵐ)} for {@code m = 0..n}, with
     * {@code A⁻¹ = X}. Results stay in {@code w}.
     */
    public void forward(float[] x, int xOff, int rows, Workspace w) {
        forward(x, xOff, rows, w, true);
    }

    /**
     * The forward pass of a training step under {@code loss}: {@link #forward}, except that a
     * row-wise {@code φⁿ} (softmax) that {@code loss} is fused with is not applied, since the
     * loss reads the logits {@code Zⁿ} ({@link Loss#valueAndBackwardStart}); {@link
     * Workspace#output()} then does not hold {@code Ŷ}.
     */
    public void forward(float[] x, int xOff, int rows, Workspace w, Loss loss) {
        Activation phi = layers.get(layers.size() - 1).activation();
        forward(x, xOff, rows, w, phi.elementWise() || !Loss.fusedWith(loss, phi));
    }

    private void forward(float[] x, int xOff, int rows, Workspace w, boolean rowWiseOutput) {
        checkRows(rows, w);
        w.rows = rows;
        w.outputDeltaGiven = false;
        int n = layers.size() - 1;
        float[] theta = parameters.values();
        float[] aPrev = x;
        int aPrevOff = xOff;
        for (int m = 0; m < layers.size(); m++) {
            Dense layer = layers.get(m);
            int out = layer.outputs();
            int wOff = parameters.weightView(m).offset();
            // Wᵐ packed once per pass (the transpose the product reads), for the engine of the
            // moment; a small batch's product packs it panel by panel on the threads that read it
            boolean packed = !w.kernels.packsWeightsInProduct(rows, out, layer.inputs());
            w.packed(m);
            if (packed) {
                w.packForward(m, theta, wOff);
            }
            w.zInA[m] = m < n && layer.activation() instanceof Activation.Relu && !w.dropout.active();
            Epilogue epilogue;
            float[] z;
            if (w.zInA[m]) {
                // Aᵐ = relu(Aᵐ⁻¹ Wᵐᵀ + bᵐ)                (rows, out), finished on each register tile
                // and written straight into Aᵐ: no Zᵐ is kept, φᵐ' reads the signs of Aᵐ
                epilogue = w.relu(m, theta, parameters.biasView(m).offset());
                z = w.a[m];
            } else {
                // Zᵐ = Aᵐ⁻¹ Wᵐᵀ + bᵐ and Aᵐ = φᵐ(Zᵐ)     (rows, out), bias and φᵐ fused into the product
                w.forwardEpilogue[m].bias(theta, parameters.biasView(m).offset());
                epilogue = w.forwardEpilogue[m];
                z = w.z[m];
            }
            if (packed) {
                w.kernels.abt(z, 0, aPrev, aPrevOff, w.packed[m], rows, epilogue);
            } else {
                w.kernels.abt(z, 0, aPrev, aPrevOff, theta, wOff, rows, out, layer.inputs(), epilogue);
            }
            if (!layer.activation().elementWise() && rowWiseOutput) {
                // a row-wise φⁿ (softmax) needs whole rows: after the product
                layer.activation().applyRows(w.z[m], 0, w.a[m], 0, rows, out);
            }
            // Aᵐ ← Aᵐ ⊙ Mᵐ/(1 − p): inverted dropout on hidden layers, training passes only
            if (m < n && w.dropout.active()) {
                w.dropout.forward(m, w.a[m], rows * out);
            }
            aPrev = w.a[m];
            aPrevOff = 0;
        }
    }

    /**
     * The backward pass. Before the call, {@link Workspace#g()} holds {@code Gⁿ = ∂ℓ/∂Aⁿ}
     * (or a fused loss has written {@code Δⁿ}, see {@link Loss#valueAndBackwardStart})
     * and {@code w} holds the forward pass over the same {@code x}. Writes
     * {@code ∂ℓ/∂Wᵐ} and {@code ∂ℓ/∂bᵐ} for every layer into {@code dTheta}, laid out as
     * {@link #parameters()} (overwriting it).
     */
    public void backward(float[] x, int xOff, Workspace w, float[] dTheta) {
        if (dTheta.length != parameters.size()) {
            throw new IllegalArgumentException("gradient array holds " + dTheta.length + " values, the network has "
                    + parameters.size() + " parameters");
        }
        int rows = w.rows;
        int n = layers.size() - 1;
        float[] theta = parameters.values();
        // Δᵐ and the buffer for Gᵐ⁻¹ trade places at every layer: the product that makes
        // Gᵐ⁻¹ reads Δᵐ, and its epilogue turns Gᵐ⁻¹ into Δᵐ⁻¹ in place.
        float[] delta;
        float[] spare;
        if (w.outputDeltaGiven) {
            // a loss fused with φⁿ (softmax + cross-entropy) already wrote Δⁿ
            delta = w.delta;
            spare = w.g;
        } else {
            // Δⁿ = φⁿ'(Zⁿ) ⊙ Gⁿ                          (rows, outputs)
            Activation phi = layers.get(n).activation();
            phi.multiplyDerivative(w.z[n], w.a[n], w.g, w.delta, rows * layers.get(n).outputs());
            delta = w.delta;
            spare = w.g;
        }
        for (int m = n; m >= 0; m--) {
            Dense layer = layers.get(m);
            int in = layer.inputs();
            int out = layer.outputs();
            float[] aPrev = m == 0 ? x : w.a[m - 1];
            int aPrevOff = m == 0 ? xOff : 0;
            // ∂ℓ/∂Wᵐ = Δᵐᵀ Aᵐ⁻¹                         (out, in)
            w.kernels.atb(dTheta, parameters.weightView(m).offset(), delta, 0, aPrev, aPrevOff, out, in, rows);
            // ∂ℓ/∂bᵐ = Σ over rows of Δᵐ                (out)
            Functions.columnSums(delta, 0, rows, out, dTheta, parameters.biasView(m).offset());
            if (m > 0) {
                // Gᵐ⁻¹ = Δᵐ Wᵐ                          (rows, in), Wᵐ packed once per pass
                w.packBackward(m, theta, parameters.weightView(m).offset());
                Activation phiPrev = layers.get(m - 1).activation();
                if (w.dropout.active()) {
                    w.kernels.ab(spare, 0, delta, 0, w.packed[m], rows, null);
                    // Gᵐ⁻¹ ← Gᵐ⁻¹ ⊙ Mᵐ⁻¹/(1 − p) where dropout scaled Aᵐ⁻¹
                    w.dropout.backward(m - 1, spare, rows * in);
                    // Δᵐ⁻¹ = φᵐ⁻¹'(Zᵐ⁻¹) ⊙ Gᵐ⁻¹: Aᵐ⁻¹ was scaled by the mask, so φ' from Zᵐ⁻¹ alone
                    phiPrev.multiplyDerivative(w.z[m - 1], spare, spare, rows * in);
                } else {
                    // Δᵐ⁻¹ = φᵐ⁻¹'(Zᵐ⁻¹) ⊙ Gᵐ⁻¹ fused into the product (φ' reuses Aᵐ⁻¹, same bits)
                    w.kernels.ab(spare, 0, delta, 0, w.packed[m], rows, w.backwardEpilogue[m - 1]);
                }
                float[] t = delta;
                delta = spare;
                spare = t;
            }
        }
    }

    private static void checkRows(int rows, Workspace w) {
        if (rows < 1 || rows > w.capacity) {
            throw new IllegalArgumentException("a pass over " + rows + " rows does not fit a workspace of "
                    + w.capacity + " rows");
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Network[").append(inputs());
        for (Dense d : layers) {
            s.append(" -> ").append(d.outputs()).append(' ').append(d.activation());
        }
        return s.append(", ").append(parameters.size()).append(" parameters]").toString();
    }

    /** Describes a network layer by layer; each layer's input width is the previous output width. */
    public static final class Builder {
        private final int features;
        private final List<Dense> layers = new ArrayList<>();

        private Builder(int features) {
            if (features < 1) {
                throw new IllegalArgumentException("a network needs at least one input feature, got " + features);
            }
            this.features = features;
        }

        /** Appends layer {@code m = layers so far} with {@code outputs} units and activation {@code φᵐ}. */
        public Builder dense(int outputs, Activation activation) {
            int in = layers.isEmpty() ? features : layers.get(layers.size() - 1).outputs();
            layers.add(new Dense(in, outputs, Objects.requireNonNull(activation, "activation")));
            return this;
        }

        /** The layers described so far. */
        public List<Dense> layers() {
            return List.copyOf(layers);
        }

        /** The network with each layer's default initialiser, drawn from {@code seed}. */
        public Network build(long seed) {
            return build(Init.DEFAULT, seed);
        }

        /** The network with weights from {@code init} drawn from {@code seed}, biases zero. */
        public Network build(Init init, long seed) {
            return initialize(layers, init, BiasInit.ZERO, seed);
        }

        /** The network with weights from {@code init} and biases from {@code biases}, drawn from {@code seed}. */
        public Network build(Init init, BiasInit biases, long seed) {
            return initialize(layers, init, biases, seed);
        }
    }

    /**
     * New parameters for {@code layers}: every {@code Wᵐ} drawn from {@code init} with one
     * {@link SplittableRandom} seeded by {@code seed}, layer by layer in row-major order;
     * every {@code bᵐ = 0}.
     */
    public static Network initialize(List<Dense> layers, Init init, long seed) {
        return initialize(layers, init, BiasInit.ZERO, seed);
    }

    /**
     * As {@link #initialize(List, Init, long)} with the biases from {@code biases}: for
     * {@link BiasInit#UNIFORM} each {@code bᵐ} is drawn from {@code U(−a, a)}, {@code a} the
     * bound of {@code Wᵐ}, right after {@code Wᵐ} (scikit-learn's order: W⁰, b⁰, W¹, b¹, …).
     */
    public static Network initialize(List<Dense> layers, Init init, BiasInit biases, long seed) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer; add one with dense(...)");
        }
        Parameters p = zeroParameters(layers);
        SplittableRandom random = new SplittableRandom(seed);
        for (int m = 0; m < layers.size(); m++) {
            Dense d = layers.get(m);
            Init chosen = init == Init.DEFAULT ? d.activation().defaultInit() : init;
            chosen.fill(p.values(), p.weightView(m).offset(), d.inputs(), d.outputs(), random);
            if (biases == BiasInit.UNIFORM) {
                double a = chosen.bound(d.inputs(), d.outputs());
                float[] v = p.values();
                int off = p.biasView(m).offset();
                for (int j = 0; j < d.outputs(); j++) {
                    v[off + j] = (float) ((2.0 * random.nextDouble() - 1.0) * a);   // as Init.fill draws
                }
            }
        }
        return of(layers, p);
    }
}

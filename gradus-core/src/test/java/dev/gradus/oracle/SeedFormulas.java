package dev.gradus.oracle;

import dev.gradus.nn.Dense;
import dev.gradus.nn.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately naive {@code double} implementation of the seed, section 2, one sample and one
 * parameter at a time, used as the oracle for the batched float32 backward pass.
 *
 * <p>It is written from the seed's text, not from {@code Network}: column vectors, the literal
 * selectors {@code Oᵢ} (a square matrix with a single 1 at {@code (i, i)}) and {@code oⱼ} (a
 * row with a single 1 at {@code j}), and for every weight {@code Wᵐᵢⱼ}
 * <pre>
 * ∂ŷ/∂Wᵐᵢⱼ(x) = φⁿ'(zⁿ) ⊙ (Wⁿ( … ⊙ (Wᵐ⁺²(φᵐ⁺¹'(zᵐ⁺¹) ⊙ (Wᵐ⁺¹(Oᵢ φᵐ'(zᵐ) oⱼ φᵐ⁻¹(zᵐ⁻¹)))))))
 * ∂ŷ/∂bᵐᵢ(x)  = φⁿ'(zⁿ) ⊙ (Wⁿ( … ⊙ (Wᵐ⁺¹(Oᵢ φᵐ'(zᵐ)))))
 * ∂ℓ2/∂θ      = (2/N) Σₓ (ŷ(x) − y)ᵀ ∂ŷ/∂θ(x)
 * </pre>
 * with {@code zᵐ = Wᵐ φᵐ⁻¹(zᵐ⁻¹) + bᵐ} and {@code φ⁻¹(z⁻¹) = x}. Nothing is batched or reused
 * between parameters: the cost is {@code O(P · N · P)}, fine for the tiny networks of tests.
 * The numbers are the network's float32 parameters converted exactly to {@code double}.
 */
public final class SeedFormulas {
    final double[][][] w;   // w[m]: Wᵐ, (outputs, inputs)
    final double[][] b;     // b[m]: bᵐ, (outputs)
    final Phi[] phi;        // phi[m]: φᵐ and φᵐ'

    private SeedFormulas(double[][][] w, double[][] b, Phi[] phi) {
        this.w = w;
        this.b = b;
        this.phi = phi;
    }

    /** The oracle for {@code net}'s current parameters and activations. */
    public static SeedFormulas of(Network net) {
        int layers = net.layerCount();
        double[][][] w = new double[layers][][];
        double[][] b = new double[layers][];
        Phi[] phi = new Phi[layers];
        for (int m = 0; m < layers; m++) {
            w[m] = net.weights(m).toDoubles();
            b[m] = net.bias(m).toDoubles()[0];
            phi[m] = Phi.of(net.layer(m).activation());
        }
        return new SeedFormulas(w, b, phi);
    }

    /** The index {@code n} of the output layer. */
    public int n() {
        return w.length - 1;
    }

    /** {@code Wᵐ}: the oracle's own array (not a copy), changed by {@link #gradientDescentStep}. */
    public double[][] weights(int m) {
        return w[m];
    }

    /** {@code bᵐ}: the oracle's own array (not a copy). */
    public double[] bias(int m) {
        return b[m];
    }

    // ---------------------------------------------------------------- the seed's objects

    /** {@code Oᵢ}: the {@code size × size} matrix that keeps only element {@code i} of a vector. */
    static double[][] bigO(int i, int size) {
        double[][] o = new double[size][size];
        o[i][i] = 1.0;
        return o;
    }

    /** {@code oⱼ}: the row {@code (0 … 1 … 0)} that picks element {@code j} as a scalar. */
    static double[] smallO(int j, int size) {
        double[] o = new double[size];
        o[j] = 1.0;
        return o;
    }

    /** {@code M v}. */
    static double[] times(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += m[i][j] * v[j];
            }
        }
        return out;
    }

    /** The row vector {@code r} times the column vector {@code v}: a scalar. */
    static double times(double[] r, double[] v) {
        double s = 0;
        for (int j = 0; j < v.length; j++) {
            s += r[j] * v[j];
        }
        return s;
    }

    /** {@code u ⊙ v}. */
    static double[] hadamard(double[] u, double[] v) {
        double[] out = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = u[i] * v[i];
        }
        return out;
    }

    static double[] scale(double[] v, double s) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }

    // ---------------------------------------------------------------- forward

    /** {@code z⁰ … zⁿ} for one sample {@code x}. */
    double[][] preActivations(double[] x) {
        double[][] z = new double[w.length][];
        double[] a = x;
        for (int m = 0; m <= n(); m++) {
            z[m] = new double[w[m].length];
            double[] wa = times(w[m], a);
            for (int i = 0; i < z[m].length; i++) {
                z[m][i] = wa[i] + b[m][i];
            }
            a = applyPhi(m, z[m]);
        }
        return z;
    }

    /** {@code φᵐ(v)} element-wise. */
    double[] applyPhi(int m, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = phi[m].apply(v[i]);
        }
        return out;
    }

    /** {@code φᵐ'(v)} element-wise. */
    double[] applyPhiPrime(int m, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = phi[m].derivative(v[i]);
        }
        return out;
    }

    /** {@code ŷ(x) = φⁿ(Wⁿ φⁿ⁻¹(… φ⁰(W⁰x + b⁰) …) + bⁿ)}. */
    public double[] predict(double[] x) {
        double[][] z = preActivations(x);
        return applyPhi(n(), z[n()]);
    }

    /** {@code ℓ2 = (1/N) Σ (ŷ(x) − y)ᵀ(ŷ(x) − y)} over the rows of {@code xs}, {@code ys}. */
    public double loss(double[][] xs, double[][] ys) {
        double sum = 0;
        for (int s = 0; s < xs.length; s++) {
            double[] r = minus(predict(xs[s]), ys[s]);
            sum += times(r, r);
        }
        return sum / xs.length;
    }

    static double[] minus(double[] u, double[] v) {
        double[] out = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            out[i] = u[i] - v[i];
        }
        return out;
    }

    // ---------------------------------------------------------------- section 2, literally

    /** {@code φᵐ⁻¹(zᵐ⁻¹)}, the input of layer {@code m}; {@code x} for {@code m = 0}. */
    private double[] layerInput(int m, double[] x, double[][] z) {
        return m == 0 ? x : applyPhi(m - 1, z[m - 1]);
    }

    /**
     * Wraps {@code v} (the derivative of {@code zᵐ}'s activation, length of layer {@code m}) in
     * the seed's chain {@code φⁿ'(…) ⊙ (Wⁿ( … φᵐ⁺¹'(…) ⊙ (Wᵐ⁺¹ v)))}.
     */
    private double[] chainFrom(int m, double[] v, double[][] z) {
        for (int l = m + 1; l <= n(); l++) {
            v = hadamard(applyPhiPrime(l, z[l]), times(w[l], v));
        }
        return v;
    }

    /** {@code ∂ŷ/∂Wᵐᵢⱼ(x)}. */
    double[] dYhatDWeight(int m, int i, int j, double[] x) {
        double[][] z = preActivations(x);
        double[] input = layerInput(m, x, z);
        // Oᵢ φᵐ'(zᵐ) oⱼ φᵐ⁻¹(zᵐ⁻¹): a column vector (Oᵢ φᵐ') times the scalar (oⱼ φᵐ⁻¹).
        double[] inner = scale(times(bigO(i, w[m].length), applyPhiPrime(m, z[m])),
                times(smallO(j, input.length), input));
        return chainFrom(m, inner, z);
    }

    /** {@code ∂ŷ/∂bᵐᵢ(x)}. */
    double[] dYhatDBias(int m, int i, double[] x) {
        double[][] z = preActivations(x);
        double[] inner = times(bigO(i, w[m].length), applyPhiPrime(m, z[m]));
        return chainFrom(m, inner, z);
    }

    /** {@code ∂ℓ2/∂Wᵐᵢⱼ = (2/N) Σ (ŷ(x) − y)ᵀ ∂ŷ/∂Wᵐᵢⱼ(x)}. */
    public double dLossDWeight(int m, int i, int j, double[][] xs, double[][] ys) {
        double sum = 0;
        for (int s = 0; s < xs.length; s++) {
            sum += times(minus(predict(xs[s]), ys[s]), dYhatDWeight(m, i, j, xs[s]));
        }
        return 2.0 / xs.length * sum;
    }

    /** {@code ∂ℓ2/∂bᵐᵢ = (2/N) Σ (ŷ(x) − y)ᵀ ∂ŷ/∂bᵐᵢ(x)}. */
    public double dLossDBias(int m, int i, double[][] xs, double[][] ys) {
        double sum = 0;
        for (int s = 0; s < xs.length; s++) {
            sum += times(minus(predict(xs[s]), ys[s]), dYhatDBias(m, i, xs[s]));
        }
        return 2.0 / xs.length * sum;
    }

    /** Every {@code ∂ℓ2/∂Wᵐᵢⱼ} and {@code ∂ℓ2/∂bᵐᵢ}. */
    public Gradient gradient(double[][] xs, double[][] ys) {
        List<double[][]> dW = new ArrayList<>();
        List<double[]> dB = new ArrayList<>();
        for (int m = 0; m <= n(); m++) {
            double[][] dw = new double[w[m].length][w[m][0].length];
            double[] db = new double[w[m].length];
            for (int i = 0; i < dw.length; i++) {
                for (int j = 0; j < dw[i].length; j++) {
                    dw[i][j] = dLossDWeight(m, i, j, xs, ys);
                }
                db[i] = dLossDBias(m, i, xs, ys);
            }
            dW.add(dw);
            dB.add(db);
        }
        return new Gradient(dW, dB);
    }

    /** The seed's update {@code W ← W − α ∂ℓ2/∂W}, {@code b ← b − α ∂ℓ2/∂b}, in double. */
    public void gradientDescentStep(double[][] xs, double[][] ys, double alpha) {
        Gradient g = gradient(xs, ys);
        for (int m = 0; m <= n(); m++) {
            for (int i = 0; i < w[m].length; i++) {
                for (int j = 0; j < w[m][i].length; j++) {
                    w[m][i][j] -= alpha * g.dW().get(m)[i][j];
                }
                b[m][i] -= alpha * g.dB().get(m)[i];
            }
        }
    }

    // ---------------------------------------------------------------- weighted rows

    /**
     * The weighted {@code ℓ = Σₓ wₓ (ŷ(x) − y)ᵀ(ŷ(x) − y) / Σₓ wₓ} (the seed's {@code ℓ2} with each
     * sample counted {@code wₓ} times).
     */
    public double loss(double[][] xs, double[][] ys, double[] ws) {
        double sum = 0;
        double total = 0;
        for (int s = 0; s < xs.length; s++) {
            double[] r = minus(predict(xs[s]), ys[s]);
            sum += ws[s] * times(r, r);
            total += ws[s];
        }
        return sum / total;
    }

    /** {@code ∂ℓ/∂Wᵐᵢⱼ = (2/Σw) Σₓ wₓ (ŷ(x) − y)ᵀ ∂ŷ/∂Wᵐᵢⱼ(x)}. */
    public double dLossDWeight(int m, int i, int j, double[][] xs, double[][] ys, double[] ws) {
        double sum = 0;
        double total = 0;
        for (int s = 0; s < xs.length; s++) {
            sum += ws[s] * times(minus(predict(xs[s]), ys[s]), dYhatDWeight(m, i, j, xs[s]));
            total += ws[s];
        }
        return 2.0 / total * sum;
    }

    /** {@code ∂ℓ/∂bᵐᵢ = (2/Σw) Σₓ wₓ (ŷ(x) − y)ᵀ ∂ŷ/∂bᵐᵢ(x)}. */
    public double dLossDBias(int m, int i, double[][] xs, double[][] ys, double[] ws) {
        double sum = 0;
        double total = 0;
        for (int s = 0; s < xs.length; s++) {
            sum += ws[s] * times(minus(predict(xs[s]), ys[s]), dYhatDBias(m, i, xs[s]));
            total += ws[s];
        }
        return 2.0 / total * sum;
    }

    /** The update {@code θ ← θ − α ∂ℓ/∂θ} of the weighted loss, in double. */
    public void gradientDescentStep(double[][] xs, double[][] ys, double[] ws, double alpha) {
        double[][][] dW = new double[w.length][][];
        double[][] dB = new double[w.length][];
        for (int m = 0; m <= n(); m++) {
            dW[m] = new double[w[m].length][w[m][0].length];
            dB[m] = new double[w[m].length];
            for (int i = 0; i < w[m].length; i++) {
                for (int j = 0; j < w[m][i].length; j++) {
                    dW[m][i][j] = dLossDWeight(m, i, j, xs, ys, ws);
                }
                dB[m][i] = dLossDBias(m, i, xs, ys, ws);
            }
        }
        for (int m = 0; m <= n(); m++) {
            for (int i = 0; i < w[m].length; i++) {
                for (int j = 0; j < w[m][i].length; j++) {
                    w[m][i][j] -= alpha * dW[m][i][j];
                }
                b[m][i] -= alpha * dB[m][i];
            }
        }
    }

    /** {@code ∂ℓ2/∂Wᵐ} and {@code ∂ℓ2/∂bᵐ} per layer {@code m}. */
    public record Gradient(List<double[][]> dW, List<double[]> dB) {
        /** The largest magnitude of any component: the gradient's scale. */
        public double scale() {
            double s = 0;
            for (int m = 0; m < dW.size(); m++) {
                for (double[] row : dW.get(m)) {
                    for (double v : row) {
                        s = Math.max(s, Math.abs(v));
                    }
                }
                for (double v : dB.get(m)) {
                    s = Math.max(s, Math.abs(v));
                }
            }
            return s;
        }
    }

    /** Layer sizes, for messages. */
    public static String describe(List<Dense> layers) {
        StringBuilder s = new StringBuilder().append(layers.get(0).inputs());
        for (Dense d : layers) {
            s.append(" -> ").append(d.outputs()).append(' ').append(d.activation());
        }
        return s.toString();
    }
}

package dev.gradus.kernel;

/**
 * Element-wise {@code tanh} and the logistic sigmoid over {@code float} arrays, vectorised with
 * the Vector API where it is on, with plain-Java twins that compute the same bits.
 *
 * <p>Both are evaluated in {@code double} and rounded once to {@code float}, through one
 * {@code exp} written out here (range reduction {@code eʸ = 2ⁿ·eʳ}, {@code |r| ≤ ln2/2}, and a
 * degree-11 Taylor polynomial, relative error below {@code 10⁻¹⁴}), so every lane of the
 * vector path performs the same IEEE operations in the same order as the scalar twin
 * ({@link #tanh(float)}, {@link #sigmoid(float)}): the results agree bit for bit, and each is
 * within one float ulp of the correctly rounded value.
 *
 * <pre>{@code
 * Functions.tanh(z, 0, a, 0, z.length);   // a[i] = tanh z[i]
 * }</pre>
 */
public final class Functions {
    static final double LOG2E = 1.4426950408889634;
    /** ln 2 split in two: {@code LN2_HI} has 32 significant bits, so {@code n·LN2_HI} is exact. */
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    /** {@code 1.5·2⁵²}: adding it rounds to an integer held in the low bits of the significand. */
    static final double SHIFTER = 0x1.8p52;
    static final long SHIFTER_BITS = Double.doubleToRawLongBits(SHIFTER);
    /** Taylor coefficients {@code 1/k!}, {@code k = 0..11}. */
    static final double[] C = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
        1.0 / 3628800, 1.0 / 39916800,
    };
    /** Beyond {@code |z| = 20}, {@code tanh z} rounds to ±1 and {@code e^{2|z|}} is clamped to {@code e⁴⁰}. */
    static final double TANH_CLAMP = 40.0;
    /** Below this {@code |z|}, {@code tanh z} rounds to {@code z} (its cubic term is under 2⁻²⁸ of it). */
    static final double TANH_LINEAR = 1e-4;
    /** {@code e^{±110}}: beyond it the sigmoid rounds to 0 or 1 in float. */
    static final double SIGMOID_CLAMP = 110.0;

    /**
     * What one {@code tanh} or {@code sigmoid} counts for {@link Engine#warmingUp}: about the
     * floating-point operations of its {@code exp} and the rest.
     */
    static final long TRANSCENDENTAL_COST = 20;

    private Functions() {}

    /** {@code a[aOff + i] = tanh z[zOff + i]} for {@code i < length}; {@code z} and {@code a} may be the same. */
    public static void tanh(float[] z, int zOff, float[] a, int aOff, int length) {
        tanh(Engine.warmingUp((long) length * TRANSCENDENTAL_COST) ? Engine.PLAIN : Engine.DEFAULT, z, zOff, a, aOff, length);
    }

    /** The same on a chosen engine (for tests). */
    static void tanh(int engine, float[] z, int zOff, float[] a, int aOff, int length) {
        int i = 0;
        if (engine == Engine.VECTOR) {
            i = VectorMath.tanh(z, zOff, a, aOff, length);
        }
        for (; i < length; i++) {
            a[aOff + i] = tanh(z[zOff + i]);
        }
    }

    /** {@code a[aOff + i] = σ(z[zOff + i]) = 1/(1 + e^{−z})} for {@code i < length}. */
    public static void sigmoid(float[] z, int zOff, float[] a, int aOff, int length) {
        sigmoid(Engine.warmingUp((long) length * TRANSCENDENTAL_COST) ? Engine.PLAIN : Engine.DEFAULT, z, zOff, a, aOff, length);
    }

    /** The same on a chosen engine (for tests). */
    static void sigmoid(int engine, float[] z, int zOff, float[] a, int aOff, int length) {
        int i = 0;
        if (engine == Engine.VECTOR) {
            i = VectorMath.sigmoid(z, zOff, a, aOff, length);
        }
        for (; i < length; i++) {
            a[aOff + i] = sigmoid(z[zOff + i]);
        }
    }

    /**
     * {@code a[aOff + i] = z > 0 ? z : 0} with {@code z = z[zOff + i]}, for {@code i < length}
     * ({@code NaN} and {@code −0} give {@code 0}); {@code z} and {@code a} may be the same. Without
     * a branch per element, which the signs of a layer's pre-activations would mispredict half the
     * time.
     */
    public static void relu(float[] z, int zOff, float[] a, int aOff, int length) {
        relu(Engine.warmingUp((long) length * 1) ? Engine.PLAIN : Engine.DEFAULT, z, zOff, a, aOff, length);
    }

    /** The same on a chosen engine (for tests). */
    static void relu(int engine, float[] z, int zOff, float[] a, int aOff, int length) {
        int i = 0;
        if (engine == Engine.VECTOR) {
            i = VectorMath.relu(z, zOff, a, aOff, length);
        }
        for (; i < length; i++) {
            float v = z[zOff + i];
            a[aOff + i] = v > 0f ? v : 0f;
        }
    }

    /**
     * {@code delta[i] = z[i] > 0 ? g[i] : 0} for {@code offset ≤ i < offset + length} (ReLU's
     * {@code φ'(z) ⊙ g}, with {@code φ'(0) = 0}); {@code g} and {@code delta} may be the same.
     * Without a branch per element, which the signs of {@code z} would mispredict half the time.
     */
    public static void reluDerivative(float[] z, float[] g, float[] delta, int offset, int length) {
        reluDerivative(Engine.warmingUp(length) ? Engine.PLAIN : Engine.DEFAULT, z, g, delta, offset, length);
    }

    /** The same on a chosen engine (for tests). */
    static void reluDerivative(int engine, float[] z, float[] g, float[] delta, int offset, int length) {
        int i = 0;
        if (engine == Engine.VECTOR) {
            i = VectorMath.reluDerivative(z, g, delta, offset, length);
        }
        for (; i < length; i++) {
            delta[offset + i] = z[offset + i] > 0f ? g[offset + i] : 0f;
        }
    }

    /**
     * {@code sum[sumOff + j] = Σᵢ x[xOff + i·cols + j]} over rows {@code i = 0..rows-1} in order,
     * from 0, in {@code float} (a bias gradient: the column sums of {@code Δ}). Each column is the
     * same chain of additions on every engine, so the vector path gives the plain one's bits.
     */
    public static void columnSums(float[] x, int xOff, int rows, int cols, float[] sum, int sumOff) {
        columnSums(Engine.warmingUp((long) rows * cols) ? Engine.PLAIN : Engine.DEFAULT, x, xOff, rows, cols, sum,
                sumOff);
    }

    /** The same on a chosen engine (for tests). */
    static void columnSums(int engine, float[] x, int xOff, int rows, int cols, float[] sum, int sumOff) {
        int j = 0;
        if (engine == Engine.VECTOR) {
            j = VectorMath.columnSums(x, xOff, rows, cols, sum, sumOff);
        }
        for (; j < cols; j++) {
            float s = 0f;
            for (int i = 0; i < rows; i++) {
                s += x[xOff + i * cols + j];
            }
            sum[sumOff + j] = s;
        }
    }

    /**
     * {@code c[cOff + i·ldc + j] += b[bOff + j]} for rows {@code i = 0..rows-1} and
     * {@code j = 0..cols-1}: a bias added to a block of {@code Z}.
     */
    public static void addBias(float[] c, int cOff, int ldc, int rows, int cols, float[] b, int bOff) {
        addBias(Engine.warmingUp((long) rows * cols) ? Engine.PLAIN : Engine.DEFAULT, c, cOff, ldc, rows, cols, b,
                bOff);
    }

    /** The same on a chosen engine (for tests). */
    static void addBias(int engine, float[] c, int cOff, int ldc, int rows, int cols, float[] b, int bOff) {
        int j0 = 0;
        if (engine == Engine.VECTOR) {
            j0 = VectorMath.addBias(c, cOff, ldc, rows, cols, b, bOff);
        }
        if (j0 < cols) {
            for (int i = 0; i < rows; i++) {
                int row = cOff + i * ldc;
                for (int j = j0; j < cols; j++) {
                    c[row + j] += b[bOff + j];
                }
            }
        }
    }

    /**
     * {@link #addBias} and then {@link #relu} in one pass over the block:
     * {@code z = c[cOff + i·ldc + j] + b[bOff + j]} is stored back into {@code c} and
     * {@code z > 0 ? z : 0} into {@code a[aOff + i·ldc + j]} (only the latter when {@code a} is
     * {@code c} from the same offset). The same operations per element as the two passes, so
     * the same bits; each element is read and written once instead of twice.
     */
    public static void addBiasRelu(float[] c, int cOff, int ldc, int rows, int cols, float[] b, int bOff,
                                   float[] a, int aOff) {
        addBiasRelu(Engine.warmingUp((long) rows * cols) ? Engine.PLAIN : Engine.DEFAULT, c, cOff, ldc, rows, cols,
                b, bOff, a, aOff);
    }

    /** The same on a chosen engine (for tests). */
    static void addBiasRelu(int engine, float[] c, int cOff, int ldc, int rows, int cols, float[] b, int bOff,
                            float[] a, int aOff) {
        int j0 = 0;
        if (engine == Engine.VECTOR) {
            j0 = VectorMath.addBiasRelu(c, cOff, ldc, rows, cols, b, bOff, a, aOff);
        }
        if (j0 < cols) {
            for (int i = 0; i < rows; i++) {
                int row = cOff + i * ldc;
                int out = aOff + i * ldc;
                for (int j = j0; j < cols; j++) {
                    float z = c[row + j] + b[bOff + j];
                    c[row + j] = z;
                    a[out + j] = z > 0f ? z : 0f;
                }
            }
        }
    }

    /**
     * {@code tanh z = sign(z)·(1 − 2/(e^{2|z|} + 1))} in double, rounded to float; {@code z}
     * itself below {@code |z| = 10⁻⁴}. The scalar twin of the vector path.
     */
    public static float tanh(float z) {
        double x = Math.abs((double) z);
        if (x < TANH_LINEAR) {
            return z;
        }
        double e = exp(Math.min(x + x, TANH_CLAMP));
        double t = 1.0 - 2.0 / (e + 1.0);
        return (float) Math.copySign(t, (double) z);
    }

    /** {@code σ(z) = 1/(1 + e^{−z})} in double, rounded to float. The scalar twin of the vector path. */
    public static float sigmoid(float z) {
        double y = Math.max(Math.min(-(double) z, SIGMOID_CLAMP), -SIGMOID_CLAMP);
        return (float) (1.0 / (1.0 + exp(y)));
    }

    /**
     * {@code eʸ} for {@code |y| ≤ 745}: {@code n = round(y/ln2)}, {@code r = y − n·ln2},
     * {@code eʸ = 2ⁿ · p(r)}. Every step is one IEEE operation that the vector path repeats.
     */
    static double exp(double y) {
        double shifted = y * LOG2E + SHIFTER;
        double n = shifted - SHIFTER;
        double r = Math.fma(-n, LN2_HI, y);
        r = Math.fma(-n, LN2_LO, r);
        double p = C[11];
        p = Math.fma(p, r, C[10]);
        p = Math.fma(p, r, C[9]);
        p = Math.fma(p, r, C[8]);
        p = Math.fma(p, r, C[7]);
        p = Math.fma(p, r, C[6]);
        p = Math.fma(p, r, C[5]);
        p = Math.fma(p, r, C[4]);
        p = Math.fma(p, r, C[3]);
        p = Math.fma(p, r, C[2]);
        p = Math.fma(p, r, C[1]);
        p = Math.fma(p, r, C[0]);
        long bits = (Double.doubleToRawLongBits(shifted) - SHIFTER_BITS + 1023) << 52;
        return p * Double.longBitsToDouble(bits);
    }
}

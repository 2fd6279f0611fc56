package dev.gradus.kernel;

import static dev.gradus.kernel.Functions.C;
import static dev.gradus.kernel.Functions.LN2_HI;
import static dev.gradus.kernel.Functions.LN2_LO;
import static dev.gradus.kernel.Functions.LOG2E;
import static dev.gradus.kernel.Functions.SHIFTER;
import static dev.gradus.kernel.Functions.SHIFTER_BITS;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API bodies of {@link Functions}: {@code float} lanes widened to {@code double},
 * the same operations as the scalar twins lane by lane, and rounded back once. Loaded only
 * when the Vector API module is present.
 *
 * <p>Floats are read and written only in the products' species {@link VectorGemm#S}, each
 * vector widened to two halves of doubles and narrowed back: a second float shape in the same
 * JVM (a half-width {@code FloatVector} for the conversions) left the Vector API's shared
 * {@code FloatVector} code unintrinsified in the matrix products, which then ran 10–18 times
 * slower in any network with a tanh or sigmoid layer.
 */
final class VectorMath {
    /** Doubles of the widest shape: half as many lanes as {@link VectorGemm#S} has floats. */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = D.length();
    /**
     * The upper half of the float lanes, where the second half of doubles goes back: the two
     * halves rounded to float are blended, not added, so a −0 stays −0.
     */
    private static final VectorMask<Float> UPPER = VectorMask.fromLong(VectorGemm.S,
            (VectorGemm.L >= 64 ? -1L : (1L << VectorGemm.L) - 1) & -(1L << LANES));

    /** True when a float vector is exactly two double vectors wide (the tanh and sigmoid paths). */
    private static boolean halves() {
        return VectorGemm.L == 2 * LANES;
    }

    private VectorMath() {}

    /** The vector part of {@link Functions#relu(float[], int, float[], int, int)}: returns how many elements it did. */
    static int relu(float[] z, int zOff, float[] a, int aOff, int length) {
        VectorSpecies<Float> s = VectorGemm.S;
        FloatVector zero = FloatVector.zero(s);
        int i = 0;
        for (; i + s.length() <= length; i += s.length()) {
            FloatVector v = FloatVector.fromArray(s, z, zOff + i);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(a, aOff + i);
        }
        return i;
    }

    /** The vector part of {@link Functions#reluDerivative(float[], float[], float[], int, int)}: returns how many elements it did. */
    static int reluDerivative(float[] z, float[] g, float[] delta, int offset, int length) {
        VectorSpecies<Float> s = VectorGemm.S;
        FloatVector zero = FloatVector.zero(s);
        int i = 0;
        for (; i + s.length() <= length; i += s.length()) {
            FloatVector v = FloatVector.fromArray(s, z, offset + i);
            FloatVector gv = FloatVector.fromArray(s, g, offset + i);
            zero.blend(gv, v.compare(VectorOperators.GT, 0f)).intoArray(delta, offset + i);
        }
        return i;
    }

    /**
     * The vector part of {@link Functions#columnSums}: whole vectors of columns, each lane the
     * chain of additions over the rows in order. Returns how many columns it did.
     */
    static int columnSums(float[] x, int xOff, int rows, int cols, float[] sum, int sumOff) {
        VectorSpecies<Float> s = VectorGemm.S;
        int l = s.length();
        int j = 0;
        for (; j + 2 * l <= cols; j += 2 * l) {
            FloatVector s0 = FloatVector.zero(s);
            FloatVector s1 = s0;
            for (int i = 0, at = xOff + j; i < rows; i++, at += cols) {
                s0 = s0.add(FloatVector.fromArray(s, x, at));
                s1 = s1.add(FloatVector.fromArray(s, x, at + l));
            }
            s0.intoArray(sum, sumOff + j);
            s1.intoArray(sum, sumOff + j + l);
        }
        for (; j + l <= cols; j += l) {
            FloatVector s0 = FloatVector.zero(s);
            for (int i = 0, at = xOff + j; i < rows; i++, at += cols) {
                s0 = s0.add(FloatVector.fromArray(s, x, at));
            }
            s0.intoArray(sum, sumOff + j);
        }
        return j;
    }

    /** The vector part of {@link Functions#addBias}: returns how many leading columns it did. */
    static int addBias(float[] c, int cOff, int ldc, int rows, int cols, float[] b, int bOff) {
        VectorSpecies<Float> s = VectorGemm.S;
        int l = s.length();
        int done = cols / l * l;
        for (int j = 0; j < done; j += l) {
            FloatVector bias = FloatVector.fromArray(s, b, bOff + j);
            for (int i = 0, at = cOff + j; i < rows; i++, at += ldc) {
                FloatVector.fromArray(s, c, at).add(bias).intoArray(c, at);
            }
        }
        return done;
    }

    /** The vector part of {@link Functions#addBiasRelu}: returns how many leading columns it did. */
    static int addBiasRelu(float[] c, int cOff, int ldc, int rows, int cols, float[] b, int bOff, float[] a,
                           int aOff) {
        VectorSpecies<Float> s = VectorGemm.S;
        int l = s.length();
        int done = cols / l * l;
        FloatVector zero = FloatVector.zero(s);
        boolean inPlace = c == a && cOff == aOff;
        for (int i = 0; i < rows; i++) {
            int row = cOff + i * ldc;
            int out = aOff + i * ldc;
            for (int j = 0; j < done; j += l) {
                FloatVector z = FloatVector.fromArray(s, c, row + j).add(FloatVector.fromArray(s, b, bOff + j));
                if (!inPlace) {
                    z.intoArray(c, row + j);
                }
                zero.blend(z, z.compare(VectorOperators.GT, 0f)).intoArray(a, out + j);
            }
        }
        return done;
    }

    /** The vector part of {@link Functions#tanh(float[], int, float[], int, int)}: returns how many elements it did. */
    static int tanh(float[] z, int zOff, float[] a, int aOff, int length) {
        if (!halves()) {
            return 0;
        }
        VectorSpecies<Float> s = VectorGemm.S;
        int i = 0;
        for (; i + s.length() <= length; i += s.length()) {
            FloatVector v = FloatVector.fromArray(s, z, zOff + i);
            DoubleVector lo = tanh((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            DoubleVector hi = tanh((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
            // narrowed here, not in a method: past C2's node budget a call would box both halves
            FloatVector l = (FloatVector) lo.convertShape(VectorOperators.D2F, VectorGemm.S, 0);
            FloatVector h = (FloatVector) hi.convertShape(VectorOperators.D2F, VectorGemm.S, -1);
            l.blend(h, UPPER).intoArray(a, aOff + i);
        }
        return i;
    }

    private static DoubleVector tanh(DoubleVector zd) {
        DoubleVector x = zd.abs();
        DoubleVector e = exp(x.add(x).min(Functions.TANH_CLAMP));
        DoubleVector t = DoubleVector.broadcast(D, 1.0).sub(DoubleVector.broadcast(D, 2.0).div(e.add(1.0)));
        // copySign(t, z): t ≥ 0, so OR in the sign bit of z
        LongVector sign = zd.reinterpretAsLongs().and(Long.MIN_VALUE);
        DoubleVector signed = t.reinterpretAsLongs().or(sign).reinterpretAsDoubles();
        VectorMask<Double> linear = x.lt(Functions.TANH_LINEAR);
        return signed.blend(zd, linear);
    }

    /** The vector part of {@link Functions#sigmoid(float[], int, float[], int, int)}. */
    static int sigmoid(float[] z, int zOff, float[] a, int aOff, int length) {
        if (!halves()) {
            return 0;
        }
        VectorSpecies<Float> s = VectorGemm.S;
        int i = 0;
        for (; i + s.length() <= length; i += s.length()) {
            FloatVector v = FloatVector.fromArray(s, z, zOff + i);
            DoubleVector lo = sigmoid((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            DoubleVector hi = sigmoid((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
            // narrowed here, not in a method: past C2's node budget a call would box both halves
            FloatVector l = (FloatVector) lo.convertShape(VectorOperators.D2F, VectorGemm.S, 0);
            FloatVector h = (FloatVector) hi.convertShape(VectorOperators.D2F, VectorGemm.S, -1);
            l.blend(h, UPPER).intoArray(a, aOff + i);
        }
        return i;
    }

    private static DoubleVector sigmoid(DoubleVector zd) {
        DoubleVector y = zd.neg().min(Functions.SIGMOID_CLAMP).max(-Functions.SIGMOID_CLAMP);
        return DoubleVector.broadcast(D, 1.0).div(exp(y).add(1.0));
    }

    /** {@link Functions#exp(double)} lane by lane. */
    static DoubleVector exp(DoubleVector y) {
        DoubleVector shifted = y.mul(LOG2E).add(SHIFTER);
        DoubleVector n = shifted.sub(SHIFTER);
        DoubleVector minusN = n.neg();
        DoubleVector r = minusN.fma(DoubleVector.broadcast(D, LN2_HI), y);
        r = minusN.fma(DoubleVector.broadcast(D, LN2_LO), r);
        // Horner's rule from C[11] down, as Functions.exp. A loop, not eleven lines: this method
        // must stay under C2's inlining limit for hot methods (FreqInlineSize, 325 bytes of
        // bytecode), or every call boxes its vectors on the heap (W2's steady state spent a
        // quarter of its time there when it was 335 bytes).
        DoubleVector p = DoubleVector.broadcast(D, C[C.length - 1]);
        for (int k = C.length - 2; k >= 0; k--) {
            p = p.fma(r, DoubleVector.broadcast(D, C[k]));
        }
        DoubleVector scale = shifted.reinterpretAsLongs().sub(SHIFTER_BITS - 1023).lanewise(VectorOperators.LSHL, 52)
                .reinterpretAsDoubles();
        return p.mul(scale);
    }
}

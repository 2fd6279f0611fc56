package dev.gradus.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ReLU, its derivative, column sums, bias and bias + ReLU in one pass on both engines against their definitions, and the vectorised tanh and sigmoid against their plain twins (bit for bit) and against
 * {@code Math.tanh} / {@code Math.exp} in double rounded once (within one float ulp).
 */
class FunctionsTest {
    /** Magnitudes from 10⁻⁶ to 10³ with both signs, plus the special values and the thresholds. */
    static float[] inputs() {
        SplittableRandom random = new SplittableRandom(17);
        int n = 200_003;       // not a multiple of any vector length: the scalar tail runs too
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (random.nextDouble(-1, 1) * Math.pow(10, random.nextDouble(-6, 3)));
        }
        float[] special = {0f, -0f, 1e-4f, -1e-4f, Math.nextDown(1e-4f), 20f, -20f, 9.01f, 110f, -110f, 103.9f,
            -103.9f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
        System.arraycopy(special, 0, z, 0, special.length);
        return z;
    }

    @Test
    void vectorAndPlainTwinsAgreeBitForBit() {
        assumeTrue(Engine.vectorAvailable(), "the Vector API module is not enabled in this JVM");
        float[] z = inputs();
        for (String name : new String[] {"tanh", "sigmoid"}) {
            float[] vector = new float[z.length];
            float[] plain = new float[z.length];
            if (name.equals("tanh")) {
                Functions.tanh(Engine.VECTOR, z, 0, vector, 0, z.length);
                Functions.tanh(Engine.PLAIN, z, 0, plain, 0, z.length);
            } else {
                Functions.sigmoid(Engine.VECTOR, z, 0, vector, 0, z.length);
                Functions.sigmoid(Engine.PLAIN, z, 0, plain, 0, z.length);
            }
            for (int i = 0; i < z.length; i++) {
                float want = name.equals("tanh") ? Functions.tanh(z[i]) : Functions.sigmoid(z[i]);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(plain[i]), name + " plain " + z[i]);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(vector[i]), name + " vector " + z[i]);
            }
        }
    }

    @Test
    void reluIsZOrZeroOnBothEnginesWithNaNAndNegativeZeroGivingZero() {
        float[] z = inputs();
        z[z.length - 1] = Float.NaN;
        for (int engine : KernelsTest.engines()) {
            float[] a = new float[z.length + 2];
            Functions.relu(engine, z, 0, a, 1, z.length);
            for (int i = 0; i < z.length; i++) {
                float want = z[i] > 0f ? z[i] : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(a[i + 1]),
                        "relu(" + z[i] + ") on " + Engine.name(engine));
            }
            assertEquals(0f, a[0], "wrote before its range");
            assertEquals(0f, a[z.length + 1], "wrote past its range");
            float[] inPlace = z.clone();
            Functions.relu(engine, inPlace, 0, inPlace, 0, inPlace.length);
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(inPlace[1]), "relu(−0) in place");
        }
    }

    @Test
    void reluDerivativePassesGWhereZIsPositiveOnBothEngines() {
        float[] z = inputs();
        z[z.length - 1] = Float.NaN;
        SplittableRandom random = new SplittableRandom(5);
        float[] g = new float[z.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) random.nextGaussian();
        }
        for (int engine : KernelsTest.engines()) {
            float[] delta = new float[z.length];
            delta[0] = 7f;
            delta[z.length - 1] = 7f;
            Functions.reluDerivative(engine, z, g, delta, 1, z.length - 2);
            assertEquals(7f, delta[0], "wrote before its range");
            assertEquals(7f, delta[z.length - 1], "wrote past its range");
            for (int i = 1; i < z.length - 1; i++) {
                float want = z[i] > 0f ? g[i] : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(delta[i]),
                        "relu'(" + z[i] + ")·" + g[i] + " on " + Engine.name(engine));
            }
            float[] inPlace = g.clone();
            Functions.reluDerivative(engine, z, inPlace, inPlace, 0, z.length);
            for (int i = 0; i < z.length; i++) {
                assertEquals(Float.floatToRawIntBits(z[i] > 0f ? g[i] : 0f), Float.floatToRawIntBits(inPlace[i]),
                        "in place at " + i);
            }
        }
    }

    @Test
    void columnSumsAndBiasAreTheScalarChainsOnBothEngines() {
        SplittableRandom random = new SplittableRandom(9);
        for (int cols : new int[] {1, 2, 7, 8, 16, 20, 32, 33}) {
            int rows = 1 + random.nextInt(300);
            float[] x = new float[3 + rows * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
            }
            float[] b = new float[cols + 1];
            for (int j = 0; j < b.length; j++) {
                b[j] = (float) random.nextGaussian();
            }
            for (int engine : KernelsTest.engines()) {
                float[] sum = new float[cols + 2];
                Functions.columnSums(engine, x, 3, rows, cols, sum, 1);
                assertEquals(0f, sum[0], "wrote before its range");
                assertEquals(0f, sum[cols + 1], "wrote past its range");
                for (int j = 0; j < cols; j++) {
                    float want = 0f;
                    for (int i = 0; i < rows; i++) {
                        want += x[3 + i * cols + j];
                    }
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(sum[j + 1]),
                            "column " + j + " of " + cols + " on " + Engine.name(engine));
                }
                // the bias over the first cols - 1 columns of each row, from b[1]
                float[] c = x.clone();
                Functions.addBias(engine, c, 3, cols, rows, cols - 1, b, 1);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        int at = 3 + i * cols + j;
                        float want = j < cols - 1 ? x[at] + b[1 + j] : x[at];
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(c[at]),
                                "bias at " + i + "," + j + " of " + cols + " on " + Engine.name(engine));
                    }
                }
            }
        }
    }

    @Test
    void biasAndReluInOnePassGiveTheTwoPassesBitsOnBothEnginesSeparateAndInPlace() {
        SplittableRandom random = new SplittableRandom(29);
        float[] special = {0f, -0f, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY};
        for (int cols : new int[] {1, 7, 8, 17, 33}) {
            int rows = 5;
            int ldc = cols + 3;                          // a block inside wider rows, as an epilogue sees it
            float[] z = new float[2 + rows * ldc];
            for (int i = 0; i < z.length; i++) {
                z[i] = i < special.length ? special[i] : (float) random.nextGaussian();
            }
            float[] b = new float[cols + 1];
            for (int j = 0; j < b.length; j++) {
                b[j] = j % 5 == 0 ? -0f : (float) random.nextGaussian();
            }
            // the two passes: bias into Z, then ReLU of Z's rows into A
            float[] wantZ = z.clone();
            Functions.addBias(Engine.PLAIN, wantZ, 2, ldc, rows, cols, b, 1);
            float[] wantA = new float[rows * ldc];
            for (int i = 0; i < rows; i++) {
                Functions.relu(Engine.PLAIN, wantZ, 2 + i * ldc, wantA, i * ldc, cols);
            }
            for (int engine : KernelsTest.engines()) {
                float[] c = z.clone();
                float[] a = new float[rows * ldc];
                Functions.addBiasRelu(engine, c, 2, ldc, rows, cols, b, 1, a, 0);
                float[] inPlace = z.clone();
                Functions.addBiasRelu(engine, inPlace, 2, ldc, rows, cols, b, 1, inPlace, 2);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < ldc; j++) {
                        int at = 2 + i * ldc + j;
                        String where = i + "," + j + " of " + cols + " on " + Engine.name(engine);
                        assertEquals(Float.floatToRawIntBits(wantZ[at]), Float.floatToRawIntBits(c[at]), "Z " + where);
                        assertEquals(Float.floatToRawIntBits(wantA[at - 2]), Float.floatToRawIntBits(a[at - 2]),
                                "A " + where);
                        float inPlaceWant = j < cols ? wantA[at - 2] : z[at];
                        assertEquals(Float.floatToRawIntBits(inPlaceWant), Float.floatToRawIntBits(inPlace[at]),
                                "in place " + where);
                    }
                }
            }
        }
    }

    @Test
    void withinOneUlpOfTheCorrectlyRoundedValue() {
        float[] z = inputs();
        float[] t = new float[z.length];
        float[] s = new float[z.length];
        Functions.tanh(z, 0, t, 0, z.length);
        Functions.sigmoid(z, 0, s, 0, z.length);
        for (int i = 0; i < z.length; i++) {
            float wantT = (float) Math.tanh(z[i]);
            float wantS = (float) (1.0 / (1.0 + Math.exp(-(double) z[i])));
            assertTrue(Math.abs(wantT - t[i]) <= Math.ulp(wantT), "tanh(" + z[i] + ") = " + t[i] + ", want " + wantT);
            assertTrue(Math.abs(wantS - s[i]) <= Math.ulp(wantS), "σ(" + z[i] + ") = " + s[i] + ", want " + wantS);
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Functions.tanh(-0f)), "tanh(−0) = −0");
        assertTrue(Float.isNaN(Functions.tanh(Float.NaN)) && Float.isNaN(Functions.sigmoid(Float.NaN)), "NaN stays NaN");
        float[] nan = new float[64];
        java.util.Arrays.fill(nan, Float.NaN);
        Functions.tanh(nan, 0, nan, 0, nan.length);
        for (float v : nan) {
            assertTrue(Float.isNaN(v), "vector tanh(NaN)");
        }
    }

    @Test
    void expIsAccurateOverTheRangeItServes() {
        for (double y = -745; y <= 709; y += 0.37) {
            double want = Math.exp(y);
            double got = Functions.exp(y);
            if (want > Double.MIN_NORMAL) {
                assertEquals(want, got, want * 1e-14, "exp(" + y + ")");
            }
        }
    }
}

package dev.gradus.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gradus.kernel.Functions;
import dev.gradus.kernel.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A hidden ReLU layer of a pass without dropout writes {@code Aᵐ = relu(Aᵐ⁻¹Wᵐᵀ + bᵐ)} straight
 * from the product and keeps no {@code Zᵐ}; {@code φᵐ'} reads the signs of {@code Aᵐ}. The loss and
 * gradient must be the bits of the pass in separate steps (the product, {@code Zᵐ + bᵐ},
 * {@code relu}, {@code φ'} from {@code Zᵐ}), rebuilt here from the public kernels, on shapes with
 * whole and ragged register tiles and a ragged last row panel, on both engines.
 */
class ReluWithoutZTest {

    @Test
    void theFusedPassGivesTheBitsOfTheSeparateSteps() {
        int[][] shapes = {{20, 32, 2}, {7, 33, 37, 3}, {16, 100, 64, 4}};
        // Until the JVM is warm, products under 4 MFLOP run on the plain engine (Engine); 40,000
        // rows put every layer here on the vector engine whatever ran before.
        int[] rowCounts = {1, 5, 37, 300, 40_000};
        for (int[] widths : shapes) {
            for (int rows : rowCounts) {
                for (int threads = 1; threads <= 2; threads++) {
                    check(widths, rows, threads);
                }
            }
        }
    }

    /**
     * W1's layers over a mini-batch: up to 80 rows the vector engine packs each panel of
     * {@code Wᵐ} inside the forward product ({@link Kernels#packsWeightsInProduct}), past that
     * the pass packs {@code Wᵐ} once; both give the separate steps' bits.
     */
    @Test
    void aSmallBatchOfWideLayersGivesTheBitsOfTheSeparateSteps() {
        for (int rows : new int[] {1, 37, 64, 80, 81}) {
            for (int threads = 1; threads <= 2; threads++) {
                check(new int[] {784, 256, 128, 10}, rows, threads);
            }
        }
    }

    private static void check(int[] widths, int rows, int threads) {
        Network.Builder b = Network.input(widths[0]);
        for (int m = 1; m < widths.length - 1; m++) {
            b.dense(widths[m], Activation.RELU);
        }
        b.dense(widths[widths.length - 1], Activation.SOFTMAX);
        Network network = b.build(Init.DEFAULT, BiasInit.UNIFORM, 3 + rows);
        SplittableRandom random = new SplittableRandom(rows * 31L + widths.length);
        float[] x = new float[rows * widths[0]];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int classes = widths[widths.length - 1];
        float[] y = new float[rows * classes];
        for (int i = 0; i < rows; i++) {
            y[i * classes + random.nextInt(classes)] = 1f;
        }
        Kernels kernels = Kernels.create(threads);
        String what = java.util.Arrays.toString(widths) + ", " + rows + " rows, " + threads + " threads";

        Workspace w = network.workspace(rows, kernels);
        network.forward(x, 0, rows, w, Loss.CROSS_ENTROPY);
        double loss = Loss.CROSS_ENTROPY.valueAndBackwardStart(w, y, 0);
        float[] dTheta = new float[network.parameters().size()];
        network.backward(x, 0, w, dTheta);
        for (int m = 0; m < widths.length - 2; m++) {
            assertSame(w.a(m), w.z(m), "hidden ReLU layer " + m + " keeps only Aᵐ, " + what);
        }

        float[] expected = new float[dTheta.length];
        double expectedLoss = separateSteps(network, kernels, x, y, rows, expected);
        assertEquals(Double.doubleToRawLongBits(expectedLoss), Double.doubleToRawLongBits(loss), "loss, " + what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(dTheta[i]),
                    "∂ℓ/∂θ[" + i + "], " + what);
        }
    }

    /** The pass in separate steps on unpacked weights: Zᵐ kept, φ' from Zᵐ. Returns ℓ. */
    private static double separateSteps(Network network, Kernels k, float[] x, float[] y, int rows, float[] dTheta) {
        int layers = network.layerCount();
        float[] theta = network.parameters().values();
        float[][] z = new float[layers][];
        float[][] a = new float[layers][];
        float[] prev = x;
        for (int m = 0; m < layers; m++) {
            int in = network.layer(m).inputs();
            int out = network.layer(m).outputs();
            z[m] = new float[rows * out];
            a[m] = new float[rows * out];
            k.abt(z[m], 0, prev, 0, theta, network.parameters().weightView(m).offset(), rows, out, in);
            Functions.addBias(z[m], 0, out, rows, out, theta, network.parameters().biasView(m).offset());
            if (m < layers - 1) {
                Functions.relu(z[m], 0, a[m], 0, rows * out);
            }
            prev = a[m];
        }
        int n = layers - 1;
        int outputs = network.outputs();
        int widest = 0;
        for (int m = 0; m < layers; m++) {
            widest = Math.max(widest, network.layer(m).outputs());
        }
        float[] delta = new float[rows * widest];
        double loss = Loss.CROSS_ENTROPY.valueAndOutputDelta(z[n], y, 0, null, delta, rows, outputs);
        for (int m = n; m >= 0; m--) {
            int in = network.layer(m).inputs();
            int out = network.layer(m).outputs();
            float[] aPrev = m == 0 ? x : a[m - 1];
            k.atb(dTheta, network.parameters().weightView(m).offset(), delta, 0, aPrev, 0, out, in, rows);
            Functions.columnSums(delta, 0, rows, out, dTheta, network.parameters().biasView(m).offset());
            if (m > 0) {
                float[] g = new float[rows * widest];
                k.ab(g, 0, delta, 0, theta, network.parameters().weightView(m).offset(), rows, in, out);
                float[] next = new float[rows * widest];
                Functions.reluDerivative(z[m - 1], g, next, 0, rows * in);
                delta = next;
            }
        }
        return loss;
    }
}

package dev.gradus.nn;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;

/**
 * Run by {@link InferenceTest} in a JVM without the Vector API: prints the engine and a digest
 * of the bits that {@link Inference} predicts for fixed networks and rows.
 */
public final class InferencePlainProbe {
    private InferencePlainProbe() {}

    /** A digest of the predicted bits: equal digests mean equal bits (up to hash collisions). */
    static String digest() {
        long h = 17;
        int[][] shapes = {{5}, {33, 17}, {256, 128}};
        int[] inputs = {3, 40, 784};
        for (int s = 0; s < shapes.length; s++) {
            Network net = InferenceTest.network(inputs[s], shapes[s], InferenceTest.HIDDEN[s], Activation.SOFTMAX, s);
            Inference inf = Inference.of(net);
            for (int rows : new int[] {1, 2, 3, 5, 9, 20, 130}) {
                Matrix y = inf.predict(InferenceTest.randomRows(rows, inputs[s], rows));
                for (float v : y.data()) {
                    h = h * 1_000_003L + Float.floatToRawIntBits(v);
                }
            }
        }
        return "digest=" + Long.toHexString(h);
    }

    public static void main(String[] args) {
        System.out.println("engine=" + Kernels.description() + " " + digest());
    }
}

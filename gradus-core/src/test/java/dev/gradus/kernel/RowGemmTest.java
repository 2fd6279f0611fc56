package dev.gradus.kernel;

import static dev.gradus.kernel.KernelsTest.assertBitIdentical;
import static dev.gradus.kernel.KernelsTest.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link RowGemm} reads the packed weights that training's products read and must compute what
 * they compute: {@code X Wᵀ} by {@link Kernels}, then {@code + b}, bit for bit, for every number
 * of rows (the six-row depth-blocked kernel, the four-, two- and one-row kernels over the whole
 * depth), ragged and full panels, depths of one and of several depth blocks, on both engines.
 */
class RowGemmTest {

    @Test
    void equalsTheBlockedProductPlusTheBiasBitForBit() {
        int[] rowCounts = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 17, 64, 131};
        int[][] shapes = {{1, 1}, {5, 3}, {16, 31}, {33, 256}, {40, 257}, {10, 600}, {70, 784}};  // outputs, inputs
        SplittableRandom random = new SplittableRandom(3);
        for (int engine : KernelsTest.engines()) {
            for (int[] shape : shapes) {
                int n = shape[0];
                int k = shape[1];
                float[] theta = randomArray(2 + n * k, random);
                PackedWeights w = new PackedWeights(engine, n, k, false);
                w.packForward(theta, 2);
                int width = w.paddedOutputs();
                float[] b = Arrays.copyOf(randomArray(n, random), width);
                for (int m : rowCounts) {
                    int ldx = k + 3;                   // rows of X apart by more than their width
                    float[] x = randomArray(1 + m * ldx, random);
                    float[] dense = new float[m * k];
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(x, 1 + i * ldx, dense, i * k, k);
                    }
                    float[] want = new float[m * n];
                    Kernels.of(1, engine, Long.MAX_VALUE).abt(want, 0, dense, 0, theta, 2, m, n, k);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            want[i * n + j] += b[j];
                        }
                    }
                    int ldz = width + 5;
                    float[] z = new float[2 + m * ldz];
                    Arrays.fill(z, 42f);
                    RowGemm.abtBias(x, 1, ldx, m, w, b, z, 2, ldz);
                    float[] got = new float[m * n];
                    for (int i = 0; i < m; i++) {
                        System.arraycopy(z, 2 + i * ldz, got, i * n, n);
                        for (int j = width; j < ldz && 2 + i * ldz + j < z.length; j++) {
                            assertEquals(42f, z[2 + i * ldz + j], "wrote past the padded row " + i);
                        }
                    }
                    assertEquals(42f, z[1], "wrote before Z");
                    assertBitIdentical(want, got, Engine.name(engine) + ", " + m + " rows, W " + n + "x" + k);
                }
            }
        }
    }

    @Test
    void sizesAreChecked() {
        PackedWeights w = PackedWeights.of(new float[12], 0, 3, 4);
        float[] b = new float[w.paddedOutputs()];
        float[] z = new float[2 * w.paddedOutputs()];
        assertThrows(IllegalArgumentException.class, () -> RowGemm.abtBias(new float[7], 0, 4, 2, w, b, z, 0,
                w.paddedOutputs()));
        assertThrows(IllegalArgumentException.class, () -> RowGemm.abtBias(new float[8], 0, 4, 2, w, new float[3], z,
                0, w.paddedOutputs()));
        assertThrows(IllegalArgumentException.class, () -> RowGemm.abtBias(new float[8], 0, 4, 2, w, b, z, 1,
                w.paddedOutputs()));
    }
}

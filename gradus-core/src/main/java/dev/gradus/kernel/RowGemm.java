package dev.gradus.kernel;

/**
 * The forward product for a few rows, {@code Z = X Wᵀ + b}, read straight from {@code X} and from
 * weights packed once in the forward layout of {@link PackedWeights} (the training kernels'
 * layout), by any number of threads at once.
 *
 * <p>Rows are taken four at a time, then two, then one, straight from {@code X} (nothing is
 * packed per call); each block of rows sweeps the packed panels of {@code W} once, several
 * panels at once for one or two rows, so that enough sums are in flight to hide the latency of a
 * fused multiply-add. This suits the one to a dozen rows of a serving request, where the blocked
 * product of {@link Kernels} would spend more time packing {@code X} than multiplying; batches go
 * to {@link Kernels#abt(float[], int, float[], int, PackedWeights, int, Epilogue)} over the same
 * packed weights.
 *
 * <p><b>Same bits as {@link Kernels#abt} plus the bias.</b> Every {@code Z(i,j)} is the chain
 * {@code z ← fma(X(i,p), W(j,p), z)} over {@code p = 0..k-1} in order from {@code z = 0}, then
 * {@code z + b(j)} — what {@link Kernels#abt} followed by adding {@code b} computes, for any
 * number of rows, on the Vector API and the plain engine alike. A row predicted alone and in a
 * batch therefore gets the same bits.
 *
 * <pre>{@code
 * PackedWeights w0 = PackedWeights.of(theta, wOffset, 256, 784);    // W⁰, once
 * float[] b0 = java.util.Arrays.copyOf(bias, w0.paddedOutputs());   // b⁰ padded with zeros
 * RowGemm.abtBias(x, 0, 784, 1, w0, b0, z, 0, w0.paddedOutputs());
 * }</pre>
 */
public final class RowGemm {
    private RowGemm() {}

    /**
     * {@code Z[m × n] = X[m × k] Wᵀ + b} with {@code n = w.outputs()}, {@code k = w.inputs()} and
     * {@code b} padded with zeros to {@link PackedWeights#paddedOutputs()}. Row {@code i} of
     * {@code X} starts at {@code x[xOff + i·ldx]}, row {@code i} of {@code Z} at
     * {@code z[zOff + i·ldz]} and is written over {@code w.paddedOutputs()} columns (the padding
     * columns receive {@code b}'s padding). Allocates nothing.
     */
    public static void abtBias(float[] x, int xOff, int ldx, int m, PackedWeights w, float[] b,
                               float[] z, int zOff, int ldz) {
        int k = w.inputs();
        int width = w.paddedOutputs();
        if (m < 0 || ldx < k || ldz < width || b.length < width
                || (m > 0 && (xOff < 0 || xOff + (long) (m - 1) * ldx + k > x.length
                        || zOff < 0 || zOff + (long) (m - 1) * ldz + width > z.length))) {
            throw new IllegalArgumentException("abtBias: " + m + " rows of " + k + " → " + w.outputs()
                    + " do not fit (x " + x.length + " from " + xOff + " by " + ldx + ", z " + z.length + " from "
                    + zOff + " by " + ldz + ", b " + b.length + ")");
        }
        float[] panels = w.forwardPanels();
        if (w.engine() == Engine.VECTOR) {
            vectorRows(x, xOff, ldx, m, panels, width / VectorGemm.NR, k, b, z, zOff, ldz);
        } else {
            for (int i = 0; i < m; i++) {
                plainRow(x, xOff + i * ldx, panels, w.nr(), k, width / w.nr(), b, z, zOff + i * ldz);
            }
        }
    }

    private static void vectorRows(float[] x, int xOff, int ldx, int m, float[] w, int panels, int k, float[] b,
                                   float[] z, int zOff, int ldz) {
        int nr = VectorGemm.NR;
        int fours = m / 4 * 4;
        // panel by panel, so that one panel of W serves every block of four rows from cache
        for (int q = 0; q < panels; q++) {
            for (int r = 0; r < fours; r += 4) {
                VectorRows.r4p1(x, xOff + r * ldx, ldx, w, q * nr * k, k, b, q * nr, z, zOff + r * ldz + q * nr, ldz);
            }
        }
        int i = fours;
        for (; i + 2 <= m; i += 2) {
            int q = 0;
            for (; q + 2 <= panels; q += 2) {
                VectorRows.r2p2(x, xOff + i * ldx, ldx, w, q * nr * k, k, b, q * nr, z, zOff + i * ldz + q * nr, ldz);
            }
            for (; q < panels; q++) {
                VectorRows.r1p1(x, xOff + i * ldx, w, q * nr * k, k, b, q * nr, z, zOff + i * ldz + q * nr);
                VectorRows.r1p1(x, xOff + (i + 1) * ldx, w, q * nr * k, k, b, q * nr, z,
                        zOff + (i + 1) * ldz + q * nr);
            }
        }
        for (; i < m; i++) {
            int q = 0;
            for (; q + 4 <= panels; q += 4) {
                VectorRows.r1p4(x, xOff + i * ldx, w, q * nr * k, k, b, q * nr, z, zOff + i * ldz + q * nr);
            }
            for (; q < panels; q++) {
                VectorRows.r1p1(x, xOff + i * ldx, w, q * nr * k, k, b, q * nr, z, zOff + i * ldz + q * nr);
            }
        }
    }

    /** The plain-Java twin: the same chain per element with {@link Math#fma}. */
    private static void plainRow(float[] x, int xi, float[] w, int nr, int k, int panels, float[] b, float[] z,
                                 int zi) {
        for (int q = 0; q < panels; q++) {
            int zq = zi + q * nr;
            java.util.Arrays.fill(z, zq, zq + nr, 0f);
            int wi = q * nr * k;
            for (int p = 0; p < k; p++) {
                float xp = x[xi + p];
                int o = wi + p * nr;
                for (int c = 0; c < nr; c++) {
                    z[zq + c] = Math.fma(xp, w[o + c], z[zq + c]);
                }
            }
            for (int c = 0; c < nr; c++) {
                z[zq + c] += b[q * nr + c];
            }
        }
    }
}

package dev.gradus.kernel;

/**
 * The forward product of inference, {@code Z = X Wᵀ + b}, over weights packed once
 * ({@link #pack}) and then only read, by any number of threads at once.
 *
 * <p>Rows are taken four at a time, then two, then one, straight from {@code X} (nothing is
 * packed per call); each block of rows sweeps the packed panels of {@code W} once. This suits
 * the one to eight rows of a serving request, where the blocked product of {@link Kernels} would
 * spend more time packing {@code X} than multiplying.
 *
 * <p><b>Same bits as {@link Kernels#abt} plus the bias.</b> Every {@code Z(i,j)} is the chain
 * {@code z ← fma(X(i,p), W(j,p), z)} over {@code p = 0..k-1} in order from {@code z = 0}, then
 * {@code z + b(j)} — what {@link Kernels#abt} followed by adding {@code b} computes, for any
 * number of rows, on the Vector API and the plain engine alike. A row predicted alone and in a
 * batch therefore gets the same bits.
 *
 * <pre>{@code
 * float[] w0 = RowGemm.pack(theta, wOffset, 256, 784);        // W⁰, once
 * float[] b0 = RowGemm.padBias(theta, bOffset, 256);
 * RowGemm.abtBias(x, 0, 784, 1, w0, 256, 784, b0, z, 0, RowGemm.paddedWidth(256));
 * }</pre>
 */
public final class RowGemm {
    private static final int ENGINE = Engine.DEFAULT;
    /** Columns per packed panel. */
    static final int NR = TiledGemm.nr(ENGINE);

    private RowGemm() {}

    /** {@code n} rounded up to whole panels: the row stride of {@code Z} that {@link #abtBias} writes. */
    public static int paddedWidth(int n) {
        return (n + NR - 1) / NR * NR;
    }

    /**
     * {@code W} ({@code n × k}, row-major from {@code w[offset]}) packed in {@code NR}-wide column
     * panels of {@code Wᵀ} over the full depth: panel {@code q} from {@code q·NR·k} holds, for each
     * input {@code p}, the values {@code W(q·NR + c, p)}; padding columns are zero.
     */
    public static float[] pack(float[] w, int offset, int n, int k) {
        if (n < 1 || k < 1 || offset < 0 || offset + (long) n * k > w.length) {
            throw new IllegalArgumentException("pack: W of " + n + " x " + k + " from offset " + offset
                    + " does not fit an array of " + w.length);
        }
        float[] packed = new float[Math.multiplyExact(paddedWidth(n), k)];
        Packing.packB(Product.ABT, w, offset, n, k, 0, n, 0, k, NR, packed);
        return packed;
    }

    /** {@code b} ({@code n} values from {@code offset}) padded with zeros to {@link #paddedWidth}. */
    public static float[] padBias(float[] b, int offset, int n) {
        float[] padded = new float[paddedWidth(n)];
        System.arraycopy(b, offset, padded, 0, n);
        return padded;
    }

    /**
     * {@code Z[m × n] = X[m × k] Wᵀ + b} with {@code W} from {@link #pack} and {@code b} from
     * {@link #padBias}. Row {@code i} of {@code X} starts at {@code x[xOff + i·ldx]}, row {@code i}
     * of {@code Z} at {@code z[zOff + i·ldz]} and is written over {@link #paddedWidth}{@code (n)}
     * columns (the padding columns hold {@code b}'s zeros plus nothing). Allocates nothing.
     */
    public static void abtBias(float[] x, int xOff, int ldx, int m, float[] w, int n, int k, float[] b,
                               float[] z, int zOff, int ldz) {
        int width = paddedWidth(n);
        if (m < 0 || ldx < k || ldz < width || w.length < (long) width * k || b.length < width
                || (m > 0 && (xOff < 0 || xOff + (long) (m - 1) * ldx + k > x.length
                        || zOff < 0 || zOff + (long) (m - 1) * ldz + width > z.length))) {
            throw new IllegalArgumentException("abtBias: " + m + " rows of " + k + " → " + n + " do not fit (x "
                    + x.length + " from " + xOff + " by " + ldx + ", z " + z.length + " from " + zOff + " by " + ldz
                    + ", packed W " + w.length + ", b " + b.length + ")");
        }
        int panels = width / NR;
        int i = 0;
        if (ENGINE == Engine.VECTOR) {
            int fours = m / 4 * 4;
            // panel by panel, so that one panel of W serves every block of four rows from cache
            for (int q = 0; q < panels; q++) {
                for (int r = 0; r < fours; r += 4) {
                    VectorRows.r4p1(x, xOff + r * ldx, ldx, w, q * NR * k, k, b, q * NR, z, zOff + r * ldz + q * NR,
                            ldz);
                }
            }
            i = fours;
            for (; i + 2 <= m; i += 2) {
                int q = 0;
                for (; q + 2 <= panels; q += 2) {
                    VectorRows.r2p2(x, xOff + i * ldx, ldx, w, q * NR * k, k, b, q * NR, z, zOff + i * ldz + q * NR,
                            ldz);
                }
                for (; q < panels; q++) {
                    VectorRows.r1p1(x, xOff + i * ldx, w, q * NR * k, k, b, q * NR, z, zOff + i * ldz + q * NR);
                    VectorRows.r1p1(x, xOff + (i + 1) * ldx, w, q * NR * k, k, b, q * NR, z,
                            zOff + (i + 1) * ldz + q * NR);
                }
            }
            for (; i < m; i++) {
                int q = 0;
                for (; q + 4 <= panels; q += 4) {
                    VectorRows.r1p4(x, xOff + i * ldx, w, q * NR * k, k, b, q * NR, z, zOff + i * ldz + q * NR);
                }
                for (; q < panels; q++) {
                    VectorRows.r1p1(x, xOff + i * ldx, w, q * NR * k, k, b, q * NR, z, zOff + i * ldz + q * NR);
                }
            }
        } else {
            for (; i < m; i++) {
                plainRow(x, xOff + i * ldx, w, k, panels, b, z, zOff + i * ldz);
            }
        }
    }

    /** The plain-Java twin: the same chain per element with {@link Math#fma}. */
    private static void plainRow(float[] x, int xi, float[] w, int k, int panels, float[] b, float[] z, int zi) {
        for (int q = 0; q < panels; q++) {
            int zq = zi + q * NR;
            java.util.Arrays.fill(z, zq, zq + NR, 0f);
            int wi = q * NR * k;
            for (int p = 0; p < k; p++) {
                float xp = x[xi + p];
                int o = wi + p * NR;
                for (int c = 0; c < NR; c++) {
                    z[zq + c] = Math.fma(xp, w[o + c], z[zq + c]);
                }
            }
            for (int c = 0; c < NR; c++) {
                z[zq + c] += b[q * NR + c];
            }
        }
    }
}

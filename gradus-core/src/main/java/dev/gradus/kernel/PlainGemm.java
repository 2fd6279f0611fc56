package dev.gradus.kernel;

/**
 * The plain-Java micro-kernel, used when the Vector API module is not enabled: the same
 * register-block contract as {@link VectorGemm} on a {@code 4 × 16} block, written as scalar
 * loops that the JIT may vectorise.
 *
 * <p>Each element is the chain {@code c ← Math.fma(A(i,p), B(p,j), c)} for {@code p}
 * ascending, from {@code c = 0}: bit for bit what the Vector API lanes compute.
 */
final class PlainGemm {
    static final int MR = 4;
    static final int NR = 16;

    private PlainGemm() {}

    static void kernel(float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                       boolean accumulate) {
        for (int r = 0; r < MR; r++) {
            int row = ci + r * ldc;
            if (!accumulate) {
                for (int j = 0; j < NR; j++) {
                    c[row + j] = 0f;
                }
            }
            for (int p = 0; p < kc; p++) {
                float aip = pa[ai + p * MR + r];
                int bp = bi + p * NR;
                for (int j = 0; j < NR; j++) {
                    c[row + j] = Math.fma(aip, pb[bp + j], c[row + j]);
                }
            }
        }
    }
}

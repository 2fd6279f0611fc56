package dev.gradus.kernel;

import java.util.Arrays;

/**
 * Products on the plain engine too small to gain from packing: each {@code C(i,j)} is the chain
 * {@code c ← fma(A(i,p), B(p,j), c)} over {@code p = 0..k-1} in order from {@code c = 0}, as in
 * {@link PlainGemm} and {@link VectorGemm}, so the bits are the same; but nothing is packed and
 * nothing is padded to the micro-kernel's {@code 4 × 16} block. A 4-100-3 network at batch 32
 * multiplies 3- and 4-wide operands (6–26 kFLOP per product), which the packed kernel pads to
 * 16 columns or 4 rows and copies first; short trainings of such networks spend most of their
 * time there.
 */
final class SmallGemm {
    /** Plain products below this many operations ({@code 2mnk}) run here. */
    static final long MAX_FLOPS = Long.getLong("gradus.smallGemmFlops", 1L << 18);

    private SmallGemm() {}

    /**
     * {@code C = op(A)·op(B)} ({@code m × n} from {@code cOff}, overwritten), then
     * {@code epilogue} (may be null) on all of it. With {@code bPacked}, {@code b} holds
     * {@code op(B)} in {@code nr}-wide column panels over the depth {@code k} (the layouts of
     * {@link PackedWeights}: panel {@code q} from {@code q·nr·k}, row {@code p} of it at
     * {@code p·nr}).
     */
    static void multiply(int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, boolean bPacked,
                         int nr, int m, int n, int k, Epilogue epilogue) {
        // One small method per loop nest: each is compiled on its own, soon after it starts.
        if (bPacked) {
            packed(op == Product.ATB, c, cOff, a, aOff, b, nr, m, n, k);
        } else if (op == Product.ABT) {
            dots(c, cOff, a, aOff, b, bOff, m, n, k);
        } else {
            rows(op == Product.ATB, c, cOff, a, aOff, b, bOff, m, n, k);
        }
        if (epilogue != null) {
            epilogue.finish(c, cOff, n, 0, m, 0, n);
        }
    }

    /** {@code C(i,j) = Σₚ A(i,p) B(j,p)} with {@code A} {@code m × k} and {@code B} {@code n × k}: two contiguous rows per sum. */
    private static void dots(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * k;
            for (int j = 0; j < n; j++) {
                int bj = bOff + j * k;
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[ai + p], b[bj + p], s);
                }
                c[cOff + i * n + j] = s;
            }
        }
    }

    /**
     * Row {@code i} of {@code C} accumulates {@code A(i,p)·B(p,·)} for {@code p} ascending (the same
     * chain per element), {@code B} {@code k × n} row-major; {@code A} is {@code k × m} when
     * {@code aTransposed}, else {@code m × k}.
     */
    private static void rows(boolean aTransposed, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                             int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * n;
            Arrays.fill(c, row, row + n, 0f);
            for (int p = 0; p < k; p++) {
                float aip = aTransposed ? a[aOff + p * m + i] : a[aOff + i * k + p];
                axpy(c, row, aip, b, bOff + p * n, n);
            }
        }
    }

    /** The same with {@code B(p,·)} in {@code nr}-wide panels: panel {@code q} from {@code q·nr·k}, its row {@code p} at {@code p·nr}. */
    private static void packed(boolean aTransposed, float[] c, int cOff, float[] a, int aOff, float[] b, int nr,
                               int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * n;
            Arrays.fill(c, row, row + n, 0f);
            for (int p = 0; p < k; p++) {
                float aip = aTransposed ? a[aOff + p * m + i] : a[aOff + i * k + p];
                for (int j0 = 0; j0 < n; j0 += nr) {
                    axpy(c, row + j0, aip, b, j0 * k + p * nr, Math.min(nr, n - j0));
                }
            }
        }
    }

    /** {@code c[cOff + j] ← fma(x, b[bOff + j], c[cOff + j])} for {@code j < length}. */
    private static void axpy(float[] c, int cOff, float x, float[] b, int bOff, int length) {
        for (int j = 0; j < length; j++) {
            c[cOff + j] = Math.fma(x, b[bOff + j], c[cOff + j]);
        }
    }
}

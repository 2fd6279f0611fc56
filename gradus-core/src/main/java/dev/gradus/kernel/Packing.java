package dev.gradus.kernel;

/**
 * Copies blocks of {@code op(A)} and {@code op(B)} into the contiguous panels the micro-kernels
 * read, taking care of the transposes on the way so that all three products run the same
 * inner loop.
 *
 * <p>Panels are zero-padded to full width: a padded lane computes a value that is never stored,
 * and the stored lanes see exactly the products they would see without padding.
 */
final class Packing {
    private Packing() {}

    /**
     * Packs {@code A(ic..ic+mc, pc..pc+kc)} as row panels of {@code mr} rows: panel {@code q} holds,
     * for each {@code p}, the {@code mr} values {@code A(ic+q·mr+r, pc+p)} ({@code r = 0..mr-1}),
     * so panel {@code q} starts at {@code q·mr·kc}.
     */
    static void packA(int op, float[] a, int aOff, int m, int k, int ic, int mc, int pc, int kc, int mr,
                      float[] packed) {
        if (Product.aTransposed(op)) {
            packTransposedA(a, aOff, m, ic, mc, pc, kc, mr, packed);
            return;
        }
        int panel = 0;
        for (int r0 = 0; r0 < mc; r0 += mr) {
            int rows = Math.min(mr, mc - r0);
            if (rows == 4 && mr == 4) {
                // A(i,p) = a[aOff + i·k + p]: four rows read side by side, the panel written in
                // order (a quarter faster than a row at a time with stores mr apart).
                int s0 = aOff + (ic + r0) * k + pc;
                int s1 = s0 + k;
                int s2 = s1 + k;
                int s3 = s2 + k;
                for (int p = 0, dst = panel; p < kc; p++, dst += 4) {
                    packed[dst] = a[s0 + p];
                    packed[dst + 1] = a[s1 + p];
                    packed[dst + 2] = a[s2 + p];
                    packed[dst + 3] = a[s3 + p];
                }
            } else if (rows == 8 && mr == 8) {
                // The same for the eight-row panels of 8-float vectors (VectorNarrow's rows as lanes).
                int s0 = aOff + (ic + r0) * k + pc;
                int s1 = s0 + k;
                int s2 = s1 + k;
                int s3 = s2 + k;
                int s4 = s3 + k;
                int s5 = s4 + k;
                int s6 = s5 + k;
                int s7 = s6 + k;
                for (int p = 0, dst = panel; p < kc; p++, dst += 8) {
                    packed[dst] = a[s0 + p];
                    packed[dst + 1] = a[s1 + p];
                    packed[dst + 2] = a[s2 + p];
                    packed[dst + 3] = a[s3 + p];
                    packed[dst + 4] = a[s4 + p];
                    packed[dst + 5] = a[s5 + p];
                    packed[dst + 6] = a[s6 + p];
                    packed[dst + 7] = a[s7 + p];
                }
            } else {
                // A(i,p) = a[aOff + i·k + p]: each row is read in order and written with stride mr.
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (ic + r0 + r) * k + pc;
                    int dst = panel + r;
                    for (int p = 0; p < kc; p++) {
                        packed[dst + p * mr] = a[src + p];
                    }
                }
                for (int r = rows; r < mr; r++) {
                    for (int p = 0; p < kc; p++) {
                        packed[panel + r + p * mr] = 0f;
                    }
                }
            }
            panel += mr * kc;
        }
    }

    /**
     * {@link #packA} for a transposed {@code A}: {@code A(i,p) = a[aOff + p·m + i]}, so each
     * {@code p} gives the {@code mc} values of all panels side by side. They are read once, in
     * order, and dealt out to the panels ({@code mr} values to each), rather than read again for
     * every panel.
     */
    private static void packTransposedA(float[] a, int aOff, int m, int ic, int mc, int pc, int kc, int mr,
                                        float[] packed) {
        int full = mc - mc % mr;   // rows in whole panels
        int panelSize = mr * kc;
        for (int p = 0; p < kc; p++) {
            int src = aOff + (pc + p) * m + ic;
            int dst = p * mr;
            if (mr == 4) {
                for (int r0 = 0; r0 < full; r0 += 4, dst += panelSize) {
                    packed[dst] = a[src + r0];
                    packed[dst + 1] = a[src + r0 + 1];
                    packed[dst + 2] = a[src + r0 + 2];
                    packed[dst + 3] = a[src + r0 + 3];
                }
            } else {
                for (int r0 = 0; r0 < full; r0 += mr, dst += panelSize) {
                    for (int r = 0; r < mr; r++) {
                        packed[dst + r] = a[src + r0 + r];
                    }
                }
            }
            if (full < mc) {   // the last panel, zero-padded
                for (int r = full; r < mc; r++) {
                    packed[dst + r - full] = a[src + r];
                }
                for (int r = mc - full; r < mr; r++) {
                    packed[dst + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs {@code B(pc..pc+kc, jc..jc+nc)} as column panels of {@code nr} columns: panel {@code q}
     * holds, for each {@code p}, the {@code nr} values {@code B(pc+p, jc+q·nr+c)}, so panel
     * {@code q} starts at {@code q·nr·kc}.
     */
    static void packB(int op, float[] b, int bOff, int n, int k, int jc, int nc, int pc, int kc, int nr,
                      float[] packed) {
        int panel = 0;
        for (int c0 = 0; c0 < nc; c0 += nr) {
            int cols = Math.min(nr, nc - c0);
            if (Product.bTransposed(op)) {
                // B(p,j) = b[bOff + j·k + p]: each column of op(B) is a row of b, read in order.
                for (int c = 0; c < cols; c++) {
                    int src = bOff + (jc + c0 + c) * k + pc;
                    int dst = panel + c;
                    for (int p = 0; p < kc; p++) {
                        packed[dst + p * nr] = b[src + p];
                    }
                }
                for (int c = cols; c < nr; c++) {
                    for (int p = 0; p < kc; p++) {
                        packed[panel + c + p * nr] = 0f;
                    }
                }
            } else {
                // B(p,j) = b[bOff + p·n + j]: each p gives nr consecutive values.
                for (int p = 0; p < kc; p++) {
                    int dst = panel + p * nr;
                    System.arraycopy(b, bOff + (pc + p) * n + jc + c0, packed, dst, cols);
                    for (int c = cols; c < nr; c++) {
                        packed[dst + c] = 0f;
                    }
                }
            }
            panel += nr * kc;
        }
    }
}

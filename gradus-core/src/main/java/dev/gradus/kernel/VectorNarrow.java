package dev.gradus.kernel;

import static dev.gradus.kernel.VectorGemm.L;
import static dev.gradus.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The products of a layer of at most {@link #MAX_OUTPUTS} outputs (a classifier's or a
 * regressor's last layer). {@code Z = A Wᵀ} runs with the rows of {@code A} as the lanes: the
 * register tiles of {@link VectorGemm} are {@code NR} columns wide, so two outputs would leave 7
 * of every 8 columns' work padding. Here a vector holds one input {@code p} of {@code L} rows (the row
 * panels that {@link Packing#packA} writes, {@code L} rows tall) and is multiplied by the
 * broadcast {@code W(j,p)} of each output {@code j}. The input gradient {@code G = Δ W}, whose
 * sums are only {@code k ≤ MAX_OUTPUTS} long, runs row by row on {@code C} in place ({@link #ab}).
 *
 * <p>Each lane computes {@code z ← fma(A(i,p), W(j,p), z)} for {@code p} ascending from
 * {@code z = 0}: the chain of {@link VectorGemm} and {@link PlainGemm}, so the results equal
 * theirs bit for bit. Loaded only when {@code jdk.incubator.vector} is present (see
 * {@link Engine}).
 */
final class VectorNarrow {
    /** The widest layer this path takes: four accumulators per row panel. */
    static final int MAX_OUTPUTS = 4;
    /** Row panels packed at once. */
    private static final int PANELS = 16;
    /** Rows of {@link #ab} between epilogues: 128 rows of up to 32 columns stay in L1. */
    private static final int CHUNK_ROWS = 128;

    private VectorNarrow() {}

    /**
     * {@code C[m×n] = A[m×k]·Wᵀ} ({@code A} row-major from {@code aOff}, {@code C} from
     * {@code cOff}) with {@code W} in the forward layout of {@link PackedWeights} (one panel:
     * {@code W(j,p)} at {@code w[p·nr + j]}); each finished block of rows then goes through
     * {@code epilogue} (may be null).
     */
    static void abt(float[] c, int cOff, float[] a, int aOff, float[] w, int nr, int m, int n, int k,
                    Epilogue epilogue, Scratch scratch) {
        float[] packed = scratch.packedA(PANELS * L * k);
        float[] lanes = scratch.tile(2 * MAX_OUTPUTS * L);
        for (int i0 = 0; i0 < m; i0 += PANELS * L) {
            int mc = Math.min(PANELS * L, m - i0);
            packRows(a, aOff, m, k, i0, mc, packed);
            int r0 = 0;
            for (; r0 + L < mc; r0 += 2 * L) {
                panels2(packed, r0 * k, w, nr, k, lanes);
                store(lanes, c, cOff, n, i0 + r0, Math.min(2 * L, mc - r0));
            }
            if (r0 < mc) {
                panels1(packed, r0 * k, w, nr, k, lanes);
                store(lanes, c, cOff, n, i0 + r0, mc - r0);
            }
            if (epilogue != null) {
                epilogue.finish(c, cOff, n, i0, i0 + mc, 0, n);
            }
        }
    }

    /**
     * {@code C[m×n] = A[m×k]·W} for a depth {@code k} of at most {@link #MAX_OUTPUTS} (the input
     * gradient {@code Gᵐ⁻¹ = Δᵐ Wᵐ} of such a layer), {@code A} and {@code C} row-major from
     * {@code aOff} and {@code cOff}, {@code W} in the backward layout of {@link PackedWeights}
     * ({@code W(p, j)} at {@code w[(j − j mod nr)·k + p·nr + j mod nr]}). With so short a sum the
     * tiled product's packing of {@code A} and its per-tile set-up outweigh the arithmetic; here
     * each row of {@code C} is made in place, {@code L} columns per vector, the last
     * {@code n mod L} columns one at a time with {@link Math#fma}. Each {@link #CHUNK_ROWS} rows,
     * while in the first-level cache, then go through {@code epilogue} (may be null).
     */
    static void ab(float[] c, int cOff, float[] a, int aOff, float[] w, int nr, int m, int n, int k,
                   Epilogue epilogue) {
        if (k < 1 || k > MAX_OUTPUTS) {
            throw new IllegalArgumentException("a narrow input gradient sums 1 to " + MAX_OUTPUTS + " terms, got " + k);
        }
        int vectors = n / L;
        for (int i0 = 0; i0 < m; i0 += CHUNK_ROWS) {
            int i1 = Math.min(m, i0 + CHUNK_ROWS);
            for (int i = i0; i < i1; i++) {
                int ai = aOff + i * k;
                int ci = cOff + i * n;
                // A(i, p) broadcast once per row; the chain written out for p = 0..k−1 (k ≤ 4)
                FloatVector a0 = FloatVector.broadcast(S, a[ai]);
                FloatVector a1 = k > 1 ? FloatVector.broadcast(S, a[ai + 1]) : a0;
                FloatVector a2 = k > 2 ? FloatVector.broadcast(S, a[ai + 2]) : a0;
                FloatVector a3 = k > 3 ? FloatVector.broadcast(S, a[ai + 3]) : a0;
                for (int v = 0; v < vectors; v++) {
                    int j = v * L;
                    int wi = (j - j % nr) * k + j % nr;
                    FloatVector z = a0.fma(FloatVector.fromArray(S, w, wi), FloatVector.zero(S));
                    if (k > 1) {
                        z = a1.fma(FloatVector.fromArray(S, w, wi + nr), z);
                    }
                    if (k > 2) {
                        z = a2.fma(FloatVector.fromArray(S, w, wi + 2 * nr), z);
                    }
                    if (k > 3) {
                        z = a3.fma(FloatVector.fromArray(S, w, wi + 3 * nr), z);
                    }
                    z.intoArray(c, ci + j);
                }
                for (int j = vectors * L; j < n; j++) {
                    int wi = (j - j % nr) * k + j % nr;
                    float z = 0f;
                    for (int p = 0; p < k; p++) {
                        z = Math.fma(a[ai + p], w[wi + p * nr], z);
                    }
                    c[ci + j] = z;
                }
            }
            if (epilogue != null) {
                epilogue.finish(c, cOff, n, i0, i1, 0, n);
            }
        }
    }

    /**
     * Rows {@code i0 .. i0 + mc − 1} of {@code A} ({@code m × k}) as row panels of {@code L} rows,
     * as {@link Packing#packA} packs them: with 8-float vectors, whole panels by 8 × 8 transposes
     * in registers ({@link VectorTranspose}), the last columns ({@code k mod 8}) and a ragged last
     * panel (zero-padded) one value at a time.
     */
    static void packRows(float[] a, int aOff, int m, int k, int i0, int mc, float[] packed) {
        if (!VectorTranspose.USABLE) {
            Packing.packA(Product.ABT, a, aOff, m, k, i0, mc, 0, k, L, packed);
            return;
        }
        int full = mc / 8 * 8;
        int kFull = k / 8 * 8;
        for (int r0 = 0; r0 < full; r0 += 8) {
            int src = aOff + (i0 + r0) * k;
            int panel = r0 * k;
            VectorTranspose.transpose8(a, src, k, packed, panel, 8, kFull / 8, 64);
            for (int p = kFull; p < k; p++) {
                for (int r = 0; r < 8; r++) {
                    packed[panel + p * 8 + r] = a[src + r * k + p];
                }
            }
        }
        if (full < mc) {
            int rows = mc - full;
            int src = aOff + (i0 + full) * k;
            int panel = full * k;
            for (int p = 0; p < k; p++) {
                for (int r = 0; r < 8; r++) {
                    packed[panel + p * 8 + r] = r < rows ? a[src + r * k + p] : 0f;
                }
            }
        }
    }

    /** Two row panels from {@code pi}: {@code lanes[j·2L + r]} = row {@code r}'s output {@code j}. */
    private static void panels2(float[] pa, int pi, float[] w, int nr, int k, float[] lanes) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c03 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c13 = c00;
        int second = pi + L * k;
        for (int p = 0; p < k; p++) {
            FloatVector a0 = FloatVector.fromArray(S, pa, pi + p * L);
            FloatVector a1 = FloatVector.fromArray(S, pa, second + p * L);
            int wp = p * nr;
            FloatVector w0 = FloatVector.broadcast(S, w[wp]);
            c00 = a0.fma(w0, c00);
            c10 = a1.fma(w0, c10);
            FloatVector w1 = FloatVector.broadcast(S, w[wp + 1]);
            c01 = a0.fma(w1, c01);
            c11 = a1.fma(w1, c11);
            FloatVector w2 = FloatVector.broadcast(S, w[wp + 2]);
            c02 = a0.fma(w2, c02);
            c12 = a1.fma(w2, c12);
            FloatVector w3 = FloatVector.broadcast(S, w[wp + 3]);
            c03 = a0.fma(w3, c03);
            c13 = a1.fma(w3, c13);
        }
        c00.intoArray(lanes, 0);
        c10.intoArray(lanes, L);
        c01.intoArray(lanes, 2 * L);
        c11.intoArray(lanes, 3 * L);
        c02.intoArray(lanes, 4 * L);
        c12.intoArray(lanes, 5 * L);
        c03.intoArray(lanes, 6 * L);
        c13.intoArray(lanes, 7 * L);
    }

    /** One row panel from {@code pi}, laid out as {@link #panels2} lays out its first. */
    private static void panels1(float[] pa, int pi, float[] w, int nr, int k, float[] lanes) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int p = 0; p < k; p++) {
            FloatVector a0 = FloatVector.fromArray(S, pa, pi + p * L);
            int wp = p * nr;
            c0 = a0.fma(FloatVector.broadcast(S, w[wp]), c0);
            c1 = a0.fma(FloatVector.broadcast(S, w[wp + 1]), c1);
            c2 = a0.fma(FloatVector.broadcast(S, w[wp + 2]), c2);
            c3 = a0.fma(FloatVector.broadcast(S, w[wp + 3]), c3);
        }
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, 2 * L);
        c2.intoArray(lanes, 4 * L);
        c3.intoArray(lanes, 6 * L);
    }

    /** Rows {@code i .. i + rows − 1} of {@code C} from the lanes. */
    private static void store(float[] lanes, float[] c, int cOff, int n, int i, int rows) {
        for (int r = 0; r < rows; r++) {
            int row = cOff + (i + r) * n;
            for (int j = 0; j < n; j++) {
                c[row + j] = lanes[j * 2 * L + r];
            }
        }
    }
}

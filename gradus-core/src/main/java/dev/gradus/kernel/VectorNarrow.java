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
 * broadcast {@code W(j,p)} of each output {@code j}; with 8-float vectors it runs on the rows in
 * place instead ({@link #abtInPlace}, {@link #IN_PLACE}). The input gradient {@code G = Δ W}, whose
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
    /**
     * Whether {@link Kernels} runs {@code Z = A Wᵀ} as {@link #abtInPlace} rather than {@link #abt}:
     * with 8-float vectors (AVX2). There, packing {@code A} with its rows as lanes cost more than
     * the sums themselves (one 1,024 × 32 block, 2 outputs: 31–39 µs with the lanes, 22–26 µs in
     * place, thread CPU time, JDK 17; 8 × 8 register transposes instead of the scalar packing made
     * it no faster, their shuffles' index checks included); wider vectors keep the lanes.
     */
    static final boolean IN_PLACE = L <= 8;
    /** Rows of {@link #ab} and {@link #abtInPlace} between epilogues: 128 rows of 32 floats stay in L1. */
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
            Packing.packA(Product.ABT, a, aOff, m, k, i0, mc, 0, k, L, packed);
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
     * {@link #abt} reading the rows of {@code A} where they lie, with scalar fused multiply-adds
     * ({@link Math#fma}, one rounding, as a vector lane's): four rows and two outputs at a time,
     * eight independent chains over {@code p}, so that they fill both FMA pipes without packing
     * {@code A}. Each {@link #CHUNK_ROWS} rows then go through {@code epilogue} (may be null).
     */
    static void abtInPlace(float[] c, int cOff, float[] a, int aOff, float[] w, int nr, int m, int n, int k,
                           Epilogue epilogue) {
        for (int i0 = 0; i0 < m; i0 += CHUNK_ROWS) {
            int i1 = Math.min(m, i0 + CHUNK_ROWS);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int a0 = aOff + i * k;
                int a1 = a0 + k;
                int a2 = a1 + k;
                int a3 = a2 + k;
                int ci = cOff + i * n;
                for (int j = 0; j < n; j += 2) {
                    if (j + 1 < n) {
                        float z00 = 0f, z01 = 0f, z10 = 0f, z11 = 0f, z20 = 0f, z21 = 0f, z30 = 0f, z31 = 0f;
                        for (int p = 0, wp = j; p < k; p++, wp += nr) {
                            float w0 = w[wp];
                            float w1 = w[wp + 1];
                            float x0 = a[a0 + p];
                            float x1 = a[a1 + p];
                            float x2 = a[a2 + p];
                            float x3 = a[a3 + p];
                            z00 = Math.fma(x0, w0, z00);
                            z01 = Math.fma(x0, w1, z01);
                            z10 = Math.fma(x1, w0, z10);
                            z11 = Math.fma(x1, w1, z11);
                            z20 = Math.fma(x2, w0, z20);
                            z21 = Math.fma(x2, w1, z21);
                            z30 = Math.fma(x3, w0, z30);
                            z31 = Math.fma(x3, w1, z31);
                        }
                        c[ci + j] = z00;
                        c[ci + j + 1] = z01;
                        c[ci + n + j] = z10;
                        c[ci + n + j + 1] = z11;
                        c[ci + 2 * n + j] = z20;
                        c[ci + 2 * n + j + 1] = z21;
                        c[ci + 3 * n + j] = z30;
                        c[ci + 3 * n + j + 1] = z31;
                    } else {
                        float z0 = 0f, z1 = 0f, z2 = 0f, z3 = 0f;
                        for (int p = 0, wp = j; p < k; p++, wp += nr) {
                            float w0 = w[wp];
                            z0 = Math.fma(a[a0 + p], w0, z0);
                            z1 = Math.fma(a[a1 + p], w0, z1);
                            z2 = Math.fma(a[a2 + p], w0, z2);
                            z3 = Math.fma(a[a3 + p], w0, z3);
                        }
                        c[ci + j] = z0;
                        c[ci + n + j] = z1;
                        c[ci + 2 * n + j] = z2;
                        c[ci + 3 * n + j] = z3;
                    }
                }
            }
            for (; i < i1; i++) {
                int ai = aOff + i * k;
                for (int j = 0; j < n; j++) {
                    float z = 0f;
                    for (int p = 0, wp = j; p < k; p++, wp += nr) {
                        z = Math.fma(a[ai + p], w[wp], z);
                    }
                    c[cOff + i * n + j] = z;
                }
            }
            if (epilogue != null) {
                epilogue.finish(c, cOff, n, i0, i1, 0, n);
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

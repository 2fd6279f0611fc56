package dev.gradus.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API micro-kernels: an {@code MR × NR} block of {@code C} held in registers while
 * the packed panels of {@code A} and {@code B} stream past, {@code NR} being two vectors.
 *
 * <p>Each lane computes {@code c ← fma(A(i,p), B(p,j), c)} for {@code p} ascending, starting
 * from {@code c = 0} (or from {@code C} when a later block of {@code k} continues the sum) —
 * the same chain of fused multiply-adds as {@link PlainGemm}, so both paths agree bit for bit.
 *
 * <p>This class is loaded only when the {@code jdk.incubator.vector} module is present (see
 * {@link Engine}). Accumulators are locals and the species is {@code static final}: an array of
 * vectors, or a species read from a field, would stop the JIT from keeping them in registers.
 */
final class VectorGemm {
    /** The widest float species of this CPU, or {@code -Dgradus.vectorBits=256|512} to choose. */
    static final VectorSpecies<Float> S = species();
    /** Lanes per vector. */
    static final int L = S.length();
    /** Columns of a register block: two vectors. */
    static final int NR = 2 * L;
    /**
     * Rows of a register block. With 16 lanes (AVX-512, 32 registers) six rows keep 12
     * accumulators, two loads of {@code B} and a broadcast live; with 8 lanes (AVX2, 16
     * registers) four rows keep 8 accumulators and do not spill. Override with
     * {@code -Dgradus.mr=4|6|8} to measure.
     */
    static final int MR = Integer.getInteger("gradus.mr", L >= 16 ? 6 : 4);

    private VectorGemm() {}

    private static VectorSpecies<Float> species() {
        int bits = Integer.getInteger("gradus.vectorBits", 0);
        return switch (bits) {
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    /** True when vectors are wide enough (4 floats or more) to be worth it. */
    static boolean usable() {
        return L >= 4 && (MR == 4 || MR == 6 || MR == 8);
    }

    /** Runs the {@code MR × NR} micro-kernel chosen at class initialisation. */
    static void kernel(float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                       boolean accumulate) {
        switch (MR) {
            case 4 -> kernel4(pa, ai, pb, bi, kc, c, ci, ldc, accumulate);
            case 6 -> kernel6(pa, ai, pb, bi, kc, c, ci, ldc, accumulate);
            default -> kernel8(pa, ai, pb, bi, kc, c, ci, ldc, accumulate);
        }
    }

    /** The 4×NR register block: 8 accumulators, 2 loads of B and 4 broadcasts of A per step. */
    static void kernel4(float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                        boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, ci + 0 * ldc);
            c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        } else {
            FloatVector zero = FloatVector.zero(S);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
        }
        int aEnd = ai + kc * 4;
        for (; ai < aEnd; ai += 4, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }

    /**
     * {@link #kernel4} for {@code atb} with both operands read where they lie: step {@code p}
     * takes the four consecutive values {@code a[ai + p·lda + r]} of {@code A} ({@code r = 0..3};
     * an {@code A} stored {@code k × m}, or a packed panel with {@code lda = 4}) and the
     * {@code NR} values from {@code b[bi + p·ldb]} of {@code B} ({@code ldb = n} for a {@code B}
     * stored {@code k × n}, or {@code NR} for a packed panel). Each lane runs the same fused
     * multiply-adds in the same order as {@code kernel4}, so the bits are its bits.
     */
    static void kernel4Columns(float[] a, int ai, int lda, float[] b, int bi, int ldb, int kc, float[] c, int ci,
                               int ldc, boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, ci + 0 * ldc);
            c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        } else {
            FloatVector zero = FloatVector.zero(S);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
        }
        for (int p = 0, at = ai; p < kc; p++, at += lda, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, a[at]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[at + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[at + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[at + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }

    /** The 6×NR register block: 12 accumulators, 2 loads of B and 6 broadcasts of A per step. */
    static void kernel6(float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                        boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, ci + 0 * ldc);
            c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
        } else {
            FloatVector zero = FloatVector.zero(S);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
            c40 = zero;
            c41 = zero;
            c50 = zero;
            c51 = zero;
        }
        int aEnd = ai + kc * 6;
        for (; ai < aEnd; ai += 6, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
    }

    /** The 8×NR register block: 16 accumulators, 2 loads of B and 8 broadcasts of A per step. */
    static void kernel8(float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                        boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        FloatVector c50, c51;
        FloatVector c60, c61;
        FloatVector c70, c71;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, ci + 0 * ldc);
            c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, ci + 6 * ldc);
            c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, ci + 7 * ldc);
            c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
        } else {
            FloatVector zero = FloatVector.zero(S);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
            c40 = zero;
            c41 = zero;
            c50 = zero;
            c51 = zero;
            c60 = zero;
            c61 = zero;
            c70 = zero;
            c71 = zero;
        }
        int aEnd = ai + kc * 8;
        for (; ai < aEnd; ai += 8, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }

    /**
     * Whether {@link #kernelInPlace} serves this register block: the four-row block of 8-float
     * vectors (AVX2), where reading {@code A} in place beats packing it (no copy of the
     * activations, and the fused epilogue). With six rows the JIT runs out of general registers
     * for the row offsets and spills in the inner loop, so the six-row block of 16-float vectors
     * (AVX-512) keeps packing {@code A}.
     */
    static boolean inPlace() {
        return MR == 4;
    }

    /**
     * {@link #kernel} with {@code A} read in place rather than packed: row {@code r} of the
     * block is {@code a[ai + r·lda ..]}, {@code p} steps along the row (a row-major {@code A} of
     * a product {@code A Wᵀ}, as MLAS reads it). The same chain per lane, so the same bits.
     */
    static void kernelInPlace(float[] a, int ai, int lda, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                              boolean accumulate) {
        kernel4InPlace(a, ai, lda, pb, bi, kc, c, ci, ldc, accumulate);
    }

    /**
     * Finishes a stored {@code rows × NR} tile of {@code C} while it is in the first-level cache:
     * {@code z + b(j)} with {@code b(j) = bias[bOff + j]}, then, with {@code relu},
     * {@code z > 0 ? z : 0} — the operations of {@link Functions#addBias} and
     * {@link Functions#addBiasRelu}, so the same bits as those passes over the finished product.
     * Kept out of the kernels: values live after a kernel's loop would take registers from it.
     */
    static void finishTile(float[] c, int ci, int ldc, int rows, float[] bias, int bOff, boolean relu) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, bOff);
        FloatVector bias1 = FloatVector.fromArray(S, bias, bOff + L);
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            FloatVector z0 = FloatVector.fromArray(S, c, row).add(bias0);
            FloatVector z1 = FloatVector.fromArray(S, c, row + L).add(bias1);
            if (relu) {
                z0 = zero.blend(z0, z0.compare(VectorOperators.GT, 0f));
                z1 = zero.blend(z1, z1.compare(VectorOperators.GT, 0f));
            }
            z0.intoArray(c, row);
            z1.intoArray(c, row + L);
        }
    }

    /** The 4×NR register block over four rows of {@code A} in place. */
    static void kernel4InPlace(float[] a, int ai, int lda, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                               boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, ci + 0 * ldc);
            c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
            c10 = FloatVector.fromArray(S, c, ci + 1 * ldc);
            c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
        } else {
            FloatVector zero = FloatVector.zero(S);
            c00 = zero;
            c01 = zero;
            c10 = zero;
            c11 = zero;
            c20 = zero;
            c21 = zero;
            c30 = zero;
            c31 = zero;
        }
        // One induction variable, the index x of row 0 (rows r at x + r·lda, B's row at
        // bx + x·NR): the JIT hoists every range check and keeps all offsets in registers.
        int d1 = lda;
        int d2 = d1 + lda;
        int d3 = d2 + lda;
        int bx = bi - ai * NR;     // modular: bx + x·NR is bi + (x − ai)·NR exactly
        int end = ai + kc;
        for (int x = ai; x < end; x++) {
            int o = bx + x * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, o);
            FloatVector b1 = FloatVector.fromArray(S, pb, o + L);
            FloatVector x0 = FloatVector.broadcast(S, a[x]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[x + d1]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[x + d2]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[x + d3]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
        }
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + L);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }

    /**
     * The forward packing of {@link PackedWeights} for the full panels: for {@code j0} in steps
     * of {@code NR} below {@code outputs}, panel {@code j0/NR} holds at {@code j0·inputs + p·NR + c}
     * the value {@code W[j0 + c][p]}: with 8-float vectors by 8 × 8 transposes in registers
     * ({@link VectorTranspose}), otherwise with one gather per {@code L} lanes.
     */
    static void packTransposed(float[] w, int offset, int outputs, int inputs, int[] rowOffsets, float[] packed) {
        if (VectorTranspose.USABLE) {
            // 8 × 8 blocks transposed in registers: each half of a panel is 8 rows of W
            int pFull = inputs / 8 * 8;
            for (int j0 = 0; j0 < outputs; j0 += L) {
                int src = offset + j0 * inputs;
                int dst = j0 / NR * NR * inputs + j0 % NR;   // panel j0 / NR, lanes from j0 mod NR
                VectorTranspose.transpose8(w, src, inputs, packed, dst, NR, pFull / 8, 8 * NR);
                for (int p = pFull; p < inputs; p++) {
                    for (int c = 0; c < L; c++) {
                        packed[dst + p * NR + c] = w[src + c * inputs + p];
                    }
                }
            }
            return;
        }
        for (int j0 = 0; j0 < outputs; j0 += NR) {
            int src0 = offset + j0 * inputs;
            int src1 = src0 + L * inputs;
            int dst = j0 * inputs;
            for (int p = 0; p < inputs; p++, dst += NR) {
                FloatVector.fromArray(S, w, src0 + p, rowOffsets, 0).intoArray(packed, dst);
                FloatVector.fromArray(S, w, src1 + p, rowOffsets, 0).intoArray(packed, dst + L);
            }
        }
    }
}

package dev.gradus.kernel;

import static dev.gradus.kernel.VectorGemm.L;
import static dev.gradus.kernel.VectorGemm.NR;
import static dev.gradus.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * {@code Z = A Wᵀ} against weights prepacked in the forward layout of {@link PackedWeights}, on
 * 8-float vectors (AVX2: 16 vector registers): a register block of {@value #MR} rows by
 * {@code NR = 16} columns (10 accumulators, two vectors of {@code W}, the broadcasts of
 * {@code A}), over the whole depth of the product at once.
 *
 * <p>Measured against the blocked product of {@link TiledGemm} (four-row block, depth blocks
 * of 196 for {@code k = 784}) on the forward product of a 784 → 256 layer, 64 rows at a time,
 * on an AVX2 EPYC: about 75 GFLOP/s against 57–62, where the micro-kernel alone runs at about
 * 90 with its operands in the first-level cache. What the gain is made of:
 * <ul>
 *   <li><b>No depth blocks</b> up to {@value #DEPTH}: a register tile is loaded and stored
 *       once instead of once per depth block, the kernel is called a quarter as often, and a
 *       panel of {@code W} ({@code 16 × k} floats, 49 KiB at {@code k = 784}) streams from
 *       the second-level cache in one long run that the hardware prefetches well;</li>
 *   <li><b>five rows</b>: ten sums in flight where two pipes of 4-cycle fused multiply-adds
 *       need eight, and 7 loads per 10 multiply-adds rather than 6 per 8. Six rows (12
 *       accumulators) would need 15 of the 16 registers: the JIT then spills a sum in the
 *       loop, at half the speed;</li>
 *   <li><b>one induction variable</b>: the rows of {@code A} are packed into panels with a
 *       stride of {@value #STRIDE} floats per step, so that the kernel's indices are shifts of
 *       {@code p}; the JIT then hoists every range check (for a stride of 5 or 6 it turns the
 *       multiplication into shifts and additions, no longer recognises the index, and checks
 *       every load).</li>
 * </ul>
 * A ragged last panel of fewer than {@value #MR} rows is zero-padded; its tile is computed on
 * scratch and its valid rows copied.
 *
 * <p><b>Same bits.</b> Each lane is the chain {@code c ← fma(A(i,p), W(j,p), c)} over
 * {@code p} ascending from 0 (depth blocks, past {@value #DEPTH}, continue the sum from
 * {@code C}) — the chain of {@link VectorGemm}, {@link PlainGemm} and {@link RowGemm}, so a
 * row gives the same bits on every path, in any block of rows, on any thread. A
 * {@link BiasEpilogue} is applied to each register tile as it is stored after the last depth
 * block ({@link VectorGemm#finishTile}), other epilogues to each finished block.
 *
 * <p>Loaded only when {@code jdk.incubator.vector} is present (see {@link Engine}).
 */
final class PackedAbt {
    /** Rows of the register block. */
    static final int MR = 5;
    /** Floats per step of a packed row panel: the {@value #MR} values of {@code A(·, p)} and three unused ones. */
    static final int STRIDE = 8;
    /** The deepest product done without depth blocks: a panel of {@code W} of 64 KiB. */
    static final int DEPTH = 1024;
    /** Rows packed at once: 16 panels. */
    static final int MC = MR * 16;
    /**
     * Whether this path serves the products {@code A Wᵀ} with prepacked weights of more
     * column panels than {@link TiledGemm} reads {@code A} in place for: on 8-float vectors,
     * where {@link VectorGemm}'s block has four rows ({@code -Dgradus.packedAbt=false} to
     * measure the other path; same bits). On 16-float vectors (AVX-512, 32 registers)
     * {@link VectorGemm}'s block already has six rows.
     */
    static final boolean ENABLED = L == 8 && VectorGemm.MR == 4
            && !"false".equals(System.getProperty("gradus.packedAbt"));

    /**
     * Whether {@link TiledGemm} sends products {@code A Wᵀ} of unpacked {@code W} over at most
     * {@link #MC} rows here, each panel of {@code W} packed inside the product
     * ({@code -Dgradus.panelsInProduct=false} to measure the blocked path; same bits).
     */
    static final boolean PANELS_IN_PRODUCT = ENABLED && !"false".equals(System.getProperty("gradus.panelsInProduct"));

    /** Single lanes for {@link #pack}'s blends. */
    private static final VectorMask<Float> LANE1 = lane(1);
    private static final VectorMask<Float> LANE2 = lane(2);
    private static final VectorMask<Float> LANE3 = lane(3);
    private static final VectorMask<Float> LANE4 = lane(4);

    private PackedAbt() {}

    /**
     * {@code C(i0..i1, j0..j1) = A Wᵀ} on that rectangle, {@code C} row-major {@code m × n}
     * from {@code cOff}, {@code A} row-major {@code m × k} from {@code aOff}, {@code w} the
     * forward panels ({@code NR}-wide, panel {@code q} from {@code q·NR·k}); {@code j0} a
     * multiple of {@code NR}, {@code k ≥ 1}. {@code epilogue} (may be null) finishes each block
     * once its sums are complete.
     */
    static void multiply(float[] c, int cOff, float[] a, int aOff, float[] w, int m, int n, int k, int i0, int i1,
                         int j0, int j1, Epilogue epilogue, Scratch scratch) {
        multiply(c, cOff, a, aOff, w, 0, true, m, n, k, i0, i1, j0, j1, epilogue, scratch);
    }

    /**
     * The same with {@code W} either prepacked ({@code wPacked}: the forward panels, {@code wOff}
     * ignored) or row-major ({@code n × k} from {@code w[wOff]}, as the flat parameters hold it).
     * Unpacked, each column panel of {@code W} is transposed into scratch ({@link #packPanel})
     * right before the register tiles that read it, so the transpose is split over the threads
     * with the tiles and the panel ({@code 16 × k} floats) is read from the first- or
     * second-level cache. Meant for rectangles of at most {@link #MC} rows (one block of rows),
     * where every panel serves its rows once: a training step of a small batch, which would read
     * prepacked weights once per pass. More rows pack each panel once per block of rows.
     */
    static void multiply(float[] c, int cOff, float[] a, int aOff, float[] w, int wOff, boolean wPacked, int m, int n,
                         int k, int i0, int i1, int j0, int j1, Epilogue epilogue, Scratch scratch) {
        int blocks = (k + DEPTH - 1) / DEPTH;
        int kcMax = (k + blocks - 1) / blocks;
        float[] packed = scratch.packedA(MC / MR * STRIDE * kcMax);
        float[] panel = wPacked ? w : scratch.packedB(NR * kcMax);
        float[] tile = scratch.tile(MR * NR);
        BiasEpilogue fused = epilogue instanceof BiasEpilogue be && be.covers((n + NR - 1) / NR * NR) ? be : null;
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            boolean accumulate = pc > 0;
            boolean last = pc + kc == k;
            BiasEpilogue finish = last ? fused : null;
            for (int ic = i0; ic < i1; ic += MC) {
                int mc = Math.min(MC, i1 - ic);
                pack(a, aOff + ic * k + pc, k, mc, kc, packed);
                for (int jr = j0; jr < j1; jr += NR) {
                    int cols = Math.min(NR, j1 - jr);
                    int bi = jr * k + pc * NR;
                    if (!wPacked) {
                        packPanel(w, wOff + jr * k + pc, k, Math.min(NR, n - jr), kc, panel);
                        bi = 0;
                    }
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        int cij = cOff + (ic + ir) * n + jr;
                        if (rows == MR && cols == NR) {
                            kernel(packed, ir / MR * STRIDE * kc, panel, bi, kc, c, cij, n, accumulate);
                            if (finish != null) {
                                VectorGemm.finishTile(c, cij, n, MR, finish.bias(), finish.biasOffset() + jr,
                                        finish.relu());
                            }
                            continue;
                        }
                        // A ragged edge: the full tile on scratch, then its valid part.
                        if (accumulate) {
                            for (int r = 0; r < rows; r++) {
                                System.arraycopy(c, cij + r * n, tile, r * NR, cols);
                            }
                        }
                        kernel(packed, ir / MR * STRIDE * kc, panel, bi, kc, tile, 0, NR, accumulate);
                        if (finish != null) {
                            VectorGemm.finishTile(tile, 0, NR, rows, finish.bias(), finish.biasOffset() + jr,
                                    finish.relu());
                        }
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(tile, r * NR, c, cij + r * n, cols);
                        }
                    }
                }
                if (last && epilogue != null && finish == null) {
                    epilogue.finish(c, cOff, n, ic, ic + mc, j0, j1);
                }
            }
        }
    }

    /**
     * Transposes {@code cols ≤ NR} rows of {@code W} ({@code kc} values from {@code w[at]}, rows
     * {@code ldw} apart) into one panel of the forward layout: {@code W(c, p)} at
     * {@code panel[p·NR + c]}, columns past {@code cols} zero. A whole panel goes through
     * {@link VectorTranspose}'s 8 × 8 register transposes, the rest value by value.
     */
    static void packPanel(float[] w, int at, int ldw, int cols, int kc, float[] panel) {
        int p0 = 0;
        if (cols == NR && VectorTranspose.USABLE) {
            p0 = kc / 8 * 8;
            VectorTranspose.transpose8(w, at, ldw, panel, 0, NR, p0 / 8, 8 * NR);
            VectorTranspose.transpose8(w, at + 8 * ldw, ldw, panel, 8, NR, p0 / 8, 8 * NR);
        }
        for (int col = 0; col < NR; col++) {
            int src = at + col * ldw;
            for (int p = p0; p < kc; p++) {
                panel[p * NR + col] = col < cols ? w[src + p] : 0f;
            }
        }
    }

    /**
     * Packs {@code mc} rows of {@code A} ({@code kc} values from {@code a[at]}, rows {@code lda}
     * apart) into {@value #MR}-row panels: panel {@code q} from {@code q·STRIDE·kc}, value
     * {@code A(q·MR + r, p)} at {@code p·STRIDE + r}; the rows of a ragged last panel past
     * {@code mc} are zeros. The unused floats of each step hold whatever the vector store put
     * there; nothing reads them.
     *
     * <p>A whole panel is a transpose of five rows. One step {@code p} is one vector store: the
     * vector of row {@code r} is loaded from column {@code p − r}, so that its lane {@code r}
     * holds {@code A(r, p)}, and four blends with single-lane masks take lane {@code r} from
     * row {@code r} ({@code vblendvps} on AVX2): five loads, four blends and a store per step
     * against five scalar loads, five stores and their index arithmetic. Each load stays inside
     * its row's {@code kc} values ({@code p − r ≥ −r} reads row {@code r − 1}'s tail at worst,
     * never before row 0; the steps past {@code kc − L} go value by value). It only moves values,
     * so the panels are the same bits as a copy.
     */
    static void pack(float[] a, int at, int lda, int mc, int kc, float[] packed) {
        int full = mc / MR * MR;
        int vectorSteps = kc - L + 1;      // steps p whose loads end inside row 0's kc values
        for (int r0 = 0; r0 < full; r0 += MR) {
            // row r read from column p − r: s_r = at + (r0 + r)·lda − r; one induction variable
            int s0 = at + r0 * lda;
            int s1 = s0 + lda - 1;
            int s2 = s0 + 2 * lda - 2;
            int s3 = s0 + 3 * lda - 3;
            int s4 = s0 + 4 * lda - 4;
            int base = r0 / MR * STRIDE * kc;
            int p = 0;
            for (; p < vectorSteps; p++) {
                FloatVector.fromArray(S, a, s0 + p)
                        .blend(FloatVector.fromArray(S, a, s1 + p), LANE1)
                        .blend(FloatVector.fromArray(S, a, s2 + p), LANE2)
                        .blend(FloatVector.fromArray(S, a, s3 + p), LANE3)
                        .blend(FloatVector.fromArray(S, a, s4 + p), LANE4)
                        .intoArray(packed, base + p * STRIDE);
            }
            for (; p < kc; p++) {
                int dst = base + p * STRIDE;
                packed[dst] = a[s0 + p];
                packed[dst + 1] = a[s1 + 1 + p];
                packed[dst + 2] = a[s2 + 2 + p];
                packed[dst + 3] = a[s3 + 3 + p];
                packed[dst + 4] = a[s4 + 4 + p];
            }
        }
        if (full < mc) {
            int rows = mc - full;
            int base = full / MR * STRIDE * kc;
            for (int r = 0; r < MR; r++) {
                int src = at + (full + r) * lda;
                for (int p = 0; p < kc; p++) {
                    packed[base + p * STRIDE + r] = r < rows ? a[src + p] : 0f;
                }
            }
        }
    }

    /** The lane {@code r} alone (none on vectors too short to hold it, where this class is not used). */
    private static VectorMask<Float> lane(int r) {
        boolean[] bits = new boolean[S.length()];
        if (r < bits.length) {
            bits[r] = true;
        }
        return VectorMask.fromArray(S, bits, 0);
    }

    /**
     * The {@value #MR} × {@code NR} register block: {@code C(r, ·) (+)= Σₚ A(r,p) W(·,p)} with
     * {@code A(r,p)} at {@code pa[ai + p·STRIDE + r]} and the {@code NR} values of {@code W(·,p)} at
     * {@code pb[bi + p·NR]}; row {@code r} of {@code C} at {@code c[ci + r·ldc]}.
     */
    static void kernel(float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci, int ldc,
                       boolean accumulate) {
        FloatVector c00, c01;
        FloatVector c10, c11;
        FloatVector c20, c21;
        FloatVector c30, c31;
        FloatVector c40, c41;
        if (accumulate) {
            c00 = FloatVector.fromArray(S, c, ci);
            c01 = FloatVector.fromArray(S, c, ci + L);
            c10 = FloatVector.fromArray(S, c, ci + ldc);
            c11 = FloatVector.fromArray(S, c, ci + ldc + L);
            c20 = FloatVector.fromArray(S, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
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
        }
        // One induction variable p (A at ai + 8p, W at bi + 16p): the JIT hoists the range checks.
        for (int p = 0; p < kc; p++) {
            int x = ai + p * STRIDE;
            int o = bi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, pb, o);
            FloatVector b1 = FloatVector.fromArray(S, pb, o + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[x]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[x + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[x + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[x + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[x + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
    }
}

package dev.gradus.kernel;

/**
 * The blocked product over one rectangle of {@code C}: the loops around the micro-kernel.
 *
 * <pre>
 * for jc in columns by NC:                 B block  KC × NC  (packed once per (jc, pc))
 *   for pc in 0..k by kc ≤ KC:             (k cut into blocks of even depth)
 *     pack op(B)(pc.., jc..) in NR-wide column panels
 *     for ic in rows by MC:                A block  MC × KC  (stays in L2)
 *       pack op(A)(ic.., pc..) in MR-tall row panels
 *       for each NR panel, for each MR panel: C tile (MR × NR) ← micro-kernel
 * </pre>
 *
 * <p>A weight gradient {@code atb} of few columns ({@link #ATB_IN_PLACE_PANELS} panels or fewer)
 * would pay for packing both operands without reusing the panels much: the 1,024-row blocks of a
 * full-batch pass over narrow layers ({@code Xᵀ Δ⁰} with 20 inputs and 32 units,
 * {@code Δ¹ᵀ A⁰}) spent more time packing than multiplying. There the micro-kernel reads
 * {@code A} and whole panels of {@code B} where they lie ({@link VectorGemm#kernel4Columns}; 4-row
 * blocks only), and only a ragged last panel of rows is packed.
 *
 * <p>The first {@code k} block starts every sum at 0, later blocks continue it from {@code C}.
 * So every {@code C(i,j)} is one chain of fused multiply-adds over {@code p = 0..k-1} in order,
 * whatever the rectangle, the block sizes or the number of threads: splitting {@code C} into
 * rectangles cannot change a single bit.
 */
final class TiledGemm {
    /** Depth of a packed block: a {@code KC × NR} panel of {@code B} (32 KiB at NR = 32) stays in L1. */
    static final int KC = 256;
    /** Rows of {@code A} packed at once, in units of the micro-kernel's rows. */
    static final int MC_PANELS = 16;
    /** Columns of {@code B} packed at once, in units of the micro-kernel's columns. */
    static final int NC_PANELS = 64;

    /**
     * Whether products {@code A Wᵀ} with prepacked weights read {@code A} in place on the Vector
     * API engine; {@code -Dgradus.packActivations=true} packs it as the other products do (to
     * measure; same bits).
     */
    static final boolean IN_PLACE = !Boolean.getBoolean("gradus.packActivations");
    /**
     * Products {@code A Wᵀ} with prepacked weights read {@code A} in place when they have at
     * most this many column panels: the in-place loop costs more per step than the packed one
     * (the rows' offsets take registers, and C2 then moves values in the loop), which repays
     * the packing only when the packed rows would serve few panels. Measured on AVX2 (64-row
     * blocks, fastest of many calls): 128 columns × depth 256 56 µs in place against 63 µs
     * packed, × depth 784 equal; 256 columns 106–108 µs packed against 112 µs (depth 256) and
     * 367–384 against 412–424 µs (depth 784). Where {@link PackedAbt} serves the packed side
     * (8-float vectors), whose five-row block over the whole depth and vector packing of the rows
     * repay the packing sooner, the limit is 4 panels: 128 columns × depth 256 (W1's layer 1,
     * 1,024 rows in 64-row blocks) 890–911 µs packed against 1,119–1,131 µs in place, 80 and 96
     * columns × depth 128 70–72 against 59–67 GFLOP/s, 64 columns unclear (47–70 against 59–65).
     * {@code -Dgradus.inPlaceMaxPanels=N} to measure.
     */
    static final int IN_PLACE_MAX_PANELS = IN_PLACE
            ? Integer.getInteger("gradus.inPlaceMaxPanels", Engine.vectorAvailable() && PackedAbt.ENABLED ? 4 : 8)
            : 0;
    /**
     * Column panels up to which a block of {@code atb} reads its operands in place rather than
     * packing them, {@code -Dgradus.atbInPlacePanels=N} to measure (0: always pack).
     */
    static final int ATB_IN_PLACE_PANELS = Integer.getInteger("gradus.atbInPlacePanels", 4);

    private TiledGemm() {}

    /** Whether a block of {@code nc} columns of product {@code op} on {@code engine} reads its operands in place. */
    static boolean atbInPlace(int engine, int op, int nc) {
        return op == Product.ATB && engine == Engine.VECTOR && VectorGemm.MR == 4
                && (nc + VectorGemm.NR - 1) / VectorGemm.NR <= ATB_IN_PLACE_PANELS;
    }

    /**
     * The depth of the blocks of {@code k}: at most {@link #KC}, and as even as whole blocks
     * allow ({@code k = 784} gives 4 × 196, not 3 × 256 + 16, whose last block would pay a
     * micro-kernel's loads and stores of {@code C} for 16 steps). A multiple of 4 when
     * {@code k} exceeds {@code KC}.
     */
    static int depthBlock(int k) {
        if (k <= KC) {
            return k;
        }
        int blocks = (k + KC - 1) / KC;
        int kc = ((k + blocks - 1) / blocks + 3) / 4 * 4;
        return Math.min(KC, kc);
    }

    static int mr(int engine) {
        return engine == Engine.VECTOR ? VectorGemm.MR : PlainGemm.MR;
    }

    static int nr(int engine) {
        return engine == Engine.VECTOR ? VectorGemm.NR : PlainGemm.NR;
    }

    /**
     * {@code C(i0..i1, j0..j1) = op(A)·op(B)} restricted to that rectangle; the rest of {@code C}
     * is not touched. {@code C} is {@code m × n} row-major from {@code cOff}.
     */
    static void multiply(int engine, int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                         int m, int n, int k, int i0, int i1, int j0, int j1, Scratch scratch) {
        multiply(engine, op, c, cOff, a, aOff, b, bOff, false, m, n, k, i0, i1, j0, j1, null, scratch);
    }

    /**
     * The same, where {@code bPacked} says that {@code b} already holds all of {@code op(B)} in
     * {@code NR}-wide column panels over the full depth {@code k} (the layouts of
     * {@link PackedWeights}: panel {@code q} from {@code q·NR·k}, {@code bOff} ignored), and
     * {@code epilogue}, when not null, finishes each block of {@code C} once its sums are
     * complete. {@code j0} must then be a multiple of {@code NR}.
     */
    static void multiply(int engine, int op, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                         boolean bPacked, int m, int n, int k, int i0, int i1, int j0, int j1, Epilogue epilogue,
                         Scratch scratch) {
        if (k == 0) {
            for (int i = i0; i < i1; i++) {
                java.util.Arrays.fill(c, cOff + i * n + j0, cOff + i * n + j1, 0f);
            }
            if (epilogue != null && i1 > i0 && j1 > j0) {
                epilogue.finish(c, cOff, n, i0, i1, j0, j1);
            }
            return;
        }
        if (bPacked && op == Product.ABT && engine == Engine.VECTOR && PackedAbt.ENABLED
                && !(VectorGemm.inPlace() && n <= IN_PLACE_MAX_PANELS * VectorGemm.NR)) {
            // Z = A Wᵀ against prepacked W of many panels on 8-float vectors: five-row register
            // blocks over the whole depth (few panels read A in place, below)
            PackedAbt.multiply(c, cOff, a, aOff, b, m, n, k, i0, i1, j0, j1, epilogue, scratch);
            return;
        }
        if (!bPacked && op == Product.ABT && engine == Engine.VECTOR && PackedAbt.PANELS_IN_PRODUCT
                && i1 - i0 <= PackedAbt.MC) {
            // Z = A Wᵀ over few rows (a training step's batch): the five-row blocks, each panel of
            // W transposed right before its tiles (a prepacked W would be read once anyway)
            PackedAbt.multiply(c, cOff, a, aOff, b, bOff, false, m, n, k, i0, i1, j0, j1, epilogue, scratch);
            return;
        }
        int mr = mr(engine);
        int nr = nr(engine);
        int mcMax = mr * MC_PANELS;
        int ncMax = nr * NC_PANELS;
        int kcMax = depthBlock(k);
        float[] packedA = scratch.packedA(mcMax * kcMax);
        float[] packedB = bPacked ? b : scratch.packedB(ncMax * kcMax);
        float[] tile = scratch.tile(mr * nr);
        // Z = A Wᵀ against prepacked W on few column panels: the kernel reads the rows of A where they are
        boolean inPlace = bPacked && op == Product.ABT && engine == Engine.VECTOR && VectorGemm.inPlace()
                && n <= IN_PLACE_MAX_PANELS * nr;
        // φ(Z + b) finished on each register tile as it is stored rather than in a pass over the block
        BiasEpilogue fused = engine == Engine.VECTOR && epilogue instanceof BiasEpilogue be
                && be.covers(roundUp(n, nr)) ? be : null;
        for (int jc = j0; jc < j1; jc += ncMax) {
            int nc = Math.min(ncMax, j1 - jc);
            boolean atbInPlace = fused == null && atbInPlace(engine, op, nc);   // (a fused bias is for abt)
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean accumulate = pc > 0;
                boolean last = pc + kc == k;
                // Column panel q of this block starts at bBase + q·bPanel; its rows are ldb apart.
                int bBase;
                int bPanel;
                int ldb = nr;
                boolean bInPlace = false;
                if (bPacked) {
                    bBase = jc * k + pc * nr;
                    bPanel = nr * k;
                } else if (atbInPlace && nc % nr == 0) {
                    // B(p,j) = b[bOff + p·n + j]: whole panels are read where they lie, too
                    bBase = bOff + pc * n + jc;
                    bPanel = nr;
                    ldb = n;
                    bInPlace = true;
                } else {
                    Packing.packB(op, b, bOff, n, k, jc, nc, pc, kc, nr, packedB);
                    bBase = 0;
                    bPanel = nr * kc;
                }
                BiasEpilogue finish = last ? fused : null;
                float[] bias = finish == null ? null : finish.bias();
                int biasOff = finish == null ? 0 : finish.biasOffset() + jc;
                boolean relu = finish != null && finish.relu();
                for (int ic = i0; ic < i1; ic += mcMax) {
                    int mc = Math.min(mcMax, i1 - ic);
                    if (atbInPlace) {
                        blockAtbInPlace(a, aOff, m, k, ic, pc, packedA, bInPlace ? b : packedB, bBase, bPanel, ldb, mc,
                                nc, kc, c, cOff + ic * n + jc, n, accumulate, tile);
                    } else if (inPlace) {
                        blockInPlace(op, a, aOff, m, k, ic, pc, packedA, packedB, bBase, bPanel, mc, nc, kc, c,
                                cOff + ic * n + jc, n, accumulate, tile, bias, biasOff, relu);
                    } else {
                        Packing.packA(op, a, aOff, m, k, ic, mc, pc, kc, mr, packedA);
                        block(engine, packedA, packedB, bBase, bPanel, mc, nc, kc, c, cOff + ic * n + jc, n,
                                accumulate, tile, bias, biasOff, relu);
                    }
                    if (last && epilogue != null && finish == null) {
                        epilogue.finish(c, cOff, n, ic, ic + mc, jc, jc + nc);
                    }
                }
            }
        }
    }

    /**
     * All register tiles of one {@code mc × nc} block of {@code C = A·op(B)} with {@code A}
     * row-major ({@code m × k}, not transposed) read in place from row {@code ic}, depth
     * {@code pc}: nothing of {@code A} is copied but a ragged last panel of fewer than
     * {@code MR} rows, which is packed (zero-padded) into {@code packedA} for the packed kernel.
     * The same chain per element as {@link #block}, so the same bits. With a {@code bias} (the
     * last block of {@code k}), each tile is finished as {@link BiasEpilogue} says, column
     * {@code j} of the block taking {@code bias[bOff + j]}.
     */
    private static void blockInPlace(int op, float[] a, int aOff, int m, int k, int ic, int pc, float[] packedA,
                                     float[] packedB, int bBase, int bPanel, int mc, int nc, int kc, float[] c, int ci,
                                     int ldc, boolean accumulate, float[] tile, float[] bias, int bOff,
                                     boolean relu) {
        int mr = VectorGemm.MR;
        int nr = VectorGemm.NR;
        int full = mc / mr * mr;
        if (full < mc) {
            Packing.packA(op, a, aOff, m, k, ic + full, mc - full, pc, kc, mr, packedA);
        }
        int aBase = aOff + ic * k + pc;
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int bi = bBase + jr / nr * bPanel;
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int cij = ci + ir * ldc + jr;
                if (rows == mr && cols == nr) {
                    VectorGemm.kernelInPlace(a, aBase + ir * k, k, packedB, bi, kc, c, cij, ldc, accumulate);
                    if (bias != null) {
                        VectorGemm.finishTile(c, cij, ldc, mr, bias, bOff + jr, relu);
                    }
                    continue;
                }
                // A ragged edge: run the full tile on scratch, then keep the valid part.
                if (accumulate) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(c, cij + r * ldc, tile, r * nr, cols);
                    }
                }
                if (rows == mr) {
                    VectorGemm.kernelInPlace(a, aBase + ir * k, k, packedB, bi, kc, tile, 0, nr, accumulate);
                } else {
                    VectorGemm.kernel(packedA, 0, packedB, bi, kc, tile, 0, nr, accumulate);
                }
                if (bias != null) {
                    VectorGemm.finishTile(tile, 0, nr, rows, bias, bOff + jr, relu);
                }
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(tile, r * nr, c, cij + r * ldc, cols);
                }
            }
        }
    }

    /** All register tiles of one packed {@code mc × nc} block. */
    private static void block(int engine, float[] packedA, float[] packedB, int bBase, int bPanel, int mc, int nc,
                              int kc, float[] c, int ci, int ldc, boolean accumulate, float[] tile, float[] bias,
                              int bOff, boolean relu) {
        int mr = mr(engine);
        int nr = nr(engine);
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int bi = bBase + jr / nr * bPanel;
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int ai = ir * kc;
                int cij = ci + ir * ldc + jr;
                if (rows == mr && cols == nr) {
                    kernel(engine, packedA, ai, packedB, bi, kc, c, cij, ldc, accumulate);
                    if (bias != null) {
                        VectorGemm.finishTile(c, cij, ldc, mr, bias, bOff + jr, relu);
                    }
                } else {
                    // A ragged edge: run the full tile on scratch, then keep the valid part.
                    if (accumulate) {
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(c, cij + r * ldc, tile, r * nr, cols);
                        }
                    }
                    kernel(engine, packedA, ai, packedB, bi, kc, tile, 0, nr, accumulate);
                    if (bias != null) {
                        VectorGemm.finishTile(tile, 0, nr, rows, bias, bOff + jr, relu);
                    }
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(tile, r * nr, c, cij + r * ldc, cols);
                    }
                }
            }
        }
    }

    /**
     * {@link #block} for {@code atb} with {@code A(ic.., pc..)} (stored {@code k × m}) read where
     * it lies, and {@code B} too when {@code b} is not the packed panels ({@code ldb = n}): whole
     * 4-row panels go to {@link VectorGemm#kernel4Columns} over {@code A}, a ragged last panel is
     * packed into {@code packedA} once and read from there.
     */
    private static void blockAtbInPlace(float[] a, int aOff, int m, int k, int ic, int pc, float[] packedA,
                                     float[] b, int bBase, int bPanel, int ldb, int mc, int nc, int kc, float[] c,
                                     int ci, int ldc, boolean accumulate, float[] tile) {
        int mr = 4;
        int nr = VectorGemm.NR;
        // Rows outside: the few column panels of B stay in cache while a row panel of A is read
        // once for all of them.
        for (int ir = 0; ir < mc; ir += mr) {
            int rows = Math.min(mr, mc - ir);
            float[] pa = a;
            int ai = aOff + pc * m + ic + ir;
            int lda = m;
            if (rows < mr) {
                Packing.packA(Product.ATB, a, aOff, m, k, ic + ir, rows, pc, kc, mr, packedA);
                pa = packedA;
                ai = 0;
                lda = mr;
            }
            for (int jr = 0; jr < nc; jr += nr) {
                int cols = Math.min(nr, nc - jr);
                int bi = bBase + jr / nr * bPanel;
                int cij = ci + ir * ldc + jr;
                if (rows == mr && cols == nr) {
                    VectorGemm.kernel4Columns(pa, ai, lda, b, bi, ldb, kc, c, cij, ldc, accumulate);
                    continue;
                }
                // A ragged edge: run the full tile on scratch, then keep the valid part.
                if (accumulate) {
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(c, cij + r * ldc, tile, r * nr, cols);
                    }
                }
                VectorGemm.kernel4Columns(pa, ai, lda, b, bi, ldb, kc, tile, 0, nr, accumulate);
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(tile, r * nr, c, cij + r * ldc, cols);
                }
            }
        }
    }

    private static void kernel(int engine, float[] pa, int ai, float[] pb, int bi, int kc, float[] c, int ci,
                               int ldc, boolean accumulate) {
        if (engine == Engine.VECTOR) {
            VectorGemm.kernel(pa, ai, pb, bi, kc, c, ci, ldc, accumulate);
        } else {
            PlainGemm.kernel(pa, ai, pb, bi, kc, c, ci, ldc, accumulate);
        }
    }

    private static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }
}

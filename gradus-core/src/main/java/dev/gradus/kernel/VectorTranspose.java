package dev.gradus.kernel;

import static dev.gradus.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The transpose of 8 × 8 blocks in registers, for the forward packing of {@link PackedWeights}
 * (the transpose of {@code W}): eight rows are loaded as eight vectors, and three rounds exchange
 * single lanes, pairs and halves ({@code rearrange} and {@code blend}; on AVX2 {@code vpermps} and
 * {@code vblendps}), so that vector {@code p} holds column {@code p}. It replaces one gather of
 * eight values per vector: packing a 256 × 784 {@code W} took 139–155 µs against 168–180 µs with
 * the gathers (thread CPU time, JDK 17, where each {@code rearrange} also checks its shuffle's
 * indexes; JDK 25 transposes a block about three times faster still). Only moves values, so the
 * packed panels are the same bits.
 *
 * <p>For 8-float vectors only ({@link #USABLE}: 256-bit, AVX2); with wider vectors the packing
 * keeps its gathers. Loaded only when {@code jdk.incubator.vector} is present
 * (see {@link Engine}).
 */
final class VectorTranspose {
    /** Whether this JVM's vectors hold 8 floats, the block this class transposes. */
    static final boolean USABLE = S.length() == 8
            && !"off".equals(System.getProperty("gradus.vectorTranspose"));

    // Round d (1, 2, 4) pairs rows r and r + d (bit d of r clear): lanes with bit d set take the
    // partner's lane i − d (UP), lanes with it clear take lane i + d (DOWN); HIGH marks bit d.
    private static final VectorShuffle<Float> UP1 = shuffle(1, true);
    private static final VectorShuffle<Float> DOWN1 = shuffle(1, false);
    private static final VectorShuffle<Float> UP2 = shuffle(2, true);
    private static final VectorShuffle<Float> DOWN2 = shuffle(2, false);
    private static final VectorShuffle<Float> UP4 = shuffle(4, true);
    private static final VectorShuffle<Float> DOWN4 = shuffle(4, false);
    private static final VectorMask<Float> HIGH1 = high(1);
    private static final VectorMask<Float> HIGH2 = high(2);
    private static final VectorMask<Float> HIGH4 = high(4);

    private VectorTranspose() {}

    /**
     * Writes the transposes of {@code blocks} 8 × 8 blocks side by side: block {@code q}'s row
     * {@code r} is {@code a[src + 8q + r·lda ..]}, and
     * {@code out[dst + q·dstStep + p·ldo + r] = a[src + 8q + r·lda + p]}. The loop and the
     * block's body are one method (too large for C2 to inline into a loop elsewhere), so that the
     * shuffles and masks, and their index checks, are set up once per call, not once per block.
     */
    static void transpose8(float[] a, int src, int lda, float[] out, int dst, int ldo, int blocks, int dstStep) {
        for (int q = 0; q < blocks; q++, src += 8, dst += dstStep) {
            FloatVector r0 = FloatVector.fromArray(S, a, src);
            FloatVector r1 = FloatVector.fromArray(S, a, src + lda);
            FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * lda);
            FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * lda);
            FloatVector r4 = FloatVector.fromArray(S, a, src + 4 * lda);
            FloatVector r5 = FloatVector.fromArray(S, a, src + 5 * lda);
            FloatVector r6 = FloatVector.fromArray(S, a, src + 6 * lda);
            FloatVector r7 = FloatVector.fromArray(S, a, src + 7 * lda);
            // single lanes between rows 2i and 2i + 1
            FloatVector s0 = r0.blend(r1.rearrange(UP1), HIGH1);
            FloatVector s1 = r0.rearrange(DOWN1).blend(r1, HIGH1);
            FloatVector s2 = r2.blend(r3.rearrange(UP1), HIGH1);
            FloatVector s3 = r2.rearrange(DOWN1).blend(r3, HIGH1);
            FloatVector s4 = r4.blend(r5.rearrange(UP1), HIGH1);
            FloatVector s5 = r4.rearrange(DOWN1).blend(r5, HIGH1);
            FloatVector s6 = r6.blend(r7.rearrange(UP1), HIGH1);
            FloatVector s7 = r6.rearrange(DOWN1).blend(r7, HIGH1);
            // pairs of lanes between rows r and r + 2
            FloatVector t0 = s0.blend(s2.rearrange(UP2), HIGH2);
            FloatVector t2 = s0.rearrange(DOWN2).blend(s2, HIGH2);
            FloatVector t1 = s1.blend(s3.rearrange(UP2), HIGH2);
            FloatVector t3 = s1.rearrange(DOWN2).blend(s3, HIGH2);
            FloatVector t4 = s4.blend(s6.rearrange(UP2), HIGH2);
            FloatVector t6 = s4.rearrange(DOWN2).blend(s6, HIGH2);
            FloatVector t5 = s5.blend(s7.rearrange(UP2), HIGH2);
            FloatVector t7 = s5.rearrange(DOWN2).blend(s7, HIGH2);
            // halves between rows r and r + 4: vector p now holds column p
            t0.blend(t4.rearrange(UP4), HIGH4).intoArray(out, dst);
            t1.blend(t5.rearrange(UP4), HIGH4).intoArray(out, dst + ldo);
            t2.blend(t6.rearrange(UP4), HIGH4).intoArray(out, dst + 2 * ldo);
            t3.blend(t7.rearrange(UP4), HIGH4).intoArray(out, dst + 3 * ldo);
            t0.rearrange(DOWN4).blend(t4, HIGH4).intoArray(out, dst + 4 * ldo);
            t1.rearrange(DOWN4).blend(t5, HIGH4).intoArray(out, dst + 5 * ldo);
            t2.rearrange(DOWN4).blend(t6, HIGH4).intoArray(out, dst + 6 * ldo);
            t3.rearrange(DOWN4).blend(t7, HIGH4).intoArray(out, dst + 7 * ldo);
        }
    }

    /** Lane {@code i} takes lane {@code i − d} where bit {@code d} of {@code i} is set ({@code up}), else {@code i + d}. */
    private static VectorShuffle<Float> shuffle(int d, boolean up) {
        int lanes = S.length();
        int[] from = new int[lanes];
        for (int i = 0; i < lanes; i++) {
            boolean high = (i & d) != 0;
            from[i] = up ? (high ? i - d : i) : (high ? i : Math.min(i + d, lanes - 1));
        }
        return VectorShuffle.fromArray(S, from, 0);
    }

    /** The lanes whose index has bit {@code d} set. */
    private static VectorMask<Float> high(int d) {
        boolean[] bits = new boolean[S.length()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (i & d) != 0;
        }
        return VectorMask.fromArray(S, bits, 0);
    }
}

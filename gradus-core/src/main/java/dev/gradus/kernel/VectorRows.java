package dev.gradus.kernel;

import static dev.gradus.kernel.VectorGemm.L;
import static dev.gradus.kernel.VectorGemm.NR;
import static dev.gradus.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The Vector API kernels of {@link RowGemm}: a few rows of {@code Z = X Wᵀ + b} read straight
 * from the rows of {@code X} and from weights packed in {@code NR}-wide column panels over the
 * full depth {@code k} (panel {@code q} from {@code q·NR·k}, input {@code p} at {@code p·NR}).
 *
 * <p>With one or two rows there are too few sums per panel to hide the latency of a fused
 * multiply-add, so several panels run at once: every shape keeps eight vector accumulators
 * (rows × panels × 2 = 8). Each lane computes {@code z ← fma(X(i,p), W(j,p), z)} for {@code p}
 * ascending from {@code z = 0}, then {@code z + b(j)}: the chain of {@link VectorGemm}, so the
 * results equal the blocked product's bit for bit.
 *
 * <p>Loaded only when {@code jdk.incubator.vector} is present (see {@link Engine}).
 */
final class VectorRows {
    private VectorRows() {}

    /** One row, four panels: {@code c[ci + q·NR ..]} for panels {@code q = 0..3} from {@code wi}. */
    static void r1p4(float[] x, int xi, float[] w, int wi, int k, float[] b, int bi, float[] c, int ci) {
        int step = NR * k;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        int w0 = wi;
        int w1 = wi + step;
        int w2 = wi + 2 * step;
        int w3 = wi + 3 * step;
        for (int p = 0; p < k; p++) {
            FloatVector xp = FloatVector.broadcast(S, x[xi + p]);
            int o = p * NR;
            c00 = xp.fma(FloatVector.fromArray(S, w, w0 + o), c00);
            c01 = xp.fma(FloatVector.fromArray(S, w, w0 + o + L), c01);
            c10 = xp.fma(FloatVector.fromArray(S, w, w1 + o), c10);
            c11 = xp.fma(FloatVector.fromArray(S, w, w1 + o + L), c11);
            c20 = xp.fma(FloatVector.fromArray(S, w, w2 + o), c20);
            c21 = xp.fma(FloatVector.fromArray(S, w, w2 + o + L), c21);
            c30 = xp.fma(FloatVector.fromArray(S, w, w3 + o), c30);
            c31 = xp.fma(FloatVector.fromArray(S, w, w3 + o + L), c31);
        }
        c00.add(FloatVector.fromArray(S, b, bi)).intoArray(c, ci);
        c01.add(FloatVector.fromArray(S, b, bi + L)).intoArray(c, ci + L);
        c10.add(FloatVector.fromArray(S, b, bi + NR)).intoArray(c, ci + NR);
        c11.add(FloatVector.fromArray(S, b, bi + NR + L)).intoArray(c, ci + NR + L);
        c20.add(FloatVector.fromArray(S, b, bi + 2 * NR)).intoArray(c, ci + 2 * NR);
        c21.add(FloatVector.fromArray(S, b, bi + 2 * NR + L)).intoArray(c, ci + 2 * NR + L);
        c30.add(FloatVector.fromArray(S, b, bi + 3 * NR)).intoArray(c, ci + 3 * NR);
        c31.add(FloatVector.fromArray(S, b, bi + 3 * NR + L)).intoArray(c, ci + 3 * NR + L);
    }

    /** One row, one panel. */
    static void r1p1(float[] x, int xi, float[] w, int wi, int k, float[] b, int bi, float[] c, int ci) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        for (int p = 0; p < k; p++) {
            FloatVector xp = FloatVector.broadcast(S, x[xi + p]);
            int o = wi + p * NR;
            c00 = xp.fma(FloatVector.fromArray(S, w, o), c00);
            c01 = xp.fma(FloatVector.fromArray(S, w, o + L), c01);
        }
        c00.add(FloatVector.fromArray(S, b, bi)).intoArray(c, ci);
        c01.add(FloatVector.fromArray(S, b, bi + L)).intoArray(c, ci + L);
    }

    /** Two rows ({@code ldx}, {@code ldc} apart), two panels. */
    static void r2p2(float[] x, int xi, int ldx, float[] w, int wi, int k, float[] b, int bi, float[] c, int ci,
                     int ldc) {
        int step = NR * k;
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c03 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c13 = c00;
        int w0 = wi;
        int w1 = wi + step;
        int x1 = xi + ldx;
        for (int p = 0; p < k; p++) {
            int o = p * NR;
            FloatVector b0 = FloatVector.fromArray(S, w, w0 + o);
            FloatVector b1 = FloatVector.fromArray(S, w, w0 + o + L);
            FloatVector b2 = FloatVector.fromArray(S, w, w1 + o);
            FloatVector b3 = FloatVector.fromArray(S, w, w1 + o + L);
            FloatVector a0 = FloatVector.broadcast(S, x[xi + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
        }
        FloatVector bias0 = FloatVector.fromArray(S, b, bi);
        FloatVector bias1 = FloatVector.fromArray(S, b, bi + L);
        FloatVector bias2 = FloatVector.fromArray(S, b, bi + NR);
        FloatVector bias3 = FloatVector.fromArray(S, b, bi + NR + L);
        c00.add(bias0).intoArray(c, ci);
        c01.add(bias1).intoArray(c, ci + L);
        c02.add(bias2).intoArray(c, ci + NR);
        c03.add(bias3).intoArray(c, ci + NR + L);
        int c1 = ci + ldc;
        c10.add(bias0).intoArray(c, c1);
        c11.add(bias1).intoArray(c, c1 + L);
        c12.add(bias2).intoArray(c, c1 + NR);
        c13.add(bias3).intoArray(c, c1 + NR + L);
    }

    /** Four rows, one panel. */
    static void r4p1(float[] x, int xi, int ldx, float[] w, int wi, int k, float[] b, int bi, float[] c, int ci,
                     int ldc) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        int x1 = xi + ldx;
        int x2 = x1 + ldx;
        int x3 = x2 + ldx;
        for (int p = 0; p < k; p++) {
            int o = wi + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, w, o);
            FloatVector b1 = FloatVector.fromArray(S, w, o + L);
            FloatVector a0 = FloatVector.broadcast(S, x[xi + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, x[x2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, x[x3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        FloatVector bias0 = FloatVector.fromArray(S, b, bi);
        FloatVector bias1 = FloatVector.fromArray(S, b, bi + L);
        c00.add(bias0).intoArray(c, ci);
        c01.add(bias1).intoArray(c, ci + L);
        c10.add(bias0).intoArray(c, ci + ldc);
        c11.add(bias1).intoArray(c, ci + ldc + L);
        c20.add(bias0).intoArray(c, ci + 2 * ldc);
        c21.add(bias1).intoArray(c, ci + 2 * ldc + L);
        c30.add(bias0).intoArray(c, ci + 3 * ldc);
        c31.add(bias1).intoArray(c, ci + 3 * ldc + L);
    }
}

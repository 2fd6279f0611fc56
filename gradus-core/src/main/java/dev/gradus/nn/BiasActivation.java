package dev.gradus.nn;

import dev.gradus.kernel.Epilogue;

/**
 * The forward epilogue of one layer, fused into the product {@code Zᵐ = Aᵐ⁻¹ Wᵐᵀ}:
 * {@code Zᵐ ← Zᵐ + bᵐ}, then {@code Aᵐ = φᵐ(Zᵐ)} for an element-wise {@code φᵐ} (a row-wise one,
 * softmax, runs after the whole product). The same operations, in the same order per element, as
 * adding the bias and applying {@code φᵐ} in separate passes.
 *
 * <p>{@code Aᵐ} goes to {@code a}, laid out like {@code Zᵐ} from index 0: training keeps
 * {@code Zᵐ} for {@code φᵐ'} and passes its own {@code a}; inference passes {@code Zᵐ}'s own
 * array and gets {@code Aᵐ} in place. Training re-points the bias at every pass ({@link #bias});
 * an instance is used by one thread at a time.
 */
final class BiasActivation implements Epilogue {
    private final Activation phi;
    private final float[] a;
    private float[] theta;
    private int biasOffset;

    BiasActivation(Activation phi, float[] a) {
        this.phi = phi;
        this.a = a;
    }

    /** {@code bᵐ} is {@code theta[biasOffset ..]}. */
    BiasActivation bias(float[] theta, int biasOffset) {
        this.theta = theta;
        this.biasOffset = biasOffset;
        return this;
    }

    @Override
    public void finish(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1) {
        float[] t = theta;
        int b = biasOffset;
        boolean elementWise = phi.elementWise();
        for (int i = i0; i < i1; i++) {
            int row = cOff + i * ldc;
            for (int j = j0; j < j1; j++) {
                c[row + j] += t[b + j];
            }
            if (elementWise) {
                phi.applyAll(c, row + j0, a, i * ldc + j0, j1 - j0);
            }
        }
    }
}

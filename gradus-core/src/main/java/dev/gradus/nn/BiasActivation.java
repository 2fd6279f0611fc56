package dev.gradus.nn;

import dev.gradus.kernel.Epilogue;
import dev.gradus.kernel.Functions;

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
        if (phi instanceof Activation.Relu) {
            // one pass: z + b back into Zᵐ, max(z, 0) into Aᵐ (the same operations as the two below)
            Functions.addBiasRelu(c, cOff + i0 * ldc + j0, ldc, i1 - i0, j1 - j0, theta, biasOffset + j0, a,
                    i0 * ldc + j0);
            return;
        }
        Functions.addBias(c, cOff + i0 * ldc + j0, ldc, i1 - i0, j1 - j0, theta, biasOffset + j0);
        if (!phi.elementWise()) {
            return;
        }
        if (j0 == 0 && j1 == ldc) {
            // whole rows: one contiguous stretch of Zᵐ, one call
            phi.applyAll(c, cOff + i0 * ldc, a, i0 * ldc, (i1 - i0) * ldc);
        } else {
            for (int i = i0; i < i1; i++) {
                phi.applyAll(c, cOff + i * ldc + j0, a, i * ldc + j0, j1 - j0);
            }
        }
    }
}

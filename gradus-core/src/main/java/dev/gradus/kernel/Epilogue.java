package dev.gradus.kernel;

/**
 * Work done on a finished rectangle of a product's output {@code C} while it is still in cache:
 * when {@link #finish} is called, every {@code C(i,j)} of the rectangle holds its final sum.
 *
 * <p>The forward pass uses it to add the bias and apply the activation
 * ({@code Zᵐ ← Zᵐ + bᵐ}, {@code Aᵐ = φᵐ(Zᵐ)}), the backward pass to multiply by the
 * derivative ({@code Δᵐ = φᵐ'(Zᵐ) ⊙ Gᵐ}). The rectangles of one product are disjoint and may
 * be finished on different threads at once, so an epilogue must only touch the elements of its
 * rectangle (in {@code C} and in arrays laid out like it). Each element is finished exactly once,
 * after its whole sum, so the result does not depend on how the product was split.
 */
@FunctionalInterface
public interface Epilogue {
    /**
     * Finishes {@code C(i, j)} for {@code i0 ≤ i < i1}, {@code j0 ≤ j < j1}; {@code C(i, j)} is
     * {@code c[cOff + i·ldc + j]}.
     */
    void finish(float[] c, int cOff, int ldc, int i0, int i1, int j0, int j1);
}

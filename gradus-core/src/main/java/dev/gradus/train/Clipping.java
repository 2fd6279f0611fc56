package dev.gradus.train;

/**
 * Gradient clipping by global norm, PyTorch's {@code clip_grad_norm_}: with
 * {@code ‖g‖ = √(Σᵢ gᵢ²)} over all parameters,
 * <pre>
 * g ← g · min(1, c / (‖g‖ + 10⁻⁶))
 * </pre>
 *
 * <pre>{@code
 * double norm = Clipping.clipByGlobalNorm(dTheta, 1.0);   // the norm before clipping
 * }</pre>
 *
 * <p>{@link Trainer} applies it when {@link TrainingOptions#clipNorm()} is set.
 */
public final class Clipping {
    private Clipping() {}

    /**
     * Scales {@code dTheta} in place so that its norm is at most {@code maxNorm}; returns the
     * norm before clipping.
     *
     * @throws IllegalArgumentException unless {@code maxNorm > 0}
     */
    public static double clipByGlobalNorm(float[] dTheta, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("clip norm must be positive, got " + maxNorm);
        }
        double sum = 0;
        for (float g : dTheta) {
            sum += (double) g * g;
        }
        double norm = Math.sqrt(sum);
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) {
            float c = (float) coefficient;
            for (int i = 0; i < dTheta.length; i++) {
                dTheta[i] *= c;
            }
        }
        return norm;
    }
}

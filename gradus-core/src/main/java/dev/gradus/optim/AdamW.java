package dev.gradus.optim;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) in PyTorch's form: decoupled weight decay, then Adam on
 * the plain gradient:
 * <pre>
 * θ ← θ (1 − αλ)
 * m ← β₁m + (1 − β₁) g,  v ← β₂v + (1 − β₂) g²,  θ ← θ − (α/(1 − β₁ᵗ)) m / (√v/√(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * <pre>{@code
 * Optimizer adamw = AdamW.defaults();   // λ = 0.01
 * }</pre>
 *
 * @param learningRate {@code α > 0}
 * @param beta1 {@code β₁} in {@code [0, 1)}
 * @param beta2 {@code β₂} in {@code [0, 1)}
 * @param eps {@code ε > 0}
 * @param weightDecay {@code λ ≥ 0}, decoupled, on all parameters
 */
public record AdamW(double learningRate, double beta1, double beta2, double eps, double weightDecay)
        implements Optimizer {

    public AdamW {
        Adam.checkAdam("adamw", learningRate, beta1, beta2, eps, weightDecay);
    }

    /** PyTorch's defaults: {@code α = 1e-3}, {@code β = (0.9, 0.999)}, {@code ε = 1e-8}, {@code λ = 0.01}. */
    public static AdamW defaults() {
        return new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.01);
    }

    @Override
    public AdamW withLearningRate(double value) {
        return new AdamW(value, beta1, beta2, eps, weightDecay);
    }

    public AdamW withWeightDecay(double value) {
        return new AdamW(learningRate, beta1, beta2, eps, value);
    }

    @Override
    public State init(int size) {
        return new Adam.Moments(size);
    }

    /** The snapshot holds the float arrays {@code m}, {@code v} and the long {@code t}, as {@link Adam}'s. */
    @Override
    public State restore(int size, Snapshot snapshot) {
        return Adam.Moments.restore(name(), size, snapshot);
    }

    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        float decay = (float) (1 - lr * weightDecay);
        for (int i = 0; i < theta.length; i++) {
            theta[i] *= decay;
        }
        Adam.update(theta, dTheta, (Adam.Moments) state, lr, beta1, beta2, eps, 0);
    }

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    public String toString() {
        return "adamw(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps
                + ", weight_decay=" + weightDecay + ")";
    }
}

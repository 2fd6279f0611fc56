package dev.gradus.optim;

/**
 * Plain gradient descent, the seed's update: {@code W ← W − α ∂ℓ/∂W}, {@code b ← b − α ∂ℓ/∂b}.
 *
 * <pre>{@code
 * Optimizer sgd = new Sgd(0.05);
 * }</pre>
 *
 * @param learningRate {@code α > 0}
 */
public record Sgd(double learningRate) implements Optimizer {

    /** SGD has no state. */
    enum NoState implements State { INSTANCE }

    public Sgd {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
    }

    @Override
    public State init(int size) {
        return NoState.INSTANCE;
    }

    /** {@code θᵢ ← θᵢ − α ∂ℓ/∂θᵢ} for every parameter, in float32. */
    @Override
    public void step(float[] theta, float[] dTheta, State state) {
        float alpha = (float) learningRate;
        for (int i = 0; i < theta.length; i++) {
            theta[i] -= alpha * dTheta[i];
        }
    }

    @Override
    public String name() {
        return "sgd";
    }
}

package dev.gradus.optim;

import java.util.Set;

/**
 * Plain gradient descent, the seed's update: {@code W ← W − α ∂ℓ/∂W}, {@code b ← b − α ∂ℓ/∂b};
 * with weight decay {@code λ}, PyTorch's {@code SGD}: {@code θ ← θ − α(∂ℓ/∂θ + λθ)} on all
 * parameters (L2 regularisation {@code ½λ‖θ‖²} added to the loss).
 *
 * <pre>{@code
 * Optimizer sgd = new Sgd(0.05);
 * Optimizer decayed = Sgd.defaults().withWeightDecay(1e-4);
 * }</pre>
 *
 * @param learningRate {@code α > 0}
 * @param weightDecay {@code λ ≥ 0}
 */
public record Sgd(double learningRate, double weightDecay) implements Optimizer {
    static final double DEFAULT_LEARNING_RATE = 0.01;

    /** SGD has no state. */
    enum NoState implements State {
        INSTANCE;

        @Override
        public Snapshot snapshot() {
            return Snapshot.EMPTY;
        }
    }

    public Sgd {
        Hyperparameters.checkLearningRate("sgd", learningRate);
        Hyperparameters.checkNonNegative("sgd", "weight decay", weightDecay);
    }

    /** The seed's plain update at learning rate {@code α}, no weight decay. */
    public Sgd(double learningRate) {
        this(learningRate, 0);
    }

    /** {@code α = 0.01}, no weight decay. */
    public static Sgd defaults() {
        return new Sgd(DEFAULT_LEARNING_RATE, 0);
    }

    @Override
    public Sgd withLearningRate(double value) {
        return new Sgd(value, weightDecay);
    }

    public Sgd withWeightDecay(double value) {
        return new Sgd(learningRate, value);
    }

    @Override
    public State init(int size) {
        return NoState.INSTANCE;
    }

    /** SGD has no state: the snapshot holds no arrays. */
    @Override
    public State restore(int size, Snapshot snapshot) {
        snapshot.onlyThese(name(), Set.of());
        return NoState.INSTANCE;
    }

    /** {@code θᵢ ← θᵢ − α (∂ℓ/∂θᵢ + λθᵢ)} for every parameter, in float32. */
    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        float alpha = (float) lr;
        float lambda = (float) weightDecay;
        if (lambda == 0f) {
            for (int i = 0; i < theta.length; i++) {
                theta[i] -= alpha * dTheta[i];
            }
        } else {
            for (int i = 0; i < theta.length; i++) {
                theta[i] -= alpha * (dTheta[i] + lambda * theta[i]);
            }
        }
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public String toString() {
        return "sgd(lr=" + learningRate + ", weight_decay=" + weightDecay + ")";
    }
}

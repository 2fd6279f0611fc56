package dev.gradus.optim;

import java.util.Map;
import java.util.Set;

/**
 * Gradient descent with heavy-ball or Nesterov momentum, PyTorch's {@code SGD} convention
 * ({@code dampening = 0}): with {@code g = ∂ℓ/∂θ + λθ},
 * <pre>
 * v ← μv + g                       (v starts at 0, so the first v is g)
 * θ ← θ − α v                      (momentum)
 * θ ← θ − α (g + μv)               (Nesterov)
 * </pre>
 *
 * <pre>{@code
 * Optimizer heavyBall = Momentum.defaults().withLearningRate(0.05);   // μ = 0.9
 * Optimizer nesterov = Momentum.nesterovDefaults();
 * }</pre>
 *
 * @param learningRate {@code α > 0}
 * @param momentum {@code μ} in {@code [0, 1)}
 * @param weightDecay {@code λ ≥ 0}, L2 on all parameters
 * @param nesterov Nesterov's look-ahead form
 */
public record Momentum(double learningRate, double momentum, double weightDecay, boolean nesterov)
        implements Optimizer {
    static final double DEFAULT_LEARNING_RATE = 0.01;
    static final double DEFAULT_MOMENTUM = 0.9;

    /** The velocity {@code v}, laid out like {@code θ}. */
    record Velocity(float[] v) implements State {
        @Override
        public Snapshot snapshot() {
            return new Snapshot(Map.of("v", v), Map.of(), Map.of());
        }
    }

    public Momentum {
        String n = nesterov ? "nesterov" : "momentum";
        Hyperparameters.checkLearningRate(n, learningRate);
        Hyperparameters.checkUnitInterval(n, "momentum", momentum);
        Hyperparameters.checkNonNegative(n, "weight decay", weightDecay);
    }

    /** {@code α = 0.01}, {@code μ = 0.9}, heavy ball. */
    public static Momentum defaults() {
        return new Momentum(DEFAULT_LEARNING_RATE, DEFAULT_MOMENTUM, 0, false);
    }

    /** {@code α = 0.01}, {@code μ = 0.9}, Nesterov. */
    public static Momentum nesterovDefaults() {
        return new Momentum(DEFAULT_LEARNING_RATE, DEFAULT_MOMENTUM, 0, true);
    }

    @Override
    public Momentum withLearningRate(double value) {
        return new Momentum(value, momentum, weightDecay, nesterov);
    }

    public Momentum withMomentum(double value) {
        return new Momentum(learningRate, value, weightDecay, nesterov);
    }

    public Momentum withWeightDecay(double value) {
        return new Momentum(learningRate, momentum, value, nesterov);
    }

    @Override
    public State init(int size) {
        return new Velocity(new float[size]);
    }

    /** The snapshot holds the float array {@code v} (the velocity). */
    @Override
    public State restore(int size, Snapshot snapshot) {
        snapshot.onlyThese(name(), Set.of("v"));
        return new Velocity(snapshot.floats(name(), "v", size));
    }

    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        float[] v = ((Velocity) state).v();
        float alpha = (float) lr;
        float mu = (float) momentum;
        float lambda = (float) weightDecay;
        for (int i = 0; i < theta.length; i++) {
            float g = dTheta[i] + lambda * theta[i];
            v[i] = mu * v[i] + g;
            theta[i] -= alpha * (nesterov ? g + mu * v[i] : v[i]);
        }
    }

    @Override
    public String name() {
        return nesterov ? "nesterov" : "momentum";
    }

    @Override
    public String toString() {
        return name() + "(lr=" + learningRate + ", momentum=" + momentum + ", weight_decay=" + weightDecay + ")";
    }
}

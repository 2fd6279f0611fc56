package dev.gradus.optim;

import java.util.Map;
import java.util.Set;

/**
 * RMSProp (Tieleman &amp; Hinton 2012), PyTorch's {@code RMSprop} without momentum or centring:
 * with {@code g = ∂ℓ/∂θ + λθ},
 * <pre>
 * s ← ρ s + (1 − ρ) g²            (s starts at 0; ρ is PyTorch's alpha)
 * θ ← θ − α g / (√s + ε)
 * </pre>
 *
 * <pre>{@code
 * Optimizer rms = RmsProp.defaults();   // α = 0.01, ρ = 0.99, ε = 1e-8
 * }</pre>
 *
 * @param learningRate {@code α > 0}
 * @param alpha the decay {@code ρ} of the squared-gradient average, in {@code [0, 1)}
 * @param eps {@code ε > 0}, added to {@code √s}
 * @param weightDecay {@code λ ≥ 0}, L2 on all parameters
 */
public record RmsProp(double learningRate, double alpha, double eps, double weightDecay) implements Optimizer {

    /** The running mean of squared gradients {@code s}. */
    record SquareAverage(float[] s) implements State {
        @Override
        public Snapshot snapshot() {
            return new Snapshot(Map.of("s", s), Map.of(), Map.of());
        }
    }

    public RmsProp {
        Hyperparameters.checkLearningRate("rmsprop", learningRate);
        Hyperparameters.checkUnitInterval("rmsprop", "alpha", alpha);
        Hyperparameters.checkPositive("rmsprop", "eps", eps);
        Hyperparameters.checkNonNegative("rmsprop", "weight decay", weightDecay);
    }

    /** PyTorch's defaults: {@code α = 0.01}, {@code ρ = 0.99}, {@code ε = 1e-8}, {@code λ = 0}. */
    public static RmsProp defaults() {
        return new RmsProp(0.01, 0.99, 1e-8, 0);
    }

    @Override
    public RmsProp withLearningRate(double value) {
        return new RmsProp(value, alpha, eps, weightDecay);
    }

    public RmsProp withWeightDecay(double value) {
        return new RmsProp(learningRate, alpha, eps, value);
    }

    @Override
    public State init(int size) {
        return new SquareAverage(new float[size]);
    }

    /** The snapshot holds the float array {@code s} (the running mean of {@code g²}). */
    @Override
    public State restore(int size, Snapshot snapshot) {
        snapshot.onlyThese(name(), Set.of("s"));
        return new SquareAverage(snapshot.floats(name(), "s", size));
    }

    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        float[] s = ((SquareAverage) state).s();
        float a = (float) lr;
        float rho = (float) alpha;
        float oneMinusRho = (float) (1 - alpha);
        float e = (float) eps;
        float lambda = (float) weightDecay;
        for (int i = 0; i < theta.length; i++) {
            float g = dTheta[i] + lambda * theta[i];
            s[i] = rho * s[i] + oneMinusRho * g * g;
            theta[i] -= a * g / ((float) Math.sqrt(s[i]) + e);
        }
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public String toString() {
        return "rmsprop(lr=" + learningRate + ", alpha=" + alpha + ", eps=" + eps + ", weight_decay=" + weightDecay + ")";
    }
}

package dev.gradus.optim;

import java.util.Map;
import java.util.Set;

/**
 * Adam (Kingma &amp; Ba 2015) in PyTorch's form: with {@code g = ∂ℓ/∂θ + λθ} (L2, coupled) and
 * step count {@code t} from 1,
 * <pre>
 * m ← β₁m + (1 − β₁) g            v ← β₂v + (1 − β₂) g²
 * θ ← θ − (α / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * For decoupled weight decay use {@link AdamW}.
 *
 * <pre>{@code
 * Optimizer adam = Adam.defaults().withLearningRate(3e-4);
 * }</pre>
 *
 * @param learningRate {@code α > 0}
 * @param beta1 {@code β₁} in {@code [0, 1)}
 * @param beta2 {@code β₂} in {@code [0, 1)}
 * @param eps {@code ε > 0}
 * @param weightDecay {@code λ ≥ 0}, L2 added to the gradient
 */
public record Adam(double learningRate, double beta1, double beta2, double eps, double weightDecay)
        implements Optimizer {

    /** The moments {@code m}, {@code v} and the step count {@code t}. */
    static final class Moments implements State {
        final float[] m;
        final float[] v;
        int t;

        Moments(int size) {
            m = new float[size];
            v = new float[size];
        }

        Moments(float[] m, float[] v, int t) {
            this.m = m;
            this.v = v;
            this.t = t;
        }

        @Override
        public Snapshot snapshot() {
            return new Snapshot(Map.of("m", m, "v", v), Map.of(),
                    Map.of("t", new long[] {t}));
        }

        /** The snapshot's floats {@code m}, {@code v} and long {@code t}. */
        static Moments restore(String optimizer, int size, Snapshot snapshot) {
            snapshot.onlyThese(optimizer, Set.of("m", "v", "t"));
            long t = snapshot.longs(optimizer, "t", 1)[0];
            if (t < 0 || t > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(optimizer + " state: step count t is " + t
                        + ", expected 0.." + Integer.MAX_VALUE);
            }
            return new Moments(snapshot.floats(optimizer, "m", size), snapshot.floats(optimizer, "v", size), (int) t);
        }
    }

    public Adam {
        checkAdam("adam", learningRate, beta1, beta2, eps, weightDecay);
    }

    static void checkAdam(String name, double learningRate, double beta1, double beta2, double eps, double wd) {
        Hyperparameters.checkLearningRate(name, learningRate);
        Hyperparameters.checkUnitInterval(name, "beta1", beta1);
        Hyperparameters.checkUnitInterval(name, "beta2", beta2);
        Hyperparameters.checkPositive(name, "eps", eps);
        Hyperparameters.checkNonNegative(name, "weight decay", wd);
    }

    /** PyTorch's defaults: {@code α = 1e-3}, {@code β = (0.9, 0.999)}, {@code ε = 1e-8}, {@code λ = 0}. */
    public static Adam defaults() {
        return new Adam(1e-3, 0.9, 0.999, 1e-8, 0);
    }

    @Override
    public Adam withLearningRate(double value) {
        return new Adam(value, beta1, beta2, eps, weightDecay);
    }

    public Adam withWeightDecay(double value) {
        return new Adam(learningRate, beta1, beta2, eps, value);
    }

    @Override
    public State init(int size) {
        return new Moments(size);
    }

    /** The snapshot holds the float arrays {@code m}, {@code v} and the long {@code t} (steps taken). */
    @Override
    public State restore(int size, Snapshot snapshot) {
        return Moments.restore(name(), size, snapshot);
    }

    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        update(theta, dTheta, (Moments) state, lr, beta1, beta2, eps, weightDecay);
    }

    /** The Adam update with L2 coefficient {@code lambda} (0 for AdamW, which decays before). */
    static void update(float[] theta, float[] dTheta, Moments s, double lr, double beta1, double beta2,
                       double eps, double lambda) {
        s.t++;
        double biasCorrection1 = 1 - Math.pow(beta1, s.t);
        double biasCorrection2 = 1 - Math.pow(beta2, s.t);
        float stepSize = (float) (lr / biasCorrection1);
        float sqrtBias2 = (float) Math.sqrt(biasCorrection2);
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        // 1 − β in double, then rounded: 1f − (float) 0.999 would be off by 1.3e-5 relative.
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        float e = (float) eps;
        float l = (float) lambda;
        float[] m = s.m;
        float[] v = s.v;
        for (int i = 0; i < theta.length; i++) {
            float g = dTheta[i] + l * theta[i];
            m[i] = b1 * m[i] + oneMinusB1 * g;
            v[i] = b2 * v[i] + oneMinusB2 * g * g;
            theta[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) / sqrtBias2 + e);
        }
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public String toString() {
        return "adam(lr=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps
                + ", weight_decay=" + weightDecay + ")";
    }
}

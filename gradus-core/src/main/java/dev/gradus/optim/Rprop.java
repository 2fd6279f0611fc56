package dev.gradus.optim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Resilient propagation with weight-backtracking variants of Igel &amp; Hüsken (2000), a
 * full-batch method: each parameter has its own step size {@code Δᵢ}, adapted from the sign
 * of {@code gᵢ·gᵢ'} (this and the previous gradient), and moves by {@code sign(gᵢ)·Δᵢ}.
 *
 * <p><b>iRPROP−</b> ({@link Variant#MINUS}, PyTorch's {@code Rprop}):
 * <pre>
 * gᵢgᵢ' &gt; 0:  Δᵢ ← min(η⁺Δᵢ, Δmax)
 * gᵢgᵢ' &lt; 0:  Δᵢ ← max(η⁻Δᵢ, Δmin),  gᵢ ← 0
 * θᵢ ← θᵢ − sign(gᵢ) Δᵢ,  gᵢ' ← gᵢ
 * </pre>
 * <b>iRPROP+</b> ({@link Variant#PLUS}) also undoes the last move of a parameter whose gradient
 * changed sign, but only when the loss went up: on {@code gᵢgᵢ' < 0} and {@code ℓ(t) > ℓ(t−1)},
 * {@code θᵢ ← θᵢ − Δθᵢ(t−1)}. It needs the loss, so it only steps through an
 * {@link Optimizer.Objective}.
 *
 * <p>The learning rate is the initial step size {@code Δ⁰}; like PyTorch, a schedule does not
 * change the step sizes once training has started.
 *
 * <pre>{@code
 * Optimizer rprop = Rprop.defaults();                              // iRPROP−, PyTorch's defaults
 * Optimizer plus = Rprop.defaults().withVariant(Rprop.Variant.PLUS);
 * }</pre>
 *
 * @param learningRate the initial step size {@code Δ⁰ > 0}
 * @param etaMinus {@code 0 < η⁻ < 1}
 * @param etaPlus {@code η⁺ > 1}
 * @param stepMin {@code Δmin ≥ 0}
 * @param stepMax {@code Δmax ≥ Δmin}
 * @param variant iRPROP− or iRPROP+
 */
public record Rprop(double learningRate, double etaMinus, double etaPlus, double stepMin, double stepMax,
                    Variant variant) implements Optimizer {

    /** The two variants of Igel &amp; Hüsken. */
    public enum Variant {
        /** iRPROP−: no backtracking (PyTorch's {@code Rprop}). */
        MINUS,
        /** iRPROP+: backtracking of sign-changed parameters when the loss went up. */
        PLUS
    }

    /** Step sizes {@code Δ}, previous gradient {@code g'}, last moves {@code Δθ}, previous loss. */
    static final class Steps implements State {
        final float[] step;
        final float[] previousGradient;
        final float[] lastChange;
        double previousLoss = Double.POSITIVE_INFINITY;

        Steps(int size, float initial, boolean plus) {
            step = new float[size];
            Arrays.fill(step, initial);
            previousGradient = new float[size];
            lastChange = plus ? new float[size] : null;
        }

        Steps(float[] step, float[] previousGradient, float[] lastChange) {
            this.step = step;
            this.previousGradient = previousGradient;
            this.lastChange = lastChange;
        }

        @Override
        public Snapshot snapshot() {
            Map<String, float[]> floats = new HashMap<>();
            floats.put("step", step);
            floats.put("previous_gradient", previousGradient);
            if (lastChange != null) {
                floats.put("last_change", lastChange);
            }
            return new Snapshot(floats, Map.of("previous_loss", new double[] {previousLoss}),
                    Map.of());
        }
    }

    public Rprop {
        String n = variant == Variant.PLUS ? "irprop+" : "rprop";
        Hyperparameters.checkLearningRate(n, learningRate);
        if (!(etaMinus > 0 && etaMinus < 1)) {
            throw new IllegalArgumentException(n + ": eta_minus must be in (0, 1), got " + etaMinus);
        }
        if (!(etaPlus > 1) || !Double.isFinite(etaPlus)) {
            throw new IllegalArgumentException(n + ": eta_plus must be above 1 and finite, got " + etaPlus);
        }
        Hyperparameters.checkNonNegative(n, "step_min", stepMin);
        if (!(stepMax >= stepMin) || !Double.isFinite(stepMax)) {
            throw new IllegalArgumentException(n + ": step_max must be finite and at least step_min " + stepMin
                    + ", got " + stepMax);
        }
        if (variant == null) {
            throw new IllegalArgumentException(n + ": variant must be MINUS or PLUS, got null");
        }
    }

    /** PyTorch's defaults: {@code Δ⁰ = 0.01}, {@code η = (0.5, 1.2)}, {@code Δ ∈ [1e-6, 50]}, iRPROP−. */
    public static Rprop defaults() {
        return new Rprop(0.01, 0.5, 1.2, 1e-6, 50, Variant.MINUS);
    }

    @Override
    public Rprop withLearningRate(double value) {
        return new Rprop(value, etaMinus, etaPlus, stepMin, stepMax, variant);
    }

    public Rprop withVariant(Variant value) {
        return new Rprop(learningRate, etaMinus, etaPlus, stepMin, stepMax, value);
    }

    @Override
    public boolean fullBatch() {
        return true;
    }

    @Override
    public State init(int size) {
        return new Steps(size, (float) learningRate, variant == Variant.PLUS);
    }

    /**
     * The snapshot holds the float arrays {@code step} ({@code Δ}), {@code previous_gradient}
     * ({@code g'}), for iRPROP+ {@code last_change} ({@code Δθ}), and the double
     * {@code previous_loss}.
     */
    @Override
    public State restore(int size, Snapshot snapshot) {
        boolean plus = variant == Variant.PLUS;
        snapshot.onlyThese(name(), plus ? Set.of("step", "previous_gradient", "last_change", "previous_loss")
                : Set.of("step", "previous_gradient", "previous_loss"));
        Steps restored = new Steps(snapshot.floats(name(), "step", size),
                snapshot.floats(name(), "previous_gradient", size),
                plus ? snapshot.floats(name(), "last_change", size) : null);
        restored.previousLoss = snapshot.doubles(name(), "previous_loss", 1)[0];
        return restored;
    }

    /** An iRPROP− step; iRPROP+ needs the loss and throws here. */
    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        if (variant == Variant.PLUS) {
            throw new UnsupportedOperationException("irprop+ needs the loss: step with an Optimizer.Objective");
        }
        update(theta, dTheta, (Steps) state, false);
    }

    @Override
    public double step(float[] theta, float[] dTheta, Objective objective, State state, double lr) {
        double loss = objective.evaluate(dTheta);
        if (!Double.isFinite(loss)) {
            return loss;
        }
        Steps s = (Steps) state;
        boolean lossWentUp = loss > s.previousLoss;
        s.previousLoss = loss;
        update(theta, dTheta, s, lossWentUp);
        return loss;
    }

    private void update(float[] theta, float[] dTheta, Steps s, boolean lossWentUp) {
        float up = (float) etaPlus;
        float down = (float) etaMinus;
        float min = (float) stepMin;
        float max = (float) stepMax;
        boolean plus = variant == Variant.PLUS;
        for (int i = 0; i < theta.length; i++) {
            float g = dTheta[i];
            float sign = Math.signum(g * s.previousGradient[i]);
            float factor = sign > 0 ? up : sign < 0 ? down : 1f;
            s.step[i] = Math.min(Math.max(s.step[i] * factor, min), max);
            if (sign < 0) {
                if (plus && lossWentUp) {
                    theta[i] -= s.lastChange[i];   // undo Δθᵢ(t−1)
                }
                g = 0f;
            }
            float change = -Math.signum(g) * s.step[i];
            theta[i] += change;
            if (plus) {
                s.lastChange[i] = change;
            }
            s.previousGradient[i] = g;
        }
    }

    @Override
    public String name() {
        return variant == Variant.PLUS ? "irprop+" : "rprop";
    }

    @Override
    public String toString() {
        return name() + "(lr=" + learningRate + ", eta_minus=" + etaMinus + ", eta_plus=" + etaPlus
                + ", step_min=" + stepMin + ", step_max=" + stepMax + ")";
    }
}

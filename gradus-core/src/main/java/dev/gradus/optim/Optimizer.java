package dev.gradus.optim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An update rule for the flat parameters {@code θ} given their gradient {@code ∂ℓ/∂θ}.
 *
 * <p>An optimizer is an immutable record of hyperparameters, validated in its constructor. Its
 * mutable state (moments, step counts, curvature pairs) lives in a separate {@link State} made
 * by {@link #init(int)} and passed to every step, so one optimizer value can drive many
 * trainings. Steps allocate nothing once the state exists. Sorted by complexity:
 *
 * <table>
 *   <caption>Optimizers and their PyTorch equivalents</caption>
 *   <tr><th>name</th><th>record</th><th>PyTorch</th></tr>
 *   <tr><td>{@code sgd}</td><td>{@link Sgd}</td><td>{@code SGD(lr, weight_decay)}</td></tr>
 *   <tr><td>{@code momentum}, {@code nesterov}</td><td>{@link Momentum}</td>
 *       <td>{@code SGD(lr, momentum, nesterov, weight_decay)}</td></tr>
 *   <tr><td>{@code rmsprop}</td><td>{@link RmsProp}</td><td>{@code RMSprop(lr, alpha, eps, weight_decay)}</td></tr>
 *   <tr><td>{@code adam}</td><td>{@link Adam}</td><td>{@code Adam(lr, betas, eps, weight_decay)}</td></tr>
 *   <tr><td>{@code adamw}</td><td>{@link AdamW}</td><td>{@code AdamW(lr, betas, eps, weight_decay)}</td></tr>
 *   <tr><td>{@code rprop}, {@code irprop+}</td><td>{@link Rprop}</td>
 *       <td>{@code Rprop} (iRPROP−); iRPROP+ has no PyTorch equal</td></tr>
 *   <tr><td>{@code lbfgs}</td><td>{@link Lbfgs}</td><td>{@code LBFGS(max_iter=1)}</td></tr>
 * </table>
 *
 * <p>Two ways to take a step. First-order methods only need the gradient:
 * {@link #step(float[], float[], State, double)}. Full-batch methods need to evaluate the loss
 * themselves (L-BFGS's line search, iRPROP+'s backtracking): they take an {@link Objective}, a
 * closure that evaluates {@code ℓ} and {@code ∂ℓ/∂θ} at the current contents of {@code θ}, as
 * PyTorch's {@code optimizer.step(closure)}. The trainer always calls the closure form, which
 * for first-order methods evaluates once and steps.
 *
 * <pre>{@code
 * Optimizer adam = Adam.defaults().withLearningRate(3e-4);
 * Optimizer parsed = Optimizer.parse("momentum(lr=0.1, momentum=0.95)");
 * Optimizer.State state = adam.init(theta.length);
 * adam.step(theta, dTheta, state, adam.learningRate());
 * }</pre>
 */
public sealed interface Optimizer permits Sgd, Momentum, RmsProp, Adam, AdamW, Rprop, Lbfgs {

    /** Per-training state of an optimizer, laid out like the parameters. */
    interface State {}

    /**
     * The loss and its gradient at the current parameters: evaluates {@code ℓ(θ)} for the
     * current batch, writes {@code ∂ℓ/∂θ} into {@code dTheta} and returns {@code ℓ}. The
     * parameters it reads are the array the optimizer updates in place.
     */
    @FunctionalInterface
    interface Objective {
        double evaluate(float[] dTheta);
    }

    /** Fresh state for {@code size} parameters. */
    State init(int size);

    /**
     * Updates {@code theta} in place from {@code dTheta} at learning rate {@code learningRate}
     * (the schedule's value), advancing {@code state}.
     *
     * @throws UnsupportedOperationException for a method that needs the {@link Objective}
     */
    void step(float[] theta, float[] dTheta, State state, double learningRate);

    /** {@link #step(float[], float[], State, double)} at this optimizer's own learning rate. */
    default void step(float[] theta, float[] dTheta, State state) {
        step(theta, dTheta, state, learningRate());
    }

    /**
     * One step that evaluates {@code objective} as often as the method needs (once for
     * first-order methods), leaving {@code θ} updated. Returns {@code ℓ} at {@code θ} as it was on
     * entry; when that value is not finite, {@code θ} is left unchanged.
     */
    default double step(float[] theta, float[] dTheta, Objective objective, State state, double learningRate) {
        double loss = objective.evaluate(dTheta);
        if (Double.isFinite(loss)) {
            step(theta, dTheta, state, learningRate);
        }
        return loss;
    }

    /** The base learning rate {@code α}. */
    double learningRate();

    /** The same optimizer with another base learning rate. */
    Optimizer withLearningRate(double learningRate);

    /** True for methods meant for the whole training set at each step (L-BFGS, Rprop). */
    default boolean fullBatch() {
        return false;
    }

    /** The name used on the command line and in model files. */
    String name();

    /**
     * Parses {@code name} or {@code name(key=value, …)}, e.g. {@code adam(lr=0.01, beta2=0.99)};
     * {@link Object#toString()} of every optimizer gives this form back.
     *
     * @throws IllegalArgumentException naming the unknown optimizer, key or bad value
     */
    static Optimizer parse(String spec) {
        String s = spec.trim();
        int open = s.indexOf('(');
        if (open < 0) {
            return of(s, Map.of());
        }
        if (!s.endsWith(")")) {
            throw new IllegalArgumentException("optimizer '" + spec + "': missing ')'");
        }
        Map<String, String> values = new LinkedHashMap<>();
        String inner = s.substring(open + 1, s.length() - 1).trim();
        if (!inner.isEmpty()) {
            for (String part : inner.split(",")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("optimizer '" + spec + "': '" + part.trim()
                            + "' is not key=value");
                }
                values.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return of(s.substring(0, open), values);
    }

    /**
     * The optimizer {@code name} with the given hyperparameters, PyTorch's defaults for the
     * others. Names: {@code sgd}, {@code momentum}, {@code nesterov}, {@code rmsprop},
     * {@code adam}, {@code adamw}, {@code rprop} (iRPROP−, also {@code irprop-}),
     * {@code irprop+}, {@code lbfgs}. Keys ({@code -} and {@code _} alike): {@code lr} for
     * all; {@code weight_decay} for sgd, momentum, nesterov, rmsprop, adam, adamw;
     * {@code momentum} for momentum, nesterov; {@code beta1}, {@code beta2}, {@code eps} for
     * adam, adamw; {@code alpha}, {@code eps} for rmsprop; {@code eta_minus}, {@code eta_plus},
     * {@code step_min}, {@code step_max} for rprop; {@code history}, {@code line_search}
     * ({@code backtracking} or {@code none}), {@code tolerance_grad}, {@code tolerance_change}
     * for lbfgs.
     *
     * @throws IllegalArgumentException naming the optimizer and the unknown key or bad value
     */
    static Optimizer of(String name, Map<String, String> hyperparameters) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        Hyperparameters h = new Hyperparameters(n, hyperparameters);
        Optimizer o = switch (n) {
            case "sgd" -> new Sgd(h.get("lr", Sgd.DEFAULT_LEARNING_RATE), h.get("weight_decay", 0));
            case "momentum", "nesterov" -> new Momentum(h.get("lr", Momentum.DEFAULT_LEARNING_RATE),
                    h.get("momentum", Momentum.DEFAULT_MOMENTUM), h.get("weight_decay", 0), n.equals("nesterov"));
            case "rmsprop" -> new RmsProp(h.get("lr", 1e-2), h.get("alpha", 0.99), h.get("eps", 1e-8),
                    h.get("weight_decay", 0));
            case "adam" -> new Adam(h.get("lr", 1e-3), h.get("beta1", 0.9), h.get("beta2", 0.999),
                    h.get("eps", 1e-8), h.get("weight_decay", 0));
            case "adamw" -> new AdamW(h.get("lr", 1e-3), h.get("beta1", 0.9), h.get("beta2", 0.999),
                    h.get("eps", 1e-8), h.get("weight_decay", 0.01));
            case "rprop", "irprop-", "irprop−", "irprop+" -> new Rprop(h.get("lr", 0.01), h.get("eta_minus", 0.5),
                    h.get("eta_plus", 1.2), h.get("step_min", 1e-6), h.get("step_max", 50),
                    n.equals("irprop+") ? Rprop.Variant.PLUS : Rprop.Variant.MINUS);
            case "lbfgs", "l-bfgs" -> new Lbfgs(h.get("lr", 1), h.getInt("history", 100),
                    Lbfgs.LineSearch.parse(h.getString("line_search", "backtracking")),
                    h.get("tolerance_grad", 1e-7), h.get("tolerance_change", 1e-9));
            default -> throw new IllegalArgumentException("unknown optimizer '" + name
                    + "'; known: sgd, momentum, nesterov, rmsprop, adam, adamw, rprop, irprop+, lbfgs");
        };
        h.finish();
        return o;
    }
}

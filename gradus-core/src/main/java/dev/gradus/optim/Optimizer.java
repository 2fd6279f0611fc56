package dev.gradus.optim;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

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

    /**
     * Per-training state of an optimizer, laid out like the parameters.
     *
     * <p>{@link #snapshot()} copies it out as named arrays and {@link Optimizer#restore} builds an
     * equal state from them: what a checkpoint stores, so that training resumed from it takes
     * bit-identical steps.
     */
    interface State {
        /** A copy of this state as named arrays (no arrays for a method without state). */
        Snapshot snapshot();
    }

    /**
     * An optimizer's {@link State} as named arrays of floats (laid out like {@code θ}), doubles
     * and longs (scalars are arrays of length 1): what a checkpoint file stores as F32, F64 and
     * I64 tensors. Which names a method uses is listed in its {@code restore} documentation;
     * scratch buffers that every step overwrites before reading are not part of it.
     *
     * <p>Immutable: the arrays are copied in and copied out.
     *
     * <pre>{@code
     * Optimizer.Snapshot saved = state.snapshot();                 // e.g. adam: floats m, v; longs t
     * Optimizer.State same = adam.restore(theta.length, saved);     // continues bit-identically
     * }</pre>
     *
     * @param floats float arrays by name
     * @param doubles double arrays by name
     * @param longs long arrays by name
     */
    record Snapshot(Map<String, float[]> floats, Map<String, double[]> doubles, Map<String, long[]> longs) {
        /** The snapshot of a method without state. */
        public static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of());

        /** Names are non-empty, of {@code a-z 0-9 _ .}, unique across the three kinds; arrays are not empty. */
        public Snapshot {
            Set<String> names = new HashSet<>();
            floats = copy(floats, names, float[]::clone, a -> a.length);
            doubles = copy(doubles, names, double[]::clone, a -> a.length);
            longs = copy(longs, names, long[]::clone, a -> a.length);
        }

        private static <A> Map<String, A> copy(Map<String, A> arrays, Set<String> names,
                                               UnaryOperator<A> clone,
                                               ToIntFunction<A> length) {
            Map<String, A> out = new TreeMap<>();
            for (Map.Entry<String, A> e : arrays.entrySet()) {
                String name = Objects.requireNonNull(e.getKey(), "array name");
                A array = Objects.requireNonNull(e.getValue(), () -> "array '" + name + "'");
                if (!name.matches("[a-z0-9_.]{1,64}")) {
                    throw new IllegalArgumentException("optimizer state: array name '" + name
                            + "' must be 1 to 64 of a-z, 0-9, '_' and '.'");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("optimizer state: array name '" + name + "' is used twice");
                }
                if (length.applyAsInt(array) == 0) {
                    throw new IllegalArgumentException("optimizer state: array '" + name + "' is empty");
                }
                out.put(name, clone.apply(array));
            }
            return Collections.unmodifiableMap(out);
        }

        /** Copies of the float arrays, by name in sorted order. */
        @Override
        public Map<String, float[]> floats() {
            Map<String, float[]> out = new TreeMap<>();
            floats.forEach((k, v) -> out.put(k, v.clone()));
            return out;
        }

        /** Copies of the double arrays, by name in sorted order. */
        @Override
        public Map<String, double[]> doubles() {
            Map<String, double[]> out = new TreeMap<>();
            doubles.forEach((k, v) -> out.put(k, v.clone()));
            return out;
        }

        /** Copies of the long arrays, by name in sorted order. */
        @Override
        public Map<String, long[]> longs() {
            Map<String, long[]> out = new TreeMap<>();
            longs.forEach((k, v) -> out.put(k, v.clone()));
            return out;
        }

        /** Whether both hold the same names and bit-identical arrays. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && same(floats, s.floats, Arrays::equals)
                    && same(doubles, s.doubles, Arrays::equals) && same(longs, s.longs, Arrays::equals);
        }

        private static <A> boolean same(Map<String, A> a, Map<String, A> b, BiPredicate<A, A> eq) {
            return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(k -> eq.test(a.get(k), b.get(k)));
        }

        @Override
        public int hashCode() {
            return Objects.hash(floats.keySet(), doubles.keySet(), longs.keySet());
        }

        @Override
        public String toString() {
            return "Snapshot" + floats.keySet() + doubles.keySet() + longs.keySet();
        }

        /** The float array {@code name} of length {@code size}, copied; for {@code restore}. */
        float[] floats(String optimizer, String name, int size) {
            return checked(optimizer, "float", name, floats.get(name), size, float[]::clone, a -> a.length);
        }

        double[] doubles(String optimizer, String name, int size) {
            return checked(optimizer, "double", name, doubles.get(name), size, double[]::clone, a -> a.length);
        }

        long[] longs(String optimizer, String name, int size) {
            return checked(optimizer, "long", name, longs.get(name), size, long[]::clone, a -> a.length);
        }

        private static <A> A checked(String optimizer, String kind, String name, A array, int size,
                                     UnaryOperator<A> clone,
                                     ToIntFunction<A> length) {
            if (array == null) {
                throw new IllegalArgumentException(optimizer + " state: missing " + kind + " array '" + name + "'");
            }
            if (length.applyAsInt(array) != size) {
                throw new IllegalArgumentException(optimizer + " state: " + kind + " array '" + name + "' has "
                        + length.applyAsInt(array) + " entries, expected " + size);
            }
            return clone.apply(array);
        }

        /** Whether a float array {@code name} is present (without copying it). */
        boolean hasFloats(String name) {
            return floats.containsKey(name);
        }

        /** Fails naming the first array that is not in {@code expected}. */
        void onlyThese(String optimizer, Set<String> expected) {
            for (Map<String, ?> m : List.of(floats, doubles, longs)) {
                for (String name : m.keySet()) {
                    if (!expected.contains(name)) {
                        throw new IllegalArgumentException(optimizer + " state: unexpected array '" + name
                                + "'; expected " + new TreeSet<>(expected));
                    }
                }
            }
        }
    }

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
     * The state that {@code snapshot} was taken of, for {@code size} parameters: the steps that
     * follow are bit-identical to those the original state would have taken.
     *
     * @throws IllegalArgumentException naming the array that is missing, unexpected, of the
     *     wrong length or holding an impossible value
     */
    State restore(int size, Snapshot snapshot);

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

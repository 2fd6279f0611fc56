package dev.gradus.optim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A learning-rate schedule: the factor {@code f(e)} by which the optimizer's base learning rate
 * {@code α} is multiplied during epoch {@code e}, counted from 0 (the first epoch). The trainer
 * uses {@code α·f(e)} for every step of the epoch, as PyTorch does when a scheduler is stepped
 * once per epoch.
 *
 * <table>
 *   <caption>Schedules and their PyTorch equivalents</caption>
 *   <tr><th>spec</th><th>{@code f(e)}</th><th>PyTorch</th></tr>
 *   <tr><td>{@code constant}</td><td>{@code 1}</td><td>none</td></tr>
 *   <tr><td>{@code step(size=s, gamma=γ)}</td><td>{@code γ^⌊e/s⌋}</td><td>{@code StepLR(step_size=s, gamma=γ)}</td></tr>
 *   <tr><td>{@code exponential(gamma=γ)}</td><td>{@code γᵉ}</td><td>{@code ExponentialLR(gamma=γ)}</td></tr>
 *   <tr><td>{@code cosine(epochs=T, warmup=w, min=m)}</td>
 *       <td>{@code (e+1)/w} for {@code e < w}; then {@code m + (1−m)(1 + cos(π(e−w)/(T−w)))/2}; {@code m} from {@code T}</td>
 *       <td>{@code CosineAnnealingLR(T_max=T, eta_min=m·α)} when {@code w = 0}; no equal with warm-up</td></tr>
 * </table>
 *
 * <pre>{@code
 * Schedule s = Schedule.parse("cosine(warmup=5)", 100);   // T = 100 epochs
 * double lr = optimizer.learningRate() * s.factor(epoch);
 * }</pre>
 */
public sealed interface Schedule {

    /** {@code f(e) = 1}. */
    Schedule CONSTANT = new Constant();

    /** The factor for epoch {@code e ≥ 0}. */
    double factor(int epoch);

    /** {@code f(e) = 1}. */
    record Constant() implements Schedule {
        @Override public double factor(int epoch) { return 1; }
        @Override public String toString() { return "constant"; }
    }

    /**
     * {@code f(e) = γ^⌊e/size⌋}.
     *
     * @param size epochs between decays, {@code ≥ 1}
     * @param gamma the decay {@code 0 < γ ≤ 1}
     */
    record Step(int size, double gamma) implements Schedule {
        public Step {
            if (size < 1) {
                throw new IllegalArgumentException("step schedule: size must be at least 1 epoch, got " + size);
            }
            checkGamma("step", gamma);
        }
        @Override public double factor(int epoch) { return Math.pow(gamma, epoch / size); }
        @Override public String toString() { return "step(size=" + size + ", gamma=" + gamma + ")"; }
    }

    /**
     * {@code f(e) = γᵉ}.
     *
     * @param gamma the decay per epoch, {@code 0 < γ ≤ 1}
     */
    record Exponential(double gamma) implements Schedule {
        public Exponential {
            checkGamma("exponential", gamma);
        }
        @Override public double factor(int epoch) { return Math.pow(gamma, epoch); }
        @Override public String toString() { return "exponential(gamma=" + gamma + ")"; }
    }

    /**
     * Linear warm-up over {@code w} epochs, then a half cosine from 1 down to {@code m} at epoch
     * {@code T} (Loshchilov &amp; Hutter's SGDR without restarts):
     * <pre>
     * f(e) = (e + 1)/w                                   for e &lt; w
     * f(e) = m + (1 − m)·(1 + cos(π (e − w)/(T − w)))/2  for w ≤ e &lt; T
     * f(e) = m                                           for e ≥ T
     * </pre>
     * With {@code w = 0} this is PyTorch's {@code CosineAnnealingLR(T_max=T, eta_min=m·α)}.
     *
     * @param epochs {@code T > w}, the epoch at which the factor reaches {@code m}
     * @param warmup {@code w ≥ 0} warm-up epochs
     * @param min {@code m} in {@code [0, 1]}, the final factor
     */
    record Cosine(int epochs, int warmup, double min) implements Schedule {
        public Cosine {
            if (warmup < 0) {
                throw new IllegalArgumentException("cosine schedule: warmup must be 0 or more epochs, got " + warmup);
            }
            if (epochs <= warmup) {
                throw new IllegalArgumentException("cosine schedule: epochs (" + epochs
                        + ") must exceed the warm-up (" + warmup + ")");
            }
            if (!(min >= 0 && min <= 1)) {
                throw new IllegalArgumentException("cosine schedule: min must be in [0, 1], got " + min);
            }
        }
        @Override public double factor(int epoch) {
            if (epoch < warmup) {
                return (epoch + 1.0) / warmup;
            }
            if (epoch >= epochs) {
                return min;
            }
            return min + (1 - min) * (1 + Math.cos(Math.PI * (epoch - warmup) / (epochs - warmup))) / 2;
        }
        @Override public String toString() {
            return "cosine(epochs=" + epochs + ", warmup=" + warmup + ", min=" + min + ")";
        }
    }

    private static void checkGamma(String name, double gamma) {
        if (!(gamma > 0 && gamma <= 1)) {
            throw new IllegalArgumentException(name + " schedule: gamma must be in (0, 1], got " + gamma);
        }
    }

    /**
     * Parses {@code constant}, {@code step(size=10, gamma=0.1)} ({@code gamma} defaults to
     * 0.1, as PyTorch), {@code exponential(gamma=0.95)}, or {@code cosine(warmup=5, min=0)}
     * ({@code epochs} defaults to {@code totalEpochs}, {@code warmup} and {@code min} to 0).
     * {@link Object#toString()} of every schedule gives this form back.
     *
     * @param totalEpochs the training length, used where {@code cosine} names no {@code epochs}
     * @throws IllegalArgumentException naming the schedule and the unknown key or bad value
     */
    static Schedule parse(String spec, int totalEpochs) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        String name = s;
        Map<String, String> values = new LinkedHashMap<>();
        int open = s.indexOf('(');
        if (open >= 0) {
            if (!s.endsWith(")")) {
                throw new IllegalArgumentException("schedule '" + spec + "': missing ')'");
            }
            name = s.substring(0, open).trim();
            String inner = s.substring(open + 1, s.length() - 1).trim();
            if (!inner.isEmpty()) {
                for (String part : inner.split(",")) {
                    int eq = part.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("schedule '" + spec + "': '" + part.trim()
                                + "' is not key=value");
                    }
                    values.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            }
        }
        Hyperparameters h = new Hyperparameters(name, values);
        Schedule result = switch (name) {
            case "constant", "none" -> CONSTANT;
            case "step" -> {
                if (!values.containsKey("size")) {
                    throw new IllegalArgumentException("schedule step needs size, e.g. step(size=10, gamma=0.1)");
                }
                yield new Step(h.getInt("size", 0), h.get("gamma", 0.1));
            }
            case "exponential", "exp" -> {
                if (!values.containsKey("gamma")) {
                    throw new IllegalArgumentException("schedule exponential needs gamma, e.g. exponential(gamma=0.95)");
                }
                yield new Exponential(h.get("gamma", 1));
            }
            case "cosine" -> new Cosine(h.getInt("epochs", totalEpochs), h.getInt("warmup", 0), h.get("min", 0));
            default -> throw new IllegalArgumentException("unknown schedule '" + spec
                    + "'; known: constant, step(size=S, gamma=G), exponential(gamma=G), cosine(warmup=W, min=M)");
        };
        h.finishFor("schedule");
        return result;
    }
}

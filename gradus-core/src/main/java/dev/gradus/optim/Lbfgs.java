package dev.gradus.optim;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Limited-memory BFGS (Liu &amp; Nocedal 1989), a full-batch method. Each step is one iteration
 * of PyTorch's {@code LBFGS} with {@code max_iter=1}:
 * <ol>
 *   <li>evaluate {@code ℓ} and {@code g = ∂ℓ/∂θ}; stop if {@code max|gᵢ| ≤ tolerance_grad};</li>
 *   <li>if this is not the first iteration, {@code y = g − g'}, {@code s = t'd'}; keep the pair
 *       when {@code yᵀs > 1e-10} (the oldest goes when {@code history} pairs are kept) and set
 *       {@code γ = yᵀs / yᵀy};</li>
 *   <li>{@code d = −H g} by the two-loop recursion with {@code H⁰ = γI} ({@code d = −g} at
 *       first);</li>
 *   <li>{@code t = min(1, 1/‖g‖₁)·α} on the very first iteration, else {@code α}; stop if
 *       {@code gᵀd > −tolerance_change};</li>
 *   <li>{@link LineSearch#NONE}: {@code θ ← θ + t d} (PyTorch's default);
 *       {@link LineSearch#BACKTRACKING}: the largest {@code t·2⁻ʲ} ({@code j = 0..24}) with
 *       Armijo's sufficient decrease {@code ℓ(θ + t d) ≤ ℓ(θ) + 10⁻⁴ t gᵀd} (Nocedal &amp;
 *       Wright, Algorithm 3.1); if none, {@code θ} stays and the memory is cleared.</li>
 * </ol>
 * The curvature pairs are allocated as the history fills (two arrays of {@code θ}'s size per
 * pair); after that steps allocate nothing.
 *
 * <pre>{@code
 * Optimizer lbfgs = Lbfgs.defaults();                                   // backtracking
 * Optimizer likePyTorch = Lbfgs.defaults().withLineSearch(Lbfgs.LineSearch.NONE);
 * }</pre>
 *
 * @param learningRate {@code α > 0}, the initial step length
 * @param history the number {@code ≥ 1} of curvature pairs kept
 * @param lineSearch how the step length is chosen
 * @param toleranceGrad first-order optimality tolerance on {@code max|gᵢ|}
 * @param toleranceChange the least descent {@code −gᵀd} worth a step
 */
public record Lbfgs(double learningRate, int history, LineSearch lineSearch, double toleranceGrad,
                    double toleranceChange) implements Optimizer {

    /** Armijo's constant {@code c₁} of the sufficient-decrease condition. */
    static final double ARMIJO_C1 = 1e-4;
    /** Halvings tried by the backtracking search before it gives up. */
    static final int MAX_HALVINGS = 25;

    /** How the step length is chosen. */
    public enum LineSearch {
        /** A fixed step {@code t} (PyTorch's {@code line_search_fn=None}). */
        NONE,
        /** Backtracking by halving until Armijo's sufficient decrease holds. */
        BACKTRACKING;

        /** Parses {@code none} or {@code backtracking} (also {@code armijo}). */
        public static LineSearch parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "backtracking", "armijo" -> BACKTRACKING;
                default -> throw new IllegalArgumentException("lbfgs: unknown line_search '" + text
                        + "'; known: backtracking, none");
            };
        }
    }

    /** Direction, last step, previous gradient, start point of the line search, and the pairs. */
    static final class Memory implements State {
        final float[] d;
        final float[] previousGradient;
        final float[] start;
        final float[][] s;     // ring of sₖ = tₖdₖ
        final float[][] y;     // ring of yₖ = gₖ₊₁ − gₖ
        final double[] rho;    // 1 / yₖᵀsₖ
        final double[] alpha;  // two-loop scratch
        int count;             // pairs kept
        int newest = -1;       // ring index of the newest pair
        int iterations;
        double t;
        double gamma = 1;

        Memory(int size, int history) {
            d = new float[size];
            previousGradient = new float[size];
            start = new float[size];
            s = new float[history][];
            y = new float[history][];
            rho = new double[history];
            alpha = new double[history];
        }

        @Override
        public Snapshot snapshot() {
            Map<String, float[]> floats = new HashMap<>();
            floats.put("d", d);
            floats.put("previous_gradient", previousGradient);
            for (int k = 0; k < s.length; k++) {
                if (s[k] != null) {
                    floats.put("s." + k, s[k]);
                    floats.put("y." + k, y[k]);
                }
            }
            return new Snapshot(floats,
                    Map.of("rho", rho, "t", new double[] {t}, "gamma", new double[] {gamma}),
                    Map.of("count", new long[] {count}, "newest", new long[] {newest},
                            "iterations", new long[] {iterations}));
        }
    }

    public Lbfgs {
        Hyperparameters.checkLearningRate("lbfgs", learningRate);
        if (history < 1) {
            throw new IllegalArgumentException("lbfgs: history must be at least 1, got " + history);
        }
        if (lineSearch == null) {
            throw new IllegalArgumentException("lbfgs: line_search must be backtracking or none, got null");
        }
        Hyperparameters.checkNonNegative("lbfgs", "tolerance_grad", toleranceGrad);
        Hyperparameters.checkNonNegative("lbfgs", "tolerance_change", toleranceChange);
    }

    /** {@code α = 1}, 100 pairs, backtracking, tolerances {@code 1e-7} and {@code 1e-9} (PyTorch's, but with a line search). */
    public static Lbfgs defaults() {
        return new Lbfgs(1, 100, LineSearch.BACKTRACKING, 1e-7, 1e-9);
    }

    @Override
    public Lbfgs withLearningRate(double value) {
        return new Lbfgs(value, history, lineSearch, toleranceGrad, toleranceChange);
    }

    public Lbfgs withLineSearch(LineSearch value) {
        return new Lbfgs(learningRate, history, value, toleranceGrad, toleranceChange);
    }

    public Lbfgs withHistory(int value) {
        return new Lbfgs(learningRate, value, lineSearch, toleranceGrad, toleranceChange);
    }

    @Override
    public boolean fullBatch() {
        return true;
    }

    @Override
    public State init(int size) {
        return new Memory(size, history);
    }

    /**
     * The snapshot holds the float arrays {@code d} (the last direction),
     * {@code previous_gradient} and the curvature pairs {@code s.k}, {@code y.k} for each ring
     * slot {@code k} allocated so far; the doubles {@code rho} (one per slot, {@code 1/yₖᵀsₖ}),
     * {@code t} (the last step length) and {@code gamma}; the longs {@code count} (pairs kept),
     * {@code newest} (ring slot of the newest pair, −1 before the first) and
     * {@code iterations}. The line search's start point and the two-loop scratch are
     * overwritten before use and not part of it.
     */
    @Override
    public State restore(int size, Snapshot snapshot) {
        String n = name();
        Memory mem = new Memory(size, history);
        Set<String> expected = new HashSet<>(Set.of("d", "previous_gradient", "rho", "t",
                "gamma", "count", "newest", "iterations"));
        for (int k = 0; k < history; k++) {
            if (snapshot.hasFloats("s." + k) || snapshot.hasFloats("y." + k)) {
                mem.s[k] = snapshot.floats(n, "s." + k, size);
                mem.y[k] = snapshot.floats(n, "y." + k, size);
                expected.add("s." + k);
                expected.add("y." + k);
            }
        }
        snapshot.onlyThese(n, expected);
        System.arraycopy(snapshot.floats(n, "d", size), 0, mem.d, 0, size);
        System.arraycopy(snapshot.floats(n, "previous_gradient", size), 0, mem.previousGradient, 0, size);
        System.arraycopy(snapshot.doubles(n, "rho", history), 0, mem.rho, 0, history);
        mem.t = snapshot.doubles(n, "t", 1)[0];
        mem.gamma = snapshot.doubles(n, "gamma", 1)[0];
        long count = snapshot.longs(n, "count", 1)[0];
        long newest = snapshot.longs(n, "newest", 1)[0];
        long iterations = snapshot.longs(n, "iterations", 1)[0];
        if (count < 0 || count > history) {
            throw new IllegalArgumentException(n + " state: count is " + count + ", expected 0.." + history);
        }
        if (newest < -1 || newest >= history || (count > 0 && newest < 0)) {
            throw new IllegalArgumentException(n + " state: newest is " + newest + ", expected "
                    + (count > 0 ? "0.." : "-1..") + (history - 1));
        }
        if (iterations < 0 || iterations > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " state: iterations is " + iterations + ", expected 0.."
                    + Integer.MAX_VALUE);
        }
        mem.count = (int) count;
        mem.newest = (int) newest;
        mem.iterations = (int) iterations;
        for (int j = 0; j < mem.count; j++) {   // the pairs the two-loop recursion reads must be there
            int k = Math.floorMod(mem.newest - j, history);
            if (mem.s[k] == null) {
                throw new IllegalArgumentException(n + " state: " + count + " pairs are kept, newest in slot "
                        + newest + ", but there is no float array 's." + k + "'");
            }
        }
        return mem;
    }

    /** L-BFGS evaluates the loss itself; always throws. */
    @Override
    public void step(float[] theta, float[] dTheta, State state, double lr) {
        throw new UnsupportedOperationException("lbfgs evaluates the loss itself: step with an Optimizer.Objective");
    }

    @Override
    public double step(float[] theta, float[] g, Objective objective, State state, double lr) {
        Memory mem = (Memory) state;
        double loss = objective.evaluate(g);
        if (!Double.isFinite(loss) || maxAbs(g) <= toleranceGrad) {
            return loss;
        }
        mem.iterations++;
        if (mem.iterations == 1) {
            for (int i = 0; i < g.length; i++) {
                mem.d[i] = -g[i];
            }
        } else {
            remember(mem, g);
            direction(mem, g);
        }
        System.arraycopy(g, 0, mem.previousGradient, 0, g.length);
        double t = mem.iterations == 1 ? Math.min(1.0, 1.0 / sumAbs(g)) * lr : lr;
        double gtd = dot(g, mem.d);
        if (gtd > -toleranceChange) {
            mem.t = 0;   // no move: the next pair would be s = 0
            return loss;
        }
        if (lineSearch == LineSearch.NONE) {
            axpy(theta, (float) t, mem.d);
            mem.t = t;
            return loss;
        }
        System.arraycopy(theta, 0, mem.start, 0, theta.length);
        for (int j = 0; j < MAX_HALVINGS; j++, t *= 0.5) {
            for (int i = 0; i < theta.length; i++) {
                theta[i] = mem.start[i] + (float) t * mem.d[i];
            }
            double trial = objective.evaluate(g);
            if (trial <= loss + ARMIJO_C1 * t * gtd) {   // false for NaN: a non-finite trial shrinks t
                mem.t = t;
                return loss;
            }
        }
        // No acceptable step along d: stay, and start the memory afresh from −g.
        System.arraycopy(mem.start, 0, theta, 0, theta.length);
        mem.t = 0;
        mem.count = 0;
        mem.iterations = 0;
        return loss;
    }

    /** Keeps {@code s = t d}, {@code y = g − g'} when {@code yᵀs > 1e-10}, and sets {@code γ}. */
    private void remember(Memory mem, float[] g) {
        if (mem.t == 0) {
            return;
        }
        float t = (float) mem.t;
        double ys = 0;
        for (int i = 0; i < g.length; i++) {
            ys += (double) (g[i] - mem.previousGradient[i]) * (mem.d[i] * t);
        }
        if (!(ys > 1e-10)) {
            return;   // not a curvature pair of a convex direction: keep the memory as it is
        }
        int k = (mem.newest + 1) % history;
        if (mem.s[k] == null) {
            mem.s[k] = new float[g.length];
            mem.y[k] = new float[g.length];
        }
        float[] s = mem.s[k];
        float[] y = mem.y[k];
        for (int i = 0; i < g.length; i++) {
            y[i] = g[i] - mem.previousGradient[i];
            s[i] = mem.d[i] * t;
        }
        mem.newest = k;
        mem.count = Math.min(mem.count + 1, history);
        mem.rho[k] = 1.0 / ys;
        mem.gamma = ys / dot(y, y);
    }

    /** {@code d = −H g}: Nocedal &amp; Wright's two-loop recursion (Algorithm 7.4). */
    private void direction(Memory mem, float[] g) {
        float[] q = mem.d;
        for (int i = 0; i < g.length; i++) {
            q[i] = -g[i];
        }
        for (int j = 0; j < mem.count; j++) {                         // newest to oldest
            int k = Math.floorMod(mem.newest - j, history);
            mem.alpha[k] = mem.rho[k] * dot(mem.s[k], q);
            axpy(q, (float) -mem.alpha[k], mem.y[k]);
        }
        float gamma = (float) mem.gamma;
        for (int i = 0; i < q.length; i++) {
            q[i] *= gamma;
        }
        for (int j = mem.count - 1; j >= 0; j--) {                    // oldest to newest
            int k = Math.floorMod(mem.newest - j, history);
            double beta = mem.rho[k] * dot(mem.y[k], q);
            axpy(q, (float) (mem.alpha[k] - beta), mem.s[k]);
        }
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    /** {@code y ← y + a x}. */
    static void axpy(float[] y, float a, float[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double maxAbs(float[] a) {
        double max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double sumAbs(float[] a) {
        double sum = 0;
        for (float v : a) {
            sum += Math.abs(v);
        }
        return sum;
    }

    @Override
    public String name() {
        return "lbfgs";
    }

    @Override
    public String toString() {
        return "lbfgs(lr=" + learningRate + ", history=" + history + ", line_search="
                + lineSearch.name().toLowerCase(Locale.ROOT) + ", tolerance_grad=" + toleranceGrad
                + ", tolerance_change=" + toleranceChange + ")";
    }
}

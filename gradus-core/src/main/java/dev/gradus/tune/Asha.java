package dev.gradus.tune;

import java.util.ArrayList;
import java.util.List;

/**
 * Asynchronous successive halving (Li et al., 2018, "A System for Massively Parallel
 * Hyperparameter Tuning"), with the promotion rule of Optuna's {@code SuccessiveHalvingPruner}:
 * a trial reports its score at each rung (after {@code r, rη, rη², …} units of resource —
 * epochs, or folds); it goes on to the next rung only if its score is among the best
 * {@code ⌊n/η⌋} of the {@code n} scores reported at that rung so far, its own included — and
 * when {@code ⌊n/η⌋ = 0}, only if it is the best so far. Otherwise it stops there.
 *
 * <p>Nothing waits for a rung to fill (that is what makes it asynchronous): a trial is judged
 * against the trials that reached the rung before it. With trials run one after another the
 * decisions depend only on the order of the reports, so a search replays exactly. Reports may
 * come from several threads at once (trials trained in parallel).
 *
 * <pre>{@code
 * Asha asha = new Asha(3);
 * boolean goOn = asha.report(0, 0.91);    // rung 0, score 0.91 (higher is better)
 * }</pre>
 */
public final class Asha {
    private final double eta;
    private final List<List<Double>> rungs = new ArrayList<>();

    /** @param eta the reduction factor {@code η > 1}: about one trial in η goes on from each rung */
    public Asha(double eta) {
        if (!(eta > 1) || !Double.isFinite(eta)) {
            throw new IllegalArgumentException("eta must be a number above 1, got " + eta);
        }
        this.eta = eta;
    }

    /** The reduction factor η. */
    public double eta() {
        return eta;
    }

    /**
     * The rungs' resources from {@code first} up to {@code max} (exclusive): {@code first,
     * ⌈first·η⌉, …}; the trial's full run, {@code max}, is not a rung.
     */
    public static List<Integer> rungs(int first, int max, double eta) {
        List<Integer> r = new ArrayList<>();
        double at = first;
        while (Math.round(at) < max && first >= 1) {
            int next = (int) Math.round(at);
            if (r.isEmpty() || next > r.get(r.size() - 1)) {
                r.add(next);
            }
            at *= eta;
        }
        return r;
    }

    /**
     * Records {@code score} (higher is better; NaN counts as the worst) at {@code rung} and
     * says whether the trial goes on.
     */
    public synchronized boolean report(int rung, double score) {
        if (rung < 0) {
            throw new IllegalArgumentException("rung must be 0 or more, got " + rung);
        }
        while (rungs.size() <= rung) {
            rungs.add(new ArrayList<>());
        }
        double value = Double.isNaN(score) ? Double.NEGATIVE_INFINITY : score;
        List<Double> at = rungs.get(rung);
        at.add(value);
        List<Double> sorted = new ArrayList<>(at);
        sorted.sort((a, b) -> Double.compare(b, a));              // best first
        int k = Math.max(1, (int) Math.floor(at.size() / eta));   // how many go on
        return value >= sorted.get(k - 1);
    }

    /** The scores reported at {@code rung}, in order. */
    public synchronized List<Double> scores(int rung) {
        return rung < rungs.size() ? List.copyOf(rungs.get(rung)) : List.of();
    }
}

package dev.gradus.tune;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One trial of a search: its settings drawn from its seed, the scores it reported at the
 * successive-halving rungs, and how it ended.
 *
 * @param number the trial's index in the study, from 0
 * @param seed the seed its settings were drawn from ({@link SearchSpace#sample}) and its
 *     model trained with ({@code --seed})
 * @param params its settings, by {@link SearchSpace#KEYS}
 * @param state how it ended
 * @param rungs the score reported at each rung reached, in order (as {@link Asha} saw it:
 *     higher is better)
 * @param score the tuned metric (a complete trial's on its held-out rows or mean over the
 *     folds; NaN for a failed trial and for one stopped at a rung)
 * @param epochs epochs trained (the mean over folds with cross-validation)
 * @param bestEpoch with a holdout, the epoch whose weights early stopping kept (the epochs
 *     the retraining on all rows runs); 0 with cross-validation, or when the trial did not end
 * @param seconds wall time of the trial
 */
public record Trial(int number, long seed, Map<String, String> params, State state, List<Double> rungs,
                    double score, double epochs, int bestEpoch, double seconds) {

    /** How a trial ended. */
    public enum State {
        /** Trained to the end and scored. */
        COMPLETE,
        /** Stopped at a rung by successive halving. */
        PRUNED,
        /** Training diverged (a non-finite loss). */
        FAILED;

        /** The lower-case name used in tables and files. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Reads {@link #label()}. */
        public static State parse(String label) {
            for (State s : values()) {
                if (s.label().equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown trial state '" + label + "'");
        }
    }

    public Trial {
        if (number < 0) {
            throw new IllegalArgumentException("trial number must be 0 or more, got " + number);
        }
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        Objects.requireNonNull(state, "state");
        rungs = List.copyOf(rungs);
    }
}

package dev.gradus.model;

import dev.gradus.data.Task;
import dev.gradus.tensor.Matrix;
import java.util.List;

/**
 * A model's predictions for the rows of a table.
 *
 * @param task regression or classification
 * @param names the output columns: class labels, or target names
 * @param outputs {@code N × names.size()}: regression values in original units, or for
 *     classification one score per class (class probabilities when
 *     {@code probabilities} is true)
 * @param probabilities whether classification outputs are probabilities (summing to 1)
 * @param positive the positive class id of a stored decision (1 when there is none)
 * @param threshold the stored decision's threshold on the positive class's probability, or NaN
 *     for none: {@link #classIds()} and {@link #labels()} then give the most probable class
 */
public record Predictions(Task task, List<String> names, Matrix outputs, boolean probabilities, int positive,
                          double threshold) {

    /** Predictions decided by the highest score. */
    public Predictions(Task task, List<String> names, Matrix outputs, boolean probabilities) {
        this(task, names, outputs, probabilities, 1, Double.NaN);
    }

    /** The number of predicted rows {@code N}. */
    public int rows() {
        return outputs.rows();
    }

    /**
     * For classification: the class id with the highest score in each row (first on ties), or,
     * with a stored decision, the positive class where its probability is at least the
     * threshold and the other class elsewhere.
     */
    public int[] classIds() {
        return Double.isNaN(threshold) ? mostProbable() : classIds(positive, threshold);
    }

    /** The class id with the highest score in each row (first on ties), whatever the stored decision. */
    public int[] mostProbable() {
        if (task != Task.CLASSIFICATION) {
            throw new IllegalStateException("class ids exist for classification only");
        }
        int k = outputs.cols();
        int[] ids = new int[outputs.rows()];
        for (int i = 0; i < ids.length; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) {
                if (outputs.get(i, c) > outputs.get(i, best)) {
                    best = c;
                }
            }
            ids[i] = best;
        }
        return ids;
    }

    /**
     * For two classes with probabilities: class {@code positive} where its probability is at
     * least {@code threshold}, the other class elsewhere. A NaN threshold means
     * {@link #mostProbable()} (the more probable class), whatever the stored decision.
     *
     * @throws IllegalStateException for regression, more than two classes or scores that are not
     *     probabilities
     * @throws IllegalArgumentException for a positive id other than 0 or 1, or a threshold
     *     outside {@code [0, 1]}
     */
    public int[] classIds(int positive, double threshold) {
        if (Double.isNaN(threshold)) {
            return mostProbable();
        }
        if (task != Task.CLASSIFICATION || outputs.cols() != 2 || !probabilities) {
            throw new IllegalStateException("a decision threshold needs two classes with probabilities; these are "
                    + outputs.cols() + " " + (probabilities ? "probabilities" : "scores") + " for " + task);
        }
        if (positive != 0 && positive != 1) {
            throw new IllegalArgumentException("the positive class id must be 0 or 1, got " + positive);
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("the threshold must be in [0, 1], got " + threshold);
        }
        int[] ids = new int[outputs.rows()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = outputs.get(i, positive) >= threshold ? positive : 1 - positive;
        }
        return ids;
    }

    /** The labels of {@link #classIds(int, double)}. */
    public String[] labels(int positive, double threshold) {
        int[] ids = classIds(positive, threshold);
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = names.get(ids[i]);
        }
        return out;
    }

    /** For classification: the predicted label of each row ({@link #classIds()}'s). */
    public String[] labels() {
        int[] ids = classIds();
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = names.get(ids[i]);
        }
        return out;
    }

    /** The outputs as doubles, {@code N × names.size()}. */
    public double[][] toDoubles() {
        return outputs.toDoubles();
    }
}

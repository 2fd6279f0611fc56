package dev.gradus.model;

import java.util.List;

/**
 * What a model predicts for one row: a class label with one score per class, or the values of
 * the regression targets in their original units.
 */
public sealed interface Prediction permits Prediction.Classification, Prediction.Regression {

    /**
     * A classification: the label with the highest score (the first on ties, as
     * {@code gradus predict} chooses) or, for a model with a stored threshold, the positive class
     * where its probability reaches the threshold; its index, and one score per class in
     * {@code classes} order.
     *
     * @param label the predicted class label, as written in the training data
     * @param classId the index of {@code label} in {@code classes}
     * @param classes every class label, in the model's output order
     * @param scores one score per class (shared; do not modify)
     * @param probabilities whether {@code scores} are probabilities summing to 1 (softmax or
     *     sigmoid output); false for a classifier trained with a regression loss such as mse
     */
    record Classification(String label, int classId, List<String> classes, float[] scores, boolean probabilities)
            implements Prediction {
        /** The score of the class named {@code label}. */
        public float score(String label) {
            int k = classes.indexOf(label);
            if (k < 0) {
                throw new IllegalArgumentException("no class '" + label + "'; the classes are " + classes);
            }
            return scores[k];
        }
    }

    /**
     * A regression: one value per target, in original units.
     *
     * @param targets the target column names
     * @param values one value per target (shared; do not modify)
     */
    record Regression(List<String> targets, float[] values) implements Prediction {
        /** The value of the first (often only) target. */
        public float value() {
            return values[0];
        }
    }
}

package dev.gradus.train;

import java.util.Map;

/**
 * What one epoch did.
 *
 * @param epoch the epoch number, from 1
 * @param loss the mean of the batch losses weighted by batch rows, each measured in the
 *     forward pass before that batch's update (for full batch: the loss before the step);
 *     with dropout, on the dropped-out network
 * @param steps optimizer steps taken in this epoch
 * @param seconds wall time of the epoch
 * @param learningRate the learning rate of this epoch, {@code α·f(e)}
 * @param validationLoss the loss on the validation rows after the epoch, NaN without validation
 * @param validationMetrics each metric on the validation rows after the epoch, by name
 */
public record EpochStats(int epoch, double loss, int steps, double seconds, double learningRate,
                         double validationLoss, Map<String, Double> validationMetrics) {
    public EpochStats {
        validationMetrics = Map.copyOf(validationMetrics);
    }

    /** True when this epoch was evaluated on validation rows. */
    public boolean validated() {
        return !Double.isNaN(validationLoss);
    }
}

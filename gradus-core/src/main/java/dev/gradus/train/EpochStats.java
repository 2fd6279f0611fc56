package dev.gradus.train;

/**
 * What one epoch did.
 *
 * @param epoch the epoch number, from 1
 * @param loss the mean of the batch losses weighted by batch rows, each measured in the
 *     forward pass before that batch's update (for full batch: the loss before the step)
 * @param steps optimizer steps taken in this epoch
 * @param seconds wall time of the epoch
 */
public record EpochStats(int epoch, double loss, int steps, double seconds) {}

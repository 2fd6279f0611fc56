package dev.gradus.bench;

import dev.gradus.workloads.Workloads.Workload;

/**
 * Another library training a workload in the side-by-side harness. Implementations live in
 * {@code src/peers/java} and are compiled only with {@code -Ppeers}; the harness finds them by
 * class name.
 *
 * <p>Equal updates: the seed's ℓ2 sums the squared error over the {@code k} outputs and averages
 * over samples, so its gradient is {@code k} times that of a mean-squared error averaged over
 * all {@code N·k} elements. A peer whose loss is that MSE gets learning rate {@code k·α}; a
 * peer whose output gradient is {@code ŷ − y} (half the squared error) gets {@code 2·α}.
 */
public interface Peer {
    /** Library name and version. */
    String name();

    /**
     * Trains {@code w} on rows {@code x} ({@code N × inputs}, row-major) and targets {@code y}
     * ({@code N × k}) with plain SGD equivalent to the seed's ℓ2 at {@code α}, batches of
     * {@code w.batch()}, for {@code warmup + epochs} epochs, and returns samples/s of each
     * measured epoch.
     */
    double[] train(Workload w, float[] x, float[] y, double alpha, int warmup, int epochs) throws Exception;
}

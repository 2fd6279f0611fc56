package dev.gradus.train;

/** The loss became NaN or infinite: training stopped at the named epoch and step. */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final int step;

    public TrainingDivergedException(int epoch, int step, double loss) {
        super("training diverged: the loss became " + loss + " at epoch " + epoch + ", step " + step
                + " (try a smaller learning rate, or scale the inputs)");
        this.epoch = epoch;
        this.step = step;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }
}

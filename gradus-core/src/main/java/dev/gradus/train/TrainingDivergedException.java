package dev.gradus.train;

/**
 * The loss became NaN or infinite: training stopped at the named epoch and step. The weights
 * of the last step whose loss was finite, and the history up to the last full epoch, are in
 * {@link #lastGood()}.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final int step;
    private final transient Trainer.Result lastGood;

    public TrainingDivergedException(int epoch, int step, double loss, Trainer.Result lastGood) {
        this(epoch, step, "", loss, lastGood);
    }

    /**
     * As {@link #TrainingDivergedException(int, int, double, Trainer.Result)} for a step that is
     * not the whole run's: {@code whose} follows "step S" in the message (e.g. {@code " of
     * partition 1, in round 2 of model averaging"}).
     */
    public TrainingDivergedException(int epoch, int step, String whose, double loss, Trainer.Result lastGood) {
        super("training diverged: the loss became " + loss + " at epoch " + epoch + ", step " + step + whose
                + " (try a smaller learning rate, gradient clipping, or scaled inputs)");
        this.epoch = epoch;
        this.step = step;
        this.lastGood = lastGood;
    }

    public TrainingDivergedException(int epoch, int step, double loss) {
        this(epoch, step, loss, null);
    }

    /** The epoch, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The step within the epoch, from 1 (in model averaging: the diverging partition's step). */
    public int step() {
        return step;
    }

    /**
     * The network holding the last weights with a finite loss (the initial ones if the first
     * step diverged) and the history of the completed epochs; null only when built without it.
     */
    public Trainer.Result lastGood() {
        return lastGood;
    }
}

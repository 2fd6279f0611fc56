package dev.gradus.cli;

import dev.gradus.train.EpochStats;
import dev.gradus.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints one plain line per reported epoch: at most about 20 lines per run (every
 * {@code ⌈epochs/20⌉}-th epoch, and always the first and last), so logs stay readable.
 */
final class EpochPrinter implements TrainingListener {
    private final PrintWriter err;
    private final int epochs;
    private final int every;
    private final int rows;

    EpochPrinter(PrintWriter err, int epochs, int rows) {
        this.err = err;
        this.epochs = epochs;
        this.every = Math.max(1, (epochs + 19) / 20);
        this.rows = rows;
    }

    @Override
    public void onEpoch(EpochStats s) {
        if (s.epoch() == 1 || s.epoch() == epochs || s.epoch() % every == 0) {
            err.printf(Locale.ROOT, "epoch %" + Integer.toString(epochs).length() + "d/%d  loss %.6f  %.0f samples/s%n",
                    s.epoch(), epochs, s.loss(), s.seconds() > 0 ? rows / s.seconds() : 0.0);
            err.flush();
        }
    }
}

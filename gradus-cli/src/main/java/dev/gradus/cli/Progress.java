package dev.gradus.cli;

import dev.gradus.train.EpochStats;
import dev.gradus.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Training progress on stderr: a progress bar over the epochs (loss, samples/s, ETA) when stderr
 * is a terminal, otherwise plain lines with no control characters (at most about 20 per run:
 * every {@code ⌈epochs/20⌉}-th epoch, and always the first and last).
 */
final class Progress implements TrainingListener, AutoCloseable {
    /** How progress is shown. */
    enum Mode { AUTO, BAR, PLAIN, NONE }

    private final PrintWriter err;
    private final int epochs;
    private final int rows;
    private final int every;
    private final ProgressBar bar;

    private Progress(PrintWriter err, int epochs, int rows, ProgressBar bar) {
        this.err = err;
        this.epochs = epochs;
        this.rows = rows;
        this.every = Math.max(1, (epochs + 19) / 20);
        this.bar = bar;
    }

    /**
     * Progress for {@code epochs} epochs over {@code rows} rows. {@code AUTO} shows a bar when
     * the launcher reports stderr to be a terminal ({@code -Dgradus.stderr.tty=true}).
     */
    static Progress start(Mode mode, PrintWriter err, int epochs, int rows) {
        Mode chosen = mode == Mode.AUTO ? (Boolean.getBoolean("gradus.stderr.tty") ? Mode.BAR : Mode.PLAIN) : mode;
        if (epochs == 0 || chosen == Mode.NONE) {
            return new Progress(null, epochs, rows, null);
        }
        if (chosen == Mode.PLAIN) {
            return new Progress(err, epochs, rows, null);
        }
        err.flush();
        ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(epochs)
                .setUnit(" epochs", 1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(200)
                .build();
        return new Progress(err, epochs, rows, bar);
    }

    @Override
    public void onEpoch(EpochStats s) {
        double speed = s.seconds() > 0 ? rows / s.seconds() : 0;
        StringBuilder validation = new StringBuilder();
        if (s.validated()) {
            validation.append(String.format(Locale.ROOT, "  val_loss %.5f", s.validationLoss()));
            s.validationMetrics().forEach((name, v) -> validation.append(String.format(Locale.ROOT, "  val_%s %.4f",
                    name, v)));
        }
        if (bar != null) {
            bar.stepTo(s.epoch());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.5f%s  %.0f samples/s", s.loss(), validation, speed));
        } else if (err != null && (s.epoch() == 1 || s.epoch() == epochs || s.epoch() % every == 0)) {
            err.printf(Locale.ROOT, "epoch %" + Integer.toString(epochs).length() + "d/%d  loss %.6f%s  %.0f samples/s%n",
                    s.epoch(), epochs, s.loss(), validation, speed);
            err.flush();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

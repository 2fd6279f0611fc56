package dev.gradus.cli;

import dev.gradus.train.EpochStats;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training progress on stderr: one line redrawn in place (carriage return) when stderr is a
 * terminal, otherwise plain lines with no control characters (about 20 per run: every
 * {@code ⌈epochs/20⌉}-th epoch, and always the first and the last epoch run).
 *
 * <p>The bar shows the epoch, the training loss (labelled {@code std loss} when regression
 * targets are standardised, so that it is not mistaken for the final loss in original units),
 * the validation scores, the elapsed time with an estimate of the time left, and the speed.
 * Fields drop out, least useful first, when the terminal is too narrow; the estimate counts
 * to {@code --epochs} when every epoch will run, and under early stopping to the stopping
 * rule's horizon (the epoch at which the run stops if the watched value does not improve
 * again), shown as a lower bound {@code ≥}. The last state is written once, followed by a
 * newline, when training ends.
 */
final class Progress implements TrainingListener, AutoCloseable {
    /** How progress is shown. */
    enum Mode { AUTO, BAR, PLAIN, NONE }

    /** The least time between two redraws of the bar, in nanoseconds. */
    private static final long REDRAW_NANOS = 150_000_000L;
    /** Width of the bar graphic, in cells (it shrinks to {@link #MIN_BAR} before it drops out). */
    private static final int MAX_BAR = 20;
    private static final int MIN_BAR = 10;

    private final Mode mode;
    private final PrintWriter err;
    private final int epochs;
    private final int rows;
    private final int stepsPerEpoch;
    private final int every;
    private final int columns;
    private final String lossName;
    private final StoppingRule rule;
    private final long started = System.nanoTime();

    private int firstEpoch = -1;
    private EpochStats last;
    private EpochStats lastPrinted;
    private double trainSeconds;
    private int epochsRun;
    private int step;
    private long lastDraw;
    private long firstEpochEnd;
    private long lastEpochEnd;
    private boolean finished;
    private String drawn = "";

    private Progress(Mode mode, PrintWriter err, TrainingOptions options, int rows, boolean standardisedLoss,
                     int columns) {
        this.mode = mode;
        this.err = err;
        this.epochs = options.epochs();
        this.rows = rows;
        this.stepsPerEpoch = rows == 0 ? 1 : (rows + options.effectiveBatchSize(rows) - 1)
                / Math.max(1, options.effectiveBatchSize(rows));
        this.every = Math.max(1, (epochs + 19) / 20);
        this.columns = columns;
        this.lossName = standardisedLoss ? "std loss" : "loss";
        this.rule = StoppingRule.of(options);
    }

    /**
     * Progress for a run with {@code options} over {@code rows} training rows.
     * {@code AUTO} shows a bar when the launcher reports stderr to be a terminal
     * ({@code -Dgradus.stderr.tty=true}, with its width in {@code -Dgradus.stderr.columns}).
     *
     * @param standardisedLoss whether the training loss is measured on standardised regression
     *     targets (and so differs from the final loss, which is in the targets' own units)
     */
    static Progress start(Mode mode, PrintWriter err, TrainingOptions options, int rows, boolean standardisedLoss) {
        Mode chosen = mode == Mode.AUTO ? (Boolean.getBoolean("gradus.stderr.tty") ? Mode.BAR : Mode.PLAIN) : mode;
        if (options.epochs() == 0) {
            chosen = Mode.NONE;
        }
        if (chosen != Mode.NONE) {
            err.flush();
        }
        return new Progress(chosen, err, options, rows, standardisedLoss, terminalColumns());
    }

    /** The terminal's width as the launcher measured it ({@code stty size}), else 80. */
    static int terminalColumns() {
        try {
            int c = Integer.parseInt(System.getProperty("gradus.stderr.columns", "").strip());
            return c >= 20 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    @Override
    public void onBatch(int epoch, int step, double loss) {
        if (mode != Mode.BAR) {
            return;
        }
        this.step = step;
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS) {
            draw(now);
        }
    }

    @Override
    public void onEpoch(EpochStats s) {
        if (firstEpoch < 0) {
            firstEpoch = s.epoch();
        }
        last = s;
        epochsRun++;
        lastEpochEnd = System.nanoTime();
        if (epochsRun == 1) {
            firstEpochEnd = lastEpochEnd;
        }
        trainSeconds += s.seconds();
        step = 0;
        rule.observe(s);
        if (mode == Mode.BAR) {
            long now = System.nanoTime();
            if (now - lastDraw >= REDRAW_NANOS) {      // the last state is drawn by close()
                draw(now);
            }
        } else if (mode == Mode.PLAIN && (s.epoch() == firstEpoch || s.epoch() == epochs || s.epoch() % every == 0)) {
            printLine(s);
        }
    }

    @Override
    public void close() {
        if (last == null) {
            return;
        }
        finished = true;
        if (mode == Mode.BAR) {
            step = 0;
            String line = render(columns - 1);
            if (!line.equals(drawn)) {
                write(line);
            }
            err.print('\n');
            err.flush();
        } else if (mode == Mode.PLAIN && lastPrinted != last) {
            printLine(last);        // the epoch the run stopped at
        }
    }

    private void printLine(EpochStats s) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "epoch %" + Integer.toString(epochs).length()
                + "d/%d", s.epoch(), epochs));
        for (String field : scores(s)) {
            line.append("  ").append(field);
        }
        line.append("  ").append(speed());
        err.println(line);
        err.flush();
        lastPrinted = s;
    }

    private void draw(long now) {
        lastDraw = now;
        write(render(columns - 1));
    }

    /** Redraws the line in place, blanking what is left of a longer previous line. */
    private void write(String line) {
        StringBuilder s = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < drawn.length(); i++) {
            s.append(' ');
        }
        err.print(s);
        err.flush();
        drawn = line;
    }

    /** The loss and the validation scores of {@code s}, e.g. {@code loss 0.0123}. */
    private List<String> scores(EpochStats s) {
        List<String> fields = new ArrayList<>();
        fields.add(lossName + " " + formatLoss(s.loss()));
        if (s.validated()) {
            fields.add("val_loss " + formatLoss(s.validationLoss()));
            for (Map.Entry<String, Double> m : new java.util.TreeMap<>(s.validationMetrics()).entrySet()) {
                fields.add(String.format(Locale.ROOT, "val_%s %.4f", m.getKey(), m.getValue()));
            }
        }
        return fields;
    }

    private String speed() {
        double seconds = trainSeconds;
        return String.format(Locale.ROOT, "%.0f samples/s", seconds > 0 ? (double) rows * epochsRun / seconds : 0.0);
    }

    /**
     * The bar at most {@code width} characters wide. Fields in the order shown; when they do
     * not fit, the speed goes first, then the patience count, the validation metrics, the
     * time, the bar graphic and the validation loss; the epoch and the loss always stay.
     */
    String render(int width) {
        int epoch = last == null ? 0 : last.epoch();
        double done = Math.min(1.0, (epoch + (double) step / stepsPerEpoch) / Math.max(1, epochs));
        String counter = String.format(Locale.ROOT, "epoch %" + Integer.toString(epochs).length() + "d/%d", epoch, epochs);
        List<String> scores = last == null ? List.of(lossName + " …") : scores(last);
        String loss = scores.get(0);
        String valLoss = scores.size() > 1 ? scores.get(1) : null;
        List<String> metrics = scores.size() > 2 ? scores.subList(2, scores.size()) : List.of();
        String time = time(epoch);
        String waiting = rule.patience > 0 && rule.bestEpoch > 0
                ? "no gain " + rule.sinceBest + "/" + rule.patience : null;
        String speed = last == null ? null : speed();

        // Candidate layouts, richest first; the first that fits wins. The bar keeps one width
        // while it can (a bar that shrinks and grows as fields come and go looks like a glitch).
        boolean[][] keep = {
            // valLoss, metrics, time, waiting, speed
            {true, true, true, true, true},
            {true, true, true, true, false},
            {true, true, true, false, false},
            {true, false, true, false, false},
            {true, false, false, false, false},
            {false, false, false, false, false},
        };
        String percent = String.format(Locale.ROOT, " %3d%%", (int) Math.floor(done * 100));
        for (int cells : new int[] {MAX_BAR, MIN_BAR, 0}) {
            for (boolean[] k : keep) {
                List<String> fields = new ArrayList<>();
                fields.add(loss);
                if (k[0] && valLoss != null) {
                    fields.add(valLoss);
                }
                if (k[1]) {
                    fields.addAll(metrics);
                }
                if (k[4] && speed != null) {
                    fields.add(speed);
                }
                if (k[2] && time != null) {
                    fields.add(time);
                }
                if (k[3] && waiting != null) {
                    fields.add(waiting);
                }
                String tail = "  " + String.join("  ", fields);
                String line = cells == 0 ? counter + percent + tail
                        : counter + " |" + graphic(done, cells) + "|" + percent + tail;
                if (line.length() <= width) {
                    return line;
                }
            }
        }
        String bare = counter + "  " + loss;
        return bare.length() <= width ? bare : bare.substring(0, Math.max(0, width));
    }

    /**
     * Elapsed time and the estimate of what is left, e.g. {@code 0:12, 0:30 left} or under
     * early stopping {@code 0:12, ≥0:05 left}; the elapsed time alone once training has ended,
     * and null before the first epoch.
     */
    private String time(int epoch) {
        long now = System.nanoTime();
        double elapsed = (now - started) / 1e9;
        if (epochsRun == 0) {
            return null;
        }
        if (finished) {
            return clock(elapsed);
        }
        // Seconds per epoch from the epochs after the first (which also pays for warming up).
        double perEpoch = epochsRun == 1 ? elapsed : (lastEpochEnd - firstEpochEnd) / 1e9 / (epochsRun - 1);
        int horizon = rule.horizon(epochs);
        if (horizon < 0) {
            return clock(elapsed);
        }
        double left = perEpoch * Math.max(0, horizon - epoch);
        return clock(elapsed) + (horizon == epochs ? ", " : ", ≥") + clock(left) + " left";
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String graphic(double done, int cells) {
        String[] partial = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
        double filled = done * cells;
        int full = (int) Math.floor(filled);
        StringBuilder s = new StringBuilder();
        s.append("█".repeat(full));
        if (full < cells) {
            s.append(partial[(int) Math.floor((filled - full) * 8)]);
        }
        while (s.codePointCount(0, s.length()) < cells) {
            s.append(' ');
        }
        return s.toString();
    }

    /**
     * A loss for people: 4 significant digits, in scientific notation below 1e-3 and from
     * 1e5 on, so that a small loss never reads as {@code 0.00000}.
     */
    static String formatLoss(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v == 0 ? "0" : Double.toString(v);
        }
        double a = Math.abs(v);
        if (a < 1e-3 || a >= 1e5) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        int decimals = Math.max(0, 3 - (int) Math.floor(Math.log10(a)));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * The early-stopping rule as the trainer applies it, followed from the epochs it reports:
     * the best value of the watched quantity, the epochs since it improved, and so the epoch at
     * which the run stops unless it improves again.
     */
    private static final class StoppingRule {
        final int patience;
        final String monitor;
        final double minDelta;
        final boolean higherIsBetter;
        double best;
        int bestEpoch;
        int sinceBest;

        private StoppingRule(int patience, String monitor, double minDelta, boolean higherIsBetter) {
            this.patience = patience;
            this.monitor = monitor;
            this.minDelta = minDelta;
            this.higherIsBetter = higherIsBetter;
        }

        static StoppingRule of(TrainingOptions o) {
            boolean higher = o.metrics().stream().filter(m -> m.name().equals(o.monitor())).findFirst()
                    .map(ValidationMetric::higherIsBetter).orElse(false);
            return new StoppingRule(o.patience(), o.monitor(), o.minDelta(), higher);
        }

        void observe(EpochStats s) {
            if (patience <= 0) {
                return;
            }
            Double value = monitor.equals(TrainingOptions.TRAIN_LOSS) ? Double.valueOf(s.loss())
                    : monitor.equals("loss") ? Double.valueOf(s.validationLoss()) : s.validationMetrics().get(monitor);
            if (value == null || value.isNaN()) {
                return;
            }
            boolean improves = bestEpoch == 0 || (higherIsBetter ? value > best + minDelta : value < best - minDelta);
            if (improves) {
                best = value;
                bestEpoch = s.epoch();
                sinceBest = 0;
            } else {
                sinceBest++;
            }
        }

        /** The last epoch the run can reach as things stand, or -1 when it is not known yet. */
        int horizon(int maxEpochs) {
            if (patience <= 0) {
                return maxEpochs;
            }
            if (bestEpoch == 0) {
                return -1;
            }
            return Math.min(maxEpochs, bestEpoch + patience);
        }
    }
}

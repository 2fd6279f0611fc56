package dev.gradus.train;

import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import dev.gradus.optim.Sgd;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How to train: loss, optimizer and schedule; epochs, batch size, shuffling, seed and threads;
 * gradient clipping and dropout; validation, metrics and early stopping. Every value is concrete:
 * these are the options the {@link Trainer} runs. A user's choices with the rest left to the
 * defaults of {@code gradus train} are a {@link TrainingSpec}, which {@link Defaults} resolves
 * into options; {@link #plain()} is the seed's own setting.
 *
 * <pre>{@code
 * TrainingOptions options = TrainingOptions.plain()
 *         .withLoss(Loss.CROSS_ENTROPY)
 *         .withOptimizer(Adam.defaults())
 *         .withSchedule(Schedule.parse("cosine(warmup=5)", 200))
 *         .withEpochs(200)
 *         .withValidationFraction(0.1)
 *         .withPatience(10);            // early stopping on the validation loss, best weights kept
 * }</pre>
 *
 * @param loss the loss {@code ℓ} (the seed's {@link Loss#MSE} in {@link #plain()})
 * @param optimizer the update rule ({@code Sgd(0.01)} in {@link #plain()})
 * @param epochs passes over the data (a maximum when early stopping is on); 0 trains nothing
 * @param batchSize rows per step; 0 means full batch (all rows in one step)
 * @param shuffle whether each epoch visits the rows in a fresh seeded order
 * @param seed the seed of the shuffling order, the validation split and the dropout masks
 * @param threads cores the matrix products may use
 * @param schedule the learning-rate factor per epoch (constant in {@link #plain()})
 * @param clipNorm the largest global gradient norm, PyTorch's {@code clip_grad_norm_}; 0 = off
 * @param dropout the rate {@code p} of inverted dropout on hidden layers, in {@code [0, 1)}; 0 = off
 * @param validationFraction the share of rows held out for validation, in {@code [0, 1)}, when
 *     {@link Trainer#fit(dev.gradus.nn.Network, dev.gradus.tensor.Matrix, dev.gradus.tensor.Matrix)}
 *     gets no separate validation set; 0 = none
 * @param patience epochs without improvement of {@code monitor} before training stops; 0 = off
 * @param monitor {@code "loss"} (the validation loss), {@code "train_loss"} (the epoch's training
 *     loss: needs no validation rows; with {@code minDelta = 1e-4} and {@code patience = 10} it is
 *     scikit-learn's default stopping rule) or the name of one of {@code metrics}
 * @param metrics evaluated on the validation rows after every epoch
 * @param restoreBest whether, with early stopping, the weights of the best epoch are returned
 * @param minDelta the least change of {@code monitor} that counts as an improvement (Keras'
 *     {@code min_delta}); 0 = any improvement
 */
public record TrainingOptions(Loss loss, Optimizer optimizer, int epochs, int batchSize, boolean shuffle,
                              long seed, int threads, Schedule schedule, double clipNorm, double dropout,
                              double validationFraction, int patience, String monitor,
                              List<ValidationMetric> metrics, boolean restoreBest, double minDelta) {

    /** The monitor that watches the training loss of each epoch. */
    public static final String TRAIN_LOSS = "train_loss";

    public TrainingOptions {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(monitor, "monitor");
        metrics = List.copyOf(metrics);
        checkRanges(epochs, batchSize, threads, clipNorm, dropout, validationFraction, patience, minDelta);
        if (!monitor.equals("loss") && !monitor.equals(TRAIN_LOSS)
                && metrics.stream().noneMatch(m -> m.name().equals(monitor))) {
            throw new IllegalArgumentException("monitor '" + monitor + "' is neither 'loss', 'train_loss' nor one of the metrics "
                    + metrics.stream().map(ValidationMetric::name).toList());
        }
    }

    /** The ranges of the numeric options, checked for {@code TrainingOptions} and {@link TrainingSpec} alike. */
    static void checkRanges(int epochs, int batchSize, int threads, double clipNorm, double dropout,
                            double validationFraction, int patience, double minDelta) {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs must be 0 or more, got " + epochs);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch size must be 0 (full batch) or more, got " + batchSize);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new IllegalArgumentException("clip norm must be 0 (off) or positive and finite, got " + clipNorm);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be 0 (off) or more epochs, got " + patience);
        }
        if (!(minDelta >= 0) || !Double.isFinite(minDelta)) {
            throw new IllegalArgumentException("min delta must be 0 or a positive number, got " + minDelta);
        }
    }

    /**
     * The seed's plain setting: its ℓ2 loss ({@link Loss#MSE}) and plain update
     * {@code W ← W − α ∂ℓ2/∂W} ({@code Sgd(0.01)}), 100 epochs, batches of 32, shuffled, seed
     * {@link Defaults#SEED}, all cores, constant schedule, no clipping, no dropout, no
     * validation, no early stopping (monitor "loss", restoring the best weights once it is on).
     * Nothing here is resolved by the policy: these are not the defaults of {@code gradus train},
     * which {@link TrainingSpec#defaults()} gives.
     */
    public static TrainingOptions plain() {
        return new TrainingOptions(Loss.MSE, new Sgd(0.01), 100, 32, true, Defaults.SEED,
                Runtime.getRuntime().availableProcessors(), Schedule.CONSTANT, 0, 0, 0, 0, "loss", List.of(), true, 0);
    }

    /**
     * The seed's plain setting, {@link #plain()}.
     *
     * @deprecated the name reads as "the defaults", which {@code gradus train} and
     *     {@code ModelSpec} take from {@link Defaults} through {@link TrainingSpec#defaults()};
     *     say {@link #plain()} for the seed's setting.
     */
    @Deprecated(forRemoval = true)
    public static TrainingOptions defaults() {
        return plain();
    }

    public TrainingOptions withLoss(Loss value) {
        return new TrainingOptions(value, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withOptimizer(Optimizer value) {
        return new TrainingOptions(loss, value, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withEpochs(int value) {
        return new TrainingOptions(loss, optimizer, value, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withBatchSize(int value) {
        return new TrainingOptions(loss, optimizer, epochs, value, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withShuffle(boolean value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, value, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withSeed(long value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, value, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withThreads(int value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, value, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withSchedule(Schedule value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, value, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withClipNorm(double value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, value,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withDropout(double value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                value, validationFraction, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withValidationFraction(double value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, value, patience, monitor, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withPatience(int value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, value, monitor, metrics, restoreBest, minDelta);
    }

    /** Early stopping watches {@code metricName} ({@code "loss"} or one of {@link #metrics()}). */
    public TrainingOptions withMonitor(String metricName) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, metricName, metrics, restoreBest, minDelta);
    }

    public TrainingOptions withMetrics(List<ValidationMetric> value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, value, restoreBest, minDelta);
    }

    public TrainingOptions withRestoreBest(boolean value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, value, minDelta);
    }

    public TrainingOptions withMinDelta(double value) {
        return new TrainingOptions(loss, optimizer, epochs, batchSize, shuffle, seed, threads, schedule, clipNorm,
                dropout, validationFraction, patience, monitor, metrics, restoreBest, value);
    }

    /**
     * The options that decide the trajectory of a run, as text by name: everything but
     * {@code epochs} (a resumed run may go further) and {@code threads} (results do not depend
     * on it). Two runs with equal settings, seeds and rows take bit-identical steps; a
     * {@link Checkpoint} stores them so that a run only resumes under the same ones.
     */
    public SortedMap<String, String> settings() {
        SortedMap<String, String> s = new TreeMap<>();
        s.put("loss", loss.toString());
        s.put("optimizer", optimizer.toString());
        s.put("schedule", schedule.toString());
        s.put("batch_size", Integer.toString(batchSize));
        s.put("shuffle", Boolean.toString(shuffle));
        s.put("seed", Long.toString(seed));
        s.put("clip_norm", Double.toString(clipNorm));
        s.put("dropout", Double.toString(dropout));
        s.put("validation_fraction", Double.toString(validationFraction));
        s.put("patience", Integer.toString(patience));
        s.put("monitor", monitor);
        s.put("metrics", metrics.stream().map(ValidationMetric::name).toList().toString());
        s.put("restore_best", Boolean.toString(restoreBest));
        s.put("min_delta", Double.toString(minDelta));
        return s;
    }

    /**
     * The options whose {@link #settings()} are {@code settings}, with {@code epochs} and
     * {@code threads}: the options of a run to resume from its {@link Checkpoint}.
     *
     * @param metrics the metrics the settings may name (by {@link ValidationMetric#name()})
     * @throws IllegalArgumentException naming a missing, unknown or malformed setting
     */
    public static TrainingOptions fromSettings(Map<String, String> settings, int epochs, int threads,
                                               List<ValidationMetric> metrics) {
        Set<String> known = plain().settings().keySet();
        for (String key : settings.keySet()) {
            if (!known.contains(key) && !key.endsWith("_sha256")) {
                throw new IllegalArgumentException("unknown training setting '" + key + "'");
            }
        }
        Function<String, String> get = key -> {
            String v = settings.get(key);
            if (v == null) {
                throw new IllegalArgumentException("missing training setting '" + key + "'");
            }
            return v;
        };
        List<ValidationMetric> chosen = new ArrayList<>();
        String names = get.apply("metrics");
        if (!names.matches("\\[.*]")) {
            throw new IllegalArgumentException("training setting metrics = " + names + " is not a [list]");
        }
        for (String name : names.substring(1, names.length() - 1).split(",")) {
            if (name.isBlank()) {
                continue;
            }
            chosen.add(metrics.stream().filter(m -> m.name().equals(name.trim())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("training setting metrics names an unknown metric '"
                            + name.trim() + "'; known: " + metrics.stream().map(ValidationMetric::name).toList())));
        }
        TrainingOptions o = new TrainingOptions(Loss.parse(get.apply("loss")), Optimizer.parse(get.apply("optimizer")),
                epochs, Integer.parseInt(get.apply("batch_size")), Boolean.parseBoolean(get.apply("shuffle")),
                Long.parseLong(get.apply("seed")), threads, Schedule.parse(get.apply("schedule"), Math.max(1, epochs)),
                Double.parseDouble(get.apply("clip_norm")), Double.parseDouble(get.apply("dropout")),
                Double.parseDouble(get.apply("validation_fraction")), Integer.parseInt(get.apply("patience")),
                get.apply("monitor"), chosen, Boolean.parseBoolean(get.apply("restore_best")),
                Double.parseDouble(get.apply("min_delta")));
        SortedMap<String, String> back = o.settings();
        for (String key : back.keySet()) {
            if (!back.get(key).equals(settings.get(key))) {
                throw new IllegalArgumentException("training setting " + key + " = " + settings.get(key)
                        + " reads back as " + back.get(key));
            }
        }
        return o;
    }

    /** The rows per step for a dataset of {@code rows} rows: {@code batchSize}, or all for 0. */
    public int effectiveBatchSize(int rows) {
        return batchSize == 0 ? rows : Math.min(batchSize, rows);
    }
}

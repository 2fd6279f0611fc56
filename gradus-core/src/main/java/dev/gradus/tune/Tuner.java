package dev.gradus.tune;

import dev.gradus.data.DataException;
import dev.gradus.data.Folds;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Split;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.CrossValidation;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.train.Defaults;
import dev.gradus.train.EpochStats;
import dev.gradus.train.TrainingDivergedException;
import dev.gradus.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A hyperparameter search: random search over a {@link SearchSpace}, poor trials stopped early
 * by asynchronous successive halving ({@link Asha}), each trial scored on held-out rows or by
 * K-fold cross-validation, and the best settings retrained on all rows.
 *
 * <pre>{@code
 * Tuner.Options options = Tuner.Options.defaults().withTrials(30).withTimeLimit(Duration.ofMinutes(4));
 * Tuner.Result r = Tuner.run(table, ModelSpec.classification("label"), SearchSpace.defaults(), options,
 *         Tuner.Listener.NONE);
 * r.model().save(Path.of("best.gradus"));
 * }</pre>
 *
 * <p><b>Trials.</b> Trial {@code i} draws its seed from the study's seed and {@code i} alone
 * ({@link #trialSeed}), its settings from that seed ({@link SearchSpace#sample}), and trains
 * with that seed: a trial is reproducible from its seed, and with a number of trials (and no
 * time limit) and one worker the whole search repeats exactly — the trials run one after another
 * and every successive-halving decision depends only on the trials before. With several workers
 * ({@link Options#workers}) trials train at once and each is judged against the trials that
 * reached its rung before it in time, so which trials stop early can differ between runs (each
 * trial that runs to the end still gives the same score from its seed). With a time limit, how
 * many trials run, and where the last one is cut, depends on the machine's speed.
 *
 * <p><b>Scoring.</b> With a holdout fraction, one split of the rows (stratified by class for
 * classification, drawn from the study's seed) is shared by every trial: a trial trains on the
 * rest, watching the held-out rows for early stopping (their accuracy when a classification is
 * tuned for accuracy, else their loss: {@link #trialStopping}; the best epoch's weights kept), and
 * is scored on them; its rungs are epochs ({@code r, rη, rη², …} up to the epochs' maximum) and
 * it reports there the best validation accuracy so far (classification tuned for accuracy) or
 * the best negated validation loss (otherwise). With folds, each trial is cross-validated as
 * {@link CrossValidation} does it (the same folds for every trial), and its rungs are folds:
 * after {@code 1, η, η², …} folds it reports the mean score so far.
 *
 * <p><b>Retraining.</b> The best complete trial's settings are trained on all rows with its
 * seed, exactly as {@code gradus train} with those settings and {@code --seed} would: with a
 * holdout for the epochs whose weights the trial kept ({@code --epochs}, no early stopping —
 * unless the base fixes its own epochs); with cross-validation under the training policy
 * ({@link Defaults}), as each fold was trained.
 *
 * <p><b>Resuming.</b> With a study file, the search records every finished trial there
 * (atomically, after each) and, when the file exists, first replays the trials it holds, so an
 * interrupted search continues with the next trial; its settings must agree with the file's.
 */
public final class Tuner {

    private Tuner() {
    }

    /**
     * How to search.
     *
     * @param trials the number of trials in the study (those resumed from the study file
     *     included); 0 = no limit (a time limit must be given)
     * @param timeLimit wall time for this run, retraining included; {@code null} = none. The
     *     search stops starting trials, and cuts the running one, when the time left is what the
     *     retraining of the best trial is expected to take
     * @param folds K for K-fold cross-validation, or 0 to score on a holdout
     * @param holdout the fraction of rows held out when {@code folds} is 0
     * @param metric the score to maximise or minimise ({@code evaluate}'s keys: accuracy, f1_macro,
     *     log_loss, roc_auc, average_precision, r2, rmse, mae); {@code null} = accuracy for
     *     classification, r2 for regression
     * @param eta the successive-halving reduction factor η
     * @param minResource the first rung in epochs, with a holdout (cross-validation's first rung is 1 fold)
     * @param seed the study's seed (trial seeds, the holdout split, the folds)
     * @param study the study file, or {@code null} for none
     * @param workers trials trained at once, each on its share of the base's threads (at least
     *     one); with more than one, successive halving judges each trial against those that
     *     reached a rung before it in time, so which trials are stopped can differ between runs
     */
    public record Options(int trials, Duration timeLimit, int folds, double holdout, String metric, double eta,
                          int minResource, long seed, Path study, int workers) {
        public Options {
            if (trials < 0) {
                throw new IllegalArgumentException("trials must be 0 or more, got " + trials);
            }
            if (trials == 0 && timeLimit == null) {
                throw new IllegalArgumentException("give a number of trials or a time limit");
            }
            if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
                throw new IllegalArgumentException("the time limit must be positive, got " + timeLimit);
            }
            if (folds == 1 || folds < 0) {
                throw new IllegalArgumentException("folds must be 0 (a holdout) or at least 2, got " + folds);
            }
            if (folds == 0 && !(holdout > 0 && holdout < 1)) {
                throw new IllegalArgumentException("the holdout fraction must be strictly between 0 and 1, got "
                        + holdout);
            }
            if (metric != null && !DIRECTIONS.containsKey(metric)) {
                throw new IllegalArgumentException("unknown metric '" + metric + "'; choose one of "
                        + String.join(", ", DIRECTIONS.keySet()));
            }
            new Asha(eta);
            if (minResource < 1) {
                throw new IllegalArgumentException("the first rung must be at least 1, got " + minResource);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
        }

        /**
         * 20 trials, no time limit, a 0.2 holdout, the task's metric, η = 3, first rung 3 epochs,
         * seed 42, one worker.
         */
        public static Options defaults() {
            return new Options(20, null, 0, 0.2, null, 3, 3, Defaults.SEED, null, 1);
        }

        public Options withTrials(int value) {
            return new Options(value, timeLimit, folds, holdout, metric, eta, minResource, seed, study, workers);
        }

        public Options withTimeLimit(Duration value) {
            return new Options(trials, value, folds, holdout, metric, eta, minResource, seed, study, workers);
        }

        /** K-fold cross-validation (0 = a holdout). */
        public Options withFolds(int value) {
            return new Options(trials, timeLimit, value, holdout, metric, eta, minResource, seed, study, workers);
        }

        public Options withHoldout(double value) {
            return new Options(trials, timeLimit, folds, value, metric, eta, minResource, seed, study, workers);
        }

        public Options withMetric(String value) {
            return new Options(trials, timeLimit, folds, holdout, value, eta, minResource, seed, study, workers);
        }

        public Options withEta(double value) {
            return new Options(trials, timeLimit, folds, holdout, metric, value, minResource, seed, study, workers);
        }

        /** The first rung, in epochs (with a holdout; cross-validation's first rung is always 1 fold). */
        public Options withMinResource(int value) {
            return new Options(trials, timeLimit, folds, holdout, metric, eta, value, seed, study, workers);
        }

        public Options withSeed(long value) {
            return new Options(trials, timeLimit, folds, holdout, metric, eta, minResource, value, study, workers);
        }

        public Options withStudy(Path value) {
            return new Options(trials, timeLimit, folds, holdout, metric, eta, minResource, seed, value, workers);
        }

        /** Trials trained at once (1 = one after another: the search repeats exactly). */
        public Options withWorkers(int value) {
            return new Options(trials, timeLimit, folds, holdout, metric, eta, minResource, seed, study, value);
        }
    }

    /**
     * Told about the search as it goes (a live table); one call at a time, on the searching
     * thread or, with several workers, on the worker whose trial finished.
     */
    public interface Listener {
        /** Does nothing. */
        Listener NONE = new Listener() { };

        /** Before the first trial: the metric, the rungs and how many trials were resumed. */
        default void onStart(String metric, List<Integer> rungs, List<Trial> resumed) {
        }

        /** After each trial; {@code best} says whether it is the best complete trial so far. */
        default void onTrial(Trial trial, boolean best) {
        }

        /** Before the best settings are retrained on all rows. */
        default void onRetrain(Trial best) {
        }
    }

    /**
     * The search's outcome.
     *
     * @param trials every trial of the study, resumed ones first
     * @param best the best complete trial
     * @param model its settings retrained on all rows
     * @param metric the metric tuned
     * @param epochs with a holdout, the epochs the model was retrained for: the best trial's
     *     kept epoch ({@code gradus train --epochs}); 0 when the training policy (or the base's
     *     own epochs) decided
     * @param resumed how many trials came from the study file
     * @param stoppedByTime whether the time limit ended the search
     */
    public record Result(List<Trial> trials, Trial best, Model model, String metric, int epochs, int resumed,
                         boolean stoppedByTime) {
        public Result {
            trials = List.copyOf(trials);
        }
    }

    /** Metrics and whether higher is better. */
    private static final Map<String, Boolean> DIRECTIONS = new LinkedHashMap<>();

    static {
        for (String m : List.of("accuracy", "precision_macro", "recall_macro", "f1_macro", "balanced_accuracy",
                "roc_auc", "average_precision", "r2")) {
            DIRECTIONS.put(m, true);
        }
        for (String m : List.of("log_loss", "rmse", "mae")) {
            DIRECTIONS.put(m, false);
        }
    }

    /** Whether a higher {@code metric} is better. */
    public static boolean higherIsBetter(String metric) {
        Boolean up = DIRECTIONS.get(metric);
        if (up == null) {
            throw new IllegalArgumentException("unknown metric '" + metric + "'; choose one of "
                    + String.join(", ", DIRECTIONS.keySet()));
        }
        return up;
    }

    /**
     * Checks that {@code metric} is one of {@code evaluate}'s scores for {@code task}.
     *
     * @throws IllegalArgumentException naming the metric and those of the task
     */
    public static void checkMetric(String metric, Task task) {
        higherIsBetter(metric);
        boolean regression = Set.of("r2", "rmse", "mae").contains(metric);
        if (task == Task.REGRESSION && !regression) {
            throw new IllegalArgumentException(metric + " is for classification; regression is tuned for r2, rmse "
                    + "or mae");
        }
        if (task == Task.CLASSIFICATION && regression) {
            throw new IllegalArgumentException(metric + " is for regression; classification is tuned for accuracy, "
                    + "f1_macro, balanced_accuracy, log_loss, roc_auc, average_precision, precision_macro or "
                    + "recall_macro");
        }
    }

    /** The default metric of {@code task}: accuracy, or r2. */
    public static String defaultMetric(Task task) {
        return task == Task.CLASSIFICATION ? "accuracy" : "r2";
    }

    /**
     * The seed of trial {@code number} of a study seeded {@code seed}: SplitMix64's finaliser
     * of the two, kept to 31 bits so that it reads well as {@code --seed}.
     */
    public static long trialSeed(long seed, int number) {
        long z = seed + 0x9E3779B97F4A7C15L * (number + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z & 0x7FFF_FFFFL;
    }

    /** Thrown from a training listener to end a trial at a rung or at the time limit. */
    private static final class Stop extends RuntimeException {
        final boolean timeUp;

        Stop(boolean timeUp) {
            super(null, null, false, false);
            this.timeUp = timeUp;
        }
    }

    /**
     * Runs the search on {@code table}: {@code base} gives the data spec and every training
     * choice the space does not set (it must leave the optimizer to the policy).
     *
     * @throws DataException from preprocessing the rows
     * @throws IOException when the study file cannot be read or written, or disagrees with
     *     this search's settings
     * @throws IllegalStateException when no trial completed (every one failed, or the time
     *     limit came first)
     */
    public static Result run(Table table, ModelSpec base, SearchSpace space, Options options, Listener listener)
            throws DataException, IOException {
        Objects.requireNonNull(listener, "listener");
        long started = System.nanoTime();
        long deadline = options.timeLimit() == null ? Long.MAX_VALUE
                : started + options.timeLimit().toNanos();
        Preprocessing whole = Preprocessing.fit(table, base.fittedData(), warning -> { });
        Task task = whole.task();
        String metric = options.metric() != null ? options.metric() : defaultMetric(task);
        checkMetric(metric, task);
        boolean up = higherIsBetter(metric);
        SearchSpace.apply(base, space.sample(0), 0);    // fails now if the base cannot take the space
        String target = whole.targetNames().get(0);

        Scoring scoring = options.folds() > 0
                ? new Folded(table, CrossValidation.folds(table, task, target, options.folds(), options.seed()))
                : new Holdout(table, task == Task.CLASSIFICATION
                        ? Split.stratified(table, target, options.holdout(), options.seed())
                        : Split.random(table, options.holdout(), options.seed()), base);
        int maxResource = options.folds() > 0 ? options.folds()
                : base.training().epochs().orElse(Defaults.maxEpochs(task));
        List<Integer> rungs = Asha.rungs(options.folds() > 0 ? 1 : options.minResource(), maxResource, options.eta());
        Asha asha = new Asha(options.eta());

        Map<String, String> settings = settings(table, base, space, options, metric);
        List<Trial> trials = new ArrayList<>();
        if (options.study() != null && Files.exists(options.study())) {
            StudyFile file = StudyFile.read(options.study());
            checkAgrees(options.study(), file.settings(), settings);
            for (Trial t : file.trials()) {
                for (int k = 0; k < t.rungs().size(); k++) {
                    asha.report(k, t.rungs().get(k));
                }
                trials.add(t);
            }
        }
        int resumed = trials.size();
        listener.onStart(metric, rungs, List.copyOf(trials));
        // Trials share the threads: each trains on its share (the results do not depend on it).
        int threads = base.training().threads();
        ModelSpec shared = options.workers() == 1 ? base
                : base.withTraining(base.training().withThreads(Math.max(1, threads / options.workers())));
        ModelSpec trialBase = shared.withTraining(trialStopping(shared.training(), options, metric));
        Search search = new Search(trials, options, settings, listener, up, deadline, scoring);
        search.run(() -> {
            for (Search.Start next = search.next(); next != null; next = search.next()) {
                long seed = trialSeed(options.seed(), next.number());
                Map<String, String> params = space.sample(seed);
                ModelSpec spec = SearchSpace.apply(trialBase, params, seed);
                try {
                    search.finished(scoring.trial(next.number(), seed, params, spec, rungs, asha, metric, up,
                            deadline, next.reserve()));
                } catch (Stop s) {
                    search.cut();   // cut by the time limit: not recorded, a resumed search runs it again
                }
            }
        }, options.workers());
        Trial best = search.best;
        boolean stoppedByTime = search.stoppedByTime;
        if (best == null) {
            throw new IllegalStateException(trials.isEmpty()
                    ? "no trial finished within the time limit; give more time"
                    : "no trial completed: " + trials.size() + " ended early or failed");
        }
        listener.onRetrain(best);
        ModelSpec spec = SearchSpace.apply(base, best.params(), best.seed());
        int epochs = options.folds() == 0 && base.training().epochs().isEmpty() ? best.bestEpoch() : 0;
        ModelSpec retrain = epochs > 0 ? spec.withEpochs(epochs) : spec;
        retrain.weights().checkColumn(table);
        // the warnings of the whole table were the caller's to give (gradus tune printed them first)
        Model model = Model.fit(Preprocessing.fit(table, retrain.fittedData(), warning -> { }), table, retrain).model();
        return new Result(trials, best, model, metric, epochs, resumed, stoppedByTime);
    }

    /**
     * How a holdout trial stops: a classification tuned for accuracy watches the held-out
     * accuracy (the score it is judged by, not the validation loss, which on many-class data
     * bottoms out epochs before the accuracy does), and keeps that epoch's weights; anything else
     * follows the training policy. A base that chooses its own monitor, epochs or patience keeps
     * them.
     */
    static dev.gradus.train.TrainingSpec trialStopping(dev.gradus.train.TrainingSpec training, Options options,
                                                       String metric) {
        boolean policy = training.monitor().isEmpty() && training.epochs().isEmpty() && training.patience().isEmpty();
        return options.folds() == 0 && metric.equals("accuracy") && policy
                ? training.withMonitor("accuracy") : training;
    }

    /** The best complete trial, of equals the one numbered first; null when none completed. */
    static Trial best(List<Trial> trials, boolean up) {
        Trial best = null;
        for (Trial t : trials) {
            if (beats(t, best, up)) {
                best = t;
            }
        }
        return best;
    }

    /** Whether {@code t} is complete and better than {@code best} (or as good and numbered before it). */
    private static boolean beats(Trial t, Trial best, boolean up) {
        return t.state() == Trial.State.COMPLETE && (best == null || better(t.score(), best.score(), up)
                || t.score() == best.score() && t.number() < best.number());
    }

    /**
     * What the workers of one search share: the finished trials, the numbers handed out, the best
     * trial and whether the time is up. Each method holds the lock for a moment; trials train
     * outside it.
     */
    private static final class Search {
        final List<Trial> trials;                        // finished, in the order they finished
        final Set<Integer> numbers = new HashSet<>();    // finished or running
        final Options options;
        final Map<String, String> settings;
        final Listener listener;
        final boolean up;
        final long deadline;
        final Scoring scoring;
        Trial best;
        boolean stoppedByTime;
        int running;
        Throwable failure;                               // the first error of any worker

        Search(List<Trial> trials, Options options, Map<String, String> settings, Listener listener, boolean up,
               long deadline, Scoring scoring) {
            this.trials = trials;
            this.options = options;
            this.settings = settings;
            this.listener = listener;
            this.up = up;
            this.deadline = deadline;
            this.scoring = scoring;
            this.best = best(trials, up);
            for (Trial t : trials) {
                numbers.add(t.number());
            }
        }

        /** A trial to run: its number and the seconds kept in reserve for the retraining. */
        record Start(int number, double reserve) {
        }

        /** The next trial to run (the lowest number not yet run), or null when the search is over. */
        synchronized Start next() {
            if (stoppedByTime || failure != null
                    || options.trials() > 0 && trials.size() + running >= options.trials()) {
                return null;
            }
            double reserve = best == null ? 0 : scoring.retrainSeconds(best);
            if (System.nanoTime() + (long) (reserve * 1e9) >= deadline) {
                stoppedByTime = true;
                return null;
            }
            int number = 0;
            while (numbers.contains(number)) {
                number++;
            }
            numbers.add(number);
            running++;
            return new Start(number, reserve);
        }

        synchronized void finished(Trial t) throws IOException {
            running--;
            trials.add(t);
            boolean isBest = beats(t, best, up);
            if (isBest) {
                best = t;
            }
            if (options.study() != null) {
                new StudyFile(settings, trials).write(options.study());
            }
            listener.onTrial(t, isBest);
        }

        synchronized void cut() {
            running--;
            stoppedByTime = true;
        }

        /** A worker's loop, which may throw what a trial or the study file throws. */
        interface Work {
            void run() throws DataException, IOException;
        }

        /** Runs {@code work} on this thread, or on {@code workers} threads at once; rethrows the first error. */
        void run(Work work, int workers) throws DataException, IOException {
            if (workers == 1) {
                work.run();
                return;
            }
            List<Thread> pool = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Thread thread = new Thread(() -> {
                    try {
                        work.run();
                    } catch (Throwable e) {
                        synchronized (this) {
                            if (failure == null) {
                                failure = e;
                            }
                        }
                    }
                }, "gradus-tune-" + w);
                thread.setDaemon(true);
                pool.add(thread);
                thread.start();
            }
            try {
                for (Thread thread : pool) {
                    thread.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the search was interrupted", e);
            }
            Throwable e;
            synchronized (this) {
                e = failure;
            }
            if (e instanceof DataException d) {
                throw d;
            } else if (e instanceof IOException io) {
                throw io;
            } else if (e instanceof RuntimeException r) {
                throw r;
            } else if (e instanceof Error err) {
                throw err;
            } else if (e != null) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean better(double a, double b, boolean up) {
        return up ? a > b : a < b;
    }

    /** What a resumed search must agree on. */
    private static Map<String, String> settings(Table table, ModelSpec base, SearchSpace space, Options o,
                                                String metric) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("rows", Integer.toString(table.rows()));
        s.put("columns", String.join(",", table.names()));
        s.put("data_hash", Long.toHexString(contentHash(table)));
        s.put("space", space.toString());
        s.put("scoring", o.folds() > 0 ? o.folds() + " folds" : "holdout " + o.holdout());
        s.put("metric", metric);
        s.put("seed", Long.toString(o.seed()));
        s.put("eta", Double.toString(o.eta()));
        s.put("min_resource", Integer.toString(o.minResource()));
        s.put("trial_monitor", trialStopping(base.training(), o, metric).monitor().orElse("policy"));
        // The base choices; threads do not change the results.
        s.put("base", base.withTraining(base.training().withThreads(1).withSeed(0)).toString());
        return s;
    }

    private static void checkAgrees(Path study, Map<String, String> was, Map<String, String> now) throws IOException {
        for (Map.Entry<String, String> e : now.entrySet()) {
            String before = was.get(e.getKey());
            if (!e.getValue().equals(before)) {
                throw new IOException(study + ": the study was run with " + e.getKey() + " " + before
                        + ", this search has " + e.getValue() + "; give the same settings or another --study file");
            }
        }
    }

    /** A 64-bit hash of the table's cells. */
    private static long contentHash(Table table) {
        long h = 1125899906842597L;
        for (int c = 0; c < table.columnCount(); c++) {
            if (table.isNumeric(c)) {
                for (float v : table.numbers(c)) {
                    h = 31 * h + Float.floatToIntBits(v);
                }
            } else {
                for (int r = 0; r < table.rows(); r++) {
                    h = 31 * h + Objects.hashCode(table.text(r, c));
                }
            }
        }
        return h;
    }

    /** How a trial is trained and scored. */
    private abstract static class Scoring {
        final Table table;

        Scoring(Table table) {
            this.table = table;
        }

        abstract Trial trial(int number, long seed, Map<String, String> params, ModelSpec spec, List<Integer> rungs,
                             Asha asha, String metric, boolean up, long deadline, double reserve)
                throws DataException;

        /** Seconds the retraining of {@code best} on all rows is expected to take. */
        abstract double retrainSeconds(Trial best);

        /** Stops training, at the next step, once the time left is the retraining's. */
        static TrainingListener clock(long deadline, double reserve) {
            long until = deadline == Long.MAX_VALUE ? deadline : deadline - (long) (reserve * 1e9);
            return new TrainingListener() {
                @Override
                public void onEpoch(EpochStats stats) {
                    onBatch(stats.epoch(), 0, 0);
                }

                @Override
                public void onBatch(int epoch, int step, double loss) {
                    if (System.nanoTime() >= until) {
                        throw new Stop(true);
                    }
                }
            };
        }
    }

    /** One held-out split shared by all trials; the rungs are epochs. */
    private static final class Holdout extends Scoring {
        final Split split;
        final Preprocessing prep;

        Holdout(Table table, Split split, ModelSpec base) throws DataException {
            super(table);
            this.split = split;
            this.prep = CrossValidation.foldPreprocessing(split.train(), base);
        }

        @Override
        Trial trial(int number, long seed, Map<String, String> params, ModelSpec spec, List<Integer> rungs,
                    Asha asha, String metric, boolean up, long deadline, double reserve) throws DataException {
            long t0 = System.nanoTime();
            List<Double> reported = new ArrayList<>();
            boolean byAccuracy = metric.equals("accuracy");
            double[] bestSoFar = {Double.NEGATIVE_INFINITY};
            int[] epochs = {0};
            TrainingListener clock = clock(deadline, reserve);
            TrainingListener rung = new TrainingListener() {
                @Override
                public void onBatch(int epoch, int step, double loss) {
                    clock.onBatch(epoch, step, loss);
                }

                @Override
                public void onEpoch(EpochStats stats) {
                    epochs[0] = stats.epoch();
                    Double acc = stats.validationMetrics().get("accuracy");
                    double v = byAccuracy && acc != null ? acc : -stats.validationLoss();
                    if (!Double.isNaN(v) && v > bestSoFar[0]) {
                        bestSoFar[0] = v;
                    }
                    int k = reported.size();
                    if (k < rungs.size() && stats.epoch() == rungs.get(k)) {
                        reported.add(bestSoFar[0]);
                        if (!asha.report(k, bestSoFar[0])) {
                            throw new Stop(false);
                        }
                    }
                    clock.onEpoch(stats);
                }
            };
            try {
                Model.Fit fit = Model.fit(prep, split.train(), split.test(), spec, rung);
                double score = CrossValidation.scores(fit.model(), split.test(), spec.weights().column()).get(metric);
                int trained = fit.history().epochs().size();
                // the epoch whose weights the trial's model has: the best one when early stopping restores it
                var o = spec.options(prep.task(), true, split.train().rows());
                boolean restores = o.patience() > 0 && o.restoreBest() && fit.history().bestEpoch() > 0;
                int kept = restores ? fit.history().bestEpoch() : trained;
                return new Trial(number, seed, params, Trial.State.COMPLETE, reported, score, trained,
                        Math.max(1, kept), (System.nanoTime() - t0) / 1e9);
            } catch (Stop s) {
                if (s.timeUp) {
                    throw s;
                }
                return new Trial(number, seed, params, Trial.State.PRUNED, reported, Double.NaN, epochs[0], 0,
                        (System.nanoTime() - t0) / 1e9);
            } catch (TrainingDivergedException e) {
                return new Trial(number, seed, params, Trial.State.FAILED, reported, Double.NaN, e.epoch(), 0,
                        (System.nanoTime() - t0) / 1e9);
            }
        }

        @Override
        double retrainSeconds(Trial best) {
            return best.seconds() / Math.max(1, best.epochs()) * best.bestEpoch() * table.rows()
                    / split.train().rows();
        }
    }

    /** K-fold cross-validation; the rungs are folds. */
    private static final class Folded extends Scoring {
        final Folds folds;

        Folded(Table table, Folds folds) {
            super(table);
            this.folds = folds;
        }

        @Override
        Trial trial(int number, long seed, Map<String, String> params, ModelSpec spec, List<Integer> rungs,
                    Asha asha, String metric, boolean up, long deadline, double reserve) throws DataException {
            long t0 = System.nanoTime();
            List<Double> reported = new ArrayList<>();
            TrainingListener clock = clock(deadline, reserve);
            double sum = 0;
            double epochs = 0;
            int f = 0;
            try {
                for (f = 0; f < folds.count(); f++) {
                    Split s = folds.split(table, f);
                    Model.Fit fit = CrossValidation.fitFold(s.train(), null, spec, clock);
                    sum += CrossValidation.scores(fit.model(), s.test(), spec.weights().column()).get(metric);
                    epochs += fit.history().epochs().size();
                    int k = reported.size();
                    if (k < rungs.size() && f + 1 == rungs.get(k)) {
                        double mean = sum / (f + 1);
                        double value = up ? mean : -mean;
                        reported.add(value);
                        if (!asha.report(k, value)) {
                            return new Trial(number, seed, params, Trial.State.PRUNED, reported, Double.NaN,
                                    epochs / (f + 1), 0, (System.nanoTime() - t0) / 1e9);
                        }
                    }
                }
                return new Trial(number, seed, params, Trial.State.COMPLETE, reported, sum / folds.count(),
                        epochs / folds.count(), 0, (System.nanoTime() - t0) / 1e9);
            } catch (TrainingDivergedException e) {
                return new Trial(number, seed, params, Trial.State.FAILED, reported, Double.NaN, e.epoch(), 0,
                        (System.nanoTime() - t0) / 1e9);
            }
        }

        @Override
        double retrainSeconds(Trial best) {
            // a fold's fit on (K−1)/K of the rows, scaled to all rows
            return best.seconds() / folds.count() * folds.count() / (folds.count() - 1.0);
        }
    }
}

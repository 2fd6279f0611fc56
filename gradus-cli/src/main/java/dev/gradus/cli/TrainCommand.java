package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Split;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.CheckpointFile;
import dev.gradus.internal.RowOrder;
import dev.gradus.model.Model;
import dev.gradus.model.RowCache;
import dev.gradus.model.ModelSpec;
import dev.gradus.model.TrainingStart;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.HealthReport;
import dev.gradus.train.History;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.ValidationMetric;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.DoubleStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus train}: fits a network to a CSV (or IDX) file and writes the model file. The
 * flags are two mixins, {@link TrainingFlags} and {@link RunFlags}; this class maps them onto a
 * {@link TrainingStart} (a new network, {@code --init} or {@code --resume}), trains it on a
 * {@link Backend} (this machine; {@code gradus-spark train} supplies a cluster) and reports.
 */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Train a network on a CSV file (header row; last column is the target unless --target) "
                + "or on IDX images with --labels, and write the model file.")
public final class TrainCommand implements Callable<Integer> {

    /** Where a run trains: on this machine ({@link #LOCAL}) or, for {@code gradus-spark}, on a cluster. */
    public interface Backend {
        /** Trains from {@code start} on {@code train}, scoring {@code validation} rows (or null) every epoch. */
        Model.Fit fit(TrainingStart start, Table train, Table validation, TrainingListener listener)
                throws DataException;

        /**
         * Whether {@link #fit} honours a checkpoint listener (saves and resumes optimizer state
         * exactly); when it does not, {@code --checkpoint} and {@code --resume} are refused.
         */
        boolean savesCheckpoints();

        /**
         * Keys that this backend's trainer adds to a checkpoint's settings beside the
         * {@link TrainingOptions#settings() options} and row fingerprints (such as Spark's
         * {@code sync_every}): left out when the options are read back from a checkpoint, and
         * checked by the trainer itself when it resumes. None by default.
         */
        default java.util.Set<String> trainerSettings() {
            return java.util.Set.of();
        }

        /**
         * For a fresh run on {@code data}: the rows read (CSV cells as {@code csv} says),
         * preprocessed by {@code spec} and kept where this backend trains (Spark's executors), so
         * that no row reaches this JVM, with the separate validation rows of {@code validation}
         * (or null) kept there too; or null (the default) when this command is to read
         * {@code data} into a {@link Table} itself. {@code spec} already leaves the sample-weight
         * column of {@code weights} out of the features; the backend checks that the rows have
         * it and keeps each row's weight beside it. {@code warnings} hears about columns left
         * out and categories merged.
         */
        default RemoteRows read(Path data, Path validation, DataSpec spec, RowWeights weights, CsvOptions csv,
                                Consumer<String> warnings) throws DataException {
            return null;
        }
    }

    /**
     * Training rows that a backend keeps where it trains (Spark's executors) instead of a
     * {@link Table} in this JVM: what a fresh run needs of them.
     */
    public interface RemoteRows extends AutoCloseable {
        /** The preprocessing fitted to the rows by {@code gradus train}'s column rules. */
        Preprocessing preprocessing();

        /** The number of rows. */
        int rows();

        /**
         * The first target's values in original units, each distinct value at least once (in any
         * order, repeats allowed), for the task warnings a whole run prints (a regression target of
         * a few integers); empty when the backend does not know them.
         */
        DoubleStream firstTargets();

        /** Trains from {@code start}; its validation fraction holds out the rows one JVM would. */
        Model.Fit fit(TrainingStart start, TrainingListener listener) throws DataException;

        /**
         * The loss of {@code model} on the rows it trained on (without those a validation fraction
         * of {@code options} held out), in the targets' own units, and the headline
         * {@code gradus train} prints for them (accuracy, or r² and RMSE).
         */
        Scores score(Model model, TrainingOptions options) throws DataException;

        /** Releases the rows. */
        @Override
        void close();
    }

    /**
     * Scores on training rows: the loss (original units), the headline, and how many rows.
     *
     * @param rows the rows scored
     * @param loss the model's loss on them
     * @param headline accuracy, or r² and RMSE, as {@code gradus train} prints them
     */
    public record Scores(int rows, double loss, String headline) {}

    /** Training on this machine: {@link Model#fit(TrainingStart, Table, Table, TrainingListener...)}. */
    public static final Backend LOCAL = new Backend() {
        @Override
        public Model.Fit fit(TrainingStart start, Table train, Table validation, TrainingListener listener)
                throws DataException {
            return Model.fit(start, train, validation, listener);
        }

        @Override
        public boolean savesCheckpoints() {
            return true;
        }
    };

    @Spec
    CommandSpec spec;

    @Mixin
    TrainingFlags flags = new TrainingFlags();

    @Mixin
    RunFlags run = new RunFlags();

    @Mixin
    WeightFlags weights = new WeightFlags();

    @Option(names = "--threshold", paramLabel = "T",
            description = "Two classes: store this decision threshold in the model, so that predict, evaluate and "
                    + "serve predict the positive class when its probability is at least T (their --threshold "
                    + "overrides it).")
    Double threshold;

    @Option(names = "--positive", paramLabel = "LABEL",
            description = "The positive class for --threshold (default: the second class in the sorted label "
                    + "order).")
    String positive;

    private final Backend backend;

    /** When {@code gradus train} reads its rows through the disk cache instead of into memory. */
    enum Streaming { AUTO, ON, OFF }

    @Option(names = "--stream", arity = "0..1", fallbackValue = "on", paramLabel = "WHEN",
            converter = StreamingConverter.class,
            description = "Train from a disk cache of the encoded rows, read a block at a time, instead of holding "
                    + "them in memory: on, off, or auto (the default: on when the CSV file is larger than a sixth "
                    + "of the Java heap, when the rows would not fit). --stream alone means on.")
    Streaming stream = Streaming.AUTO;

    @Option(names = "--no-cache", description = "With --stream: encode the rows into a temporary file that is deleted "
            + "afterwards, instead of reading and keeping them in the cache ($XDG_CACHE_HOME/gradus, else "
            + "~/.cache/gradus).")
    boolean noCache;

    /** Reads on, off or auto, in any case. */
    static final class StreamingConverter implements picocli.CommandLine.ITypeConverter<Streaming> {
        @Override
        public Streaming convert(String value) {
            try {
                return Streaming.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not on, off or auto");
            }
        }
    }

    /** {@code gradus train}, training on this machine. */
    public TrainCommand() {
        this.backend = LOCAL;
    }

    /**
     * The run of {@code gradus train} for another command that mixes in the same flags, such
     * as {@code gradus-spark train}: every flag parsed and checked exactly as here, the
     * training done by {@code backend}.
     */
    public TrainCommand(CommandSpec spec, TrainingFlags flags, RunFlags run, Backend backend) {
        this(spec, flags, run, new WeightFlags(), backend);
    }

    /** As {@link #TrainCommand(CommandSpec, TrainingFlags, RunFlags, Backend)} with the row-weight flags too. */
    public TrainCommand(CommandSpec spec, TrainingFlags flags, RunFlags run, WeightFlags weights, Backend backend) {
        this.spec = spec;
        this.flags = flags;
        this.run = run;
        this.weights = weights;
        this.backend = backend;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!backend.savesCheckpoints() && (run.checkpoint != null || run.resume != null)) {
            throw new UsageException((run.checkpoint != null ? "--checkpoint" : "--resume") + " is not supported by "
                    + spec.qualifiedName() + " yet; use gradus train for checkpointed runs");
        }
        run.checkRanges();
        flags.checkRanges();
        checkWritable(run.out, "--out");
        if (run.plot != null) {
            Plots.checkPlotPath("--plot", run.plot);
        }

        CsvOptions csv = flags.csvOptions();
        if (run.resume == null && run.init == null && run.test == null && run.testFraction == null
                && flags.labels == null && !run.health) {
            Consumer<String> warn = w -> Notices.warn(err, List.of(w));
            RowWeights rowWeights = weights.rowWeights();
            DataSpec dataSpec = parse("--sample-weight", () -> rowWeights.excludeFrom(flags.dataSpec()));
            try (RemoteRows remote = backend.read(flags.data, flags.validation, dataSpec, rowWeights, csv, warn)) {
                if (remote != null) {
                    return trainRemote(remote, dataSpec);
                }
            }
        }
        if (streams()) {
            return callStreamed(stdout, err, csv);
        }
        Inputs.streamable = backend == LOCAL && flags.labels == null && inMemoryFlags().isEmpty();
        Table table = Inputs.read(flags.data, flags.labels, csv);
        Table heldOut = run.test == null ? null : Inputs.read(run.test, run.testLabels, csv);
        Table validationRows = flags.validation == null ? null
                : Inputs.read(flags.validation, flags.validationLabels, csv);
        Prepared prepared = run.resume != null ? resumeRun(table, heldOut)
                : run.init != null ? continueRun(table, heldOut)
                : newRun(table, heldOut);
        TrainingOptions options = prepared.start().options();
        checkThreshold(prepared.start().preprocessing(), options);
        Table trained = trainedRows(prepared.trainRows(), options);
        Model.Fit fit;
        try (Progress p = progress(err, trained, options, prepared.start().preprocessing())) {
            fit = backend.fit(prepared.start(), prepared.trainRows(), validationRows, prepared.listener().apply(p));
        }
        Run result = new Run(fit, trained.rows(), options);
        RowWeights rowWeights = prepared.start().weights();
        Preprocessing prep = prepared.start().preprocessing();
        Outcome outcome = decided(Outcome.of(fit, trained, keptEpoch(fit.history(), options),
                rowWeights.rowWeights(trained, prep, rowWeights.classWeights(prep, prepared.trainRows()))));
        Reports.Scores test = prepared.heldOut() == null ? null : Reports.scores(outcome.model(), prepared.heldOut());
        outcome.model().save(run.out);
        if (run.plot != null) {
            Plots.learningCurves(run.plot, fit.history(), "Learning curve: " + flags.data.getFileName());
        }
        report(stdout, err, result, outcome, test, () -> Reports.headline(outcome.model(), trained));
        if (run.health) {
            Model model = outcome.model();
            Matrix x = model.preprocessing().features(trained);
            printHealth(stdout, err, HealthReport.check(model.network(), x,
                    Model.networkTargets(model.preprocessing(), model.loss(), trained), model.loss()));
        }
        return Main.OK;
    }

    /** --health's report: on stdout, or on stderr beside --json's object. */
    private void printHealth(PrintWriter stdout, PrintWriter err, HealthReport report) {
        (run.json ? err : stdout).println(report);
        stdout.flush();
    }

    /** The outcome with {@code --threshold} (and {@code --positive}) stored in its model, when given. */
    private Outcome decided(Outcome outcome) {
        if (threshold == null) {
            return outcome;
        }
        Model undecided = outcome.model();
        Model decided = parse("--threshold", () -> positive == null ? undecided.withThreshold(threshold)
                : undecided.withThreshold(positive, threshold));
        return new Outcome(decided, outcome.kept(), outcome.finalLoss());
    }

    /** Flags that need every row in memory, which a streamed run refuses. */
    private java.util.List<String> inMemoryFlags() {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (flags.labels != null) {
            out.add("--labels (IDX images)");
        }
        return out;
    }

    /**
     * {@code --stream auto} streams a CSV file larger than this share of the Java heap: read into
     * memory, a file takes about six times its size on the heap at its peak (the parse buffers,
     * the columns, the encoded matrix and the training copy), measured on 400,000 rows of 5 numbers.
     */
    static final int AUTO_HEAP_SHARE = 6;

    /**
     * Whether this run streams its rows: {@code --stream on}, or {@code auto} with a CSV file larger
     * than {@code 1/AUTO_HEAP_SHARE} of the Java heap (a gzipped one counted at five times its size)
     * and no flag that needs the rows in memory.
     */
    private boolean streams() {
        if (noCache && stream == Streaming.OFF) {
            throw new UsageException("--no-cache applies to streamed runs; it cannot be combined with --stream off");
        }
        if (backend != LOCAL || stream == Streaming.OFF) {
            return false;
        }
        java.util.List<String> needMemory = inMemoryFlags();
        if (stream == Streaming.ON) {
            if (!needMemory.isEmpty()) {
                throw new UsageException("--stream cannot be combined with " + String.join(", ", needMemory)
                        + " (they need every row in memory)");
            }
            return streams(stream, flags.data);   // a usage error for IDX images
        }
        return needMemory.isEmpty() && streams(stream, flags.data);
    }

    /**
     * Whether a command reading the CSV {@code data} streams it: {@code on}, or {@code auto} with a
     * file larger than {@code 1/AUTO_HEAP_SHARE} of the Java heap (gzipped: five times its size).
     *
     * @throws UsageException for {@code on} with IDX images
     */
    static boolean streams(Streaming when, Path data) {
        if (when == Streaming.OFF) {
            return false;
        }
        boolean idx = Inputs.isIdx(data);
        if (when == Streaming.ON) {
            if (idx) {
                throw new UsageException("--stream reads CSV files; " + data + " holds IDX images");
            }
            return true;
        }
        if (idx || !Files.isRegularFile(data)) {
            return false;
        }
        try {
            long size = Files.size(data) * (Inputs.isGzip(data) ? 5 : 1);
            return size > Runtime.getRuntime().maxMemory() / AUTO_HEAP_SHARE;
        } catch (java.io.IOException e) {
            return false;   // reading it will report the problem
        }
    }

    /**
     * A new network trained on rows streamed through the disk cache ({@link RowCache}): the
     * preprocessing fitted on all rows as they are read, epochs gathering their batches from the
     * cache, the final loss and training score read from it a block at a time.
     */
    private int callStreamed(PrintWriter stdout, PrintWriter err, CsvOptions csv) throws Exception {
        Inputs.lastInput = flags.data;
        Consumer<String> warn = w -> Notices.warn(err, List.of(w));
        // --resume and --init train a model's network on rows encoded for its preprocessing.
        Resuming resuming = run.resume != null ? resuming() : null;
        RowWeights rowWeights = weights.rowWeights();   // after the checkpoint's, which --resume takes
        String weightColumn = rowWeights.column();
        DataSpec dataSpec = parse("--sample-weight", () -> rowWeights.excludeFrom(flags.dataSpec()));
        Model from = resuming != null ? resuming.model() : run.init != null ? Model.load(run.init) : null;
        if (run.init != null) {
            flags.checkAgrees(from, run.init);
        }
        java.util.List<String> needMemory = inMemoryFlags();
        if (resuming != null && !needMemory.isEmpty()) {   // given by the checkpoint's command
            throw new UsageException("--resume " + run.resume + ": the checkpoint was trained with "
                    + String.join(", ", needMemory) + ", which a streamed run cannot hold (they need every row in "
                    + "memory); resume it with --stream off");
        }
        // --test-fraction: the test rows are left out of the cache (and of the preprocessing's fit)
        // and scored from the CSV after training, a chunk at a time.
        int[] split = run.testFraction == null ? null
                : testRows(from != null ? from.preprocessing() : null, dataSpec, csv);
        RowCache validationCache = null;
        try (RowCache cache = parse("--data " + flags.data, () -> {   // a usage error names the file
            try {
                return from != null ? RowCache.encode(flags.data, csv, from.preprocessing(), weightColumn, split,
                        !noCache) : RowCache.open(flags.data, csv, dataSpec, weightColumn, split, !noCache, warn);
            } catch (DataException | java.io.IOException e) {
                throw new Rethrown(e);
            }
        })) {
            // A --test file larger than a sixth of the heap is read a chunk at a time, twice: checked
            // before training, scored after it.
            boolean streamTest = run.test != null && run.testLabels == null && streams(Streaming.AUTO, run.test);
            Table heldOut = run.test == null || streamTest ? null : Inputs.read(run.test, run.testLabels, csv);
            Preprocessing prep = cache.preprocessing();
            // A --validation CSV is encoded for the training rows' preprocessing into the cache as they
            // are, and scored from it a block at a time after every epoch (IDX images are read whole).
            boolean streamValidation = flags.validation != null && flags.validationLabels == null;
            Table validationRows = flags.validation == null || streamValidation ? null
                    : Inputs.read(flags.validation, flags.validationLabels, csv);
            validationCache = streamValidation
                    ? RowCache.encode(flags.validation, csv, prep, weightColumn, !noCache) : null;
            long testRows = streamTest ? checkHeldOut(prep, run.test, null, csv)
                    : split != null ? checkHeldOut(prep, flags.data, split, csv) : heldOut == null ? 0 : heldOut.rows();
            TrainingStart start = resuming != null ? resuming.start(rowWeights)
                    : from != null ? new TrainingStart.FromModel(from, flags.options(from.task(), from.loss(),
                            cache.rows()), rowWeights)
                    : new TrainingStart.Fresh(prep, flags.modelSpec(dataSpec).withWeights(rowWeights),
                            flags.options(prep.task(), null, cache.rows()));
            TrainingOptions options = start.options();
            try {
                cache.classWeights(rowWeights);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--class-weight: " + e.getMessage());
            }
            checkThreshold(prep, options);
            parse("--loss", () -> Model.outputWidth(prep, options.loss()));
            checkHeldOut(prep, heldOut);
            if (resuming != null) {
                note("resuming " + run.resume + " after epoch " + resuming.stored().checkpoint().epoch() + " of "
                        + options.epochs() + " (" + describe(from) + "), " + cache.rows() + " training rows");
            } else if (from != null) {
                note("starting from " + run.init + " (" + describe(from) + "), " + cache.rows() + " training rows");
            } else {
                note("task: " + prep.task() + " (" + describeTask(prep) + ") "
                        + Notices.taskOrigin(prep, dataSpec.task() == null) + "; " + cache.rows() + " training rows"
                        + (run.test == null && split == null ? "" : ", " + testRows + " test rows") + ", "
                        + prep.inputWidth()
                        + " inputs; " + options.loss().name() + " loss, " + options.optimizer() + ", seed "
                        + options.seed() + weights.describe());
                Notices.warn(err, Notices.taskWarnings(prep, cache.rows(), cache::firstTargets, dataSpec.task() == null));
            }
            note("streaming the rows from " + (noCache ? "a temporary file" : (cache.reused() ? "the cache " : "a new "
                    + "cache ") + RowCache.directory()) + " (--stream " + stream.name().toLowerCase(Locale.ROOT) + ")");
            double f = options.validationFraction();
            int[] trainedRows = f == 0 ? null : RowOrder.validationSplit(cache.rows(), f, options.seed())[0];
            int trained = trainedRows == null ? cache.rows() : trainedRows.length;
            Model.Fit fit;
            try (Progress p = Progress.start(run.quiet ? Progress.Mode.NONE : run.progress, err, options, trained,
                    !prep.targetScaler().isIdentity())) {
                TrainingListener listener = resuming != null ? resuming.checkpoints(p) : checkpointing(p, prep, options);
                fit = validationCache != null ? cache.fitValidatingOn(start, validationCache, listener)
                        : cache.fit(start, validationRows, listener);
            }
            RowCache.Score score = cache.score(fit.model(), trainedRows, rowWeights);
            Outcome outcome = decided(Outcome.of(fit, score.loss(), keptEpoch(fit.history(), options)));
            Model model = outcome.model();
            Reports.Scores test = streamTest || split != null
                    ? Reports.scoresStreamed(model, streamTest ? run.test : flags.data, split, csv,
                            Reports.Decision.DEFAULT.resolve(model), null)
                    : heldOut == null ? null : Reports.scores(model, heldOut);
            model.save(run.out);
            if (run.plot != null) {
                Plots.learningCurves(run.plot, fit.history(), "Learning curve: " + flags.data.getFileName());
            }
            String line = prep.task() == Task.CLASSIFICATION
                    ? String.format(Locale.ROOT, "accuracy %.4f", score.accuracy())
                    : String.format(Locale.ROOT, "r2 %.4f, rmse %.4f", score.r2(), score.rmse());
            report(stdout, err, new Run(fit, trained, options), outcome, test, () -> line);
            if (run.health) {
                printHealth(stdout, err, cache.health(model, trainedRows));
            }
        } catch (Rethrown e) {
            if (e.getCause() instanceof DataException d) {
                throw d;
            }
            throw (java.io.IOException) e.getCause();
        } finally {
            if (validationCache != null) {
                validationCache.close();
            }
        }
        return Main.OK;
    }

    /** Carries a checked exception through {@link #parse}. */
    private static final class Rethrown extends RuntimeException {
        Rethrown(Exception cause) {
            super(cause);
        }
    }

    /**
     * A run ready to train: how it starts, the rows it trains on and the held-out test rows
     * (or null), and the listener it reports to for a given progress display.
     */
    private record Prepared(TrainingStart start, Table trainRows, Table heldOut,
                            Function<Progress, TrainingListener> listener) {}

    /**
     * A finished training: the fit, the rows it trained on (without rows held out for
     * validation) and the options it ran with.
     */
    private record Run(Model.Fit fit, int trainRows, TrainingOptions options) {}

    /**
     * A fresh run on rows that the backend keeps (gradus-spark: on the executors): the notes,
     * progress, model file and report of {@link #newRun}, with the rows' scores computed where
     * they are. --test, --test-fraction, --init, --resume and --health read the
     * rows here instead (the caller checks).
     */
    private int trainRemote(RemoteRows remote, DataSpec dataSpec) throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preprocessing prep = remote.preprocessing();
        ModelSpec modelSpec = flags.modelSpec(dataSpec).withWeights(weights.rowWeights());
        TrainingOptions options = flags.options(prep.task(), null, remote.rows());
        checkThreshold(prep, options);
        parse("--loss", () -> Model.outputWidth(prep, options.loss()));
        weights.checkClasses(prep);
        note("task: " + prep.task() + " (" + describeTask(prep) + ") " + Notices.taskOrigin(prep, dataSpec.task() == null)
                + "; " + remote.rows() + " training rows, " + prep.inputWidth() + " inputs; " + options.loss().name()
                + " loss, " + options.optimizer() + ", seed " + options.seed() + weights.describe());
        Notices.warn(err, Notices.taskWarnings(prep, remote.rows(), remote::firstTargets, dataSpec.task() == null));
        Model.Fit fit;
        int trained = options.validationFraction() == 0 ? remote.rows()
                : dev.gradus.internal.RowOrder.validationSplit(remote.rows(), options.validationFraction(),
                        options.seed())[0].length;
        try (Progress p = Progress.start(run.quiet ? Progress.Mode.NONE : run.progress, err, options, trained,
                !prep.targetScaler().isIdentity())) {
            fit = remote.fit(new TrainingStart.Fresh(prep, modelSpec, options), checkpointing(p, prep, options));
        }
        EpochStats kept = keptEpoch(fit.history(), options);
        Scores scores = remote.score(fit.model(), options);
        Outcome outcome = decided(Outcome.of(fit, scores.loss(), kept));
        outcome.model().save(run.out);
        if (run.plot != null) {
            Plots.learningCurves(run.plot, fit.history(), "Learning curve: " + flags.data.getFileName());
        }
        report(stdout, err, new Run(fit, scores.rows(), options), outcome, null, scores::headline);
        return Main.OK;
    }

    /**
     * Encodes the held-out test rows before any training, so that a bad --test file fails
     * before anything is written (and is caught even with --quiet).
     */
    private static void checkHeldOut(Preprocessing prep, Table heldOut) throws DataException {
        if (heldOut == null) {
            return;
        }
        prep.features(heldOut);
        if (!prep.hasTargets(heldOut)) {
            throw new DataException(heldOut.source() + ": no target column " + String.join(", ", prep.targetNames())
                    + " to score the test rows against (columns: " + String.join(", ", heldOut.names()) + ")");
        }
        if (prep.task() == Task.CLASSIFICATION) {
            prep.classIds(heldOut);
        } else {
            prep.targetValues(heldOut);
        }
    }

    /**
     * The rows of --data that --test-fraction holds out for testing (increasing, numbered from 0),
     * read a chunk at a time: as {@link #split} draws them from the whole table, stratified by
     * class for a classification (by {@code prep}'s task and target; null: by those of a fit on
     * every row, as a new run in memory finds them).
     */
    private int[] testRows(Preprocessing prep, DataSpec dataSpec, CsvOptions csv) throws DataException {
        Task task = prep == null ? null : prep.task();
        List<String> targets = prep == null ? null : prep.targetNames();
        if (prep == null) {
            // The fit on every row only finds the task and the target; the mean fails where the median would.
            dev.gradus.data.StreamingFit all = new dev.gradus.data.StreamingFit(
                    dataSpec.impute() == dev.gradus.data.Impute.MEDIAN ? dataSpec.withImpute(dev.gradus.data.Impute.MEAN)
                            : dataSpec, w -> { });
            dev.gradus.data.Csv.stream(flags.data, csv, List.of(), all);
            all.unscaled();   // fails where the in-memory fit on every row fails
            task = all.task();
            targets = all.targetNames();
        }
        if (task == Task.CLASSIFICATION) {
            Split.Classes classes = new Split.Classes(targets.get(0));
            dev.gradus.data.Csv.stream(flags.data, csv, List.of(), classes);
            return classes.testRows(run.testFraction, flags.seed);
        }
        int[] rows = {0};
        dev.gradus.data.Csv.stream(flags.data, csv, List.of(), new dev.gradus.data.Csv.Chunks() {
            @Override
            public void accept(Table chunk) {
                rows[0] += chunk.rows();
            }

            @Override
            public void restart() {
                rows[0] = 0;
            }
        });
        return Split.randomTestRows(rows[0], run.testFraction, flags.seed, flags.data.toString());
    }

    /**
     * As {@link #checkHeldOut(Preprocessing, Table)} for a --test file read a chunk at a time, or
     * the rows numbered {@code only} of it (null: all); the number of rows checked.
     */
    private static long checkHeldOut(Preprocessing prep, Path test, int[] only, CsvOptions csv) throws DataException {
        long[] rows = {0};
        dev.gradus.data.Csv.Chunks check = new dev.gradus.data.Csv.Chunks() {
            @Override
            public void accept(Table chunk) throws DataException {
                checkHeldOut(prep, chunk);
                rows[0] += chunk.rows();
            }

            @Override
            public void restart() {
                rows[0] = 0;
            }
        };
        dev.gradus.data.Csv.stream(test, csv, Inputs.textColumns(prep, null), only == null ? check
                : Split.only(only, check));
        return rows[0];
    }

    /**
     * {@code --threshold} and {@code --positive} fit the model to be trained: two classes with
     * probabilities, a threshold in [0, 1], a known label; checked before any training.
     */
    private void checkThreshold(Preprocessing prep, TrainingOptions options) {
        if (threshold == null) {
            if (positive != null) {
                throw new UsageException("--positive needs --threshold: train stores a positive class only with a "
                        + "threshold");
            }
            return;
        }
        String flag = "--threshold";
        if (prep.task() != Task.CLASSIFICATION || prep.classLabels().size() != 2) {
            throw new UsageException(flag + " needs a two-class classification; this is "
                    + (prep.task() == Task.CLASSIFICATION ? "a " + prep.classLabels().size() + "-class classification"
                    : "a regression"));
        }
        if (options.loss().fusedActivation() == null) {
            throw new UsageException(flag + " needs a model that outputs probabilities (loss cross-entropy or bce); "
                    + "this one trains with " + options.loss().name());
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new UsageException(flag + " must be between 0 and 1, got " + threshold);
        }
        if (positive != null && !prep.classLabels().contains(positive)) {
            throw new UsageException("--positive: no class '" + positive + "'; the classes are "
                    + String.join(", ", prep.classLabels()));
        }
    }

    /** The rows the trainer trains on: all of {@code rows} but those a validation fraction holds out. */
    private static Table trainedRows(Table rows, TrainingOptions options) {
        double f = options.validationFraction();
        return f == 0 ? rows : Split.validation(rows, f, options.seed()).train();
    }

    /** A new network: preprocessing fitted on the training rows, weights drawn from --seed. */
    private Prepared newRun(Table table, Table heldOut) throws DataException {
        DataSpec dataSpec = weights.exclude(flags.dataSpec(), table);
        Consumer<String> warn = w -> Notices.warn(spec.commandLine().getErr(), List.of(w));
        // With --test-fraction, the fit on all rows only finds the task and the classes to
        // stratify by; the warnings come from the fit on the training rows, the one that is kept.
        Preprocessing prep = Preprocessing.fit(table, dataSpec, run.testFraction == null ? warn : w -> { });
        Table trainRows = table;
        if (run.testFraction != null) {
            Split split = split(table, prep);
            trainRows = split.train();
            heldOut = split.test();
            prep = Preprocessing.fit(trainRows, dataSpec, warn);
        }
        ModelSpec modelSpec = flags.modelSpec(dataSpec).withWeights(weights.rowWeights());
        TrainingOptions options = flags.options(prep.task(), null, trainRows.rows());
        Preprocessing fitted = prep;
        parse("--loss", () -> Model.outputWidth(fitted, options.loss()));
        weights.checkClasses(fitted, trainRows);
        checkHeldOut(fitted, heldOut);
        boolean inferred = dataSpec.task() == null;
        note("task: " + prep.task() + " (" + describeTask(prep) + ") " + Notices.taskOrigin(prep, inferred) + "; "
                + trainRows.rows() + " training rows"
                + (heldOut == null ? "" : ", " + heldOut.rows() + " test rows") + ", " + prep.inputWidth()
                + " inputs; " + options.loss().name() + " loss, " + options.optimizer() + ", seed " + options.seed()
                + weights.describe());
        Notices.warn(spec.commandLine().getErr(), Notices.taskWarnings(prep, trainRows, inferred));
        return new Prepared(new TrainingStart.Fresh(fitted, modelSpec, options), trainRows, heldOut,
                p -> checkpointing(p, fitted, options));
    }

    /** --init: the model's architecture, weights and preprocessing, trained further. */
    private Prepared continueRun(Table table, Table heldOut) throws Exception {
        Model model = Model.load(run.init);
        flags.checkAgrees(model, run.init);
        Table trainRows = table;
        if (run.testFraction != null) {
            Split split = split(table, model.preprocessing());
            trainRows = split.train();
            heldOut = split.test();
        }
        TrainingStart start = new TrainingStart.FromModel(model, flags.options(model.task(), model.loss(),
                trainRows.rows()), weights.rowWeights());
        weights.rowWeights().checkColumn(trainRows);
        weights.checkClasses(model.preprocessing(), trainRows);
        checkHeldOut(model.preprocessing(), heldOut);
        note("starting from " + run.init + " (" + describe(model) + "), " + trainRows.rows() + " training rows");
        return new Prepared(start, trainRows, heldOut, p -> checkpointing(p, model.preprocessing(), start.options()));
    }

    /** --resume: the checkpointed run continued to --epochs, with its own options and preprocessing. */
    private Prepared resumeRun(Table table, Table heldOut) throws Exception {
        Resuming resuming = resuming();
        Model model = resuming.model();
        Table trainRows = table;
        if (run.testFraction != null) {
            Split split = split(table, model.preprocessing());
            trainRows = split.train();
            heldOut = split.test();
        }
        checkHeldOut(model.preprocessing(), heldOut);
        note("resuming " + run.resume + " after epoch " + resuming.stored().checkpoint().epoch() + " of "
                + resuming.options().epochs() + " (" + describe(model) + "), " + trainRows.rows() + " training rows");
        weights.rowWeights().checkColumn(trainRows);
        return new Prepared(resuming.start(weights.rowWeights()), trainRows, heldOut, resuming::checkpoints);
    }

    /**
     * A checkpointed run about to be resumed: the stored checkpoint, its model, the options it
     * continues with (to {@code --epochs}), and what its checkpoint folder keeps writing.
     */
    private final class Resuming {
        private final CheckpointFile.Stored stored;
        private final Model model;
        private final TrainingOptions options;
        private final int every;
        private final Map<String, String> kept;

        Resuming(CheckpointFile.Stored stored, Model model, TrainingOptions options, int every,
                 Map<String, String> kept) {
            this.stored = stored;
            this.model = model;
            this.options = options;
            this.every = every;
            this.kept = kept;
        }

        CheckpointFile.Stored stored() {
            return stored;
        }

        Model model() {
            return model;
        }

        TrainingOptions options() {
            return options;
        }

        TrainingStart start(RowWeights rowWeights) {
            return new TrainingStart.Resume(model, stored.checkpoint(), options, rowWeights);
        }

        /** The checkpoint folder, which resumes from the stored checkpoint and forwards to {@code p}. */
        TrainingListener checkpoints(Progress p) {
            return new CheckpointDirectory(run.checkpoint != null ? run.checkpoint : run.resume, every, p,
                    stored.checkpoint(), model.preprocessing(), model.loss(), Model.describe(options), kept);
        }
    }

    /** The latest checkpoint of --resume, checked against the flags given, ready to continue. */
    private Resuming resuming() throws Exception {
        CheckpointFile.Stored stored = readCheckpoint();
        Model model = parse("--resume", () -> Model.of(stored.checkpoint().network(), stored.model().orElseThrow(
                () -> new IllegalArgumentException("the checkpoint holds no model metadata"))));
        int every = run.checkpointEvery != null ? run.checkpointEvery : storedInt(stored, KEY_EVERY);
        int maxEpochs = flags.epochs != null ? flags.epochs : storedInt(stored, KEY_EPOCHS);
        if (maxEpochs < stored.checkpoint().epoch()) {
            throw new UsageException("--epochs " + maxEpochs + " is fewer than the " + stored.checkpoint().epoch()
                    + " epochs the checkpoint in " + run.resume + " has run");
        }
        Map<String, String> settings = new java.util.TreeMap<>(stored.checkpoint().settings());
        String syncEvery = settings.get(KEY_SYNC_EVERY);
        if (syncEvery != null && !backend.trainerSettings().contains(KEY_SYNC_EVERY)) {
            throw new UsageException("the checkpoint in " + run.resume + " is from a model-averaging run "
                    + "(gradus-spark train --sync-every " + syncEvery + "), which gradus train cannot continue; "
                    + "resume it with gradus-spark train, the run's flags (--sync-every " + syncEvery
                    + " among them) and --resume " + run.resume);
        }
        settings.keySet().removeAll(backend.trainerSettings());
        TrainingOptions options = parse("--resume", () -> TrainingOptions.fromSettings(
                settings, maxEpochs, flags.threads, List.of(ValidationMetric.ACCURACY)));
        Map<String, String> kept = new java.util.LinkedHashMap<>(stored.metadata());
        kept.keySet().retainAll(List.of(KEY_COMMAND));
        kept.put(KEY_EPOCHS, Integer.toString(maxEpochs));
        kept.put(KEY_EVERY, Integer.toString(every));
        return new Resuming(stored, model, options, every, kept);
    }

    static final String KEY_COMMAND = "command";
    /** The setting a checkpoint of gradus-spark's model averaging ({@code --sync-every K}) records beside the options. */
    static final String KEY_SYNC_EVERY = "sync_every";
    static final String KEY_EPOCHS = "epochs";
    static final String KEY_EVERY = "checkpoint_every";

    /**
     * Flags that may differ when a run resumes: where files are, how much to say, how far to go,
     * on how many cores (and on which Spark master) and whether the rows are streamed (the same
     * bits either way). Every other flag must agree with the
     * checkpoint. (The rows themselves are compared by the trainer, by their SHA-256.)
     */
    static final java.util.Set<String> RESUMABLE_FLAGS = java.util.Set.of("--resume", "--checkpoint",
            "--checkpoint-every", "--epochs", "--threads", "--out", "--plot", "--progress", "--quiet", "--json",
            "--health", "--data", "--labels", "--validation", "--validation-labels", "--test", "--test-labels",
            "--verbose", "--help", "--version", "--master", "--stream", "--no-cache");

    /** The progress listener, or with {@code --checkpoint} the checkpoint folder that forwards to it. */
    private TrainingListener checkpointing(Progress p, Preprocessing prep, TrainingOptions options) {
        if (run.checkpoint == null) {
            return p;
        }
        int every = run.checkpointEvery == null ? 1 : run.checkpointEvery;
        Map<String, String> kept = new java.util.LinkedHashMap<>();
        Map<String, Object> command = Json.object();
        for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
            if (!RESUMABLE_FLAGS.contains(o.longestName())) {
                command.put(o.longestName(), String.valueOf((Object) o.getValue()));
            }
        }
        kept.put(KEY_COMMAND, Json.write(command));
        kept.put(KEY_EPOCHS, Integer.toString(options.epochs()));
        kept.put(KEY_EVERY, Integer.toString(every));
        return new CheckpointDirectory(run.checkpoint, every, p, null, prep, options.loss(), Model.describe(options), kept);
    }

    /** The latest checkpoint in {@code --resume DIR}, after checking that the flags given agree with it. */
    private CheckpointFile.Stored readCheckpoint() throws java.io.IOException {
        Path latest = CheckpointDirectory.latest(run.resume);
        if (!Files.exists(latest)) {
            throw new UsageException("--resume " + run.resume + ": there is no checkpoint " + latest);
        }
        CheckpointFile.Stored stored = CheckpointFile.read(latest);
        String text = stored.metadata().get(KEY_COMMAND);
        if (text == null) {
            throw new UsageException("--resume " + run.resume + ": " + latest + " was not written by gradus train "
                    + "(it records no command)");
        }
        Map<String, String> command;
        try {
            command = dev.gradus.io.MetadataCodec.stringMap(text, KEY_COMMAND);
        } catch (dev.gradus.io.MetadataException e) {
            throw new java.io.IOException(latest + ": the recorded command is malformed: " + e.getMessage(), e);
        }
        var parsed = spec.commandLine().getParseResult();
        for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
            String name = o.longestName();
            if (RESUMABLE_FLAGS.contains(name) || !parsed.hasMatchedOption(o) || !command.containsKey(name)) {
                continue;
            }
            String now = String.valueOf((Object) o.getValue());
            if (!now.equals(command.get(name))) {
                throw new UsageException(name + " " + now + " disagrees with the checkpoint in " + run.resume
                        + ", which was trained with " + name + " " + command.get(name));
            }
        }
        // The flags that choose the training rows among those of --data, when not given again.
        if (!parsed.hasMatchedOption("--seed") && command.containsKey("--seed")) {
            flags.seed = Long.parseLong(command.get("--seed"));
        }
        // The row weights, which the checkpoint's fingerprint of the weights holds the run to.
        if (!parsed.hasMatchedOption("--sample-weight") && !"null".equals(command.getOrDefault("--sample-weight",
                "null"))) {
            weights.sampleWeight = command.get("--sample-weight");
        }
        if (!parsed.hasMatchedOption("--class-weight") && !"null".equals(command.getOrDefault("--class-weight",
                "null"))) {
            weights.classWeight = command.get("--class-weight");
        }
        if (!parsed.hasMatchedOption("--test-fraction") && command.containsKey("--test-fraction")) {
            String f = command.get("--test-fraction");
            run.testFraction = f.equals("null") ? null : Double.valueOf(f);
        }
        return stored;
    }

    private int storedInt(CheckpointFile.Stored stored, String key) throws java.io.IOException {
        String v = stored.metadata().get(key);
        if (v == null || !v.matches("[0-9]{1,9}")) {
            throw new java.io.IOException(CheckpointDirectory.latest(run.resume) + ": the recorded " + key + " is "
                    + (v == null ? "missing" : "'" + v + "'"));
        }
        return Integer.parseInt(v);
    }

    /** The training score line of the report ({@code accuracy 0.9500}), computed only when printed. */
    private interface Headline {
        String get() throws DataException;
    }

    private void report(PrintWriter stdout, PrintWriter err, Run result, Outcome outcome, Reports.Scores test,
                        Headline headline) throws DataException {
        Model model = outcome.model();
        History history = result.fit().history();
        int trainRows = result.trainRows();
        EpochStats kept = outcome.kept();
        int last = history.epochs().isEmpty() ? 0 : history.epochs().get(history.epochs().size() - 1).epoch();
        double seconds = history.seconds();
        long samples = (long) trainRows * history.epochs().size();
        double finalLoss = outcome.finalLoss();
        if (run.json) {
            Map<String, Object> o = Json.object();
            o.put("task", model.task().toString());
            o.put("epochs", history.epochs().size());
            o.put("final_loss", finalLoss);
            o.put("train_seconds", seconds);
            o.put("samples_per_second", seconds > 0 ? samples / seconds : 0.0);
            o.put("rows", trainRows);
            o.put("parameters", model.network().parameters().size());
            Map<String, Object> v = Json.object();
            if (kept != null && kept.validated()) {
                v.put("epoch", kept.epoch());
                v.put("loss", kept.validationLoss());
                kept.validationMetrics().forEach(v::put);
            }
            o.put("validation", v);
            o.put("stopped_early", history.stoppedEarly());
            o.put("kept_epoch", kept == null ? 0 : kept.epoch());
            if (test != null) {
                Map<String, Object> t = Json.object();
                t.put("rows", test.rows());
                Reports.metrics(test, Reports.Decision.DEFAULT.resolve(model), t);
                o.put("test", t);
            }
            o.put("model", run.out.toString());
            stdout.println(Json.write(o));
        } else {
            String stop = (history.stoppedEarly() ? "; stopped early" : "")
                    + (kept != null && kept.epoch() != last ? ", keeping epoch " + kept.epoch() : "");
            stdout.printf(Locale.ROOT, "trained %d epochs in %.2f s (%.0f samples/s)%s%n", history.epochs().size(),
                    seconds, seconds > 0 ? samples / seconds : 0.0, stop);
            stdout.printf(Locale.ROOT, "final loss %s on all %d training rows%s; training %s%n",
                    Progress.formatLoss(finalLoss), trainRows,
                    (model.preprocessing().targetScaler().isIdentity() ? "" : " (original units)")
                            + (weights.rowWeights().any() ? " (weighted)" : ""),
                    headline.get());
            if (kept != null && kept.validated()) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "validation (epoch %d): loss %.6f",
                        kept.epoch(), kept.validationLoss()));
                kept.validationMetrics().forEach((k, val) -> line.append(String.format(Locale.ROOT, ", %s %.4f", k, val)));
                stdout.println(line);
            }
            if (test != null) {
                stdout.println();
                stdout.println("test rows (" + test.rows() + "):");
                Reports.print(model, test, Reports.Decision.DEFAULT.resolve(model), stdout);
                stdout.println();
            }
            stdout.println("model written to " + run.out);
            if (run.plot != null) {
                stdout.println("learning curves written to " + run.plot);
            }
        }
        stdout.flush();
        err.flush();
    }

    /**
     * The epoch whose weights were kept: the best one when early stopping restores the best
     * weights (validation monitors), else the last.
     */
    private static EpochStats keptEpoch(History history, TrainingOptions options) {
        if (history.epochs().isEmpty()) {
            return null;
        }
        if (options.restoreBest() && options.patience() > 0 && history.bestEpoch() > 0) {
            for (EpochStats e : history.epochs()) {
                if (e.epoch() == history.bestEpoch()) {
                    return e;
                }
            }
        }
        return history.epochs().get(history.epochs().size() - 1);
    }

    private Split split(Table table, Preprocessing prep) throws DataException {
        return prep.task() == Task.CLASSIFICATION
                ? Split.stratified(table, prep.targetNames().get(0), run.testFraction, flags.seed)
                : Split.random(table, run.testFraction, flags.seed);
    }

    private Progress progress(PrintWriter err, Table rows, TrainingOptions options, Preprocessing prep) {
        return Progress.start(run.quiet ? Progress.Mode.NONE : run.progress, err, options, rows.rows(),
                !prep.targetScaler().isIdentity());
    }

    private static String describeTask(Preprocessing p) {
        return p.task() == Task.CLASSIFICATION
                ? "target '" + p.targetNames().get(0) + "', " + p.classLabels().size() + " classes"
                : "target" + (p.targetNames().size() > 1 ? "s " : " ") + String.join(", ", p.targetNames());
    }

    private static String describe(Model m) {
        StringBuilder s = new StringBuilder().append(m.network().inputs());
        for (var d : m.network().layers()) {
            s.append('-').append(d.outputs());
        }
        return s.append(", ").append(m.network().parameters().size()).append(" parameters").toString();
    }

    private void note(String line) {
        if (!run.quiet) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(line);
            err.flush();
        }
    }

    /** Fails with a usage error naming {@code flag} when {@code out} cannot be written. */
    static void checkWritable(Path out, String flag) {
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new UsageException(flag + " " + out + " is a directory; give a file name");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException(flag + " " + out + ": the folder " + parent + " does not exist");
        }
        if (!Files.isWritable(parent)) {
            throw new UsageException(flag + " " + out + ": the folder " + parent + " is not writable");
        }
    }

    static <T> T parse(String flag, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }
}

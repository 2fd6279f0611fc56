package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaling;
import dev.gradus.data.Split;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.io.CheckpointFile;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Init;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.optim.Schedule;
import dev.gradus.tensor.Matrix;
import dev.gradus.train.EpochStats;
import dev.gradus.train.HealthReport;
import dev.gradus.train.History;
import dev.gradus.train.Trainer;
import dev.gradus.train.TrainingListener;
import dev.gradus.train.ValidationMetric;
import dev.gradus.train.TrainingOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradus train}: fits a network to a CSV (or IDX) file and writes the model file. */
@Command(name = "train", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Train a network on a CSV file (header row; last column is the target unless --target) "
                + "or on IDX images with --labels, and write the model file.")
public class TrainCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Training data: CSV (optionally gzipped) or IDX images.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "IDX label file, when --data is IDX images.")
    Path labels;

    @Option(names = "--target", split = ",", paramLabel = "COL",
            description = "Target column(s) by name or 0-based index; several mean multi-output regression. "
                    + "Default: the last column.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--task", paramLabel = "TASK",
            description = "regression or classification. Default: classification when a target cell is not a number.")
    String task;

    @Option(names = "--features", split = ",", paramLabel = "COL", description = "Use only these feature columns.")
    List<String> features = new ArrayList<>();

    @Option(names = "--drop", split = ",", paramLabel = "COL", description = "Never use these columns as features.")
    List<String> drop = new ArrayList<>();

    @Option(names = "--layers", split = ",", paramLabel = "N", description = "Hidden layer widths (default: 32).")
    List<Integer> layers;

    @Option(names = "--activation", paramLabel = "NAME",
            description = "Hidden activation: identity, sigmoid, tanh, relu, leaky_relu[(slope)], elu[(alpha)], "
                    + "softplus (default: relu).")
    String activation;

    @Option(names = "--output-activation", paramLabel = "NAME",
            description = "Output activation (default: the loss's own - softmax for cross-entropy, sigmoid for bce; "
                    + "sigmoid for other classification losses; identity for regression).")
    String outputActivation;

    @Option(names = "--weight-init", paramLabel = "NAME",
            description = "xavier, he or default (per activation: he for the ReLU family, else xavier).")
    String weightInit = "default";

    @Option(names = "--loss", paramLabel = "NAME",
            description = "mse (the seed's l2), cross-entropy (softmax output), bce (one sigmoid output, two "
                    + "classes), mae, huber[(delta)]. Default: cross-entropy for classification, mse for regression.")
    String loss;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd (the seed's update), momentum, nesterov, adam, adamw, rmsprop, lbfgs, rprop, irprop+ "
                    + "(default: adam).")
    String optimizer = "adam";

    @Option(names = "--lr", paramLabel = "ALPHA",
            description = "Learning rate (default: the optimizer's PyTorch default: 0.001 for adam/adamw, 0.01 for "
                    + "sgd/momentum/nesterov/rmsprop/rprop, 1 for lbfgs).")
    Double learningRate;

    @Option(names = "--momentum", paramLabel = "MU", description = "Momentum of momentum/nesterov (default: 0.9).")
    Double momentum;

    @Option(names = "--weight-decay", paramLabel = "L",
            description = "L2 penalty added to the gradient (decoupled for adamw). Default: 0.01 for adamw; 0.1 with "
                    + "the default optimizer (adam) for regression; else 0.")
    Double weightDecay;

    @Option(names = "--beta1", paramLabel = "B", description = "Adam/AdamW first-moment decay (default: 0.9).")
    Double beta1;

    @Option(names = "--beta2", paramLabel = "B", description = "Adam/AdamW second-moment decay (default: 0.999).")
    Double beta2;

    @Option(names = "--schedule", paramLabel = "SPEC",
            description = "Learning-rate schedule per epoch: constant (default), step(size=S,gamma=G), "
                    + "exponential(gamma=G), cosine(warmup=W,min=M).")
    String schedule = "constant";

    @Option(names = "--clip-norm", paramLabel = "X", description = "Clip the gradient's global norm to X (default: off).")
    double clipNorm;

    @Option(names = "--dropout", paramLabel = "P", description = "Inverted dropout rate on hidden layers (default: 0).")
    double dropout;

    @Option(names = "--validation", paramLabel = "FILE",
            description = "Rows scored after every epoch (loss, accuracy) for the history and early stopping.")
    Path validation;

    @Option(names = "--validation-labels", paramLabel = "FILE", description = "IDX labels for IDX --validation images.")
    Path validationLabels;

    @Option(names = "--validation-fraction", paramLabel = "F",
            description = "Hold out this fraction of the training rows for validation instead (seeded).")
    double validationFraction;

    @Option(names = "--patience", paramLabel = "N",
            description = "Stop after N epochs without a better --monitor value and keep the best weights "
                    + "(0 = off).")
    Integer patience;

    @Option(names = "--monitor", paramLabel = "NAME",
            description = "What early stopping watches: loss (the validation loss; the default with validation rows), "
                    + "accuracy (validation), or train_loss (the default without validation rows).")
    String monitor;

    @Option(names = "--min-delta", paramLabel = "D",
            description = "The least change of --monitor that counts as an improvement (default: 0; 1e-4 in the "
                    + "default stopping rule).")
    Double minDelta;

    @Option(names = "--health", description = "After training, report dead or saturated units, gradient norms per "
            + "layer, unscaled inputs and constant predictions.")
    boolean health;

    @Option(names = "--batch-size", paramLabel = "N",
            description = "Rows per step; 0 = full batch (default: 32; 0 for lbfgs, rprop, irprop+).")
    Integer batchSize;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the data (a maximum with --patience); 0 writes the initialised model. "
                    + "Default: up to " + DEFAULT_MAX_EPOCHS + ", stopping once the training loss has not improved by "
                    + "1e-4 for 10 epochs (scikit-learn's rule).")
    Integer epochs;

    static final int DEFAULT_MAX_EPOCHS = 500;
    static final double DEFAULT_REGRESSION_WEIGHT_DECAY = 0.1;

    @Option(names = "--no-shuffle", description = "Visit rows in file order in every epoch.")
    boolean noShuffle;

    @Option(names = "--scale", paramLabel = "HOW",
            description = "standard (default), minmax or none (no scaling of features or targets).")
    String scale;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the weights, shuffling, splits and dropout (default: 42).")
    long seed = TrainingOptions.DEFAULT_SEED;

    @Option(names = "--threads", paramLabel = "N", description = "Cores to use (default: all).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--init", paramLabel = "MODEL",
            description = "Start from this model's architecture, weights and preprocessing.")
    Path init;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "Where to write the model file.")
    Path out;

    @Option(names = "--test", paramLabel = "FILE",
            description = "Held-out rows to score after training (same columns as --data).")
    Path test;

    @Option(names = "--test-labels", paramLabel = "FILE", description = "IDX label file for IDX --test images.")
    Path testLabels;

    @Option(names = "--test-fraction", paramLabel = "F",
            description = "Hold out this fraction of --data instead (stratified by class for classification, "
                    + "drawn from --seed).")
    Double testFraction;

    @Option(names = "--impute", paramLabel = "HOW",
            description = "Fill missing feature cells: none (an error, default), mean or median (numeric columns; "
                    + "categorical columns take their most frequent category).")
    String impute = "none";

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Save the training state in DIR every --checkpoint-every epochs and after the last: "
                    + CheckpointDirectory.LATEST + " (to --resume from) and " + CheckpointDirectory.BEST
                    + " (the model of the best epoch so far).")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N", description = "Epochs between checkpoints (default: 1).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run checkpointed in DIR up to --epochs (default: the run's own), checkpointing "
                    + "there again; the result is bit-identical to an uninterrupted run. Other training flags must "
                    + "agree with the checkpoint.")
    Path resume;

    @Option(names = "--plot", paramLabel = "FILE", description = "Write learning curves to FILE.png or FILE.svg.")
    Path plot;

    @Option(names = "--progress", paramLabel = "MODE",
            description = "auto (a bar on a terminal, else plain lines; default), bar, plain or none.")
    Progress.Mode progress = Progress.Mode.AUTO;

    @Option(names = "--quiet", description = Notices.QUIET)
    boolean quiet;

    @Option(names = "--json", description = "Print one JSON object with the results on stdout.")
    boolean json;

    @picocli.CommandLine.Mixin
    CsvFlags csv = new CsvFlags();

    @Option(names = "--categorical", split = ",", paramLabel = "COL",
            description = "One-hot encode these columns whatever they hold (numbers as codes, nearly all distinct "
                    + "values, dates).")
    List<String> categorical = new ArrayList<>();

    @Option(names = "--max-categories", paramLabel = "N",
            description = "One-hot inputs per column at most; rarer categories share one '<other>' input "
                    + "(default: " + DataSpec.DEFAULT_MAX_CATEGORIES + ").")
    Integer maxCategories;

    @Option(names = "--unknown", paramLabel = "HOW",
            description = "A category unseen in training, at prediction: error (default) or ignore (all-zero one-hot).")
    String unknown;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkRanges();
        checkCheckpointFlags();
        checkWritable(out, "--out");
        if (plot != null) {
            Plots.checkPlotPath("--plot", plot);
        }

        // Class labels keep their text as written (007, 16777217); the default target is the last column.
        List<String> keepText = new ArrayList<>(targets.isEmpty() ? List.of("-1") : targets);
        keepText.addAll(categorical);
        dev.gradus.data.CsvOptions csvOptions = csv.options(keepText);
        Table table = Inputs.read(data, labels, csvOptions);
        Table heldOut = test == null ? null : Inputs.read(test, testLabels, csvOptions);
        Table validationRows = validation == null ? null : Inputs.read(validation, validationLabels, csvOptions);
        Run run = resume != null ? resumeRun(table, heldOut, validationRows, err)
                : init != null ? continueRun(table, heldOut, validationRows, err)
                : newRun(table, heldOut, validationRows, err);
        Outcome outcome = Outcome.of(run.fit(), run.trainRows(), keptEpoch(run.fit().history(), run.options()));
        outcome.model().save(out);
        if (plot != null) {
            Plots.learningCurves(plot, run.fit().history(), "Learning curve: " + data.getFileName());
        }
        report(stdout, err, run, outcome);
        return Main.OK;
    }

    /**
     * A finished training: the fit, the rows it trained on (without rows held out for
     * validation), the held-out test rows (or null) and the options it ran with.
     */
    private record Run(Model.Fit fit, Table trainRows, Table heldOut, TrainingOptions options) {}

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

    /** The rows the trainer trains on: all of {@code rows} but those a validation fraction holds out. */
    private static Table trainedRows(Table rows, TrainingOptions options) {
        double f = options.validationFraction();
        return f == 0 ? rows : rows.selectRows(Trainer.validationSplit(rows.rows(), f, options.seed())[0]);
    }

    /** A new network: preprocessing fitted on the training rows, weights drawn from --seed. */
    private Run newRun(Table table, Table heldOut, Table validationRows, PrintWriter err) throws DataException {
        DataSpec dataSpec = dataSpec();
        Preprocessing prep = Preprocessing.fit(table, dataSpec, w -> note(err, "warning: " + w));
        Table trainRows = table;
        if (testFraction != null) {
            Split split = split(table, prep);
            trainRows = split.train();
            heldOut = split.test();
            prep = Preprocessing.fit(trainRows, dataSpec);
        }
        TrainingOptions options = trainingOptions(prep.task(), null);
        ModelSpec modelSpec = modelSpec(dataSpec, options);
        Preprocessing fitted = prep;
        parse("--loss", () -> Model.outputWidth(fitted, options.loss()));
        checkHeldOut(fitted, heldOut);
        boolean inferred = dataSpec.task() == null;
        note(err, "task: " + prep.task() + " (" + describeTask(prep) + ") " + Notices.taskOrigin(prep, inferred) + "; "
                + trainRows.rows() + " training rows"
                + (heldOut == null ? "" : ", " + heldOut.rows() + " test rows") + ", " + prep.inputWidth()
                + " inputs; " + options.loss().name() + " loss, " + options.optimizer() + ", seed " + seed);
        Notices.warn(err, Notices.taskWarnings(prep, trainRows, inferred));
        Table trained = trainedRows(trainRows, options);
        try (Progress p = progress(err, trained, options, fitted)) {
            return new Run(fitNew(fitted, trainRows, validationRows, modelSpec, checkpointing(p, fitted, options)),
                    trained, heldOut, options);
        }
    }

    /** --init: the model's architecture, weights and preprocessing, trained further. */
    private Run continueRun(Table table, Table heldOut, Table validationRows, PrintWriter err) throws Exception {
        Model start = Model.load(init);
        checkAgrees(start);
        TrainingOptions options = trainingOptions(start.task(), start.loss());
        Table trainRows = table;
        if (testFraction != null) {
            Split split = split(table, start.preprocessing());
            trainRows = split.train();
            heldOut = split.test();
        }
        checkHeldOut(start.preprocessing(), heldOut);
        note(err, "starting from " + init + " (" + describe(start) + "), " + trainRows.rows() + " training rows");
        Table trained = trainedRows(trainRows, options);
        try (Progress p = progress(err, trained, options, start.preprocessing())) {
            return new Run(fitFurther(start, trainRows, validationRows, options,
                    checkpointing(p, start.preprocessing(), options)), trained, heldOut, options);
        }
    }

    /** --resume: the checkpointed run continued to --epochs, with its own options and preprocessing. */
    private Run resumeRun(Table table, Table heldOut, Table validationRows, PrintWriter err) throws Exception {
        CheckpointFile.Stored stored = readCheckpoint();
        Model start = parse("--resume", () -> Model.of(stored.checkpoint().network(), stored.metadata()));
        int every = checkpointEvery != null ? checkpointEvery : storedInt(stored, "checkpoint_every");
        int maxEpochs = epochs != null ? epochs : storedInt(stored, "epochs");
        if (maxEpochs < stored.checkpoint().epoch()) {
            throw new UsageException("--epochs " + maxEpochs + " is fewer than the " + stored.checkpoint().epoch()
                    + " epochs the checkpoint in " + resume + " has run");
        }
        TrainingOptions options = parse("--resume", () -> TrainingOptions.fromSettings(
                stored.checkpoint().settings(), maxEpochs, threads, List.of(ValidationMetric.ACCURACY)));
        Table trainRows = table;
        if (testFraction != null) {
            Split split = split(table, start.preprocessing());
            trainRows = split.train();
            heldOut = split.test();
        }
        checkHeldOut(start.preprocessing(), heldOut);
        note(err, "resuming " + resume + " after epoch " + stored.checkpoint().epoch() + " of " + maxEpochs + " ("
                + describe(start) + "), " + trainRows.rows() + " training rows");
        Table trained = trainedRows(trainRows, options);
        try (Progress p = progress(err, trained, options, start.preprocessing())) {
            Map<String, String> kept = new java.util.LinkedHashMap<>(stored.metadata());
            kept.keySet().retainAll(List.of(KEY_COMMAND));
            kept.put(KEY_EPOCHS, Integer.toString(maxEpochs));
            kept.put(KEY_EVERY, Integer.toString(every));
            return new Run(fitFurther(start, trainRows, validationRows, options, new CheckpointDirectory(
                    checkpoint != null ? checkpoint : resume, every, p, stored.checkpoint(), start.preprocessing(),
                    start.loss(), Model.describe(options), kept)), trained, heldOut, options);
        }
    }

    static final String KEY_COMMAND = "command";
    static final String KEY_EPOCHS = "epochs";
    static final String KEY_EVERY = "checkpoint_every";

    /**
     * Flags that may differ when a run resumes: where files are, how much to say, how far to go
     * and on how many cores. Every other flag must agree with the checkpoint. (The rows
     * themselves are compared by the trainer, by their SHA-256.)
     */
    static final java.util.Set<String> RESUMABLE_FLAGS = java.util.Set.of("--resume", "--checkpoint",
            "--checkpoint-every", "--epochs", "--threads", "--out", "--plot", "--progress", "--quiet", "--json",
            "--health", "--data", "--labels", "--validation", "--validation-labels", "--test", "--test-labels",
            "--verbose", "--help", "--version");

    /** The progress listener, or with {@code --checkpoint} the checkpoint folder that forwards to it. */
    private TrainingListener checkpointing(Progress p, Preprocessing prep, TrainingOptions options) {
        if (checkpoint == null) {
            return p;
        }
        int every = checkpointEvery == null ? 1 : checkpointEvery;
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
        return new CheckpointDirectory(checkpoint, every, p, null, prep, options.loss(), Model.describe(options), kept);
    }

    /** Checks the checkpoint flags before any file is read. */
    private void checkCheckpointFlags() {
        if (checkpointEvery != null && checkpoint == null && resume == null) {
            throw new UsageException("--checkpoint-every needs --checkpoint DIR (or --resume DIR)");
        }
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new UsageException("--checkpoint-every must be at least 1 epoch, got " + checkpointEvery);
        }
        if (resume != null && init != null) {
            throw new UsageException("--resume and --init cannot be combined: a resumed run continues from its "
                    + "checkpoint");
        }
        for (Path dir : new Path[] {checkpoint, resume}) {
            if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new UsageException((dir == checkpoint ? "--checkpoint " : "--resume ") + dir
                        + " is a file; give a folder");
            }
        }
    }

    /** The latest checkpoint in {@code --resume DIR}, after checking that the flags given agree with it. */
    private CheckpointFile.Stored readCheckpoint() throws java.io.IOException {
        Path latest = CheckpointDirectory.latest(resume);
        if (!Files.exists(latest)) {
            throw new UsageException("--resume " + resume + ": there is no checkpoint " + latest);
        }
        CheckpointFile.Stored stored = CheckpointFile.read(latest);
        String text = stored.metadata().get(KEY_COMMAND);
        if (text == null) {
            throw new UsageException("--resume " + resume + ": " + latest + " was not written by gradus train "
                    + "(it records no command)");
        }
        Map<String, String> command = new java.util.HashMap<>();
        try (com.fasterxml.jackson.core.JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(text)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                throw new java.io.IOException("not a JSON object");
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                command.put(name, p.getText());
            }
        } catch (java.io.IOException e) {
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
                throw new UsageException(name + " " + now + " disagrees with the checkpoint in " + resume
                        + ", which was trained with " + name + " " + command.get(name));
            }
        }
        // The flags that choose the training rows among those of --data, when not given again.
        if (!parsed.hasMatchedOption("--seed") && command.containsKey("--seed")) {
            seed = Long.parseLong(command.get("--seed"));
        }
        if (!parsed.hasMatchedOption("--test-fraction") && command.containsKey("--test-fraction")) {
            String f = command.get("--test-fraction");
            testFraction = f.equals("null") ? null : Double.valueOf(f);
        }
        return stored;
    }

    private int storedInt(CheckpointFile.Stored stored, String key) throws java.io.IOException {
        String v = stored.metadata().get(key);
        if (v == null || !v.matches("[0-9]{1,9}")) {
            throw new java.io.IOException(CheckpointDirectory.latest(resume) + ": the recorded " + key + " is "
                    + (v == null ? "missing" : "'" + v + "'"));
        }
        return Integer.parseInt(v);
    }

    /**
     * Builds and trains a new network; here on this machine. {@code gradus-spark} overrides it
     * to train on a cluster, with every flag parsed and checked exactly as here.
     *
     * @param validation rows scored after every epoch, or {@code null}
     */
    protected Model.Fit fitNew(Preprocessing prep, Table train, Table validation, ModelSpec spec,
                               TrainingListener listener) throws DataException {
        return Model.fit(prep, train, validation, spec, listener);
    }

    /**
     * Whether {@link #fitNew} and {@link #fitFurther} honour the checkpoint listener (save and
     * resume optimizer state exactly); a subclass that cannot returns false, and
     * {@code --checkpoint}/{@code --resume} are then refused.
     */
    protected boolean supportsCheckpoints() {
        return true;
    }

    /** Continues training {@code start} (the {@code --init} model); overridden as {@link #fitNew} is. */
    protected Model.Fit fitFurther(Model start, Table train, Table validation, TrainingOptions options,
                                   TrainingListener listener) throws DataException {
        return start.fitFurther(train, validation, options, listener);
    }

    private void report(PrintWriter stdout, PrintWriter err, Run run, Outcome outcome) throws DataException {
        Model model = run.fit().model();
        History history = run.fit().history();
        Table trainRows = run.trainRows();
        Table heldOut = run.heldOut();
        EpochStats kept = outcome.kept();
        int last = history.epochs().isEmpty() ? 0 : history.epochs().get(history.epochs().size() - 1).epoch();
        double seconds = history.seconds();
        long samples = (long) trainRows.rows() * history.epochs().size();
        double finalLoss = outcome.finalLoss();
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("task", model.task().toString());
            o.put("epochs", history.epochs().size());
            o.put("final_loss", finalLoss);
            o.put("train_seconds", seconds);
            o.put("samples_per_second", seconds > 0 ? samples / seconds : 0.0);
            o.put("rows", trainRows.rows());
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
            if (heldOut != null) {
                Map<String, Object> t = Json.object();
                t.put("rows", heldOut.rows());
                Reports.metrics(model, heldOut, t);
                o.put("test", t);
            }
            o.put("model", out.toString());
            stdout.println(Json.write(o));
        } else {
            String stop = (history.stoppedEarly() ? "; stopped early" : "")
                    + (kept != null && kept.epoch() != last ? ", keeping epoch " + kept.epoch() : "");
            stdout.printf(Locale.ROOT, "trained %d epochs in %.2f s (%.0f samples/s)%s%n", history.epochs().size(),
                    seconds, seconds > 0 ? samples / seconds : 0.0, stop);
            stdout.printf(Locale.ROOT, "final loss %s on all %d training rows%s; training %s%n",
                    Progress.formatLoss(finalLoss), trainRows.rows(),
                    model.preprocessing().targetScaler().isIdentity() ? "" : " (original units)",
                    Reports.headline(model, trainRows));
            if (kept != null && kept.validated()) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "validation (epoch %d): loss %.6f",
                        kept.epoch(), kept.validationLoss()));
                kept.validationMetrics().forEach((k, val) -> line.append(String.format(Locale.ROOT, ", %s %.4f", k, val)));
                stdout.println(line);
            }
            if (heldOut != null) {
                stdout.println();
                stdout.println("test rows (" + heldOut.rows() + "):");
                Reports.print(model, heldOut, stdout);
                stdout.println();
            }
            stdout.println("model written to " + out);
            if (plot != null) {
                stdout.println("learning curves written to " + plot);
            }
        }
        if (health) {
            Matrix x = model.preprocessing().features(trainRows);
            HealthReport report = HealthReport.check(model.network(), x,
                    Model.networkTargets(model.preprocessing(), model.loss(), trainRows), model.loss());
            (json ? err : stdout).println(report);
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
                ? Split.stratified(table, prep.targetNames().get(0), testFraction, seed)
                : Split.random(table, testFraction, seed);
    }

    private Progress progress(PrintWriter err, Table rows, TrainingOptions options, Preprocessing prep) {
        return Progress.start(quiet ? Progress.Mode.NONE : progress, err, options, rows.rows(),
                !prep.targetScaler().isIdentity());
    }

    /** Flag values that are wrong whatever the data: checked before any file is read. */
    private void checkRanges() {
        if (!supportsCheckpoints() && (checkpoint != null || resume != null)) {
            throw new UsageException((checkpoint != null ? "--checkpoint" : "--resume") + " is not supported by "
                    + spec.qualifiedName() + " yet; use gradus train for checkpointed runs");
        }
        if (test != null && testFraction != null) {
            throw new UsageException("--test and --test-fraction cannot be combined; choose one");
        }
        if (testFraction != null && !(testFraction > 0 && testFraction < 1)) {
            throw new UsageException("--test-fraction must be strictly between 0 and 1, got " + testFraction);
        }
        if (learningRate != null && (!(learningRate > 0) || !Double.isFinite(learningRate) || learningRate > 1e3)) {
            throw new UsageException("--lr must be a positive number up to 1000, got " + learningRate);
        }
        if (batchSize != null && batchSize < 0) {
            throw new UsageException("--batch-size must be 0 (full batch) or positive, got " + batchSize);
        }
        if (epochs != null && epochs < 0) {
            throw new UsageException("--epochs must be 0 (write the initialised model) or positive, got " + epochs);
        }
        if (threads < 1 || threads > 1024) {
            throw new UsageException("--threads must be between 1 and 1024, got " + threads);
        }
        if (layers != null) {
            for (int width : layers) {
                if (width < 1 || width > 1_000_000) {
                    throw new UsageException("--layers widths must be between 1 and 1000000, got " + layers);
                }
            }
        }
        if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
            throw new UsageException("--clip-norm must be 0 (off) or a positive number, got " + clipNorm);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UsageException("--dropout must be in [0, 1), got " + dropout);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new UsageException("--validation-fraction must be in [0, 1), got " + validationFraction);
        }
        if (validation != null && validationFraction > 0) {
            throw new UsageException("--validation and --validation-fraction cannot be combined; choose one");
        }
        if (patience != null && patience < 0) {
            throw new UsageException("--patience must be 0 (off) or a number of epochs, got " + patience);
        }
        if (minDelta != null && (!(minDelta >= 0) || !Double.isFinite(minDelta))) {
            throw new UsageException("--min-delta must be 0 or a positive number, got " + minDelta);
        }
        boolean validating = validation != null || validationFraction > 0;
        if (monitor != null && !monitor.equals(TrainingOptions.TRAIN_LOSS) && !validating) {
            throw new UsageException("--monitor " + monitor + " needs validation rows: add --validation FILE or "
                    + "--validation-fraction F, or monitor train_loss");
        }
        if (loss != null) {
            parse("--loss", () -> Loss.parse(loss));
        }
        parse("--optimizer", () -> Optimizer.of(optimizer, hyperparameters()));
    }

    private Map<String, String> hyperparameters() {
        Map<String, String> hyper = new java.util.LinkedHashMap<>();
        if (learningRate != null) {
            hyper.put("lr", Double.toString(learningRate));
        }
        if (momentum != null) {
            hyper.put("momentum", Double.toString(momentum));
        }
        if (weightDecay != null) {
            hyper.put("weight_decay", Double.toString(weightDecay));
        }
        if (beta1 != null) {
            hyper.put("beta1", Double.toString(beta1));
        }
        if (beta2 != null) {
            hyper.put("beta2", Double.toString(beta2));
        }
        return hyper;
    }

    /**
     * The training options for {@code task}; the loss is {@code --loss}, else
     * {@code modelLoss} (with {@code --init}), else cross-entropy for classification and the
     * seed's mse for regression.
     */
    private TrainingOptions trainingOptions(Task task, Loss modelLoss) {
        Loss lossFunction = loss != null ? parse("--loss", () -> Loss.parse(loss))
                : modelLoss != null ? modelLoss : task == Task.CLASSIFICATION ? Loss.CROSS_ENTROPY : Loss.MSE;
        Map<String, String> hyper = hyperparameters();
        if (task == Task.REGRESSION && weightDecay == null && !spec.commandLine().getParseResult()
                .hasMatchedOption("--optimizer")) {
            // The default optimizer for regression shrinks the weights, as ridge regression does: small
            // tabular regressions overfit without it (scikit-learn's reference MLP uses alpha = 1.0).
            // A chosen optimizer, e.g. the seed's plain sgd, gets exactly the flags given.
            hyper.put("weight_decay", Double.toString(DEFAULT_REGRESSION_WEIGHT_DECAY));
        }
        Optimizer rule = parse("--optimizer", () -> Optimizer.of(optimizer, hyper));
        boolean fullBatchOnly = optimizer.toLowerCase(Locale.ROOT).matches("l-?bfgs|rprop|irprop[-+−]");
        int batch = batchSize != null ? batchSize : fullBatchOnly ? 0 : 32;
        if (fullBatchOnly && batch != 0) {
            throw new UsageException("--optimizer " + optimizer + " works on the full batch; leave out --batch-size "
                    + "or give --batch-size 0");
        }
        List<ValidationMetric> metrics = task == Task.CLASSIFICATION ? List.of(ValidationMetric.ACCURACY) : List.of();
        boolean validating = validation != null || validationFraction > 0;
        String watched = monitor != null ? monitor : validating ? "loss" : TrainingOptions.TRAIN_LOSS;
        if (!watched.equals("loss") && !watched.equals(TrainingOptions.TRAIN_LOSS)
                && !(watched.equals("accuracy") && task == Task.CLASSIFICATION)) {
            throw new UsageException("--monitor must be loss, train_loss" + (task == Task.CLASSIFICATION
                    ? " or accuracy" : "") + " for " + task + ", got " + watched);
        }
        // Early stopping is on with --patience N > 0, and by default when --epochs is not given or
        // --monitor / --min-delta ask for it (patience 10). Watching the training loss is
        // scikit-learn's rule (min delta 1e-4, the last weights kept); watching validation rows
        // keeps the best epoch's weights. --epochs alone runs exactly that many epochs.
        boolean stopping = patience != null ? patience > 0 : epochs == null || monitor != null || minDelta != null;
        boolean watchTraining = watched.equals(TrainingOptions.TRAIN_LOSS);
        int maxEpochs = epochs != null ? epochs : DEFAULT_MAX_EPOCHS;
        int wait = patience != null ? patience : stopping ? 10 : 0;
        double delta = minDelta != null ? minDelta : watchTraining ? 1e-4 : 0;
        return parse("training options", () -> TrainingOptions.defaults()
                .withLoss(lossFunction)
                .withOptimizer(rule)
                .withSchedule(parse("--schedule", () -> Schedule.parse(schedule, Math.max(1, maxEpochs))))
                .withEpochs(maxEpochs)
                .withBatchSize(batch)
                .withShuffle(!noShuffle)
                .withSeed(seed)
                .withThreads(threads)
                .withClipNorm(clipNorm)
                .withDropout(dropout)
                .withValidationFraction(validationFraction)
                .withMetrics(metrics)
                .withMonitor(watched)
                .withMinDelta(delta)
                .withPatience(wait)
                .withRestoreBest(!watchTraining));
    }

    private DataSpec dataSpec() {
        DataSpec dataSpec = DataSpec.defaults()
                .withTargets(targets)
                .withTask(task == null ? null : parse("--task", () -> Task.parse(task)))
                .withScaling(scale == null ? Scaling.STANDARD : parse("--scale", () -> Scaling.parse(scale)))
                .withFeatures(features)
                .withDrop(drop)
                .withImpute(parse("--impute", () -> Impute.parse(impute)))
                .withCategorical(categorical)
                .withUnknown(unknown == null ? UnknownCategory.ERROR : parse("--unknown", () -> UnknownCategory.parse(unknown)));
        if (maxCategories != null) {
            if (maxCategories < 1) {
                throw new UsageException("--max-categories must be at least 1, got " + maxCategories);
            }
            dataSpec = dataSpec.withMaxCategories(maxCategories);
        }
        if (labels != null && targets.isEmpty()) {
            dataSpec = dataSpec.withTargets(List.of(Inputs.IDX_LABEL)).withTask(Task.CLASSIFICATION);
        }
        return dataSpec;
    }

    private ModelSpec modelSpec(DataSpec dataSpec, TrainingOptions options) {
        return new ModelSpec(dataSpec,
                layers == null ? List.of(32) : layers,
                activation == null ? Activation.RELU : parse("--activation", () -> Activation.parse(activation)),
                outputActivation == null ? null
                        : parse("--output-activation", () -> Activation.parse(outputActivation)),
                parse("--weight-init", () -> Init.parse(weightInit)),
                options);
    }

    /** With {@code --init}, flags that describe the architecture or data must agree with the model. */
    private void checkAgrees(Model start) {
        var parsed = spec.commandLine().getParseResult();
        List<Activation> acts = start.activations();
        if (layers != null) {
            List<Integer> widths = start.network().layers().stream().limit(start.network().layerCount() - 1)
                    .map(d -> d.outputs()).toList();
            if (!widths.equals(layers)) {
                throw new UsageException("--layers " + join(layers) + " disagrees with --init " + init
                        + ", whose hidden layers are " + join(widths));
            }
        }
        if (activation != null) {
            Activation a = parse("--activation", () -> Activation.parse(activation));
            for (int m = 0; m < acts.size() - 1; m++) {
                if (!acts.get(m).equals(a)) {
                    throw new UsageException("--activation " + a + " disagrees with --init " + init
                            + ", whose layer " + m + " uses " + acts.get(m));
                }
            }
        }
        if (outputActivation != null) {
            Activation a = parse("--output-activation", () -> Activation.parse(outputActivation));
            if (!acts.get(acts.size() - 1).equals(a)) {
                throw new UsageException("--output-activation " + a + " disagrees with --init " + init
                        + ", whose output layer uses " + acts.get(acts.size() - 1));
            }
        }
        if (task != null && parse("--task", () -> Task.parse(task)) != start.task()) {
            throw new UsageException("--task " + task + " disagrees with --init " + init + ", a " + start.task()
                    + " model");
        }
        if (!targets.isEmpty() && !targets.equals(start.preprocessing().targetNames())) {
            throw new UsageException("--target " + String.join(",", targets) + " disagrees with --init " + init
                    + ", whose targets are " + String.join(",", start.preprocessing().targetNames()));
        }
        if (scale != null && parse("--scale", () -> Scaling.parse(scale)) == Scaling.NONE
                && !(start.preprocessing().featureScaler().isIdentity()
                && start.preprocessing().targetScaler().isIdentity())) {
            throw new UsageException("--scale none disagrees with --init " + init + ", which scales its inputs");
        }
        if (scale != null && parse("--scale", () -> Scaling.parse(scale)) != Scaling.NONE) {
            throw new UsageException("--scale " + scale + " cannot be combined with --init: the scaling stored in "
                    + init + " is used (only --scale none is accepted, to check that the model scales nothing)");
        }
        for (String flag : List.of("--features", "--drop", "--weight-init", "--impute")) {
            if (parsed.hasMatchedOption(flag)) {
                throw new UsageException(flag + " cannot be combined with --init: the model's own feature columns, "
                        + "fill values and weights are used");
            }
        }
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

    private void note(PrintWriter err, String line) {
        if (!quiet) {
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

    private static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    static <T> T parse(String flag, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
    }
}

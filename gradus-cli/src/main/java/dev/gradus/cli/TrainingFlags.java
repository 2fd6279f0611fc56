package dev.gradus.cli;

import static dev.gradus.cli.TrainCommand.parse;

import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataSpec;
import dev.gradus.data.Impute;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Scaling;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.model.Model;
import dev.gradus.model.ModelSpec;
import dev.gradus.nn.Activation;
import dev.gradus.nn.BiasInit;
import dev.gradus.nn.Init;
import dev.gradus.nn.Loss;
import dev.gradus.optim.Optimizer;
import dev.gradus.train.Defaults;
import dev.gradus.train.TrainingOptions;
import dev.gradus.train.TrainingSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags that say what to train on and how: the data and its columns, the network, the
 * loss, optimizer, epochs and stopping rule, validation rows, seed and threads. A picocli
 * mixin, shared by every command that trains ({@code gradus train}, {@code gradus-spark
 * train}); it maps the flags onto core's {@link DataSpec}, {@link ModelSpec} and
 * {@link TrainingSpec}, where a flag not given is left unset for {@link Defaults} to resolve,
 * and names the flag at fault when a value is wrong.
 */
public final class TrainingFlags {

    /** The command these flags are mixed into (for which flags were given). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

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

    @Option(names = "--layers", split = ",", paramLabel = "N", description = "Hidden layer widths (default: 100).")
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
            description = "xavier (Glorot's uniform bound; the default), he, or default (per activation: he for the "
                    + "ReLU family, else xavier).")
    String weightInit;

    @Option(names = "--bias-init", paramLabel = "HOW",
            description = "How a new network's biases start: uniform (drawn from U(-a, a) with the weights' bound a, "
                    + "as scikit-learn draws them; the default) or zero.")
    String biasInit;

    @Option(names = "--loss", paramLabel = "NAME",
            description = "mse (the seed's l2), cross-entropy (softmax output), bce (one sigmoid output, two "
                    + "classes), mae, huber[(delta)]. Default: cross-entropy for classification, mse for regression.")
    String loss;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd (the seed's update), momentum, nesterov, adam, adamw, rmsprop, lbfgs, rprop, irprop+ "
                    + "(default: " + Defaults.OPTIMIZER + ").")
    String optimizer;

    @Option(names = "--lr", paramLabel = "ALPHA",
            description = "Learning rate (default: the optimizer's PyTorch default: 0.001 for adam/adamw, 0.01 for "
                    + "sgd/momentum/nesterov/rmsprop/rprop, 1 for lbfgs).")
    Double learningRate;

    @Option(names = "--momentum", paramLabel = "MU", description = "Momentum of momentum/nesterov (default: 0.9).")
    Double momentum;

    @Option(names = "--weight-decay", paramLabel = "L",
            description = "L2 penalty added to the gradient of every parameter, biases too (decoupled for adamw). "
                    + "Default: 0.01 for adamw, else 0.")
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

    @Option(names = "--batch-size", paramLabel = "N",
            description = "Rows per step; 0 = full batch (default: " + Defaults.BATCH_SIZE + " for classification, "
                    + "min(" + Defaults.REGRESSION_BATCH_SIZE + ", rows) for regression; 0 for lbfgs, rprop, irprop+).")
    Integer batchSize;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the data (a maximum with --patience); 0 writes the initialised model. "
                    + "Default: up to " + Defaults.MAX_EPOCHS + " (regression " + Defaults.REGRESSION_MAX_EPOCHS
                    + "), stopping once the training loss has not improved by " + Defaults.TRAIN_LOSS_MIN_DELTA
                    + " (regression " + Defaults.REGRESSION_TRAIN_LOSS_MIN_DELTA + ") for " + Defaults.PATIENCE
                    + " epochs (scikit-learn's rule).")
    Integer epochs;

    @Option(names = "--no-shuffle", description = "Visit rows in file order in every epoch.")
    boolean noShuffle;

    @Option(names = "--scale", paramLabel = "HOW",
            description = "standard (default), minmax or none (no scaling of features or targets).")
    String scale;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the weights, shuffling, splits and dropout (default: " + Defaults.SEED + ").")
    long seed = Defaults.SEED;

    @Option(names = "--threads", paramLabel = "N", description = "Cores to use (default: all).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--impute", paramLabel = "HOW",
            description = "Fill missing feature cells: none (an error, default), mean or median (numeric columns; "
                    + "categorical columns take their most frequent category).")
    String impute = "none";

    @Mixin
    CsvFlags csv = new CsvFlags();

    @Option(names = "--categorical", split = ",", paramLabel = "COL",
            description = "One-hot encode these columns whatever they hold (numbers as codes, nearly all distinct "
                    + "values, dates).")
    List<String> categorical = new ArrayList<>();

    @Option(names = "--max-categories", paramLabel = "N",
            description = "One-hot inputs per column at most; rarer categories share one '" + Preprocessing.OTHER
                    + "' input (default: " + DataSpec.DEFAULT_MAX_CATEGORIES + ").")
    Integer maxCategories;

    @Option(names = "--unknown", paramLabel = "HOW",
            description = "A category unseen in training, at prediction: error (default) or ignore (all-zero one-hot).")
    String unknown;

    /** Whether validation rows are scored: {@code --validation} or {@code --validation-fraction}. */
    boolean validating() {
        return validation != null || validationFraction > 0;
    }

    /**
     * Flag values that are wrong whatever the data, checked before any file is read: the ranges
     * that core's {@link TrainingSpec} checks (named by flag) and the limits of the command line.
     */
    void checkRanges() {
        if (learningRate != null && (!(learningRate > 0) || !Double.isFinite(learningRate) || learningRate > 1e3)) {
            throw new UsageException("--lr must be a positive number up to 1000, got " + learningRate);
        }
        if (threads > 1024) {
            throw new UsageException("--threads must be between 1 and 1024, got " + threads);
        }
        if (layers != null) {
            for (int width : layers) {
                if (width < 1 || width > 1_000_000) {
                    throw new UsageException("--layers widths must be between 1 and 1000000, got " + layers);
                }
            }
        }
        if (validation != null && validationFraction > 0) {
            throw new UsageException("--validation and --validation-fraction cannot be combined; choose one");
        }
        if (monitor != null && !monitor.equals(TrainingOptions.TRAIN_LOSS) && !validating()) {
            throw new UsageException("--monitor " + monitor + " needs validation rows: add --validation FILE or "
                    + "--validation-fraction F, or monitor train_loss");
        }
        trainingSpec();
    }

    private Map<String, String> hyperparameters() {
        Map<String, String> hyper = new LinkedHashMap<>();
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
     * The training flags as choices, each flag not given left to the policy ({@link Defaults});
     * each value is checked (by {@link TrainingSpec}) and a bad one named by its flag.
     */
    TrainingSpec trainingSpec() {
        TrainingSpec s = choose(TrainingSpec.defaults(), "--seed", t -> t.withSeed(seed));
        s = choose(s, "--threads", t -> t.withThreads(threads));
        s = choose(s, "--no-shuffle", t -> t.withShuffle(!noShuffle));
        s = choose(s, "--clip-norm", t -> t.withClipNorm(clipNorm));
        s = choose(s, "--dropout", t -> t.withDropout(dropout));
        s = choose(s, "--validation-fraction", t -> t.withValidationFraction(validationFraction));
        if (loss != null) {
            s = choose(s, "--loss", t -> t.withLoss(Loss.parse(loss)));
        }
        Map<String, String> hyper = hyperparameters();
        s = optimizer != null ? choose(s, "--optimizer", t -> t.withOptimizer(Optimizer.of(optimizer, hyper)))
                : choose(s, "--optimizer", t -> t.withHyperparameters(hyper));
        if (epochs != null) {
            s = choose(s, "--epochs", t -> t.withEpochs(epochs));
        }
        if (batchSize != null) {
            s = choose(s, "--batch-size", t -> t.withBatchSize(batchSize));
        }
        if (!schedule.equals("constant")) {
            s = choose(s, "--schedule", t -> t.withSchedule(schedule));
        }
        if (patience != null) {
            s = choose(s, "--patience", t -> t.withPatience(patience));
        }
        if (monitor != null) {
            s = choose(s, "--monitor", t -> t.withMonitor(monitor));
        }
        if (minDelta != null) {
            s = choose(s, "--min-delta", t -> t.withMinDelta(minDelta));
        }
        return s;
    }

    private static TrainingSpec choose(TrainingSpec spec, String flag, UnaryOperator<TrainingSpec> choice) {
        return parse(flag, () -> choice.apply(spec));
    }

    /**
     * The training options for {@code task}: the flags' choices resolved by the policy; the loss
     * is {@code --loss}, else {@code modelLoss} (the {@code --init} model's, or null), else the
     * policy's.
     */
    TrainingOptions options(Task task, Loss modelLoss, int rows) {
        TrainingSpec chosen = trainingSpec();
        TrainingSpec s = loss == null && modelLoss != null ? chosen.withLoss(modelLoss) : chosen;
        // Only flags that were given can clash with the task or the optimizer.
        List<String> flags = new ArrayList<>();
        for (String flag : List.of("--batch-size", "--monitor", "--schedule")) {
            if (mixee.commandLine().getParseResult().hasMatchedOption(flag)) {
                flags.add(flag);
            }
        }
        return parse(flags.isEmpty() ? "training flags" : String.join(", ", flags),
                () -> s.resolve(task, validation != null, rows));
    }

    /**
     * How to read the CSV files: {@code --sep}, {@code --na-values}, and the columns whose
     * cells keep their text as written (class labels such as 007; the target, by default the
     * last column, and {@code --categorical} columns).
     */
    CsvOptions csvOptions() {
        List<String> keepText = new ArrayList<>(targets.isEmpty() ? List.of("-1") : targets);
        keepText.addAll(categorical);
        return csv.options(keepText);
    }

    /** The data flags as a {@link DataSpec}. */
    DataSpec dataSpec() {
        DataSpec dataSpec = DataSpec.defaults()
                .withTargets(targets)
                .withTask(task == null ? null : parse("--task", () -> Task.parse(task)))
                .withScaling(scale == null ? Scaling.STANDARD : parse("--scale", () -> Scaling.parse(scale)))
                .withFeatures(features)
                .withDrop(drop)
                .withImpute(parse("--impute", () -> Impute.parse(impute)))
                .withCategorical(categorical)
                .withUnknown(unknown == null ? UnknownCategory.ERROR
                        : parse("--unknown", () -> UnknownCategory.parse(unknown)));
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

    /** The model the flags describe for {@code dataSpec}: layers, activations, initialiser and training choices. */
    ModelSpec modelSpec(DataSpec dataSpec) {
        return new ModelSpec(dataSpec,
                layers == null ? Defaults.HIDDEN : layers,
                activation == null ? Defaults.ACTIVATION : parse("--activation", () -> Activation.parse(activation)),
                outputActivation == null ? null
                        : parse("--output-activation", () -> Activation.parse(outputActivation)),
                weightInit == null ? Defaults.INIT : parse("--weight-init", () -> Init.parse(weightInit)),
                trainingSpec(), RowWeights.NONE,
                biasInit == null ? Defaults.BIAS_INIT : parse("--bias-init", () -> BiasInit.parse(biasInit)));
    }

    /** With {@code --init}, flags that describe the architecture or data must agree with the model {@code start}. */
    void checkAgrees(Model start, Path init) {
        var parsed = mixee.commandLine().getParseResult();
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
        for (String flag : List.of("--features", "--drop", "--weight-init", "--bias-init", "--impute")) {
            if (parsed.hasMatchedOption(flag)) {
                throw new UsageException(flag + " cannot be combined with --init: the model's own feature columns, "
                        + "fill values and weights are used");
            }
        }
    }

    private static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}

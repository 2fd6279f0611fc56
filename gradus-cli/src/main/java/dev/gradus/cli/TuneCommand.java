package dev.gradus.cli;

import static dev.gradus.cli.TrainCommand.parse;

import dev.gradus.data.DataSpec;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.ModelSpec;
import dev.gradus.tune.SearchSpace;
import dev.gradus.tune.Trial;
import dev.gradus.tune.Tuner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus tune}: a hyperparameter search ({@link Tuner}) with every flag of
 * {@code gradus train} ({@link TrainingFlags}): the search flags {@code --layers},
 * {@code --activation}, {@code --lr}, {@code --weight-decay}, {@code --batch-size} and
 * {@code --dropout} fix their keys of the space, {@code --space KEY=SPEC} narrows or widens one,
 * the other flags hold for every trial. A live table of trials on stderr, the best settings
 * retrained on all rows to {@code --out}, and the {@code gradus train} command that gives that
 * model.
 */
@Command(name = "tune", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Search for good network and training settings: random trials from a search space, poor ones "
                + "stopped early by asynchronous successive halving, scored on held-out rows (or by --folds K "
                + "cross-validation); the best settings retrained on all rows are written to --out, and the "
                + "gradus train command that gives that model is printed.")
final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainingFlags flags = new TrainingFlags();

    @Mixin
    WeightFlags weights = new WeightFlags();

    @Option(names = "--out", required = true, paramLabel = "MODEL",
            description = "Where to write the best settings' model, retrained on all rows.")
    Path out;

    @Option(names = "--space", paramLabel = "KEY=SPEC",
            description = "Narrow, widen or fix one key of the search space: depth, width, lr, weight_decay, "
                    + "batch_size, dropout, activation; SPEC is A..B (a range; log scale for width, lr, "
                    + "weight_decay, batch_size), a,b,c (a choice) or one value. Default: depth=1..3 width=32..512 "
                    + "lr=1e-4..1e-2 weight_decay=1e-6..1e-2 batch_size=32,64,128,256 dropout=0,0.1,0.2,0.3 "
                    + "activation=relu,tanh. Repeatable.")
    List<String> space = new ArrayList<>();

    @Option(names = "--trials", paramLabel = "N",
            description = "Trials in the study, resumed ones included (default: 20 without --time-limit, else no "
                    + "limit). With --trials and no --time-limit the search repeats exactly.")
    Integer trials;

    @Option(names = "--time-limit", paramLabel = "TIME",
            description = "Wall time for the whole command, retraining included: 90s, 4m, 1h30m. Which trials run "
                    + "then depends on the machine's speed.")
    String timeLimit;

    @Option(names = "--folds", paramLabel = "K",
            description = "Score each trial by K-fold cross-validation, as gradus cv (default: 0, a holdout).")
    int folds;

    @Option(names = "--holdout", paramLabel = "F",
            description = "Without --folds: the fraction of rows held out to score and early-stop every trial "
                    + "(stratified by class, drawn from --seed; default: 0.2).")
    double holdout = 0.2;

    @Option(names = "--metric", paramLabel = "NAME",
            description = "What to optimise: accuracy (default for classification), f1_macro, balanced_accuracy, log_loss, roc_auc, "
                    + "average_precision, precision_macro, recall_macro; r2 (default for regression), rmse, mae.")
    String metric;

    @Option(names = "--eta", paramLabel = "X",
            description = "Successive halving's reduction factor: about one trial in X goes on from each rung "
                    + "(default: 3).")
    double eta = 3;

    @Option(names = "--min-epochs", paramLabel = "N",
            description = "The first rung in epochs, with a holdout; the next are N*eta, N*eta^2, ... "
                    + "(default: 3). With --folds the rungs are 1, eta, ... folds.")
    int minEpochs = 3;

    @Option(names = "--study", paramLabel = "FILE",
            description = "Record every finished trial in FILE (JSON, replaced atomically after each trial); when "
                    + "FILE exists, resume the search it holds.")
    Path study;

    @Option(names = "--workers", paramLabel = "N",
            description = "Trials trained at once, each on its share of --threads (default: --threads with "
                    + "--time-limit, 1 without, so that a --trials search repeats exactly). With more than one, "
                    + "which trials are stopped early can differ between runs.")
    Integer workers;

    @Option(names = "--json", description = "Print one JSON object: the best trial, the train command, all trials.")
    boolean json;

    @Option(names = "--quiet", description = Notices.QUIET)
    boolean quiet;

    /** The training flags that fix a key of the space, and the key. */
    private static final Map<String, String> SEARCH_FLAGS = Map.of("--layers", "depth", "--activation", "activation",
            "--lr", "lr", "--weight-decay", "weight_decay", "--batch-size", "batch_size", "--dropout", "dropout");

    @Override
    public Integer call() throws Exception {
        Instant started = Instant.now();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        flags.checkRanges();
        Duration limit = timeLimit == null ? null : duration(timeLimit);
        if (trials != null && (trials < 1 || trials > 1_000_000)) {
            throw new UsageException("--trials must be between 1 and 1000000, got " + trials);
        }
        if (folds != 0 && (folds < 2 || folds > 1000)) {
            throw new UsageException("--folds must be 0 (a holdout) or between 2 and 1000, got " + folds);
        }
        if (!(holdout > 0 && holdout < 1)) {
            throw new UsageException("--holdout must be strictly between 0 and 1, got " + holdout);
        }
        if (!(eta > 1) || eta > 100) {
            throw new UsageException("--eta must be above 1 and at most 100, got " + eta);
        }
        if (minEpochs < 1) {
            throw new UsageException("--min-epochs must be at least 1, got " + minEpochs);
        }
        int parallel = workers != null ? workers : limit == null ? 1 : flags.threads;
        if (parallel < 1 || parallel > 1024) {
            throw new UsageException("--workers must be between 1 and 1024, got " + parallel);
        }
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--optimizer")) {
            throw new UsageException("--optimizer cannot be combined with tune: the search tunes the default "
                    + "optimizer's --lr and --weight-decay");
        }
        for (String flag : List.of("--validation", "--validation-fraction")) {
            if (parsed.hasMatchedOption(flag)) {
                throw new UsageException(flag + " cannot be combined with tune: trials are scored on --holdout F "
                        + "or by --folds K");
            }
        }
        SearchSpace searchSpace = searchSpace(parsed);
        if (metric != null) {
            parse("--metric", () -> Tuner.higherIsBetter(metric));
        }
        TrainCommand.checkWritable(out, "--out");
        if (study != null && java.nio.file.Files.isDirectory(study)) {
            throw new UsageException("--study " + study + " is a directory; give a file name");
        }

        Table table = Inputs.read(flags.data, flags.labels);
        DataSpec dataSpec = weights.exclude(flags.dataSpec(), table);
        Preprocessing whole = Preprocessing.fit(table, dataSpec, w -> Notices.warn(err, List.of(w)));
        weights.checkClasses(whole, table);
        ModelSpec base = flags.modelSpec(dataSpec.withTask(whole.task())).withWeights(weights.rowWeights());
        Tuner.Options options = new Tuner.Options(trials != null ? trials : limit == null ? 20 : 0,
                limit == null ? null : remaining(limit, started), folds, holdout, metric, eta, minEpochs, flags.seed,
                study, parallel);
        Task task = whole.task();
        if (metric != null) {
            parse("--metric", () -> {
                Tuner.checkMetric(metric, task);
                return metric;
            });
        }
        LiveTable live = new LiveTable(err, quiet);
        String describe = String.format(Locale.ROOT, "tune: %d rows of %s (%s), %s, seed %d%s", table.rows(),
                flags.data, task, folds > 0 ? folds + "-fold cross-validation"
                        : "holdout " + holdout + (task == Task.CLASSIFICATION ? " (stratified)" : ""), flags.seed,
                parallel == 1 ? "" : ", " + parallel + " trials at a time")
                + weights.describe() + (weights.sampleWeight == null ? "" : "; scores weighted by " + weights.sampleWeight);
        long t0 = System.nanoTime();
        Tuner.Result result;
        try {
            result = Tuner.run(table, base, searchSpace, options, live.listener(describe, limit, options.trials()));
        } catch (IllegalStateException e) {
            throw new dev.gradus.data.DataException(e.getMessage());   // no trial completed
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        result.model().save(out);
        List<String> command = command(result.best(), result.epochs());
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("metric", result.metric());
            Map<String, Object> best = Json.object();
            best.put("trial", result.best().number());
            best.put("seed", result.best().seed());
            best.put("score", result.best().score());
            best.put("params", result.best().params());
            o.put("best", best);
            o.put("command", String.join(" ", command));
            o.put("out", out.toString());
            o.put("trials_total", result.trials().size());
            o.put("resumed", result.resumed());
            o.put("stopped_by_time", result.stoppedByTime());
            o.put("seconds", seconds);
            List<Object> each = new ArrayList<>();
            for (Trial t : result.trials()) {
                Map<String, Object> one = Json.object();
                one.put("trial", t.number());
                one.put("seed", t.seed());
                one.put("params", t.params());
                one.put("state", t.state().label());
                one.put("rungs", t.rungs());
                one.put("score", t.score());
                one.put("epochs", t.epochs());
                one.put("best_epoch", t.bestEpoch());
                one.put("seconds", t.seconds());
                each.add(one);
            }
            o.put("trials", each);
            stdout.println(Json.write(o));
        } else {
            Trial b = result.best();
            long complete = count(result, Trial.State.COMPLETE);
            stdout.printf(Locale.ROOT, "best: trial %d (seed %d), %s %.4f %s%n", b.number(), b.seed(), result.metric(),
                    b.score(), folds > 0 ? "(mean of " + folds + " folds)" : "on the held-out rows");
            stdout.printf(Locale.ROOT, "trials: %d (%d complete, %d pruned, %d failed%s) in %.0f s%s%n",
                    result.trials().size(), complete, count(result, Trial.State.PRUNED),
                    count(result, Trial.State.FAILED), result.resumed() > 0 ? ", " + result.resumed() + " resumed" : "",
                    seconds, result.stoppedByTime() ? "; stopped by --time-limit" : "");
            stdout.printf(Locale.ROOT, "model: %s (retrained on all %d rows)%n", out, table.rows());
            stdout.println(String.join(" ", command));
        }
        stdout.flush();
        return Main.OK;
    }

    private static long count(Tuner.Result r, Trial.State s) {
        return r.trials().stream().filter(t -> t.state() == s).count();
    }

    @Override
    public String toString() {
        return "tune";
    }

    /** The default space, narrowed by --space and fixed by the search flags given. */
    private SearchSpace searchSpace(picocli.CommandLine.ParseResult parsed) {
        SearchSpace s = SearchSpace.defaults();
        Set<String> set = new HashSet<>();
        for (String entry : space) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--space needs KEY=SPEC (e.g. lr=1e-4..1e-2), got '" + entry + "'");
            }
            String key = entry.substring(0, eq).strip();
            if (!set.add(key)) {
                throw new UsageException("--space " + key + " is given twice");
            }
            SearchSpace current = s;
            s = named("--space " + key, key, () -> current.with(key, entry.substring(eq + 1)));
        }
        for (Map.Entry<String, String> e : SEARCH_FLAGS.entrySet()) {
            if (parsed.hasMatchedOption(e.getKey())) {
                String key = e.getValue();
                if (set.contains(key) || (key.equals("depth") && set.contains("width"))) {
                    throw new UsageException(e.getKey() + " and --space " + (set.contains(key) ? key : "width")
                            + " both set the search's " + key + "; choose one");
                }
                SearchSpace current = s;
                s = named(e.getKey(), key, () -> fix(current, e.getKey()));
            }
        }
        return s;
    }

    /** Runs {@code build}, naming {@code flag} (not the key the core names) in a bad value's message. */
    private static SearchSpace named(String flag, String key, java.util.function.Supplier<SearchSpace> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new UsageException(flag + ": " + (m.startsWith(key + ": ") ? m.substring(key.length() + 2) : m));
        }
    }

    private SearchSpace fix(SearchSpace s, String flag) {
        switch (flag) {
            case "--layers": {
                Set<Integer> widths = new HashSet<>(flags.layers);
                if (widths.size() != 1) {
                    throw new IllegalArgumentException("the search gives every hidden layer one width; give equal "
                            + "widths or use --space depth=… --space width=…");
                }
                return s.with("depth", Integer.toString(flags.layers.size()))
                        .with("width", Integer.toString(flags.layers.get(0)));
            }
            case "--activation":
                return s.with("activation", flags.activation);
            case "--lr":
                return s.with("lr", Double.toString(flags.learningRate));
            case "--weight-decay":
                return s.with("weight_decay", Double.toString(flags.weightDecay));
            case "--batch-size":
                return s.with("batch_size", Integer.toString(flags.batchSize));
            case "--dropout":
                return s.with("dropout", Double.toString(flags.dropout));
            default:
                throw new IllegalStateException(flag);
        }
    }

    /**
     * The {@code gradus train} command that trains {@code best}'s model: the training flags given
     * to tune (the search flags and --seed aside), the trial's settings and seed, and --out.
     */
    private List<String> command(Trial best, int epochs) {
        List<String> c = new ArrayList<>(List.of("gradus", "train"));
        Set<String> mixin = new HashSet<>();
        for (String name : List.of("flags", "weights")) {
            for (OptionSpec o : spec.mixins().get(name).options()) {
                mixin.addAll(List.of(o.names()));
            }
        }
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String name = o.longestName();
            if (!mixin.contains(name) || SEARCH_FLAGS.containsKey(name) || name.equals("--seed")
                    || name.equals("--threads")) {
                continue;
            }
            if (o.arity().max() == 0) {
                c.add(name);
                continue;
            }
            for (String v : o.originalStringValues()) {
                c.add(name);
                c.add(quote(v));
            }
        }
        c.addAll(SearchSpace.trainFlags(best.params()));
        if (epochs > 0) {
            c.add("--epochs");
            c.add(Integer.toString(epochs));
        }
        c.add("--seed");
        c.add(Long.toString(best.seed()));
        c.add("--out");
        c.add(quote(out.toString()));
        return c;
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=,+@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+(?:\\.\\d+)?)s?)?");

    /** Reads 90s, 4m, 1h30m, 2m30s or plain seconds. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (text.isBlank() || !m.matches() || (m.group(1) == null && m.group(2) == null && m.group(3) == null)) {
            throw new UsageException("--time-limit: '" + text + "' is not a duration (e.g. 90s, 4m, 1h30m)");
        }
        double seconds = (m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3600.0)
                + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60.0)
                + (m.group(3) == null ? 0 : Double.parseDouble(m.group(3)));
        if (!(seconds > 0) || seconds > 366 * 24 * 3600.0) {
            throw new UsageException("--time-limit must be positive and at most a year, got " + text);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    /**
     * The part of {@code limit} left for the search: the command counts from {@code started}
     * (so reading the data counts too), less two seconds for the JVM's start before it and for
     * saving the model and printing after.
     */
    private static Duration remaining(Duration limit, Instant started) {
        Duration left = limit.minus(Duration.between(started, Instant.now())).minusSeconds(2);
        return left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
    }

    /** The live table of trials on stderr. */
    private static final class LiveTable {
        private final PrintWriter err;
        private final boolean quiet;

        LiveTable(PrintWriter err, boolean quiet) {
            this.err = err;
            this.quiet = quiet;
        }

        Tuner.Listener listener(String describe, Duration limit, int trials) {
            long t0 = System.nanoTime();
            boolean folds = describe.contains("cross-validation");
            return new Tuner.Listener() {
                String metric;
                List<Integer> rungs = List.of();

                @Override
                public void onStart(String metric, List<Integer> rungs, List<Trial> resumed) {
                    this.metric = metric;
                    if (quiet) {
                        return;
                    }
                    this.rungs = rungs;
                    err.printf(Locale.ROOT, "%s; %s; successive halving at %s %s%s%s%n", describe, metric,
                            folds ? "folds" : "epochs",
                            rungs.isEmpty() ? "(none)" : rungs.toString().replace("[", "").replace("]", ""),
                            trials > 0 ? "; " + trials + " trials" : "",
                            limit != null ? "; time limit " + limit.toSeconds() + " s" : "");
                    err.printf(Locale.ROOT, "%5s %10s %5s %5s %9s %9s %5s %7s %-10s %6s %9s %-12s %6s%n", "trial",
                            "seed", "depth", "width", "lr", "wd", "batch", "dropout", "activation", "epochs",
                            metric.length() > 9 ? metric.substring(0, 9) : metric, "state", "time");
                    for (Trial t : resumed) {
                        row(t, false, "resumed");
                    }
                    err.flush();
                }

                @Override
                public void onTrial(Trial t, boolean best) {
                    if (!quiet) {
                        row(t, best, String.format(Locale.ROOT, "%.0fs", (System.nanoTime() - t0) / 1e9));
                        err.flush();
                    }
                }

                @Override
                public void onRetrain(Trial best) {
                    if (!quiet) {
                        err.printf(Locale.ROOT, "retraining trial %d on all rows%n", best.number());
                        err.flush();
                    }
                }

                private void row(Trial t, boolean best, String time) {
                    Map<String, String> p = t.params();
                    String state = t.state().label();
                    if (t.state() == Trial.State.PRUNED && !t.rungs().isEmpty() && t.rungs().size() <= rungs.size()) {
                        state += "@" + rungs.get(t.rungs().size() - 1);
                    }
                    err.printf(Locale.ROOT, "%5d %10d %5s %5s %9s %9s %5s %7s %-10s %6.0f %9s %-12s %6s%n",
                            t.number(), t.seed(), p.get("depth"), p.get("width"), p.get("lr"), p.get("weight_decay"),
                            p.get("batch_size"), p.get("dropout"), p.get("activation"), t.epochs(),
                            Double.isNaN(t.score()) ? "-" : String.format(Locale.ROOT, "%.4f", t.score()),
                            state + (best ? " *" : ""), time);
                }
            };
        }
    }
}

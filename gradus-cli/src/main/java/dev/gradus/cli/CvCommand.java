package dev.gradus.cli;

import dev.gradus.data.DataSpec;
import dev.gradus.data.Folds;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.CrossValidation;
import dev.gradus.model.ModelSpec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus cv}: K-fold cross-validation with every flag of {@code gradus train}
 * ({@link TrainingFlags}): folds stratified by class for classification and shuffled for
 * regression, drawn from {@code --seed}; each fold's model (preprocessing included) is fitted on
 * the other folds and scored on it with {@code evaluate}'s measures. With {@code --sample-weight}
 * and {@code --class-weight} ({@link WeightFlags}) each fold trains weighted, and its scores
 * weight the held-out rows by their sample weights.
 */
@Command(name = "cv", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Cross-validate the model that gradus train would fit with the same flags: K folds "
                + "(stratified by class for classification, shuffled for regression, drawn from --seed), one model "
                + "per fold fitted on the other folds, scored on it; per-fold scores, their mean and standard "
                + "deviation.")
final class CvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    TrainingFlags flags = new TrainingFlags();

    @Mixin
    WeightFlags weights = new WeightFlags();

    @Option(names = "--folds", paramLabel = "K", description = "Number of folds (default: 5).")
    int folds = 5;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Folds trained at once (default: 1); the scores equal those of one fold at a time.")
    int parallel = 1;

    @Option(names = "--json", description = "Print one JSON object: folds (evaluate's keys per fold), mean, std.")
    boolean json;

    @Option(names = "--quiet", description = "Print nothing but the results and errors.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        flags.checkRanges();
        if (folds < 2 || folds > 1000) {
            throw new UsageException("--folds must be between 2 and 1000, got " + folds);
        }
        if (parallel < 1 || parallel > 1024) {
            throw new UsageException("--parallel must be between 1 and 1024, got " + parallel);
        }
        if (flags.validation != null) {
            throw new UsageException("--validation cannot be combined with cv: each fold holds out its own "
                    + "validation rows with --validation-fraction");
        }
        Table table = Inputs.read(flags.data, flags.labels, flags.csvOptions());
        DataSpec dataSpec = weights.exclude(flags.dataSpec(), table);
        Preprocessing whole = Preprocessing.fit(table, dataSpec, w -> Notices.warn(err, List.of(w)));   // the task and target, as train infers them
        weights.checkClasses(whole, table);
        ModelSpec modelSpec = flags.modelSpec(dataSpec.withTask(whole.task())).withWeights(weights.rowWeights());
        Task task = whole.task();
        Folds split = CrossValidation.folds(table, task, whole.targetNames().get(0), folds, flags.seed);
        if (!quiet && !json) {
            err.printf(Locale.ROOT, "cv: %d folds of %d rows of %s (%s, seed %d), %s%s%n", folds, table.rows(),
                    flags.data, task == Task.CLASSIFICATION ? "stratified by class" : "shuffled", flags.seed,
                    parallel == 1 ? "one at a time" : parallel + " at a time",
                    weights.describe() + (weights.sampleWeight == null ? ""
                            : "; scores weighted by " + weights.sampleWeight));
            err.flush();
        }
        CrossValidation.Result result = CrossValidation.run(table, modelSpec, split, parallel);
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("task", task.toString());
            o.put("rows", table.rows());
            o.put("seed", flags.seed);
            if (weights.sampleWeight != null) {
                o.put("sample_weight", weights.sampleWeight);
            }
            List<Object> each = new ArrayList<>();
            for (CrossValidation.Fold f : result.folds()) {
                Map<String, Object> one = Json.object();
                one.put("fold", f.fold());
                one.put("train_rows", f.trainRows());
                one.put("rows", f.heldOutRows());
                one.put("epochs", f.epochs());
                one.putAll(f.scores());
                each.add(one);
            }
            o.put("folds", each);
            o.put("mean", result.mean());
            o.put("std", result.std());
            out.println(Json.write(o));
        } else {
            print(out, result);
        }
        out.flush();
        return Main.OK;
    }

    private static void print(PrintWriter out, CrossValidation.Result r) {
        List<String> keys = new ArrayList<>(r.mean().keySet());
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-6s %7s %7s %7s", "fold", "train",
                "test", "epochs"));
        for (String k : keys) {
            head.append(String.format(Locale.ROOT, " %16s", k));
        }
        out.println(head);
        for (CrossValidation.Fold f : r.folds()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-6d %7d %7d %7d", f.fold(),
                    f.trainRows(), f.heldOutRows(), f.epochs()));
            for (String k : keys) {
                Double v = f.scores().get(k);
                row.append(v == null ? String.format(Locale.ROOT, " %16s", "-")
                        : String.format(Locale.ROOT, " %16.4f", v));
            }
            out.println(row);
        }
        StringBuilder mean = new StringBuilder(String.format(Locale.ROOT, "%-30s", "mean ± std"));
        for (String k : keys) {
            mean.append(String.format(Locale.ROOT, " %16s",
                    String.format(Locale.ROOT, "%.4f ± %.4f", r.mean().get(k), r.std().get(k))));
        }
        out.println(mean);
    }
}

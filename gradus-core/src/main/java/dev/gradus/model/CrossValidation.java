package dev.gradus.model;

import dev.gradus.data.DataException;
import dev.gradus.data.Folds;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Split;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.data.UnknownCategory;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.train.TrainingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * K-fold cross-validation: for each fold {@code f}, a model fitted (preprocessing included) on
 * the other folds with {@code spec}, scored on fold {@code f}.
 *
 * <pre>{@code
 * Folds folds = Folds.stratified(table, "label", 5, 42);
 * CrossValidation.Result cv = CrossValidation.run(table, spec, folds, 2);   // 2 folds at a time
 * double accuracy = cv.mean().get("accuracy");
 * }</pre>
 *
 * <p>Every fold trains with the same spec (and so the same seed); folds share nothing, so
 * running them in parallel gives the same models and scores as running them one after another.
 * A spec with row weights trains each fold with them ({@code balanced} class weights counted on
 * the fold's training rows) and scores the held-out fold weighted by its sample weights.
 */
public final class CrossValidation {

    private CrossValidation() {
    }

    /**
     * One fold's outcome.
     *
     * @param fold the fold's index
     * @param trainRows rows the model was fitted on
     * @param heldOutRows rows it was scored on
     * @param epochs epochs trained
     * @param scores {@link #scores} on the held-out rows
     */
    public record Fold(int fold, int trainRows, int heldOutRows, int epochs, Map<String, Double> scores) {
        public Fold {
            scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        }
    }

    /**
     * All folds, and per score key its mean and sample standard deviation ({@code n − 1}; 0 for
     * a single value) over the folds that have the key.
     */
    public record Result(List<Fold> folds, Map<String, Double> mean, Map<String, Double> std) {
        public Result {
            folds = List.copyOf(folds);
        }

        /** Summarises {@code folds}. */
        public static Result of(List<Fold> folds) {
            Map<String, List<Double>> values = new LinkedHashMap<>();
            for (Fold f : folds) {
                f.scores().forEach((k, v) -> values.computeIfAbsent(k, key -> new ArrayList<>()).add(v));
            }
            Map<String, Double> mean = new LinkedHashMap<>();
            Map<String, Double> std = new LinkedHashMap<>();
            values.forEach((k, v) -> {
                double m = v.stream().mapToDouble(Double::doubleValue).sum() / v.size();
                double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
                mean.put(k, m);
                std.put(k, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0.0);
            });
            return new Result(folds, java.util.Collections.unmodifiableMap(mean),
                    java.util.Collections.unmodifiableMap(std));
        }
    }

    /**
     * Cross-validates {@code spec} on {@code table} over {@code folds}.
     *
     * @param parallelism folds trained at once (1 = one after another)
     * @throws DataException from preprocessing a fold (e.g. a class or category missing from its
     *     training rows)
     */
    public static Result run(Table table, ModelSpec spec, Folds folds, int parallelism) throws DataException {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        List<Fold> done = new ArrayList<>();
        if (parallelism == 1) {
            for (int f = 0; f < folds.count(); f++) {
                done.add(fold(table, spec, folds, f));
            }
            return Result.of(done);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, folds.count()), r -> {
            Thread t = new Thread(r, "gradus-cv");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Fold>> pending = new ArrayList<>();
            for (int f = 0; f < folds.count(); f++) {
                int which = f;
                pending.add(pool.submit(() -> fold(table, spec, folds, which)));
            }
            for (Future<Fold> p : pending) {
                done.add(p.get());
            }
            return Result.of(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("cross-validation interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DataException d) {
                throw d;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static Fold fold(Table table, ModelSpec spec, Folds folds, int f) throws DataException {
        Split s = folds.split(table, f);
        Model.Fit fit = fitFold(s.train(), null, spec);
        return new Fold(f, s.train().rows(), s.test().rows(), fit.history().epochs().size(),
                scores(fit.model(), s.test(), spec.weights().column()));
    }

    /**
     * Fits {@code spec} on a fold's training rows, to be scored on rows held out from them: the
     * preprocessing is fitted on the training rows alone (no held-out row leaks into it) with its
     * warnings dropped (those of the whole table are the user's), and a category that only
     * held-out rows hold is encoded as all zeros, as {@code --unknown ignore} does, instead of
     * failing the fold: a rare category of a messy file often falls in one fold only. Training
     * itself is that of {@link Model#fit(Table, ModelSpec, TrainingListener...)}, bit for bit.
     *
     * @param validation rows scored after every epoch (for early stopping), or null
     */
    public static Model.Fit fitFold(Table train, Table validation, ModelSpec spec, TrainingListener... listeners)
            throws DataException {
        spec.weights().checkColumn(train);
        return Model.fit(foldPreprocessing(train, spec), train, validation, spec, listeners);
    }

    /** The preprocessing {@link #fitFold} fits on {@code train}. */
    public static Preprocessing foldPreprocessing(Table train, ModelSpec spec) throws DataException {
        return Preprocessing.fit(train, spec.fittedData().withUnknown(UnknownCategory.IGNORE), warning -> { });
    }

    /**
     * The scalar scores {@code gradus evaluate --json} reports for {@code model} on
     * {@code table}: {@code accuracy}, {@code precision_macro}, {@code recall_macro},
     * {@code f1_macro}, {@code balanced_accuracy}, and with probabilities {@code log_loss} (and {@code roc_auc} and
     * {@code average_precision} of the second class for two classes); for regression {@code rmse}, {@code mae}, {@code r2} (means over targets).
     */
    public static Map<String, Double> scores(Model model, Table table) throws DataException {
        return scores(model, table, null);
    }

    /**
     * As {@link #scores(Model, Table)}, each row weighted by its value in the column
     * {@code sampleWeight} ({@code null}: unweighted): the scores of a spec trained with sample
     * weights ({@link ModelSpec#withSampleWeight}). Class weights change training only; the
     * scores count rows by their sample weights alone, as scikit-learn's scorers do.
     */
    public static Map<String, Double> scores(Model model, Table table, String sampleWeight) throws DataException {
        double[] w = null;
        if (sampleWeight != null) {
            float[] f = dev.gradus.data.RowWeights.sampleWeights(table, sampleWeight);
            w = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                w[i] = f[i];
            }
        }
        Map<String, Double> s = new LinkedHashMap<>();
        if (model.task() == Task.CLASSIFICATION) {
            ClassificationMetrics m = w == null ? model.classificationMetrics(table)
                    : model.classificationMetrics(table, 1, Double.NaN, w);
            s.put("accuracy", m.accuracy());
            s.put("precision_macro", m.precisionMacro());
            s.put("recall_macro", m.recallMacro());
            s.put("f1_macro", m.f1Macro());
            s.put("balanced_accuracy", m.balancedAccuracy());
            if (!Double.isNaN(m.logLoss())) {
                s.put("log_loss", m.logLoss());
            }
            if (!Double.isNaN(m.rocAuc())) {
                s.put("roc_auc", m.rocAuc());
            }
            if (!Double.isNaN(m.averagePrecision())) {
                s.put("average_precision", m.averagePrecision());
            }
        } else {
            RegressionMetrics m = model.regressionMetrics(table, w);
            s.put("rmse", m.rmseMean());
            s.put("mae", m.maeMean());
            s.put("r2", m.r2Mean());
        }
        return s;
    }

    /** Stratified folds for classification, shuffled folds for regression, as {@code gradus cv} makes them. */
    public static Folds folds(Table table, Task task, String target, int k, long seed) throws DataException {
        return task == Task.CLASSIFICATION ? Folds.stratified(table, target, k, seed)
                : Folds.shuffled(table.rows(), k, seed);
    }
}

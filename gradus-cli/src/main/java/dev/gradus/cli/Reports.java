package dev.gradus.cli;

import dev.gradus.data.Csv;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.RowWeights;
import dev.gradus.data.Split;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.ModelMetadata;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.model.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Metrics of a model on a table, as a text table or as JSON fields. */
final class Reports {
    private Reports() {}

    /**
     * The binary decision of {@code evaluate} and {@code predict}: the positive class label
     * ({@code null}: the second class) and the threshold on its probability (NaN: the more
     * probable class).
     */
    record Decision(String positive, double threshold) {
        static final Decision DEFAULT = new Decision(null, Double.NaN);

        /**
         * The decision these flags ask for on {@code model}, given the threshold it may store
         * ({@code gradus train --threshold}): neither flag takes the stored decision; a
         * {@code --threshold} alone applies to the stored positive class (else the second
         * class); a {@code --positive} is taken as given (without {@code --threshold}: the more
         * probable class).
         */
        Decision resolve(Model model) {
            if (model.decision().isEmpty() || positive != null) {
                return this;
            }
            ModelMetadata.Decision stored = model.decision().get();
            return new Decision(stored.positive(), Double.isNaN(threshold) ? stored.threshold() : threshold);
        }

        /**
         * {@code model} deciding as {@link #resolve} says, for a server: with a threshold it is
         * stored in the model, without one the model predicts the more probable class.
         */
        Model apply(Model model) {
            Decision d = resolve(model);
            d.check(model);
            if (Double.isNaN(d.threshold())) {
                return model.withoutThreshold();
            }
            return model.withThreshold(model.preprocessing().classLabels().get(d.positiveId(model)), d.threshold());
        }

        /** Whether the threshold is the one stored in {@code model}. */
        boolean stored(Model model) {
            return model.decision().isPresent() && model.decision().get().threshold() == threshold
                    && model.decision().get().positive().equals(positive);
        }

        /** The positive class id of {@code model}; a label that is not a class is a usage error. */
        int positiveId(Model model) {
            if (positive == null) {
                return 1;
            }
            try {
                return model.classId(positive);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--positive: " + e.getMessage());
            }
        }

        /** Checks the flags against {@code model}: two classes with probabilities, a threshold in [0, 1]. */
        void check(Model model) {
            if (positive == null && Double.isNaN(threshold)) {
                return;
            }
            String flag = Double.isNaN(threshold) ? "--positive" : "--threshold";
            if (model.task() != Task.CLASSIFICATION || model.preprocessing().classLabels().size() != 2) {
                throw new UsageException(flag + " needs a model of two classes; this one is "
                        + (model.task() == Task.CLASSIFICATION ? model.preprocessing().classLabels().size()
                        + "-class classification" : "regression"));
            }
            if (!Double.isNaN(threshold) && !model.outputsProbabilities()) {
                throw new UsageException("--threshold needs a model that outputs probabilities (loss cross-entropy "
                        + "or bce); this one was trained with " + model.loss());
            }
            if (!Double.isNaN(threshold) && !(threshold >= 0 && threshold <= 1)) {
                throw new UsageException("--threshold must be between 0 and 1, got " + threshold);
            }
            positiveId(model);
        }
    }

    /**
     * A model's scores on labelled rows: the classification or the regression metrics (the
     * other null), over {@code rows} rows; {@code regressionValues} holds the actual and
     * predicted values for a plot when the rows were streamed (else null).
     */
    record Scores(long rows, ClassificationMetrics classification, RegressionMetrics regression,
                  RegressionMetrics.Tally regressionValues) {}

    /**
     * The scores of {@code model} on {@code table} under {@code decision}, every score weighted by
     * {@code weights} (null: unweighted; support and the confusion matrix still count rows).
     */
    static Scores scores(Model model, Table table, Decision decision, double[] weights) throws DataException {
        if (model.task() == Task.CLASSIFICATION) {
            return new Scores(table.rows(), model.classificationMetrics(table, decision.positiveId(model),
                    decision.threshold(), weights), null, null);
        }
        return new Scores(table.rows(), null, model.regressionMetrics(table, weights), null);
    }

    /** As {@link #scores(Model, Table, Decision, double[])} unweighted, with the model's stored decision. */
    static Scores scores(Model model, Table table) throws DataException {
        return scores(model, table, Decision.DEFAULT.resolve(model), null);
    }

    /**
     * The scores of {@code model} on the CSV file {@code data}, read a chunk of rows at a time so
     * that a file larger than the heap can be scored: the same numbers, bit for bit, as reading
     * it whole. Weighted by column {@code weightColumn} when it is not null.
     */
    static Scores scoresStreamed(Model model, Path data, CsvOptions options, Decision decision, String weightColumn)
            throws DataException {
        return scoresStreamed(model, data, null, options, decision, weightColumn);
    }

    /**
     * As {@link #scoresStreamed(Model, Path, CsvOptions, Decision, String)} on the rows of
     * {@code data} numbered {@code rows} (increasing, from 0 in file order; null: all), the test
     * rows of a split: the numbers of {@link #scores(Model, Table, Decision, double[])} on the
     * table of those rows.
     */
    static Scores scoresStreamed(Model model, Path data, int[] rows, CsvOptions options, Decision decision,
                                 String weightColumn) throws DataException {
        boolean weighted = weightColumn != null;
        boolean classes = model.task() == Task.CLASSIFICATION;
        int positive = classes ? decision.positiveId(model) : 0;
        class Scorer implements Csv.Chunks {
            ClassificationMetrics.Tally classification;
            RegressionMetrics.Tally regression;
            boolean checked;

            Scorer() {
                restart();
            }

            @Override
            public void accept(Table chunk) throws DataException {
                if (!checked) {
                    checkTargets(model, chunk, data);
                    checked = true;
                }
                double[] w = weighted ? doubles(RowWeights.sampleWeights(chunk, weightColumn)) : null;
                if (classes) {
                    model.score(chunk, classification, positive, decision.threshold(), w);
                } else {
                    model.score(chunk, regression, w);
                }
            }

            @Override
            public void restart() {
                classification = classes ? model.classificationTally(positive, weighted) : null;
                regression = classes ? null : model.regressionTally(weighted);
            }
        }
        Scorer scorer = new Scorer();
        Csv.stream(data, options, Inputs.textColumns(model, null), rows == null ? scorer : Split.only(rows, scorer));
        return scores(scorer.classification, scorer.regression, data, weightColumn);
    }

    /**
     * The scores of a filled tally: {@code classification} or {@code regression} (the other
     * null), whose rows came from {@code data}, weighted by column {@code weightColumn} (or null).
     */
    static Scores scores(ClassificationMetrics.Tally classification, RegressionMetrics.Tally regression, Path data,
                         String weightColumn) throws DataException {
        try {
            return classification != null ? new Scores(classification.rows(), classification.metrics(), null, null)
                    : new Scores(regression.rows(), null, regression.metrics(), regression);
        } catch (IllegalArgumentException e) {
            throw new DataException(data + ": every sample weight in column '" + weightColumn + "' is 0");
        }
    }

    /** A data error unless {@code table} holds the model's target column(s). */
    static void checkTargets(Model model, Table table, Path data) throws DataException {
        if (!model.preprocessing().hasTargets(table)) {
            throw new DataException(data + ": no target column " + String.join(", ", model.preprocessing().targetNames())
                    + " to evaluate against (columns: " + String.join(", ", table.names()) + ")");
        }
    }

    private static double[] doubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /**
     * The sample weights of {@code table} in column {@code column} as doubles, or null when
     * {@code column} is null.
     */
    static double[] sampleWeights(Table table, String column) throws DataException {
        if (column == null) {
            return null;
        }
        double[] out = doubles(RowWeights.sampleWeights(table, column));
        double total = 0;
        for (double w : out) {
            total += w;
        }
        if (!(total > 0)) {
            throw new DataException(table.source() + ": every sample weight in column '" + column + "' is 0");
        }
        return out;
    }

    /** Adds the evaluate JSON fields (DESIGN §6) of {@code scores} under {@code decision} to {@code json}. */
    static void metrics(Scores scores, Decision decision, Map<String, Object> json) {
        if (scores.classification() != null) {
            ClassificationMetrics m = scores.classification();
            json.put("accuracy", m.accuracy());
            json.put("precision_macro", m.precisionMacro());
            json.put("recall_macro", m.recallMacro());
            json.put("f1_macro", m.f1Macro());
            json.put("balanced_accuracy", m.balancedAccuracy());
            if (!Double.isNaN(m.logLoss())) {
                json.put("log_loss", m.logLoss());
            }
            if (m.positive() >= 0) {
                json.put("positive", m.labels().get(m.positive()));
                if (!Double.isNaN(decision.threshold())) {
                    json.put("threshold", decision.threshold());
                }
            }
            if (!Double.isNaN(m.rocAuc())) {
                json.put("roc_auc", m.rocAuc());
            }
            if (!Double.isNaN(m.averagePrecision())) {
                json.put("average_precision", m.averagePrecision());
            }
            json.put("labels", m.labels());
            Map<String, Object> perClass = Json.object();
            for (int c = 0; c < m.labels().size(); c++) {
                Map<String, Object> one = Json.object();
                one.put("precision", m.precision()[c]);
                one.put("recall", m.recall()[c]);
                one.put("f1", m.f1()[c]);
                one.put("support", Arrays.stream(m.confusion()[c]).sum());
                perClass.put(m.labels().get(c), one);
            }
            json.put("per_class", perClass);
            json.put("confusion", m.confusion());
        } else {
            RegressionMetrics m = scores.regression();
            json.put("rmse", m.rmseMean());
            json.put("mae", m.maeMean());
            json.put("r2", m.r2Mean());
            Map<String, Object> perTarget = Json.object();
            for (int t = 0; t < m.targets().size(); t++) {
                Map<String, Object> one = Json.object();
                one.put("rmse", m.rmse()[t]);
                one.put("mae", m.mae()[t]);
                one.put("r2", m.r2()[t]);
                perTarget.put(m.targets().get(t), one);
            }
            json.put("per_target", perTarget);
        }
    }

    /**
     * Prints {@code scores} (of {@code model}, under {@code decision}) as an aligned table;
     * support and the confusion matrix count rows, also when the scores are weighted.
     */
    static void print(Model model, Scores scores, Decision decision, PrintWriter out) {
        if (scores.classification() != null) {
            ClassificationMetrics m = scores.classification();
            if (m.positive() >= 0) {
                out.printf(Locale.ROOT, "%-16s %s%s%n", "positive class", m.labels().get(m.positive()),
                        Double.isNaN(decision.threshold()) ? ""
                                : String.format(Locale.ROOT, " (predicted when p >= %s%s)", decision.threshold(),
                                        decision.stored(model) ? ", the model's stored threshold" : ""));
            }
            out.printf(Locale.ROOT, "%-16s %.4f%n", "accuracy", m.accuracy());
            out.printf(Locale.ROOT, "%-16s %.4f%n", "precision_macro", m.precisionMacro());
            out.printf(Locale.ROOT, "%-16s %.4f%n", "recall_macro", m.recallMacro());
            out.printf(Locale.ROOT, "%-16s %.4f%n", "f1_macro", m.f1Macro());
            out.printf(Locale.ROOT, "%-16s %.4f%n", "balanced_accuracy", m.balancedAccuracy());
            if (!Double.isNaN(m.logLoss())) {
                out.printf(Locale.ROOT, "%-16s %.4f%n", "log_loss", m.logLoss());
            }
            if (!Double.isNaN(m.rocAuc())) {
                out.printf(Locale.ROOT, "%-16s %.4f%n", "roc_auc", m.rocAuc());
            }
            if (!Double.isNaN(m.averagePrecision())) {
                out.printf(Locale.ROOT, "%-16s %.4f%n", "average_precision", m.averagePrecision());
            }
            out.println();
            printPerClass(m, out);
            out.println();
            printConfusion(m, out);
        } else {
            RegressionMetrics m = scores.regression();
            int w = Math.max(6, m.targets().stream().mapToInt(String::length).max().orElse(6));
            out.printf(Locale.ROOT, "%-" + w + "s %12s %12s %8s%n", "target", "rmse", "mae", "r2");
            for (int t = 0; t < m.targets().size(); t++) {
                out.printf(Locale.ROOT, "%-" + w + "s %12.4f %12.4f %8.4f%n", m.targets().get(t), m.rmse()[t],
                        m.mae()[t], m.r2()[t]);
            }
            if (m.targets().size() > 1) {
                out.printf(Locale.ROOT, "%-" + w + "s %12.4f %12.4f %8.4f%n", "(mean)", m.rmseMean(), m.maeMean(),
                        m.r2Mean());
            }
        }
        out.flush();
    }

    private static void printPerClass(ClassificationMetrics m, PrintWriter out) {
        int w = Math.max(5, m.labels().stream().mapToInt(String::length).max().orElse(5));
        out.printf(Locale.ROOT, "%-" + w + "s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support");
        for (int c = 0; c < m.labels().size(); c++) {
            long support = 0;
            for (long v : m.confusion()[c]) {
                support += v;
            }
            out.printf(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %8d%n", m.labels().get(c), m.precision()[c],
                    m.recall()[c], m.f1()[c], support);
        }
    }

    private static void printConfusion(ClassificationMetrics m, PrintWriter out) {
        List<String> labels = m.labels();
        int w = 4;
        for (String l : labels) {
            w = Math.max(w, l.length());
        }
        for (long[] row : m.confusion()) {
            for (long v : row) {
                w = Math.max(w, Long.toString(v).length());
            }
        }
        out.println("confusion matrix (rows: actual, columns: predicted)");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%" + w + "s", ""));
        for (String l : labels) {
            header.append(' ').append(String.format(Locale.ROOT, "%" + w + "s", l));
        }
        out.println(header);
        for (int a = 0; a < labels.size(); a++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%" + w + "s", labels.get(a)));
            for (int p = 0; p < labels.size(); p++) {
                row.append(' ').append(String.format(Locale.ROOT, "%" + w + "d", m.confusion()[a][p]));
            }
            out.println(row);
        }
    }

    /** A one-line summary: accuracy, or R² and RMSE. */
    static String headline(Model model, Table table) throws DataException {
        if (model.task() == Task.CLASSIFICATION) {
            return String.format(Locale.ROOT, "accuracy %.4f", model.classificationMetrics(table).accuracy());
        }
        RegressionMetrics m = model.regressionMetrics(table);
        return String.format(Locale.ROOT, "r2 %.4f, rmse %.4f", m.r2Mean(), m.rmseMean());
    }

    static List<String> split(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
        }
        return out;
    }
}

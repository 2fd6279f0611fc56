package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.ModelMetadata;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.model.Model;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Metrics of a model on a table, as a text table or as JSON fields. */
final class Reports {
    private Reports() {}

    /**
     * Adds the evaluate JSON fields (DESIGN §6) for {@code model} on {@code table} to {@code json},
     * deciding two classes by the model's stored threshold if it has one.
     */
    static void metrics(Model model, Table table, Map<String, Object> json) throws DataException {
        metrics(model, table, Decision.DEFAULT.resolve(model), json);
    }

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

    /** Classification metrics of {@code model} on {@code table} under {@code decision}. */
    static ClassificationMetrics classification(Model model, Table table, Decision decision) throws DataException {
        return classification(model, table, decision, null);
    }

    /** As {@link #classification(Model, Table, Decision)} with row weights (or null). */
    static ClassificationMetrics classification(Model model, Table table, Decision decision, double[] weights)
            throws DataException {
        return model.classificationMetrics(table, decision.positiveId(model), decision.threshold(), weights);
    }

    /**
     * The sample weights of {@code table} in column {@code column} as doubles, or null when
     * {@code column} is null.
     */
    static double[] sampleWeights(Table table, String column) throws DataException {
        if (column == null) {
            return null;
        }
        float[] w = dev.gradus.data.RowWeights.sampleWeights(table, column);
        double[] out = new double[w.length];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i];
            total += w[i];
        }
        if (!(total > 0)) {
            throw new DataException(table.source() + ": every sample weight in column '" + column + "' is 0");
        }
        return out;
    }

    /** As {@link #metrics(Model, Table, Map)}, with a binary decision. */
    static void metrics(Model model, Table table, Decision decision, Map<String, Object> json) throws DataException {
        metrics(model, table, decision, null, json);
    }

    /**
     * As {@link #metrics(Model, Table, Decision, Map)} with every score weighted by
     * {@code weights} (null: unweighted); {@code confusion} still counts rows.
     */
    static void metrics(Model model, Table table, Decision decision, double[] weights, Map<String, Object> json)
            throws DataException {
        if (model.task() == Task.CLASSIFICATION) {
            ClassificationMetrics m = classification(model, table, decision, weights);
            json.put("accuracy", m.accuracy());
            json.put("precision_macro", m.precisionMacro());
            json.put("recall_macro", m.recallMacro());
            json.put("f1_macro", m.f1Macro());
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
            json.put("confusion", m.confusion());
        } else {
            RegressionMetrics m = model.regressionMetrics(table, weights);
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

    /** Prints the metrics of {@code model} on {@code table} as an aligned table (stored threshold, if any). */
    static void print(Model model, Table table, PrintWriter out) throws DataException {
        print(model, table, Decision.DEFAULT.resolve(model), out);
    }

    /** As {@link #print(Model, Table, PrintWriter)}, with a binary decision. */
    static void print(Model model, Table table, Decision decision, PrintWriter out) throws DataException {
        print(model, table, decision, null, out);
    }

    /**
     * As {@link #print(Model, Table, Decision, PrintWriter)} with every score weighted by
     * {@code weights} (null: unweighted); support and the confusion matrix still count rows.
     */
    static void print(Model model, Table table, Decision decision, double[] weights, PrintWriter out)
            throws DataException {
        if (model.task() == Task.CLASSIFICATION) {
            ClassificationMetrics m = classification(model, table, decision, weights);
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
            RegressionMetrics m = model.regressionMetrics(table, weights);
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

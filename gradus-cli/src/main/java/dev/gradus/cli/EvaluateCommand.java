package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.data.CsvOptions;
import dev.gradus.metrics.ClassificationMetrics;
import dev.gradus.metrics.RegressionMetrics;
import dev.gradus.model.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus evaluate}: scores a model on labelled data. Another command may run it with a
 * {@link Backend} that scores the rows where it reads them ({@code gradus-spark evaluate}: on
 * Spark's executors) and returns the tallies: the same metrics, report and JSON.
 */
@Command(name = "evaluate", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Score a model on data that holds the target column(s): accuracy, precision, recall, F1 and "
                + "the confusion matrix for classification; RMSE, MAE and R² for regression.")
public final class EvaluateCommand implements Callable<Integer> {

    /** Where the rows are read and scored when not on this machine. */
    public interface Backend {
        /**
         * Adds every row of {@code data} (the path as typed; CSV cells as {@code csv} says), in
         * row order, to
         * {@code tally}: {@code model}'s classification scores under the positive class id
         * {@code positive} and {@code threshold} (NaN: the most probable class), each row
         * weighted by its value in column {@code weightColumn} (null: unweighted). Returns false,
         * adding nothing, when this backend cannot read {@code data} here (the command then reads
         * it itself).
         */
        boolean classify(Model model, String data, CsvOptions csv, int positive, double threshold, String weightColumn,
                         ClassificationMetrics.Tally tally) throws DataException;

        /** As {@link #classify} for a regression model's {@code tally}. */
        boolean regress(Model model, String data, CsvOptions csv, String weightColumn, RegressionMetrics.Tally tally)
                throws DataException;
    }

    @Spec
    CommandSpec spec;

    private final Backend backend;

    /** {@code gradus evaluate}, on this machine. */
    public EvaluateCommand() {
        this(null);
    }

    /** The command scoring its rows on {@code backend} (null: this machine). */
    public EvaluateCommand(Backend backend) {
        this.backend = backend;
    }

    /**
     * A data error naming {@code data} unless the columns {@code columns} hold {@code model}'s
     * target column(s), as {@code gradus evaluate} reports it.
     */
    public static void checkTargets(Model model, java.util.List<String> columns, String data) throws DataException {
        Reports.checkTargets(model, Table.of(data, columns, java.util.List.of()), Path.of(data));
    }

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model file written by train.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "CSV file or IDX images.")
    Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "IDX label file, when --data is IDX images.")
    Path labels;

    @Option(names = "--positive", paramLabel = "LABEL",
            description = "The positive class of a two-class model, for roc_auc, average_precision and "
                    + "--threshold (default: the second class in the sorted label order).")
    String positive;

    @Option(names = "--threshold", paramLabel = "T",
            description = "Two classes: predict the positive class when its probability is at least T "
                    + "(default: the threshold stored in the model by train --threshold, else the more probable class).")
    Double threshold;

    @Option(names = "--sample-weight", paramLabel = "COL",
            description = "Weight each row's part in every score by its value in column COL (a number >= 0), as "
                    + "scikit-learn's sample_weight; support and the confusion matrix still count rows.")
    String sampleWeight;

    @Option(names = "--stream", arity = "0..1", fallbackValue = "on", paramLabel = "WHEN",
            converter = TrainCommand.StreamingConverter.class,
            description = "Read and score the rows a chunk at a time instead of reading the whole file first, so that "
                    + "a file larger than the Java heap can be scored (same numbers): on, off, or auto (the default: on "
                    + "when the CSV file is larger than a sixth of the Java heap). --stream alone means on.")
    TrainCommand.Streaming stream = TrainCommand.Streaming.AUTO;

    @Option(names = "--json", description = "Print one JSON object on stdout.")
    boolean json;

    @picocli.CommandLine.Mixin
    CsvFlags csv = new CsvFlags();

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Write a confusion-matrix heat map (classification) or a predicted-vs-actual scatter "
                    + "(regression) to FILE.png or FILE.svg.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (plot != null) {
            Plots.checkPlotPath("--plot", plot);
        }
        Model m = Model.load(model);
        Reports.Decision decision = new Reports.Decision(positive, threshold == null ? Double.NaN : threshold)
                .resolve(m);
        decision.check(m);
        dev.gradus.data.CsvOptions options = csv.options(Inputs.textColumns(m, null));
        if (backend != null && labels != null) {
            throw new UsageException("--labels (IDX images) is read by gradus evaluate only; "
                    + spec.qualifiedName() + " reads CSV, Parquet, JSON or ORC");
        }
        Reports.Scores scores = backend == null ? null : remoteScores(m, options, decision);
        boolean streamed = scores == null && labels == null && TrainCommand.streams(stream, data);
        float[][] scatter = null;          // regression, for the plot: actual and predicted values, row-major
        if (scores != null) {
            if (scores.regressionValues() != null) {
                scatter = new float[][] {scores.regressionValues().actual(), scores.regressionValues().predicted()};
            }
        } else if (streamed) {
            Inputs.lastInput = data;
            scores = Reports.scoresStreamed(m, data, options, decision, sampleWeight);
            if (scores.regressionValues() != null) {
                scatter = new float[][] {scores.regressionValues().actual(), scores.regressionValues().predicted()};
            }
        } else {
            Table table = Inputs.read(data, labels, options);
            Reports.checkTargets(m, table, data);
            scores = Reports.scores(m, table, decision, Reports.sampleWeights(table, sampleWeight));
            if (m.task() == Task.REGRESSION && plot != null) {
                scatter = new float[][] {m.preprocessing().targetValues(table).data(), m.predict(table).outputs().data()};
            }
        }
        if (plot != null) {
            String title = model.getFileName() + " on " + data.getFileName();
            if (m.task() == Task.CLASSIFICATION) {
                Plots.confusion(plot, scores.classification(), "Confusion matrix: " + title);
            } else {
                Plots.scatter(plot, scatter[0], scatter[1], m.preprocessing().targetNames(),
                        "Predicted vs actual: " + title);
            }
        }
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("task", m.task().toString());
            o.put("rows", scores.rows());
            if (sampleWeight != null) {
                o.put("sample_weight", sampleWeight);
            }
            Reports.metrics(scores, decision, o);
            out.println(Json.write(o));
        } else {
            out.println(m.task() + " on " + scores.rows() + " rows of " + data
                    + (sampleWeight == null ? "" : ", weighted by column " + sampleWeight));
            Reports.print(m, scores, decision, out);
        }
        if (plot != null && !json) {
            out.println("plot written to " + plot);
        }
        out.flush();
        return Main.OK;
    }

    /** The backend's scores, or null when it cannot read {@code data} here. */
    private Reports.Scores remoteScores(Model m, dev.gradus.data.CsvOptions options, Reports.Decision decision)
            throws DataException {
        boolean weighted = sampleWeight != null;
        if (m.task() == Task.CLASSIFICATION) {
            int positive = decision.positiveId(m);
            ClassificationMetrics.Tally tally = m.classificationTally(positive, weighted);
            return backend.classify(m, PredictCommand.typed(spec, "--data"), options, positive, decision.threshold(), sampleWeight, tally)
                    ? Reports.scores(tally, null, data, sampleWeight) : null;
        }
        RegressionMetrics.Tally tally = m.regressionTally(weighted);
        return backend.regress(m, PredictCommand.typed(spec, "--data"), options, sampleWeight, tally) ? Reports.scores(null, tally, data, sampleWeight)
                : null;
    }
}

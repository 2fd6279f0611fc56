package dev.gradus.cli;

import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradus evaluate}: scores a model on labelled data. */
@Command(name = "evaluate", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Score a model on data that holds the target column(s): accuracy, precision, recall, F1 and "
                + "the confusion matrix for classification; RMSE, MAE and R² for regression.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

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
        Table table = Inputs.read(data, labels, csv.options(Inputs.textColumns(m, null)));
        if (!m.preprocessing().hasTargets(table)) {
            throw new DataException(data + ": no target column " + String.join(", ", m.preprocessing().targetNames())
                    + " to evaluate against (columns: " + String.join(", ", table.names()) + ")");
        }
        if (plot != null) {
            String title = model.getFileName() + " on " + data.getFileName();
            if (m.task() == Task.CLASSIFICATION) {
                Plots.confusion(plot, Reports.classification(m, table, decision), "Confusion matrix: " + title);
            } else {
                Plots.scatter(plot, m.preprocessing().targetValues(table).data(),
                        m.predict(table).outputs().data(), m.preprocessing().targetNames(),
                        "Predicted vs actual: " + title);
            }
        }
        double[] weights = Reports.sampleWeights(table, sampleWeight);
        if (json) {
            Map<String, Object> o = Json.object();
            o.put("task", m.task().toString());
            o.put("rows", table.rows());
            if (sampleWeight != null) {
                o.put("sample_weight", sampleWeight);
            }
            Reports.metrics(m, table, decision, weights, o);
            out.println(Json.write(o));
        } else {
            out.println(m.task() + " on " + table.rows() + " rows of " + data
                    + (sampleWeight == null ? "" : ", weighted by column " + sampleWeight));
            Reports.print(m, table, decision, weights, out);
        }
        if (plot != null && !json) {
            out.println("plot written to " + plot);
        }
        out.flush();
        return Main.OK;
    }
}

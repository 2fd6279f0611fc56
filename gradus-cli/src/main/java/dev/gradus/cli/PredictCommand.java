package dev.gradus.cli;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.internal.AtomicFiles;
import dev.gradus.model.Model;
import dev.gradus.model.Predictions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gradus predict}: writes a model's predictions for each row as CSV or JSON records. */
@Command(name = "predict", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Predict each row of a CSV file (or IDX images). Writes the --id column if given, then "
                + "'prediction' (the class label) and one score column per class, or one column per regression "
                + "target. A target column in the input is ignored.")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model file written by train.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "CSV file or IDX images.")
    Path data;

    @Option(names = "--id", paramLabel = "COL", description = "Copy this input column first into the output.")
    String id;

    @Option(names = "--out", paramLabel = "FILE", description = "Output file (default: stdout); replaced atomically.")
    Path out;

    @Option(names = "--positive", paramLabel = "LABEL",
            description = "The positive class of a two-class model for --threshold (default: the second class in "
                    + "the sorted label order).")
    String positive;

    @Option(names = "--threshold", paramLabel = "T",
            description = "Two classes: predict the positive class when its probability is at least T "
                    + "(default: the threshold stored in the model by train --threshold, else the more probable class).")
    Double threshold;

    @picocli.CommandLine.Mixin
    CsvFlags csv = new CsvFlags();

    @Option(names = "--json", description = "Write a JSON array of records, one object per row with the CSV's columns as "
            + "fields (the --id value and the label as text, scores and regression values as numbers), instead of CSV.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (out != null) {
            TrainCommand.checkWritable(out, "--out");
        }
        Model m = Model.load(model);
        Reports.Decision decision = new Reports.Decision(positive, threshold == null ? Double.NaN : threshold)
                .resolve(m);
        decision.check(m);
        int positiveId = decision.positiveId(m);
        Table table = Inputs.read(data, null, csv.options(Inputs.textColumns(m, id)));
        int idColumn = id == null ? -1 : table.indexOf(id);
        if (id != null && idColumn < 0) {
            throw new DataException(data + ": no id column '" + id + "'; available: "
                    + String.join(", ", table.names()));
        }
        Predictions p = m.predict(table);
        if (out == null) {
            PrintWriter stdout = spec.commandLine().getOut();
            DeferredOut.stream(stdout);     // every prediction is made: the rows may be many, stream them
            if (json) {
                writeJson(stdout, table, idColumn, p, positiveId, decision.threshold());
            } else {
                write(stdout, table, idColumn, p, positiveId, decision.threshold());
            }
            stdout.flush();
        } else {
            AtomicFiles.write(out, stream -> {
                Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                if (json) {
                    writeJson(w, table, idColumn, p, positiveId, decision.threshold());
                } else {
                    write(w, table, idColumn, p, positiveId, decision.threshold());
                }
                w.flush();
            });
        }
        return Main.OK;
    }

    /**
     * The predictions as a JSON array of records ({@code [{"id": "7", "prediction": "cat",
     * "p_cat": 0.9, …}, …]}, one record per line), the fields named as the CSV's columns.
     */
    private void writeJson(Writer writer, Table table, int idColumn, Predictions p, int positiveId, double cut)
            throws IOException {
        boolean classification = p.task() == Task.CLASSIFICATION;
        List<String> fields = new ArrayList<>();
        for (String name : p.names()) {
            fields.add(classification ? (p.probabilities() ? "p_" : "score_") + name : name);
        }
        String[] labels = classification ? p.labels(positiveId, cut) : null;
        com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory()
                .createGenerator(writer);
        g.setPrettyPrinter(new OneRecordPerLine());
        g.writeStartArray();
        for (int r = 0; r < p.rows(); r++) {
            g.writeStartObject();
            if (idColumn >= 0) {
                g.writeStringField(id, table.text(r, idColumn));
            }
            if (classification) {
                g.writeStringField("prediction", labels[r]);
            }
            for (int c = 0; c < fields.size(); c++) {
                float v = p.outputs().get(r, c);
                g.writeFieldName(fields.get(c));
                if (Float.isFinite(v)) {
                    g.writeNumber(v);
                } else {
                    g.writeNull();          // JSON has no NaN or infinity
                }
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.flush();
        writer.write('\n');
    }

    /** Compact records, one per line, inside the array's brackets. */
    private static final class OneRecordPerLine extends com.fasterxml.jackson.core.util.MinimalPrettyPrinter {
        @Override
        public void beforeArrayValues(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeArrayValueSeparator(com.fasterxml.jackson.core.JsonGenerator g) throws IOException {
            g.writeRaw(",\n");
        }

        @Override
        public void writeEndArray(com.fasterxml.jackson.core.JsonGenerator g, int values) throws IOException {
            g.writeRaw(values > 0 ? "\n]" : "]");
        }
    }

    private void write(Writer writer, Table table, int idColumn, Predictions p, int positiveId, double cut)
            throws IOException {
        CsvWriter csv = CsvWriter.builder().lineDelimiter(de.siegmar.fastcsv.writer.LineDelimiter.LF).build(writer);
        List<String> header = new ArrayList<>();
        if (idColumn >= 0) {
            header.add(id);
        }
        boolean classification = p.task() == Task.CLASSIFICATION;
        if (classification) {
            header.add("prediction");
            for (String label : p.names()) {
                header.add((p.probabilities() ? "p_" : "score_") + label);
            }
        } else {
            header.addAll(p.names());
        }
        csv.writeRecord(header);
        String[] labels = classification ? p.labels(positiveId, cut) : null;
        int k = p.names().size();
        for (int r = 0; r < p.rows(); r++) {
            List<String> row = new ArrayList<>(header.size());
            if (idColumn >= 0) {
                String v = table.text(r, idColumn);
                row.add(v == null ? "" : v);
            }
            if (classification) {
                row.add(labels[r]);
            }
            for (int c = 0; c < k; c++) {
                row.add(Float.toString(p.outputs().get(r, c)));
            }
            csv.writeRecord(row);
        }
        csv.flush();
    }
}

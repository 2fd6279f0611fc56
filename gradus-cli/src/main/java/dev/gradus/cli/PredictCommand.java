package dev.gradus.cli;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import dev.gradus.data.Task;
import dev.gradus.io.AtomicFiles;
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

/** {@code gradus predict}: writes a model's predictions for each row as CSV. */
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

    @Option(names = "--out", paramLabel = "FILE", description = "Output CSV (default: stdout); replaced atomically.")
    Path out;

    @picocli.CommandLine.Mixin
    CsvFlags csv = new CsvFlags();

    @Override
    public Integer call() throws Exception {
        if (out != null) {
            TrainCommand.checkWritable(out, "--out");
        }
        Model m = Model.load(model);
        Table table = Inputs.read(data, null, csv.options(Inputs.textColumns(m, id)));
        int idColumn = id == null ? -1 : table.indexOf(id);
        if (id != null && idColumn < 0) {
            throw new DataException(data + ": no id column '" + id + "'; available: "
                    + String.join(", ", table.names()));
        }
        Predictions p = m.predict(table);
        if (out == null) {
            PrintWriter stdout = spec.commandLine().getOut();
            write(stdout, table, idColumn, p);
            stdout.flush();
        } else {
            AtomicFiles.write(out, stream -> {
                Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                write(w, table, idColumn, p);
                w.flush();
            });
        }
        return Main.OK;
    }

    private void write(Writer writer, Table table, int idColumn, Predictions p) throws IOException {
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
        String[] labels = classification ? p.labels() : null;
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

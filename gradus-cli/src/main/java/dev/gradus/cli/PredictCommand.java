package dev.gradus.cli;

import de.siegmar.fastcsv.writer.CsvWriter;
import dev.gradus.data.CsvOptions;
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

/**
 * {@code gradus predict}: writes a model's predictions for each row as CSV or JSON records.
 * Another command may run it with a {@link Backend} that predicts the rows where it reads them
 * and writes there ({@code gradus-spark predict}: Spark's executors and writers), with the same
 * columns.
 */
@Command(name = "predict", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Predict each row of a CSV file (or IDX images). Writes the --id column if given, then "
                + "'prediction' (the class label) and one score column per class, or one column per regression "
                + "target. A target column in the input is ignored.")
public final class PredictCommand implements Callable<Integer> {

    /** Where the rows are read, predicted and written when not on this machine. */
    public interface Backend {
        /**
         * Writes a record for every row of {@code data} (the path as typed; CSV cells as
         * {@code csv} says) to the folder {@code out} (as typed), replacing it: the text of column {@code id} (when not null), then for classification
         * {@code prediction}, the label under the positive class id {@code positive} and
         * {@code threshold} (NaN: the most probable class), then {@link #outputColumns} of
         * {@code model}; as JSON records when {@code json}.
         */
        void predict(Model model, String data, CsvOptions csv, String id, int positive, double threshold, String out,
                     boolean json) throws Exception;
    }

    @Spec
    CommandSpec spec;

    private final Backend backend;

    /** {@code gradus predict}, on this machine. */
    public PredictCommand() {
        this(null);
    }

    /** The command predicting on {@code backend} (null: this machine). */
    public PredictCommand(Backend backend) {
        this.backend = backend;
    }

    /**
     * The output columns after the id and the label: {@code p_LABEL} per class for a model that
     * outputs probabilities, {@code score_LABEL} for other classifiers, the target names for a
     * regression.
     */
    public static List<String> outputColumns(Model model) {
        List<String> out = new ArrayList<>();
        boolean classification = model.task() == Task.CLASSIFICATION;
        List<String> names = classification ? model.preprocessing().classLabels() : model.preprocessing().targetNames();
        for (String name : names) {
            out.add(classification ? (model.outputsProbabilities() ? "p_" : "score_") + name : name);
        }
        return out;
    }

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

    @Option(names = "--stream", arity = "0..1", fallbackValue = "on", paramLabel = "WHEN",
            converter = TrainCommand.StreamingConverter.class,
            description = "Read and predict the rows a chunk at a time, writing as it goes, instead of reading the "
                    + "whole file first: on, off, or auto (the default: on when the CSV file is larger than a sixth "
                    + "of the Java heap). --stream alone means on.")
    TrainCommand.Streaming stream = TrainCommand.Streaming.AUTO;

    @Override
    public Integer call() throws Exception {
        if (out != null && backend == null) {
            TrainCommand.checkWritable(out, "--out");
        }
        Model m = Model.load(model);
        Reports.Decision decision = new Reports.Decision(positive, threshold == null ? Double.NaN : threshold)
                .resolve(m);
        decision.check(m);
        int positiveId = decision.positiveId(m);
        dev.gradus.data.CsvOptions options = csv.options(Inputs.textColumns(m, id));
        if (backend != null) {
            if (out == null) {
                throw new UsageException(spec.qualifiedName() + " writes with Spark: give --out DIR");
            }
            backend.predict(m, typed(spec, "--data"), options, id, positiveId, decision.threshold(), typed(spec, "--out"),
                    json);
            return Main.OK;
        }
        if (TrainCommand.streams(stream, data)) {
            return predictStreamed(m, options, positiveId, decision.threshold());
        }
        Table table = Inputs.read(data, null, options);
        int idColumn = idColumn(table);
        Predictions p = m.predict(table);
        if (out == null) {
            PrintWriter stdout = spec.commandLine().getOut();
            DeferredOut.stream(stdout);     // every prediction is made: the rows may be many, stream them
            Rows rows = new Rows(stdout, positiveId, decision.threshold());
            rows.write(table, idColumn, p);
            rows.end();
            stdout.flush();
        } else {
            AtomicFiles.write(out, stream -> {
                Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                Rows rows = new Rows(w, positiveId, decision.threshold());
                rows.write(table, idColumn, p);
                rows.end();
                w.flush();
            });
        }
        return Main.OK;
    }

    /** The value of {@code option} as typed: a Path would fold hdfs://host/… into hdfs:/host/…. */
    static String typed(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().matchedOption(option).originalStringValues().get(0);
    }

    private int idColumn(Table table) throws DataException {
        int c = id == null ? -1 : table.indexOf(id);
        if (id != null && c < 0) {
            throw new DataException(data + ": no id column '" + id + "'; available: "
                    + String.join(", ", table.names()));
        }
        return c;
    }

    /**
     * Predicts the rows a chunk at a time ({@link dev.gradus.data.Csv#stream}) and writes each
     * chunk's predictions before reading the next, so a file larger than the heap can be scored.
     * To {@code --out}, the file is replaced atomically once every row is written (nothing is
     * written on an error). To stdout, the rows before a bad one are already out: the error says
     * so, naming the line where it stopped.
     */
    private int predictStreamed(Model m, dev.gradus.data.CsvOptions options, int positiveId, double cut)
            throws Exception {
        Inputs.lastInput = data;
        class Sink implements dev.gradus.data.Csv.Chunks {
            final Rows rows;
            long written;      // rows written, kept when the reading starts again
            long skip;

            Sink(Writer w) {
                rows = new Rows(w, positiveId, cut);
            }

            @Override
            public void accept(Table chunk) throws DataException, IOException {
                int from = (int) Math.min(skip, chunk.rows());
                skip -= from;
                if (from == chunk.rows()) {
                    return;
                }
                Table rest = from == 0 ? chunk : chunk.selectRows(java.util.stream.IntStream.range(from,
                        chunk.rows()).toArray());
                Predictions p;
                try {
                    p = m.predict(rest);
                } catch (DataException e) {
                    if (out != null) {
                        throw e;
                    }
                    // To stdout: the rows before the bad one go out first. The longest good prefix
                    // of the chunk, by bisection; the prefix one row longer fails on the bad row.
                    int good = 0;
                    int bad = rest.rows();
                    while (bad - good > 1) {
                        int mid = (good + bad) >>> 1;
                        try {
                            m.predict(prefix(rest, mid));
                            good = mid;
                        } catch (DataException again) {
                            bad = mid;
                        }
                    }
                    if (good > 0) {
                        Table ok = prefix(rest, good);
                        rows.write(ok, idColumn(ok), m.predict(ok));
                        written += good;
                    }
                    m.predict(prefix(rest, good + 1));   // throws, naming the bad row
                    throw e;
                }
                rows.write(rest, idColumn(rest), p);
                written += rest.rows();
            }

            private Table prefix(Table t, int n) {
                return t.selectRows(java.util.stream.IntStream.range(0, n).toArray());
            }

            @Override
            public void restart() {
                skip = written;   // the rows already written are read again: skip them
            }
        }
        if (out != null) {
            try {
                AtomicFiles.write(out, stream -> {
                    Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                    Sink sink = new Sink(w);
                    try {
                        dev.gradus.data.Csv.stream(data, options, Inputs.textColumns(m, id), sink);
                    } catch (DataException e) {
                        throw new Rethrown(e);
                    }
                    sink.rows.end();
                    w.flush();
                });
            } catch (Rethrown e) {
                throw (DataException) e.getCause();
            }
            return Main.OK;
        }
        PrintWriter stdout = spec.commandLine().getOut();
        DeferredOut.stream(stdout);
        Sink sink = new Sink(stdout);
        try {
            dev.gradus.data.Csv.stream(data, options, Inputs.textColumns(m, id), sink);
        } catch (DataException e) {
            stdout.flush();
            throw new DataException(e.getMessage() + " (predictions for the " + sink.written + " rows before it "
                    + "were written to stdout; stopped there)", e);
        }
        sink.rows.end();
        stdout.flush();
        return Main.OK;
    }

    /** A data error from inside an atomic write, carried out of it. */
    private static final class Rethrown extends IOException {
        Rethrown(DataException e) {
            super(e);
        }
    }

    /**
     * Writes predictions as CSV (a header, then one record per row) or as a JSON array of
     * records ({@code [{"id": "7", "prediction": "cat", "p_cat": 0.9, …}, …]}, one record per
     * line, the fields named as the CSV's columns), a table of rows at a time.
     */
    private final class Rows {
        private final Writer writer;
        private final int positiveId;
        private final double cut;
        private CsvWriter csvWriter;
        private com.fasterxml.jackson.core.JsonGenerator g;
        private List<String> fields;

        Rows(Writer writer, int positiveId, double cut) {
            this.writer = writer;
            this.positiveId = positiveId;
            this.cut = cut;
        }

        void write(Table table, int idColumn, Predictions p) throws IOException {
            boolean classification = p.task() == Task.CLASSIFICATION;
            if (fields == null) {
                fields = new ArrayList<>();
                for (String name : p.names()) {
                    fields.add(classification ? (p.probabilities() ? "p_" : "score_") + name : name);
                }
                if (json) {
                    g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(writer);
                    g.setPrettyPrinter(new OneRecordPerLine());
                    g.writeStartArray();
                } else {
                    csvWriter = CsvWriter.builder().lineDelimiter(de.siegmar.fastcsv.writer.LineDelimiter.LF)
                            .build(writer);
                    List<String> header = new ArrayList<>();
                    if (idColumn >= 0) {
                        header.add(id);
                    }
                    if (classification) {
                        header.add("prediction");
                    }
                    header.addAll(fields);
                    csvWriter.writeRecord(header);
                }
            }
            String[] labels = classification ? p.labels(positiveId, cut) : null;
            int k = fields.size();
            for (int r = 0; r < p.rows(); r++) {
                if (json) {
                    g.writeStartObject();
                    if (idColumn >= 0) {
                        g.writeStringField(id, table.text(r, idColumn));
                    }
                    if (classification) {
                        g.writeStringField("prediction", labels[r]);
                    }
                    for (int c = 0; c < k; c++) {
                        float v = p.outputs().get(r, c);
                        g.writeFieldName(fields.get(c));
                        if (Float.isFinite(v)) {
                            g.writeNumber(v);
                        } else {
                            g.writeNull();          // JSON has no NaN or infinity
                        }
                    }
                    g.writeEndObject();
                    continue;
                }
                List<String> row = new ArrayList<>(k + 2);
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
                csvWriter.writeRecord(row);
            }
            if (json) {
                g.flush();
            } else {
                csvWriter.flush();
            }
        }

        /** Ends the output (the JSON array's bracket). */
        void end() throws IOException {
            if (json) {
                g.writeEndArray();
                g.flush();
                writer.write('\n');
            }
            writer.flush();
        }
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
}

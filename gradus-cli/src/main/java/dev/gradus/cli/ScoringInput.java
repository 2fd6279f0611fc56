package dev.gradus.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.gradus.data.Csv;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.Table;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import dev.gradus.model.Predictor;

/**
 * The request bodies of MLflow's scoring protocol, read into rows of text cells in the model's
 * column order (what {@link dev.gradus.model.Predictor#predictCells} takes).
 *
 * <p>JSON bodies hold exactly one of
 * <ul>
 *   <li>{@code dataframe_records}: {@code [{"col": value, …}, …]};
 *   <li>{@code dataframe_split}: {@code {"columns": [...], "data": [[...], …]}} ({@code index} is
 *       ignored; without {@code columns} the values are positional);
 *   <li>{@code instances} or {@code inputs}: a list of rows, each a list of values in the model's
 *       column order (as {@code gradus inspect} lists them) or an object by column name; or an
 *       object of columns, {@code {"col": [v0, v1, …], …}};
 * </ul>
 * and optionally {@code params} (ignored). A value is a number, a string (parsed as a CSV cell is)
 * or {@code null} (missing). Names the model does not read are ignored. CSV bodies have a header
 * row and are read as {@code gradus predict} reads a file.
 */
final class ScoringInput {
    private static final JsonFactory JSON = new JsonFactory();

    private ScoringInput() {}

    /** A request that cannot be scored: the message, and where known the row (0-based) and column. */
    static final class BadRequest extends Exception {
        final String errorCode;
        final int row;
        final String column;

        BadRequest(String errorCode, String message, int row, String column) {
            super(message);
            this.errorCode = errorCode;
            this.row = row;
            this.column = column;
        }

        BadRequest(String message) {
            this("BAD_REQUEST", message, -1, null);
        }

        static BadRequest at(int row, String column, String problem) {
            return new BadRequest("BAD_REQUEST", "row " + row + ", column '" + column + "': " + problem, row, column);
        }
    }

    /** The rows of a CSV body (a header row, then one row per line). */
    static List<String[]> csv(byte[] body, List<String> columns) throws BadRequest {
        Table table;
        try {
            // Every column the model reads keeps its text as written: the cells go to the row
            // encoder as text, so a category code such as 007 stays 007.
            table = Csv.read(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8),
                    "request body", CsvOptions.defaults().withKeepText(columns));
        } catch (DataException e) {
            throw new BadRequest(e.getMessage());
        }
        int[] index = new int[columns.size()];
        for (int f = 0; f < index.length; f++) {
            index[f] = table.indexOf(columns.get(f));
            if (index[f] < 0) {
                throw BadRequest.at(0, columns.get(f), "absent from the CSV header (the model reads "
                        + String.join(", ", columns) + ")");
            }
        }
        List<String[]> rows = new ArrayList<>(table.rows());
        for (int r = 0; r < table.rows(); r++) {
            String[] cells = new String[index.length];
            for (int f = 0; f < index.length; f++) {
                cells[f] = table.text(r, index[f]);
            }
            rows.add(cells);
        }
        return rows;
    }

    /** The rows of a JSON body. */
    static List<String[]> json(byte[] body, Predictor predictor) throws BadRequest {
        List<String> columns = predictor.columns();
        ToIntFunction<String> index = predictor::indexOf;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRequest("the body must be a JSON object with one of dataframe_records, "
                        + "dataframe_split, instances or inputs");
            }
            List<String[]> rows = null;
            String key = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "dataframe_records", "dataframe_split", "instances", "inputs" -> {
                        if (key != null) {
                            throw new BadRequest("the body holds both " + key + " and " + field + "; send one");
                        }
                        key = field;
                        rows = switch (field) {
                            case "dataframe_records" -> records(p, field, columns, index);
                            case "dataframe_split" -> split(p, columns, index);
                            default -> instances(p, field, columns, index);
                        };
                    }
                    case "params" -> p.skipChildren();
                    default -> throw new BadRequest("unknown key '" + field + "'; the body takes one of "
                            + "dataframe_records, dataframe_split, instances or inputs (and params)");
                }
            }
            if (p.nextToken() != null) {
                throw new BadRequest("malformed JSON: more content after the top-level object");
            }
            if (key == null) {
                throw new BadRequest("the body holds none of dataframe_records, dataframe_split, instances or inputs");
            }
            return rows;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String problem = e.getOriginalMessage();
            int cut = problem.indexOf(" (start marker");   // Jackson's own location, without the source
            problem = (cut < 0 ? problem : problem.substring(0, cut)).replace('\n', ' ');
            throw new BadRequest("MALFORMED_REQUEST", "malformed JSON: " + problem
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), -1, null);
        } catch (IOException e) {
            throw new BadRequest("MALFORMED_REQUEST", "malformed JSON: " + e.getMessage(), -1, null);
        }
    }

    /** {@code [{"col": v, …}, …]}. */
    private static List<String[]> records(JsonParser p, String field, List<String> columns, ToIntFunction<String> index)
            throws IOException, BadRequest {
        expect(p, JsonToken.START_ARRAY, field + " must be a list of row objects");
        List<String[]> rows = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw new BadRequest(field + "[" + rows.size() + "] must be an object of column: value");
            }
            rows.add(record(p, rows.size(), columns, index));
        }
        return rows;
    }

    private static String[] record(JsonParser p, int row, List<String> columns, ToIntFunction<String> index)
            throws IOException, BadRequest {
        String[] cells = new String[columns.size()];
        boolean[] seen = new boolean[cells.length];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            int f = index.applyAsInt(p.currentName());
            p.nextToken();
            if (f < 0) {
                p.skipChildren();
                continue;
            }
            cells[f] = cell(p, row, columns.get(f));
            seen[f] = true;
        }
        for (int f = 0; f < seen.length; f++) {
            if (!seen[f]) {
                throw BadRequest.at(row, columns.get(f), "absent (the model reads " + String.join(", ", columns) + ")");
            }
        }
        return cells;
    }

    /** {@code {"columns": [...], "data": [[...], …], "index": [...]}}. */
    private static List<String[]> split(JsonParser p, List<String> columns, ToIntFunction<String> index)
            throws IOException, BadRequest {
        expect(p, JsonToken.START_OBJECT, "dataframe_split must be an object with columns and data");
        List<String> given = null;
        List<String[]> data = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("columns")) {
                expect(p, JsonToken.START_ARRAY, "dataframe_split.columns must be a list of names");
                given = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw new BadRequest("dataframe_split.columns[" + given.size() + "] is not a name");
                    }
                    given.add(p.getText());
                }
            } else if (field.equals("data")) {
                expect(p, JsonToken.START_ARRAY, "dataframe_split.data must be a list of rows");
                data = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() != JsonToken.START_ARRAY) {
                        throw new BadRequest("dataframe_split.data[" + data.size() + "] must be a list of values");
                    }
                    List<String> values = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        values.add(cell(p, data.size(), "#" + values.size()));
                    }
                    data.add(values.toArray(new String[0]));
                }
            } else {
                p.skipChildren();                  // index, dtypes: not needed
            }
        }
        if (data == null) {
            throw new BadRequest("dataframe_split has no data");
        }
        if (given == null) {
            return positional(data, columns);
        }
        int[] position = new int[columns.size()];
        for (int f = 0; f < position.length; f++) {
            position[f] = given.indexOf(columns.get(f));
            if (position[f] < 0) {
                throw BadRequest.at(0, columns.get(f), "absent from dataframe_split.columns (the model reads "
                        + String.join(", ", columns) + ")");
            }
        }
        List<String[]> rows = new ArrayList<>(data.size());
        for (int r = 0; r < data.size(); r++) {
            String[] values = data.get(r);
            if (values.length != given.size()) {
                throw new BadRequest("BAD_REQUEST", "row " + r + ": " + values.length + " values for "
                        + given.size() + " columns", r, null);
            }
            String[] cells = new String[position.length];
            for (int f = 0; f < position.length; f++) {
                cells[f] = values[position[f]];
            }
            rows.add(cells);
        }
        return rows;
    }

    /** {@code [[v, …], …]}, {@code [{"col": v}, …]} or {@code {"col": [v, …], …}}. */
    private static List<String[]> instances(JsonParser p, String field, List<String> columns,
                                            ToIntFunction<String> index) throws IOException, BadRequest {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            return columnar(p, field, columns, index);
        }
        expect(p, JsonToken.START_ARRAY, field + " must be a list of rows or an object of columns");
        List<String[]> rows = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            int r = rows.size();
            if (p.currentToken() == JsonToken.START_OBJECT) {
                rows.add(record(p, r, columns, index));
            } else if (p.currentToken() == JsonToken.START_ARRAY) {
                List<String> values = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    int f = values.size();
                    values.add(cell(p, r, f < columns.size() ? columns.get(f) : "#" + f));
                }
                rows.add(values.toArray(new String[0]));
                if (values.size() != columns.size()) {
                    return positional(rows, columns);      // reports the row
                }
            } else {
                throw new BadRequest(field + "[" + r + "] must be a list of values in the model's column order ("
                        + String.join(", ", columns) + ") or an object of column: value");
            }
        }
        return rows;
    }

    private static List<String[]> columnar(JsonParser p, String field, List<String> columns,
                                           ToIntFunction<String> index) throws IOException, BadRequest {
        List<List<String>> values = new ArrayList<>();
        for (int f = 0; f < columns.size(); f++) {
            values.add(null);
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            int f = index.applyAsInt(p.currentName());
            p.nextToken();
            if (f < 0) {
                p.skipChildren();
                continue;
            }
            expect(p, JsonToken.START_ARRAY, field + "." + columns.get(f) + " must be a list of values");
            List<String> column = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                column.add(cell(p, column.size(), columns.get(f)));
            }
            values.set(f, column);
        }
        int n = -1;
        for (int f = 0; f < columns.size(); f++) {
            if (values.get(f) == null) {
                throw BadRequest.at(0, columns.get(f), "absent (the model reads " + String.join(", ", columns) + ")");
            }
            if (n >= 0 && values.get(f).size() != n) {
                throw BadRequest.at(Math.min(n, values.get(f).size()), columns.get(f), "the column has "
                        + values.get(f).size() + " values, column '" + columns.get(0) + "' has " + n);
            }
            n = values.get(f).size();
        }
        List<String[]> rows = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            String[] cells = new String[columns.size()];
            for (int f = 0; f < cells.length; f++) {
                cells[f] = values.get(f).get(r);
            }
            rows.add(cells);
        }
        return rows;
    }

    private static List<String[]> positional(List<String[]> rows, List<String> columns) throws BadRequest {
        for (int r = 0; r < rows.size(); r++) {
            int given = rows.get(r).length;
            if (given != columns.size()) {
                String column = given < columns.size() ? columns.get(given) : "#" + given;
                throw BadRequest.at(r, column, "the row has " + given + " values but the model reads "
                        + columns.size() + " columns in this order: " + String.join(", ", columns));
            }
        }
        return rows;
    }

    /** One value: its text (a number as written), or null for JSON null. */
    private static String cell(JsonParser p, int row, String column) throws IOException, BadRequest {
        JsonToken t = p.currentToken();
        return switch (t) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw BadRequest.at(row, column, (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE
                    ? p.getText() : t == JsonToken.START_ARRAY ? "a list" : "an object")
                    + " is not a number or text");
        };
    }

    private static void expect(JsonParser p, JsonToken token, String message) throws BadRequest {
        if (p.currentToken() != token) {
            throw new BadRequest(message);
        }
    }
}

package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict --json}: the CSV's rows as JSON records, field for field. */
class PredictJsonTest {
    @TempDir
    Path dir;

    /** The records of a JSON array, each field as the text of its token. */
    private static List<Map<String, String>> records(String json) throws Exception {
        List<Map<String, String>> records = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertEquals(JsonToken.START_ARRAY, p.nextToken());
            while (p.nextToken() == JsonToken.START_OBJECT) {
                Map<String, String> record = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    record.put(name, (value == JsonToken.VALUE_STRING ? "s:" : "n:") + p.getText());
                }
                records.add(record);
            }
            assertEquals(null, p.nextToken(), "one array and nothing after it");
        }
        return records;
    }

    private static void assertSameAsCsv(String csv, List<Map<String, String>> records, int textColumns) {
        String[] lines = csv.split("\n");
        String[] header = lines[0].split(",");
        assertEquals(lines.length - 1, records.size());
        for (int r = 0; r < records.size(); r++) {
            String[] cells = lines[r + 1].split(",", -1);
            Map<String, String> record = records.get(r);
            assertEquals(List.of(header), new ArrayList<>(record.keySet()), "fields in the CSV's column order");
            for (int c = 0; c < header.length; c++) {
                String v = record.get(header[c]);
                if (c < textColumns) {
                    assertEquals("s:" + cells[c], v, header[c]);
                } else {
                    assertEquals(Float.parseFloat(cells[c]), Float.parseFloat(v.substring(2)), header[c]);
                    assertTrue(v.startsWith("n:"), header[c] + " is a number: " + v);
                }
            }
        }
    }

    @Test
    void classificationRecordsCarryTheIdTheLabelAndEachProbability() throws Exception {
        Path model = dir.resolve("iris.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("iris_train.csv"), "--task", "classification",
                "--epochs", "20", "--quiet", "--out", model.toString()).code());
        Cli csv = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("iris_test.csv"), "--id",
                "sepal_length_cm");
        Cli json = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("iris_test.csv"), "--id",
                "sepal_length_cm", "--json");
        assertEquals(0, json.code(), json.toString());
        assertTrue(json.out().startsWith("[\n{\"sepal_length_cm\":\""), json.out());
        assertTrue(json.out().endsWith("}\n]\n"), json.out());
        assertSameAsCsv(csv.out(), records(json.out()), 2);

        Path file = dir.resolve("p.json");
        assertEquals(0, Cli.run("predict", "--model", model.toString(), "--data", Cli.data("iris_test.csv"),
                "--json", "--out", file.toString()).code());
        assertEquals(38, records(Files.readString(file)).size());
    }

    @Test
    void regressionRecordsHaveOneNumberPerTarget() throws Exception {
        Path model = dir.resolve("d.gradus");
        assertEquals(0, Cli.run("train", "--data", Cli.data("diabetes_train.csv"), "--target", "target,bmi",
                "--epochs", "5", "--quiet", "--out", model.toString()).code());
        Cli csv = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("diabetes_test.csv"));
        Cli json = Cli.run("predict", "--model", model.toString(), "--data", Cli.data("diabetes_test.csv"), "--json");
        assertEquals(0, json.code(), json.toString());
        assertSameAsCsv(csv.out(), records(json.out()), 0);
    }
}

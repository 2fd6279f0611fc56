package dev.gradus.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gradus.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gradus-spark predict} and {@code evaluate} against {@code gradus predict} and
 * {@code evaluate} on the same rows, run in this JVM through their entry points, in
 * {@code local[2]}: one CSV file is one partition; a folder of three files, three partitions,
 * which Spark orders by file size (so the rows' order, and the order of sums over them, is
 * Spark's: compared to rounding, or as sets of records).
 */
class SparkScoringCommandTest {
    @TempDir
    static Path dir;

    private static Path classifier;   // iris, 3 classes, softmax
    private static Path binary;       // breast cancer, 2 classes, probabilities
    private static Path regressor;    // diabetes

    private record Run(int code, String out, String err) {}

    private static Run gradus(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Run gradusSpark(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private static Path train(String data, String name, String... more) {
        Path model = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--data", data, "--epochs", "30", "--quiet", "--out",
                model.toString()));
        args.addAll(List.of(more));
        Run r = gradus(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return model;
    }

    @BeforeAll
    static void models() {
        classifier = train("data/iris_train.csv", "iris.gradus", "--layers", "8");
        binary = train("data/breast_cancer_train.csv", "cancer.gradus", "--layers", "8", "--task", "classification");
        regressor = train("data/diabetes_train.csv", "diabetes.gradus", "--layers", "8");
    }

    private static boolean hadoopWorks() {
        try {
            org.apache.hadoop.security.UserGroupInformation.getCurrentUser();
            return true;
        } catch (UnsupportedOperationException | IOException e) {
            return false;
        }
    }

    /** {@code csv} with a {@code w} column of weights 0.5, 1, 1.5, 2 appended, as one file. */
    private static Path weighted(String csv, String name) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(csv));
        List<String> out = new ArrayList<>();
        out.add(lines.get(0) + ",w");
        for (int i = 1; i < lines.size(); i++) {
            out.add(lines.get(i) + "," + (0.5 * (1 + i % 4)));
        }
        return Files.write(dir.resolve(name), out);
    }

    /** {@code csv}'s rows in three files of a folder (each with the header), in row order by file name. */
    private static Path inThree(Path csv, String name) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        Path folder = Files.createDirectories(dir.resolve(name));
        int rows = lines.size() - 1;
        for (int f = 0; f < 3; f++) {
            List<String> part = new ArrayList<>();
            part.add(lines.get(0));
            part.addAll(lines.subList(1 + rows * f / 3, 1 + rows * (f + 1) / 3));
            Files.write(folder.resolve("part-" + f + ".csv"), part);
        }
        return folder;
    }

    private static JsonNode json(Run r) throws IOException {
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    /** The same fields; numbers within {@code rel} relative (0: the same double), the rest equal. */
    private static void assertSameJson(JsonNode expected, JsonNode actual, double rel, String path) {
        if (expected.isNumber() && actual.isNumber() && rel > 0) {
            double e = expected.doubleValue();
            assertEquals(e, actual.doubleValue(), rel * Math.abs(e), path);
            return;
        }
        if (expected.isContainerNode()) {
            assertEquals(expected.size(), actual.size(), path);
            if (expected.isObject()) {
                List<String> names = new ArrayList<>();
                expected.fieldNames().forEachRemaining(names::add);
                List<String> actualNames = new ArrayList<>();
                actual.fieldNames().forEachRemaining(actualNames::add);
                assertEquals(names, actualNames, path);
                for (String n : names) {
                    assertSameJson(expected.get(n), actual.get(n), rel, path + "." + n);
                }
            } else {
                for (int i = 0; i < expected.size(); i++) {
                    assertSameJson(expected.get(i), actual.get(i), rel, path + "[" + i + "]");
                }
            }
            return;
        }
        assertEquals(expected, actual, path);
    }

    @Test
    void evaluateOnSparkGivesTheJsonOfGradusEvaluate() throws Exception {
        for (String[] c : new String[][] {{classifier.toString(), "data/iris_test.csv"},
                {binary.toString(), "data/breast_cancer_test.csv"}, {regressor.toString(), "data/diabetes_test.csv"}}) {
            JsonNode expected = json(gradus("evaluate", "--model", c[0], "--data", c[1], "--json"));
            JsonNode one = json(gradusSpark("evaluate", "--model", c[0], "--data", c[1], "--json", "--master",
                    "local[2]"));
            assertSameJson(expected, one, 0, c[1]);    // one partition: the same numbers
            if (!hadoopWorks()) {
                continue;   // JDK 24+: evaluate reads one file on the driver, not a folder of parts
            }
            Path three = inThree(Path.of(c[1]), "three-" + Path.of(c[1]).getFileName());
            JsonNode split = json(gradusSpark("evaluate", "--model", c[0], "--data", three.toString(), "--json",
                    "--master", "local[2]"));
            // three partitions in Spark's order: counts exact, sums to rounding
            assertSameJson(expected, split, 1e-12, c[1] + " in three files");
        }
        // the report as gradus evaluate prints it
        Run text = gradus("evaluate", "--model", classifier.toString(), "--data", "data/iris_test.csv");
        Run sparkText = gradusSpark("evaluate", "--model", classifier.toString(), "--data", "data/iris_test.csv",
                "--master", "local[1]");
        assertEquals(0, sparkText.code(), sparkText.err());
        assertEquals(text.out(), sparkText.out());
    }

    @Test
    void weightedEvaluationOnSparkIsGradusEvaluatesWithSampleWeight() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hadoopWorks(), "JDK 24+: gradus-spark evaluate reads one file "
                + "on the driver, not a folder of parts");
        Path data = weighted("data/breast_cancer_test.csv", "cancer-weighted.csv");
        JsonNode expected = json(gradus("evaluate", "--model", binary.toString(), "--data", data.toString(),
                "--sample-weight", "w", "--threshold", "0.3", "--json"));
        Path three = inThree(data, "cancer-weighted-three");
        JsonNode actual = json(gradusSpark("evaluate", "--model", binary.toString(), "--data", three.toString(),
                "--sample-weight", "w", "--threshold", "0.3", "--json", "--master", "local[2]"));
        assertSameJson(expected, actual, 1e-12, "weighted");
        assertEquals("w", actual.get("sample_weight").asText());

        Path regression = weighted("data/diabetes_test.csv", "diabetes-weighted.csv");
        assertSameJson(json(gradus("evaluate", "--model", regressor.toString(), "--data", regression.toString(),
                "--sample-weight", "w", "--json")), json(gradusSpark("evaluate", "--model", regressor.toString(),
                "--data", inThree(regression, "diabetes-weighted-three").toString(), "--sample-weight", "w", "--json",
                "--master", "local[2]")), 1e-12, "weighted regression");
    }

    @Test
    void evaluateErrorsNameTheFileAndTheValue() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hadoopWorks(), "JDK 24+: gradus-spark evaluate reads locally");
        Run noTarget = gradusSpark("evaluate", "--model", classifier.toString(), "--data", "data/wine_test.csv",
                "--master", "local[1]");
        assertEquals(1, noTarget.code(), noTarget.err());
        assertTrue(noTarget.err().contains("data/wine_test.csv") && noTarget.err().contains("sepal_length_cm"),
                noTarget.err());

        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("data/iris_test.csv")));
        lines.set(30, lines.get(30).replaceFirst("^[^,]*", "abc"));
        Path folder = Files.createDirectories(dir.resolve("bad-iris"));
        Files.write(folder.resolve("a.csv"), lines.subList(0, 25));
        List<String> second = new ArrayList<>(List.of(lines.get(0)));
        second.addAll(lines.subList(25, lines.size()));
        Files.write(folder.resolve("b.csv"), second);
        Run bad = gradusSpark("evaluate", "--model", classifier.toString(), "--data", folder.toString(),
                "--master", "local[2]");
        assertEquals(1, bad.code(), bad.err());
        // row 30 of the data: b.csv's 6th row, after a.csv's 24 (Spark reads the larger a.csv first)
        assertTrue(bad.err().contains("b.csv") && bad.err().contains("row 30 of the data")
                && bad.err().contains("abc"), bad.err());

        Run badFormat = gradusSpark("evaluate", "--model", classifier.toString(), "--data", "data/iris_test.csv",
                "--format", "xml");
        assertEquals(2, badFormat.code(), badFormat.err());
        assertTrue(badFormat.err().contains("--format xml"), badFormat.err());
    }

    /** The records of a folder of CSV part files, in part order, without their header lines. */
    private static List<String> csvRecords(Path folder) throws IOException {
        List<String> out = new ArrayList<>();
        List<Path> parts;
        try (Stream<Path> s = Files.list(folder)) {
            parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        for (Path p : parts) {
            List<String> lines = Files.readAllLines(p);
            out.addAll(lines.subList(1, lines.size()));
        }
        return out;
    }

    @Test
    void predictOnSparkWritesTheRecordsOfGradusPredict() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hadoopWorks(), "Hadoop file systems do not work on JDK "
                + Runtime.version().feature() + " (Subject.getSubject)");
        for (String[] c : new String[][] {{classifier.toString(), "data/iris_test.csv"},
                {regressor.toString(), "data/diabetes_test.csv"}}) {
            Path local = dir.resolve("local-" + Path.of(c[1]).getFileName());
            Run l = gradus("predict", "--model", c[0], "--data", c[1], "--out", local.toString());
            assertEquals(0, l.code(), l.err());
            List<String> expected = Files.readAllLines(local);
            Path folder = dir.resolve("spark-" + Path.of(c[1]).getFileName());
            Run s = gradusSpark("predict", "--model", c[0], "--data", inThree(Path.of(c[1]),
                    "in-" + Path.of(c[1]).getFileName()).toString(), "--out", folder.toString(), "--master", "local[2]");
            assertEquals(0, s.code(), s.err());
            assertEquals(expected.get(0), Files.readAllLines(Files.list(folder).filter(p -> p.getFileName().toString()
                    .startsWith("part-")).sorted().findFirst().orElseThrow()).get(0), "header");
            List<String> records = new ArrayList<>(csvRecords(folder));
            List<String> wanted = new ArrayList<>(expected.subList(1, expected.size()));
            records.sort(null);
            wanted.sort(null);
            assertEquals(wanted, records, c[1]);   // the same records, in Spark's order of the files
        }

        // Parquet by extension, with an id column and --threshold, replacing an earlier folder
        Path withId = weighted("data/breast_cancer_test.csv", "cancer-id.csv");
        Path local = dir.resolve("local-cancer.csv");
        Run l = gradus("predict", "--model", binary.toString(), "--data", withId.toString(), "--id", "w",
                "--threshold", "0.3", "--out", local.toString());
        assertEquals(0, l.code(), l.err());
        Path parquet = Files.createDirectories(dir.resolve("cancer.parquet"));
        Files.writeString(parquet.resolve("stale.txt"), "an earlier run");
        Run s = gradusSpark("predict", "--model", binary.toString(), "--data", withId.toString(), "--id", "w",
                "--threshold", "0.3", "--out", parquet.toString(), "--master", "local[2]");
        assertEquals(0, s.code(), s.err());
        assertFalse(Files.exists(parquet.resolve("stale.txt")), "the earlier folder is replaced");
        List<String> expected = Files.readAllLines(local);
        SparkSession spark = SparkTestSupport.session("SparkScoringCommandTest");
        try {
            List<Row> rows = spark.read().parquet(parquet.toString()).collectAsList();
            assertEquals(List.of(expected.get(0).split(",")), List.of(spark.read().parquet(parquet.toString())
                    .columns()));
            assertEquals(expected.size() - 1, rows.size());
            for (int r = 0; r < rows.size(); r++) {
                String[] cells = expected.get(r + 1).split(",");
                Row row = rows.get(r);
                assertEquals(cells[0], row.getString(0), "id, row " + r);
                assertEquals(cells[1], row.getString(1), "prediction, row " + r);
                for (int c = 2; c < cells.length; c++) {
                    assertEquals(Float.parseFloat(cells[c]), row.getFloat(c), "row " + r + ", column " + c);
                }
            }
        } finally {
            spark.stop();
        }

        Run noOut = gradusSpark("predict", "--model", binary.toString(), "--data", withId.toString());
        assertEquals(2, noOut.code(), noOut.err());
        assertTrue(noOut.err().contains("--out"), noOut.err());
        Run noId = gradusSpark("predict", "--model", binary.toString(), "--data", withId.toString(), "--id", "nope",
                "--out", dir.resolve("x.csv").toString(), "--master", "local[1]");
        assertEquals(1, noId.code(), noId.err());
        assertTrue(noId.err().contains("cancer-id.csv") && noId.err().contains("'nope'"), noId.err());
    }
}

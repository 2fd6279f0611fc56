package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gradus serve} through a real HTTP client ({@link HttpClient}) against a started server:
 * every request format gives what {@code gradus predict} writes; every bad request gets its status
 * and a JSON error naming the row and column, and the server keeps serving.
 */
class ServeTest {
    @TempDir
    static Path dir;

    static Path wine;
    static Path colours;
    static ScoringServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final StringWriter LOG = new StringWriter();

    static final String HEADER = "alcohol,malic_acid,ash,alcalinity_of_ash,magnesium,total_phenols,flavanoids,"
            + "nonflavanoid_phenols,proanthocyanins,color_intensity,hue,od280_od315_of_diluted_wines,proline";

    @BeforeAll
    static void start() throws Exception {
        wine = dir.resolve("wine.gradus");
        train(Cli.data("wine_train.csv"), wine, "1");
        server = ScoringServer.start(new ScoringServer.Config(wine, "127.0.0.1", 0, 2, 4096, 50),
                new PrintWriter(LOG, true));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static void train(String data, Path out, String seed) {
        Cli c = Cli.run("train", "--data", data, "--task", "classification", "--layers", "8", "--epochs", "15",
                "--seed", seed, "--out", out.toString(), "--quiet");
        assertEquals(0, c.code(), c::toString);
    }

    static HttpResponse<String> post(int port, String type, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String type, String body) throws IOException, InterruptedException {
        return post(server.port(), type, body);
    }

    static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The answer {@code /invocations} must give: built from what {@code gradus predict} writes. */
    static String expectedFromPredict(Path model, String csvFile) {
        Cli p = Cli.run("predict", "--model", model.toString(), "--data", csvFile);
        assertEquals(0, p.code(), p::toString);
        String[] lines = p.out().strip().split("\n");
        String[] header = lines[0].split(",");
        StringBuilder s = new StringBuilder("{\"predictions\":[");
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",");
            s.append(i > 1 ? "," : "").append("{\"label\":\"").append(cells[0]).append("\",\"probabilities\":{");
            for (int k = 1; k < cells.length; k++) {
                s.append(k > 1 ? "," : "").append('"').append(header[k].substring(2)).append("\":").append(cells[k]);
            }
            s.append("}}");
        }
        return s.append("]}").toString();
    }

    /** The first {@code n} rows of wine_test.csv without the label column. */
    static List<String[]> testRows(int n) throws IOException {
        List<String> lines = Files.readAllLines(Path.of(Cli.data("wine_test.csv")));
        List<String[]> rows = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String[] cells = lines.get(i).split(",");
            rows.add(java.util.Arrays.copyOf(cells, cells.length - 1));
        }
        return rows;
    }

    static String records(List<String[]> rows) {
        String[] names = HEADER.split(",");
        StringBuilder s = new StringBuilder("{\"dataframe_records\":[");
        for (int r = 0; r < rows.size(); r++) {
            s.append(r > 0 ? "," : "").append('{');
            for (int c = 0; c < names.length; c++) {
                s.append(c > 0 ? "," : "").append('"').append(names[c]).append("\":").append(rows.get(r)[c]);
            }
            s.append('}');
        }
        return s.append("]}").toString();
    }

    @Test
    void everyFormatAnswersAsGradusPredict() throws Exception {
        List<String[]> rows = testRows(5);
        Path csv = dir.resolve("five.csv");
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        rows.forEach(r -> text.append(String.join(",", r)).append('\n'));
        Files.writeString(csv, text);
        String expected = expectedFromPredict(wine, csv.toString());

        StringBuilder positional = new StringBuilder("[");
        for (int r = 0; r < rows.size(); r++) {
            positional.append(r > 0 ? "," : "").append('[').append(String.join(",", rows.get(r))).append(']');
        }
        positional.append(']');
        StringBuilder columnar = new StringBuilder("{");
        String[] names = HEADER.split(",");
        for (int c = names.length - 1; c >= 0; c--) {           // any column order
            columnar.append(c < names.length - 1 ? "," : "").append('"').append(names[c]).append("\":[");
            for (int r = 0; r < rows.size(); r++) {
                columnar.append(r > 0 ? "," : "").append(rows.get(r)[c]);
            }
            columnar.append(']');
        }
        columnar.append('}');
        String split = "{\"dataframe_split\":{\"columns\":[\"" + String.join("\",\"", names) + "\"],\"data\":"
                + positional + ",\"index\":[0,1,2,3,4]}}";

        for (String body : List.of(records(rows), split, "{\"instances\":" + positional + "}",
                "{\"inputs\":" + positional + "}", "{\"inputs\":" + columnar + ",\"params\":{}}")) {
            HttpResponse<String> r = post("application/json", body);
            assertEquals(200, r.statusCode(), body);
            assertEquals(expected, r.body(), body);
        }
        HttpResponse<String> r = post("text/csv; charset=utf-8", text.toString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(expected, r.body());
    }

    static void assertError(HttpResponse<String> r, int status, Integer row, String column, String words)
            throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(r.body().startsWith("{\"error_code\":\""), r.body());
        assertTrue(r.body().contains(words), r.body());
        if (row != null) {
            assertTrue(r.body().contains("\"row\":" + row + ","), r.body());
        }
        if (column != null) {
            assertTrue(r.body().contains("\"column\":\"" + column + "\""), r.body());
        }
        assertEquals(200, get("/ping").statusCode(), "the server keeps serving");
    }

    @Test
    void badRequestsAreAnsweredAndTheServerKeepsServing() throws Exception {
        List<String[]> rows = testRows(3);
        assertError(post("application/json", "{\"dataframe_records\": [{\"alcohol\": 1"), 400, null, null,
                "malformed JSON");
        assertError(post("application/json", "[1, 2]"), 400, null, null, "must be a JSON object");
        assertError(post("application/json", "{\"rows\": []}"), 400, null, null, "unknown key 'rows'");
        String missing = records(rows).replace("\"hue\":", "\"hew\":");
        assertError(post("application/json", missing), 400, 0, "hue", "absent");
        rows.get(2)[4] = "\"lots\"";
        assertError(post("application/json", records(rows)), 400, 2, "magnesium", "'lots' is not a finite number");
        rows.get(2)[4] = "true";
        assertError(post("application/json", records(rows)), 400, 2, "magnesium", "not a number or text");
        rows.get(2)[4] = "null";
        assertError(post("application/json", records(rows)), 400, 2, "magnesium", "missing value");
        assertError(post("application/json", "{\"instances\": [[1, 2, 3]]}"), 400, 0, "alcalinity_of_ash",
                "the row has 3 values");
        assertError(post("text/csv", "alcohol,hue\n1,2\n"), 400, 0, "malic_acid", "absent from the CSV header");
        assertError(post("text/csv", HEADER + "\n" + "1,2\n"), 400, null, null, "line 2 has 2 cells");
        assertError(post("text/plain", "1,2"), 415, null, null, "application/json or text/csv");
        assertError(post(null, "{}"), 415, null, null, "Content-Type is missing");
        assertError(post("application/json", "{\"instances\": [" + "[1],".repeat(2000) + "[1]]}"), 413, null, null,
                "4096 bytes");
        assertError(get("/nothing"), 404, null, null, "no such path");
        assertError(get("/invocations"), 405, null, null, "GET is not allowed");
    }

    @Test
    void anUnknownCategoryIsNamed() throws Exception {
        Path data = dir.resolve("colours.csv");
        StringBuilder s = new StringBuilder("colour,size,label\n");
        String[] colours = {"red", "green", "blue"};
        for (int i = 0; i < 30; i++) {
            s.append(colours[i % 3]).append(',').append(i % 5).append(',').append(i % 2 == 0 ? "a" : "b").append('\n');
        }
        Files.writeString(data, s);
        Path model = dir.resolve("colours.gradus");
        train(data.toString(), model, "3");
        try (ScoringServer other = ScoringServer.start(new ScoringServer.Config(model, "127.0.0.1", 0, 1, 1 << 20,
                1000), new PrintWriter(LOG, true))) {
            HttpResponse<String> ok = post(other.port(), "application/json",
                    "{\"dataframe_records\": [{\"colour\": \"red\", \"size\": 2}]}");
            assertEquals(200, ok.statusCode(), ok.body());
            HttpResponse<String> bad = post(other.port(), "application/json",
                    "{\"dataframe_records\": [{\"colour\": \"red\", \"size\": 2}, {\"colour\": \"mauve\", \"size\": 1}]}");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("unknown category 'mauve'") && bad.body().contains("\"row\":1,")
                    && bad.body().contains("\"column\":\"colour\""), bad.body());
        }
    }

    @Test
    void pingMetadataAndMetrics() throws Exception {
        assertEquals(200, get("/ping").statusCode());
        assertEquals(200, get("/health").statusCode());
        Cli inspect = Cli.run("inspect", "--model", wine.toString(), "--json");
        assertEquals(inspect.out().strip(), get("/metadata").body());
        post("application/json", records(testRows(2)));
        String metrics = get("/metrics").body();
        for (String line : List.of("# TYPE gradus_requests_total counter",
                "gradus_requests_total{path=\"/invocations\",code=\"200\"}",
                "# TYPE gradus_request_duration_seconds histogram",
                "gradus_request_duration_seconds_bucket{le=\"+Inf\"}", "gradus_request_duration_seconds_count ",
                "gradus_request_errors_total ", "gradus_predicted_rows_total ")) {
            assertTrue(metrics.contains(line), line + " in\n" + metrics);
        }
    }

    /**
     * The model file is replaced (a new file renamed over it) while four clients send requests
     * without pause: every request succeeds with the old model's answer or the new one's, and
     * once a client has seen the new model it never sees the old one again.
     */
    @Test
    void aReplacedModelIsServedWithoutAFailedRequest() throws Exception {
        Path served = dir.resolve("reloaded.gradus");
        Files.copy(wine, served);
        Path other = dir.resolve("other.gradus");
        train(Cli.data("wine_train.csv"), other, "2");
        Path csv = dir.resolve("ten.csv");
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        testRows(10).forEach(r -> text.append(String.join(",", r)).append('\n'));
        Files.writeString(csv, text);
        String before = expectedFromPredict(served, csv.toString());
        String after = expectedFromPredict(other, csv.toString());
        assertNotEquals(before, after, "the two models must answer differently");

        try (ScoringServer s = ScoringServer.start(new ScoringServer.Config(served, "127.0.0.1", 0, 2, 1 << 20, 20),
                new PrintWriter(LOG, true))) {
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(clients.submit(() -> {
                    int[] counts = new int[2];                     // answers of the old and the new model
                    long until = Long.MAX_VALUE;
                    while (System.nanoTime() < until) {
                        HttpResponse<String> r = post(s.port(), "text/csv", text.toString());
                        assertEquals(200, r.statusCode(), r.body());
                        if (r.body().equals(after)) {
                            counts[1]++;
                            if (until == Long.MAX_VALUE) {
                                until = System.nanoTime() + 200_000_000L;   // a little more with the new one
                            }
                        } else {
                            assertEquals(before, r.body());
                            assertEquals(0, counts[1], "the old model answered after the new one");
                            counts[0]++;
                        }
                    }
                    return counts;
                }));
            }
            Thread.sleep(300);
            Path tmp = dir.resolve("reloaded.gradus.tmp");
            Files.copy(other, tmp);
            Files.move(tmp, served, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            int old = 0;
            int fresh = 0;
            for (Future<int[]> f : results) {
                int[] c = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                old += c[0];
                fresh += c[1];
            }
            clients.shutdown();
            assertTrue(old > 0 && fresh > 0, "old " + old + ", new " + fresh);
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("gradus_model_reloads_total 1\n"), metrics);
            assertTrue(metrics.contains("gradus_request_errors_total 0\n"), metrics);
        }
    }

    @Test
    void aBrokenReplacementKeepsTheModelServing() throws Exception {
        Path served = dir.resolve("broken.gradus");
        Files.copy(wine, served);
        try (ScoringServer s = ScoringServer.start(new ScoringServer.Config(served, "127.0.0.1", 0, 1, 1 << 20, 20),
                new PrintWriter(LOG, true))) {
            Files.writeString(served, "not a model");
            Thread.sleep(300);
            HttpResponse<String> r = post(s.port(), "application/json", records(testRows(1)));
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(LOG.toString().contains("still serving the previous model"), LOG.toString());
        }
        assertThrows(IOException.class, () -> ScoringServer.start(new ScoringServer.Config(dir.resolve("none"),
                "127.0.0.1", 0, 1, 1, 20), new PrintWriter(LOG, true)));
    }
}

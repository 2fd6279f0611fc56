package dev.gradus.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gradus.data.RowException;
import dev.gradus.model.Prediction;
import dev.gradus.model.Model;
import dev.gradus.model.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The HTTP server of {@code gradus serve}: MLflow's scoring protocol over the JDK's own HTTP
 * server ({@code com.sun.net.httpserver}) with a fixed pool of worker threads.
 *
 * <ul>
 *   <li>{@code POST /invocations}: {@code application/json} or {@code text/csv} rows (see
 *       {@link ScoringInput}), answered with {@code {"predictions": [...]}}: per row
 *       {@code {"label": L, "probabilities": {class: p, …}}} for a classifier that outputs
 *       probabilities ({@code "scores"} for one trained with a regression loss), the value for a
 *       one-target regression, {@code {target: value, …}} for several targets.
 *   <li>{@code GET /ping}, {@code /health}: 200 once a model is loaded.
 *   <li>{@code GET /metadata}: what {@code gradus inspect --json} prints.
 *   <li>{@code GET /metrics}: {@link ServerMetrics} in the Prometheus text format.
 * </ul>
 *
 * <p>Errors are JSON, {@code {"error_code": …, "message": …}} with {@code row} and {@code column}
 * when one is at fault: 400 for a body that cannot be scored, 413 above the body limit, 415 for
 * another content type, 404 and 405 for other paths and methods. Each request stands alone: a bad
 * one never stops the server.
 *
 * <p>The model file is checked every {@code reloadMillis}; when it has changed (a new file renamed
 * over it, or rewritten) and loads, new requests use it and requests in flight finish with the
 * model they started with. A file that does not load leaves the current model serving.
 */
final class ScoringServer implements AutoCloseable {
    /** Settings of one server. */
    record Config(Path model, String host, int port, int threads, long maxBodyBytes, long reloadMillis,
                  Reports.Decision decision) {
        /** Serving each model file with its own stored decision (if any). */
        Config(Path model, String host, int port, int threads, long maxBodyBytes, long reloadMillis) {
            this(model, host, port, threads, maxBodyBytes, reloadMillis, Reports.Decision.DEFAULT);
        }

        Config {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(decision, "decision");
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            if (maxBodyBytes < 1) {
                throw new IllegalArgumentException("--max-body-bytes must be at least 1, got " + maxBodyBytes);
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be 0..65535, got " + port);
            }
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Config config;
    private final HttpServer http;
    private final ExecutorService workers;
    private final ScheduledExecutorService watcher;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final ServerMetrics metrics = new ServerMetrics();
    private final PrintWriter log;
    private volatile boolean draining;

    /** The served model, its {@code /metadata} answer and the file's state it was loaded from. */
    private record Loaded(Predictor predictor, byte[] metadata, Object stamp) {}

    private ScoringServer(Config config, PrintWriter log) throws IOException {
        this.config = config;
        this.log = log;
        current.set(load(config.model()));
        // Small answers on keep-alive connections: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs hold each answer back by up to 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        workers = Executors.newFixedThreadPool(config.threads(), named("gradus-serve-"));
        http.setExecutor(workers);
        http.createContext("/", this::handle);
        watcher = Executors.newSingleThreadScheduledExecutor(named("gradus-model-watch-"));
    }

    /**
     * Loads the model and starts serving it.
     *
     * @throws IOException naming the model file when it cannot be loaded, or the address when it
     *     cannot be bound
     */
    static ScoringServer start(Config config, PrintWriter log) throws IOException {
        ScoringServer server = new ScoringServer(config, log);
        server.http.start();
        server.watcher.scheduleWithFixedDelay(server::checkForNewModel, config.reloadMillis(), config.reloadMillis(),
                TimeUnit.MILLISECONDS);
        return server;
    }

    /** The port the server listens on (the chosen one when started with port 0). */
    int port() {
        return http.getAddress().getPort();
    }

    /** The model now served. */
    Predictor predictor() {
        return current.get().predictor();
    }

    /**
     * Stops accepting connections, lets requests in flight finish (waiting up to
     * {@code graceSeconds}) and returns. Requests that arrive on open connections meanwhile are
     * still answered, with {@code Connection: close}.
     */
    void stop(int graceSeconds) {
        draining = true;
        watcher.shutdownNow();
        // HttpServer.stop closes the listening socket at once, then (on JDK 17) waits out the whole
        // delay unless an exchange finishes after it was called (JDK-8304065); so it runs on its
        // own thread and this one waits for the requests in flight instead.
        Thread stopper = new Thread(() -> http.stop(graceSeconds), "gradus-serve-http-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            Thread.sleep(50);                   // the listener closes; nothing new is accepted
            workers.shutdown();                 // requests running or queued still finish
            workers.awaitTermination(graceSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(5);
    }

    // ---- the model file -------------------------------------------------------------------

    private Loaded load(Path path) throws IOException {
        Object stamp = stamp(path);
        Model model = Model.load(path);
        try {
            model = config.decision().apply(model);   // --threshold/--positive, else the model's own
        } catch (UsageException e) {
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        Predictor predictor = Predictor.of(model);
        byte[] metadata = Json.write(InspectCommand.describe(predictor.model())).getBytes(StandardCharsets.UTF_8);
        return new Loaded(predictor, metadata, stamp);
    }

    /** What changes when the file is replaced or rewritten: its identity, size and time. */
    private static Object stamp(Path path) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
        return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
    }

    private Object failedStamp;

    private void checkForNewModel() {
        try {
            Object stamp = stamp(config.model());
            if (stamp.equals(current.get().stamp()) || stamp.equals(failedStamp)) {
                return;
            }
            try {
                Loaded next = load(config.model());
                current.set(next);
                failedStamp = null;
                metrics.reloaded();
                log.println("gradus serve: loaded the new " + config.model());
            } catch (IOException | RuntimeException e) {
                failedStamp = stamp;
                metrics.reloadFailed();
                log.println("gradus serve: " + e.getMessage() + "; still serving the previous model");
            }
            log.flush();
        } catch (IOException e) {
            // The file is missing for a moment (or for good): keep serving what is loaded.
        } catch (RuntimeException e) {
            log.println("gradus serve: checking " + config.model() + ": " + e);
            log.flush();
        }
    }

    // ---- requests --------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        if (draining) {
            exchange.getResponseHeaders().set("Connection", "close");
        }
        String path = exchange.getRequestURI().getPath();
        String metricPath = switch (path) {
            case "/invocations", "/ping", "/health", "/metadata", "/metrics" -> path;
            default -> "other";
        };
        int status;
        try {
            status = route(exchange, path);
        } catch (IOException e) {
            status = 499;                                  // the client went away mid-answer
        } catch (RuntimeException e) {
            status = send(exchange, 500, error("INTERNAL_ERROR", "internal error: " + e, -1, null));
        } finally {
            exchange.close();
        }
        metrics.request(metricPath, status, System.nanoTime() - start);
    }

    private int route(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        return switch (path) {
            case "/invocations" -> method.equals("POST") ? invocations(exchange)
                    : notAllowed(exchange, "POST");
            case "/ping", "/health" -> method.equals("GET") || method.equals("HEAD")
                    ? send(exchange, 200, "text/plain; charset=utf-8", "\n".getBytes(StandardCharsets.UTF_8))
                    : notAllowed(exchange, "GET");
            case "/metadata" -> method.equals("GET") ? send(exchange, 200, "application/json",
                    current.get().metadata()) : notAllowed(exchange, "GET");
            case "/metrics" -> method.equals("GET") ? send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.render().getBytes(StandardCharsets.UTF_8)) : notAllowed(exchange, "GET");
            default -> send(exchange, 404, error("ENDPOINT_NOT_FOUND", "no such path " + path
                    + "; try POST /invocations, GET /ping, /health, /metadata or /metrics", -1, null));
        };
    }

    private int notAllowed(HttpExchange exchange, String allowed) {
        exchange.getResponseHeaders().set("Allow", allowed);
        return send(exchange, 405, error("METHOD_NOT_ALLOWED", exchange.getRequestMethod() + " is not allowed here; use "
                + allowed, -1, null));
    }

    private int invocations(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        boolean json = media.equals("application/json");
        if (!json && !media.equals("text/csv")) {
            return send(exchange, 415, error("BAD_REQUEST", "Content-Type " + (type == null ? "is missing" : "'" + type
                    + "' is not supported") + "; send application/json or text/csv", -1, null));
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > config.maxBodyBytes()) {
                    return tooLarge(exchange);
                }
            } catch (NumberFormatException e) {
                return send(exchange, 400, error("BAD_REQUEST", "Content-Length '" + length + "' is not a number",
                        -1, null));
            }
        }
        byte[] body = readBody(exchange.getRequestBody(), config.maxBodyBytes());
        if (body == null) {
            return tooLarge(exchange);
        }
        Predictor predictor = current.get().predictor();     // one model for the whole request
        List<Prediction> predictions;
        try {
            List<String[]> rows = json ? ScoringInput.json(body, predictor)
                    : ScoringInput.csv(body, predictor.columns());
            predictions = predictor.predictCells(rows);
        } catch (ScoringInput.BadRequest e) {
            return send(exchange, 400, error(e.errorCode, e.getMessage(), e.row, e.column));
        } catch (RowException e) {
            return send(exchange, 400, error("BAD_REQUEST", e.getMessage(), e.row(), e.column()));
        }
        metrics.rows(predictions.size());
        return send(exchange, 200, answer(predictions));
    }

    private int tooLarge(HttpExchange exchange) {
        // The unread rest of the body is not drained: the connection is closed after the answer.
        exchange.getResponseHeaders().set("Connection", "close");
        return send(exchange, 413, error("REQUEST_TOO_LARGE", "the body is larger than the limit of "
                + config.maxBodyBytes() + " bytes (--max-body-bytes)", -1, null));
    }

    /** The body, or null when it holds more than {@code limit} bytes. */
    private static byte[] readBody(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > limit) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** {@code {"predictions": [...]}}; numbers as {@code gradus predict} writes them. */
    static byte[] answer(List<Prediction> predictions) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 96 * predictions.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("predictions");
            for (Prediction p : predictions) {
                if (p instanceof Prediction.Classification c) {
                    g.writeStartObject();
                    g.writeStringField("label", c.label());
                    g.writeObjectFieldStart(c.probabilities() ? "probabilities" : "scores");
                    for (int k = 0; k < c.classes().size(); k++) {
                        g.writeNumberField(c.classes().get(k), c.scores()[k]);
                    }
                    g.writeEndObject();
                    g.writeEndObject();
                } else if (p instanceof Prediction.Regression r) {
                    if (r.values().length == 1) {
                        g.writeNumber(r.values()[0]);
                    } else {
                        g.writeStartObject();
                        for (int t = 0; t < r.values().length; t++) {
                            g.writeNumberField(r.targets().get(t), r.values()[t]);
                        }
                        g.writeEndObject();
                    }
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static byte[] error(String code, String message, int row, String column) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error_code", code);
            g.writeStringField("message", message);
            if (row >= 0) {
                g.writeNumberField("row", row);
            }
            if (column != null) {
                g.writeStringField("column", column);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);       // writing to memory does not fail
        }
        return out.toByteArray();
    }

    private static int send(HttpExchange exchange, int status, byte[] json) {
        return send(exchange, status, "application/json", json);
    }

    private static int send(HttpExchange exchange, int status, String type, byte[] body) {
        try {
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (IOException e) {
            return 499;                                   // the client went away
        }
        return status;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

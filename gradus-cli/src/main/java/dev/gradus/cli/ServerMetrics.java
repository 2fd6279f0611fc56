package dev.gradus.cli;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters {@code gradus serve} exposes at {@code /metrics} in the Prometheus text format
 * (version 0.0.4): requests by path and status code, failed requests, rows predicted, model
 * reloads, and a histogram of request latency. Updates are lock-free.
 */
final class ServerMetrics {
    /** Upper bounds of the latency buckets, in seconds. */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        0.5, 1, 2.5, 10};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder errors = new LongAdder();
    private final LongAdder rows = new LongAdder();
    private final LongAdder reloads = new LongAdder();
    private final LongAdder reloadFailures = new LongAdder();
    private final LongAdder[] latency = new LongAdder[BUCKETS.length + 1];
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();

    ServerMetrics() {
        for (int i = 0; i < latency.length; i++) {
            latency[i] = new LongAdder();
        }
    }

    /** One answered request; {@code path} is one of the server's paths or {@code other}. */
    void request(String path, int status, long nanos) {
        requests.computeIfAbsent(path + '\u0000' + status, k -> new LongAdder()).increment();
        if (status >= 400) {
            errors.increment();
        }
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) {
            b++;
        }
        latency[b].increment();           // cumulated when written
        latencyCount.increment();
        latencyNanos.add(nanos);
    }

    void rows(int n) {
        rows.add(n);
    }

    void reloaded() {
        reloads.increment();
    }

    void reloadFailed() {
        reloadFailures.increment();
    }

    /** The Prometheus text exposition. */
    String render() {
        StringBuilder s = new StringBuilder(2048);
        s.append("# HELP gradus_requests_total HTTP requests answered, by path and status code.\n");
        s.append("# TYPE gradus_requests_total counter\n");
        requests.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] key = e.getKey().split("\u0000");
            s.append("gradus_requests_total{path=\"").append(key[0]).append("\",code=\"").append(key[1])
                    .append("\"} ").append(e.getValue().sum()).append('\n');
        });
        s.append("# HELP gradus_request_errors_total HTTP requests answered with a 4xx or 5xx status.\n");
        s.append("# TYPE gradus_request_errors_total counter\n");
        s.append("gradus_request_errors_total ").append(errors.sum()).append('\n');
        s.append("# HELP gradus_predicted_rows_total Rows predicted.\n");
        s.append("# TYPE gradus_predicted_rows_total counter\n");
        s.append("gradus_predicted_rows_total ").append(rows.sum()).append('\n');
        s.append("# HELP gradus_model_reloads_total Times a changed model file was loaded and served.\n");
        s.append("# TYPE gradus_model_reloads_total counter\n");
        s.append("gradus_model_reloads_total ").append(reloads.sum()).append('\n');
        s.append("# HELP gradus_model_reload_failures_total Times a changed model file could not be loaded "
                + "(the previous model kept serving).\n");
        s.append("# TYPE gradus_model_reload_failures_total counter\n");
        s.append("gradus_model_reload_failures_total ").append(reloadFailures.sum()).append('\n');
        s.append("# HELP gradus_request_duration_seconds Time from reading a request to sending its answer.\n");
        s.append("# TYPE gradus_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int b = 0; b < BUCKETS.length; b++) {
            cumulative += latency[b].sum();
            s.append("gradus_request_duration_seconds_bucket{le=\"").append(format(BUCKETS[b])).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += latency[BUCKETS.length].sum();
        s.append("gradus_request_duration_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        s.append("gradus_request_duration_seconds_sum ")
                .append(String.format(Locale.ROOT, "%.9f", latencyNanos.sum() / 1e9)).append('\n');
        s.append("gradus_request_duration_seconds_count ").append(latencyCount.sum()).append('\n');
        return s.toString();
    }

    private static String format(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : java.math.BigDecimal.valueOf(v).toPlainString();
    }
}

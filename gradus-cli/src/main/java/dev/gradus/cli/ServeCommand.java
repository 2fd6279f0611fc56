package dev.gradus.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus serve}: answers MLflow scoring requests over HTTP until SIGTERM or SIGINT, then
 * stops accepting connections, finishes the requests in flight and exits 0.
 */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP with MLflow's scoring protocol: POST /invocations "
                + "(application/json with dataframe_records, dataframe_split, instances or inputs; or text/csv), "
                + "GET /ping, /health, /metadata, /metrics (Prometheus).",
            "Replacing the model file (write a new one, then rename it over the old) switches new requests to "
                + "the new model. SIGTERM stops accepting, finishes the requests in flight and exits 0."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model file written by train.")
    Path model;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--threads", paramLabel = "N",
            description = "Requests handled at once (default: the number of cores).")
    Integer threads;

    @Option(names = "--max-body-bytes", paramLabel = "N", defaultValue = "8388608",
            description = "Larger request bodies are refused with 413 (default: ${DEFAULT-VALUE}, 8 MiB).")
    long maxBodyBytes;

    @Option(names = "--reload-interval-ms", paramLabel = "MS", defaultValue = "1000",
            description = "How often the model file is checked for a new version (default: ${DEFAULT-VALUE}).")
    long reloadMillis;

    @Option(names = "--threshold", paramLabel = "T",
            description = "Two classes: answer the positive class when its probability is at least T (default: the "
                    + "threshold stored in the model by train --threshold, else the more probable class).")
    Double threshold;

    @Option(names = "--positive", paramLabel = "LABEL",
            description = "The positive class for --threshold (default: the model's stored one, else the second "
                    + "class in the sorted label order).")
    String positive;

    @Option(names = "--grace-seconds", paramLabel = "S", defaultValue = "30",
            description = "On SIGTERM, how long requests in flight may take to finish (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Override
    public Integer call() throws Exception {
        if (reloadMillis < 10) {
            throw new UsageException("--reload-interval-ms must be at least 10, got " + reloadMillis);
        }
        if (graceSeconds < 0) {
            throw new UsageException("--grace-seconds must be 0 or more, got " + graceSeconds);
        }
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        PrintWriter err = spec.commandLine().getErr();
        Reports.Decision decision = new Reports.Decision(positive, threshold == null ? Double.NaN : threshold);
        if (threshold != null || positive != null) {
            decision.apply(dev.gradus.model.Model.load(model));   // a flag that does not fit is a usage error now
        }
        ScoringServer.Config config = new ScoringServer.Config(model, host, port, n, maxBodyBytes, reloadMillis,
                decision);
        ScoringServer server;
        try {
            server = ScoringServer.start(config, err);
        } catch (java.net.BindException e) {
            throw new java.io.IOException(host + ":" + port + ": cannot listen there (" + e.getMessage() + ")", e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            server.stop(graceSeconds);
            stopped.countDown();
        };
        onTermination(stop);
        // A notice, not a result: stderr, so it is seen at once (stdout is held until a command succeeds).
        err.println("gradus serve: " + model + " on http://" + host + ":" + server.port() + " (" + n + " thread"
                + (n == 1 ? "" : "s") + "); POST /invocations, GET /ping /health /metadata /metrics");
        err.flush();
        stopped.await();
        err.println("gradus serve: stopped");
        err.flush();
        return Main.OK;
    }

    /**
     * Runs {@code stop} on SIGTERM and SIGINT. With the JDK's signal API the command then returns
     * and the process exits 0; where that API is missing a shutdown hook stops the server instead
     * (the exit status is then the signal's, 143 or 130).
     */
    private static void onTermination(Runnable stop) {
        try {
            sun.misc.SignalHandler handler = signal -> new Thread(stop, "gradus-serve-stop").start();
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
        } catch (LinkageError | IllegalArgumentException e) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "gradus-serve-stop"));
        }
    }
}

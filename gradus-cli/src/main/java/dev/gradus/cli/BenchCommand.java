package dev.gradus.cli;

import dev.gradus.cli.BenchWorkloads.Measurement;
import dev.gradus.cli.BenchWorkloads.Workload;
import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gradus bench}: a short, Gradus-only run of the benchmark workloads (W1, W2, W3 on
 * synthetic rows of their shapes) and of {@code sgemm} at 1024³, printing samples/s and GFLOP/s.
 * The full comparison with other libraries lives in the {@code gradus-bench} module.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure training throughput (samples/s) and matrix-product speed (GFLOP/s) on this machine.",
            "Runs W1 (784-256-128-10 ReLU, batch 64), W2 (8-32-32-1 tanh, batch 32) and W3 "
                + "(1024-2048-2048-10 ReLU, batch 256) on synthetic rows of their shapes, SGD (lr 0.02 on W1, 0.05 on W2, W3), "
                + "one warm-up epoch, median of the measured epochs; then sgemm 1024^3."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--threads", paramLabel = "N",
            description = "Cores to use (default: all, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--workloads", split = ",", paramLabel = "W",
            description = "Workloads to run (default: W1,W2,W3).")
    List<String> workloads = List.of("W1", "W2", "W3");

    @Option(names = "--epochs", paramLabel = "N", description = "Measured epochs per workload (default: ${DEFAULT-VALUE}).")
    int epochs = 3;

    @Option(names = "--full", description = "Full-size epochs (60,000 / 20,000 / 16,384 rows) instead of short ones.")
    boolean full;

    @Option(names = "--no-sgemm", negatable = true, description = "Skip the sgemm 1024^3 measurement.")
    boolean sgemm = true;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DeferredOut.stream(out);            // each measurement as it is made
        if (threads < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--threads must be at least 1, got " + threads);
        }
        if (epochs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--epochs must be at least 1, got " + epochs);
        }
        List<Workload> chosen = new java.util.ArrayList<>();
        for (String name : workloads) {
            try {
                chosen.add(BenchWorkloads.byName(name));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        out.printf(Locale.ROOT, "gradus bench: %d thread(s), kernels %s, %s %s%n", threads, Kernels.description(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        out.printf(Locale.ROOT, "%-4s %-22s %6s %12s %10s%n", "", "layers", "batch", "samples/s", "GFLOP/s");
        for (Workload chosenWorkload : chosen) {
            Workload w = chosenWorkload;
            if (!full) {
                w = w.withSamples(shortSamples(w));
            }
            Matrix[] data = BenchWorkloads.syntheticData(w, 7);
            Measurement m = BenchWorkloads.train(w, data[0], data[1], threads, 1, epochs);
            out.printf(Locale.ROOT, "%-4s %-22s %6d %12.0f %10.1f%n", w.name(), layers(w), w.batch(), m.median(),
                    m.gflops());
            out.flush();
        }
        if (sgemm) {
            double gflops = BenchWorkloads.sgemmGflops(1024, threads, 5);
            out.printf(Locale.ROOT, "sgemm 1024x1024x1024: %.1f GFLOP/s%n", gflops);
        }
        out.flush();
        return 0;
    }

    /** Rows per short epoch: about a quarter of a second each on two cores here. */
    private static int shortSamples(Workload w) {
        return switch (w.name()) {
            case "W1" -> 12_800;
            case "W2" -> 20_000;
            default -> 2_048;
        };
    }

    private static String layers(Workload w) {
        StringBuilder s = new StringBuilder();
        for (int width : w.widths()) {
            s.append(s.length() == 0 ? "" : "-").append(width);
        }
        return s.toString();
    }
}

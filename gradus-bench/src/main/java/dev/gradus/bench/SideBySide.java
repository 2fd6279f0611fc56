package dev.gradus.bench;

import dev.gradus.kernel.Kernels;
import dev.gradus.tensor.Matrix;
import dev.gradus.workloads.Workloads;
import dev.gradus.workloads.Workloads.Measurement;
import dev.gradus.workloads.Workloads.Workload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains W1, W2 and W3 with Gradus and, when built with {@code -Ppeers}, with Deeplearning4j
 * and Smile in one run, and prints samples/s of each and the ratios.
 *
 * <p>Every library: float32 where it offers it, plain SGD with equal updates (see
 * {@link Peer}), the workload's batch size, one warm-up epoch, then the median of the measured
 * epochs. Only training time is measured, never loading.
 *
 * <pre>
 * gradus-bench/scripts/side-by-side.sh [--threads 2] [--epochs 3] [--warmup 1] [--workloads W1,W2,W3] [--gradus-only]
 * </pre>
 */
public final class SideBySide {
    private static final String[] PEERS = {"dev.gradus.bench.peers.Dl4jPeer", "dev.gradus.bench.peers.SmilePeer"};

    private SideBySide() {}

    public static void main(String[] args) throws Exception {
        int threads = 2;
        int epochs = 3;
        int warmup = 1;
        boolean gradusOnly = false;
        List<String> names = List.of("W1", "W2", "W3");
        Path mnist = FashionMnist.DEFAULT_DIR;
        int peerRows = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--workloads" -> names = List.of(args[++i].split(","));
                case "--fashion-mnist" -> mnist = Path.of(args[++i]);
                case "--gradus-only" -> gradusOnly = true;
                case "--peer-rows" -> peerRows = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --threads N, "
                        + "--epochs N, --warmup N, --workloads W1,W2,W3, --fashion-mnist DIR, --gradus-only, --peer-rows N");
            }
        }
        List<Peer> peers = new ArrayList<>();
        if (!gradusOnly) {
            for (String className : PEERS) {
                try {
                    peers.add((Peer) Class.forName(className).getDeclaredConstructor().newInstance());
                } catch (ClassNotFoundException e) {
                    System.out.println("(" + className.substring(className.lastIndexOf('.') + 1)
                            + " not built: add -Ppeers)");
                }
            }
        }
        System.out.printf(Locale.ROOT, "side by side: %d thread(s), %d measured epoch(s) after %d warm-up, gradus kernels %s,"
                + " %s %s, %d cores%n", threads, epochs, warmup, Kernels.description(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        for (String name : names) {
            Workload w = Workloads.byName(name);
            Matrix[] data = null;
            String source = "synthetic";
            if (w.name().equals("W1")) {
                data = FashionMnist.trainingSet(mnist);
                source = data == null ? "synthetic (Fashion-MNIST not found in " + mnist + ")" : "Fashion-MNIST " + mnist;
            }
            if (data == null) {
                data = Workloads.syntheticData(w, 7);
            }
            w = w.withSamples(data[0].rows());
            System.out.printf(Locale.ROOT, "%n%s  %s, batch %d, SGD lr %s, %d rows, %s%n", w.name(),
                    Arrays.toString(w.widths()), w.batch(), w.learningRate(), w.samples(), source);
            Map<String, Double> results = new LinkedHashMap<>();
            Measurement gradus = Workloads.train(w, data[0], data[1], threads, warmup, epochs);
            results.put("gradus", gradus.median());
            System.out.printf(Locale.ROOT, "  %-28s %12.0f samples/s  epochs %s%n", "gradus", gradus.median(),
                    rounded(gradus.epochSamplesPerSecond()));
            // For scripts: the median epoch, all measured rows over all measured time, and the
            // median CPU seconds of the process per measured epoch.
            System.out.printf(Locale.ROOT, "RESULT gradus %s median %.1f overall %.1f cpu %.4f%n", w.name(),
                    gradus.median(), overall(gradus.epochSamplesPerSecond()), gradus.medianCpuSeconds());
            // Peers are slower: they train on the first rows only (samples/s does not depend on it).
            int rowsForPeers = Math.min(w.samples(), peerRows > 0 ? peerRows : defaultPeerRows(w));
            Workload wp = w.withSamples(rowsForPeers);
            float[] xp = Arrays.copyOf(data[0].data(), rowsForPeers * w.inputs());
            float[] yp = Arrays.copyOf(data[1].data(), rowsForPeers * w.outputs());
            if (!peers.isEmpty()) {
                System.out.printf(Locale.ROOT, "  (peers train on the first %d rows per epoch)%n", rowsForPeers);
            }
            for (Peer peer : peers) {
                try {
                    double[] rates = peer.train(wp, xp, yp, w.learningRate(), 1, epochs);
                    double median = median(rates);
                    results.put(peer.name(), median);
                    System.out.printf(Locale.ROOT, "  %-28s %12.0f samples/s  epochs %s   gradus/peer = %.1fx%n",
                            peer.name(), median, rounded(rates), gradus.median() / median);
                } catch (Exception | LinkageError e) {
                    System.out.printf(Locale.ROOT, "  %-28s failed: %s%n", peer.name(), e);
                }
            }
        }
    }

    /** Rows per epoch for peers by default: enough for several seconds per epoch each. */
    private static int defaultPeerRows(Workload w) {
        return switch (w.name()) {
            case "W1" -> 12_800;
            case "W3" -> 1_024;
            default -> w.samples();
        };
    }

    /** Samples/s over all the epochs together: n epochs of equal rows over the sum of their times. */
    static double overall(double[] rates) {
        double seconds = 0;
        for (double r : rates) {
            seconds += 1 / r;
        }
        return rates.length / seconds;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static String rounded(double[] rates) {
        return Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray());
    }
}

package dev.gradus.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Two Gradus builds' {@code Inference.predictBatch} on the W1 classifier ({@link ServingBench}'s
 * model, saved once and loaded by each), in one JVM through two class loaders, in interleaved
 * rounds: on a shared machine a change in load hits both sides of each round's ratio alike,
 * where two JVMs run one after the other would not. Per round and build: the fastest of 9
 * calls of 1,024 rows, by wall time and by the calling thread's CPU time. Checks that both
 * builds give the same bits.
 *
 * <p>Run: {@code gradus-bench/scripts/serving-bench.sh --before CLASSPATH [--threads N]
 * [--rounds N]}, {@code CLASSPATH} being another build's classes and dependencies (the build
 * before a change, compiled elsewhere).
 */
public final class InferenceBeforeAfter {
    private InferenceBeforeAfter() {}

    public static void main(String[] args) throws Exception {
        String before = null;
        String after = null;
        int threads = 1;
        int rounds = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--before" -> before = args[++i];
                case "--after" -> after = args[++i];
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; known: --before CP, --after CP, --threads N, --rounds N");
            }
        }
        if (before == null || after == null) {
            throw new IllegalArgumentException("--before and --after name the two builds' class paths");
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        ClassLoader[] loaders = {loader(before), loader(after)};
        Path file = Files.createTempFile("w1-", ".gradus");
        try {
            ServingBench.w1Model(7).save(file);
            Object[] inference = new Object[2];
            Method[] predict = new Method[2];
            for (int s = 0; s < 2; s++) {
                Class<?> model = loaders[s].loadClass("dev.gradus.model.Model");
                Object network = model.getMethod("network").invoke(model.getMethod("load", Path.class).invoke(null, file));
                Class<?> inf = loaders[s].loadClass("dev.gradus.nn.Inference");
                inference[s] = inf.getMethod("of", loaders[s].loadClass("dev.gradus.nn.Network"), int.class)
                        .invoke(null, network, threads);
                predict[s] = inf.getMethod("predictBatch", float[].class, int.class, float[].class);
            }
            int n = ServingBench.BATCH;
            float[] x = new float[n * ServingBench.WIDTHS[0]];
            SplittableRandom random = new SplittableRandom(11);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextDouble();
            }
            int outputs = ServingBench.WIDTHS[ServingBench.WIDTHS.length - 1];
            float[][] y = {new float[n * outputs], new float[n * outputs]};
            double[][] wall = new double[2][rounds];
            double[][] cpuMs = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int j = 0; j < 2; j++) {
                    int s = r % 2 == 0 ? j : 1 - j;       // alternate the order
                    long bestWall = Long.MAX_VALUE;
                    long bestCpu = Long.MAX_VALUE;
                    for (int rep = 0; rep < 9; rep++) {
                        long c0 = cpu.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        predict[s].invoke(inference[s], x, n, y[s]);
                        bestWall = Math.min(bestWall, System.nanoTime() - t0);
                        bestCpu = Math.min(bestCpu, cpu.getCurrentThreadCpuTime() - c0);
                    }
                    wall[s][r] = bestWall / 1e6;
                    cpuMs[s][r] = bestCpu / 1e6;
                }
                if (!Arrays.equals(y[0], y[1])) {
                    throw new AssertionError("the two builds' predictions differ in round " + r);
                }
            }
            int warmup = rounds / 4;
            String[] names = {"before", "after"};
            for (int s = 0; s < 2; s++) {
                double[] w = Arrays.copyOfRange(wall[s], warmup, rounds);
                double[] c = Arrays.copyOfRange(cpuMs[s], warmup, rounds);
                Arrays.sort(w);
                Arrays.sort(c);
                System.out.printf(Locale.ROOT, "%-6s %d thread(s): 1,024 rows, median %.2f ms wall (best %.2f),"
                        + " %.2f ms CPU of the calling thread%n", names[s], threads, w[w.length / 2], w[0], c[c.length / 2]);
            }
            double[] ratio = new double[rounds - warmup];
            double[] ratioCpu = new double[rounds - warmup];
            for (int r = warmup; r < rounds; r++) {
                ratio[r - warmup] = wall[0][r] / wall[1][r];
                ratioCpu[r - warmup] = cpuMs[0][r] / cpuMs[1][r];
            }
            Arrays.sort(ratio);
            Arrays.sort(ratioCpu);
            System.out.printf(Locale.ROOT, "throughput after / before, %d thread(s): %.2fx wall, %.2fx CPU (medians of"
                    + " %d rounds' ratios after %d of warm-up); the same bits%n", threads, ratio[ratio.length / 2],
                    ratioCpu[ratioCpu.length / 2], rounds - warmup, warmup);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static ClassLoader loader(String classPath) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String p : classPath.split(":")) {
            if (!p.isEmpty()) {
                urls.add(Path.of(p).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }
}

package dev.gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gradus.model.Model;
import dev.gradus.nn.Inference;
import dev.gradus.onnx.OnnxExport;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@link ServingBench}'s comparison in interleaved rounds, for a machine shared with other work:
 * within a round every contender runs back to back (the order alternating between rounds), so
 * a change in the machine's load hits both sides of a ratio alike; the summary gives the median
 * over rounds of each time and of each round's ratio.
 *
 * <p>Contenders: Gradus's {@link Inference} and ONNX Runtime (the graph {@code gradus export}
 * writes for the same W1-shaped model), each with 1 and with 2 threads. Per round and contender:
 * <ul>
 *   <li>1,024 rows: the fastest of {@code reps} calls in wall time (the call least disturbed by
 *       other processes) and, for one thread, the mean CPU time of the calling thread — ONNX
 *       Runtime with one intra-op thread computes on the calling thread too;</li>
 *   <li>one row: the median wall time and the mean CPU time over {@code rowCalls} calls on one
 *       thread.</li>
 * </ul>
 * Rounds before {@code --warmup} are printed but left out of the summary (the JIT's warm-up).
 *
 * <p>Run: {@code gradus-bench/scripts/serving-bench.sh --rounds [--rounds-count N] [--reps N]}.
 */
public final class ServingRounds {
    private ServingRounds() {}

    /** One way of predicting the batch or one row. */
    private interface Call {
        void run() throws OrtException;
    }

    public static void main(String[] args) throws Exception {
        int rounds = 15;
        int warmup = 3;
        int reps = 7;
        int rowCalls = 2000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds-count" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--row-calls" -> rowCalls = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; known: --rounds-count N, --warmup N, --reps N, --row-calls N");
            }
        }
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Model model = ServingBench.w1Model(7);
        int n = ServingBench.BATCH;
        int d = ServingBench.WIDTHS[0];
        int k = ServingBench.WIDTHS[ServingBench.WIDTHS.length - 1];
        float[] x = new float[n * d];
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        float[] y = new float[n * k];
        float[] one = new float[k];
        Inference gradus1 = Inference.of(model.network(), 1);
        Inference gradus2 = Inference.of(model.network(), 2);
        Inference.Scratch scratch = gradus1.scratch(1);

        Path file = Files.createTempFile("w1-", ".onnx");
        OnnxExport.write(model, file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession onnx1 = session(env, file, 1); OrtSession onnx2 = session(env, file, 2)) {
            FloatBuffer batch = direct(x, 0, x.length);
            FloatBuffer row = direct(x, 0, d);
            long[] batchShape = {n, d};
            long[] rowShape = {1, d};
            String[] names = {"gradus 1 thread", "onnxruntime 1 thread", "gradus 2 threads", "onnxruntime 2 threads"};
            Call[] batchCalls = {
                () -> gradus1.predictBatch(x, n, y),
                () -> run(env, onnx1, batch, batchShape),
                () -> gradus2.predictBatch(x, n, y),
                () -> run(env, onnx2, batch, batchShape),
            };
            Call[] rowCallsOf = {
                () -> gradus1.predict(x, 0, 1, one, 0, scratch),
                () -> run(env, onnx1, row, rowShape),
            };
            List<double[]> batchWall = new ArrayList<>();     // per round: ms per contender
            List<double[]> batchCpu = new ArrayList<>();
            List<double[]> rowWall = new ArrayList<>();       // per round: µs, gradus then onnxruntime
            List<double[]> rowCpu = new ArrayList<>();
            System.out.printf(Locale.ROOT, "W1 %s, %d rows per batch; %d rounds (%d warm-up), fastest of %d calls"
                    + " per round; one row: %d calls%n", Arrays.toString(ServingBench.WIDTHS), n, rounds, warmup,
                    reps, rowCalls);
            for (int round = 0; round < rounds; round++) {
                double[] wall = new double[batchCalls.length];
                double[] cpuMs = new double[batchCalls.length];
                for (int j = 0; j < batchCalls.length; j++) {
                    int c = round % 2 == 0 ? j : batchCalls.length - 1 - j;      // alternate the order
                    long best = Long.MAX_VALUE;
                    long cpu0 = cpu.getCurrentThreadCpuTime();
                    for (int r = 0; r < reps; r++) {
                        long t0 = System.nanoTime();
                        batchCalls[c].run();
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                    wall[c] = best / 1e6;
                    cpuMs[c] = (cpu.getCurrentThreadCpuTime() - cpu0) / 1e6 / reps;
                }
                double[] rw = new double[2];
                double[] rc = new double[2];
                long[] times = new long[rowCalls];
                for (int j = 0; j < 2; j++) {
                    int c = round % 2 == 0 ? j : 1 - j;
                    long cpu0 = cpu.getCurrentThreadCpuTime();
                    for (int r = 0; r < rowCalls; r++) {
                        long t0 = System.nanoTime();
                        rowCallsOf[c].run();
                        times[r] = System.nanoTime() - t0;
                    }
                    rc[c] = (cpu.getCurrentThreadCpuTime() - cpu0) / 1e3 / rowCalls;
                    Arrays.sort(times);
                    rw[c] = times[rowCalls / 2] / 1e3;
                }
                System.out.printf(Locale.ROOT, "round %2d%s  1,024 rows (ms): gradus1 %.2f (cpu %.2f)  onnx1 %.2f"
                        + " (cpu %.2f)  gradus2 %.2f  onnx2 %.2f | one row (µs): gradus p50 %.1f (cpu %.1f)  onnx p50"
                        + " %.1f (cpu %.1f)%n", round, round < warmup ? "*" : " ", wall[0], cpuMs[0], wall[1], cpuMs[1],
                        wall[2], wall[3], rw[0], rc[0], rw[1], rc[1]);
                if (round >= warmup) {
                    batchWall.add(wall);
                    batchCpu.add(cpuMs);
                    rowWall.add(rw);
                    rowCpu.add(rc);
                }
            }
            System.out.println("summary: medians over the rounds after warm-up (* above)");
            for (int c = 0; c < names.length; c++) {
                int cc = c;
                double ms = median(batchWall, r -> r[cc]);
                System.out.printf(Locale.ROOT, "  1,024 rows, %-22s %7.2f ms wall  %8.0f rows/s%s%n", names[c], ms,
                        n / ms * 1e3, c < 2 ? String.format(Locale.ROOT, "   (%.2f ms CPU of the calling thread)",
                                median(batchCpu, r -> r[cc])) : "");
            }
            System.out.printf(Locale.ROOT, "  throughput gradus / onnxruntime, 1 thread:  %.2fx wall (median of"
                    + " the rounds' ratios), %.2fx CPU%n", median(batchWall, r -> r[1] / r[0]),
                    median(batchCpu, r -> r[1] / r[0]));
            System.out.printf(Locale.ROOT, "  throughput gradus / onnxruntime, 2 threads: %.2fx wall (median of"
                    + " the rounds' ratios)%n", median(batchWall, r -> r[3] / r[2]));
            System.out.printf(Locale.ROOT, "  gradus 2 threads / 1 thread: %.2fx, onnxruntime: %.2fx%n",
                    median(batchWall, r -> r[0] / r[2]), median(batchWall, r -> r[1] / r[3]));
            System.out.printf(Locale.ROOT, "  one row, 1 thread: gradus p50 %.1f µs (CPU %.1f), onnxruntime p50 %.1f µs"
                    + " (CPU %.1f); latency gradus / onnxruntime %.2fx%n", median(rowWall, r -> r[0]),
                    median(rowCpu, r -> r[0]), median(rowWall, r -> r[1]), median(rowCpu, r -> r[1]),
                    median(rowWall, r -> r[0] / r[1]));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static OrtSession session(OrtEnvironment env, Path file, int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return env.createSession(file.toString(), options);
    }

    private static FloatBuffer direct(float[] values, int from, int length) {
        FloatBuffer b = ByteBuffer.allocateDirect(length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(values, from, length).flip();
        return b;
    }

    private static void run(OrtEnvironment env, OrtSession session, FloatBuffer input, long[] shape)
            throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, input, shape);
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
            r.get(0).getValue();
        }
    }

    private static double median(List<double[]> rounds, java.util.function.ToDoubleFunction<double[]> f) {
        double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

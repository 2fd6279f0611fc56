package dev.gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
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
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@link ServingBench}'s comparison measured in CPU time of the calling thread instead of wall
 * time, for a machine shared with other work: time a thread spends descheduled is not charged.
 * Both sides run on the calling thread (ONNX Runtime with one intra-op thread runs there), so
 * this compares one thread with one thread: 1,024 rows, and one row (mean of 2,000 calls).
 * Prints six rounds; the first includes the JIT's warm-up.
 *
 * <p>Run: {@code gradus-bench/scripts/serving-bench.sh --cpu-time}.
 */
public final class ServingCpuTime {
    private ServingCpuTime() {}

    public static void main(String[] args) throws Exception {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        Model model = ServingBench.w1Model(7);
        Inference inference = Inference.of(model.network());
        int n = ServingBench.BATCH;
        int d = ServingBench.WIDTHS[0];
        float[] x = new float[n * d];
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        float[] y = new float[n * ServingBench.WIDTHS[3]];
        float[] one = new float[ServingBench.WIDTHS[3]];
        Inference.Scratch scratch = inference.scratch(1);

        Path file = Files.createTempFile("w1-", ".onnx");
        OnnxExport.write(model, file);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try (OrtSession session = env.createSession(file.toString(), options)) {
            FloatBuffer batch = ByteBuffer.allocateDirect(x.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            batch.put(x).flip();
            FloatBuffer row = ByteBuffer.allocateDirect(d * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
            row.put(x, 0, d).flip();
            for (int round = 0; round < 6; round++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < 5; i++) {
                    inference.predictBatch(x, n, y);
                }
                long t1 = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < 5; i++) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, batch, new long[] {n, d});
                         OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
                        r.get(0).getValue();
                    }
                }
                long t2 = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < 2000; i++) {
                    inference.predict(x, 0, 1, one, 0, scratch);
                }
                long t3 = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < 2000; i++) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, row, new long[] {1, d});
                         OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
                        r.get(0).getValue();
                    }
                }
                long t4 = cpu.getCurrentThreadCpuTime();
                System.out.printf(Locale.ROOT, "batch 1024: gradus %.2f ms, onnxruntime %.2f ms | one row: gradus %.1f us,"
                        + " onnxruntime %.1f us (CPU time of one thread)%n", (t1 - t0) / 5e6, (t2 - t1) / 5e6,
                        (t3 - t2) / 2e6, (t4 - t3) / 2e6);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

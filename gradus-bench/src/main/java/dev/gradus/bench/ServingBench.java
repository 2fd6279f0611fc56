package dev.gradus.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gradus.data.Preprocessing;
import dev.gradus.data.Scaler;
import dev.gradus.data.Task;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import dev.gradus.nn.Inference;
import dev.gradus.nn.Loss;
import dev.gradus.nn.Network;
import dev.gradus.onnx.OnnxExport;
import dev.gradus.tensor.Matrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving a W1-shaped classifier (784-256-128-10, ReLU, softmax) side by side with ONNX Runtime
 * for Java, in one JVM: the same weights, Gradus's {@link Inference} against the graph that
 * {@code gradus export} writes for the same model, run by ONNX Runtime with as many intra-op
 * threads as Gradus may use ({@code threads}).
 *
 * <ul>
 *   <li>{@code *OneRow}: one row's latency (sample time: JMH prints p50, p90, p99…). Gradus
 *       writes into a caller's array through a reused scratch; ONNX Runtime reads a reused direct
 *       buffer (no copy) and returns its result object, the cheapest way its Java API offers.</li>
 *   <li>{@code *Batch1024}: the time for 1,024 rows (throughput = 1024 / time).</li>
 * </ul>
 *
 * Run: {@code gradus-bench/scripts/serving-bench.sh} (or {@code jmh.sh ServingBench}).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class ServingBench {
    /** Threads each side may use (Gradus's batch split; ONNX Runtime's intra-op pool). */
    @Param({"1", "2"})
    public int threads;

    static final int[] WIDTHS = {784, 256, 128, 10};
    static final int BATCH = 1024;

    Inference inference;
    Network network;
    float[] batch;
    float[] batchOut;
    float[] row;
    OrtEnvironment env;
    OrtSession session;
    FloatBuffer rowBuffer;
    FloatBuffer batchBuffer;
    Path onnxFile;

    /** The W1-shaped classifier: He-initialised weights, small random biases, identity scaling. */
    static Model w1Model(long seed) {
        Network net = Network.input(WIDTHS[0]).dense(WIDTHS[1], Activation.RELU).dense(WIDTHS[2], Activation.RELU)
                .dense(WIDTHS[3], Activation.SOFTMAX).build(seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int m = 0; m < net.layerCount(); m++) {
            Matrix b = net.bias(m);
            for (int j = 0; j < b.cols(); j++) {
                b.set(0, j, (float) random.nextDouble(-0.1, 0.1));
            }
        }
        List<Preprocessing.Feature> features = new ArrayList<>();
        for (int j = 0; j < WIDTHS[0]; j++) {
            features.add(new Preprocessing.Feature("pixel" + j, List.of()));
        }
        List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Preprocessing prep = new Preprocessing(Task.CLASSIFICATION, features, Scaler.identity(WIDTHS[0]),
                List.of("label"), classes, Scaler.identity(classes.size()));
        return new Model(net, prep, Loss.parse("cross-entropy"), Map.of());
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Model model = w1Model(7);
        network = model.network();
        inference = Inference.of(network, threads);
        SplittableRandom random = new SplittableRandom(11);
        batch = new float[BATCH * WIDTHS[0]];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) random.nextDouble();        // pixel intensities in [0, 1)
        }
        batchOut = new float[BATCH * WIDTHS[3]];
        row = java.util.Arrays.copyOf(batch, WIDTHS[0]);

        onnxFile = Files.createTempFile("w1-", ".onnx");
        OnnxExport.write(model, onnxFile);                 // what `gradus export` writes
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(onnxFile.toString(), options);
        rowBuffer = direct(row);
        batchBuffer = direct(batch);
        checkSameAnswers();
    }

    private static FloatBuffer direct(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(values).flip();
        return b;
    }

    /** Both sides must compute the same function: probabilities within float rounding. */
    private void checkSameAnswers() throws OrtException {
        float[] ours = new float[WIDTHS[3]];
        inference.predict(row, 0, 1, ours, 0, inference.scratch(1));
        try (OnnxTensor t = OnnxTensor.createTensor(env, rowBuffer, new long[] {1, WIDTHS[0]});
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
            float[] theirs = ((float[][]) r.get(0).getValue())[0];
            for (int j = 0; j < ours.length; j++) {
                if (Math.abs(ours[j] - theirs[j]) > 1e-4f) {
                    throw new IllegalStateException("class " + j + ": gradus " + ours[j] + ", onnxruntime " + theirs[j]);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        session.close();
        Files.deleteIfExists(onnxFile);
    }

    /** One thread's reusable buffers. */
    @State(Scope.Thread)
    public static class PerThread {
        Inference.Scratch scratch;
        float[] out = new float[WIDTHS[3]];

        @Setup(Level.Trial)
        public void setUp(ServingBench bench) {
            scratch = bench.inference.scratch(1);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] gradusOneRow(PerThread t) {
        inference.predict(row, 0, 1, t.out, 0, t.scratch);
        return t.out;
    }

    /** The network's own predict (packs nothing in advance, allocates its buffers): the path before Inference. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] networkOneRow() {
        return network.predict(row);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object onnxOneRow() throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, rowBuffer, new long[] {1, WIDTHS[0]});
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
            return r.get(0).getValue();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] gradusBatch1024() {
        inference.predictBatch(batch, BATCH, batchOut);
        return batchOut;
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object onnxBatch1024() throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(env, batchBuffer, new long[] {BATCH, WIDTHS[0]});
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
            return r.get(0).getValue();
        }
    }
}

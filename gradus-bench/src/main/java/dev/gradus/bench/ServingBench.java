package dev.gradus.bench;

import dev.gradus.nn.Network;
import dev.gradus.tensor.Matrix;
import dev.gradus.workloads.Workloads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Serving a W1-shaped network (784-256-128-10): single-sample {@link Network#predict(float[])}
 * latency (sample time: JMH prints p50, p90, p99), the same from two threads sharing one
 * network, and batched prediction throughput over 1,024 rows (samples/s = 1024 / time per op).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ServingBench {
    @Param({"W1"})
    public String workload;

    Network network;
    float[] sample;
    Matrix batch;

    @Setup
    public void setUp() {
        var w = Workloads.byName(workload);
        network = w.network(1);
        Matrix[] data = Workloads.syntheticData(w.withSamples(1024), 5);
        batch = data[0];
        sample = batch.rowCopy(0);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] predictOne() {
        return network.predict(sample);
    }

    /** Two threads predicting through the same network at once: no shared scratch state. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(2)
    public float[] predictOneTwoThreads() {
        return network.predict(sample);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Matrix predictBatch1024() {
        return network.predict(batch);
    }
}

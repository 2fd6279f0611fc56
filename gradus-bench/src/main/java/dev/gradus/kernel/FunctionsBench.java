package dev.gradus.kernel;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The element-wise tanh and sigmoid of {@link Functions} on each engine: one call over 32,768
 * values in [−6, 6) (a 1,024-row block of 32 units), so ns per value = the score / 32.768.
 *
 * <p>In package {@code dev.gradus.kernel} to choose the engine. Run:
 * {@code gradus-bench/scripts/jmh.sh FunctionsBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class FunctionsBench {
    static final int N = 32 * 1024;

    @Param({"plain", "vector"})
    String engine;

    float[] z;
    float[] a;
    int e;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(5);
        z = new float[N];
        a = new float[N];
        for (int i = 0; i < N; i++) {
            z[i] = (float) random.nextDouble(-6, 6);
        }
        e = engine.equals("vector") && Engine.vectorAvailable() ? Engine.VECTOR : Engine.PLAIN;
    }

    @Benchmark
    public float[] tanh() {
        Functions.tanh(e, z, 0, a, 0, N);
        return a;
    }

    @Benchmark
    public float[] sigmoid() {
        Functions.sigmoid(e, z, 0, a, 0, N);
        return a;
    }
}

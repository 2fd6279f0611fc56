package dev.gradus.bench;

import dev.gradus.kernel.Kernels;
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
 * {@code C = A·B} at 1024³ in float32: GFLOP/s = 2.147 / (ms per op). The yardstick is
 * {@code scripts/openblas-sgemm.sh}, run in the same session.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SgemmBench {
    @Param({"1024"})
    public int n;
    @Param({"1", "2"})
    public int threads;

    float[] a;
    float[] b;
    float[] c;
    Kernels kernels;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble();
            b[i] = (float) random.nextDouble();
        }
        kernels = Kernels.create(threads);
    }

    @Benchmark
    public float[] sgemm() {
        kernels.ab(c, 0, a, 0, b, 0, n, n, n);
        return c;
    }
}

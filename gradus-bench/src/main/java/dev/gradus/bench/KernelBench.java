package dev.gradus.bench;

import dev.gradus.kernel.Kernels;
import dev.gradus.kernel.NaiveGemm;
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
 * Each product at the workloads' shapes ({@code op:m:n:k}), fast kernels against their naive
 * twins. GFLOP/s = 2·m·n·k / time.
 *
 * <ul>
 *   <li>W1 layer 0 (batch 64, 784 → 256): {@code abt:64:256:784}, {@code atb:256:784:64}, {@code ab:64:784:256};</li>
 *   <li>W2 layer 1 (batch 32, 32 → 32): {@code abt:32:32:32}, {@code atb:32:32:32}, {@code ab:32:32:32};</li>
 *   <li>W3 layer 1 (batch 256, 2048 → 2048): {@code abt:256:2048:2048}, {@code atb:2048:2048:256},
 *       {@code ab:256:2048:2048} (fast only: the naive loop takes seconds).</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBench {

    /** Shapes both kernels run at. */
    @State(Scope.Thread)
    public static class Small {
        @Param({"abt:64:256:784", "atb:256:784:64", "ab:64:784:256", "abt:32:32:32", "atb:32:32:32", "ab:32:32:32"})
        public String shape;
        @Param({"1", "2"})
        public int threads;
        Operands o;

        @Setup
        public void setUp() {
            o = new Operands(shape, threads);
        }
    }

    /** Large shapes, fast kernels only. */
    @State(Scope.Thread)
    public static class Large {
        @Param({"abt:256:2048:2048", "atb:2048:2048:256", "ab:256:2048:2048"})
        public String shape;
        @Param({"1", "2"})
        public int threads;
        Operands o;

        @Setup
        public void setUp() {
            o = new Operands(shape, threads);
        }
    }

    static final class Operands {
        final String op;
        final int m;
        final int n;
        final int k;
        final float[] a;
        final float[] b;
        final float[] c;
        final Kernels kernels;

        Operands(String shape, int threads) {
            String[] p = shape.split(":");
            op = p[0];
            m = Integer.parseInt(p[1]);
            n = Integer.parseInt(p[2]);
            k = Integer.parseInt(p[3]);
            SplittableRandom random = new SplittableRandom(1);
            a = new float[m * k];
            b = new float[n * k];
            c = new float[m * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextDouble(-1, 1);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextDouble(-1, 1);
            }
            kernels = Kernels.create(threads);
        }

        float[] fast() {
            switch (op) {
                case "abt" -> kernels.abt(c, 0, a, 0, b, 0, m, n, k);
                case "atb" -> kernels.atb(c, 0, a, 0, b, 0, m, n, k);
                default -> kernels.ab(c, 0, a, 0, b, 0, m, n, k);
            }
            return c;
        }

        float[] naive() {
            switch (op) {
                case "abt" -> NaiveGemm.abt(c, 0, a, 0, b, 0, m, n, k);
                case "atb" -> NaiveGemm.atb(c, 0, a, 0, b, 0, m, n, k);
                default -> NaiveGemm.ab(c, 0, a, 0, b, 0, m, n, k);
            }
            return c;
        }
    }

    @Benchmark
    public float[] fast(Small s) {
        return s.o.fast();
    }

    /** The naive twin (single-threaded whatever {@code threads} says). */
    @Benchmark
    public float[] naive(Small s) {
        return s.o.naive();
    }

    @Benchmark
    public float[] fastLarge(Large s) {
        return s.o.fast();
    }
}

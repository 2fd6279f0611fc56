package dev.gradus.kernel;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The register blocks of {@link VectorGemm} side by side in one JVM, on one packed block as
 * {@code TiledGemm} runs it: 256 columns of {@code B} in panels of {@code NR} (two vectors), a
 * depth of 256, and 64 rows of {@code A} (60 for six-row panels), each panel of {@code B} swept by
 * every panel of {@code A} while it is in the first-level cache. GFLOP/s = 2·rows·256·256 / time
 * (rows = 64 for {@code mr4}, 60 for {@code mr6}).
 *
 * <p>In package {@code dev.gradus.kernel} to reach the package-private kernels. Run:
 * {@code gradus-bench/scripts/jmh.sh MicroKernelBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MicroKernelBench {
    static final int N = 256;
    static final int KC = 256;
    float[] pa;
    float[] pb;
    float[] c;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(3);
        pa = new float[64 * KC];
        pb = new float[N * KC];
        c = new float[64 * N];
        for (int i = 0; i < pa.length; i++) {
            pa[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < pb.length; i++) {
            pb[i] = (float) random.nextDouble(-0.05, 0.05);
        }
    }

    /** 4 × NR: 8 accumulators, 64 rows. */
    @Benchmark
    public float[] mr4() {
        int nr = VectorGemm.NR;
        for (int jr = 0; jr < N; jr += nr) {
            for (int ir = 0; ir < 64; ir += 4) {
                VectorGemm.kernel4(pa, ir * KC, pb, jr * KC, KC, c, ir * N + jr, N, false);
            }
        }
        return c;
    }

    /** 6 × NR: 12 accumulators, 60 rows. */
    @Benchmark
    public float[] mr6() {
        int nr = VectorGemm.NR;
        for (int jr = 0; jr < N; jr += nr) {
            for (int ir = 0; ir + 6 <= 64; ir += 6) {
                VectorGemm.kernel6(pa, ir * KC, pb, jr * KC, KC, c, ir * N + jr, N, false);
            }
        }
        return c;
    }
}

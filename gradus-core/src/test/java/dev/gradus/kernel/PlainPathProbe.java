package dev.gradus.kernel;

import java.util.SplittableRandom;

/**
 * Run in a JVM without {@code --add-modules jdk.incubator.vector} by {@link PlainPathTest}:
 * computes a product on two threads and checks it against the one-thread result and the
 * naive twin, then prints {@code engine=<description> ok}.
 */
public final class PlainPathProbe {
    private PlainPathProbe() {}

    public static void main(String[] args) {
        int m = 70;
        int n = 300;
        int k = 260;
        SplittableRandom random = new SplittableRandom(3);
        float[] a = KernelsTest.randomArray(m * k, random);
        float[] b = KernelsTest.randomArray(n * k, random);
        float[] one = new float[m * n];
        float[] two = new float[m * n];
        float[] naive = new float[m * n];
        Kernels.create(1).abt(one, 0, a, 0, b, 0, m, n, k);
        Kernels.of(2, Engine.DEFAULT, 0).abt(two, 0, a, 0, b, 0, m, n, k);
        Kernels.create(2).abt(two, 0, a, 0, b, 0, m, n, k);
        NaiveGemm.abt(naive, 0, a, 0, b, 0, m, n, k);
        KernelsTest.assertBitIdentical(one, two, "threads 1 vs 2 on the plain path");
        for (int i = 0; i < naive.length; i++) {
            if (Math.abs(one[i] - naive[i]) > 1e-3f) {
                throw new AssertionError("element " + i + ": " + one[i] + " vs naive " + naive[i]);
            }
        }
        System.out.println("engine=" + Kernels.description() + " ok");
    }
}

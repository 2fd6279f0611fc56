package dev.gradus.kernel;

/**
 * The three matrix products of training, written as the textbook triple loop.
 *
 * <p>These are the oracles for the fast kernels and the fallback for tiny shapes. Each sum runs
 * over {@code p = 0..k-1} in increasing order and accumulates in {@code float}. All arrays are
 * row-major; {@code c} is overwritten.
 */
public final class NaiveGemm {
    private NaiveGemm() {}

    /** {@code C[m×n] = A[m×k] · B[n×k]ᵀ} (forward: {@code Z = A Wᵀ}). */
    public static void abt(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                           int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * k + p] * b[bOff + j * k + p];
                }
                c[cOff + i * n + j] = sum;
            }
        }
    }

    /** {@code C[m×n] = A[k×m]ᵀ · B[k×n]} (weight gradient: {@code dW = Δᵀ A}). */
    public static void atb(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                           int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + p * m + i] * b[bOff + p * n + j];
                }
                c[cOff + i * n + j] = sum;
            }
        }
    }

    /** {@code C[m×n] = A[m×k] · B[k×n]} (input gradient: {@code G = Δ W}). */
    public static void ab(float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                          int m, int n, int k) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    sum += a[aOff + i * k + p] * b[bOff + p * n + j];
                }
                c[cOff + i * n + j] = sum;
            }
        }
    }
}

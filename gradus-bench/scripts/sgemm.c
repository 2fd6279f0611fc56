/*
 * The sgemm yardstick: C = A·B at n×n×n in float32 with OpenBLAS, reported as GFLOP/s
 * (2n³ operations per product). Usage: sgemm [n] [repetitions-per-sample] [samples]
 * The number of threads comes from OPENBLAS_NUM_THREADS.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1024;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    int samples = argc > 3 ? atoi(argv[3]) : 7;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    srand(1);
    for (long i = 0; i < (long)n * n; i++) {
        a[i] = rand() / (float)RAND_MAX;
        b[i] = rand() / (float)RAND_MAX;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n); /* warm-up */
    double *gflops = malloc(sizeof(double) * samples);
    for (int s = 0; s < samples; s++) {
        double t0 = now();
        for (int r = 0; r < reps; r++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        }
        gflops[s] = 2.0 * n * n * (double)n * reps / (now() - t0) / 1e9;
    }
    qsort(gflops, samples, sizeof(double), compare);
    printf("openblas sgemm %dx%dx%d threads=%s: median %.1f GFLOP/s (min %.1f, max %.1f, %d samples of %d)\n", n, n, n,
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "default", gflops[samples / 2],
           gflops[0], gflops[samples - 1], samples, reps);
    return 0;
}

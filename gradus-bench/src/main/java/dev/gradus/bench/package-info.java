/**
 * Benchmarks: JMH suites for the kernels against their naive twins, sgemm, a whole training
 * step (with allocation checks) and serving; and {@link dev.gradus.bench.SideBySide}, which
 * trains the workloads W1–W3 with Gradus and, built with {@code -Ppeers}, with
 * Deeplearning4j and Smile in one run. Never a dependency of another module.
 */
package dev.gradus.bench;

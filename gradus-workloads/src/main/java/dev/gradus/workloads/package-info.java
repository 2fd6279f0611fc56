/**
 * The benchmark workloads, defined once: W1 (Fashion-MNIST's shape), W2 (a small network, per-step
 * overhead), W3 (compute-bound) and sgemm at n³, with synthetic rows of their shapes and the
 * training run that measures them. {@code gradus bench} runs short versions; the JMH and
 * side-by-side harnesses of {@code gradus-bench} run the full ones. Not part of the engine: core
 * never depends on it.
 */
package dev.gradus.workloads;

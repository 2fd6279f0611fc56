/**
 * Data-parallel training on Apache Spark: every step broadcasts the flat parameters
 * {@code θ}, each partition runs the core forward and backward passes over its rows of the
 * batch, the partition results ({@link dev.gradus.spark.GradientSum}) are added in partition
 * order, and the driver applies the core optimizer to {@code ∂ℓ/∂θ = Σ ∂ℓᵢ/∂θ / N}.
 *
 * <p>{@link dev.gradus.spark.SparkTrainer} is the loop (it mirrors
 * {@link dev.gradus.train.Trainer}); {@link dev.gradus.spark.RowBlocks} are the training rows
 * on the cluster; {@link dev.gradus.spark.SparkMain} is the {@code gradus-spark} command. The
 * Spark ML estimators live in {@code dev.gradus.spark.ml}.
 */
package dev.gradus.spark;

/**
 * Data-parallel training on Apache Spark: every step broadcasts the flat parameters
 * {@code θ}, each partition runs the core forward and backward passes over its rows of the
 * batch, the partition results ({@link dev.gradus.spark.GradientSum}) are added in partition
 * order, and the driver applies the core optimizer to {@code ∂ℓ/∂θ = Σ ∂ℓᵢ/∂θ / N}.
 *
 * <p>{@link dev.gradus.spark.SparkTrainer} runs the core training loop with the partitions as
 * its gradient source; {@link dev.gradus.spark.RowBlocks} are the training rows on the cluster
 * as float32 blocks. {@link dev.gradus.spark.SparkInput} reads CSV, Parquet, JSON or ORC on the
 * executors, {@link dev.gradus.spark.SparkPreprocessing} fits the preprocessing by distributed
 * aggregation of the core's column summaries, {@link dev.gradus.spark.RowBlocks#encode} encodes
 * the rows where they were read and {@link dev.gradus.spark.SparkScores} scores a model there;
 * {@link dev.gradus.spark.SparkMain} is the {@code gradus-spark} command. The Spark ML
 * estimators live in {@code dev.gradus.spark.ml}.
 */
package dev.gradus.spark;

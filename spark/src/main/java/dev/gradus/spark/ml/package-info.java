/**
 * Spark ML estimators: {@link dev.gradus.spark.ml.GradusClassifier} and
 * {@link dev.gradus.spark.ml.GradusRegressor} train on a DataFrame with a vector features
 * column through {@link dev.gradus.spark.SparkTrainer}; their models transform DataFrames
 * (prediction, probability and raw prediction columns), work in a {@code Pipeline}, and save a
 * standard Gradus model file inside their ML persistence folder ({@code gradus/model.gradus}),
 * which the {@code gradus} command reads; {@code fromModelFile} wraps a model file written by the
 * command.
 */
package dev.gradus.spark.ml;

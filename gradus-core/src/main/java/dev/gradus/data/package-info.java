/**
 * Data in: CSV tables ({@link dev.gradus.data.Csv}, {@link dev.gradus.data.Table}), MNIST-style
 * IDX files ({@link dev.gradus.data.Idx}), and the fitted preprocessing that turns a table into
 * the matrices a network reads ({@link dev.gradus.data.Preprocessing}: feature selection,
 * scaling, class labels and one-hot targets).
 */
package dev.gradus.data;

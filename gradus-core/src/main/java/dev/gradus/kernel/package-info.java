/**
 * Loops over flat {@code float[]} arrays: the matrix products that training needs, each
 * with a naive twin kept as its test oracle.
 *
 * <p>All matrices here are row-major and contiguous from an offset. Nothing in this package
 * knows about layers, losses or optimizers.
 */
package dev.gradus.kernel;

/**
 * Loops over flat {@code float[]} arrays: the matrix products that training needs, each
 * with a naive twin kept as its test oracle.
 *
 * <p>All matrices here are row-major and contiguous from an offset. Nothing in this package
 * knows about layers, losses or optimizers.
 *
 * <p><b>Not API, apart from {@link dev.gradus.kernel.Kernels}</b> (the handle that says how many
 * threads a {@link dev.gradus.nn.Workspace} multiplies on). This is the engine under
 * {@code dev.gradus.nn} and {@code dev.gradus.train}; its other public types are public only so
 * those packages, and Gradus's own benchmarks, reach them, and they may change in any release.
 * {@code FloorsTest} checks that no other package of core imports it and that no public signature
 * elsewhere mentions a type of it but {@code Kernels}.
 */
package dev.gradus.kernel;

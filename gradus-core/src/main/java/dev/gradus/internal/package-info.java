/**
 * <b>Not API: may change in any release without notice.</b> Plumbing that several Gradus
 * packages and modules (core, the command line, Spark, the benchmarks) share and that a user of
 * the library has no reason to call. It is public only because Java has no narrower door between
 * packages and jars; code outside Gradus should not depend on it.
 *
 * <p>It sits on the lowest floor (it imports the JDK alone), and {@code FloorsTest} checks that no
 * public signature of a user-facing package mentions a type from here.
 */
package dev.gradus.internal;

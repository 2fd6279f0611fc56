/**
 * The {@code gradus} command: {@code train}, {@code predict}, {@code evaluate},
 * {@code inspect}, {@code demo}. Exit codes: 0 success, 1 data or runtime failure, 2 usage
 * error; messages go to stderr and name the file, line and column or the flag at fault.
 */
package dev.gradus.cli;

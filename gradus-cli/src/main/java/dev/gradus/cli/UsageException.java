package dev.gradus.cli;

/** A command line that cannot be carried out as written (exit code 2). */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}

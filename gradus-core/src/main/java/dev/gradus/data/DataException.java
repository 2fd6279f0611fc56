package dev.gradus.data;

/**
 * A data file cannot be used. The message names the file and, where it applies, the line and
 * column at fault.
 */
public final class DataException extends Exception {
    /** A failure described by {@code message}, which names the file and the place at fault. */
    public DataException(String message) {
        super(message);
    }

    /** As {@link #DataException(String)}, caused by {@code cause} (an I/O or parse failure). */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}

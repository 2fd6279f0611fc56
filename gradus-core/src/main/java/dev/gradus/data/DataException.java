package dev.gradus.data;

/**
 * A data file cannot be used. The message names the file and, where it applies, the line and
 * column at fault.
 */
public final class DataException extends Exception {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}

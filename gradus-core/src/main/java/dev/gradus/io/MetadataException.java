package dev.gradus.io;

import java.util.Objects;

/**
 * Metadata that does not fit the {@linkplain ModelMetadata schema}: a missing, unknown or
 * malformed field, or a format version newer than this library reads. The file readers turn
 * it into their own exception ({@link ModelFileException}, or ONNX's) naming the file.
 *
 * <pre>{@code
 * try {
 *     MetadataCodec.preprocessing("{\"task\":\"regression\"}");
 * } catch (MetadataException e) {
 *     e.field();     // "preprocessing.features"
 *     e.problem();   // "is missing"
 * }
 * }</pre>
 */
public final class MetadataException extends Exception {
    private final String field;
    private final String problem;

    /**
     * @param field the field at fault, dotted with indices ({@code preprocessing.features[2].name})
     * @param problem what is wrong, in words
     * @param cause the underlying exception, or {@code null}
     */
    MetadataException(String field, String problem, Throwable cause) {
        super("field '" + field + "': " + problem, cause);
        this.field = Objects.requireNonNull(field, "field");
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    MetadataException(String field, String problem) {
        this(field, problem, null);
    }

    /** The field at fault, dotted with indices ({@code preprocessing.features[2].name}). */
    public String field() {
        return field;
    }

    /** What is wrong, without the field. */
    public String problem() {
        return problem;
    }
}

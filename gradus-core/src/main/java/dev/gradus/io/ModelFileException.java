package dev.gradus.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A model file that cannot be loaded: truncated, corrupted, hostile, written by a newer
 * format version, or not a Gradus model at all.
 *
 * <p>The message always starts with the file's path and says what is wrong; where the
 * problem has a place, it also names the byte offset from the start of the file and/or the
 * header field ({@code layers.1.weight.shape}, {@code __metadata__.activations}, …).
 *
 * <pre>{@code
 * try {
 *     ModelFile.read(path);
 * } catch (ModelFileException e) {
 *     System.err.println(e.getMessage());
 *     // /models/m.safetensors: byte 8: data checksum mismatch (file is corrupted) ...
 * }
 * }</pre>
 */
public final class ModelFileException extends IOException {
    private final Path file;
    private final String problem;
    private final long byteOffset;
    private final String field;

    /**
     * @param file the model file
     * @param problem what is wrong, in words
     * @param byteOffset where in the file (from its first byte), or {@code -1} if nowhere in particular
     * @param field the header field at fault (dotted, e.g. {@code layers.0.bias.dtype}), or {@code null}
     * @param cause the underlying exception, or {@code null}
     */
    ModelFileException(Path file, String problem, long byteOffset, String field, Throwable cause) {
        super(message(file, problem, byteOffset, field), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.byteOffset = byteOffset;
        this.field = field;
    }

    ModelFileException(Path file, String problem) {
        this(file, problem, -1, null, null);
    }

    ModelFileException(Path file, String problem, long byteOffset, String field) {
        this(file, problem, byteOffset, field, null);
    }

    private static String message(Path file, String problem, long byteOffset, String field) {
        StringBuilder s = new StringBuilder().append(file).append(": ");
        if (byteOffset >= 0) {
            s.append("byte ").append(byteOffset).append(": ");
        }
        if (field != null) {
            s.append("field '").append(field).append("': ");
        }
        return s.append(problem).toString();
    }

    /** The model file at fault. */
    public Path file() {
        return file;
    }

    /** What is wrong, without the file, offset and field. */
    public String problem() {
        return problem;
    }

    /** The byte offset from the start of the file where the problem lies, if it has one place. */
    public OptionalLong byteOffset() {
        return byteOffset >= 0 ? OptionalLong.of(byteOffset) : OptionalLong.empty();
    }

    /** The header field at fault, dotted ({@code layers.1.weight.shape}), if there is one. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}

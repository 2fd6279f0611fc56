package dev.gradus.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An ONNX file that Gradus cannot read: not a protobuf message, not an ONNX model, or a graph
 * outside the plain-MLP shape and operator set that {@link OnnxImport} accepts. The message
 * starts with the file and, where one is at fault, names the node (its name and operator).
 */
public final class OnnxFormatException extends IOException {
    private final Path file;
    private final String problem;

    /** A problem with {@code file}; the message is {@code "<file>: <problem>"}. */
    OnnxFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    /** A problem with {@code file} found while handling {@code cause}. */
    OnnxFormatException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String problem() {
        return problem;
    }
}

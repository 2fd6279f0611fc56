package dev.gradus.spark;

import dev.gradus.model.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model as the bytes of its model file: how a model reaches the executors (a Spark ML model,
 * the scores of {@link SparkScores}) without Java serialization of Gradus types. Each executor
 * JVM parses the bytes once and keeps the last model it parsed. Public for the Spark ML
 * package; not an API.
 */
public final class ModelBytes {
    private ModelBytes() {}

    private static byte[] lastBytes;
    private static Model lastModel;

    public static byte[] of(Model model) {
        try {
            Path tmp = Files.createTempFile("gradus", ".gradus");
            try {
                model.save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Model model(byte[] bytes) {
        try {
            Path tmp = Files.createTempFile("gradus", ".gradus");
            try {
                Files.write(tmp, bytes);
                return Model.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code model} when present (the driver), else the parsed bytes, parsed once per JVM. */
    public static synchronized Model cached(byte[] bytes, Model model) {
        if (model != null) {
            return model;
        }
        if (lastBytes == null || !Arrays.equals(lastBytes, bytes)) {
            lastModel = model(bytes);
            lastBytes = bytes;
        }
        return lastModel;
    }
}

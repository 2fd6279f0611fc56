package dev.gradus.bench;

import dev.gradus.tensor.Matrix;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * A small IDX reader for the W1 workload (Fashion-MNIST from Debian's
 * {@code dataset-fashion-mnist}); kept here until core's reader lands, so the benchmark does
 * not wait for it. Pixels are scaled to [0, 1]; labels become one-hot rows of 10.
 */
final class FashionMnist {
    static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnist() {}

    /** {@code {x (N×784), y (N×10 one-hot)}} of the training set, or null when the files are absent. */
    static Matrix[] trainingSet(Path dir) throws IOException {
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
        if (!Files.exists(images) || !Files.exists(labels)) {
            return null;
        }
        Matrix x = readImages(images);
        int[] classes = readLabels(labels);
        if (classes.length != x.rows()) {
            throw new IOException(labels + ": " + classes.length + " labels for " + x.rows() + " images");
        }
        Matrix y = Matrix.zeros(classes.length, 10);
        for (int i = 0; i < classes.length; i++) {
            y.set(i, classes[i], 1f);
        }
        return new Matrix[] {x, y};
    }

    static Matrix readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x0803) {
                throw new IOException(file + ": byte 0: magic " + Integer.toHexString(magic) + ", expected 803");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            int width = rows * cols;
            Matrix x = Matrix.zeros(n, width);
            byte[] pixels = new byte[width];
            for (int i = 0; i < n; i++) {
                try {
                    in.readFully(pixels);
                } catch (EOFException e) {
                    throw new IOException(file + ": truncated in image " + i + " (byte offset " + (16L + (long) i * width)
                            + ")", e);
                }
                for (int j = 0; j < width; j++) {
                    x.data()[i * width + j] = (pixels[j] & 0xFF) / 255f;
                }
            }
            return x;
        }
    }

    static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = in.readInt();
            if (magic != 0x0801) {
                throw new IOException(file + ": byte 0: magic " + Integer.toHexString(magic) + ", expected 801");
            }
            int n = in.readInt();
            byte[] raw = new byte[n];
            in.readFully(raw);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw);
    }
}

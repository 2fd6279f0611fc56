package dev.gradus.bench;

import dev.gradus.data.DataException;
import dev.gradus.data.Idx;
import dev.gradus.tensor.Matrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The W1 workload's data: Fashion-MNIST from Debian's {@code dataset-fashion-mnist}, read with
 * core's {@link Idx}. Pixels are scaled to [0, 1]; labels become one-hot rows of 10.
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
        try {
            Matrix x = Idx.readImages(images);
            int[] classes = Idx.readLabels(labels);
            if (classes.length != x.rows()) {
                throw new IOException(labels + ": " + classes.length + " labels for " + x.rows() + " images");
            }
            Matrix y = Matrix.zeros(classes.length, 10);
            for (int i = 0; i < classes.length; i++) {
                y.set(i, classes[i], 1f);
            }
            return new Matrix[] {x, y};
        } catch (DataException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}

package dev.gradus.data;

import dev.gradus.tensor.Matrix;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-style IDX files (plain or gzipped): images as unsigned bytes scaled to
 * {@code [0, 1]}, labels as class ids.
 *
 * <p>Layout: big-endian {@code int32} magic {@code 0x00000803} (images, 3 dimensions) or
 * {@code 0x00000801} (labels, 1 dimension), then one {@code int32} size per dimension, then
 * the unsigned bytes, row-major.
 *
 * <pre>{@code
 * Matrix x = Idx.readImages(Path.of("train-images-idx3-ubyte.gz"));  // 60000×784, values/255
 * int[] y = Idx.readLabels(Path.of("train-labels-idx1-ubyte.gz"));   // 60000 ids in 0..9
 * }</pre>
 */
public final class Idx {
    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;
    /** More samples than this in one file is taken as a corrupt header. */
    private static final int MAX_ITEMS = 100_000_000;

    private Idx() {}

    /** The images as an {@code N × (rows·cols)} matrix, each pixel {@code value / 255}. */
    public static Matrix readImages(Path path) throws DataException {
        try (DataInputStream in = open(path)) {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new DataException(path + ": not an IDX image file (magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x00000803)");
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (n < 0 || n > MAX_ITEMS || rows <= 0 || cols <= 0 || (long) rows * cols > 1 << 24
                    || (long) n * rows * cols > Integer.MAX_VALUE - 8) {
                throw new DataException(path + ": implausible IDX image sizes " + n + "x" + rows + "x" + cols);
            }
            int width = rows * cols;
            float[] data = new float[n * width];
            byte[] row = new byte[width];
            for (int i = 0; i < n; i++) {
                readFully(in, row, path, i, n);
                for (int j = 0; j < width; j++) {
                    data[i * width + j] = (row[j] & 0xFF) / 255f;
                }
            }
            return Matrix.wrap(n, width, data);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": file not found");
        } catch (EOFException e) {
            throw new DataException(path + ": truncated IDX header");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** The labels, one class id (0..255) per sample. */
    public static int[] readLabels(Path path) throws DataException {
        try (DataInputStream in = open(path)) {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new DataException(path + ": not an IDX label file (magic 0x" + Integer.toHexString(magic)
                        + ", expected 0x00000801)");
            }
            int n = in.readInt();
            if (n < 0 || n > MAX_ITEMS) {
                throw new DataException(path + ": implausible IDX label count " + n);
            }
            byte[] bytes = new byte[n];
            readFully(in, bytes, path, 0, 1);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            return labels;
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": file not found");
        } catch (EOFException e) {
            throw new DataException(path + ": truncated IDX header");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(DataInputStream in, byte[] buffer, Path path, int item, int items)
            throws IOException, DataException {
        try {
            in.readFully(buffer);
        } catch (EOFException e) {
            throw new DataException(path + ": truncated: the header announces " + items
                    + " items but the data ends in item " + (item + 1));
        }
    }

    private static DataInputStream open(Path path) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }
}

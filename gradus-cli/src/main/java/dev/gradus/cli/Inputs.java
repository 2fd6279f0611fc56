package dev.gradus.cli;

import dev.gradus.data.Csv;
import dev.gradus.data.CsvOptions;
import dev.gradus.data.DataException;
import dev.gradus.data.Idx;
import dev.gradus.data.Table;
import dev.gradus.tensor.Matrix;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads the {@code --data} (and {@code --labels}) inputs of a command into a {@link Table}. */
final class Inputs {
    /** The name of the target column of IDX data. */
    static final String IDX_LABEL = "label";

    /** The data file read last, named when the command runs out of memory. */
    static volatile Path lastInput;

    /** Whether {@code gradus train} is reading a CSV into memory that {@code --stream} could read instead. */
    static volatile boolean streamable;

    private Inputs() {}

    /**
     * A CSV file, or IDX images (with {@code labels}, an IDX label file, or without for
     * prediction). IDX pixels become columns {@code pixel_0 …} scaled to [0, 1].
     */
    static Table read(Path data, Path labels) throws DataException {
        return read(data, labels, CsvOptions.defaults());
    }

    /** As {@link #read(Path, Path)}, reading a CSV file with {@code csv}. */
    static Table read(Path data, Path labels, CsvOptions csv) throws DataException {
        lastInput = data;
        if (labels == null && !isIdx(data)) {
            return Csv.read(data, csv);
        }
        Matrix images = Idx.readImages(data);
        int n = images.rows();
        int width = images.cols();
        List<String> names = new ArrayList<>();
        float[][] columns = new float[width + (labels == null ? 0 : 1)][n];
        for (int j = 0; j < width; j++) {
            names.add("pixel_" + j);
            for (int i = 0; i < n; i++) {
                columns[j][i] = images.data()[i * width + j];
            }
        }
        if (labels != null) {
            int[] y = Idx.readLabels(labels);
            if (y.length != n) {
                throw new DataException(labels + ": " + y.length + " labels for " + n + " images in " + data);
            }
            names.add(IDX_LABEL);
            for (int i = 0; i < n; i++) {
                columns[width][i] = y[i];
            }
        }
        return Table.ofNumbers(data.toString(), names, columns);
    }

    /**
     * The columns whose cells a model reads as text even where they look like numbers: its class
     * label (classification), its categorical features, and the {@code --id} column (may be null).
     */
    static java.util.List<String> textColumns(dev.gradus.model.Model model, String id) {
        return textColumns(model.preprocessing(), id);
    }

    /** As {@link #textColumns(dev.gradus.model.Model, String)} for a fitted preprocessing. */
    static java.util.List<String> textColumns(dev.gradus.data.Preprocessing prep, String id) {
        java.util.List<String> out = new ArrayList<>();
        if (prep.task() == dev.gradus.data.Task.CLASSIFICATION) {
            out.addAll(prep.targetNames());
        }
        prep.features().stream().filter(f -> f.isCategorical()).forEach(f -> out.add(f.name()));
        if (id != null) {
            out.add(id);
        }
        return out;
    }

    /** True when the file starts with gzip's magic bytes. */
    static boolean isGzip(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when the file starts with an IDX image magic number (plain or gzipped). */
    static boolean isIdx(Path path) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(path))) {
            raw.mark(4);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw) : raw;
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0 && magic[1] == 0 && magic[2] == 8 && magic[3] == 3;
        } catch (IOException e) {
            return false;   // Csv.read will report the problem with the file.
        }
    }
}

package dev.gradus.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.data.Scaling;
import dev.gradus.data.Task;
import dev.gradus.io.ModelFile;
import dev.gradus.model.Model;
import dev.gradus.nn.Activation;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Truncated, corrupted and foreign files fail with an {@link OnnxFormatException} naming the file. */
class OnnxDamagedFileTest {
    @TempDir
    Path dir;

    private Model model;
    private byte[] bytes;

    @BeforeEach
    void export() throws Exception {
        model = Models.iris(Activation.TANH, Scaling.STANDARD);
        bytes = OnnxExport.toBytes(model);
    }

    /** Every proper prefix of an exported file is refused, whichever task is asked for. */
    @Test
    void everyTruncationIsReported() throws Exception {
        Path file = dir.resolve("cut.onnx");
        for (int length = 0; length < bytes.length; length++) {
            Files.write(file, Arrays.copyOf(bytes, length));
            for (Task task : new Task[] {null, Task.CLASSIFICATION}) {
                int cut = length;
                OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(file, task),
                        () -> "a file cut to " + cut + " of " + bytes.length + " bytes was read");
                assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            }
        }
    }

    /** A flipped bit anywhere in a weight's raw data is caught by the graph checksum. */
    @Test
    void aFlippedWeightBitIsReported() throws Exception {
        byte[] raw = OnnxExport.toProto(model).getGraph().getInitializer(0).getRawData().toByteArray();
        int at = indexOf(bytes, raw) + raw.length / 2;
        byte[] damaged = bytes.clone();
        damaged[at] ^= 0x10;
        Path file = dir.resolve("flipped.onnx");
        Files.write(file, damaged);
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(file));
        assertTrue(e.getMessage().contains("SHA-256") && e.getMessage().contains("corrupted"), e.getMessage());
    }

    /**
     * Gradus metadata of a newer format version, or with a field this version does not know, is
     * refused by the model file's own codec and version check (the graph checksum covers the
     * graph only, so the edited metadata is what is judged).
     */
    @Test
    void newerOrUnknownGradusMetadataIsRefused() throws Exception {
        var proto = OnnxExport.toProto(model);
        Path file = dir.resolve("edited.onnx");
        for (String[] edit : new String[][] {
                {OnnxExport.KEY_FORMAT_VERSION, Integer.toString(ModelFile.FORMAT_VERSION + 1),
                        "format version " + (ModelFile.FORMAT_VERSION + 1) + " is newer"},
                {OnnxExport.KEY_PREPROCESSING, null, "gradus.preprocessing.features[0].date_parts"}}) {
            var builder = proto.toBuilder();
            for (int i = 0; i < builder.getMetadataPropsCount(); i++) {
                var entry = builder.getMetadataProps(i);
                if (entry.getKey().equals(edit[0])) {
                    String value = edit[1] != null ? edit[1]
                            : entry.getValue().replaceFirst("\\{\"name\":", "{\"date_parts\":[\"year\"],\"name\":");
                    builder.setMetadataProps(i, entry.toBuilder().setValue(value));
                }
            }
            Files.write(file, builder.build().toByteArray());
            OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(file));
            assertTrue(e.getMessage().contains(edit[2]), e.getMessage());
        }
    }

    /** Seeded random bytes, a CSV file and a Gradus model file are not ONNX models. */
    @Test
    void foreignFilesAreReported() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        Path file = dir.resolve("garbage.onnx");
        for (int trial = 0; trial < 500; trial++) {
            byte[] garbage = new byte[1 + random.nextInt(2000)];
            random.nextBytes(garbage);
            Files.write(file, garbage);
            OnnxFormatException e = assertThrows(OnnxFormatException.class,
                    () -> OnnxImport.read(file, Task.REGRESSION));
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        }

        Path csv = Models.DATA.resolve("iris_test.csv");
        OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(csv, Task.REGRESSION));
        assertTrue(e.getMessage().contains("not an ONNX model"), e.getMessage());

        Path gradus = dir.resolve("iris.gradus");
        model.save(gradus);
        e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(gradus, Task.CLASSIFICATION));
        assertTrue(e.getMessage().contains("not an ONNX model"), e.getMessage());

        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(empty, Task.REGRESSION));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());

        assertThrows(NoSuchFileException.class, () -> OnnxImport.read(dir.resolve("absent.onnx")));
        e = assertThrows(OnnxFormatException.class, () -> OnnxImport.read(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}

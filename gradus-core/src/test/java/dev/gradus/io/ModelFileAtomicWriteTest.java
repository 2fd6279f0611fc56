package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gradus.nn.Activation;
import dev.gradus.nn.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed write leaves the previous model untouched and no temporary file behind. */
class ModelFileAtomicWriteTest {

    @TempDir
    Path dir;

    private static Network net(long seed) {
        return Network.input(4).dense(8, Activation.TANH).dense(2, Activation.SIGMOID).build(seed);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void failureBeforeTheRenameKeepsTheOldFile() throws IOException {
        Path model = dir.resolve("model.safetensors");
        ModelFile.write(model, net(1), Map.of("version", "old"));
        byte[] old = Files.readAllBytes(model);
        IOException diskFull = new IOException("simulated: no space left on device");
        Path[] seen = new Path[1];

        IOException e = assertThrows(IOException.class, () -> ModelFile.write(model, net(2), Map.of("version", "new"),
                temporary -> {
                    // The new model is complete in the temporary file, next to the target.
                    assertEquals(dir, temporary.getParent());
                    assertTrue(Files.size(temporary) > 8);
                    seen[0] = temporary;
                    throw diskFull;
                }));

        assertSame(diskFull, e);
        assertArrayEquals(old, Files.readAllBytes(model));
        assertEquals("old", ModelFile.read(model).metadata().get("version"));
        assertFalse(Files.exists(seen[0]), "temporary file left behind");
        assertEquals(List.of("model.safetensors"), files());
    }

    @Test
    void uncheckedFailureAlsoCleansUp() throws IOException {
        Path model = dir.resolve("model.safetensors");
        ModelFile.write(model, net(1), Map.of());
        byte[] old = Files.readAllBytes(model);

        assertThrows(IllegalStateException.class, () -> ModelFile.write(model, net(2), Map.of(), temporary -> {
            throw new IllegalStateException("simulated crash in the middle of a save");
        }));

        assertArrayEquals(old, Files.readAllBytes(model));
        assertEquals(List.of("model.safetensors"), files());
    }

    @Test
    void failedFirstWriteCreatesNothing() throws IOException {
        Path model = dir.resolve("new.safetensors");

        assertThrows(IOException.class, () -> ModelFile.write(model, net(1), Map.of(), temporary -> {
            throw new IOException("simulated");
        }));

        assertFalse(Files.exists(model));
        assertEquals(List.of(), files());
    }

    @Test
    void refusedMetadataTouchesNothing() throws IOException {
        Path model = dir.resolve("model.safetensors");
        ModelFile.write(model, net(1), Map.of());
        byte[] old = Files.readAllBytes(model);

        assertThrows(IllegalArgumentException.class, () -> ModelFile.write(model, net(2), Map.of("format", "x")));

        assertArrayEquals(old, Files.readAllBytes(model));
        assertEquals(List.of("model.safetensors"), files());
    }

    @Test
    void successfulOverwriteReplacesTheModelAndLeavesNoTemporary() throws IOException {
        Path model = dir.resolve("model.safetensors");
        ModelFile.write(model, net(1), Map.of("version", "old"));

        ModelFile.write(model, net(2), Map.of("version", "new"));

        ModelFile.Stored stored = ModelFile.read(model);
        assertEquals("new", stored.metadata().get("version"));
        assertTrue(stored.network().parameters().sameAs(net(2).parameters()));
        assertEquals(List.of("model.safetensors"), files());
    }

    @Test
    void writingOverAFolderFailsAndCleansUp() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(folder.resolve("inside.txt"), "keep");

        assertThrows(IOException.class, () -> ModelFile.write(folder, net(1), Map.of()));

        assertEquals("keep", Files.readString(folder.resolve("inside.txt")));
        assertEquals(List.of("taken"), files());
    }

    @Test
    void relativePathsWork() throws IOException {
        // The temporary file goes beside the target whichever folder the path is relative to.
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel.safetensors"));

        ModelFile.write(relative, net(3), Map.of());

        assertTrue(ModelFile.read(relative).network().parameters().sameAs(net(3).parameters()));
        assertEquals(List.of("rel.safetensors"), files());
    }
}

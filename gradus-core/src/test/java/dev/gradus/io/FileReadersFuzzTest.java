package dev.gradus.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jazzer fuzz tests of the two file readers: whatever the bytes, {@link ModelFile#read} and
 * {@link CheckpointFile#read} load the file or throw {@link ModelFileException}, never another
 * exception, an out-of-memory error or a hang.
 *
 * <p>In {@code mvn test} these run in Jazzer's regression mode: every file of the committed
 * corpus in {@code src/test/resources/dev/gradus/io/FileReadersFuzzTestInputs/<method>/}
 * (valid files, truncations, corruptions and every crash found so far) is replayed once. To
 * fuzz for new inputs, run with {@code JAZZER_FUZZ=1} (one method at a time, e.g.
 * {@code JAZZER_FUZZ=1 mvn test -pl gradus-core -Dtest=FileReadersFuzzTest#modelFile}); any
 * crash is written into that folder: commit it as a regression input.
 */
class FileReadersFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void modelFile(byte[] bytes) throws IOException {
        read(bytes, ModelFile::read);
    }

    @FuzzTest(maxDuration = "60s")
    void checkpointFile(byte[] bytes) throws IOException {
        read(bytes, CheckpointFile::read);
    }

    @FunctionalInterface
    private interface Reader {
        Object read(Path path) throws IOException;
    }

    private static void read(byte[] bytes, Reader reader) throws IOException {
        Path file = Files.createTempFile("gradus-fuzz", ".bin");
        try {
            Files.write(file, bytes);
            reader.read(file);
        } catch (ModelFileException expected) {
            // the one way to refuse a file
        } finally {
            Files.delete(file);
        }
    }
}

package dev.gradus.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during a save: a child JVM saves large models to one file in a loop and is killed
 * ({@link Process#destroyForcibly()}, SIGKILL on POSIX) at random moments. After every kill
 * the file must load, pass its checksum and hold one of the two complete models.
 */
class ModelFileKillDuringSaveTest {

    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void theFileAlwaysHoldsACompleteModel() throws Exception {
        Path file = dir.resolve("model.safetensors");
        float[][] expected = {SaveLoop.model(0).parameters().values(), SaveLoop.model(1).parameters().values()};
        SplittableRandom random = new SplittableRandom(6);
        int[] seen = new int[2];
        for (int kill = 0; kill < KILLS; kill++) {
            Process child = new ProcessBuilder(javaCommand(SaveLoop.class.getName(), file.toString()))
                    .redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                // After the child's first save (or, from the second round on, at once) wait a random
                // while: most of the child's time is spent inside ModelFile.write, so the kill usually
                // lands in the middle of one.
                String line;
                StringBuilder said = new StringBuilder();
                while ((line = out.readLine()) != null && !line.startsWith("saved")) {
                    said.append(line).append('\n');   // the JVM's notes, e.g. on the incubator module
                }
                assertTrue(line != null, "the child ended without saving: " + said);
                Thread.sleep(random.nextInt(5, 400));
                child.destroyForcibly();
                child.waitFor();
            }
            ModelFile.Stored stored = ModelFile.read(file);   // throws on a torn or corrupted file
            int which = Integer.parseInt(stored.metadata().get("save"));
            assertArrayEquals(expected[which], stored.network().parameters().values(), "after kill " + kill);
            seen[which]++;
        }
        assertEquals(KILLS, seen[0] + seen[1]);
        // What a kill can leave behind is a temporary file, never a damaged target.
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                assertTrue(name.equals("model.safetensors") || name.matches("\\.model\\.safetensors\\.[0-9a-f]+\\.tmp"),
                        name);
            }
        }
    }

    /** {@code java} with this JVM's class path and flags, running {@code mainClass}. */
    static List<String> javaCommand(String mainClass, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }
}

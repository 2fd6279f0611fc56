package dev.gradus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of memory is one line naming the file and JAVA_OPTS, exit 1, and no model file. */
class OutOfMemoryTest {
    @Test
    void oneLineNoStackTraceNoModel(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("big.csv");
        try (BufferedWriter w = Files.newBufferedWriter(data, StandardCharsets.UTF_8)) {
            w.write("a,b,c,d,y\n");
            for (int i = 0; i < 400_000; i++) {
                w.write(String.format(Locale.ROOT, "%d.5,%d,%d,%d,%d%n", i, i % 7, i % 11, i % 13, i % 2));
            }
        }
        Path model = dir.resolve("m.gradus");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx24m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "dev.gradus.cli.Main", "train", "--data", data.toString(),
                "--out", model.toString(), "--epochs", "1", "--stream", "off"))
                .redirectErrorStream(false).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, p.exitValue(), err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("gradus: out of memory working on " + data), err);
        assertTrue(lines.get(0).contains("JAVA_OPTS=-Xmx"), err);
        assertTrue(lines.get(0).contains("or train with --stream"), err);
        assertFalse(err.contains("\tat "), err);
        assertFalse(Files.exists(model));
    }
}
